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
# # Маркетинг и клиенты · Marketing and clients
# Измените параметры ниже и выполните все ячейки. Каждая цифра считается в `reports/marketing/metrics`; у каждого
# раздела есть `.tables`. Поле источника задаёт `params/marketing.yaml`, расходы — `params/spend/<аккаунт>.csv|yaml`.
#
# Change the parameters below and run all cells. Every figure comes from `reports/marketing/metrics`; each section
# object keeps its raw tables in `.tables`. The source field is set in `params/marketing.yaml`, spend in
# `params/spend/<account>.csv|yaml` (also Яндекс Директ and VK Реклама statistics exports).

# %% tags=["parameters"]
period: str = ""                # 2026-10, 2026-Q3, 2026-W44, 2026 or 2026-10-01..2026-10-15; empty: last full month
manager: str = ""               # the manager's name; empty: the whole team
pipeline: str = ""              # the pipeline's name; empty: all pipelines
store: str = "data/crm.duckdb"  # the local DuckDB store, relative to the project root
lang: str = "ru"                # ru or en
source_field: str = ""          # the lead field with the source; empty: params/marketing.yaml
spend: str = ""                 # spend files (comma-separated); empty: params/spend/<account>.*
deal_links: str = ""            # the amoCRM address for card links; empty: the synced account's own

# %% tags=["title"]
from crmreports.reports.marketing import sections as report

ctx = report.open(
    period=period,
    manager=manager,
    pipeline=pipeline,
    store=store,
    lang=lang,
    source_field=source_field,
    spend=spend,
    deal_links=deal_links,
)
report.title(ctx)

# %% [markdown]
# ## Главные показатели · Headline figures
# Заявки, сделки, выручка, новые клиенты, расход, CAC и ROMI — к прошлому периоду и году ранее.
# *Leads, deals, revenue, new clients, spend, CAC and ROMI — vs the previous period and a year ago.*

# %%
kpis = report.kpis(ctx)
kpis

# %% [markdown]
# ## Источники заявок · Lead sources
# Конверсия с 95 % интервалами; затраты только у источников с расходом.
# *Conversion with 95 % intervals; costs only for the sources with spend.*

# %%
sources = report.sources(ctx)
sources

# %% [markdown]
# ## Источники в сравнении · Sources compared

# %%
compare = report.compare(ctx)
compare

# %% [markdown]
# ## Новые и повторные продажи · New and repeat sales

# %%
customers = report.customers(ctx)
customers

# %% [markdown]
# ## Когорты клиентов и CLTV · Client cohorts and CLTV

# %%
cohorts = report.cohorts(ctx)
cohorts

# %% [markdown]
# ## ABC/XYZ клиентов · Client ABC/XYZ

# %%
abc = report.abc(ctx)
abc

# %% [markdown]
# ## Ушедшие клиенты · Lapsed clients

# %%
lapsed = report.lapsed(ctx)
lapsed

# %% [markdown]
# ## Выводы · Takeaways

# %%
report.summary(ctx)

# %% tags=["publish"]
report.publish(ctx)
