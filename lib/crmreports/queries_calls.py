"""The calls report's reads with the period's filters pushed into DuckDB.

``store.load`` reads every call, task and stage change of the account (and every lead of the scope):
on a million deals that is tens of millions of rows for a report that looks at one month and compares it
with two others. :func:`load_calls` reads only the rows the call metrics (:mod:`crmreports.calls`) can
see for one period, and the metrics, unchanged, give exactly the figures and tables they give on the
whole store. The periods read (*windows*) are the report's period, the previous one and the same period
a year ago (for the whole team of a one-manager report: the period only, as the comparison of managers
looks at the period alone).

``calls``
    the scope's calls (by user for one manager) made in the windows, in the store's order (ties in the
    sorted list of calls nobody called back keep the order they have in the full read).
``pool`` (callbacks, by anyone in the account; the columns a callback search uses)
    the outbound calls from the start of each window to ``hours`` after its end; and, for every phone
    number (last 10 digits) and every contact that called in a window, the first outbound call after
    that span, so that a missed call's *first* callback, however late, is always read. Phone numbers
    with non-ASCII characters (where Python's and DuckDB's idea of a digit differ) are read whole.
``tasks``
    meeting rule ``task_type``: the scope's tasks of that type completed in the windows (else none).
``stage_changes``
    meeting rule ``stage``: the moves of the scope's deals into the stage in the windows (else none).
``leads`` (only the columns the metrics use)
    the scope's deals won in the windows (calls per won deal) and those the rows read refer to where it
    matters: with a pipeline filter, the deals of the calls and tasks (which of them are in the pipeline);
    the deals of inbound calls (the names in the list of missed calls); the deals entering the meeting
    stage (their owner is the meeting's manager).

Whether a meeting task of the rule's type exists in the account at all (the report says so when it
does not) is asked in SQL. Every window is widened by :data:`crmreports.queries.MARGIN` on both sides:
the store keeps UTC and periods are in the account's local time, so the exact cut is left to the metric
functions.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import timedelta

import pandas as pd
import pyarrow as pa

from . import store
from .calls import WON, MeetingRule, stage_ids
from .periods import Period
from .queries import MARGIN, _ts, _windows

CALL_COLUMNS = list(store.SCHEMA["calls"])
POOL_COLUMNS = ["id", "direction", "user_id", "lead_id", "contact_id", "phone", "at"]   # what a callback search uses
TASK_COLUMNS = list(store.SCHEMA["tasks"])
CHANGE_COLUMNS = list(store.SCHEMA["stage_changes"])
LEAD_COLUMNS = ["id", "name", "pipeline_id", "status_id", "responsible_user_id", "created_at", "closed_at"]

# the last 10 digits of a phone number (crmreports.calls.phone_key keeps them when there are at least 7)
PHONE_KEY = "right(regexp_replace(phone, '[^0-9]', '', 'g'), 10)"
NON_ASCII = r"regexp_matches(phone, '[^\x00-\x7F]')"


@dataclass(frozen=True)
class CallsData(store.StoreData):
    """:class:`store.StoreData` reduced to one period's calls report (see the module docstring)."""

    pool: pd.DataFrame = field(default_factory=pd.DataFrame)   # outbound calls that can be callbacks
    meeting_tasks_exist: bool = False     # the account has any task of the meeting rule's type


def _nullable(t: pa.DataType):
    """The pandas dtype DuckDB's ``.df()`` gives an integer or boolean column with nulls (``Int64``, ``boolean``)."""
    if pa.types.is_boolean(t):
        return pd.BooleanDtype()
    return pd.api.types.pandas_dtype(str(t).replace("uint", "UInt").replace("int", "Int"))


def frame(table: pa.Table) -> pd.DataFrame:
    """An Arrow result as the DataFrame DuckDB's ``.df()`` gives (same dtypes: nullable integers and booleans
    where a column has nulls, an all-null text column as objects), several times faster for text columns."""
    cols = {}
    for name, col in zip(table.column_names, table.columns):
        t = col.type
        if col.null_count and (pa.types.is_integer(t) or pa.types.is_boolean(t)):
            cols[name] = col.to_pandas(types_mapper={t: _nullable(t)}.get)
        elif len(col) and col.null_count == len(col) and (pa.types.is_string(t) or pa.types.is_large_string(t)):
            cols[name] = pd.Series([None] * len(col), dtype=object)
        else:
            cols[name] = col.to_pandas()
    return pd.DataFrame(cols, columns=table.column_names)


