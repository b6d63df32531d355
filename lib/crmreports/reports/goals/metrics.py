"""Sales plans («Цели»): pure plan-progress metrics (DataFrames in, figures out). The plans themselves
come from the plan file, read and validated by :mod:`crmreports.store.plans` (with a plan's fact and done share,
shared with the managers scorecard).

Definitions (stated next to every figure in the report):
- fact: won revenue (``revenue`` plans) or the number of won deals (``won_deals`` plans), by the date the
  deal moved to won (``closed_at``), from the period's start up to the as-of moment (exclusive);
- % done = fact / plan; remaining = plan − fact (0 once the plan is met);
- days: the as-of day itself counts as remaining; working days follow the Russian production calendar
  (:mod:`crmreports.core.workdays`); elapsed = working days in [period start, as-of day), left = in
  [as-of day, period end);
- pace needed per working day = remaining / working days left;
- run-rate («если продолжит работать в том же ритме») = fact / working days elapsed × working days in the
  period; for a closed period it is the fact;
- projection of a running plan = fact + the sales forecast's expected won revenue (or won deals) for the
  rest of the period: the forecast report's model (:mod:`crmreports.store.forecasting`, one model for
  both reports) as of the last month start at or before the as-of moment: open deals weighted by the
  probability that a deal at their stage *and age* is won within each month (old, stale deals weigh what
  deals of their age have historically been won at), new deals still to come, and the time series,
  combined; each forecast month counts by the share of its working days left in the period. The band
  (``projection_low`` – ``projection_high``) is fact + the forecast's 80 % interval for that window, so
  low ≤ projection ≤ high, and goals and forecast give the same expected revenue for the same window;
- open deals: :func:`crmreports.store.concepts.open_deals_at` at the as-of moment (pending
  «Неразобранное» requests are not deals), the same count as the forecast's and the sales report's.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from ...core import workdays
from ...core.periods import Period
from ...store import concepts
from ...store import forecasting as model_lib
from ...store.plans import TEAM, GoalsFile, Plan, fact, moment_for

OLD_DAYS = 365  # open deals older than this are reported apart (their share of the projection)
MEASURE = {"revenue": "revenue", "won_deals": "deals"}  # a plan's metric → the forecast's measure


# ---------------------------------------------------------------- facts


def won_between(leads: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """Deals that moved to won within ``[start, end)``: :func:`crmreports.store.concepts.won_between`."""
    return concepts.won_between(leads, start, end)


def daily_cumulative(
    leads: pd.DataFrame, period: Period, metric: str, as_of: pd.Timestamp, target: float | None = None
) -> pd.DataFrame:
    """One row per day of the period: ``day``, ``value`` (won that day, NaN after the as-of moment),
    ``cumulative`` fact, ``working`` (a working day?), ``plan_line`` (the target spread evenly over the
    working days: its cumulative value at the end of each day)."""
    days = pd.date_range(period.start_ts, period.end_ts - pd.Timedelta(days=1), freq="D")
    moment = moment_for(period, as_of)
    won = won_between(leads, period.start_ts, moment)
    per_day = (
        (
            won.assign(day=won["closed_at"].dt.normalize())
            .groupby("day")["price"]
            .agg("sum" if metric == "revenue" else "size")
        )
        if len(won)
        else pd.Series(dtype=float)
    )
    value = per_day.reindex(days, fill_value=0).astype(float)
    working = np.array([workdays.is_working_day(d.date()) for d in days])
    total_wd = working.sum()
    plan_line = (np.cumsum(working) / total_wd * target) if (target and total_wd) else np.full(len(days), np.nan)
    out = pd.DataFrame({"day": days, "value": value.values, "working": working, "plan_line": plan_line})
    out["cumulative"] = out["value"].cumsum()
    out.loc[out["day"] >= moment, ["value", "cumulative"]] = np.nan  # not yet known at the as-of moment
    return out


# ---------------------------------------------------------------- the forecast's model


@dataclass(frozen=True)
class Model:
    """The sales forecast of one scope as of ``origin`` (:func:`crmreports.store.forecasting.model_results`):
    ``status`` ("ok", or why there is no forecast: "short_history", "no_won", "inactive"), ``table`` (one
    row per forecast month ``k`` and measure with ``combined`` and ``high``, the intervals as the forecast
    report shows them) and ``open_deals`` (the weighted open deals at the origin, when known)."""

    origin: pd.Timestamp
    status: str
    table: pd.DataFrame
    open_deals: pd.DataFrame = field(default_factory=pd.DataFrame)

    @classmethod
    def of(cls, fc) -> Model:
        """From a :class:`crmreports.store.forecasting.Forecast` (its intervals as shown)."""
        return cls(pd.Timestamp(fc.origin), fc.status, fc.table, fc.open_deals)

    def window(self, start: pd.Timestamp, end: pd.Timestamp, metric: str):
        """:func:`crmreports.store.forecasting.window` of ``[start, end)`` for the plan's ``metric``; None when
        there is no forecast or the window is not inside the forecast months."""
        if self.status != "ok":
            return None
        try:
            return model_lib.window(self.table, self.origin, start, end, MEASURE[metric])
        except ValueError:
            return None


PIPELINE_COLUMNS = [
    "pipeline_id",
    "status_id",
    "open_deals",
    "amount",
    "p_win",
    "expected",
    "old_deals",
    "old_expected",
]


def pipeline_in_window(open_deals: pd.DataFrame, shares, metric: str) -> pd.DataFrame:
    """Per stage of the forecast's weighted open deals: ``open_deals``, ``amount``, ``p_win`` (the mean
    win probability of their stage and age), ``expected`` (won revenue, or won deals, expected from them
    inside the window: Σ share_k × P(won in forecast month k) × value) and the part of it from deals older
    than :data:`OLD_DAYS` days (``old_deals``, ``old_expected``)."""
    if open_deals is None or open_deals.empty:
        return pd.DataFrame(columns=PIPELINE_COLUMNS)
    od = open_deals
    p = sum(sh * od[f"p_{k}"] for k, sh in enumerate(shares, start=1))
    value = od["price"] if metric == "revenue" else 1.0
    old = od["age_days"] > OLD_DAYS
    e = od.assign(expected=p * value, is_old=old)
    e["old_expected"] = e["expected"].where(old, 0.0)
    g = (
        e.groupby(["pipeline_id", "status_id"])
        .agg(
            open_deals=("lead_id", "size"),
            amount=("price", "sum"),
            p_win=("p_win", "mean"),
            expected=("expected", "sum"),
            old_deals=("is_old", "sum"),
            old_expected=("old_expected", "sum"),
        )
        .reset_index()
    )
    g["old_deals"] = g["old_deals"].astype(int)
    return g[PIPELINE_COLUMNS]


# ---------------------------------------------------------------- progress


@dataclass
class Progress:
    """Where one plan stands at the as-of moment (see the module docstring for every definition)."""

    plan: Plan
    as_of: pd.Timestamp  # the evaluation moment, clamped to the period
    status: str  # not_started | in_progress | closed
    target: float
    fact: float
    done_share: float
    remaining: float  # 0 once met
    excess: float  # fact above the plan, 0 otherwise
    days_total: int
    days_left: int  # calendar days, the as-of day included
    working_days_total: int
    working_days_elapsed: int
    working_days_left: int
    pace_actual: float  # fact per elapsed working day
    pace_needed: float  # remaining per working day left (NaN when none is left)
    run_rate: float  # run-rate projection to the period's end
    run_rate_share: float
    projection: float  # fact + the forecast's expected rest of the period (NaN without a forecast)
    projected_share: float
    projection_low: float
    projection_high: float
    pipeline_weighted: float  # the part of the expected rest from the deals open at the forecast's origin
    open_deals: int  # open deals at the as-of moment (store.concepts)
    forecast_origin: pd.Timestamp | None = None
    forecast_status: str = ""  # why there is no projection, when there is none
    window_shares: tuple = ()  # each forecast month's share inside the rest of the period
    pipeline: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)

    def figures(self) -> dict:
        """Headline figure keys (DESIGN.md names where they exist)."""
        return {
            "plan": self.target,
            "fact": self.fact,
            "plan_done_share": self.done_share,
            "plan_remaining": self.remaining,
            "projection": self.projection,
            "projection_low": self.projection_low,
            "projection_high": self.projection_high,
            "projection_run_rate": self.run_rate,
            "forecast_rest": self.projection - self.fact if not math.isnan(self.projection) else float("nan"),
            "forecast_origin": None if self.forecast_origin is None else str(self.forecast_origin.date()),
            "weighted_pipeline": self.pipeline_weighted,
            "working_days_left": self.working_days_left,
            "working_days_elapsed": self.working_days_elapsed,
            "working_days_total": self.working_days_total,
            "days_left": self.days_left,
            "pace_needed_per_working_day": self.pace_needed,
            "pace_actual_per_working_day": self.pace_actual,
        }


def progress(
    plan: Plan,
    leads: pd.DataFrame,
    stage_changes: pd.DataFrame,
    statuses: pd.DataFrame,
    as_of: pd.Timestamp,
    model: Model | None = None,
) -> Progress:
    """Fact, % done, remaining, days and working days left, pace needed, run-rate, the open deals at the
    as-of moment and the projection from the forecast's ``model`` of the plan's scope (none without one).

    A closed plan's projection and band are its fact; a plan not started yet has none."""
    per = plan.period
    moment = moment_for(per, as_of)
    status = "not_started" if moment <= per.start_ts else "closed" if moment >= per.end_ts else "in_progress"
    day = moment.normalize().date() if status == "in_progress" else (per.start if status == "not_started" else per.end)
    f = fact(leads, per, plan.metric, moment)
    wd_total = workdays.working_days(per.start, per.end)
    wd_elapsed = workdays.working_days(per.start, day)
    wd_left = wd_total - wd_elapsed
    days_left = (per.end - day).days
    remaining = max(plan.target - f, 0.0)
    if status == "closed":
        run_rate = f
    elif wd_elapsed > 0:
        run_rate = f / wd_elapsed * wd_total
    else:
        run_rate = float("nan")
    pace_actual = f / wd_elapsed if wd_elapsed else float("nan")
    pace_needed = remaining / wd_left if wd_left else float("nan")
    nan = float("nan")
    projection = low = high = weighted = nan
    pipe = pd.DataFrame(columns=PIPELINE_COLUMNS)
    shares: tuple = ()
    why = ""
    n_open = 0
    if status == "closed":
        projection = low = high = f
        weighted = 0.0
    elif status == "in_progress":
        n_open = len(concepts.open_deals_at(leads, stage_changes, statuses, moment))
        w = model.window(moment, per.end_ts, plan.metric) if model is not None else None
        if w is None:
            why = "no_model" if model is None else (model.status if model.status != "ok" else "beyond_horizon")
        else:
            projection, low, high, shares = f + w.expected, f + w.low, f + w.high, w.months
            pipe = pipeline_in_window(model.open_deals, shares, plan.metric)
            weighted = float(pipe["expected"].sum()) if len(pipe) else 0.0
    return Progress(
        plan=plan,
        as_of=moment,
        status=status,
        target=plan.target,
        fact=f,
        done_share=f / plan.target,
        remaining=remaining,
        excess=max(f - plan.target, 0.0),
        days_total=per.days,
        days_left=days_left,
        working_days_total=wd_total,
        working_days_elapsed=wd_elapsed,
        working_days_left=wd_left,
        pace_actual=pace_actual,
        pace_needed=pace_needed,
        run_rate=run_rate,
        run_rate_share=run_rate / plan.target if not math.isnan(run_rate) else nan,
        projection=projection,
        projected_share=projection / plan.target if not math.isnan(projection) else nan,
        projection_low=low,
        projection_high=high,
        pipeline_weighted=weighted,
        open_deals=n_open,
        forecast_origin=model.origin if model is not None and status == "in_progress" else None,
        forecast_status=why,
        window_shares=tuple(shares),
        pipeline=pipe,
    )


