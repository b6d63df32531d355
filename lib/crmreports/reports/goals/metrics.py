"""Sales plans («Цели»): pure plan-progress metrics (DataFrames in, figures out). The plans themselves
come from the plan file, read and validated by :mod:`crmreports.reports.goals.plans`.

Definitions (stated next to every figure in the report):
- fact: won revenue (``revenue`` plans) or the number of won deals (``won_deals`` plans), by the date the
  deal moved to won (``closed_at``), from the period's start up to the as-of moment (exclusive);
- % done = fact / plan; remaining = plan − fact (0 once the plan is met);
- days: the as-of day itself counts as remaining; working days follow the Russian production calendar
  (:mod:`crmreports.core.workdays`); elapsed = working days in [period start, as-of day), left = in
  [as-of day, period end);
- pace needed per working day = remaining / working days left;
- run-rate projection («если продолжит работать в том же ритме») = fact / working days elapsed × working
  days in the period; for a closed period it is the fact;
- weighted open pipeline: for each deal open at the as-of moment, its value (price, or 1 for a count
  plan) × the historical win share of its current stage (of the deals that entered the stage in the 12
  months before the as-of moment, the share won by then) × the share of those won deals that were won
  within the period's remaining calendar days of entering the stage;
- band: low = fact + weighted pipeline (only open deals, each weighted by its chance to be won in time);
  high = fact + the pipeline weighted by the win share alone (as if every open deal closed before the
  period's end at its stage's usual rate). Deals not yet created are in neither.
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
from ...store import WON
from .plans import TEAM, GoalsFile, Plan

LOOKBACK_DAYS = 365


# ---------------------------------------------------------------- facts


def won_between(leads: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """Deals that moved to won within ``[start, end)``."""
    return leads[(leads["status_id"] == WON) & (leads["closed_at"] >= start) & (leads["closed_at"] < end)]


def metric_value(won: pd.DataFrame, metric: str) -> float:
    """Revenue (sum of price) or the number of deals."""
    return float(won["price"].fillna(0).sum()) if metric == "revenue" else float(len(won))


def fact(leads: pd.DataFrame, period: Period, metric: str, until: pd.Timestamp) -> float:
    """The plan's fact: won revenue or won deals from the period's start to ``min(until, period end)``."""
    end = min(pd.Timestamp(until), period.end_ts)
    return metric_value(won_between(leads, period.start_ts, end), metric)


def moment_for(period: Period, as_of: pd.Timestamp) -> pd.Timestamp:
    """The moment a plan is evaluated at: ``as_of`` clamped to the period."""
    return max(period.start_ts, min(pd.Timestamp(as_of), period.end_ts))


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


# ---------------------------------------------------------------- weighted pipeline


def stage_at(leads: pd.DataFrame, stage_changes: pd.DataFrame, moment: pd.Timestamp) -> pd.DataFrame:
    """(id, pipeline_id, status_id) of each lead at ``moment``: its last stage change before then, or its
    current stage when it has no history."""
    sc = stage_changes[(stage_changes["at"] < moment) & stage_changes["lead_id"].isin(leads["id"])]
    last = sc.sort_values(["lead_id", "at", "id"]).groupby("lead_id").last()
    cur = leads.set_index("id")[["pipeline_id", "status_id"]]
    pipe = cur["pipeline_id"].copy()
    status = cur["status_id"].copy()
    has = last.index.intersection(cur.index)
    pipe.loc[has] = last.loc[has, "to_pipeline_id"].values
    status.loc[has] = last.loc[has, "to_status_id"].values
    return pd.DataFrame({"id": cur.index, "pipeline_id": pipe.values, "status_id": status.values})


def open_deals_at(
    leads: pd.DataFrame, stage_changes: pd.DataFrame, statuses: pd.DataFrame, moment: pd.Timestamp
) -> pd.DataFrame:
    """Deals created before ``moment`` and not closed by then, in an open stage: id, price, pipeline_id,
    status_id (the stage at ``moment``)."""
    op = leads[(leads["created_at"] < moment) & (leads["closed_at"].isna() | (leads["closed_at"] >= moment))]
    st = stage_at(op, stage_changes, moment)
    out = op[["id", "price"]].merge(st, on="id")
    open_ids = set(
        zip(statuses.loc[statuses["kind"] == "open", "pipeline_id"], statuses.loc[statuses["kind"] == "open", "id"])
    )
    keep = [(p, s) in open_ids for p, s in zip(out["pipeline_id"], out["status_id"])]
    return out[keep].reset_index(drop=True)


def horizon_days(period: Period, moment: pd.Timestamp) -> float:
    """Calendar days from ``moment`` to the period's end (the "won in time" horizon of the pipeline band)."""
    return (period.end_ts - moment).total_seconds() / 86400.0


