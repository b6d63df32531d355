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
# # Calls («Звонки»)
# Change the parameters below and run all cells. Every figure comes from `reports/calls/metrics` (pure functions);
# each section object keeps its raw tables in `.tables`. What counts as a meeting is set in
# `params/meetings.yaml` (a task type or a stage). These Markdown notes are for the analyst; rendered reports
# show the localized text the library writes.

# %% tags=["parameters"]
period: str = ""                # 2026-10, 2026-Q3, 2026-W44, 2026 or 2026-10-01..2026-10-15; empty: last full month
manager: str = ""               # the manager's name; empty: the whole team
pipeline: str = ""              # the pipeline's name; empty: all pipelines
store: str = "data/crm.duckdb"  # the local DuckDB store, relative to the project root
lang: str = "ru"                # ru or en

# %% tags=["title"]
from crmreports.reports.calls import sections as report

ctx = report.open(period=period, manager=manager, pipeline=pipeline, store=store, lang=lang)
report.title(ctx)

# %% [markdown]
# ## Headline figures: calls in/out, missed, answered share, talk time — vs previous period and a year ago

# %%
kpis = report.kpis(ctx)
kpis

# %% [markdown]
# ## Calls per day (per week for long periods)

# %%
daily = report.daily(ctx)
daily

# %% [markdown]
# ## Missed inbound calls and callbacks (window: 24 h, by anyone, same phone or contact)

# %%
missed = report.missed(ctx)
missed

# %% [markdown]
# ## Call → meeting conversion (definition from params/meetings.yaml) and calls per won deal

# %%
meetings = report.meetings(ctx)
meetings

# %% [markdown]
# ## Managers against the team average, with 95 % intervals (few calls: not ranked)

# %%
managers = report.managers(ctx)
managers

# %% [markdown]
# ## Takeaways

# %%
report.summary(ctx)

# %% tags=["publish"]
report.publish(ctx)
