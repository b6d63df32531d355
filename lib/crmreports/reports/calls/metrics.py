"""Call metrics: pure functions from store DataFrames (local timestamps) to DataFrames and dicts.

Definitions (each is stated next to its figure in the report):
- a call belongs to the period by its start time ``at``; in / out by ``direction``;
- answered: ``is_answered`` (amoCRM call status 4); answered share = answered calls / all calls, in and
  out together (for an outbound call "answered" means the client picked up);
- missed: an inbound call that was not answered;
- duration: total = sum of ``duration_s`` over all calls; average = total / answered calls (unanswered
  calls last 0 s and would only dilute the mean);
- called back: a missed inbound call followed, within ``hours`` (24 by default), by an outbound call by
  anyone in the account to the same phone number (last 10 digits) or to the same contact, whatever the
  outcome of that outbound call. A missed call whose window has not ended by the data date and has no
  callback yet is *pending*, not counted as "not called back";
- meetings: set in ``params/meetings.yaml`` (:mod:`crmreports.store.meetings`, the rule every report counts
  meetings by): completed tasks of one task type, counted by completion time, or deals entering one stage (by
  stage name, in any pipeline), each deal counted once per period; call→meeting conversion = meetings / calls in
  the period;
- calls per won deal: calls in the period on deals won in the period / deals won in the period;
- calls per working day: calls / working days of the period up to the data date, by the Russian
  production calendar (:mod:`crmreports.store.concepts`: public holidays such as 4 November are not
  working days, the same working days as the goals report);
- won deals: deals moved to won within the period (:mod:`crmreports.store.concepts`, as in every report);
- per-manager comparison: a 95 % Wilson interval (:func:`crmreports.store.concepts.wilson_interval`) for the
  answered share and a 95 % Student-t interval
  for the average duration of answered calls; a manager is flagged above/below only when the whole
  interval lies above/below the team's value, and managers with fewer than ``min_calls`` calls are not
  ranked at all.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

from ...core.periods import Period
from ...store import concepts
from ...store.meetings import count_meetings, meetings_by_user

CALLBACK_HOURS = 24.0
MIN_CALLS = 30

HEADLINE_KEYS = [
    "calls_total",
    "calls_in",
    "calls_out",
    "calls_missed",
    "calls_answered_share",
    "calls_duration_total_s",
    "calls_duration_avg_s",
    "calls_missed_not_called_back",
    "meetings",
    "call_to_meeting_conversion",
    "calls_per_won_deal",
]
EXTRA_KEYS = ["calls_answered", "calls_missed_pending", "calls_per_working_day", "working_days", "won_deals"]
RATE_KEYS = {"calls_answered_share", "call_to_meeting_conversion"}
COUNT_KEYS = {
    "calls_total",
    "calls_in",
    "calls_out",
    "calls_missed",
    "calls_missed_not_called_back",
    "meetings",
    "calls_answered",
    "calls_missed_pending",
    "working_days",
    "won_deals",
}
DURATION_KEYS = {"calls_duration_total_s", "calls_duration_avg_s"}


# ---- calls ----------------------------------------------------------------------------------------------------


def phone_key(phone: pd.Series) -> pd.Series:
    """Phone numbers reduced to their last 10 digits (``+7 900 000-00-01`` = ``8 900 000 00 01``); None if
    fewer than 7 digits are left."""
    digits = phone.astype("string").str.replace(r"\D", "", regex=True)
    key = digits.str[-10:]
    return key.where(key.str.len() >= 7)


def prepare(calls: pd.DataFrame) -> pd.DataFrame:
    """Calls with clean types: ``is_answered`` from ``status`` where missing, durations as numbers, lower-case
    ``direction`` and ``missed``. A frame that is already prepared (has ``missed``) is returned as it is."""
    if "missed" in calls.columns:
        return calls
    c = calls.copy()
    ans = c["is_answered"].astype("boolean")
    c["is_answered"] = ans.fillna(c["status"].astype("string") == "answered").fillna(False).astype(bool)
    c["duration_s"] = pd.to_numeric(c["duration_s"], errors="coerce").fillna(0).astype(float)
    c["direction"] = c["direction"].astype("string").str.lower()
    c["missed"] = (c["direction"] == "in") & ~c["is_answered"]
    return c


def in_period(calls: pd.DataFrame, period: Period, columns: list[str] | None = None) -> pd.DataFrame:
    """The calls made in the period (only ``columns``, if given: copying fewer columns is faster)."""
    inside = period.contains(calls["at"])
    return calls[inside] if columns is None else calls.loc[inside, columns]


def _id_key(s: pd.Series) -> pd.Series:
    """Ids as strings ("1006"), whatever their numeric dtype; missing stays missing."""
    return pd.to_numeric(s, errors="coerce").astype("Int64").astype("string")


def _first_after(missed: pd.DataFrame, outbound: pd.DataFrame, key: str) -> pd.Series:
    """For each missed call (index kept): the time of the first outbound call after it with the same ``key``."""
    m = missed[["at", key]].dropna().reset_index().rename(columns={"index": "_row"}).sort_values("at")
    o = outbound[["at", key]].dropna().rename(columns={"at": "back_at"}).sort_values("back_at")
    if m.empty or o.empty:
        return pd.Series(pd.NaT, index=missed.index, dtype="datetime64[ns]")
    m[key] = m[key].astype(str)
    o[key] = o[key].astype(str)
    m["at"] = m["at"].astype("datetime64[ns]")
    o["back_at"] = o["back_at"].astype("datetime64[ns]")
    j = pd.merge_asof(m, o, left_on="at", right_on="back_at", by=key, direction="forward", allow_exact_matches=False)
    return j.set_index("_row")["back_at"].reindex(missed.index)


def callbacks(
    missed_calls: pd.DataFrame, all_calls: pd.DataFrame, as_of: pd.Timestamp, hours: float = CALLBACK_HOURS
) -> pd.DataFrame:
    """Each missed inbound call with its first callback and a state.

    ``all_calls`` is the pool searched for callbacks (every call in the account, any user; only its
    ``direction``, ``at``, ``phone`` and ``contact_id`` are used); outbound calls at or after ``as_of`` are
    ignored. Adds columns ``callback_at`` (first outbound call to the same phone
    or contact after the missed call, any delay), ``delay_h`` and ``state``: ``called_back`` (within
    ``hours``), ``not_called_back`` (no callback within ``hours`` and the window is over) or ``pending``
    (no callback yet and the window ends after ``as_of``).
    """
    m = prepare(missed_calls) if "missed" not in missed_calls else missed_calls
    m = m[m["missed"]].copy()
    direction = (
        all_calls["direction"].astype("string").str.lower() if "missed" not in all_calls else all_calls["direction"]
    )
    out = all_calls[(direction == "out") & (all_calls["at"] < as_of)]
    m["_phone"] = phone_key(m["phone"])
    out = out.assign(_phone=phone_key(out["phone"]), _contact=_id_key(out["contact_id"]))
    m["_contact"] = _id_key(m["contact_id"])
    by_phone = _first_after(m, out, "_phone")
    by_contact = _first_after(m, out, "_contact")
    m["callback_at"] = pd.concat([by_phone, by_contact], axis=1).min(axis=1)
    return callback_states(m.drop(columns=["_phone", "_contact"]), as_of, hours).reset_index(drop=True)


def callback_states(m: pd.DataFrame, as_of: pd.Timestamp, hours: float = CALLBACK_HOURS) -> pd.DataFrame:
    """Missed calls (``at``) with their first callback (``callback_at``, NaT if none) plus ``delay_h`` and
    ``state`` (see :func:`callbacks`); changes ``m`` in place and returns it."""
    back = m["callback_at"]
    m["delay_h"] = (back - m["at"]).dt.total_seconds() / 3600.0
    window = pd.Timedelta(hours=hours)
    within = m["delay_h"] <= hours
    pending = ~within & (m["at"] + window > as_of)
    m["state"] = np.where(within, "called_back", np.where(pending, "pending", "not_called_back"))
    return m


def working_days(period: Period, as_of: pd.Timestamp) -> int:
    """Working days of the period up to the data date (a started day counts), by the Russian production
    calendar: :func:`crmreports.store.concepts.working_days_until` (4 November is not a working day)."""
    return concepts.working_days_until(period, as_of)


won_in = concepts.won_in  # deals won within the period: the one definition (store.concepts)


def _ratio(a, b) -> float:
    return float(a) / float(b) if b else float("nan")


def _period_callbacks(
    c: pd.DataFrame, pool: pd.DataFrame, as_of: pd.Timestamp, hours: float, period: Period, cb: pd.DataFrame | None
) -> pd.DataFrame:
    """:func:`callbacks` of the period's calls ``c``, or the period's rows of ``cb`` when they were computed
    already (callbacks of a missed call do not depend on the other calls, so the rows are the same)."""
    if cb is None:
        return callbacks(c, pool, as_of, hours)
    return cb[period.contains(cb["at"])].reset_index(drop=True)


COUNT_COLUMNS = ["calls_in", "calls_out", "answered", "missed", "total"]


def counts(c: pd.DataFrame) -> dict[str, float]:
    """What the figures count of a set of prepared calls: :data:`COUNT_COLUMNS` and ``duration_s`` (the sum)."""
    return {
        "calls_in": int((c["direction"] == "in").sum()),
        "calls_out": int((c["direction"] == "out").sum()),
        "answered": int(c["is_answered"].sum()),
        "missed": int(c["missed"].sum()),
        "total": len(c),
        "duration_s": float(c["duration_s"].sum()),
    }


def figures(n: Mapping[str, float], cb: pd.DataFrame, meet: int, on_won: int, won: int, wd: int) -> dict[str, float]:
    """Headline figures of one period from its :func:`counts` ``n``, the :func:`callbacks` rows ``cb`` of its
    missed calls, its meetings, calls on deals won in it, deals won in it and working days."""
    total, answered, dur = int(n["total"]), int(n["answered"]), float(n["duration_s"])
    return {
        "calls_total": total,
        "calls_in": int(n["calls_in"]),
        "calls_out": int(n["calls_out"]),
        "calls_missed": int(n["missed"]),
        "calls_answered_share": _ratio(answered, total),
        "calls_duration_total_s": dur,
        "calls_duration_avg_s": _ratio(dur, answered),
        "calls_missed_not_called_back": int((cb["state"] == "not_called_back").sum()),
        "meetings": meet,
        "call_to_meeting_conversion": _ratio(meet, total),
        "calls_per_won_deal": _ratio(on_won, won),
        "calls_answered": answered,
        "calls_missed_pending": int((cb["state"] == "pending").sum()),
        "calls_per_working_day": _ratio(total, wd),
        "working_days": wd,
        "won_deals": won,
    }


def headline(
    calls: pd.DataFrame,
    pool: pd.DataFrame,
    leads: pd.DataFrame,
    meetings: pd.DataFrame,
    period: Period,
    as_of: pd.Timestamp,
    hours: float = CALLBACK_HOURS,
    cb: pd.DataFrame | None = None,
) -> dict[str, float]:
    """Headline figures of one period.

    ``calls``: the scope's calls; ``pool``: every call of the account (callbacks by anyone count);
    ``leads``: the scope's deals (for calls per won deal); ``meetings``:
    :func:`crmreports.store.meetings.meeting_events` of the scope;
    ``cb``: optionally, :func:`callbacks` of the scope's calls of a span covering the period with the same
    ``pool``, ``as_of`` and ``hours`` (computed once for several periods).
    """
    c = in_period(
        prepare(calls),
        period,
        None if cb is None else ["at", "direction", "is_answered", "duration_s", "missed", "lead_id"],
    )
    cb = _period_callbacks(c, pool, as_of, hours, period, cb)
    won = won_in(leads, period)
    on_won = int(c["lead_id"].isin(won["id"]).sum())
    return figures(counts(c), cb, count_meetings(meetings, period), on_won, len(won), working_days(period, as_of))


def kpi_table(
    calls: pd.DataFrame,
    pool: pd.DataFrame,
    leads: pd.DataFrame,
    meetings: pd.DataFrame,
    period: Period,
    as_of: pd.Timestamp,
    hours: float = CALLBACK_HOURS,
    cb: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Headline figures for the period, the previous comparable period and the same period a year ago
    (``cb``: see :func:`headline`; it must cover the three periods)."""
    return kpi_frame(
        {name: headline(calls, pool, leads, meetings, p, as_of, hours, cb=cb) for name, p in compared(period)}
    )