def _read(con, sql: str, params: list, table: str, columns: list[str], tz: str,
          frames: dict[str, pd.DataFrame] | None = None) -> pd.DataFrame:
    """Like :func:`crmreports.queries._read` (a SELECT of ``columns`` of ``table``, local timestamps), through
    Arrow (:func:`frame`); ``frames`` are registered as views for the query."""
    cur = con.cursor()
    try:
        for name, df in (frames or {}).items():
            cur.register(name, df)
        df = frame(cur.sql(sql, params=params).to_arrow_table())
    finally:
        cur.close()
    if df.empty:
        df = store.conform(table, None)[columns]
    return store._to_local(df, table, tz)


def report_windows(period: Period) -> list[Period]:
    """The periods the report's figures look at: the period, the previous one, the same one a year ago."""
    return [period, period.previous(), period.year_ago()]


def _in(col: str, values: list) -> tuple[str, list]:
    return f'"{col}" IN ({", ".join("?" * len(values))})', list(values)


def _pool(con, spans: list[tuple], late_span: tuple, hours: float, as_of, tz: str) -> pd.DataFrame:
    """Outbound calls that can be the first callback of a missed call in the spans (see the module docstring):
    the calls from the start of each span to ``hours`` after its end; and, for the missed calls of
    ``late_span`` only, the first outbound call per phone number and per contact after that, before
    ``as_of`` (the delay of a late callback is shown for the report's period; for the other periods only
    whether a callback came within ``hours`` counts)."""
    after = timedelta(hours=hours)
    near_sql, near_p = _windows("at", [(lo, _ts(hi) + after) for lo, hi in spans])
    lo, hi = _ts(late_span[0]) - MARGIN, _ts(late_span[1]) + MARGIN
    t, end = _ts(late_span[1]) + after + MARGIN, _ts(as_of) + MARGIN
    missed = "lower(direction) = 'in' AND NOT coalesce(is_answered, status = 'answered', false)"
    late = f"""
        WITH inbound AS MATERIALIZED (
            SELECT DISTINCT {PHONE_KEY} AS pk, contact_id FROM calls WHERE "at" >= ? AND "at" < ? AND {missed}),
        keys AS (SELECT pk FROM inbound WHERE length(pk) >= 7),
        outbound AS MATERIALIZED (
            SELECT id, "at", contact_id, phone, {PHONE_KEY} AS pk FROM calls
            WHERE lower(direction) = 'out' AND "at" >= ? AND "at" < ?)
        SELECT id FROM outbound WHERE pk IN (SELECT pk FROM keys)
        QUALIFY row_number() OVER (PARTITION BY pk ORDER BY "at", id) = 1
        UNION SELECT id FROM outbound WHERE contact_id IN (SELECT contact_id FROM inbound)
        QUALIFY row_number() OVER (PARTITION BY contact_id ORDER BY "at", id) = 1
        UNION SELECT id FROM outbound WHERE {NON_ASCII}"""
    cols = ", ".join(f'"{c}"' for c in POOL_COLUMNS)
    if t >= end:       # no call after the span can be a callback yet
        sql, params = f"SELECT {cols} FROM calls WHERE lower(direction) = 'out' AND {near_sql}", near_p
    else:
        sql = f"SELECT {cols} FROM calls WHERE lower(direction) = 'out' AND ({near_sql} OR id IN ({late}))"
        params = near_p + [lo, hi, t, end]
    return _read(con, sql, params, "calls", POOL_COLUMNS, tz)


