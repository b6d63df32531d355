"""One definition per concept, shared by every report (issue #14: "one definition per concept").

Every report that shows one of these figures computes it here, so the same concept has the same
value in every report's JSON for the same period and scope. Pure functions over the store's
DataFrames (naive local timestamps).

- **won deals / won revenue**: deals in the won status (142) whose ``closed_at`` lies in the period;
  revenue is the sum of their ``price`` (a missing price counts as 0 rouble; revenue is NaN only when
  the data has no amounts at all, which the reports decide).
- **lost deals**: deals in the lost status (143) closed in the period.
- **open deals at a moment**: deals created before the moment, not closed by then, whose stage at
  that moment (from the stage history) is an *open* stage. Requests still pending in «Неразобранное»
  (stage kind ``unsorted``) are requests, not deals: they do not count.
- **working days**: the Russian production calendar of :mod:`crmreports.core.workdays` (public
  holidays such as 4 November are not working days), for every report.
- **working days up to a moment** (:func:`working_days_until`): the working days of a period from its
  start to the data date, the day of the data date counted when it has begun (the per-day rates of the
  calls report, the elapsed days of the goals report's period).
- **a manager's deals**: the deal's responsible user (``responsible_user_id``) as stored now, for every
  figure of every report (won deals, revenue, open deals, calls on deals); history of reassignments is
  not kept, so a deal counts for whoever holds it at the data date.
- **like-for-like cohort outcomes**: a cohort of deals created in a period counts its outcomes up to
  the same *age* as the current cohort: up to its own period end plus (as-of − current period end),
  never later than as-of. :func:`outcome_cutoff` gives that moment.
"""

from __future__ import annotations

import pandas as pd

from ..core import workdays
from ..core.periods import Period
from .schema import LOST_STATUS_ID, WON_STATUS_ID

working_days = workdays.working_days
is_working_day = workdays.is_working_day


def working_days_until(period: Period, as_of: pd.Timestamp) -> int:
    """Working days (production calendar) of ``period`` up to the data date ``as_of``, a begun day
    counted: from the period's start to ``min(period end, as_of rounded up to a day)``."""
    end = min(pd.Timestamp(period.end), pd.Timestamp(as_of).ceil("D"))
    start = pd.Timestamp(period.start)
    if end <= start:
        return 0
    return workdays.working_days(start.date(), end.date())