def fact_at_working_day(
    leads: pd.DataFrame, period: Period, metric: str, n_working_days: int, as_of: pd.Timestamp
) -> float:
    """The fact after the first ``n_working_days`` working days of ``period`` (for comparing a running
    period with earlier ones at the same point), never past ``as_of``."""
    until = pd.Timestamp(workdays.after_working_days(period.start, period.end, n_working_days))
    return fact(leads, period, metric, min(until, pd.Timestamp(as_of)))


def comparison(
    leads: pd.DataFrame, goals: GoalsFile, scope_name: str | None, period: Period, metric: str, as_of: pd.Timestamp
) -> pd.DataFrame:
    """This period, the previous one and the same period a year ago: ``which``, ``period``, ``plan``
    (NaN when the file has none), ``fact`` (to the as-of moment), ``done_share``, ``fact_same_point``
    (after as many working days as have passed in this period; the whole period's fact once this period
    has ended) and ``complete`` (the period has ended)."""
    cur = moment_for(period, as_of)
    closed = cur >= period.end_ts
    n = workdays.working_days(period.start, cur.normalize().date()) if not closed else 0
    rows = []
    for which, p in (("current", period), ("previous", period.previous()), ("year_ago", period.year_ago())):
        pl = goals.find(scope_name, p, metric)
        f = fact(leads, p, metric, as_of)
        rows.append(
            {
                "which": which,
                "period": p.key,
                "plan": pl.target if pl else float("nan"),
                "fact": f,
                "done_share": f / pl.target if pl else float("nan"),
                "fact_same_point": f if closed else fact_at_working_day(leads, p, metric, n, as_of),
                "complete": pd.Timestamp(as_of) >= p.end_ts,
            }
        )
    return pd.DataFrame(rows)


