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
# # Unsorted leads («Неразобранное»)
# Change the parameters below and run all cells. Every figure comes from `reports/unsorted_leads/metrics`
# (pure functions); `report.items(ctx)` holds one row per incoming lead of the scope, and each section
# object keeps its raw tables in `.tables` for digging in.
# These Markdown notes are for the analyst; rendered reports show the localized text the library writes.

# %% tags=["parameters"]
period: str = ""                # 2026-10, 2026-Q3, 2026-W44, 2026 or 2026-10-01..2026-10-15; empty: last full month
manager: str = ""               # the manager's name; empty: the whole team
pipeline: str = ""              # the pipeline's name; empty: all pipelines
store: str = "data/crm.duckdb"  # the local DuckDB store, relative to the project root
lang: str = "ru"                # ru or en

# %% tags=["title"]
from crmreports.reports.unsorted_leads import sections as report

ctx = report.open(period=period, manager=manager, pipeline=pipeline, store=store, lang=lang)
report.title(ctx)

# %% [markdown]
# ## Incoming leads: accepted, declined, pending, became deals, won — vs previous period and a year ago

# %%
kpis = report.kpis(ctx)
kpis

# %% [markdown]
# ## Sources and channels (sip, mail, forms, chats) with conversion to deals

# %%
sources = report.sources(ctx)
sources

# %% [markdown]
# ## Speed to lead: arrival → acceptance and → first call / task / stage change (median, P90, per manager)

# %%
speed = report.speed(ctx)
speed

# %% [markdown]
# ## Backlog: items still unsorted at the period's end, with their age

# %%
backlog = report.backlog(ctx)
backlog

# %% [markdown]
# ## Weekly trend by channel with the accepted share

# %%
trend = report.trend(ctx)
trend

# %% [markdown]
# ## Takeaways

# %%
report.summary(ctx)

# %% tags=["publish"]
report.publish(ctx)
