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
# # Sales analysis («Анализ продаж»)
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
# ## Headline figures: revenue, deals won, average deal, conversion — vs previous period and a year ago

# %%
kpis = report.kpis(ctx)
kpis

# %% [markdown]
# ## Funnel: stage-to-stage conversion of deals created in the period (entered-only and cumulative)

# %%
funnel = report.funnel(ctx)
funnel

# %% [markdown]
# ## Losses by the stage of loss, and loss reasons

# %%
losses = report.losses(ctx)
losses

# %% [markdown]
# ## Time in stage (median / P75 / P90; open deals censored)

# %%
time_in_stage = report.time_in_stage(ctx)
time_in_stage

# %% [markdown]
# ## Won-deal cycle and open deals older than the typical cycle

# %%
cycle = report.cycle(ctx)
cycle

# %% [markdown]
# ## Managers (team scope only)

# %%
managers = report.managers(ctx)
managers

# %% [markdown]
# ## Takeaways

# %%
report.summary(ctx)

# %% tags=["publish"]
report.publish(ctx)
