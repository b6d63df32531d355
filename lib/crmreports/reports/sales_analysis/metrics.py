"""Sales-analysis metrics: pure functions from store DataFrames (local timestamps) to DataFrames.

Definitions (stated next to every figure in the report):
- revenue / won deals: deals that moved to won (status 142) within the period, by ``closed_at``;
- lost deals: deals that moved to lost (143) within the period;
- win rate: won / (won + lost) among deals closed in the period;
- lead→won conversion: on the cohort of deals created in the period, the share won by the as-of date; a
  compared cohort (previous period, a year ago) counts its wins up to the same age (like for like);
- cohort matrix: deals by month of creation × months since creation, the cumulative share won;
- funnel: the same cohort; "passed" counts a deal only at stages it actually entered, "cumulative"
  counts it at every stage up to the furthest one it reached (skipped stages included);
- stage of loss: the last open stage a deal was in before it moved to lost;
- time in stage: stage visits that began in the period; visits still open at the as-of date are
  censored (Kaplan–Meier), not dropped;
- cycle: created → closed of won deals.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ...core.periods import Period
from ...store import LOST, WON, concepts

HEADLINE_KEYS = [
    "revenue",
    "won_deals",
    "average_check",
    "lead_to_won_conversion",
    "created_deals",
    "lost_deals",
    "win_rate",
]
RATE_KEYS = {"lead_to_won_conversion", "win_rate"}
COUNT_KEYS = {"won_deals", "created_deals", "lost_deals"}


def _closed_in(leads: pd.DataFrame, period: Period, status: int) -> pd.DataFrame:
    return leads[(leads["status_id"] == status) & period.contains(leads["closed_at"])]


def headline(
    leads: pd.DataFrame, period: Period, as_of: pd.Timestamp, has_amounts: bool | None = None
) -> dict[str, float]:
    """Headline figures of one period (keys as in DESIGN.md: revenue, won_deals, ...).

    Revenue is unknown (NaN) when the data has no deal amounts at all: ``has_amounts`` says so when
    ``leads`` is only part of the data (a reduced read); by default it is judged from ``leads``.
    """
    status, closed, cohort = (
        leads["status_id"],
        period.contains(leads["closed_at"]),
        period.contains(leads["created_at"]),
    )
    won = (status == WON) & closed
    n_won, n_lost, n_created = int(won.sum()), int(((status == LOST) & closed).sum()), int(cohort.sum())
    n_cohort_won = int((cohort & (status == WON) & (leads["closed_at"] < as_of)).sum())
    # no amounts anywhere in the data (an export or data set without them): revenue is unknown, not 0
    known = bool(leads["price"].notna().any()) if has_amounts is None else has_amounts
    revenue = float(leads.loc[won, "price"].fillna(0).sum()) if known else float("nan")
    return {
        "revenue": revenue,
        "won_deals": n_won,
        "average_check": revenue / n_won if n_won else float("nan"),
        "lead_to_won_conversion": n_cohort_won / n_created if n_created else float("nan"),
        "created_deals": n_created,
        "lost_deals": n_lost,
        "win_rate": n_won / (n_won + n_lost) if (n_won + n_lost) else float("nan"),
    }


def kpi_table(
    leads: pd.DataFrame, period: Period, as_of: pd.Timestamp, has_amounts: bool | None = None
) -> pd.DataFrame:
    """Headline figures for the period, the previous comparable period and the same period a year ago.

    The cohort rate (lead→won conversion) of each compared cohort counts its wins up to the same age as the
    current cohort's (like for like: :func:`crmreports.store.concepts.comparison_cutoffs`); the figures by
    ``closed_at`` (revenue, won, lost, win rate) are those of each period as they are."""
    cut = concepts.comparison_cutoffs(period, as_of)
    cols = {
        "current": headline(leads, period, cut["current"], has_amounts),
        "previous": headline(leads, period.previous(), cut["previous"], has_amounts),
        "year_ago": headline(leads, period.year_ago(), cut["year_ago"], has_amounts),
    }
    df = pd.DataFrame(cols).loc[HEADLINE_KEYS]
    df.index.name = "metric"
    return df


def monthly_trend(leads: pd.DataFrame, period: Period, months: int = 13) -> pd.DataFrame:
    """Won revenue and won deals per calendar month for the ``months`` months ending with the period."""
    end = pd.Timestamp(period.end) - pd.Timedelta(days=1)
    idx = pd.period_range(end=end.to_period("M"), periods=months, freq="M")
    won = leads[leads["status_id"] == WON].dropna(subset=["closed_at"])
    m = won["closed_at"].dt.to_period("M")
    g = won.groupby(m)["price"].agg(["sum", "count"]).reindex(idx, fill_value=0)
    out = pd.DataFrame(
        {
            "month": idx.to_timestamp(),
            "revenue": g["sum"].astype(float).values,
            "won_deals": g["count"].astype(int).values,
        }
    )
    out["in_period"] = (out["month"] >= pd.Timestamp(period.start).to_period("M").to_timestamp()) & (
        out["month"] < pd.Timestamp(period.end)
    )
    return out


COHORT_MONTHS = 12  # cohorts (months of creation) and months since creation in the cohort matrix


def cohort_window(period: Period, months: int = COHORT_MONTHS) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The creation months of :func:`cohort_matrix`: the ``months`` calendar months ending with the period's
    last month, as [start, end)."""
    last = (period.end_ts - pd.Timedelta(days=1)).to_period("M")
    return (last - (months - 1)).to_timestamp(), (last + 1).to_timestamp()