def won_between(leads: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """Deals won within ``[start, end)`` (by ``closed_at``): :func:`won_in` for a part of a period, e.g. a
    plan's fact up to the as-of moment."""
    return leads[(leads["status_id"] == WON_STATUS_ID) & (leads["closed_at"] >= start) & (leads["closed_at"] < end)]


def won_in(leads: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Deals won within ``period`` (by ``closed_at``)."""
    return won_between(leads, period.start_ts, period.end_ts)


def revenue_of(won: pd.DataFrame) -> float:
    """The revenue of a set of won deals: the sum of their prices, a missing price counting as 0."""
    return float(won["price"].fillna(0).sum())


def lost_in(leads: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Deals lost within ``period`` (by ``closed_at``)."""
    return leads[(leads["status_id"] == LOST_STATUS_ID) & period.contains(leads["closed_at"])]


def won_revenue(leads: pd.DataFrame, period: Period) -> float:
    """Revenue of the deals won within ``period``: the sum of their prices (missing prices as 0)."""
    return revenue_of(won_in(leads, period))


def stage_at(leads: pd.DataFrame, stage_changes: pd.DataFrame, moment: pd.Timestamp) -> pd.DataFrame:
    """Each lead's (pipeline_id, status_id) at ``moment``: the last stage change before it, else the
    lead's current stage (a lead without history before ``moment`` is taken to have stayed put)."""
    sc = stage_changes[(stage_changes["at"] < moment) & stage_changes["lead_id"].isin(leads["id"])]
    last = sc.sort_values(["lead_id", "at", "id"]).groupby("lead_id").last()
    cur = leads.set_index("id")[["pipeline_id", "status_id"]]
    pipe = cur["pipeline_id"].copy()
    status = cur["status_id"].copy()
    has = last.index.intersection(cur.index)
    if len(has):  # (an empty assignment into an integer column is refused by pandas)
        pipe.loc[has] = last.loc[has, "to_pipeline_id"].values
        status.loc[has] = last.loc[has, "to_status_id"].values
    return pd.DataFrame({"id": cur.index, "pipeline_id": pipe.values, "status_id": status.values})


def open_deals_at(
    leads: pd.DataFrame, stage_changes: pd.DataFrame, statuses: pd.DataFrame, moment: pd.Timestamp
) -> pd.DataFrame:
    """Open deals at ``moment`` (see the module docstring): id, price, pipeline_id, status_id (the
    stage at ``moment``). Pending «Неразобранное» requests are not deals and are left out."""
    op = leads[(leads["created_at"] < moment) & (leads["closed_at"].isna() | (leads["closed_at"] >= moment))]
    st = stage_at(op, stage_changes, moment)
    out = op[["id", "price"]].merge(st, on="id")
    is_open = statuses["kind"] == "open"
    open_ids = set(zip(statuses.loc[is_open, "pipeline_id"], statuses.loc[is_open, "id"]))
    keep = [(p, s) in open_ids for p, s in zip(out["pipeline_id"], out["status_id"])]
    # a boolean mask, also when empty (out[[]] would select no columns: an account without deals lost its "id")
    return out[pd.Series(keep, index=out.index, dtype=bool)].reset_index(drop=True)


def outcome_cutoff(period: Period, current: Period, as_of: pd.Timestamp) -> pd.Timestamp:
    """The moment up to which a cohort of deals created in ``period`` counts its outcomes so that it is
    as old as the cohort of ``current`` is at ``as_of``: ``period.end + (as_of − current.end)``, never
    after ``as_of``. For ``period == current`` it is ``as_of`` itself."""
    age = pd.Timestamp(as_of) - current.end_ts
    return min(period.end_ts + age, pd.Timestamp(as_of))


def cohort_outcomes(leads: pd.DataFrame, period: Period, cutoff: pd.Timestamp) -> dict[str, int]:
    """The cohort of deals created in ``period``: how many, and how many were won, lost or still open
    at ``cutoff`` (a deal closed at or after ``cutoff`` counts as open)."""
    c = leads[period.contains(leads["created_at"])]
    closed = c["closed_at"].notna() & (c["closed_at"] < cutoff)
    won = int((closed & (c["status_id"] == WON_STATUS_ID)).sum())
    lost = int((closed & (c["status_id"] == LOST_STATUS_ID)).sum())
    return {"created": len(c), "won": won, "lost": lost, "open": len(c) - won - lost}


# ---- appended for issue #14 part B (sales analysis, unsorted leads) -------------------------------------------

Z95 = 1.959963984540054  # the normal quantile of a two-sided 95 % interval


def wilson_interval(k: float, n: float, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval (95 % by default) of a proportion ``k`` of ``n``: the interval every report
    puts on a small-sample rate before ranking by it; (nan, nan) when ``n`` is 0."""
    if not n:
        return float("nan"), float("nan")
    p = k / n
    denom = 1 + z * z / n
    center = (p + z * z / (2 * n)) / denom
    half = z * (p * (1 - p) / n + z * z / (4 * n * n)) ** 0.5 / denom
    return max(0.0, center - half), min(1.0, center + half)


def comparison_cutoffs(current: Period, as_of: pd.Timestamp) -> dict[str, pd.Timestamp]:
    """The outcome cutoffs of the cohorts a report compares: ``current`` (``as_of``), ``previous`` (the
    previous period of the same length) and ``year_ago``, each as old as the current cohort is
    (:func:`outcome_cutoff`)."""
    return {
        "current": pd.Timestamp(as_of),
        "previous": outcome_cutoff(current.previous(), current, as_of),
        "year_ago": outcome_cutoff(current.year_ago(), current, as_of),
    }
