"""The forecast as both reports use it (issue #14: one model for the forecast and the goals report).

:func:`model_results` runs the estimator once (snapshots without pending requests, the backtest, the
calibration of the intervals, the forecast as of the origin); the forecast report shows it, and the
goals report projects the rest of a plan period from it (:func:`window`), so the two give the same
expected revenue for the same window. :func:`inactive_keys` names the groups (managers) that are not
forecast: no open deals at the origin and no wins in the three months before it.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ...core import workdays
from ..schema import WON_STATUS_ID
from .backtest import accuracy, calibration_factor, widen
from .estimator import Estimator
from .history import SNAPSHOT_COLUMNS, snapshot_moments, snapshots_since, without_requests
from .months import add_months
from .settings import DEFAULT, HORIZONS, Z80, Settings

INACTIVE_MONTHS = 3  # no wins in this many months before the origin (and no open deals): not forecast


def model_results(
    known: pd.DataFrame,
    make_snapshots,
    statuses: pd.DataFrame,
    origin: pd.Timestamp,
    settings: Settings = DEFAULT,
    groups: tuple = (),
) -> dict:
    """The forecast as of ``origin`` from the deals ``known`` then and ``make_snapshots`` (month starts →
    their snapshots of those deals): ``origin``, ``raw`` (intervals from the model), ``forecast`` (intervals
    widened by the backtest's calibration), ``backtest``, ``factors``, ``accuracy``, ``accuracy_deals``,
    ``known``, ``estimator``, ``snapshots`` (the last ``lookback`` months'). Snapshot rows of pending
    «Неразобранное» requests are left out (:func:`without_requests`). ``groups``: columns whose per-group
    forecasts start alongside the backtest (:meth:`Estimator.start_groups`)."""
    origin = pd.Timestamp(origin)
    moments = snapshot_moments(known, origin, settings.lookback, settings.lookback)

    def snaps_from():
        return without_requests(make_snapshots(moments), statuses)

    # the snapshots are made while the deals' arrays are built in a thread (see Estimator)
    estimator = Estimator(None, known, origin, settings, snaps_from=snaps_from)
    if groups:
        estimator.start_groups(groups)
    bt = estimator.backtest()
    factors = {m: calibration_factor(bt, m) for m in ("revenue", "deals")}
    raw = estimator.forecast()
    recent = snapshots_since(estimator.snaps, snapshot_moments(known, origin, settings.lookback)[0])
    return dict(
        origin=origin,
        raw=raw,
        forecast=widen(raw, factors),
        backtest=bt,
        factors=factors,
        accuracy=accuracy(bt, "revenue"),
        accuracy_deals=accuracy(bt, "deals"),
        known=known,
        estimator=estimator,
        snapshots=recent if recent is not None else pd.DataFrame(columns=SNAPSHOT_COLUMNS),
    )


def inactive_keys(known: pd.DataFrame, snaps: pd.DataFrame, origin: pd.Timestamp, column: str) -> set:
    """The values of ``column`` (e.g. ``responsible_user_id``) whose deals had no open deal at ``origin``
    (no snapshot row at the origin) and no win in the :data:`INACTIVE_MONTHS` months before it: such a
    manager is listed as inactive, not forecast (the model would otherwise project the team's new-deal
    yields and an ETS trend onto someone who sells no more)."""
    origin = pd.Timestamp(origin)
    keys = set(known[column].dropna().unique().tolist())
    at = snaps[snaps["moment"] == origin] if len(snaps) else snaps
    ids = known.set_index("id")[column]
    open_keys = set(ids.reindex(at["lead_id"]).dropna().unique().tolist()) if len(at) else set()
    start = add_months(origin, -INACTIVE_MONTHS)
    won = known[(known["status_id"] == WON_STATUS_ID) & (known["closed_at"] >= start) & (known["closed_at"] < origin)]
    return keys - open_keys - set(won[column].dropna().unique().tolist())


@dataclass(frozen=True)
class Window:
    """The forecast for a window ``[start, end)`` inside the forecast months: ``expected`` (the combined
    forecast), its 80 % interval ``low``–``high`` and its standard deviation ``sd``; ``months`` the share of
    each forecast month inside the window (by working days)."""

    start: pd.Timestamp
    end: pd.Timestamp
    measure: str
    expected: float
    sd: float
    low: float
    high: float
    months: tuple


def _wd(a: pd.Timestamp, b: pd.Timestamp) -> int:
    return workdays.working_days(a.date(), b.date()) if b > a else 0


def month_shares(origin: pd.Timestamp, start: pd.Timestamp, end: pd.Timestamp) -> list[float]:
    """The share of each forecast month (1..HORIZONS from ``origin``) inside ``[start, end)``: the working
    days (production calendar) of the overlap over the month's working days (calendar days when the month
    has none). A clear error when the window reaches past the last forecast month or starts before the
    origin."""
    origin, start, end = pd.Timestamp(origin), pd.Timestamp(start), pd.Timestamp(end)
    last = add_months(origin, HORIZONS)
    if start < origin or end > last:
        raise ValueError(
            f"the window {start} – {end} is not inside the forecast months {origin.date()} – {last.date()} "
            f"(the forecast covers {HORIZONS} months from its origin)"
        )
    shares = []
    for k in range(HORIZONS):
        a, b = add_months(origin, k), add_months(origin, k + 1)
        lo, hi = max(a, start), min(b, end)
        if hi <= lo:
            shares.append(0.0)
            continue
        total = _wd(a, b)
        shares.append(_wd(lo, hi) / total if total else (hi - lo) / (b - a))
    return shares


def window(table: pd.DataFrame, origin: pd.Timestamp, start, end, measure: str = "revenue") -> Window:
    """The forecast for ``[start, end)`` from a forecast's table (one row per month ``k`` and ``measure``
    with ``combined`` and ``high`` = combined + Z80 × sd, as :func:`widen` leaves it): expected = Σ share_k ×
    combined_k; sd = Σ share_k × sd_k (the months' errors taken as fully correlated, the cautious case the
    forecast takes when it combines its views); low = max(0, expected − Z80 × sd), high = expected + Z80 × sd.
    A window of exactly one forecast month gives that month's figures."""
    shares = month_shares(origin, start, end)
    tb = table[table["measure"] == measure].set_index("k")
    mean = sd = 0.0
    for k, s in enumerate(shares, start=1):
        if s:
            c = float(tb.loc[k, "combined"])
            mean += s * c
            sd += s * (float(tb.loc[k, "high"]) - c) / Z80
    return Window(
        pd.Timestamp(start),
        pd.Timestamp(end),
        measure,
        mean,
        sd,
        max(0.0, mean - Z80 * sd),
        mean + Z80 * sd,
        tuple(shares),
    )


def group_table(row: pd.Series) -> pd.DataFrame:
    """A forecast table (k, measure, combined, high) from a row of :meth:`Estimator.by_group` (revenue_k,
    high_k, deals_k; the deals' intervals are not in that row: their sd is taken as 0)."""
    rows = []
    for k in range(1, HORIZONS + 1):
        rows.append({"k": k, "measure": "revenue", "combined": row[f"revenue_{k}"], "high": row[f"high_{k}"]})
        rows.append({"k": k, "measure": "deals", "combined": row[f"deals_{k}"], "high": row[f"deals_{k}"]})
    return pd.DataFrame(rows)


def open_deals_in_window(open_deals: pd.DataFrame, shares) -> pd.Series:
    """Each weighted open deal's expected won revenue inside the window (Σ share_k × exp_k)."""
    if open_deals is None or open_deals.empty:
        return pd.Series(dtype=float)
    return sum(s * open_deals[f"exp_{k}"] for k, s in enumerate(shares, start=1)) + 0.0 * open_deals["price"]


__all__ = [
    "INACTIVE_MONTHS",
    "Window",
    "group_table",
    "inactive_keys",
    "model_results",
    "month_shares",
    "open_deals_in_window",
    "window",
]
