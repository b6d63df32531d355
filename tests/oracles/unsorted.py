"""The unsorted-leads report on the whole store: the reference the pushed-down read is compared with.

The report reads the items a section can see, their leads and their first actions found in SQL
(:func:`crmreports.reports.unsorted_leads.query.load_unsorted`). Here every item, every lead of the scope
with its whole history and every call and task of the account are read (:data:`TABLES`, with
:func:`oracles.open_full`, the way the report read before the pushdown), and the
items are prepared from them with the first actions found in pandas
(:func:`crmreports.reports.unsorted_leads.metrics.prepare` without ``first``): :func:`full_context`.
"""

from __future__ import annotations

from crmreports import store
from crmreports.present.context import Context
from crmreports.reports.unsorted_leads import metrics as unsorted
from crmreports.reports.unsorted_leads import sections as view

from . import open_full

TABLES = ("leads", "stage_changes", "unsorted", "calls", "tasks")  # everything the items are made from


def items(data: store.StoreData, as_of, user_ids=(), pipeline_ids=()):
    """One row per unsorted item of the scope, from the whole tables of ``data`` (read with :data:`TABLES`)."""
    it = unsorted.prepare(
        data["unsorted"], data.leads, data.stage_changes, data["calls"], data["tasks"], data.statuses, as_of
    )
    return unsorted.in_scope(it, tuple(user_ids), list(pipeline_ids))


def full_context(
    period: str = "", manager: str = "", pipeline: str = "", store_path: str = "", lang: str = "ru"
) -> Context:
    """The report's context with every table read whole and the items prepared from them."""
    ctx = open_full(view.REPORT, period, manager, pipeline, str(store_path), lang, tables=TABLES)
    ctx.data.tables[view.ITEMS] = items(ctx.data, ctx.as_of, ctx.scope.user_ids, ctx.pipeline_ids)
    return ctx
