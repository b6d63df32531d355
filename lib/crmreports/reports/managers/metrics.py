"""The managers scorecard («По сотрудникам»): pure functions over the store's frames (naive local time).

Definitions (stated in the report next to the figures):

- a manager's deals: the deal's responsible user as stored now (:mod:`crmreports.store.concepts`);
  won deals, revenue, lost deals, open deals and working days come from :mod:`crmreports.store.concepts`;
- activity in a period: calls by the calling user (``out``, ``in``, missed = not answered inbound), talk time =
  the duration of answered calls; meetings by the rule of ``params/meetings.yaml``, the calls report's
  (:mod:`crmreports.store.meetings`: completed tasks of one type by completion time and responsible user, or
  deals entering one stage, each once per period, for the deal's responsible user); tasks completed, by
  completion time;
- new deals: created in the period; average check = revenue / won deals; win rate by count =
  won / (won + lost) among deals closed in the period; by money = won amount / (won + lost amount);
  call → meeting = meetings / calls (in and out);
- lead processing time: for the deals created in the period, creation → the first call on the deal, task on
  the deal or stage change after it, whichever is first (median, hours); deals with none of them by the
  as-of moment are counted apart (``unprocessed``);
- time to close: the median created → closed of the deals won in the period (days);
- honesty: every rate carries a 95 % Wilson interval (:func:`crmreports.store.concepts.wilson_interval`) and its
  count; a manager's win rate is also shown shrunk
  toward the team's (a beta prior of strength :data:`PRIOR_DEALS` decided deals at the team's rate:
  (won + k·p_team) / (decided + k)); a manager is called above/below the team only when the whole interval
  lies above/below the team's rate;
- sales velocity = open deals × win rate × average check ÷ time to close (roubles per day), its change
  against the previous period split into the four levers by the logarithmic mean Divisia index (LMDI):
  each lever's share is L(V₁, V₀) · ln(x₁ / x₀), which sums to V₁ − V₀ exactly; when a lever is zero or
  missing in either period the split is sequential in the stated order (open deals, win rate, average check,
  time to close), which also sums exactly;
- weighted pipeline: each open deal's amount × the probability that it is ever won, from the sales forecast's
  model (:mod:`crmreports.store.forecasting`: Aalen–Johansen by pipeline, stage and age band, with its fallbacks
  for sparse cells), estimated as of the forecast origin (the as-of moment's month start) from the snapshots of
  the scope's own deals, as the forecast report estimates it for that scope; the figure the forecast report
  shows as the weighted pipeline («Взвешенно»), so a scope's weighted pipeline is the same in both reports.
  Each manager's row uses the probabilities of that manager's deals, so the rows need not add up to the team's;
- plan done share: fact / plan of the scope's plan for exactly the report's period
  (:mod:`crmreports.store.plans`, the goals report's fact: won revenue or won deals up to the as-of moment).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ...core.periods import Period
from ...store import LOST_STATUS_ID, concepts
from ...store import forecasting as model_lib
from ...store import meetings as meeting_rules
from ...store.plans import METRICS as PLAN_METRICS
from ...store.plans import GoalsFile, Plan

PRIOR_DEALS = 20  # strength of the team prior in the shrunk win rate, in decided deals
LEVERS = ("open_deals", "win_rate", "average_check", "cycle_days")
WEEKDAYS = 7


# ---- uncertainty -----------------------------------------------------------------------------------------


def shrunk_rate(k: float, n: float, prior_rate: float, strength: float = PRIOR_DEALS) -> float:
    """(k + strength·prior_rate) / (n + strength): a beta prior worth ``strength`` observations at
    ``prior_rate`` (empirical Bayes toward the team); the prior itself when n = 0."""
    if prior_rate is None or (isinstance(prior_rate, float) and math.isnan(prior_rate)):
        return k / n if n else float("nan")
    return (k + strength * prior_rate) / (n + strength)


def separated(lo: float, hi: float, ref: float) -> str:
    """ "above" when the interval lies wholly above ``ref``, "below" when wholly below, else ""."""
    if any(isinstance(v, float) and math.isnan(v) for v in (lo, hi, ref)):
        return ""
    return "above" if lo > ref else "below" if hi < ref else ""


# ---- per-period figures -------------------------------------------------------------------------------------


def _in(df: pd.DataFrame, col: str, period: Period) -> pd.DataFrame:
    return df[period.contains(df[col])]


def _users(df: pd.DataFrame, col: str, user_ids) -> pd.DataFrame:
    return df if user_ids is None else df[df[col].isin(list(user_ids))]


def _median(s: pd.Series) -> float:
    s = s.dropna()
    return float(s.median()) if len(s) else float("nan")


def processing_hours(
    leads: pd.DataFrame, calls: pd.DataFrame, tasks: pd.DataFrame, stage_changes: pd.DataFrame, as_of
) -> pd.Series:
    """Per deal of ``leads`` (index: id): hours from creation to the first call on it, task created on it or
    stage change after its creation, whichever is first and before ``as_of``; NaN without any."""
    as_of = pd.Timestamp(as_of)
    created = leads.set_index("id")["created_at"]
    firsts = []
    c = calls[calls["lead_id"].isin(created.index) & (calls["at"] < as_of)]
    firsts.append(c[["lead_id", "at"]].rename(columns={"lead_id": "id"}))
    on_deal = tasks["entity"].astype(str).str.lower().isin(("lead", "leads"))
    tk = tasks[on_deal & tasks["entity_id"].isin(created.index) & (tasks["created_at"] < as_of)]
    firsts.append(tk[["entity_id", "created_at"]].rename(columns={"entity_id": "id", "created_at": "at"}))
    sc = stage_changes[stage_changes["lead_id"].isin(created.index) & (stage_changes["at"] < as_of)]
    firsts.append(sc[["lead_id", "at"]].rename(columns={"lead_id": "id"}))
    ev = pd.concat(firsts, ignore_index=True)
    ev["id"] = ev["id"].astype("int64")
    ev = ev.merge(created.rename("created").reset_index(), on="id")
    first = ev[ev["at"] > ev["created"]].groupby("id")["at"].min()
    if created.empty:
        return pd.Series(dtype="float64", name="hours", index=created.index)
    return ((first.reindex(created.index) - created).dt.total_seconds() / 3600.0).rename("hours")


def period_figures(
    leads: pd.DataFrame,
    calls: pd.DataFrame,
    tasks: pd.DataFrame,
    stage_changes: pd.DataFrame,
    period: Period,
    as_of,
    user_ids=None,
    statuses: pd.DataFrame | None = None,
    meetings: pd.DataFrame | None = None,
) -> dict:
    """The activity and result figures of one period for the users ``user_ids`` (None: everyone); ``leads``
    are every deal (filtered here by responsible user). With ``statuses``, new deals leave out the requests
    still pending in «Неразобранное» (requests, not deals: :mod:`crmreports.store.concepts`). ``meetings``: the
    meetings of the configured rule (:func:`crmreports.store.meetings.meeting_events`, every user's); None: those
    of the default rule (completed tasks of type 2, «Встреча»)."""
    if meetings is None:
        meetings = meeting_rules.meeting_events(meeting_rules.DEFAULT_RULE, tasks, stage_changes, statuses, leads)
    ld = _users(leads, "responsible_user_id", user_ids)
    cl = _users(_in(calls, "at", period), "user_id", user_ids)
    tk = _users(tasks, "responsible_user_id", user_ids)
    direction = cl["direction"].astype(str).str.lower()
    answered = cl["is_answered"].astype("boolean").fillna(False).astype(bool)
    done = tk["is_completed"].astype("boolean").fillna(False).astype(bool) & period.contains(tk["completed_at"])
    n_meetings = meeting_rules.count_meetings(_users(meetings, "user_id", user_ids), period)
    won = concepts.won_in(ld, period)
    lost = concepts.lost_in(ld, period)
    revenue = float(won["price"].fillna(0).sum())
    lost_amount = float(lost["price"].fillna(0).sum())
    created = ld[period.contains(ld["created_at"])]
    if statuses is not None:
        pending = statuses.loc[statuses["kind"] == "unsorted", ["pipeline_id", "id"]]
        keys = set(zip(pending["pipeline_id"], pending["id"]))
        request = [(p, s) in keys for p, s in zip(created["pipeline_id"], created["status_id"])]
        created = created[~pd.Series(request, index=created.index, dtype=bool)]
    hours = processing_hours(created, calls, tasks, stage_changes, as_of)
    cycle = (won["closed_at"] - won["created_at"]).dt.total_seconds() / 86400.0
    n_won, n_lost = len(won), len(lost)
    calls_total = len(cl)
    decided = n_won + n_lost
    return {
        "calls_out": int((direction == "out").sum()),
        "calls_in": int((direction == "in").sum()),
        "calls_missed": int(((direction == "in") & ~answered).sum()),
        "calls_total": calls_total,
        "talk_time_s": float(cl.loc[answered, "duration_s"].fillna(0).sum()),
        "meetings": n_meetings,
        "tasks_completed": int(done.sum()),
        "created_deals": len(created),
        "won_deals": n_won,
        "lost_deals": n_lost,
        "decided_deals": decided,
        "revenue": revenue,
        "lost_amount": lost_amount,
        "average_check": revenue / n_won if n_won else float("nan"),
        "win_rate": n_won / decided if decided else float("nan"),
        "win_rate_money": revenue / (revenue + lost_amount) if revenue + lost_amount > 0 else float("nan"),
        "call_to_meeting": n_meetings / calls_total if calls_total else float("nan"),
        "processing_median_h": _median(hours),
        "processing_n": int(hours.notna().sum()),
        "unprocessed": int(hours.isna().sum()),
        "cycle_median_days": _median(cycle),
    }


RATE_KEYS = ("win_rate", "win_rate_money", "call_to_meeting")
COUNT_KEYS = (
    "calls_out",
    "calls_in",
    "calls_missed",
    "calls_total",
    "meetings",
    "tasks_completed",
    "created_deals",
    "won_deals",
    "lost_deals",
    "decided_deals",
    "processing_n",
    "unprocessed",
)


# ---- the weighted pipeline: the forecast's probabilities ----------------------------------------------------


def forecast_snapshots(
    leads: pd.DataFrame,
    origin_stages: pd.Series,
    month_stages: pd.DataFrame,
    statuses: pd.DataFrame,
    origin: pd.Timestamp,
    settings: model_lib.Settings = model_lib.DEFAULT,
) -> pd.DataFrame:
    """The forecast's snapshots (:mod:`crmreports.store.forecasting.history`) of the deals known at ``origin``
    at the ``lookback`` month starts before it, from the forecast's read (:func:`.query.load_managers`), without
    pending «Неразобранное» requests: what the forecast report estimates its probabilities from."""
    known = model_lib.known_with_stages(leads, origin_stages, origin)
    moments = model_lib.snapshot_moments(known, origin, settings.lookback)
    return model_lib.without_requests(model_lib.snapshots_from_months(known, month_stages, moments), statuses)


def forecast_probabilities(
    snapshots: pd.DataFrame, origin: pd.Timestamp, user_ids=None, settings: model_lib.Settings = model_lib.DEFAULT
) -> pd.DataFrame:
    """The forecast's win probabilities as of ``origin`` (:func:`crmreports.store.forecasting.stage_probabilities`)
    estimated from the snapshot rows of the deals of ``user_ids`` (None: every deal), as the forecast report
    estimates them for that scope; an empty table without any row."""
    s = snapshots if user_ids is None else snapshots[snapshots["user_id"].isin(list(user_ids))]
    if s is None or s.empty:
        return pd.DataFrame(columns=model_lib.PROBABILITY_COLUMNS)
    return model_lib.stage_probabilities(s.reset_index(drop=True), origin, settings)


def weighted_open_deals(
    open_deals: pd.DataFrame,
    created_at: pd.Series,
    probabilities: pd.DataFrame,
    moment: pd.Timestamp,
    settings: model_lib.Settings = model_lib.DEFAULT,
) -> pd.Series:
    """Each open deal's amount × the probability that it is ever won (``p_win`` of the forecast's
    :func:`crmreports.store.forecasting.weight_open_deals`: the finest cell of its pipeline, stage and age band at
    ``moment`` with enough observations), aligned with ``open_deals`` (``pipeline_id``, ``status_id``, ``price``;
    ``created_at``: each deal's creation time). NaN where the probabilities have no cell for the deal (too few
    observations in the scope at every level)."""
    if open_deals.empty:
        return pd.Series(dtype="float64", index=open_deals.index)
    od = pd.DataFrame(
        {
            "pipeline_id": open_deals["pipeline_id"].to_numpy(),
            "status_id": open_deals["status_id"].to_numpy(),
            "price": open_deals["price"].fillna(0.0).astype(float).to_numpy(),
            "age_days": ((pd.Timestamp(moment) - pd.to_datetime(created_at)) / pd.Timedelta(days=1)).to_numpy(),
        }
    )
    w = model_lib.weight_open_deals(od, probabilities, settings)
    return pd.Series(w["weighted"].where(w["level"].notna()).to_numpy(dtype=float), index=open_deals.index)


# ---- plans ----------------------------------------------------------------------------------------------------


def period_plan(goals: GoalsFile | None, scope_name: str | None, period: Period) -> Plan | None:
    """The scope's plan for exactly ``period`` (the team: ``scope_name`` None), revenue before won deals; None
    without one (or without a goals file)."""
    if goals is None:
        return None
    for metric in PLAN_METRICS:
        plan = goals.find(scope_name, period, metric)
        if plan is not None:
            return plan
    return None


# ---- velocity ---------------------------------------------------------------------------------------------


def velocity(open_deals: float, win_rate: float, average_check: float, cycle_days: float) -> float:
    """Sales velocity in money per day: open deals × win rate × average check ÷ time to close (days)."""
    vals = [open_deals, win_rate, average_check, cycle_days]
    if any(v is None or (isinstance(v, float) and math.isnan(v)) for v in vals) or not cycle_days:
        return float("nan")
    return float(open_deals) * float(win_rate) * float(average_check) / float(cycle_days)


def _factors(x: dict) -> list[float]:
    """The four multiplicative factors of velocity (the cycle enters as 1 / cycle)."""
    c = x["cycle_days"]
    return [x["open_deals"], x["win_rate"], x["average_check"], (1.0 / c) if c else float("nan")]


def _ok(v) -> bool:
    return v is not None and not (isinstance(v, float) and math.isnan(v))


@dataclass(frozen=True)
class Decomposition:
    """The change of velocity (``total`` = current − previous) split into the four levers (``parts``, money
    per day, summing to ``total``), and the ``method`` used (``lmdi`` or ``sequential``)."""

    previous: float
    current: float
    total: float
    parts: dict
    method: str


def decompose(prev: dict, cur: dict) -> Decomposition | None:
    """Split V(cur) − V(prev) into the levers :data:`LEVERS` (see the module docstring). ``prev`` and ``cur``
    hold the four levers; None when either velocity cannot be computed (a lever missing, or no cycle)."""
    v0 = velocity(*(prev[k] for k in LEVERS))
    v1 = velocity(*(cur[k] for k in LEVERS))
    if not (_ok(v0) and _ok(v1)):
        return None
    f0, f1 = _factors(prev), _factors(cur)
    total = v1 - v0
    if all(a > 0 and b > 0 for a, b in zip(f0, f1)):
        w = v1 if math.isclose(v1, v0, rel_tol=1e-12) else (v1 - v0) / (math.log(v1) - math.log(v0))
        parts = {k: w * math.log(b / a) for k, a, b in zip(LEVERS, f0, f1)}
        method = "lmdi"
    else:
        parts, x = {}, list(f0)
        before = v0
        for i, k in enumerate(LEVERS):
            x[i] = f1[i]
            after = float(np.prod(x))
            parts[k] = after - before
            before = after
        method = "sequential"
    # the last lever takes the floating-point residue, so the parts sum to the total exactly as printed
    last = LEVERS[-1]
    parts[last] = total - sum(v for k, v in parts.items() if k != last)
    return Decomposition(v0, v1, total, parts, method)


# ---- losses and activity ------------------------------------------------------------------------------------


def loss_stage(leads_lost: pd.DataFrame, stage_changes: pd.DataFrame) -> pd.Series:
    """Per lost deal (index aligned with ``leads_lost``): the (pipeline_id, status_id) it was lost from (the
    stage before its move to «lost»), as a ``"pipeline_id:status_id"`` key; NaN when the history lacks it."""
    sc = stage_changes[
        stage_changes["lead_id"].isin(leads_lost["id"]) & (stage_changes["to_status_id"] == LOST_STATUS_ID)
    ]
    last = sc.sort_values(["lead_id", "at", "id"]).groupby("lead_id").last()
    key = (
        last["from_pipeline_id"].astype("Int64").astype(str) + ":" + last["from_status_id"].astype("Int64").astype(str)
    )
    key = key.where(last["from_status_id"].notna())
    return leads_lost["id"].map(key)


def losses(leads: pd.DataFrame, stage_changes: pd.DataFrame, reasons: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Deals lost in the period with ``amount``, ``reason`` (name; None when not given), ``stage_key`` and
    ``responsible_user_id``."""
    lost = concepts.lost_in(leads, period).copy()
    names = dict(zip(reasons["id"], reasons["name"]))
    lost["reason"] = lost["loss_reason_id"].map(names)
    lost["amount"] = lost["price"].fillna(0.0)
    lost["stage_key"] = loss_stage(lost, stage_changes)
    return lost[["id", "name", "responsible_user_id", "reason", "amount", "stage_key"]].reset_index(drop=True)


