"""The sales forecast on the whole store: the reference the pushed-down read is compared with.

The report reads each deal's last stage per month (:func:`crmreports.reports.forecast.query.load_forecast`)
and builds its snapshots with :func:`~crmreports.reports.forecast.metrics.snapshots_from_months`. Here is
the definition on the whole change log (``store.load``): the deals known at a moment (:func:`known_at`),
the snapshots from every stage change (:func:`snapshots`), and the self-contained forecast, backtest and
breakdown (:func:`forecast_as_of`, :func:`backtest`, :func:`by_group`); and :func:`full_context`, the
report's context read from the whole store, with the results computed from these.
"""

from __future__ import annotations

from functools import partial

import pandas as pd

from crmreports import store
from crmreports.reports.forecast import sections as view
from crmreports.store.forecasting import (
    DEFAULT,
    Forecast,
    Settings,
    backtest_from,
    by_group_from,
    forecast_from,
    known_with_stages,
    month_start,
    snapshot_moments,
    without_requests,
)
from crmreports.store.forecasting.history import (
    SNAPSHOT_COLUMNS,
    _open_pairs,
    _with_stages,
)

from . import open_full


def known_at(
    leads: pd.DataFrame, stage_changes: pd.DataFrame, moment: pd.Timestamp
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """What the store would have held at ``moment``: deals created before it, stage changes before it,
    and deals closed later shown open (status = their stage at ``moment``, no ``closed_at``)."""
    moment = pd.Timestamp(moment)
    sc = stage_changes[stage_changes["at"] < moment]
    ld = leads[leads["created_at"] < moment]
    later = ld["closed_at"].notna() & (ld["closed_at"] >= moment)
    # the last stage before the moment, looked up only for the deals closed later (the others keep theirs)
    mine = sc[sc["lead_id"].isin(ld.loc[later, "id"])] if later.any() else sc.iloc[:0]
    last = mine.sort_values(["lead_id", "at", "id"]).groupby("lead_id")["to_status_id"].last()
    return known_with_stages(leads, last, moment), sc


def snapshots(leads: pd.DataFrame, stage_changes: pd.DataFrame, moments) -> pd.DataFrame:
    """Every deal open at each moment, with its stage then (the last stage change before it, from the
    whole change log) and its later outcome.

    Columns: moment, lead_id, pipeline_id, status_id (the stage at the moment: the last stage change
    before it; -1 when the history shows none), age_days, price, user_id, closed_at (NaT while open),
    won (closed as won). A deal is open at a moment if it was created before it and not closed before it.
    """
    moments, snap = _open_pairs(leads, moments)
    if snap is None:
        return pd.DataFrame(columns=SNAPSHOT_COLUMNS)
    sc = stage_changes[["lead_id", "at", "to_pipeline_id", "to_status_id"]].dropna(subset=["at"])
    sc = sc.assign(lead_id=sc["lead_id"].astype("int64")).sort_values("at", kind="stable")
    snap = snap.sort_values("moment", kind="stable")
    merged = pd.merge_asof(snap, sc, left_on="moment", right_on="at", by="lead_id", allow_exact_matches=False)
    return _with_stages(merged, merged["to_status_id"], merged["to_pipeline_id"])


def _deals_only(snaps: pd.DataFrame, statuses: pd.DataFrame | None) -> pd.DataFrame:
    """The snapshots without pending «Неразобранное» requests, as the reports take them, when ``statuses``
    is given (the reports' definition); all rows otherwise (the estimator's own tests)."""
    return snaps if statuses is None else without_requests(snaps, statuses)


def forecast_as_of(
    leads: pd.DataFrame,
    stage_changes: pd.DataFrame,
    origin: pd.Timestamp,
    settings: Settings = DEFAULT,
    statuses: pd.DataFrame | None = None,
) -> Forecast:
    """The forecast as of ``origin`` (a month start) from the data known then (``statuses``: see
    :func:`_deals_only`)."""
    origin = pd.Timestamp(origin)
    if origin != month_start(origin):
        raise ValueError(f"forecast origin {origin} must be the first moment of a month")
    known, sc = known_at(leads, stage_changes, origin)
    snaps = _deals_only(snapshots(known, sc, snapshot_moments(known, origin, settings.lookback)), statuses)
    return forecast_from(snaps, known, origin, settings)


def backtest(
    leads: pd.DataFrame,
    stage_changes: pd.DataFrame,
    origin: pd.Timestamp,
    settings: Settings = DEFAULT,
    statuses: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Rolling-origin backtest: the forecast as of each of the ``lookback`` month starts before ``origin``
    (with data known then) against the actual won revenue and deals known at ``origin``.

    One row per (origin, k, measure) whose target month ended by ``origin``: forecast_origin, k, month,
    measure, actual, pipeline, ts, combined, low, high, last_month, seasonal (the baselines; NaN
    when history is too short), status.
    """
    origin = pd.Timestamp(origin)
    known, sc = known_at(leads, stage_changes, origin)
    snaps = snapshots(known, sc, snapshot_moments(known, origin, settings.lookback, settings.lookback))
    return backtest_from(_deals_only(snaps, statuses), known, origin, settings)


def by_group(
    leads: pd.DataFrame,
    stage_changes: pd.DataFrame,
    origin: pd.Timestamp,
    column: str,
    settings: Settings = DEFAULT,
    factors: dict | None = None,
    statuses: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The combined forecast for each value of ``column`` (``responsible_user_id`` or ``pipeline_id``),
    each forecast from that group's own deals; intervals widened by ``factors`` (see :func:`widen`).

    Columns: key, status, open_deals (count at the origin), revenue_1..3, low_1..3, high_1..3,
    deals_1..3, revenue_3m (sum of the three months).
    """
    origin = pd.Timestamp(origin)
    known, sc = known_at(leads, stage_changes, origin)
    snaps = snapshots(known, sc, snapshot_moments(known, origin, settings.lookback))
    return by_group_from(_deals_only(snaps, statuses), known, origin, column, settings, factors)


def full_context(
    period: str = "", manager: str = "", pipeline: str = "", store_path: str = store.DEFAULT_STORE, lang: str = "ru"
) -> view.ForecastContext:
    """The report's context read from the whole store (every lead of the scope and its whole change log),
    its results computed from :func:`known_at` and :func:`snapshots`: the sections then run on it as on
    the context of :func:`view.open <crmreports.reports.forecast.sections.open>`."""
    ctx = open_full(view.REPORT, period, manager, pipeline, store_path, lang, context=view.ForecastContext)
    data = ctx.data
    known, sc = known_at(data.leads, data.stage_changes, view.origin_of(ctx))
    view.results_from(ctx, known, partial(snapshots, known, sc))
    return ctx
