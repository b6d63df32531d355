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
# # Goals («Цели»): sales plan progress
# Plans come from `params/goals.yaml` (its format is described at the top of the file). Change the
# parameters below and run all cells. Every figure comes from `reports/goals/metrics` (pure functions); each
# section object keeps its raw tables in `.tables`. These Markdown notes are for the analyst; rendered
# reports show the localized text the library writes.

# %% tags=["parameters"]
period: str = ""                # 2026-10, 2026-Q4, ...; empty: last full month
manager: str = ""               # the manager's name; empty: the whole team
pipeline: str = ""              # the pipeline's name; empty: all pipelines
store: str = "data/crm.duckdb"  # the local DuckDB store, relative to the project root
lang: str = "ru"                # ru or en
as_of: str = ""                 # YYYY-MM-DD (figures as of the start of that day); empty: the end of the data
goals: str = "params/goals.yaml"  # the plans file, relative to the project root

# %% tags=["title"]
from crmreports.reports.goals import sections as report

ctx = report.open(period=period, manager=manager, pipeline=pipeline, store=store, lang=lang, as_of=as_of,
                  goals_path=goals)
report.title(ctx)

# %% [markdown]
# ## Plan progress: plan, actual, % done, remaining, working days left, pace needed, projections

# %%
plan = report.plan(ctx)
plan

# %% [markdown]
# ## Cumulative actual against the plan line

# %%
progress = report.progress(ctx)
progress

# %% [markdown]
# ## Open deals behind the projection band (weighted pipeline)

# %%
pipeline_section = report.pipeline(ctx)
pipeline_section

# %% [markdown]
# ## Compared with the previous period and a year ago

# %%
compare = report.compare(ctx)
compare

# %% [markdown]
# ## Plans by manager (team scope only)

# %%
managers = report.managers(ctx)
managers

# %% [markdown]
# ## Takeaways

# %%
report.summary(ctx)

# %% tags=["publish"]
report.publish(ctx)