def compared(period: Period) -> list[tuple[str, Period]]:
    """The columns of the headline table: the period, the previous one and the same period a year ago."""
    return [("current", period), ("previous", period.previous()), ("year_ago", period.year_ago())]


def kpi_frame(cols: Mapping[str, Mapping[str, float]]) -> pd.DataFrame:
    """The headline table from the :func:`headline` figures of each column of :func:`compared`."""
    df = pd.DataFrame(cols).loc[HEADLINE_KEYS + EXTRA_KEYS]
    df.index.name = "metric"
    return df


def daily(calls: pd.DataFrame, period: Period, as_of: pd.Timestamp) -> pd.DataFrame:
    """Calls per calendar day of the period (up to the data date): in, out, answered, missed, total,
    and ``working`` (a working day of the production calendar)."""
    c = in_period(prepare(calls), period, ["id", "at", "direction", "is_answered", "missed"])
    d = c.assign(day=c["at"].dt.normalize(), is_in=c["direction"] == "in", is_out=c["direction"] == "out")
    g = d.groupby("day").agg(
        calls_in=("is_in", "sum"),
        calls_out=("is_out", "sum"),
        answered=("is_answered", "sum"),
        missed=("missed", "sum"),
        total=("id", "size"),
    )
    return daily_table(g, period, as_of)


