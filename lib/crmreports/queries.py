"""Report-specific reads with the period's filters pushed into DuckDB.

``store.load`` reads every lead of the scope and all their stage changes: fine for an account of a
few thousand deals, but on a million deals with twenty million stage changes that is gigabytes of
pandas frames for a report that looks at one month. :func:`load_sales` reads only the rows the
sales-analysis metrics (:mod:`crmreports.sales`) can see for one period, and the metrics, unchanged,
give exactly the figures and tables they give on the whole store:

leads (only the columns the metrics use)
    created in the period, the previous period or the same period a year ago (cohorts); closed in
    those periods (won, lost, win rate, losses); won in the 13 months of the trend and the 12 months
    of the typical cycle; open at the snapshot (stale deals, open deals per manager).
``stage_changes``
    the whole history of the period's cohort (funnel) and of the deals lost in the period (stage of
    loss); for deals open at the snapshot, the changes around it and the last one before it (their
    stage then).
``visit_changes``
    the changes in the period and, per deal, the first change after it (time in stage: a stay that
    began in the period ends with the deal's next change).

Every window is widened by :data:`MARGIN` on both sides: the store keeps UTC and periods are in the
account's local time, so the exact cut is left to the metric functions, which filter precisely.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import duckdb
import pandas as pd

from . import store
from .periods import Period

MARGIN = timedelta(days=2)     # wider than any UTC offset (max 14 h)
WON, LOST = 142, 143
SALES_LEAD_COLUMNS = ["id", "name", "price", "pipeline_id", "status_id", "responsible_user_id", "loss_reason_id",
                      "created_at", "closed_at"]
SALES_CHANGE_COLUMNS = ["id", "lead_id", "at", "from_pipeline_id", "from_status_id", "to_pipeline_id",
                        "to_status_id"]


@dataclass(frozen=True)
class SalesData(store.StoreData):
    """:class:`store.StoreData` reduced to one period's sales analysis (see the module docstring)."""

    visit_changes: pd.DataFrame = field(default_factory=pd.DataFrame)
    has_history: bool = False        # the scope's deals have any stage-to-stage move at all
    has_amounts: bool = False        # ... any deal amount
    priced_users: frozenset = frozenset()   # responsible users with any deal amount


def _ts(x) -> datetime:
    return pd.Timestamp(x).to_pydatetime()


def _windows(col: str, ranges: list[tuple]) -> tuple[str, list]:
    """``(col >= lo AND col < hi) OR ...`` over the ranges, each widened by MARGIN; merged when overlapping."""
    spans = sorted((_ts(lo) - MARGIN, _ts(hi) + MARGIN) for lo, hi in ranges)
    merged: list[list[datetime]] = []
    for lo, hi in spans:
        if merged and lo <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], hi)
        else:
            merged.append([lo, hi])
    sql = " OR ".join(f'("{col}" >= ? AND "{col}" < ?)' for _ in merged)
    return f"({sql})", [v for span in merged for v in span]


