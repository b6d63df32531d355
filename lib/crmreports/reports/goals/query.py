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
``forecast``
    the sales forecast's read (:func:`crmreports.store.forecasting.read.load_forecast`) as of the last
    month start at or before the as-of moment, when a plan is running then: the projection of the rest of
    the period is the forecast report's model (one model for both reports).

Lead and stage-change windows are widened by :data:`queries.MARGIN` on both sides (the store keeps
UTC, periods are in the account's local time) and the metric functions make the exact cut. The counts
are made by the forecast's read, which turns timestamps to local time in SQL exactly as
:func:`store.to_local` does in pandas.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import pandas as pd

from ... import store
from ...core.localtime import MARGIN
from ...core.periods import Period
from ...store import WON
from ...store import forecasting as model_lib
from ...store.forecasting.read import ForecastData, load_forecast
from ...store.sql import read_frame, sql_ts, sql_windows

GOALS_LEAD_COLUMNS = ["id", "price", "pipeline_id", "status_id", "responsible_user_id", "created_at", "closed_at"]
GOALS_CHANGE_COLUMNS = ["id", "lead_id", "at", "from_pipeline_id", "from_status_id", "to_pipeline_id", "to_status_id"]
COUNT_COLUMNS = ["pipeline_id", "status_id", "responsible_user_id", "entered", "won", "won_in_time"]
REFERENCE_TABLES = ("users", "pipelines", "statuses", "loss_reasons")


@dataclass(frozen=True)
class GoalsData(store.StoreData):
    """:class:`store.StoreData` reduced to one goals report (see the module docstring)."""

    forecast: ForecastData | None = None  # the forecast's read as of its origin, when a plan is running


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


def load_goals_data(
    path: str | os.PathLike,
    windows: list[Period],
    as_of: pd.Timestamp,
    running: list[Period],
    pipeline_ids: list[int] | None = None,
    user_ids: list[int] | None = None,
    reference: Reference | None = None,
    forecast_origin: pd.Timestamp | None = None,
) -> GoalsData:
    """What the goals report needs, read with its filters pushed into SQL (see the module docstring).

    ``windows``: the periods whose facts are shown (won deals closed in them are read); ``running``: the
    periods of the plans running at ``as_of`` (local time): when there is one, the forecast's read as of
    ``forecast_origin`` comes too. The deals open at ``as_of`` are read always (their count is a headline
    figure). Scope filters are those of :func:`store.load`.
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
        open_sql = '("created_at" < ? AND ("closed_at" IS NULL OR "closed_at" >= ?))'
        open_p = [snap_hi, snap_lo]
        leads = read_frame(
            con,
            f"""
            SELECT {lead_cols} FROM leads WHERE {scope_sql} AND ((status_id = {WON} AND {won_sql}) OR {open_sql})""",
            scope_params + won_p + open_p,
            "leads",
            GOALS_LEAD_COLUMNS,
            tz,
        )
        # the deals open at the moment: their stage then
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
    finally:
        con.close()
    fc = None
    if running and forecast_origin is not None:
        fc = load_forecast(path, forecast_origin, 2 * model_lib.DEFAULT.lookback, pipeline_ids, user_ids)
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
        forecast=fc,
    )