def cohort_matrix(
    leads: pd.DataFrame, period: Period, as_of: pd.Timestamp, months: int = COHORT_MONTHS
) -> pd.DataFrame:
    """Deals by month of creation × months since creation: the cumulative share won, so that the reader
    sees how far each cohort has matured.

    One row per cohort (the ``months`` creation months ending with the period's last month): ``cohort``
    (the month's first day), ``created`` (deals created in it), ``won`` and ``share_won`` (won before
    ``as_of``), and ``m0`` … ``m{months-1}``: the share won before the end of the k-th month after the month
    of creation (``m0``: within the month of creation); empty where the cohort has not reached that age by
    ``as_of``."""
    lo, hi = cohort_window(period, months)
    c = leads[(leads["created_at"] >= lo) & (leads["created_at"] < hi)]
    month = c["created_at"].dt.to_period("M")
    won_at = c["closed_at"].where(c["status_id"] == WON)
    rows = []
    for m in pd.period_range(lo, periods=months, freq="M"):
        w = won_at[month == m]
        n = len(w)
        row = {"cohort": m.to_timestamp(), "created": n, "won": int((w < as_of).sum())}
        row["share_won"] = row["won"] / n if n else float("nan")
        for k in range(months):
            end = (m + k + 1).to_timestamp()
            row[f"m{k}"] = float((w < end).sum()) / n if n and end <= as_of else float("nan")
        rows.append(row)
    return pd.DataFrame(rows, columns=["cohort", "created", "won", "share_won"] + [f"m{k}" for k in range(months)])


def stage_order(statuses: pd.DataFrame, pipeline_id: int) -> pd.DataFrame:
    """Open stages of a pipeline in funnel order followed by won; the unsorted stage is left out."""
    s = statuses[(statuses["pipeline_id"] == pipeline_id) & statuses["kind"].isin(["open", "won"])]
    s = s.assign(_won=(s["kind"] == "won")).sort_values(["_won", "sort", "id"]).drop(columns="_won")
    return s.reset_index(drop=True).assign(rank=lambda d: np.arange(len(d)))


def chronological(stage_changes: pd.DataFrame) -> pd.DataFrame:
    """Stage changes ordered by deal, time and event id (the order histories are read in).

    Rows that already come in that order (a store read with ``ORDER BY``) are returned as they are:
    sorting millions of rows by a text id is the slow part otherwise.
    """
    sc = stage_changes
    if len(sc) > 1 and sc["lead_id"].notna().all() and sc["at"].notna().all():
        lead = sc["lead_id"].to_numpy(dtype="int64")
        at = sc["at"].to_numpy()
        same_lead = lead[1:] == lead[:-1]
        if (lead[1:] >= lead[:-1]).all() and (at[1:] >= at[:-1])[same_lead].all():
            tie = np.flatnonzero(same_lead & (at[1:] == at[:-1]))
            ids = sc["id"].to_numpy()
            if all(ids[i] < ids[i + 1] for i in tie):
                return sc
    return sc.sort_values(["lead_id", "at", "id"])


def visited_stages(leads: pd.DataFrame, stage_changes: pd.DataFrame) -> pd.DataFrame:
    """(lead_id, pipeline_id, status_id) of every stage each lead entered, with the current stage for
    leads that have no history at all."""
    sc = stage_changes[stage_changes["lead_id"].isin(leads["id"])]
    v = (
        sc[["lead_id", "to_pipeline_id", "to_status_id"]]
        .dropna()
        .rename(columns={"to_pipeline_id": "pipeline_id", "to_status_id": "status_id"})
    )
    no_hist = leads[~leads["id"].isin(sc["lead_id"])]
    cur = no_hist[["id", "pipeline_id", "status_id"]].rename(columns={"id": "lead_id"})
    v = pd.concat([v, cur], ignore_index=True).astype("int64").drop_duplicates()
    return v


