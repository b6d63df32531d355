"""Unsorted («Неразобранное») metrics: pure functions from store DataFrames (local timestamps) to DataFrames.

Definitions (stated next to every figure in the report):
- incoming: unsorted items that arrived (``created_at``) in the period;
- outcome: accepted / declined / pending *as of the data date* (``as_of``); an item decided at or after
  ``as_of`` counts as pending;
- became a deal: an accepted item whose lead still exists in the store (not deleted);
- won: that lead reached won (status 142) before ``as_of``; won revenue is the sum of those leads' budgets;
  lost: that lead reached lost (143) before ``as_of``;
- like-for-like comparison: the items of a compared period (previous, a year ago) are taken as they stood
  when that cohort was as old as the current one (:func:`at_cutoff`, cutoffs of
  :func:`crmreports.store.concepts.comparison_cutoffs`): outcome, deal, won, first action;
- decided: declined, or accepted and its deal won or lost; the sources are ranked by won / decided, never
  counting pending items or open deals as failures, and only when their Wilson intervals do not overlap;
- owner (used for the manager scope and the per-manager table): the responsible user of the item's lead;
  a declined item whose lead was deleted belongs to the user who declined it; an item whose lead is
  neither loaded nor declined has no owner (it counts for the team only);
- speed to accept: ``created_at`` → ``decided_at`` of accepted items, in calendar minutes;
- speed to first action: ``created_at`` → the first of: an outgoing call on the lead or on the item's
  contact, a task created on the lead, a stage change on the lead made by a person (``user_id`` > 0);
  the lead's creation and its move out of the unsorted stage (the acceptance, measured separately)
  are not actions; actions at or after ``as_of`` are not seen yet; declined items are left out of every
  first-action figure (the median, P90, kinds and the per-manager table), in every period;
- backlog: items that had arrived but were not decided at the snapshot moment, with their age.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...core.periods import Period
from ...store import LOST, WON, concepts

CATEGORIES = ("sip", "mail", "forms", "chats")
OUTCOMES = ("accepted", "declined", "pending")
HEADLINE_KEYS = [
    "unsorted_total",
    "unsorted_accepted",
    "unsorted_declined",
    "unsorted_pending",
    "unsorted_to_deals",
    "unsorted_to_won",
    "unsorted_won_revenue",
    "unsorted_to_deals_share",
    "speed_to_accept_median_min",
    "speed_to_first_action_median_min",
]
COUNT_KEYS = {
    "unsorted_total",
    "unsorted_accepted",
    "unsorted_declined",
    "unsorted_pending",
    "unsorted_to_deals",
    "unsorted_to_won",
}
RATE_KEYS = {"unsorted_to_deals_share"}
MONEY_KEYS = {"unsorted_won_revenue"}
MINUTE_KEYS = {"speed_to_accept_median_min", "speed_to_first_action_median_min"}

ITEM_COLUMNS = [
    "uid",
    "source_name",
    "category",
    "pipeline_id",
    "created_at",
    "outcome",
    "decided_at",
    "decided_by",
    "lead_id",
    "contact_id",
    "owner_id",
    "is_deal",
    "is_won",
    "is_lost",
    "closed_at",
    "won_price",
    "accept_min",
    "first_action_at",
    "first_action_kind",
    "first_action_min",
]


def _minutes(delta: pd.Series) -> pd.Series:
    return delta.dt.total_seconds() / 60.0


def first_actions(
    unsorted: pd.DataFrame,
    calls: pd.DataFrame,
    tasks: pd.DataFrame,
    stage_changes: pd.DataFrame,
    statuses: pd.DataFrame,
    as_of: pd.Timestamp,
) -> pd.DataFrame:
    """The first human action on each item's lead after it arrived: ``uid``, ``at``, ``kind`` (call/task/stage).

    Items without any action before ``as_of`` are left out.
    """
    items = unsorted[["uid", "created_at", "lead_id", "contact_id"]]
    cand = []
    out_calls = calls[(calls["direction"] == "out") & (calls["at"] < as_of)]
    for key in ("lead_id", "contact_id"):
        c = out_calls.dropna(subset=[key])[[key, "at"]].astype({key: "int64"})
        m = items.dropna(subset=[key]).astype({key: "int64"}).merge(c, on=key)
        cand.append(m.assign(kind="call")[["uid", "created_at", "at", "kind"]])
    tk = tasks[(tasks["entity"] == "lead") & (tasks["created_at"] < as_of)].dropna(subset=["entity_id"])
    tk = tk.assign(lead_id=tk["entity_id"].astype("int64"))[["lead_id", "created_at"]].rename(
        columns={"created_at": "at"}
    )
    m = items.dropna(subset=["lead_id"]).astype({"lead_id": "int64"}).merge(tk, on="lead_id")
    cand.append(m.assign(kind="task")[["uid", "created_at", "at", "kind"]])
    unsorted_ids = set(statuses.loc[statuses["kind"] == "unsorted", "id"])
    sc = stage_changes[
        (stage_changes["user_id"].fillna(0) > 0)
        & stage_changes["from_status_id"].notna()
        & ~stage_changes["from_status_id"].isin(unsorted_ids)
        & (stage_changes["at"] < as_of)
    ]
    sc = sc.dropna(subset=["lead_id"]).astype({"lead_id": "int64"})[["lead_id", "at"]]
    m = items.dropna(subset=["lead_id"]).astype({"lead_id": "int64"}).merge(sc, on="lead_id")
    cand.append(m.assign(kind="stage")[["uid", "created_at", "at", "kind"]])
    allc = pd.concat(cand, ignore_index=True)
    allc = allc[allc["at"] >= allc["created_at"]]
    if allc.empty:
        return pd.DataFrame(
            {"uid": pd.Series(dtype=object), "at": pd.Series(dtype="datetime64[ns]"), "kind": pd.Series(dtype=object)}
        )
    order = {"call": 0, "task": 1, "stage": 2}
    allc = allc.assign(_o=allc["kind"].map(order)).sort_values(["uid", "at", "_o"])
    return allc.groupby("uid", sort=False).first().reset_index()[["uid", "at", "kind"]]


def prepare(
    unsorted: pd.DataFrame,
    leads: pd.DataFrame,
    stage_changes: pd.DataFrame,
    calls: pd.DataFrame,
    tasks: pd.DataFrame,
    statuses: pd.DataFrame,
    as_of: pd.Timestamp,
    first: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per unsorted item with everything the report aggregates (see :data:`ITEM_COLUMNS`).

    ``leads`` are the live (not deleted) leads loaded for the scope; the outcome is taken as of ``as_of``.
    ``first``: the items' :func:`first_actions` when they were found elsewhere (in SQL), one row per row of
    ``unsorted`` (same index; columns ``at`` and ``kind``, missing where there is none); ``calls``, ``tasks``
    and ``stage_changes`` are then not used.
    """
    u = unsorted[unsorted["created_at"] < as_of].copy()
    if u.empty:
        return _empty_items()
    late = u["decided_at"].notna() & (u["decided_at"] >= as_of)
    u.loc[late, ["outcome"]] = "pending"
    u.loc[late, "decided_at"] = pd.NaT
    u.loc[late, "decided_by"] = np.nan
    info = leads.set_index("id")
    lead_known = u["lead_id"].isin(info.index)
    owner = u["lead_id"].map(info["responsible_user_id"]).astype("float64")
    declined_owner = u["decided_by"].where(u["outcome"] == "declined").astype("float64")
    u["owner_id"] = owner.where(lead_known, declined_owner)
    u["is_deal"] = (u["outcome"] == "accepted") & lead_known
    status = u["lead_id"].map(info["status_id"])
    closed = pd.to_datetime(u["lead_id"].map(info["closed_at"]))
    u["is_won"] = u["is_deal"] & (status == WON) & (closed < as_of)
    u["is_lost"] = u["is_deal"] & (status == LOST) & (closed < as_of)
    u["closed_at"] = closed.where(u["is_won"] | u["is_lost"])
    u["won_price"] = u["lead_id"].map(info["price"]).fillna(0.0).where(u["is_won"], 0.0).astype(float)
    acc = _minutes(u["decided_at"] - u["created_at"])
    u["accept_min"] = acc.where((u["outcome"] == "accepted") & (acc >= 0))
    fa = first_actions(u, calls, tasks, stage_changes, statuses, as_of).set_index("uid") if first is None else None
    if first is not None and first["kind"].loc[u.index].notna().any():
        u["first_action_at"] = pd.to_datetime(first["at"].loc[u.index])
        u["first_action_kind"] = first["kind"].loc[u.index]
    elif fa is None or fa.empty:  # (Series.map cannot map through an empty datetime Series)
        u["first_action_at"] = pd.Series(pd.NaT, index=u.index, dtype="datetime64[ns]")
        u["first_action_kind"] = pd.Series(np.nan, index=u.index, dtype=object)
    else:
        u["first_action_at"] = pd.to_datetime(u["uid"].map(fa["at"]))
        u["first_action_kind"] = u["uid"].map(fa["kind"])
    u["first_action_min"] = _minutes(u["first_action_at"] - u["created_at"])
    return u.reset_index(drop=True)[ITEM_COLUMNS]


