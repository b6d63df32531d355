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
# # По сотрудникам · Managers: the scorecard
# Для всей команды — сравнение менеджеров; для одного менеджера — его личная страница со списками дел.
# Каждая цифра считается в `reports/managers/metrics` и `store/discipline`; встречи — по правилу
# `params/meetings.yaml` (как в «Звонках»), план — из `params/goals.yaml`, взвешенная воронка — по вероятностям
# модели прогноза. У каждого раздела есть `.tables`.
#
# For the team: every manager compared; for one manager: their personal page with the lists to act on.
# Every figure comes from `reports/managers/metrics` and `store/discipline`; meetings follow the rule of
# `params/meetings.yaml` (as in «Calls»), plans come from `params/goals.yaml`, the weighted pipeline from the
# forecast model's probabilities; each section keeps its raw
# tables in `.tables`. These Markdown notes are for the analyst; rendered reports show the library's text.

# %% tags=["parameters"]
period: str = ""                # 2026-10, 2026-Q4, ...; empty: last full month
manager: str = ""               # the manager's name or group:NAME; empty: the whole team
pipeline: str = ""              # the pipeline's name; empty: all pipelines
store: str = "data/crm.duckdb"  # the local DuckDB store, relative to the project root
lang: str = "ru"                # ru or en
deal_links: str = ""            # the CRM's address for deal links (https://x.amocrm.ru); empty: the account's own
goals: str = "params/goals.yaml"  # the plans file (plan done share), relative to the project root

# %% tags=["title"]
from crmreports.reports.managers import sections as report

ctx = report.open(period=period, manager=manager, pipeline=pipeline, store=store, lang=lang, deal_links=deal_links,
                  goals_path=goals)
report.title(ctx)

# %% [markdown]
# ## Активность и результаты · Activity and results

# %%
kpis = report.kpis(ctx)
kpis

# %% [markdown]
# ## Дисциплина · Discipline
# Открытые сделки, просроченные задачи, сделки без задач, зависшие сделки.
# *Open deals, overdue tasks, deals without a task, stale deals.*

# %%
discipline = report.discipline_section(ctx)
discipline

# %% [markdown]
# ## Менеджеры · Managers
# Доли с интервалами и поправкой на выборку.
# *Rates with intervals, shrunk toward the team.*

# %%
scorecard = report.managers_table(ctx)
scorecard

# %% [markdown]
# ## Скорость продаж · Sales velocity

# %%
velocity = report.velocity(ctx)
velocity

# %% [markdown]
# ## Потери · Losses

# %%
losses = report.losses(ctx)
losses

# %% [markdown]
# ## Активность по часам · Activity by hour

# %%
activity = report.activity(ctx)
activity

# %% [markdown]
# ## Что сделать сейчас · What to act on now

# %%
actions = report.actions(ctx)
actions

# %% [markdown]
# ## Выводы · Takeaways

# %%
report.summary(ctx)

# %% tags=["publish"]
report.publish(ctx)
