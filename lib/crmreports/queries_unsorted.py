"""The unsorted-leads report's read, with the period's filters pushed into DuckDB.

``store.load`` reads every unsorted item, every lead of the scope with all their stage changes, and every
call and task of the account: on a million deals that is twenty million stage changes and millions of
calls and tasks, for a report that looks at the items of one period. :func:`load_unsorted` reads only
what :func:`crmreports.unsorted.prepare` needs for the items the report's sections can see, and the
metric functions, unchanged, give exactly the figures and tables they give on the whole store:

``unsorted``
    items that arrived in the period, the previous period or the same period a year ago (headline
    figures, sources, speed), in the weeks of the weekly trend, and items that had arrived but were not
    decided at the snapshot moment (backlog); for a pipeline or a manager, only items that can belong
    to that scope (:func:`crmreports.unsorted.in_scope` still makes the exact cut).
``leads``
    the scope's leads of those items (owner, deal, won, won revenue).
``calls``, ``tasks``, ``stage_changes``
    for each item, only the candidates for its first action (:func:`crmreports.unsorted.first_actions`):
    per item and kind of action, the actions from ``m`` before the item's arrival to ``m`` after it, and
    beyond that the earliest one and those up to ``m`` after it, where ``m`` is longer than any two UTC
    offsets of the account's timezone differ by (:func:`offset_margin`: one hour for Moscow, two for a
    timezone with summer time). The earliest action in local time is always among them: an action more
    than ``m`` before the arrival is before it in local time too, and one more than ``m`` after it is
    after it (see :func:`_first_candidates`).

The store keeps UTC and periods are in the account's local time, so every window is widened by
:data:`MARGIN` and the metric functions make the exact cut.
"""
from __future__ import annotations

import logging
import os
from datetime import timedelta

import pandas as pd

from . import store
from .periods import Period
from .queries import MARGIN, _read, _ts, _windows
from .unsorted import trend_weeks

log = logging.getLogger(__name__)

UNSORTED_COLUMNS = list(store.SCHEMA["unsorted"])
LEAD_COLUMNS = ["id", "price", "pipeline_id", "status_id", "responsible_user_id", "created_at", "closed_at"]
CALL_COLUMNS = ["id", "direction", "user_id", "lead_id", "contact_id", "at"]
TASK_COLUMNS = ["id", "responsible_user_id", "entity", "entity_id", "created_at"]
STAGE_COLUMNS = ["id", "lead_id", "at", "from_pipeline_id", "from_status_id", "to_pipeline_id", "to_status_id",
                 "user_id"]


def _interval(margin: timedelta = MARGIN) -> str:
    return f"INTERVAL '{int(margin.total_seconds())} seconds'"


def offset_margin(tz: str, lo, hi) -> timedelta:
    """A duration longer than any difference between two UTC offsets of ``tz`` from ``lo - MARGIN`` to
    ``hi`` (UTC): the spread of its offsets, measured every 15 minutes the way the store's timestamps are
    converted (:func:`crmreports.store._to_local`), plus an hour. One hour for a timezone without summer
    time; never more than :data:`MARGIN`."""
    lo = pd.Timestamp(lo).floor("D") - MARGIN - pd.Timedelta(days=1)
    hi = pd.Timestamp(hi).ceil("D") + pd.Timedelta(days=1)
    utc = pd.date_range(lo, hi, freq="15min")
    local = pd.Series(utc).dt.tz_localize("UTC").dt.tz_convert(tz).dt.tz_localize(None)
    offsets = local - pd.Series(utc)
    return min(MARGIN, (offsets.max() - offsets.min()).to_pytimedelta() + timedelta(hours=1))


def _in(col: str, values) -> tuple[str, list]:
    values = list(values)
    return f'"{col}" IN ({", ".join("?" * len(values))})', values