def reasons_by_money(lost: pd.DataFrame) -> pd.DataFrame:
    """Loss reasons ranked by money lost: ``reason`` (None = not given), ``deals``, ``amount``, ``share``."""
    if lost.empty:
        return pd.DataFrame(columns=["reason", "deals", "amount", "share"])
    g = lost.assign(reason=lost["reason"].fillna("")).groupby("reason")["amount"].agg(["size", "sum"]).reset_index()
    g.columns = ["reason", "deals", "amount"]
    total = g["amount"].sum()
    g["share"] = g["amount"] / total if total else float("nan")
    g["reason"] = g["reason"].replace("", None)
    return g.sort_values(["amount", "deals"], ascending=False).reset_index(drop=True)


def activity_grid(
    calls: pd.DataFrame, stage_changes: pd.DataFrame, tasks: pd.DataFrame, period: Period, user_ids=None
) -> pd.DataFrame:
    """Actions by weekday (0 = Monday) × hour (local) in the period: calls (by the calling user), stage
    moves made by a user, tasks completed (by responsible user). A 7 × 24 frame of counts."""
    cl = _users(_in(calls, "at", period), "user_id", user_ids)["at"]
    sc = stage_changes[stage_changes["user_id"].notna()]
    sc = _users(_in(sc, "at", period), "user_id", user_ids)["at"]
    done = tasks[tasks["is_completed"].astype("boolean").fillna(False).astype(bool)]
    tk = _users(_in(done, "completed_at", period), "responsible_user_id", user_ids)["completed_at"]
    at = pd.concat([cl, sc, tk], ignore_index=True)
    grid = pd.crosstab(at.dt.day_of_week, at.dt.hour) if len(at) else pd.DataFrame()
    return grid.reindex(index=range(WEEKDAYS), columns=range(24), fill_value=0).astype("int64")
