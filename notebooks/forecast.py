# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Прогноз продаж · Sales forecast
# Измените параметры ниже и выполните все ячейки. Период — точка прогноза: прогноз на три месяца после него;
# `ctx.results` хранит прогноз, бэктест и калибровку. Эти заметки — для аналитика; в отчётах текст пишет библиотека
# на языке `lang`.
#
# Change the parameters below and run all cells. The period is the forecast origin: the forecast covers the
# three calendar months after it. Every figure comes from `reports/forecast/metrics` (pure functions); each section
# object keeps its raw tables in `.tables`, and `ctx.results` holds the forecast, backtest and calibration.
# These Markdown notes are for the analyst; rendered reports show the localized text the library writes.

# %% tags=["parameters"]
period: str = ""                # the forecast origin: 2026-10 forecasts Nov 2026 to Jan 2027; empty: last full month
manager: str = ""               # the manager's name; empty: the whole team
pipeline: str = ""              # the pipeline's name; empty: all pipelines
store: str = "data/crm.duckdb"  # the local DuckDB store, relative to the project root
lang: str = "ru"                # ru or en

# %% tags=["title"]
from crmreports.reports.forecast import sections as report

ctx = report.open(period=period, manager=manager, pipeline=pipeline, store=store, lang=lang)
report.title(ctx)

# %% [markdown]
# ## Прогноз на три месяца · Forecast for the next three months
# Центральное значение и 80 % интервал.
# *Central value and 80 % interval.*

# %%
headline = report.headline(ctx)
headline

# %% [markdown]
# ## Два взгляда: воронка и временной ряд · Two views: pipeline and time series
# Воронка (открытые + новые сделки) и временной ряд (ETS), и что их движет.
# *Pipeline (open + new deals) and time series (ETS), and what drives them.*

# %%
views = report.views(ctx)
views

# %% [markdown]
# ## Взвешенная воронка по этапам · Weighted pipeline by stage
# На дату прогноза.
# *At the forecast origin.*

# %%
pipeline_section = report.pipeline(ctx)
pipeline_section

# %% [markdown]
# ## Точность прогноза: проверка на прошлом · Forecast accuracy: backtest
# Скользящий бэктест за 12 месяцев против наивных прогнозов.
# *Rolling-origin backtest over the last 12 months against naive baselines.*

# %%
accuracy = report.accuracy(ctx)
accuracy

# %% [markdown]
# ## Прогноз по менеджерам и воронкам · Forecast by manager and pipeline
# Только для всей команды.
# *Team scope only.*

# %%
breakdown = report.breakdown(ctx)
breakdown

# %% [markdown]
# ## Выводы · Takeaways

# %%
report.summary(ctx)

# %% tags=["publish"]
report.publish(ctx)