def _first_candidates(candidates_sql: str, columns: list[str], margin: timedelta = MARGIN) -> str:
    """The candidate actions kept per item, once each: ``columns`` of the rows of ``candidates_sql``
    (one row per item ``uid`` arriving at ``c`` and action at ``at``, from ``c - margin`` on).

    ``margin`` is longer than any difference between two UTC offsets of the account's timezone
    (:func:`offset_margin`). Kept: actions before ``c + margin``, and those up to ``margin`` after
    ``m1``, the item's earliest action at or after ``c + margin``. Why that is enough: local time is UTC
    plus the offset, so an action before ``c - margin`` is before the arrival in local time too, and one
    at or after ``c + margin`` is after it. If the first action in local time (among those before the
    data date) is at or after ``c + margin``, then it is not later in local time than ``m1`` (or ``m1``
    is past the data date), which makes it less than ``margin`` later than ``m1`` in UTC.
    """
    cols = ", ".join(f'"{c}"' for c in columns)
    m = _interval(margin)
    return f"""
        SELECT DISTINCT {cols} FROM (
            SELECT *, min("at") FILTER (WHERE "at" >= c + {m}) OVER (PARTITION BY uid) AS m1
            FROM ({candidates_sql}))
        WHERE "at" < c + {m} OR "at" <= m1 + {m}"""