def daily_table(g: pd.DataFrame, period: Period, as_of: pd.Timestamp) -> pd.DataFrame:
    """:func:`daily` from per-day counts ``g`` (index: local midnight; columns :data:`COUNT_COLUMNS`; days
    without calls may be missing, days outside the period are dropped)."""
    end = min(pd.Timestamp(period.end), pd.Timestamp(as_of).ceil("D"))
    days = (
        pd.date_range(pd.Timestamp(period.start), end - pd.Timedelta(days=1), freq="D")
        if end > pd.Timestamp(period.start)
        else pd.DatetimeIndex([])
    )
    g = g[COUNT_COLUMNS].reindex(days, fill_value=0).astype(int)
    g.index.name = "day"
    out = g.reset_index()
    out["working"] = [concepts.is_working_day(d.date()) for d in out["day"]]
    return out


# ---- uncertainty ----------------------------------------------------------------------------------------------


def mean_ci(x, level: float = 0.95) -> tuple[float, float, float]:
    """Mean with a Student-t interval: (mean, lo, hi); the interval is nan with fewer than 2 values."""
    from scipy.special import stdtrit  # the Student t quantile (scipy.stats.t.ppf), without scipy.stats

    a = np.asarray(x, dtype=float)
    if a.size == 0:
        return float("nan"), float("nan"), float("nan")
    m = float(a.mean())
    if a.size < 2:
        return m, float("nan"), float("nan")
    half = float(stdtrit(a.size - 1, 0.5 + level / 2)) * float(a.std(ddof=1)) / math.sqrt(a.size)
    return m, m - half, m + half