def _scope_reads(con, windows: list[Period], rule: MeetingRule, stages: pd.DataFrame,
                 pipeline_ids: list[int] | None, user_ids: list[int] | None, tz: str):
    """(calls, tasks, stage_changes, leads) of one scope in the windows."""
    spans = [(p.start_ts, p.end_ts) for p in windows]
    at_sql, at_p = _windows("at", spans)
    user_sql, user_p = ("", [])
    if user_ids:
        user_sql, user_p = _in("user_id", user_ids)
        user_sql = " AND " + user_sql
    cols = ", ".join(f'"{c}"' for c in CALL_COLUMNS)
    calls = _read(con, f"SELECT {cols} FROM calls WHERE {at_sql}{user_sql}", at_p + user_p, "calls",
                  CALL_COLUMNS, tz)
    scope_sql, scope_p = store.lead_filter(pipeline_ids, user_ids)

    tasks = store.conform("tasks", None)
    if rule.kind == "task_type":
        done_sql, done_p = _windows("completed_at", spans)
        t_user_sql, t_user_p = ("", [])
        if user_ids:
            t_user_sql, t_user_p = _in("responsible_user_id", user_ids)
            t_user_sql = " AND " + t_user_sql
        tcols = ", ".join(f'"{c}"' for c in TASK_COLUMNS)
        tasks = _read(con, f"SELECT {tcols} FROM tasks WHERE task_type_id = ? AND {done_sql}{t_user_sql}",
                      [rule.task_type_id] + done_p + t_user_p, "tasks", TASK_COLUMNS, tz)

    changes = store.conform("stage_changes", None)
    if rule.kind == "stage":
        pairs = " OR ".join("(to_pipeline_id = ? AND to_status_id = ?)" for _ in range(len(stages)))
        pair_p = [int(v) for row in stages[["pipeline_id", "id"]].itertuples(index=False) for v in row]
        scols = ", ".join(f'"{c}"' for c in CHANGE_COLUMNS)
        changes = _read(con, f"""
            SELECT {scols} FROM stage_changes WHERE ({pairs}) AND {at_sql}
                AND lead_id IN (SELECT id FROM leads WHERE {scope_sql})""",
                        pair_p + at_p + scope_p, "stage_changes", CHANGE_COLUMNS, tz)

    # the deals the rows read refer to where it matters (the pipeline filter of calls and tasks; the names
    # of the deals of missed calls; the owners of deals entering the meeting stage), the deals won in the windows
    if pipeline_ids:
        refs = [calls["lead_id"], tasks.loc[tasks["entity"] == "lead", "entity_id"]]
    else:
        refs = [calls.loc[calls["direction"].astype("string").str.lower() == "in", "lead_id"]]
    ids = pd.concat(refs + [changes["lead_id"]])
    ids = pd.DataFrame({"id": pd.to_numeric(ids, errors="coerce").dropna().astype("int64").unique()})
    won_sql, won_p = _windows("closed_at", spans)
    lcols = ", ".join(f'"{c}"' for c in LEAD_COLUMNS)
    leads = _read(con, f"""
        SELECT {lcols} FROM leads WHERE {scope_sql}
            AND (id IN (SELECT id FROM _calls_lead_ids) OR (status_id = {WON} AND {won_sql}))""",
                  scope_p + won_p, "leads", LEAD_COLUMNS, tz, frames={"_calls_lead_ids": ids})
    return calls, tasks, changes, leads


def load_calls(path: str | os.PathLike, period: Period, rule: MeetingRule, hours: float,
               pipeline_ids: list[int] | None = None, user_ids: list[int] | None = None
               ) -> tuple[CallsData, CallsData]:
    """What the calls report needs for ``period``: the scope's data and the whole team's (the same object
    for a team report), read with the filters pushed into SQL (see the module docstring).

    ``rule`` is the meetings definition; ``hours`` the callback window. Scope filters are those of
    :func:`store.load`; a stage rule naming no stage of the account is a
    :class:`crmreports.calls.MeetingsConfigError`.
    """
    from .report import data_end
    con = store.connect(path, read_only=True)
    try:
        account = store.read_account(con)
        tz = str(account.get("timezone") or "UTC")
        ref = {name: store.read_table(con, name, tz=tz) for name in ("users", "pipelines", "statuses", "loss_reasons")}
        stages = stage_ids(rule, ref["statuses"]) if rule.kind == "stage" else None
        windows = report_windows(period)
        as_of = data_end(account)
        pool = _pool(con, [(p.start_ts, p.end_ts) for p in windows], (period.start_ts, period.end_ts), hours,
                     as_of, tz)
        exist = rule.kind == "task_type" and bool(con.execute(
            "SELECT EXISTS (SELECT 1 FROM tasks WHERE task_type_id = ?)", [rule.task_type_id]).fetchall()[0][0])

        def data(wins: list[Period], uids: list[int] | None) -> CallsData:
            calls, tasks, changes, leads = _scope_reads(con, wins, rule, stages, pipeline_ids, uids, tz)
            tables = dict(ref, leads=leads, stage_changes=changes, calls=calls, tasks=tasks)
            return CallsData(account=account, users=ref["users"], pipelines=ref["pipelines"],
                             statuses=ref["statuses"], leads=leads, stage_changes=changes,
                             loss_reasons=ref["loss_reasons"], tables=tables, pool=pool, meeting_tasks_exist=exist)

        scope = data(windows, user_ids or None)
        team = scope if not user_ids else data([period], None)
    finally:
        con.close()
    return scope, team
