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
# # Звонки · Calls
# Измените параметры ниже и выполните все ячейки. Каждая цифра считается в `reports/calls/metrics`; у каждого
# раздела есть `.tables`. Что считать встречей, задаёт `params/meetings.yaml`. Эти заметки — для аналитика; в
# отчётах текст пишет библиотека на языке `lang`.
#
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
# ## Главные показатели звонков · Headline call figures
# Входящие и исходящие, пропущенные, доля отвеченных, время разговоров — к прошлому периоду и году ранее.
# *Calls in/out, missed, answered share, talk time — vs the previous period and a year ago.*

# %%
kpis = report.kpis(ctx)
kpis

# %% [markdown]
# ## Звонки по дням · Calls per day
# По неделям для длинных периодов.
# *Per week for long periods.*

# %%
daily = report.daily(ctx)
daily

# %% [markdown]
# ## Пропущенные звонки и перезвоны · Missed calls and callbacks
# Окно 24 ч, перезвонил кто угодно, тот же телефон или контакт.
# *Window: 24 h, by anyone, same phone or contact.*

# %%
missed = report.missed(ctx)
missed

# %% [markdown]
# ## Встречи и звонки на сделку · Meetings and calls per deal
# Конверсия звонка во встречу (определение в params/meetings.yaml) и звонки на выигранную сделку.
# *Call → meeting conversion (definition in params/meetings.yaml) and calls per won deal.*

# %%
meetings = report.meetings(ctx)
meetings

# %% [markdown]
# ## Менеджеры в сравнении с командой · Managers against the team
# С 95 % интервалами; при малом числе звонков без места в рейтинге.
# *With 95 % intervals; few calls: not ranked.*

# %%
managers = report.managers(ctx)
managers

# %% [markdown]
# ## Выводы · Takeaways

# %%
report.summary(ctx)

# %% tags=["publish"]
report.publish(ctx)