def load_unsorted(path: str | os.PathLike, period: Period, as_of: pd.Timestamp | None = None,
                  pipeline_ids: list[int] | None = None, user_ids: list[int] | None = None) -> store.StoreData:
    """What the unsorted-leads report needs for ``period``, read with its filters pushed into SQL.

    ``as_of`` is the end of the data in local time (default: the account's sync time); the backlog is
    taken at ``min(period end, as_of)``. Scope filters are those of :func:`store.load` (calls by user,
    tasks by responsible user, leads and their stage changes by the scope).
    """
    from .report import data_end
    con = store.connect(path, read_only=True)
    try:
        account = store.read_account(con)
        tz = str(account.get("timezone") or "UTC")
        as_of = as_of if as_of is not None else data_end(account)
        snapshot = min(period.end_ts, pd.Timestamp(as_of))
        ref = {name: store.read_table(con, name, tz=tz) for name in ("users", "pipelines", "statuses", "loss_reasons")}
        scope_sql, scope_params = store.lead_filter(pipeline_ids, user_ids)
        as_of_hi = _ts(as_of) + MARGIN

        # the items: arrived in a compared period or a trend week, or undecided at the snapshot
        first_monday, _ = trend_weeks(period)
        spans = [(p.start_ts, p.end_ts) for p in (period, period.previous(), period.year_ago())]
        arrived_sql, arrived_p = _windows("created_at", spans + [(first_monday, period.end_ts)])
        snap_lo, snap_hi = _ts(snapshot) - MARGIN, _ts(snapshot) + MARGIN
        cond = ['"created_at" < ?',
                f'({arrived_sql} OR ("created_at" < ? AND ("decided_at" IS NULL OR "decided_at" >= ?)))']
        item_p = [as_of_hi] + arrived_p + [snap_hi, snap_lo]
        if pipeline_ids:
            sql, p = _in("pipeline_id", pipeline_ids)
            cond.append(sql)
            item_p += p
        if user_ids:     # the owner is the lead's responsible user, or who declined an item without a lead
            sql, p = _in("decided_by", user_ids)
            cond.append(f'("lead_id" IN (SELECT id FROM leads WHERE {scope_sql}) OR {sql})')
            item_p += scope_params + p
        item_where = " AND ".join(cond)
        cols = ", ".join(f'"{c}"' for c in UNSORTED_COLUMNS)
        unsorted_df = _read(con, f'SELECT {cols} FROM unsorted WHERE {item_where} ORDER BY rowid', item_p,
                            "unsorted", UNSORTED_COLUMNS, tz)
        oldest = con.execute(f"SELECT min(created_at) FROM unsorted WHERE {item_where}", item_p).fetchone()[0]
        margin = offset_margin(tz, oldest if oldest is not None else _ts(as_of), as_of_hi)
        m = _interval(margin)
        items_cte = (f'items AS MATERIALIZED (SELECT uid, created_at AS c, lead_id, contact_id FROM unsorted '
                     f'WHERE {item_where})')

        lead_cols = ", ".join(f'"{c}"' for c in LEAD_COLUMNS)
        leads = _read(con, f"""WITH {items_cte}
            SELECT {lead_cols} FROM leads WHERE {scope_sql} AND id IN (SELECT lead_id FROM items) ORDER BY id""",
                      item_p + scope_params, "leads", LEAD_COLUMNS, tz)

        # first-action candidates: outgoing calls on the lead or the contact, tasks on the lead, stage
        # moves on the scope's lead by a person out of a stage other than unsorted; before the data date
        user_call, user_task, user_p = "", "", []
        if user_ids:
            sql, user_p = _in("user_id", user_ids)
            user_call = f"AND k.{sql}"
            user_task = "AND t." + _in("responsible_user_id", user_ids)[0]
        call_cols = ", ".join(f'k."{c}"' for c in CALL_COLUMNS)
        call_cand = " UNION ALL ".join(f"""
            SELECT i.uid, i.c, {call_cols} FROM items i JOIN calls k ON k.{key} = i.{key}
            WHERE k.direction = 'out' AND k."at" >= i.c - {m} AND k."at" < ? {user_call}"""
                                       for key in ("lead_id", "contact_id"))
        calls = _read(con, f"WITH {items_cte} {_first_candidates(call_cand, CALL_COLUMNS, margin)} ORDER BY id",
                      item_p + ([as_of_hi] + user_p) * 2, "calls", CALL_COLUMNS, tz)

        task_cols = ", ".join(f't."{c}"' for c in TASK_COLUMNS)
        task_cand = f"""
            SELECT i.uid, i.c, {task_cols}, t.created_at AS "at" FROM items i JOIN tasks t ON t.entity_id = i.lead_id
            WHERE t.entity = 'lead' AND t.created_at >= i.c - {m} AND t.created_at < ? {user_task}"""
        tasks = _read(con, f"WITH {items_cte} {_first_candidates(task_cand, TASK_COLUMNS, margin)} ORDER BY id",
                      item_p + [as_of_hi] + user_p, "tasks", TASK_COLUMNS, tz)

        statuses = ref["statuses"]
        unsorted_ids = [int(s) for s in statuses.loc[statuses["kind"] == "unsorted", "id"].unique()]
        not_unsorted, not_unsorted_p = "", []
        if unsorted_ids:
            sql, not_unsorted_p = _in("from_status_id", unsorted_ids)
            not_unsorted = f"AND NOT s.{sql}"
        stage_cols = ", ".join(f's."{c}"' for c in STAGE_COLUMNS)
        stage_cand = f"""
            SELECT i.uid, i.c, {stage_cols} FROM scoped i JOIN stage_changes s ON s.lead_id = i.lead_id
            WHERE s.user_id > 0 AND s.from_status_id IS NOT NULL {not_unsorted}
              AND s."at" >= i.c - {m} AND s."at" < ?"""
        stage_changes = _read(con, f"""WITH {items_cte},
            scoped AS MATERIALIZED (SELECT * FROM items WHERE lead_id IN (
                SELECT id FROM leads WHERE {scope_sql} AND id IN (SELECT lead_id FROM items)))
            {_first_candidates(stage_cand, STAGE_COLUMNS, margin)} ORDER BY lead_id, "at", id""",
                              item_p + scope_params + not_unsorted_p + [as_of_hi], "stage_changes", STAGE_COLUMNS, tz)
    finally:
        con.close()
    log.debug("unsorted read for %s: %d items, %d leads, %d calls, %d tasks, %d stage changes", period.key,
              len(unsorted_df), len(leads), len(calls), len(tasks), len(stage_changes))
    tables = dict(ref, leads=leads, stage_changes=stage_changes, unsorted=unsorted_df, calls=calls, tasks=tasks)
    return store.StoreData(account=account, users=ref["users"], pipelines=ref["pipelines"], statuses=statuses,
                           leads=leads, stage_changes=stage_changes, loss_reasons=ref["loss_reasons"], tables=tables)
