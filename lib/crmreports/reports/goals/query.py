"""The goals report's reads, with its filters and the pipeline band's counting pushed into DuckDB.

``store.load`` reads every lead of the scope and all their stage changes; on a million deals with
twenty million stage changes that is gigabytes of pandas frames, while the goals report
(:mod:`crmreports.reports.goals.metrics`) looks at a few periods and one moment. :func:`load_goals_data` reads only:

leads (only the columns the metrics use)
    won deals closed in the report period, the previous period, the same period a year ago and the
    periods of the plans shown (facts, daily progress, comparison); deals open at the as-of moment
    (the weighted pipeline), when a plan is running at that moment.
``stage_changes``
    for those open deals only: the changes around the moment and the last change before them (their
    stage at the moment; also the last one that names a stage and the last that names a pipeline, as
    :func:`goals.stage_at` takes the last known value of each; changes at the same instant as one of
    these come too, and pandas orders them).
``stage_counts``
    the stage-entry counts of the pipeline band (:func:`goals.stage_entry_counts`: entries into open
    stages in the 12 months before the moment, how many of those deals were won, and how many within
    the plan's horizon) counted in SQL per stage and responsible manager, for the horizon of every
    plan running at the moment: ``{horizon in days: counts}``. These need every stage change of the
    year (11 million rows on the scale store), so they are counted where the rows are.

Lead and stage-change windows are widened by :data:`queries.MARGIN` on both sides (the store keeps
UTC, periods are in the account's local time) and the metric functions make the exact cut. The counts
are made in SQL, so there the timestamps are turned to local time in SQL exactly as
:func:`store.to_local` does in pandas: UTC plus the zone's offset, whose changes (daylight saving)
within the window are found with pandas (:func:`crmreports.core.localtime.local_sql`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import duckdb
import pandas as pd

from ... import store
from ...core.localtime import MARGIN, local_sql
from ...core.periods import Period
from ...store import WON
from ...store.sql import read_frame, sql_ts, sql_windows
from . import metrics as goals

GOALS_LEAD_COLUMNS = ["id", "price", "pipeline_id", "status_id", "responsible_user_id", "created_at", "closed_at"]
GOALS_CHANGE_COLUMNS = ["id", "lead_id", "at", "from_pipeline_id", "from_status_id", "to_pipeline_id", "to_status_id"]
COUNT_COLUMNS = ["pipeline_id", "status_id", "responsible_user_id", "entered", "won", "won_in_time"]
REFERENCE_TABLES = ("users", "pipelines", "statuses", "loss_reasons")


@dataclass(frozen=True)
class GoalsData(store.StoreData):
    """:class:`store.StoreData` reduced to one goals report (see the module docstring)."""

    stage_counts: dict = field(default_factory=dict)  # {horizon in days: counts per stage and manager}


@dataclass(frozen=True)
class Reference:
    """The account row and the small reference tables (read before the goals file is checked)."""

    account: pd.Series
    tables: dict

    @property
    def timezone(self) -> str:
        return str(self.account.get("timezone") or "UTC")


def read_reference(path: str | os.PathLike) -> Reference:
    con = store.connect(path, read_only=True)
    try:
        account = store.read_account(con)
        tz = str(account.get("timezone") or "UTC")
        return Reference(account, {name: store.read_table(con, name, tz=tz) for name in REFERENCE_TABLES})
    finally:
        con.close()


# ---------------------------------------------------------------- local time in SQL

# ---------------------------------------------------------------- the reads


def _empty_counts() -> pd.DataFrame:
    return pd.DataFrame(
        {c: pd.Series(dtype="int64" if c in ("entered", "won", "won_in_time") else "float64") for c in COUNT_COLUMNS}
    )


def stage_counts(
    con: duckdb.DuckDBPyConnection,
    tz: str,
    statuses: pd.DataFrame,
    scope_sql: str,
    scope_params: list,
    moment: pd.Timestamp,
    periods: list[Period],
    lookback_days: int = goals.LOOKBACK_DAYS,
) -> dict:
    """:func:`goals.stage_entry_counts` of the scope's deals, counted in SQL per stage and responsible
    manager (``responsible_user_id``), for the horizon of each period at ``moment``:
    ``{goals.horizon_days(period, moment): counts}``."""
    horizons = {goals.horizon_days(p, moment): (p.end_ts - moment) // pd.Timedelta(microseconds=1) for p in periods}
    if not horizons:
        return {}
    start = moment - pd.Timedelta(days=lookback_days)
    opens = statuses[statuses["kind"] == "open"][["pipeline_id", "id"]].dropna()
    if opens.empty:
        return {h: _empty_counts() for h in horizons}
    lo, hi = sql_ts(start) - MARGIN, sql_ts(moment) + MARGIN
    at = local_sql('s."at"', tz, lo, hi)
    closed = local_sql("closed_at", tz, lo, hi)
    open_rows = ", ".join(f"({int(p)}, {int(s)})" for p, s in zip(opens["pipeline_id"], opens["id"]))
    hz_rows = ", ".join(f"({k}, {int(us)})" for k, us in enumerate(horizons.values()))
    # e: each deal's last entry into each open stage within the window (local time); l: the scope's deals,
    # whether each was won before the moment, and when (local time)
    df = con.execute(
        f"""
        WITH e AS MATERIALIZED (
            SELECT s.lead_id, s.to_pipeline_id AS pipeline_id, s.to_status_id AS status_id, max({at}) AS at
            FROM stage_changes s JOIN (VALUES {open_rows}) o(p, st)
                 ON s.to_pipeline_id = o.p AND s.to_status_id = o.st
            WHERE s."at" >= ? AND s."at" < ? AND {at} >= ? AND {at} < ?
            GROUP BY s.lead_id, s.to_pipeline_id, s.to_status_id),
        l AS MATERIALIZED (
            SELECT id, responsible_user_id,
                   status_id = {WON} AND closed_at < ? AND {closed} < ? AS won_by_then,
                   CASE WHEN closed_at < ? THEN {closed} END AS closed
            FROM leads WHERE {scope_sql}),
        w AS (
            SELECT e.pipeline_id, e.status_id, l.responsible_user_id,
                   coalesce(l.won_by_then AND l.closed >= e.at, false) AS is_won,
                   date_diff('microsecond', e.at, l.closed) AS us_to_won
            FROM e JOIN l ON l.id = e.lead_id)
        SELECT h.k, w.pipeline_id, w.status_id, w.responsible_user_id, count(*) AS entered,
               count(*) FILTER (WHERE is_won) AS won,
               count(*) FILTER (WHERE is_won AND us_to_won <= h.us) AS won_in_time
        FROM w CROSS JOIN (VALUES {hz_rows}) h(k, us)
        GROUP BY ALL
        ORDER BY 1, 2, 3, 4""",
        [lo, hi, sql_ts(start), sql_ts(moment), hi, sql_ts(moment), hi] + scope_params,
    ).df()
    out = {}
    for k, h in enumerate(horizons):
        part = df[df["k"] == k].drop(columns="k").reset_index(drop=True)
        for c in ("pipeline_id", "status_id", "entered", "won", "won_in_time"):
            part[c] = part[c].astype("int64")
        out[h] = part[COUNT_COLUMNS] if len(part) else _empty_counts()
    return out


def load_goals_data(
    path: str | os.PathLike,
    windows: list[Period],
    as_of: pd.Timestamp,
    running: list[Period],
    pipeline_ids: list[int] | None = None,
    user_ids: list[int] | None = None,
    reference: Reference | None = None,
) -> GoalsData:
    """What the goals report needs, read with its filters pushed into SQL (see the module docstring).

    ``windows``: the periods whose facts are shown (won deals closed in them are read); ``running``: the
    periods of the plans running at ``as_of`` (local time), whose pipeline band needs the deals open at
    ``as_of`` and the stage-entry counts for their horizons. Scope filters are those of :func:`store.load`.
    """
    ref = reference or read_reference(path)
    tz = ref.timezone
    con = store.connect(path, read_only=True)
    try:
        scope_sql, scope_params = store.lead_filter(pipeline_ids, user_ids)
        lead_cols = ", ".join(f'"{c}"' for c in GOALS_LEAD_COLUMNS)
        won_sql, won_p = (
            sql_windows("closed_at", [(p.start_ts, p.end_ts) for p in windows]) if windows else ("false", [])
        )
        moment = pd.Timestamp(as_of)
        snap_lo, snap_hi = sql_ts(moment) - MARGIN, sql_ts(moment) + MARGIN
        open_sql = '("created_at" < ? AND ("closed_at" IS NULL OR "closed_at" >= ?))' if running else "false"
        open_p = [snap_hi, snap_lo] if running else []
        leads = read_frame(
            con,
            f"""
            SELECT {lead_cols} FROM leads WHERE {scope_sql} AND ((status_id = {WON} AND {won_sql}) OR {open_sql})""",
            scope_params + won_p + open_p,
            "leads",
            GOALS_LEAD_COLUMNS,
            tz,
        )
        if running:
            cols = ", ".join(f's."{c}"' for c in GOALS_CHANGE_COLUMNS)
            # the changes around the moment, and before them each deal's last change, last change naming a
            # stage and last naming a pipeline (with any others at the same instant: pandas orders the tie)
            stage_changes = read_frame(
                con,
                f"""
                WITH ids AS MATERIALIZED (SELECT id FROM leads WHERE {scope_sql} AND {open_sql}),
                m AS MATERIALIZED (
                    SELECT s.lead_id, max(s."at") AS m0,
                           max(s."at") FILTER (WHERE s.to_status_id IS NOT NULL) AS m1,
                           max(s."at") FILTER (WHERE s.to_pipeline_id IS NOT NULL) AS m2
                    FROM stage_changes s JOIN ids ON s.lead_id = ids.id WHERE s."at" < ? GROUP BY s.lead_id)
                SELECT {cols} FROM stage_changes s JOIN ids ON s.lead_id = ids.id WHERE s."at" >= ? AND s."at" < ?
                UNION ALL
                SELECT {cols} FROM stage_changes s JOIN m ON s.lead_id = m.lead_id
                WHERE s."at" = m.m0 OR s."at" = m.m1 OR s."at" = m.m2
                ORDER BY lead_id, "at", id""",
                scope_params + open_p + [snap_lo, snap_lo, snap_hi],
                "stage_changes",
                GOALS_CHANGE_COLUMNS,
                tz,
            )
            counts = stage_counts(con, tz, ref.tables["statuses"], scope_sql, scope_params, moment, running)
        else:
            stage_changes = store.conform("stage_changes", None)[GOALS_CHANGE_COLUMNS]
            counts = {}
    finally:
        con.close()
    t = ref.tables
    tables = dict(t, leads=leads, stage_changes=stage_changes)
    return GoalsData(
        account=ref.account,
        users=t["users"],
        pipelines=t["pipelines"],
        statuses=t["statuses"],
        leads=leads,
        stage_changes=stage_changes,
        loss_reasons=t["loss_reasons"],
        tables=tables,
        stage_counts=counts,
    )