def _empty_items() -> pd.DataFrame:
    ts, f, o, b = "datetime64[ns]", "float64", object, bool
    types = {
        "uid": o,
        "source_name": o,
        "category": o,
        "pipeline_id": f,
        "created_at": ts,
        "outcome": o,
        "decided_at": ts,
        "decided_by": f,
        "lead_id": f,
        "contact_id": f,
        "owner_id": f,
        "is_deal": b,
        "is_won": b,
        "is_lost": b,
        "closed_at": ts,
        "won_price": f,
        "accept_min": f,
        "first_action_at": ts,
        "first_action_kind": o,
        "first_action_min": f,
    }
    return pd.DataFrame({c: pd.Series(dtype=types[c]) for c in ITEM_COLUMNS})


def in_scope(items: pd.DataFrame, user_ids=(), pipeline_ids=()) -> pd.DataFrame:
    """Items of one manager (by :func:`prepare`'s owner) and/or pipelines; empty filters keep everything."""
    out = items
    if pipeline_ids:
        out = out[out["pipeline_id"].isin(list(pipeline_ids))]
    if user_ids:
        out = out[out["owner_id"].isin([float(u) for u in user_ids])]
    return out.reset_index(drop=True)


COUNTED = ["outcome", "is_deal", "is_won", "is_lost", "won_price"]  # the columns :func:`counts` reads


