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
# # Аудит CRM · CRM audit
# Измените параметры ниже и выполните все ячейки. Каждая находка считается в `reports/audit/metrics` (правило,
# число случаев, деньги под риском); у каждого раздела есть `.tables` — полный список записей. Аудит строится только
# для всей команды. Эти заметки — для аналитика; в отчётах текст пишет библиотека на языке `lang`.
#
# Change the parameters below and run all cells. Every finding comes from `reports/audit/metrics` (its rule, the
# count, the money at stake); each section object keeps the full lists of records in `.tables`. The audit is a
# team report. These Markdown notes are for the analyst; rendered reports show the localized text the library writes.

# %% tags=["parameters"]
period: str = ""                # 2026-10, 2026-Q3, 2026-W44, 2026 or 2026-10-01..2026-10-15; empty: last full month
manager: str = ""               # must stay empty: the audit covers the whole team
pipeline: str = ""              # the pipeline's name; empty: all pipelines
store: str = "data/crm.duckdb"  # the local DuckDB store, relative to the project root
lang: str = "ru"                # ru or en
deal_links: str = ""            # the account's amoCRM address for links; empty: https://<subdomain>.amocrm.ru

# %% tags=["title"]
from crmreports.reports.audit import sections as report

ctx = report.open(period=period, manager=manager, pipeline=pipeline, store=store, lang=lang, deal_links=deal_links)
report.title(ctx)

# %% [markdown]
# ## Итоги аудита · Audit summary
# Оценки 0–100 по областям и общая, сигналы светофора, все находки одной таблицей, что исправить первым.
# *Scores 0–100 per area and overall, traffic lights, every finding in one table, what to fix first.*

# %%
summary = report.summary(ctx)
summary

# %% [markdown]
# ## Процессы · Process
# Сделки без задач, просроченные задачи по менеджерам, откаты по воронке.
# *Deals without a task, overdue tasks by manager, deals moved backwards.*

# %%
process = report.process(ctx)
process

# %% [markdown]
# ## Скорость · Speed
# Зависшие сделки (P75 этапа), первый этап, «Неразобранное», пропущенные звонки без перезвона.
# *Stuck deals (the stage's P75), the first stage, the unsorted backlog, missed calls never returned.*

# %%
speed = report.speed(ctx)
speed

# %% [markdown]
# ## Качество данных · Data quality
# Суммы, причины отказа, источники, контакты, дубли, этапы, менеджеры без активности.
# *Amounts, loss reasons, sources, contacts, duplicates, stages, idle managers.*

# %%
data_quality = report.data_quality(ctx)
data_quality

# %% [markdown]
# ## Оценки и правила · Scores and rules
# Каждый балл привязан к правилу.
# *Every point is tied to a rule.*

# %%
report.scores(ctx)

# %% tags=["publish"]
report.publish(ctx)
