"""The unsorted-leads report's read, with the period's filters pushed into DuckDB.

``store.load`` reads every unsorted item, every lead of the scope with all their stage changes, and every
call and task of the account: on a million deals that is twenty million stage changes and millions of
calls and tasks, for a report that looks at the items of one period. :func:`load_unsorted` reads only
what :func:`crmreports.reports.unsorted_leads.metrics.prepare` needs for the items the report's sections can see, and
finds their first actions in SQL; the metric functions, unchanged, give exactly the figures and tables they give on
the whole store:

``unsorted``
    items that arrived in the period, the previous period or the same period a year ago (headline
    figures, sources, speed), in the weeks of the weekly trend, and items that had arrived but were not
    decided at the snapshot moment (backlog); for a pipeline or a manager, only items that can belong
    to that scope (:func:`crmreports.reports.unsorted_leads.metrics.in_scope` still makes the exact cut).
``first_actions`` (one row per item, same index: ``at``, ``kind``)
    each item's first action (:func:`crmreports.reports.unsorted_leads.metrics.first_actions`: an outgoing call on its
    lead or contact, a task created on its lead, a stage move of its lead by a person out of a stage other than
    unsorted; the scope's, at or after its arrival and before the data date, the earliest, a call before a task before
    a stage move at the same moment), found in SQL: the items are keyed by their row in the store, and "at or after"
    and "before" compare local times computed in SQL (:func:`crmreports.core.localtime.local_sql`) exactly as pandas
    converts them.
``leads``
    the scope's leads of those items (owner, deal, won, won revenue).
``calls``, ``tasks``, ``stage_changes``
    none (the first actions are found in SQL).

The store keeps UTC and periods are in the account's local time, so every window is widened by
:data:`MARGIN` and the metric functions make the exact cut.
"""

from __future__ import annotations

import logging
import os
from functools import partial

import pandas as pd

from ... import store
from ...core.localtime import MARGIN, local_sql
from ...core.periods import Period
from ...store.sql import read_arrow, sql_ts, sql_windows
from .metrics import trend_weeks

log = logging.getLogger(__name__)

UNSORTED_COLUMNS = list(store.SCHEMA["unsorted"])
LEAD_COLUMNS = ["id", "price", "pipeline_id", "status_id", "responsible_user_id", "created_at", "closed_at"]
KINDS = {0: "call", 1: "task", 2: "stage"}  # the first action's kind by its order at the same moment


def _in(col: str, values) -> tuple[str, list]:
    values = list(values)
    return f'"{col}" IN ({", ".join("?" * len(values))})', values


def load_unsorted(
    path: str | os.PathLike,
    period: Period,
    as_of: pd.Timestamp | None = None,
    pipeline_ids: list[int] | None = None,
    user_ids: list[int] | None = None,
) -> store.StoreData:
    """What the unsorted-leads report needs for ``period``, read with its filters pushed into SQL.

    ``as_of`` is the end of the data in local time (default: the account's sync time); the backlog is
    taken at ``min(period end, as_of)``. Scope filters are those of :func:`store.load` (calls by user,
    tasks by responsible user, leads and their stage changes by the scope).
    """
    from ...store import data_end

    con = store.connect(path, read_only=True)
    try:
        account = store.read_account(con)
        tz = str(account.get("timezone") or "UTC")
        as_of = as_of if as_of is not None else data_end(account)
        snapshot = min(period.end_ts, pd.Timestamp(as_of))
        ref = {name: store.read_table(con, name, tz=tz) for name in ("users", "pipelines", "statuses", "loss_reasons")}
        scope_sql, scope_params = store.lead_filter(pipeline_ids, user_ids)
        as_of_hi = sql_ts(as_of) + MARGIN

        # the items: arrived in a compared period or a trend week, or undecided at the snapshot
        first_monday, _ = trend_weeks(period)
        spans = [(p.start_ts, p.end_ts) for p in (period, period.previous(), period.year_ago())]
        arrived_sql, arrived_p = sql_windows("created_at", spans + [(first_monday, period.end_ts)])
        snap_lo, snap_hi = sql_ts(snapshot) - MARGIN, sql_ts(snapshot) + MARGIN
        cond = [
            '"created_at" < ?',
            f'({arrived_sql} OR ("created_at" < ? AND ("decided_at" IS NULL OR "decided_at" >= ?)))',
        ]
        item_p = [as_of_hi] + arrived_p + [snap_hi, snap_lo]
        if pipeline_ids:
            sql, p = _in("pipeline_id", pipeline_ids)
            cond.append(sql)
            item_p += p
        if user_ids:  # the owner is the lead's responsible user, or who declined an item without a lead
            sql, p = _in("decided_by", user_ids)
            cond.append(f'("lead_id" IN (SELECT id FROM leads WHERE {scope_sql}) OR {sql})')
            item_p += scope_params + p
        item_where = " AND ".join(cond)
        oldest = con.execute(f"SELECT min(created_at) FROM unsorted WHERE {item_where}", item_p).fetchone()[0]
        lo = sql_ts(oldest if oldest is not None else as_of) - MARGIN
        local = partial(local_sql, tz=tz, lo=lo, hi=as_of_hi)
        items_cte = (
            f"items AS MATERIALIZED (SELECT rowid AS r, *, {local('created_at')} AS c FROM unsorted WHERE {item_where})"
        )
        first, first_p = _first_sql(local, lo, as_of_hi, as_of, scope_sql, scope_params, user_ids, ref["statuses"])
        item_cols = ", ".join(f'"{c}"' for c in UNSORTED_COLUMNS)
        df = read_arrow(
            con,
            f"""WITH {items_cte}, {first}
            SELECT {item_cols}, make_timestamp((x - (x % 4 + 4) % 4) // 4) AS first_action_at,
                (x % 4 + 4) % 4 AS first_action_o
            FROM items LEFT JOIN first f USING (r) ORDER BY r""",
            item_p + first_p,
            "unsorted",
            UNSORTED_COLUMNS,
            tz,
        )
        if df.empty:
            df = df.assign(first_action_at=pd.Series(dtype="datetime64[us]"), first_action_o=pd.Series(dtype=float))
        unsorted_df = df[UNSORTED_COLUMNS]
        first_actions = pd.DataFrame({"at": df["first_action_at"], "kind": df["first_action_o"].map(KINDS)})

        lead_cols = ", ".join(f'"{c}"' for c in LEAD_COLUMNS)
        leads = read_arrow(
            con,
            f"""WITH {items_cte}
            SELECT {lead_cols} FROM leads WHERE {scope_sql} AND id IN (SELECT lead_id FROM items) ORDER BY id""",
            item_p + scope_params,
            "leads",
            LEAD_COLUMNS,
            tz,
        )
    finally:
        con.close()
    log.debug(
        "unsorted read for %s: %d items (%d with a first action), %d leads",
        period.key,
        len(unsorted_df),
        int(first_actions["kind"].notna().sum()),
        len(leads),
    )
    empty = {name: store.conform(name, None) for name in ("calls", "tasks", "stage_changes")}
    tables = dict(ref, leads=leads, unsorted=unsorted_df, first_actions=first_actions, **empty)
    return store.StoreData(
        account=account,
        users=ref["users"],
        pipelines=ref["pipelines"],
        statuses=ref["statuses"],
        leads=leads,
        stage_changes=empty["stage_changes"],
        loss_reasons=ref["loss_reasons"],
        tables=tables,
    )


