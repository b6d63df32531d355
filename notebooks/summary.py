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
# # Сводный отчёт · Summary: the head of sales' first page
# Состояние сейчас, период в шести цифрах и пять дел, ранжированных по деньгам, со ссылками на разделы других
# отчётов комплекта. Каждая цифра считается в `reports/summary/metrics`, `store/concepts` и `store/discipline`.
#
# The state now, the period in six numbers and five things to act on ranked by money at stake, each linking
# to the section of the pack's report that explains it. These Markdown notes are for the analyst.

# %% tags=["parameters"]
period: str = ""                # 2026-10, 2026-Q4, ...; empty: last full month
manager: str = ""               # the manager's name or group:NAME; empty: the whole team
pipeline: str = ""              # the pipeline's name; empty: all pipelines
store: str = "data/crm.duckdb"  # the local DuckDB store, relative to the project root
lang: str = "ru"                # ru or en

# %% tags=["title"]
from crmreports.reports.summary import sections as report

ctx = report.open(period=period, manager=manager, pipeline=pipeline, store=store, lang=lang)
report.title(ctx)

# %% [markdown]
# ## Состояние сейчас · The state now

# %%
state = report.state(ctx)
state

# %% [markdown]
# ## Период в шести цифрах · The period in six numbers

# %%
numbers = report.numbers(ctx)
numbers

# %% [markdown]
# ## Пять дел · Five things to act on

# %%
actions = report.to_act(ctx)
actions

# %% tags=["publish"]
report.publish(ctx)