OUTCOMES = ("open", "won", "lost")  # a deal's outcome in the funnel: by its current status


def deal_outcome(status_id: pd.Series) -> pd.Series:
    """Each deal's outcome by its status: ``won`` (142), ``lost`` (143), else ``open``."""
    return pd.Series(
        np.where(status_id == WON, "won", np.where(status_id == LOST, "lost", "open")), index=status_id.index
    )


FUNNEL_COLUMNS = ["pipeline_id", "pipeline", "status_id", "stage", "rank", "passed", "cumulative", "open_here"]


def funnel(
    leads: pd.DataFrame, stage_changes: pd.DataFrame, statuses: pd.DataFrame, pipelines: pd.DataFrame, period: Period
) -> pd.DataFrame:
    """Funnel of the cohort created in the period, per pipeline, in both semantics, with the step
    conversions among decided deals (:func:`_funnel_frame` names the columns)."""
    cohort = leads[period.contains(leads["created_at"])]
    visits = visited_stages(cohort, stage_changes)
    outcome = dict(zip(cohort["id"], deal_outcome(cohort["status_id"])))
    rows = []
    pipe_names = dict(zip(pipelines["id"], pipelines["name"]))
    for pid in sorted(visits["pipeline_id"].unique()):
        order = stage_order(statuses, pid)
        if order.empty:
            continue
        v = visits[visits["pipeline_id"] == pid].merge(order[["id", "rank"]], left_on="status_id", right_on="id")
        passed = v.groupby("rank")["lead_id"].nunique()
        furthest = v.groupby("lead_id")["rank"].max()
        still_open = furthest[np.array([outcome.get(lid) == "open" for lid in furthest.index], dtype=bool)]
        entered = v.groupby("lead_id")["rank"].agg(set)
        cum = pd.Series({r: int((furthest >= r).sum()) for r in order["rank"]})
        for _, st in order.iterrows():
            r = st["rank"]
            rows.append(
                {
                    "pipeline_id": pid,
                    "pipeline": pipe_names.get(pid, str(pid)),
                    "status_id": st["id"],
                    "stage": st["name"],
                    "rank": r,
                    "passed": int(passed.get(r, 0)),
                    "cumulative": int(cum.get(r, 0)),
                    "open_here": int((still_open == r).sum()),
                    "skipped_in": int(sum(r in e and r - 1 not in e for e in entered)) if r else 0,
                }
            )
    return _funnel_frame(rows)


def _funnel_frame(rows: list[dict]) -> pd.DataFrame:
    """The funnel's rows (pipeline_id, pipeline, status_id, stage, rank, passed, cumulative, open_here: deals
    still open whose furthest stage is this one, skipped_in: deals that entered this stage without entering the
    one before) with the conversions and shares.

    ``conv_passed`` / ``share_passed``: entered this stage over entered the one before / the first; a value
    above 100 % (more deals entered a stage than the one before it, because they skipped that one) is not a
    share: it is left empty and ``passed_over`` says so. ``conv_cumulative`` / ``share_cumulative``: reached
    this stage over reached the one before / the first. The step into this stage among the deals *decided*
    at the stage before: ``open_prev`` (still open there), ``decided`` (reached the stage before less those
    still open there: moved on, won or lost) and ``conv_decided`` (reached this stage / decided)."""
    cols = FUNNEL_COLUMNS + ["skipped_in"]
    df = pd.DataFrame(rows, columns=cols)
    if df.empty:
        return df.assign(
            conv_passed=[],
            conv_cumulative=[],
            share_passed=[],
            share_cumulative=[],
            passed_over=pd.Series(dtype=bool),
            open_prev=pd.Series(dtype="int64"),
            decided=pd.Series(dtype="int64"),
            conv_decided=[],
        )
    g = df.groupby("pipeline_id")
    for col in ("passed", "cumulative"):
        prev = g[col].shift(1)
        df[f"conv_{col}"] = np.where(prev > 0, df[col] / prev.where(prev > 0), np.nan)
        first = g[col].transform("first")
        df[f"share_{col}"] = np.where(first > 0, df[col] / first.where(first > 0), np.nan)
    over = (df["conv_passed"] > 1) | (df["share_passed"] > 1)
    df["passed_over"] = over
    df.loc[df["conv_passed"] > 1, "conv_passed"] = np.nan
    df.loc[df["share_passed"] > 1, "share_passed"] = np.nan
    first_row = df["rank"] == g["rank"].transform("min")
    open_prev = g["open_here"].shift(1)
    decided = g["cumulative"].shift(1) - open_prev
    df["open_prev"] = open_prev.fillna(0).astype("int64").where(~first_row, 0)
    df["decided"] = decided.fillna(0).astype("int64").where(~first_row, 0)
    df["conv_decided"] = np.where(df["decided"] > 0, df["cumulative"] / df["decided"].where(df["decided"] > 0), np.nan)
    return df


