"""The sales forecast's read of the store, with its filters and its reductions pushed into DuckDB.

``store.load`` reads every lead of the scope and every stage change of those leads. The forecast
(:mod:`crmreports.store.forecasting`) needs far less of the change log: the only thing it asks of it is a deal's
stage *at a month start* (the snapshots the estimators learn from, and the open deals at the origin)
and, for deals closed after the origin, their stage at the origin (:func:`.known_with_stages`). So
:func:`load_forecast` reads

leads
    of the scope created before the origin (every later one is invisible to the forecast), only the
    columns the forecast uses;
month_stages
    per deal and per local calendar month, the stage and pipeline of the month's last change (by time,
    ties by the store's row order, which is the order :func:`store.load` returns and the snapshots
    from the whole change log (tests/oracles/forecast.py) break ties in); months before the first
    snapshot the forecast can use are one bucket. A deal's months after it was closed are dropped (it
    is open at no later month start). The month is :func:`.month_index` of the local month.
    Read from the store's ``lead_months`` (:mod:`crmreports.store.derived`: each deal's last change of
    each month, kept when the store is written), the early months merged by their last changes' order
    keys.
origin_stages
    for deals closed after the origin, the stage (``to_status_id``) of their last change with a stage
    before it (by time, ties by the change id: what ``known_at`` of tests/oracles/forecast.py takes).

The last change before a month start ``m`` is the last change of the latest month before ``m``, so
:func:`.snapshots_from_months` and :func:`.known_with_stages` find the same stage for
every (deal, month start) as ``snapshots`` and ``known_at`` on the whole change log (the reference in
tests/oracles/forecast.py), and the forecast, backtest and breakdowns are exactly those of the whole
store (tests/test_forecast_pushdown.py). Times are cut in the account's local time: a plain shift when the
timezone has one UTC offset over the whole history (the usual case, and the fast one), the exact
conversion of :func:`crmreports.core.localtime.local_sql` otherwise (pandas' offsets, not DuckDB's ICU time
zones, which may differ).
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, field

import pandas as pd

from ... import store
from ...core.localtime import MARGIN, local_sql, utc_offsets
from ...store import LOST, WON, derived
from ...store.sql import read_frame, sql_ts

log = logging.getLogger("crmreports.forecast")

FORECAST_LEAD_COLUMNS = ["id", "price", "pipeline_id", "status_id", "responsible_user_id", "created_at", "closed_at"]
MONTH_STAGE_COLUMNS = ["lead_id", "month", "to_pipeline_id", "to_status_id"]


@dataclass(frozen=True)
class ForecastData(store.StoreData):
    """:class:`store.StoreData` reduced to what the forecast as of one origin needs (see the module
    docstring); ``stage_changes`` is left empty: ``month_stages`` and ``origin_stages`` replace it."""

    origin: pd.Timestamp | None = None
    month_stages: pd.DataFrame = field(default_factory=pd.DataFrame)
    origin_stages: pd.Series = field(default_factory=lambda: pd.Series(dtype="float64"))


def first_bucket(origin: pd.Timestamp, months: int) -> pd.Timestamp:
    """The earliest month start the forecast looks at for ``origin`` (``months`` before it)."""
    return (pd.Timestamp(origin).to_period("M") - months).to_timestamp()


def _month(expr: str) -> str:
    """:func:`.month_index` of a timestamp in SQL."""
    return f"(year({expr}) * 12 + month({expr}) - 1)"


def _lead_columns(shift: str | None = None) -> str:
    """The lead columns the forecast reads, timestamps shifted by ``shift`` (an SQL interval) if given."""
    return ", ".join(
        f'"{c}" + {shift} AS "{c}"' if shift and c in store.TIMESTAMP_COLUMNS["leads"] else f'"{c}"'
        for c in FORECAST_LEAD_COLUMNS
    )


def load_forecast(
    path: str | os.PathLike,
    origin: pd.Timestamp,
    months: int,
    pipeline_ids: list[int] | None = None,
    user_ids: list[int] | None = None,
) -> ForecastData:
    """What the forecast as of ``origin`` (a local month start) and its backtest need (see the module
    docstring); ``months``: how many month starts before the origin the snapshots go back
    (lookback + backtest origins). Scope filters are those of :func:`store.load`."""
    started = time.perf_counter()
    origin = pd.Timestamp(origin)
    con = store.connect(path, read_only=True)
    try:
        account = store.read_account(con)
        tz = str(account.get("timezone") or "UTC")
        ref = {name: store.read_table(con, name, tz=tz) for name in ("users", "pipelines", "statuses", "loss_reasons")}
        scope_sql, scope_params = store.lead_filter(pipeline_ids, user_ids)
        hi = sql_ts(origin) + MARGIN  # local time is within 14 h of UTC: every change/lead before the origin
        first = first_bucket(origin, months)
        floor = int(first.year * 12 + first.month - 1) - 1  # months before the first snapshot: one bucket
        lo, last = con.execute(
            f"SELECT min(created_at), greatest(max(created_at), max(closed_at)) FROM leads "
            f"WHERE {scope_sql} AND created_at < ?",
            scope_params + [hi],
        ).fetchone()
        first_change = con.execute('SELECT min("at") FROM stage_changes').fetchone()[0]
        span = (
            min(pd.Timestamp(v) for v in (lo, first_change, first) if v is not None) - MARGIN,
            max(origin, pd.Timestamp(last)) + MARGIN if last is not None else hi,
        )
        offsets = utc_offsets(tz, *span)
        sql = f"SELECT {{}} FROM leads WHERE {scope_sql} AND created_at < ?"
        if len(offsets) == 1:
            shift = f"INTERVAL '{offsets[0][1]} microseconds'"
            local = f'("at" + {shift})'
            local_closed = f"(l.closed_at + {shift})"
            # one offset over the whole history: local time is a shift, done in the query
            leads = con.execute(sql.format(_lead_columns(shift)), scope_params + [hi]).df()
            if leads.empty:
                leads = store.conform("leads", None)[FORECAST_LEAD_COLUMNS]
        else:
            local = local_sql('"at"', tz, *span)
            local_closed = local_sql("l.closed_at", tz, *span)
            leads = read_frame(
                con, sql.format(_lead_columns()), scope_params + [hi], "leads", FORECAST_LEAD_COLUMNS, tz
            )
        # each deal's last change of each month (derived at write time), months before the first
        # snapshot merged into one by the changes' order keys; months from the origin's on are not seen.
        # A deal has one row per month, so only the early months are grouped. The stored table is read
        # twice (cheaper than keeping the rows); its definition over the change log is computed once.
        origin_month = origin.year * 12 + origin.month - 1
        months = derived.source(con, "lead_months", tz)
        kept = "MATERIALIZED" if months != "lead_months" else "NOT MATERIALIZED"
        grouped = f"""WITH m AS {kept} (SELECT * FROM {months} WHERE month < {origin_month})
                      SELECT lead_id, month, to_pipeline_id, to_status_id FROM m WHERE month > {floor}
                      UNION ALL
                      SELECT lead_id, {floor} AS month, arg_max_null(to_pipeline_id, "key") AS to_pipeline_id,
                             arg_max_null(to_status_id, "key") AS to_status_id
                      FROM m WHERE month <= {floor} GROUP BY lead_id"""
        # kept only while the deal may be open at the next month start: before the month of its closing
        # (won/lost; two days later, a margin that keeps this a superset), and before the origin's month
        closed = f"coalesce(l.status_id IN ({WON}, {LOST}), false) AND l.closed_at IS NOT NULL"
        limit = f"CASE WHEN {closed} THEN least({_month(f'({local_closed} + INTERVAL 2 DAY)')}, ?) ELSE ? END"
        sql = f"""
            SELECT b.lead_id, b.month, b.to_pipeline_id, b.to_status_id FROM ({grouped}) b
            JOIN (SELECT id, {limit} AS limit_month FROM leads l WHERE {scope_sql} AND l.created_at < ?) l
              ON l.id = b.lead_id
            WHERE b.month < l.limit_month"""
        month_stages = con.execute(sql, [origin_month, origin_month] + scope_params + [hi]).df()

        # deals closed after the origin: the stage of their last change with one before it (the ties of
        # the oracle's known_at)
        n_later = int(((leads["closed_at"] >= origin) & (leads["created_at"] < origin)).sum())
        origin_stages = pd.Series(dtype="float64")
        if n_later:
            later = con.execute(
                f"""
                SELECT s.lead_id, arg_max(s.to_status_id, struct_pack(a := s."at", i := s.id)) AS to_status_id
                FROM stage_changes s JOIN leads l ON l.id = s.lead_id
                WHERE {scope_sql} AND l.created_at < ? AND l.closed_at >= ? AND s.to_status_id IS NOT NULL
                  AND {local} < ?
                GROUP BY s.lead_id""",
                scope_params + [hi, sql_ts(origin) - MARGIN, sql_ts(origin)],
            ).df()
            origin_stages = later.set_index("lead_id")["to_status_id"]
    finally:
        con.close()
    log.info(
        "forecast read %d leads, %d deal-months of stages in %.2f s",
        len(leads),
        len(month_stages),
        time.perf_counter() - started,
    )
    changes = store.conform("stage_changes", None)
    tables = dict(ref, leads=leads, month_stages=month_stages)
    return ForecastData(
        account=account,
        users=ref["users"],
        pipelines=ref["pipelines"],
        statuses=ref["statuses"],
        leads=leads,
        stage_changes=changes,
        loss_reasons=ref["loss_reasons"],
        tables=tables,
        origin=origin,
        month_stages=month_stages,
        origin_stages=origin_stages,
    )
