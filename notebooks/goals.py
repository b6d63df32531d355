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
# # Цели · Goals: sales plan progress
# Планы задаются в `params/goals.yaml`. Измените параметры ниже и выполните все ячейки; каждая цифра считается в
# `reports/goals/metrics`, у каждого раздела есть `.tables`. Эти заметки — для аналитика; в отчётах текст пишет
# библиотека на языке `lang`.
#
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
# ## Выполнение плана · Plan progress
# План, факт, % выполнения, остаток, рабочие дни, нужный темп, прогнозы.
# *Plan, actual, % done, remaining, working days left, pace needed, projections.*

# %%
plan = report.plan(ctx)
plan

# %% [markdown]
# ## Динамика выполнения плана · Progress over the period
# Накопленный факт против линии плана.
# *Cumulative actual against the plan line.*

# %%
progress = report.progress(ctx)
progress

# %% [markdown]
# ## Открытые сделки в прогнозе · Open deals in the projection
# Открытые сделки по этапам с вероятностью выигрыша по этапу и возрасту — та же модель, что в отчёте «Прогноз продаж».
# *Open deals by stage, weighted by the win probability of their stage and age: the sales forecast's model.*

# %%
pipeline_section = report.pipeline(ctx)
pipeline_section

# %% [markdown]
# ## Сравнение с прошлыми периодами · Compared with earlier periods
# С прошлым периодом и годом ранее.
# *With the previous period and a year ago.*

# %%
compare = report.compare(ctx)
compare

# %% [markdown]
# ## План по менеджерам · Plans by manager
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