def weakest_step(f: pd.DataFrame, min_decided: int) -> pd.DataFrame:
    """The step (a row of :func:`funnel`) with the lowest conversion among decided deals, among the steps
    resting on at least ``min_decided`` decided deals; empty when none does."""
    ok = f[(f["rank"] > 0) & (f["decided"] >= min_decided)].dropna(subset=["conv_decided"])
    return ok.sort_values(["conv_decided", "pipeline_id", "rank"], kind="stable").head(1)


def _set_ranks(stage_sets: pd.DataFrame, statuses: pd.DataFrame):
    """Per pipeline of ``stage_sets`` (pipeline_id, stages, outcome, n: deals by the set of stages they
    entered and their outcome), in order: the pipeline, its :func:`stage_order` and, per set, the ranks of
    its stages in that order (as the merge of :func:`visited_stages` with the order finds them), its
    number of deals and their outcome."""
    has_outcome = "outcome" in stage_sets.columns
    for pid in sorted(stage_sets["pipeline_id"].unique()):
        order = stage_order(statuses, pid)
        ranks_of: dict = {}
        for sid, r in zip(order["id"], order["rank"]):
            ranks_of.setdefault(sid, []).append(r)
        g = stage_sets[stage_sets["pipeline_id"] == pid]
        outcomes = g["outcome"] if has_outcome else ["open"] * len(g)
        sets = [
            ([r for sid in stages for r in ranks_of.get(sid, [])], int(n), o)
            for stages, n, o in zip(g["stages"], g["n"], outcomes)
        ]
        yield pid, order, [(ranks, n, o) for ranks, n, o in sets if ranks]


def funnel_counted(stage_sets: pd.DataFrame, statuses: pd.DataFrame, pipelines: pd.DataFrame) -> pd.DataFrame:
    """:func:`funnel` of a cohort given as deals counted by the set of stages they entered in each pipeline
    and their outcome (pipeline_id, stages, outcome, n): a deal passed a stage if the stage is in its set,
    and reached it (cumulative) if its furthest stage is that one or later; the same counts, the same table."""
    rows = []
    pipe_names = dict(zip(pipelines["id"], pipelines["name"]))
    for pid, order, sets in _set_ranks(stage_sets, statuses):
        if order.empty:
            continue
        passed: dict = {}
        for ranks, n, _ in sets:
            for r in set(ranks):
                passed[r] = passed.get(r, 0) + n
        furthest = [(max(ranks), n, o) for ranks, n, o in sets]
        for _, st in order.iterrows():
            r = st["rank"]
            rows.append(
                {
                    "pipeline_id": pid,
                    "pipeline": pipe_names.get(pid, str(pid)),
                    "status_id": st["id"],
                    "stage": st["name"],
                    "rank": r,
                    "passed": int(passed.get(r, 0)),
                    "cumulative": int(sum(n for f, n, _ in furthest if f >= r)),
                    "open_here": int(sum(n for f, n, o in furthest if f == r and o == "open")),
                    "skipped_in": int(sum(n for ranks, n, _ in sets if r in ranks and r - 1 not in ranks)) if r else 0,
                }
            )
    return _funnel_frame(rows)


def skippers_counted(stage_sets: pd.DataFrame, statuses: pd.DataFrame) -> int:
    """Deals (counted by stage set, as in :func:`funnel_counted`) whose furthest stage is beyond the number
    of stages they entered: they skipped a stage."""
    return sum(
        n for _, _, sets in _set_ranks(stage_sets, statuses) for ranks, n, _ in sets if max(ranks) + 1 > len(set(ranks))
    )