def at_cutoff(items: pd.DataFrame, cutoff: pd.Timestamp) -> pd.DataFrame:
    """The items as they stood at ``cutoff`` (earlier than the as-of moment they were prepared for): an item
    decided at or after it is pending, its deal not yet a deal; a deal won or lost at or after it is still
    open; a first action at or after it is not seen yet."""
    u = items.copy()
    late = u["decided_at"].notna() & (u["decided_at"] >= cutoff)
    u.loc[late, "outcome"] = "pending"
    u.loc[late, "decided_at"] = pd.NaT
    u.loc[late, "decided_by"] = np.nan
    u["is_deal"] = u["is_deal"] & ~late
    closed = u["closed_at"].notna() & (u["closed_at"] < cutoff)
    u["is_won"] = u["is_won"] & u["is_deal"] & closed
    u["is_lost"] = u["is_lost"] & u["is_deal"] & closed
    u["closed_at"] = u["closed_at"].where(u["is_won"] | u["is_lost"])
    u["won_price"] = u["won_price"].where(u["is_won"], 0.0)
    u["accept_min"] = u["accept_min"].where(~late)
    unseen = u["first_action_at"].notna() & (u["first_action_at"] >= cutoff)
    u.loc[unseen, "first_action_at"] = pd.NaT
    u.loc[unseen, "first_action_kind"] = np.nan
    u["first_action_min"] = u["first_action_min"].where(~unseen)
    return u


