"""The sales forecast's read of the store, with its filters and one reduction pushed into DuckDB.

``store.load`` reads every lead of the scope and every stage change of those leads. The forecast
(:mod:`crmreports.forecast`) needs far less of the change log: the only thing it asks of it is a deal's
stage *at a month start* (the snapshots the estimators learn from, and the open deals at the origin)
and, for deals closed after the origin, their stage at the origin (:func:`forecast.known_at`). Both
are "the last change before a month start". So :func:`load_forecast` reads

leads
    of the scope created before the origin (every later one is invisible to the forecast), only the
    columns the forecast uses;
stage_changes
    (the columns the forecast uses) per deal and per local calendar month, the month's last change (by time, ties by the store's row
    order, which is the order :func:`store.load` returns and :func:`forecast.snapshots` breaks ties
    in); months before the first snapshot the forecast can use are one bucket. A deal's buckets after
    it was closed are dropped (it is open at no later month start). For deals closed after the origin,
    every change at their last moment before the origin is added (:func:`forecast.known_at` breaks
    ties by the change id).

The last change before a month start ``m`` is the last change of the latest month bucket before ``m``,
so the pure functions, unchanged, find the same stage for every (deal, month start) they look at and
give exactly the forecast, backtest and breakdowns they give on the whole store
(tests/test_forecast_pushdown.py). Month buckets are cut in the account's local time: a plain shift
when the timezone has one UTC offset over the whole history (the usual case, and the fast one), the
timezone conversion in DuckDB otherwise.
"""
from __future__ import annotations

import logging
import os
import time
from datetime import timedelta

import pandas as pd

from . import store
from .queries import LOST, MARGIN, WON, _read, _ts

log = logging.getLogger("crmreports.queries_forecast")

FORECAST_LEAD_COLUMNS = ["id", "price", "pipeline_id", "status_id", "responsible_user_id", "created_at", "closed_at"]
# the change columns the forecast uses: known_at breaks ties by id; snapshots read the stage and pipeline
CHANGE_COLUMNS = ["id", "lead_id", "at", "to_pipeline_id", "to_status_id"]


def first_bucket(origin: pd.Timestamp, months: int) -> pd.Timestamp:
    """The earliest month start the forecast looks at for ``origin`` (``months`` before it)."""
    return (pd.Timestamp(origin).to_period("M") - months).to_timestamp()


def fixed_offset(tz: str, lo: pd.Timestamp, hi: pd.Timestamp) -> timedelta | None:
    """The timezone's UTC offset if it is the same throughout [lo, hi] (checked hourly), else None."""
    utc = pd.date_range(pd.Timestamp(lo) - pd.Timedelta(days=2), pd.Timestamp(hi) + pd.Timedelta(days=2),
                        freq="h", tz="UTC")
    offsets = (utc.tz_convert(tz).tz_localize(None) - utc.tz_localize(None)).unique()
    return offsets[0].to_pytimedelta() if len(offsets) == 1 else None


def load_forecast(path: str | os.PathLike, origin: pd.Timestamp, months: int,
                  pipeline_ids: list[int] | None = None, user_ids: list[int] | None = None) -> store.StoreData:
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
        hi = _ts(origin) + MARGIN          # local time is within 14 h of UTC: every change/lead before the origin
        lead_cols = ", ".join(f'"{c}"' for c in FORECAST_LEAD_COLUMNS)
        leads = _read(con, f'SELECT {lead_cols} FROM leads WHERE {scope_sql} AND created_at < ?',
                      scope_params + [hi], "leads", FORECAST_LEAD_COLUMNS, tz)

        first = first_bucket(origin, months)
        floor = _ts(first - pd.DateOffset(months=1))     # months before the first snapshot: one bucket
        offset = fixed_offset(tz, leads["created_at"].min() if len(leads) else first, origin)
        if offset is not None:
            local = f"(\"at\" + INTERVAL '{int(offset.total_seconds())} seconds')"
            local_closed = f"(l.closed_at + INTERVAL '{int(offset.total_seconds())} seconds')"
        else:
            local = f"timezone('{tz}', \"at\" AT TIME ZONE 'UTC')"
            local_closed = f"timezone('{tz}', l.closed_at AT TIME ZONE 'UTC')"
        bucket = f"greatest(date_trunc('month', {local}), ?::TIMESTAMP)"
        # the row order key: time, then the row's place in the table (an integer pair in one HUGEINT)
        key = '(epoch_us("at")::HUGEINT * 4294967296 + rowid)'
        picks = ", ".join(f'arg_max_null("{c}", {key}) AS "{c}"' for c in CHANGE_COLUMNS if c != "lead_id")
        names = ", ".join(f'"{c}"' for c in CHANGE_COLUMNS)
        # the last change of each (deal, local month), kept only while the deal may be open at the next
        # month start: not closed (won/lost) before it (a margin of days keeps this a superset)
        closed = f"coalesce(l.status_id IN ({WON}, {LOST}), false) AND l.closed_at IS NOT NULL"
        buckets = f"""
            SELECT b.lead_id, {", ".join(f'b."{c}"' for c in CHANGE_COLUMNS if c != "lead_id")},
                   (b.k % 4294967296)::BIGINT AS r FROM (
                SELECT lead_id, {bucket} AS bucket, max({key}) AS k, {picks}
                FROM stage_changes WHERE "at" < ? GROUP BY ALL) b
            JOIN leads l ON l.id = b.lead_id
            WHERE {scope_sql} AND l.created_at < ? AND b.bucket < ?::TIMESTAMP
              AND NOT ({closed} AND {local_closed} < b.bucket + INTERVAL 1 MONTH - INTERVAL 2 DAY)"""
        b_params = [floor, hi] + scope_params + [hi, _ts(origin)]
        # deals closed after the origin: every change at their last moment before it (known_at's ties)
        later = f"""
            SELECT s.lead_id, {", ".join(f's."{c}"' for c in CHANGE_COLUMNS if c != "lead_id")}, s.rowid AS r
            FROM stage_changes s JOIN leads l ON l.id = s.lead_id
            WHERE {scope_sql} AND l.created_at < ? AND l.closed_at IS NOT NULL AND {local_closed} >= ?
              AND {local} < ?
            QUALIFY rank() OVER (PARTITION BY s.lead_id ORDER BY s."at" DESC) = 1"""
        later_params = scope_params + [hi, _ts(origin), _ts(origin)]
        n_later = int(((leads["closed_at"] >= origin) & (leads["created_at"] < origin)).sum())
        rows = f"{buckets} UNION {later}" if n_later else buckets      # UNION: a change in both only once
        sql = f'SELECT {names} FROM ({rows}) ORDER BY lead_id, "at", r'
        changes = _read(con, sql, b_params + (later_params if n_later else []), "stage_changes", CHANGE_COLUMNS, tz)
    finally:
        con.close()
    log.info("forecast read %d leads, %d of the stage changes in %.2f s", len(leads), len(changes),
             time.perf_counter() - started)
    tables = dict(ref, leads=leads, stage_changes=changes)
    return store.StoreData(account=account, users=ref["users"], pipelines=ref["pipelines"], statuses=ref["statuses"],
                           leads=leads, stage_changes=changes, loss_reasons=ref["loss_reasons"], tables=tables)