def loss_stage(leads: pd.DataFrame, stage_changes: pd.DataFrame, statuses: pd.DataFrame) -> pd.DataFrame:
    """For lost leads: the last open stage before the move to lost (``loss_status_id``), and its pipeline."""
    lost = leads[leads["status_id"] == LOST][
        ["id", "pipeline_id", "price", "loss_reason_id", "closed_at", "responsible_user_id"]
    ]
    sc = chronological(stage_changes[stage_changes["lead_id"].isin(lost["id"])])
    into_lost = sc[sc["to_status_id"] == LOST].groupby("lead_id").last()
    open_ids = set(statuses.loc[statuses["kind"].isin(["open", "unsorted"]), "id"])
    last_open = sc[sc["to_status_id"].isin(open_ids)].groupby("lead_id").last()
    stage = into_lost["from_status_id"].where(into_lost["from_status_id"].isin(open_ids))
    pipe = into_lost["from_pipeline_id"]
    stage = stage.combine_first(last_open["to_status_id"])
    pipe = pipe.where(stage.reindex(pipe.index).notna()).combine_first(last_open["to_pipeline_id"])
    out = lost.assign(loss_status_id=lost["id"].map(stage), loss_pipeline_id=lost["id"].map(pipe))
    out["loss_pipeline_id"] = out["loss_pipeline_id"].fillna(out["pipeline_id"])
    return out


def losses_by_stage(
    leads: pd.DataFrame, stage_changes: pd.DataFrame, statuses: pd.DataFrame, period: Period
) -> pd.DataFrame:
    """Deals lost in the period, counted and summed by the last open stage before loss.

    Columns: pipeline_id, status_id, stage, sort, lost, amount, share (of lost deals); a stage of
    ``None`` means the history does not show where the deal was lost.
    """
    lost = loss_stage(_closed_in(leads, period, LOST), stage_changes, statuses)
    if lost.empty:
        return pd.DataFrame(columns=["pipeline_id", "status_id", "stage", "sort", "lost", "amount", "share"])
    g = (
        lost.assign(
            status_id=lost["loss_status_id"].fillna(-1).astype("int64"),
            pipeline_id=lost["loss_pipeline_id"].astype("int64"),
        )
        .groupby(["pipeline_id", "status_id"])
        .agg(lost=("id", "size"), amount=("price", "sum"))
        .reset_index()
    )
    names = statuses.set_index(["pipeline_id", "id"])
    g["stage"] = [names["name"].get((p, s)) for p, s in zip(g["pipeline_id"], g["status_id"])]
    g["sort"] = [names["sort"].get((p, s), 10**9) for p, s in zip(g["pipeline_id"], g["status_id"])]
    g["share"] = g["lost"] / g["lost"].sum()
    return g.sort_values(["pipeline_id", "sort"]).reset_index(drop=True)[
        ["pipeline_id", "status_id", "stage", "sort", "lost", "amount", "share"]
    ]


