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
# # Анализ продаж · Sales analysis
# Измените параметры ниже и выполните все ячейки. Каждая цифра считается в `reports/sales_analysis/metrics` (чистые
# функции); у каждого раздела есть `.tables` с исходными таблицами. Эти заметки — для аналитика; в отчётах текст
# пишет библиотека на языке `lang`.
#
# Change the parameters below and run all cells. Every figure comes from `reports/sales_analysis/metrics`
# (pure functions); each section object keeps its raw tables in `.tables` for digging in.
# These Markdown notes are for the analyst; rendered reports show the localized text the library writes.

# %% tags=["parameters"]
period: str = ""                # 2026-10, 2026-Q3, 2026-W44, 2026 or 2026-10-01..2026-10-15; empty: last full month
manager: str = ""               # the manager's name; empty: the whole team
pipeline: str = ""              # the pipeline's name; empty: all pipelines
store: str = "data/crm.duckdb"  # the local DuckDB store, relative to the project root
lang: str = "ru"                # ru or en

# %% tags=["title"]
from crmreports.reports.sales_analysis import sections as report

ctx = report.open(period=period, manager=manager, pipeline=pipeline, store=store, lang=lang)
report.title(ctx)

# %% [markdown]
# ## Главные показатели · Headline figures
# Выручка, успешные сделки, средний чек, конверсия — к прошлому периоду и году ранее.
# *Revenue, deals won, average deal, conversion — vs the previous period and a year ago.*

# %%
kpis = report.kpis(ctx)
kpis

# %% [markdown]
# ## Созревание когорт · Cohort maturity
# Сделки по месяцу создания × месяцы с создания: накопленная доля выигранных. Сравнивайте когорты в одном возрасте.
# *Deals by month created × months since: cumulative share won. Compare cohorts at the same age.*

# %%
cohorts = report.cohorts(ctx)
cohorts

# %% [markdown]
# ## Воронка и конверсия по этапам · Funnel and stage conversion
# Конверсия сделок, созданных в периоде, из этапа в этап (только вошедшие и накопительно), и среди уже решённых сделок.
# *Stage-to-stage conversion of deals created in the period (entered-only, cumulative, and among decided deals).*

# %%
funnel = report.funnel(ctx)
funnel

# %% [markdown]
# ## Потери по этапам и причины отказа · Losses by stage and loss reasons

# %%
losses = report.losses(ctx)
losses

# %% [markdown]
# ## Время на этапах · Time in stage
# Медиана / P75 / P90; открытые сделки — цензурированные.
# *Median / P75 / P90; open deals censored.*

# %%
time_in_stage = report.time_in_stage(ctx)
time_in_stage

# %% [markdown]
# ## Длительность сделки и зависшие сделки · Deal cycle and stale deals
# Цикл выигранных сделок и открытые сделки старше типичного цикла.
# *Won-deal cycle and open deals older than the typical cycle.*

# %%
cycle = report.cycle(ctx)
cycle

# %% [markdown]
# ## Менеджеры · Managers
# Только для всей команды.
# *Team scope only.*

# %%
managers = report.managers(ctx)
managers

# %% [markdown]
# ## Выводы · Takeaways

# %%
report.summary(ctx)

# %% tags=["publish"]
report.publish(ctx)