def verdict(lo: float, hi: float, reference: float, n: int, min_calls: int) -> str:
    """``none`` (no data), ``few`` (under ``min_calls``: no ranking), ``above`` / ``below`` (the whole
    interval is on one side of ``reference``) or ``within``."""
    if n == 0:
        return "none"
    if n < min_calls:
        return "few"
    if any(v is None or (isinstance(v, float) and math.isnan(v)) for v in (lo, hi, reference)):
        return "within"
    if lo > reference:
        return "above"
    if hi < reference:
        return "below"
    return "within"


def by_manager(
    calls: pd.DataFrame,
    users: pd.DataFrame,
    meetings: pd.DataFrame,
    period: Period,
    as_of: pd.Timestamp,
    pool: pd.DataFrame | None = None,
    hours: float = CALLBACK_HOURS,
    min_calls: int = MIN_CALLS,
    user_ids: list[int] | None = None,
    cb: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per manager (users with calls in the period, plus active users and ``user_ids``), compared
    with the team (all of ``calls``) and with the rest of the team.

    Columns: user_id, manager, calls_total, calls_in, calls_out, calls_missed, not_called_back, answered,
    answered_share, answered_lo, answered_hi, others_answered_share, duration_total_s, duration_avg_s,
    duration_lo, duration_hi, others_duration_avg_s, calls_per_working_day, meetings, conversion,
    answered_flag, duration_flag (see :func:`verdict`); ``team_*`` columns repeat the team's values.
    ``cb``: optionally, :func:`callbacks` of ``calls`` (see :func:`headline`).
    """
    c = in_period(
        prepare(calls),
        period,
        None if cb is None else ["at", "user_id", "direction", "is_answered", "duration_s", "missed"],
    )
    cb = _period_callbacks(c, pool if pool is not None else calls, as_of, hours, period, cb)
    ncb = cb[cb["state"] == "not_called_back"].groupby("user_id").size()
    mt = meetings_by_user(meetings, period)
    ids = manager_ids(c["user_id"].dropna().astype("int64").unique(), users, user_ids)
    per_user, durations = {}, {}
    for uid in ids:
        g = c[c["user_id"] == uid]
        per_user[uid] = counts(g)
        durations[uid] = g.loc[g["is_answered"], "duration_s"]
    return manager_table(ids, per_user, durations, ncb, mt, counts(c), users, working_days(period, as_of), min_calls)


def manager_ids(with_calls, users: pd.DataFrame, user_ids: list[int] | None = None) -> pd.Index:
    """The managers compared: the users ``with_calls`` in the period, the active users and ``user_ids``."""
    active = users.loc[users["is_active"].fillna(False).astype(bool), "id"]
    return pd.Index(with_calls).union(active.astype("int64")).union(pd.Index(user_ids or [], dtype="int64"))


def manager_table(
    ids: pd.Index,
    per_user: Mapping,
    durations: Mapping,
    ncb: pd.Series,
    mt: pd.Series,
    team: Mapping[str, float],
    users: pd.DataFrame,
    wd: int,
    min_calls: int = MIN_CALLS,
) -> pd.DataFrame:
    """:func:`by_manager` from what it counts: per manager of ``ids`` the :func:`counts` of the period's calls
    (``per_user``) and the durations of the answered ones in the order of the calls (``durations``), the
    missed calls not called back (``ncb``) and the meetings (``mt``) per manager, and the team's
    :func:`counts` (every call of the period, with a manager or not)."""
    names = dict(zip(users["id"], users["name"]))
    team_n, team_ans = int(team["total"]), int(team["answered"])
    team_dur = float(team["duration_s"])
    team_share = _ratio(team_ans, team_n)
    team_avg = _ratio(team_dur, team_ans)
    rows = []
    for uid in ids:
        g = per_user[uid]
        n, ans, dur = int(g["total"]), int(g["answered"]), float(g["duration_s"])
        lo, hi = concepts.wilson_interval(ans, n)
        avg, dlo, dhi = mean_ci(durations[uid])
        meet = int(mt.get(uid, 0))
        rows.append(
            {
                "user_id": int(uid),
                "manager": names.get(uid, str(uid)),
                "calls_total": n,
                "calls_in": int(g["calls_in"]),
                "calls_out": int(g["calls_out"]),
                "calls_missed": int(g["missed"]),
                "not_called_back": int(ncb.get(uid, 0)),
                "answered": ans,
                "answered_share": _ratio(ans, n),
                "answered_lo": lo,
                "answered_hi": hi,
                "others_answered_share": _ratio(team_ans - ans, team_n - n),
                "duration_total_s": dur,
                "duration_avg_s": avg,
                "duration_lo": dlo,
                "duration_hi": dhi,
                "others_duration_avg_s": _ratio(team_dur - dur, team_ans - ans),
                "calls_per_working_day": _ratio(n, wd),
                "meetings": meet,
                "conversion": _ratio(meet, n),
                "answered_flag": verdict(lo, hi, team_share, n, min_calls),
                "duration_flag": verdict(dlo, dhi, team_avg, n, min_calls),
            }
        )
    df = pd.DataFrame(
        rows,
        columns=[
            "user_id",
            "manager",
            "calls_total",
            "calls_in",
            "calls_out",
            "calls_missed",
            "not_called_back",
            "answered",
            "answered_share",
            "answered_lo",
            "answered_hi",
            "others_answered_share",
            "duration_total_s",
            "duration_avg_s",
            "duration_lo",
            "duration_hi",
            "others_duration_avg_s",
            "calls_per_working_day",
            "meetings",
            "conversion",
            "answered_flag",
            "duration_flag",
        ],
    )
    df = df.assign(
        team_answered_share=team_share, team_duration_avg_s=team_avg, team_calls_per_working_day=_ratio(team_n, wd)
    )
    return df.sort_values(["calls_total", "manager"], ascending=[False, True]).reset_index(drop=True)


def not_called_back_list(cb: pd.DataFrame, users: pd.DataFrame, leads: pd.DataFrame) -> pd.DataFrame:
    """Missed calls with no callback in time, newest first: at, manager, phone, lead, delay_h (nan if never)."""
    at = cb["at"][cb["state"] == "not_called_back"]
    x = cb.loc[at.sort_values(ascending=False).index]  # the order of cb[...].sort_values("at", ascending=False)
    return pd.DataFrame(
        {
            "id": x["id"].values,
            "at": x["at"].values,
            "manager": _names(x["user_id"], users["id"], users["name"]),
            "phone": x["phone"].values,
            "lead_id": x["lead_id"].values,
            "lead": _names(x["lead_id"], leads["id"], leads["name"]),
            "delay_h": x["delay_h"].values,
        }
    )


def _names(ids: pd.Series, keys: pd.Series, names: pd.Series):
    """The name of each id (the last one of a repeated key; missing where there is none), as
    ``ids.map(dict(zip(keys, names))).astype(object).values`` gives them once in a frame, without building
    that dict or the objects (which is slow for a long list)."""
    index = pd.Index(keys.to_numpy())
    last = ~index.duplicated(keep="last")
    at = index[last].get_indexer(ids.to_numpy(dtype="float64", na_value=np.nan))
    out = names.array[last].take(at, allow_fill=True)
    return out if out.dtype == object or pd.notna(out).any() else np.asarray(out, dtype=object)