def acted_min(g: pd.DataFrame) -> pd.Series:
    """Minutes to the first action of the items that were not declined (declined items are left out of
    every first-action figure)."""
    return g["first_action_min"].where(g["outcome"] != "declined")


def arrived(items: pd.DataFrame, period: Period, columns: list[str] | None = None) -> pd.DataFrame:
    """The items that arrived in the period (only ``columns``, if given: copying fewer columns is faster)."""
    inside = period.contains(items["created_at"])
    return items[inside] if columns is None else items.loc[inside, columns]


def quantile(values: pd.Series, q: float) -> float:
    """Linear-interpolated quantile of the non-missing values; NaN when there are none."""
    v = pd.Series(values, dtype=float).dropna().to_numpy()
    return float(np.quantile(v, q)) if v.size else float("nan")


def counts(g: pd.DataFrame) -> dict:
    """Counts and money of one group of items (the building block of every table)."""
    total = len(g)
    won, lost, declined = int(g["is_won"].sum()), int(g["is_lost"].sum()), int((g["outcome"] == "declined").sum())
    decided = won + lost + declined
    lo, hi = concepts.wilson_interval(won, decided)
    return {
        "total": total,
        "accepted": int((g["outcome"] == "accepted").sum()),
        "declined": int((g["outcome"] == "declined").sum()),
        "pending": int((g["outcome"] == "pending").sum()),
        "to_deals": int(g["is_deal"].sum()),
        "to_won": int(g["is_won"].sum()),
        "won_revenue": float(g["won_price"].sum()),
        "to_deals_share": int(g["is_deal"].sum()) / total if total else float("nan"),
        "to_won_share": int(g["is_won"].sum()) / total if total else float("nan"),
        "lost": lost,
        "decided": decided,
        "won_of_decided": won / decided if decided else float("nan"),
        "won_of_decided_low": lo,
        "won_of_decided_high": hi,
    }


def headline(items: pd.DataFrame, period: Period) -> dict[str, float]:
    """Headline figures of the items that arrived in the period (keys: :data:`HEADLINE_KEYS`)."""
    g = arrived(items, period, COUNTED + ["accept_min", "first_action_min"])
    c = counts(g)
    out = {f"unsorted_{k}": v for k, v in c.items() if k != "to_won_share"}
    out["speed_to_accept_median_min"] = quantile(g["accept_min"], 0.5)
    out["speed_to_first_action_median_min"] = quantile(acted_min(g), 0.5)
    return {k: out[k] for k in HEADLINE_KEYS}


def kpi_table(items: pd.DataFrame, period: Period, as_of: pd.Timestamp) -> pd.DataFrame:
    """Headline figures for the period, the previous comparable period and the same period a year ago,
    each compared period's items as they stood at the same age as the current period's (:func:`at_cutoff`;
    ``items`` are prepared as of ``as_of``)."""
    cut = concepts.comparison_cutoffs(period, as_of)
    cols = {
        "current": headline(items, period),
        "previous": headline(at_cutoff(arrived(items, period.previous()), cut["previous"]), period.previous()),
        "year_ago": headline(at_cutoff(arrived(items, period.year_ago()), cut["year_ago"]), period.year_ago()),
    }
    df = pd.DataFrame(cols).loc[HEADLINE_KEYS]
    df.index.name = "metric"
    return df


def breakdown(items: pd.DataFrame, period: Period, by: str) -> pd.DataFrame:
    """Counts, conversion to deals and to won, won revenue per ``by`` (``source_name`` or ``category``),
    largest first; ``share`` is the group's share of all incoming."""
    g = arrived(items, period, [by] + COUNTED)
    rows = [{by: key, **counts(part)} for key, part in g.groupby(g[by].fillna(""), sort=False)]
    cols = [
        by,
        "total",
        "accepted",
        "declined",
        "pending",
        "to_deals",
        "to_won",
        "won_revenue",
        "to_deals_share",
        "to_won_share",
        "lost",
        "decided",
        "won_of_decided",
        "won_of_decided_low",
        "won_of_decided_high",
    ]
    df = pd.DataFrame(rows, columns=cols)
    if df.empty:
        return df.assign(share=pd.Series(dtype=float))
    df[by] = df[by].replace("", None)
    df["share"] = df["total"] / df["total"].sum()
    return df.sort_values(["total", "to_deals"], ascending=False, kind="stable").reset_index(drop=True)


