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
# # Неразобранное · Unsorted leads
# Измените параметры ниже и выполните все ячейки. Каждая цифра считается в `reports/unsorted_leads/metrics`;
# `report.items(ctx)` — по строке на каждую заявку, у каждого раздела есть `.tables`. Эти заметки — для аналитика; в
# отчётах текст пишет библиотека на языке `lang`.
#
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
# ## Входящие заявки · Incoming leads
# Приняты, отклонены, ждут, стали сделками, выиграны — к прошлому периоду и году ранее, в том же возрасте заявок.
# *Accepted, declined, pending, became deals, won — vs the previous period and a year ago, at the same age.*

# %%
kpis = report.kpis(ctx)
kpis

# %% [markdown]
# ## Источники и каналы заявок · Sources and channels
# Телефония, почта, формы, чаты — с конверсией в сделки; источники сравниваются по решённым заявкам (интервалы Уилсона).
# *Sip, mail, forms, chats — with conversion to deals; sources are compared on decided leads (Wilson intervals).*

# %%
sources = report.sources(ctx)
sources

# %% [markdown]
# ## Скорость обработки заявок · Speed to lead
# От поступления до принятия и до первого звонка / задачи / смены этапа (медиана, P90, по менеджерам).
# *Arrival → acceptance and → first call / task / stage change (median, P90, per manager).*

# %%
speed = report.speed(ctx)
speed

# %% [markdown]
# ## Неразобранные заявки на конец периода · Unsorted backlog at period end
# Что не разобрано к концу периода и сколько ждёт.
# *Items still unsorted at the period's end, with their age.*

# %%
backlog = report.backlog(ctx)
backlog

# %% [markdown]
# ## Динамика по неделям · Weekly trend
# По каналам, с долей принятых.
# *By channel, with the accepted share.*

# %%
trend = report.trend(ctx)
trend

# %% [markdown]
# ## Выводы · Takeaways

# %%
report.summary(ctx)

# %% tags=["publish"]
report.publish(ctx)