def managers_progress(
    leads: pd.DataFrame,
    stage_changes: pd.DataFrame,
    statuses: pd.DataFrame,
    goals: GoalsFile,
    users: pd.DataFrame,
    period: Period,
    as_of: pd.Timestamp,
    models: dict | None = None,
) -> pd.DataFrame:
    """One row per manager plan for exactly ``period``: manager, metric, plan, fact, done_share,
    remaining, projection, projected_share, run_rate_share, pace_needed, working_days_left, status
    (the forecast's for a running plan: "ok", or why there is no projection).

    ``models``: each manager's forecast model (:class:`Model`), by user id (a manager without one gets no
    projection)."""
    ids = {str(n).casefold(): int(i) for i, n in zip(users["id"], users["name"])}
    rows = []
    for p in goals.plans:
        if p.scope == TEAM or p.period.key != period.key:
            continue
        uid = p.user_id if p.user_id is not None else ids.get(p.scope.casefold())
        mine = leads[leads["responsible_user_id"] == uid]
        model = (models or {}).get(uid)
        pr = progress(p, mine, stage_changes[stage_changes["lead_id"].isin(mine["id"])], statuses, as_of, model)
        rows.append(
            {
                "manager": p.scope,
                "user_id": uid,
                "metric": p.metric,
                "plan": pr.target,
                "fact": pr.fact,
                "done_share": pr.done_share,
                "remaining": pr.remaining,
                "projection": pr.projection,
                "projected_share": pr.projected_share,
                "run_rate_share": pr.run_rate_share,
                "pace_needed": pr.pace_needed,
                "working_days_left": pr.working_days_left,
                "status": pr.forecast_status or "ok",
            }
        )
    cols = [
        "manager",
        "user_id",
        "metric",
        "plan",
        "fact",
        "done_share",
        "remaining",
        "projection",
        "projected_share",
        "run_rate_share",
        "pace_needed",
        "working_days_left",
        "status",
    ]
    df = pd.DataFrame(rows, columns=cols)
    return df.sort_values(["metric", "done_share"], ascending=[True, False]).reset_index(drop=True)


def plans_overview(plans: Iterable[Plan]) -> list[str]:
    """``"2026-10 revenue"``-style descriptions of plans (for the "no plan" sentence)."""
    return [f"{p.period.key} ({p.metric})" for p in plans]


def parse_as_of(text: str | None, data_end: pd.Timestamp) -> tuple[pd.Timestamp, bool]:
    """The as-of moment: the start of the given day (YYYY-MM-DD), or the end of the data when empty;
    a day after the data's end is clamped to it. Returns (moment, clamped)."""
    if text is None or str(text).strip() == "":
        return pd.Timestamp(data_end), False
    try:
        d = date.fromisoformat(str(text).strip())
    except ValueError:
        from ...core.scopes import ParameterError

        raise ParameterError(
            f"bad as_of {text!r}; valid: a date YYYY-MM-DD such as 2026-10-15, or empty for the end of the data"
        ) from None
    moment = pd.Timestamp(d)
    if moment > pd.Timestamp(data_end):
        return pd.Timestamp(data_end), True
    return moment, False