def rank_sources(by_source: pd.DataFrame, min_decided: int) -> tuple[str, pd.Series | None, pd.Series | None]:
    """The best and the worst source of :func:`breakdown` by won / decided, among the sources with at least
    ``min_decided`` decided items: ``("ranked", best, worst)`` when the best one's Wilson interval lies wholly
    above the worst one's; ``("overlap", best, worst)`` when the intervals overlap (no ranking); ``("few",
    None, None)`` when fewer than two sources have enough decided items."""
    ok = by_source[by_source["decided"] >= min_decided].dropna(subset=["won_of_decided"])
    if len(ok) < 2:
        return "few", None, None
    s = ok.sort_values(["won_of_decided", "decided"], ascending=[False, False], kind="stable")
    best, worst = s.iloc[0], s.iloc[-1]
    if best["won_of_decided_low"] > worst["won_of_decided_high"]:
        return "ranked", best, worst
    return "overlap", best, worst


def speed_summary(items: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Median and P90 minutes to acceptance and to the first action, with how many items each rests on.

    Index: ``accept``, ``first_action``; columns: n, median_min, p90_min, waiting (items of the period
    not yet accepted / without an action at the data date).
    """
    g = arrived(items, period, ["outcome", "accept_min", "first_action_min"])
    not_declined = g["outcome"] != "declined"
    g = g.assign(first_action_min=acted_min(g))
    rows = {
        "accept": {
            "n": int(g["accept_min"].notna().sum()),
            "median_min": quantile(g["accept_min"], 0.5),
            "p90_min": quantile(g["accept_min"], 0.9),
            "waiting": int((g["outcome"] == "pending").sum()),
        },
        "first_action": {
            "n": int(g["first_action_min"].notna().sum()),
            "median_min": quantile(g["first_action_min"], 0.5),
            "p90_min": quantile(g["first_action_min"], 0.9),
            "waiting": int((not_declined & g["first_action_min"].isna()).sum()),
        },
    }
    return pd.DataFrame(rows).T[["n", "median_min", "p90_min", "waiting"]]


def first_action_kinds(items: pd.DataFrame, period: Period) -> pd.Series:
    """How many first actions (of items not declined) were a call, a task or a stage change (index in that
    order)."""
    g = arrived(items, period, ["first_action_kind", "outcome"])
    g = g[g["outcome"] != "declined"]
    return g["first_action_kind"].value_counts().reindex(["call", "task", "stage"], fill_value=0)


def speed_by_manager(items: pd.DataFrame, users: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Per owner: items, accepted, to deals, median / P90 minutes to accept and to the first action.

    Items without an owner form one row with ``user_id`` NaN and ``manager`` None; slowest first action first.
    """
    g = arrived(items, period, ["owner_id", "outcome", "is_deal", "accept_min", "first_action_min"])
    g = g.assign(first_action_min=acted_min(g))
    names = dict(zip(users["id"].astype(float), users["name"]))
    rows = []
    for uid, part in g.groupby(g["owner_id"], dropna=False):
        rows.append(
            {
                "user_id": uid,
                "manager": names.get(uid) if not pd.isna(uid) else None,
                "total": len(part),
                "accepted": int((part["outcome"] == "accepted").sum()),
                "to_deals": int(part["is_deal"].sum()),
                "accept_median_min": quantile(part["accept_min"], 0.5),
                "accept_p90_min": quantile(part["accept_min"], 0.9),
                "first_action_median_min": quantile(part["first_action_min"], 0.5),
                "first_action_p90_min": quantile(part["first_action_min"], 0.9),
                "no_action": int(((part["outcome"] != "declined") & part["first_action_min"].isna()).sum()),
            }
        )
    cols = [
        "user_id",
        "manager",
        "total",
        "accepted",
        "to_deals",
        "accept_median_min",
        "accept_p90_min",
        "first_action_median_min",
        "first_action_p90_min",
        "no_action",
    ]
    df = pd.DataFrame(rows, columns=cols)
    if df.empty:
        return df
    df = df.assign(_unowned=df["user_id"].isna())
    return (
        df.sort_values(
            ["_unowned", "first_action_median_min", "total"],
            ascending=[True, False, False],
            na_position="last",
            kind="stable",
        )
        .drop(columns="_unowned")
        .reset_index(drop=True)
    )


def backlog(items: pd.DataFrame, moment: pd.Timestamp) -> pd.DataFrame:
    """Items that had arrived before ``moment`` and were not decided by then, oldest first, with
    ``age_days`` at ``moment``."""
    b = items[
        (items["created_at"] < moment)
        & (items["decided_at"].isna() | (items["decided_at"] >= moment))
        & ((items["outcome"] == "pending") | items["decided_at"].notna())
    ]
    b = b.assign(age_days=(moment - b["created_at"]).dt.total_seconds() / 86400.0)
    return b.sort_values(["age_days", "uid"], ascending=[False, True]).reset_index(drop=True)[
        ["uid", "source_name", "category", "created_at", "age_days", "owner_id", "lead_id", "outcome"]
    ]


def age_buckets(b: pd.DataFrame) -> pd.Series:
    """Backlog items by age: under 1 hour, 1–24 hours, 1–3 days, 3–7 days, over 7 days."""
    edges = [0, 1 / 24, 1, 3, 7, np.inf]
    keys = ["lt_1h", "1h_24h", "1d_3d", "3d_7d", "gt_7d"]
    cut = pd.cut(b["age_days"], edges, labels=keys, right=False)
    return cut.value_counts().reindex(keys, fill_value=0)


def trend_weeks(period: Period, min_weeks: int = 12) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The Mondays of the first and the last week shown by :func:`weekly_trend` for the period."""
    last_monday = pd.Timestamp(period.last_day) - pd.Timedelta(days=pd.Timestamp(period.last_day).weekday())
    first_monday = pd.Timestamp(period.start) - pd.Timedelta(days=pd.Timestamp(period.start).weekday())
    return min(first_monday, last_monday - pd.Timedelta(weeks=min_weeks - 1)), last_monday


def weekly_trend(items: pd.DataFrame, period: Period, min_weeks: int = 12) -> pd.DataFrame:
    """Incoming per ISO week by category, with the accepted share, for the weeks of the period
    (at least ``min_weeks`` weeks ending with the period's last week).

    Columns: week (Monday), label (``2026-W44``), one column per category, total, accepted,
    accepted_share (NaN for an empty week), in_period (the week overlaps the period).
    """
    first_monday, last_monday = trend_weeks(period, min_weeks)
    weeks = pd.date_range(first_monday, last_monday, freq="7D")
    g = items.loc[
        (items["created_at"] >= first_monday) & (items["created_at"] < period.end_ts),
        ["created_at", "category", "outcome"],
    ]
    monday = g["created_at"].dt.normalize() - pd.to_timedelta(g["created_at"].dt.day_of_week, unit="D")
    by_cat = g.groupby([monday, g["category"]]).size().unstack(fill_value=0)
    by_cat = by_cat.reindex(index=weeks, columns=list(CATEGORIES), fill_value=0)
    acc = g[g["outcome"] == "accepted"].groupby(monday).size().reindex(weeks, fill_value=0)
    out = by_cat.reset_index(drop=True)
    out.insert(0, "week", weeks)
    iso = weeks.isocalendar()
    out.insert(1, "label", [f"{y}-W{w:02d}" for y, w in zip(iso["year"], iso["week"])])
    out["total"] = g.groupby(monday).size().reindex(weeks, fill_value=0).to_numpy()
    out["accepted"] = acc.to_numpy()
    out["accepted_share"] = np.where(out["total"] > 0, out["accepted"] / out["total"].where(out["total"] > 0), np.nan)
    out["in_period"] = (out["week"] + pd.Timedelta(days=7) > period.start_ts) & (out["week"] < period.end_ts)
    return out
