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
# # Sales forecast («Прогноз продаж»)
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
# ## Forecast for the next three months: central value and 80 % interval

# %%
headline = report.headline(ctx)
headline

# %% [markdown]
# ## Two views side by side: pipeline (open + new deals) and time series (ETS), and what drives them

# %%
views = report.views(ctx)
views

# %% [markdown]
# ## Weighted pipeline by stage at the forecast origin

# %%
pipeline_section = report.pipeline(ctx)
pipeline_section

# %% [markdown]
# ## Accuracy: rolling-origin backtest over the last 12 months against naive baselines

# %%
accuracy = report.accuracy(ctx)
accuracy

# %% [markdown]
# ## Forecast by manager and pipeline (team scope only)

# %%
breakdown = report.breakdown(ctx)
breakdown

# %% [markdown]
# ## Takeaways

# %%
report.summary(ctx)

# %% tags=["publish"]
report.publish(ctx)