def trend_window(period: Period, months: int = 13) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The calendar months shown by :func:`crmreports.sales.monthly_trend` for the period."""
    last = (pd.Timestamp(period.end) - pd.Timedelta(days=1)).to_period("M")
    return (last - (months - 1)).to_timestamp(), (last + 1).to_timestamp()


def _read(con: duckdb.DuckDBPyConnection, sql: str, params: list, table: str, columns: list[str],
          tz: str) -> pd.DataFrame:
    """Like :func:`store.read_table` for an arbitrary SELECT of ``columns`` of ``table``."""
    df = con.execute(sql, params).df()
    if df.empty:
        df = store.conform(table, None)[columns]
    return store._to_local(df, table, tz)


def load_sales(path: str | os.PathLike, period: Period, as_of: pd.Timestamp | None = None,
               pipeline_ids: list[int] | None = None, user_ids: list[int] | None = None) -> SalesData:
    """What the sales-analysis report needs for ``period``, read with its filters pushed into SQL.

    ``as_of`` is the end of the data in local time (default: the account's sync time); the snapshot of
    open deals is taken at ``min(period end, as_of)``. Scope filters are those of :func:`store.load`.
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
        windows = [period, period.previous(), period.year_ago()]
        spans = [(p.start_ts, p.end_ts) for p in windows]
        created_sql, created_p = _windows("created_at", spans)
        closed_sql, closed_p = _windows("closed_at", spans)
        year = (period.end_ts - pd.DateOffset(years=1), period.end_ts)
        won_sql, won_p = _windows("closed_at", [trend_window(period), year])
        snap_lo, snap_hi = _ts(snapshot) - MARGIN, _ts(snapshot) + MARGIN
        open_sql = '("created_at" < ? AND ("closed_at" IS NULL OR "closed_at" >= ?))'
        lead_cols = ", ".join(f'"{c}"' for c in SALES_LEAD_COLUMNS)
        leads = _read(con, f"""
            SELECT {lead_cols} FROM leads WHERE {scope_sql} AND (
                {created_sql} OR {closed_sql} OR (status_id = {WON} AND {won_sql}) OR {open_sql})""",
                      scope_params + created_p + closed_p + won_p + [snap_hi, snap_lo],
                      "leads", SALES_LEAD_COLUMNS, tz)

        # whole histories: the period's cohort and the deals lost in the period; for deals open at the
        # snapshot, the changes around it and the last change before them (and the last one with a stage
        # and with a pipeline: the stale-deal list takes the last known value of each)
        p_created, p_created_params = _windows("created_at", [(period.start_ts, period.end_ts)])
        p_closed, p_closed_params = _windows("closed_at", [(period.start_ts, period.end_ts)])
        hist = f"({p_created} OR (status_id = {LOST} AND {p_closed}))"
        cols = ", ".join(f's."{c}"' for c in SALES_CHANGE_COLUMNS)
        names = ", ".join(f'"{c}"' for c in SALES_CHANGE_COLUMNS)
        stage_changes = _read(con, f"""
            WITH ids AS MATERIALIZED (
                SELECT id, {hist} AS hist FROM leads WHERE {scope_sql} AND ({hist} OR {open_sql})),
            sub AS MATERIALIZED (SELECT {cols}, ids.hist FROM stage_changes s JOIN ids ON s.lead_id = ids.id)
            SELECT {names} FROM sub WHERE hist OR ("at" >= ? AND "at" < ?)
            UNION ALL
            SELECT {names} FROM (
                SELECT *, row_number() OVER (PARTITION BY lead_id ORDER BY "at" DESC, id DESC) AS r0,
                       row_number() OVER (PARTITION BY lead_id, to_status_id IS NULL ORDER BY "at" DESC, id DESC) AS r1,
                       row_number() OVER (PARTITION BY lead_id, to_pipeline_id IS NULL ORDER BY "at" DESC, id DESC) AS r2
                FROM sub WHERE NOT hist AND "at" < ?)
            WHERE r0 = 1 OR (r1 = 1 AND to_status_id IS NOT NULL) OR (r2 = 1 AND to_pipeline_id IS NOT NULL)
            ORDER BY lead_id, "at", id""",
                              p_created_params + p_closed_params + scope_params + p_created_params + p_closed_params
                              + [snap_hi, snap_lo, snap_lo, snap_hi, snap_lo],
                              "stage_changes", SALES_CHANGE_COLUMNS, tz)

        # time in stage: the changes in the period and each deal's next one after it
        in_p, in_p_params = _windows("at", [(period.start_ts, period.end_ts)])
        p_hi = _ts(period.end_ts) + MARGIN
        visit_changes = _read(con, f"""
            WITH w AS MATERIALIZED (SELECT {names} FROM stage_changes
                       WHERE {in_p} AND lead_id IN (SELECT id FROM leads WHERE {scope_sql}))
            SELECT * FROM w
            UNION ALL
            SELECT {names} FROM stage_changes
            WHERE "at" >= ? AND lead_id IN (SELECT DISTINCT lead_id FROM w)
            QUALIFY row_number() OVER (PARTITION BY lead_id ORDER BY "at", id) = 1
            ORDER BY lead_id, "at", id""",
                              in_p_params + scope_params + [p_hi], "stage_changes", SALES_CHANGE_COLUMNS, tz)

        # "the data has stage history at all": known from the rows read, else asked of the whole scope
        has_history = any(df["from_status_id"].notna().any() for df in (stage_changes, visit_changes)) or bool(
            con.execute(f"SELECT EXISTS (SELECT 1 FROM stage_changes WHERE from_status_id IS NOT NULL "
                        f"AND lead_id IN (SELECT id FROM leads WHERE {scope_sql}))", scope_params).fetchone()[0])
        has_amounts = bool(con.execute(
            f"SELECT EXISTS (SELECT 1 FROM leads WHERE {scope_sql} AND price IS NOT NULL)", scope_params).fetchone()[0])
        priced_users = frozenset(int(u) for (u,) in con.execute(
            f"SELECT DISTINCT responsible_user_id FROM leads WHERE {scope_sql} AND price IS NOT NULL "
            "AND responsible_user_id IS NOT NULL", scope_params).fetchall())
    finally:
        con.close()
    tables = dict(ref, leads=leads, stage_changes=stage_changes, visit_changes=visit_changes)
    return SalesData(account=account, users=ref["users"], pipelines=ref["pipelines"], statuses=ref["statuses"],
                     leads=leads, stage_changes=stage_changes, loss_reasons=ref["loss_reasons"], tables=tables,
                     visit_changes=visit_changes, has_history=has_history, has_amounts=has_amounts,
                     priced_users=priced_users)