COUNT_COLUMNS = ["pipeline_id", "status_id", "entered", "won", "won_in_time"]


def stage_entry_counts(
    leads: pd.DataFrame,
    stage_changes: pd.DataFrame,
    statuses: pd.DataFrame,
    moment: pd.Timestamp,
    horizon_days: float,
    lookback_days: int = LOOKBACK_DAYS,
) -> pd.DataFrame:
    """Per open stage entered in the ``lookback_days`` before ``moment`` (only stages with entries):
    ``entered`` (distinct deals), ``won`` (of those, won before ``moment`` and not before their last entry
    into the stage) and ``won_in_time`` (of the won, within ``horizon_days`` of that entry).
    :func:`stage_stats` turns these counts into shares."""
    start = moment - pd.Timedelta(days=lookback_days)
    opens = statuses[statuses["kind"] == "open"][["pipeline_id", "id"]].rename(columns={"id": "status_id"})
    sc = stage_changes[(stage_changes["at"] >= start) & (stage_changes["at"] < moment)]
    sc = sc.rename(columns={"to_pipeline_id": "pipeline_id", "to_status_id": "status_id"})
    entries = sc.merge(opens, on=["pipeline_id", "status_id"])
    entries = entries.groupby(["pipeline_id", "status_id", "lead_id"])["at"].max().reset_index()
    won = leads[(leads["status_id"] == WON) & (leads["closed_at"] < moment)][["id", "closed_at"]]
    e = entries.merge(won, left_on="lead_id", right_on="id", how="left")
    e["is_won"] = e["closed_at"].notna() & (e["closed_at"] >= e["at"])
    e["days_to_won"] = (e["closed_at"] - e["at"]).dt.total_seconds() / 86400.0
    e["in_time"] = e["is_won"] & (e["days_to_won"] <= horizon_days)
    g = (
        e.groupby(["pipeline_id", "status_id"])
        .agg(entered=("lead_id", "nunique"), won=("is_won", "sum"), won_in_time=("in_time", "sum"))
        .reset_index()
    )
    return g[COUNT_COLUMNS]


def stats_from_counts(counts: pd.DataFrame, statuses: pd.DataFrame) -> pd.DataFrame:
    """:func:`stage_stats` from entry counts (:func:`stage_entry_counts`; several rows of one stage, e.g.
    one per manager, are added up): every open stage with ``entered``, ``won``, ``won_in_time``, ``p_win``
    and ``p_in_time``."""
    opens = statuses[statuses["kind"] == "open"][["pipeline_id", "id"]].rename(columns={"id": "status_id"})
    g = counts.groupby(["pipeline_id", "status_id"])[["entered", "won", "won_in_time"]].sum().reset_index()
    out = opens.merge(g, on=["pipeline_id", "status_id"], how="left").fillna({"entered": 0, "won": 0, "won_in_time": 0})
    for c in ("entered", "won", "won_in_time"):
        out[c] = out[c].astype(int)
    out["p_win"] = np.where(out["entered"] > 0, out["won"] / out["entered"].where(out["entered"] > 0), np.nan)
    out["p_in_time"] = np.where(out["won"] > 0, out["won_in_time"] / out["won"].where(out["won"] > 0), np.nan)
    return out


def stage_stats(
    leads: pd.DataFrame,
    stage_changes: pd.DataFrame,
    statuses: pd.DataFrame,
    moment: pd.Timestamp,
    horizon_days: float,
    lookback_days: int = LOOKBACK_DAYS,
) -> pd.DataFrame:
    """Per open stage, from the stage entries in the ``lookback_days`` before ``moment``:

    - ``entered``: distinct deals that entered the stage in the window;
    - ``won``: of those, deals won before ``moment``; ``p_win`` = won / entered;
    - ``won_in_time``: of the won, deals won within ``horizon_days`` of their last entry into the stage;
      ``p_in_time`` = won_in_time / won.
    """
    return stats_from_counts(
        stage_entry_counts(leads, stage_changes, statuses, moment, horizon_days, lookback_days), statuses
    )


def counts_for(stage_counts: dict, horizon: float) -> pd.DataFrame:
    """The counts of ``stage_counts`` (``{horizon in days: counts}``) made for ``horizon``; a clear error
    when they were made for other horizons only."""
    if horizon not in stage_counts:
        raise ValueError(
            f"stage_counts has no counts for a horizon of {horizon} days; it has them for "
            f"{sorted(stage_counts) or 'none'}"
        )
    return stage_counts[horizon]