def _first_sql(
    local, lo, hi, as_of, scope_sql: str, scope_params: list, user_ids: list[int] | None, statuses: pd.DataFrame
) -> tuple[str, list]:
    """The CTE ``first``: per item of ``items`` (``r``: its row; ``c``: its local arrival) its first action as
    ``x`` = 4 × its local time in microseconds + its order at the same moment (0 call, 1 task, 2 stage move):
    the smallest ``x`` is the earliest action, a call before a task before a stage move at the same moment
    (one integer is much faster to take the minimum of than a pair); and its parameters. ``lo``..``hi`` (UTC)
    bound every action read; ``local`` is :func:`crmreports.core.localtime.local_sql` over that span."""
    user_call, user_task, user_p = "", "", []
    if user_ids:
        sql, user_p = _in("user_id", user_ids)
        user_call = f"AND k.{sql}"
        user_task = "AND t." + _in("responsible_user_id", user_ids)[0]
    unsorted_ids = [int(s) for s in statuses.loc[statuses["kind"] == "unsorted", "id"].unique()]
    not_unsorted, not_unsorted_p = "", []
    if unsorted_ids:
        sql, not_unsorted_p = _in("from_status_id", unsorted_ids)
        not_unsorted = f"AND NOT s.{sql}"
    span = [sql_ts(lo), sql_ts(hi)]
    calls = " UNION ALL ".join(
        f"""
        SELECT i.r, i.c, {local('k."at"')} AS lt, 0 AS o FROM items i JOIN calls k ON k.{key} = i.{key}
        WHERE k.direction = 'out' AND k."at" >= ? AND k."at" < ? {user_call}"""
        for key in ("lead_id", "contact_id")
    )
    sql = f"""
        scoped AS MATERIALIZED (SELECT r, c, lead_id FROM items WHERE lead_id IN (
            SELECT id FROM leads WHERE {scope_sql} AND id IN (SELECT lead_id FROM items))),
        candidates AS ({calls}
            UNION ALL
            SELECT i.r, i.c, {local("t.created_at")}, 1 FROM items i JOIN tasks t ON t.entity_id = i.lead_id
            WHERE t.entity = 'lead' AND t.created_at >= ? AND t.created_at < ? {user_task}
            UNION ALL
            SELECT i.r, i.c, {local('s."at"')}, 2 FROM scoped i JOIN stage_changes s ON s.lead_id = i.lead_id
            WHERE s.user_id > 0 AND s.from_status_id IS NOT NULL {not_unsorted} AND s."at" >= ? AND s."at" < ?),
        first AS (SELECT r, min(epoch_us(lt) * 4 + o) FILTER (WHERE lt >= c AND lt < ?) AS x
                  FROM candidates GROUP BY r)"""
    params = (
        scope_params
        + (span + user_p) * 2
        + span
        + user_p
        + not_unsorted_p
        + span
        + [pd.Timestamp(as_of).to_pydatetime()]
    )
    return sql, params