def loss_reasons(leads: pd.DataFrame, loss_reasons_ref: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Deals lost in the period by loss reason: reason, lost, amount, share; most frequent first."""
    lost = _closed_in(leads, period, LOST)
    # each deal's reason as a number (the reasons' names sorted, no reason last), so that the grouping
    # runs on integers: the groups, their order and their sums are those of grouping by the names
    ids = pd.Index(loss_reasons_ref["id"])
    at = ids.get_indexer(lost["loss_reason_id"].astype("float64").to_numpy()) if len(ids) else np.full(len(lost), -1)
    labels, uniq = pd.factorize(pd.Series(loss_reasons_ref["name"], dtype=object).to_numpy(), sort=True)
    code = np.where(at >= 0, labels[np.clip(at, 0, None)] if len(labels) else -1, -1)
    code = np.where(code >= 0, code, len(uniq))  # no reason (or an unknown one): last, as NaN
    g = lost[["id", "price"]].groupby(code).agg(lost=("id", "size"), amount=("price", "sum"))
    reason = np.append(np.asarray(uniq, dtype=object), np.nan)[g.index.to_numpy()]
    g = pd.DataFrame(
        {
            "reason": pd.Series(reason, dtype=object).infer_objects(),
            "lost": g["lost"].to_numpy(),
            "amount": g["amount"].to_numpy(),
        }
    )
    g["share"] = g["lost"] / g["lost"].sum() if len(g) else []
    return g.sort_values(["lost", "amount"], ascending=False).reset_index(drop=True)


def km_quantiles(durations, observed, qs=(0.5, 0.75, 0.9)) -> list[float]:
    """Kaplan–Meier quantiles of durations where ``observed`` is False for censored (still open) spells.

    The q-quantile is the smallest time t with S(t) <= 1 - q; NaN when the curve never falls that low
    (too many spells still open to tell).
    """
    d = np.asarray(durations, dtype=float)
    return km_quantiles_counted(d, observed, np.ones(d.size, dtype=np.int64), qs)


def km_quantiles_counted(durations, observed, counts, qs=(0.5, 0.75, 0.9)) -> list[float]:
    """:func:`km_quantiles` of spells given as counts: ``counts[i]`` spells of duration ``durations[i]``
    (``observed`` as there; a duration may repeat). The same integer counts of spells, events and spells
    at risk at each distinct duration as over the spells one by one, so the same quantiles, bit for bit."""
    d = np.asarray(durations, dtype=float)
    e = np.asarray(observed, dtype=bool)
    n = np.asarray(counts, dtype=np.int64)
    total = int(n.sum())
    if total == 0:
        return [float("nan")] * len(qs)
    order = np.argsort(d, kind="stable")
    d_sorted, n_sorted = d[order], n[order]
    # the distinct durations, the spells of each and those still running at each
    first = np.flatnonzero(np.r_[True, d_sorted[1:] != d_sorted[:-1]])
    values, spells = d_sorted[first], np.add.reduceat(n_sorted, first)
    running = total - (np.cumsum(spells) - spells)
    # event times: the durations with an observed end; events at each: its spells less the censored ones
    censored = np.zeros(values.size, dtype=np.int64)
    np.add.at(censored, np.searchsorted(values, d[~e]), n[~e])
    ended = spells - censored
    times, events, at_risk = values[ended > 0], ended[ended > 0], running[ended > 0]
    surv = np.cumprod(1.0 - events / at_risk)  # S(t) = prod (1 - d_i / n_i)
    out = []
    for q in qs:
        hit = np.nonzero(surv <= 1.0 - q + 1e-12)[0]
        out.append(float(times[hit[0]]) if hit.size else float("nan"))
    return out


def stage_visits(stage_changes: pd.DataFrame, statuses: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """Every stay of a lead in an open stage: entered, left (NaT while still there), days, observed.

    A stay is a change into an open stage; it is left at the lead's next change (before ``as_of``)."""
    before = stage_changes["at"] < as_of
    sc = chronological(stage_changes if before.all() else stage_changes[before])
    # the next change of the same lead (rows of a lead are adjacent once in chronological order)
    lead, at = sc["lead_id"].to_numpy(), sc["at"].to_numpy()
    same_next = np.zeros(len(sc), dtype=bool)
    same_next[:-1] = lead[1:] == lead[:-1]
    left = np.full(len(sc), np.datetime64("NaT"), dtype=at.dtype)
    left[:-1] = at[1:]
    left[~same_next] = np.datetime64("NaT")
    keep = sc["to_status_id"].isin(statuses.loc[statuses["kind"] == "open", "id"]).to_numpy()
    return stay_days(
        pd.DataFrame(
            {
                "lead_id": lead[keep],
                "pipeline_id": sc["to_pipeline_id"].to_numpy()[keep],
                "status_id": sc["to_status_id"].to_numpy()[keep],
                "entered": at[keep],
                "left": left[keep],
            }
        ),
        as_of,
    )


def stay_days(stays: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """Stays (``entered``, ``left``: NaT while still there) with ``observed`` and ``days`` (up to ``as_of``
    for the stays still open)."""
    return stays.assign(
        observed=stays["left"].notna(),
        days=((stays["left"].fillna(as_of) - stays["entered"]).dt.total_seconds() / 86400.0),
    )


def stay_days_counted(stays: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """Stays counted by duration (``dur_us``: microseconds from entering to leaving, or to ``as_of`` while
    still there; ``observed``; ``n``) with ``days`` computed as :func:`stay_days` computes them from
    the stays' (microsecond) times."""
    # the timedelta type stay_days subtracts in: microsecond times, the open ones filled with as_of
    unit = (
        pd.Series([pd.NaT], dtype="datetime64[us]").fillna(as_of) - pd.Series([as_of]).astype("datetime64[us]")
    ).dtype
    dur = pd.Series(stays["dur_us"].to_numpy(dtype=np.int64).view("timedelta64[us]")).astype(unit)
    extra = pd.Timestamp(as_of).nanosecond  # below the microseconds SQL reads as_of in
    if extra:
        dur = dur + pd.to_timedelta(np.where(stays["observed"].to_numpy(dtype=bool), 0, extra), unit="ns")
    return stays.assign(days=(dur.dt.total_seconds() / 86400.0).to_numpy())


def _grouped(first: np.ndarray, second: np.ndarray) -> tuple[np.ndarray, np.ndarray, list[tuple]]:
    """Rows grouped by (first, second) in key order, as groupby does: the row order, where each group
    starts in it, and the group keys. Keys are codes in sorted order, so a stable sort groups them (a
    linear-time one for the few groups of a funnel)."""
    c1, u1 = pd.factorize(first, sort=True)
    c2, u2 = pd.factorize(second, sort=True)
    code = c1.astype(np.int64) * max(len(u2), 1) + c2
    order = np.argsort(code.astype(np.int16) if len(u1) * len(u2) < 2**15 else code, kind="stable")
    code = code[order]
    starts = np.flatnonzero(np.r_[True, code[1:] != code[:-1]]) if len(code) else np.array([], dtype=np.int64)
    keys = [(u1[k // max(len(u2), 1)], u2[k % max(len(u2), 1)]) for k in code[starts]]
    return order, starts, keys


def time_in_stage(visits: pd.DataFrame, statuses: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Median / P75 / P90 days in each stage for stays that began in the period (censored KM): each visit is
    :func:`time_in_stage_counted`'s count of one."""
    v = visits[period.contains(visits["entered"])]
    return time_in_stage_counted(v[["pipeline_id", "status_id", "days", "observed"]].assign(n=1), statuses)


def time_in_stage_counted(stays: pd.DataFrame, statuses: pd.DataFrame) -> pd.DataFrame:
    """:func:`time_in_stage` of stays that began in the period given as counts (pipeline_id, status_id,
    days, observed, n: :func:`stay_days_counted`)."""
    v = stays[stays["pipeline_id"].notna() & stays["status_id"].notna()]
    order, starts, keys = _grouped(v["pipeline_id"].to_numpy(), v["status_id"].to_numpy())
    days, observed = v["days"].to_numpy()[order], v["observed"].to_numpy(dtype=bool)[order]
    n = v["n"].to_numpy(dtype=np.int64)[order]
    rows = []
    for (pid, sid), a, b in zip(keys, starts, np.r_[starts[1:], len(order)]):
        med, p75, p90 = km_quantiles_counted(days[a:b], observed[a:b], n[a:b])
        rows.append(
            {
                "pipeline_id": pid,
                "status_id": sid,
                "visits": int(n[a:b].sum()),
                "still_open": int(n[a:b][~observed[a:b]].sum()),
                "median_days": med,
                "p75_days": p75,
                "p90_days": p90,
            }
        )
    df = pd.DataFrame(
        rows, columns=["pipeline_id", "status_id", "visits", "still_open", "median_days", "p75_days", "p90_days"]
    )
    st = statuses[["pipeline_id", "id", "name", "sort"]].rename(columns={"id": "status_id", "name": "stage"})
    return (
        df.merge(st, on=["pipeline_id", "status_id"], how="left")
        .sort_values(["pipeline_id", "sort"])
        .reset_index(drop=True)
    )


def cycle_days(leads: pd.DataFrame) -> pd.Series:
    """created → closed in days for the given (won) leads."""
    return (leads["closed_at"] - leads["created_at"]).dt.total_seconds() / 86400.0


@dataclass(frozen=True)
class CycleStats:
    won_deals: int
    mean_days: float
    median_days: float
    p75_days: float
    typical_days: float  # mean cycle of won deals over the 12 months ending with the period
    typical_basis: int  # how many won deals that mean rests on


def won_cycle(leads: pd.DataFrame, period: Period) -> CycleStats:
    """Cycle of deals won in the period, and the typical (12-month) cycle used for the stale-deal list."""
    won = _closed_in(leads, period, WON)
    c = cycle_days(won)
    year = Period("range", (pd.Timestamp(period.end) - pd.DateOffset(years=1)).date(), period.end, "12m")
    won12 = _closed_in(leads, year, WON)
    c12 = cycle_days(won12)
    return CycleStats(
        won_deals=len(won),
        mean_days=float(c.mean()) if len(c) else float("nan"),
        median_days=float(c.median()) if len(c) else float("nan"),
        p75_days=float(c.quantile(0.75)) if len(c) else float("nan"),
        typical_days=float(c12.mean()) if len(c12) else float("nan"),
        typical_basis=len(won12),
    )


def open_at(leads: pd.DataFrame, moment: pd.Timestamp) -> pd.DataFrame:
    """Deals that existed and were not closed at ``moment``."""
    return leads[(leads["created_at"] < moment) & (leads["closed_at"].isna() | (leads["closed_at"] >= moment))]


def open_deals(
    leads: pd.DataFrame, stage_changes: pd.DataFrame, statuses: pd.DataFrame, moment: pd.Timestamp
) -> pd.DataFrame:
    """The open deals at ``moment`` as every report counts them (:func:`crmreports.store.concepts.open_deals_at`:
    in an open stage then; requests pending in «Неразобранное» are not deals): those rows of ``leads``."""
    if leads.empty:  # (open_deals_at has no columns to give when there is no deal at all)
        return leads
    # nullable stage columns: a history may lack a deal's pipeline (open_deals_at then finds no open stage)
    typed = leads.astype({"pipeline_id": "Int64", "status_id": "Int64"})
    return leads[leads["id"].isin(concepts.open_deals_at(typed, stage_changes, statuses, moment)["id"])]


def stale_deals(
    leads: pd.DataFrame,
    stage_changes: pd.DataFrame,
    statuses: pd.DataFrame,
    users: pd.DataFrame,
    threshold_days: float,
    moment: pd.Timestamp,
) -> pd.DataFrame:
    """Open deals at ``moment`` (:func:`crmreports.store.concepts.open_deals_at`: pending «Неразобранное»
    requests are not deals) older than ``threshold_days``, oldest first, with their stage then."""
    op = open_at(leads, moment)
    if not np.isnan(threshold_days):
        op = op[(moment - op["created_at"]).dt.total_seconds() / 86400.0 > threshold_days]
        op = open_deals(op, stage_changes, statuses, moment)
    if op.empty or np.isnan(threshold_days):
        return pd.DataFrame(columns=["id", "name", "price", "age_days", "stage", "manager", "created_at"])
    op = op.assign(age_days=(moment - op["created_at"]).dt.total_seconds() / 86400.0)
    op = op[op["age_days"] > threshold_days]
    sc = stage_changes[(stage_changes["lead_id"].isin(op["id"])) & (stage_changes["at"] < moment)]
    last = chronological(sc).groupby("lead_id").last()
    names = dict(zip(zip(statuses["pipeline_id"], statuses["id"]), statuses["name"]))
    stage = {lid: names.get((p, s)) for lid, p, s in zip(last.index, last["to_pipeline_id"], last["to_status_id"])}
    cur = {lid: names.get((p, s)) for lid, p, s in zip(op["id"], op["pipeline_id"], op["status_id"])}
    users_by_id = dict(zip(users["id"], users["name"]))
    out = op.assign(
        stage=[stage.get(i, cur.get(i)) for i in op["id"]], manager=op["responsible_user_id"].map(users_by_id)
    )
    return out.sort_values("age_days", ascending=False)[
        ["id", "name", "price", "age_days", "stage", "manager", "created_at"]
    ].reset_index(drop=True)


def by_manager(
    leads: pd.DataFrame,
    users: pd.DataFrame,
    period: Period,
    as_of: pd.Timestamp,
    stage_changes: pd.DataFrame,
    statuses: pd.DataFrame,
    priced_users: set | frozenset | None = None,
    open_leads: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per manager responsible for deals: the headline figures, mean cycle and open deals (at the
    period's end or ``as_of`` if earlier: :func:`open_deals`).

    When ``leads`` is only part of the data: ``priced_users`` are the managers with any deal amount in
    the data (by default judged from each manager's rows in ``leads``), and ``open_leads`` the deals the
    open ones are counted in (by default ``leads``)."""
    rows = []
    moment = min(period.end_ts, as_of)
    base = leads if open_leads is None else open_leads
    n_open = open_deals(base, stage_changes, statuses, moment).groupby("responsible_user_id").size()
    if priced_users is None:
        priced_users = set(leads.loc[leads["price"].notna(), "responsible_user_id"])
    uids = set(leads["responsible_user_id"].dropna()) | (set() if open_leads is None else set(n_open.index))
    # the figures of a manager only see deals created or closed in the period
    seen = leads[period.contains(leads["created_at"]) | period.contains(leads["closed_at"])]
    groups = dict(list(seen.groupby("responsible_user_id")))
    for uid in sorted(uids):
        g = groups.get(uid, seen.iloc[:0])
        h = headline(g, period, as_of, uid in priced_users)
        won = _closed_in(g, period, WON)
        c = cycle_days(won)
        h.update(
            user_id=int(uid), cycle_days=float(c.mean()) if len(c) else float("nan"), open_deals=int(n_open.get(uid, 0))
        )
        rows.append(h)
    df = pd.DataFrame(rows)
    if df.empty:
        return df
    u = users.set_index("id")
    df.insert(0, "manager", df["user_id"].map(u["name"]))
    df.insert(1, "group", df["user_id"].map(u["group_name"]))
    active = (df[["created_deals", "won_deals", "lost_deals"]].sum(axis=1) > 0) | (df["open_deals"] > 0)
    return df[active].sort_values("revenue", ascending=False).reset_index(drop=True)