def weighted_pipeline(open_deals: pd.DataFrame, stats: pd.DataFrame, metric: str) -> pd.DataFrame:
    """Per stage with open deals: ``open_deals``, ``amount``, ``value`` (amount or count), ``p_win``,
    ``p_in_time``, ``weighted`` (value × p_win × p_in_time) and ``weighted_any_time`` (value × p_win).
    Stages without history (no entries in the window) weigh 0."""
    cols = [
        "pipeline_id",
        "status_id",
        "open_deals",
        "amount",
        "value",
        "p_win",
        "p_in_time",
        "weighted",
        "weighted_any_time",
    ]
    if open_deals.empty:
        return pd.DataFrame(columns=cols)
    g = open_deals.groupby(["pipeline_id", "status_id"]).agg(
        open_deals=("id", "size"), amount=("price", lambda s: float(s.fillna(0).sum()))
    )
    g = g.reset_index().merge(
        stats[["pipeline_id", "status_id", "p_win", "p_in_time"]], on=["pipeline_id", "status_id"], how="left"
    )
    g["value"] = g["amount"] if metric == "revenue" else g["open_deals"].astype(float)
    g["weighted_any_time"] = g["value"] * g["p_win"].fillna(0)
    g["weighted"] = g["weighted_any_time"] * g["p_in_time"].fillna(0)
    return g[cols]


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
    projection: float  # run-rate projection to the period's end
    projected_share: float
    pipeline_weighted: float  # open deals, weighted by win share and by closing in time
    pipeline_any_time: float  # open deals, weighted by win share only
    projection_low: float
    projection_high: float
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
    stage_counts: dict | None = None,
) -> Progress:
    """Fact, % done, remaining, days left, pace needed, run-rate projection and the pipeline band.

    ``stage_counts``: the stage entry counts of these deals already made, ``{horizon in days: counts as
    :func:`stage_entry_counts` gives them}`` (all rows of the plan's horizon are added up), e.g. by a
    loader that counted them in the store; by default they are counted from ``leads`` and
    ``stage_changes``."""
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
        projection = f
    elif wd_elapsed > 0:
        projection = f / wd_elapsed * wd_total
    else:
        projection = float("nan")
    pace_actual = f / wd_elapsed if wd_elapsed else float("nan")
    pace_needed = remaining / wd_left if wd_left else float("nan")
    if status != "in_progress":  # closed: nothing left to win; not started: the pipeline is not for it yet
        pipe = weighted_pipeline(
            pd.DataFrame(columns=["id", "price", "pipeline_id", "status_id"]), pd.DataFrame(), plan.metric
        )
        w = w_any = 0.0
    else:
        horizon = horizon_days(per, moment)
        if stage_counts is None:
            stats = stage_stats(leads, stage_changes, statuses, moment, horizon)
        else:
            stats = stats_from_counts(counts_for(stage_counts, horizon), statuses)
        pipe = weighted_pipeline(open_deals_at(leads, stage_changes, statuses, moment), stats, plan.metric)
        w, w_any = float(pipe["weighted"].sum()), float(pipe["weighted_any_time"].sum())
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
        projection=projection,
        projected_share=projection / plan.target if not math.isnan(projection) else float("nan"),
        pipeline_weighted=w,
        pipeline_any_time=w_any,
        projection_low=f + w if status != "not_started" else float("nan"),
        projection_high=f + w_any if status != "not_started" else float("nan"),
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
    stage_counts: dict | None = None,
) -> pd.DataFrame:
    """One row per manager plan for exactly ``period``: manager, metric, plan, fact, done_share,
    remaining, projection, projected_share, pace_needed, working_days_left.

    ``stage_counts``: as for :func:`progress`, with a ``responsible_user_id`` column in each frame (a
    manager's plan uses their rows)."""
    ids = {str(n).casefold(): int(i) for i, n in zip(users["id"], users["name"])}
    rows = []
    for p in goals.plans:
        if p.scope == TEAM or p.period.key != period.key:
            continue
        uid = p.user_id if p.user_id is not None else ids.get(p.scope.casefold())
        mine = leads[leads["responsible_user_id"] == uid]
        counts = (
            None if stage_counts is None else {h: c[c["responsible_user_id"] == uid] for h, c in stage_counts.items()}
        )
        pr = progress(p, mine, stage_changes[stage_changes["lead_id"].isin(mine["id"])], statuses, as_of, counts)
        rows.append(
            {
                "manager": p.scope,
                "user_id": uid,
                "metric": p.metric,
                "plan": p.target,
                "fact": pr.fact,
                "done_share": pr.done_share,
                "remaining": pr.remaining,
                "projection": pr.projection,
                "projected_share": pr.projected_share,
                "pace_needed": pr.pace_needed,
                "working_days_left": pr.working_days_left,
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
        "pace_needed",
        "working_days_left",
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
