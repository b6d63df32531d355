"""Figures of the marketing report: pure functions over the store's frames (naive local timestamps).

``leads`` carries the columns id, price, status_id, kind (the kind of the deal's current stage), created_at,
closed_at, ``channel`` (the lead source as the account's configured field gives it; a missing one is
:data:`NO_SOURCE`) and ``client`` (``company:<id>`` when the deal has a company, else ``contact:<id>``, else
missing). Won deals, revenue and like-for-like cohorts come from :mod:`crmreports.store.concepts`.

Definitions (each section states its own next to the figures):

- **leads** of a source: records created in the period, pending «Неразобранное» requests included;
  **deals created**: the leads that are deals (not a pending request);
- **won (cohort)**: leads created in the period won before the like-for-like cutoff
  (:func:`concepts.outcome_cutoff`); **conversion** = won (cohort) / leads, with a 95 % Wilson interval;
- **revenue**, **won deals**, **average check**, **cycle**: deals won in the period (by ``closed_at``);
- **spend**: the period's share of each month's amount (a month partly in the period counts by its days);
- **new clients**: clients whose first won deal ever was won in the period, counted for that deal's source;
  **CAC** = spend / new clients; **cost per lead** = spend / leads; **ROMI** = (revenue − spend) / spend;
  **payback (months)** = spend / (revenue per month of the period); sources without spend have none of these
  (missing, never zero);
- **client**: the deal's company, else its contact; **repeat revenue**: won deals of a client after its
  first won deal; **repeat-purchase rate within N days**: among clients whose first purchase is at least N
  days before the data date, the share with another won deal within N days after it;
- **ABC** over the 12 months up to the period end: clients sorted by revenue, A up to
  :data:`ABC_A` (80 %) of the cumulative revenue (the client crossing it included), B up to :data:`ABC_B`,
  C the rest; **XYZ**: the coefficient of variation (population standard deviation / mean) of the client's
  revenue in each of those 12 months (months without a purchase count as 0): X ≤ :data:`XYZ_X`,
  Y ≤ :data:`XYZ_Y`, Z above.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ...core.periods import Period
from ...store import concepts
from ...store.schema import WON_STATUS_ID

NO_SOURCE = "\x00none"  # the channel of a lead without a source (shown as «не указан»)
ABC_A, ABC_B = 0.80, 0.95
XYZ_X, XYZ_Y = 0.5, 1.0
REPEAT_WINDOWS = (90, 180, 365)
MIN_LEADS = 30  # a conversion is ranked only with this many leads
MIN_WON = 5  # a ROMI is ranked only with this many won deals
HISTORY_MONTHS = 12  # the months of the client charts, ABC/XYZ and the cohort table

SOURCE_COLUMNS = [
    "channel",
    "leads",
    "deals_created",
    "won_cohort",
    "open_cohort",
    "conversion",
    "conversion_lo",
    "conversion_hi",
    "won_deals",
    "revenue",
    "average_check",
    "cycle_days",
    "new_clients",
    "spend",
    "cost_per_lead",
    "cac",
    "romi",
    "payback_months",
]


def _div(a, b) -> float:
    return float(a) / float(b) if b and not pd.isna(b) and not pd.isna(a) else float("nan")


def won_deals(leads: pd.DataFrame) -> pd.DataFrame:
    """Every won deal (at any time) with a close date."""
    return leads[(leads["status_id"] == WON_STATUS_ID) & leads["closed_at"].notna()]


def first_purchases(leads: pd.DataFrame) -> pd.DataFrame:
    """Each client's first won deal: client, first_at (its close), first_id, first_channel."""
    w = won_deals(leads).dropna(subset=["client"]).sort_values(["closed_at", "id"], kind="stable")
    f = w.drop_duplicates("client")
    return pd.DataFrame(
        {
            "client": f["client"].values,
            "first_at": f["closed_at"].values,
            "first_id": f["id"].values,
            "first_channel": f["channel"].values,
        }
    )


def spend_in(spend: pd.DataFrame, period: Period) -> pd.Series:
    """Spend per source in ``period``: each month's amount times the share of its days inside the period."""
    if spend is None or spend.empty:
        return pd.Series(dtype=float)
    start, end = period.start_ts, period.end_ts
    m0 = pd.to_datetime(spend["month"])
    m1 = m0 + pd.offsets.MonthBegin(1)
    overlap = (np.minimum(m1, end) - np.maximum(m0, start)).dt.days.clip(lower=0)
    share = overlap / (m1 - m0).dt.days
    part = spend["amount"].astype(float) * share
    part = part[overlap > 0]
    return part.groupby(spend.loc[part.index, "source"]).sum()


def by_source(
    leads: pd.DataFrame, spend: pd.DataFrame | None, period: Period, current: Period, as_of: pd.Timestamp
) -> pd.DataFrame:
    """One row per source (:data:`SOURCE_COLUMNS`) for ``period``, its cohort counted up to the like-for-like
    cutoff of ``current`` at ``as_of`` (see the module docstring). Sources with any lead, win or spend."""
    cutoff = concepts.outcome_cutoff(period, current, as_of)
    created = leads[period.contains(leads["created_at"])]
    closed = created["closed_at"].notna() & (created["closed_at"] < cutoff)
    won_c = created[closed & (created["status_id"] == WON_STATUS_ID)]
    won_p = concepts.won_in(leads, period)
    firsts = first_purchases(leads)
    new = firsts[period.contains(pd.Series(firsts["first_at"]))]
    sp = spend_in(spend, period)
    channels = sorted(set(created["channel"]) | set(won_p["channel"]) | set(sp.index), key=_channel_order)
    rows = []
    months = period.days / (365.25 / 12)
    for ch in channels:
        c = created[created["channel"] == ch]
        n_leads = len(c)
        n_deals = int((c["kind"] != "unsorted").sum())
        k = int((won_c["channel"] == ch).sum())
        lost = int((closed & (created["status_id"] != WON_STATUS_ID) & (created["channel"] == ch)).sum())
        w = won_p[won_p["channel"] == ch]
        revenue = concepts.revenue_of(w)
        cycle = (w["closed_at"] - w["created_at"]).dt.total_seconds() / 86400
        lo, hi = concepts.wilson_interval(k, n_leads)
        n_new = int((new["first_channel"] == ch).sum())
        s = float(sp.get(ch, float("nan")))
        has = not pd.isna(s)
        rows.append(
            {
                "channel": ch,
                "leads": n_leads,
                "deals_created": n_deals,
                "won_cohort": k,
                "open_cohort": n_leads - k - lost,
                "conversion": _div(k, n_leads),
                "conversion_lo": lo,
                "conversion_hi": hi,
                "won_deals": len(w),
                "revenue": revenue,
                "average_check": _div(revenue, len(w)),
                "cycle_days": float(cycle.mean()) if len(w) and cycle.notna().any() else float("nan"),
                "new_clients": n_new,
                "spend": s,
                "cost_per_lead": _div(s, n_leads) if has else float("nan"),
                "cac": _div(s, n_new) if has else float("nan"),
                "romi": _div(revenue - s, s) if has else float("nan"),
                "payback_months": _div(s, revenue / months) if has and revenue > 0 else float("nan"),
            }
        )
    return pd.DataFrame(rows, columns=SOURCE_COLUMNS)


def _channel_order(ch: str) -> tuple:
    return (ch == NO_SOURCE, str(ch))


def totals(rows: pd.DataFrame) -> dict[str, float]:
    """The whole account's figures from :func:`by_source` rows (spend figures only over sources with spend)."""
    spent = rows[rows["spend"].notna()]
    s = float(spent["spend"].sum()) if len(spent) else float("nan")
    rev_spent = float(spent["revenue"].sum())
    n_leads, k = int(rows["leads"].sum()), int(rows["won_cohort"].sum())
    revenue, won = float(rows["revenue"].sum()), int(rows["won_deals"].sum())
    return {
        "leads": n_leads,
        "created_deals": int(rows["deals_created"].sum()),
        "won_cohort": k,
        "lead_to_won_conversion": _div(k, n_leads),
        "won_deals": won,
        "revenue": revenue,
        "average_check": _div(revenue, won),
        "new_clients": int(rows["new_clients"].sum()),
        "spend": s,
        "cost_per_lead": _div(s, spent["leads"].sum()) if len(spent) else float("nan"),
        "cac": _div(s, spent["new_clients"].sum()) if len(spent) else float("nan"),
        "romi": _div(rev_spent - s, s) if len(spent) else float("nan"),
    }


RATE_KEYS = ("lead_to_won_conversion", "romi")
KPI_KEYS = (
    "leads",
    "created_deals",
    "won_deals",
    "revenue",
    "average_check",
    "lead_to_won_conversion",
    "new_clients",
    "spend",
    "cac",
    "romi",
)


def compared(period: Period) -> list[tuple[str, Period]]:
    return [("current", period), ("previous", period.previous()), ("year_ago", period.year_ago())]


def kpi_table(leads: pd.DataFrame, spend: pd.DataFrame | None, period: Period, as_of: pd.Timestamp) -> pd.DataFrame:
    """Headline figures (rows :data:`KPI_KEYS`) for the period, the previous one and a year ago."""
    cols = {name: totals(by_source(leads, spend, p, period, as_of)) for name, p in compared(period)}
    return pd.DataFrame(cols).loc[list(KPI_KEYS)]


# ---- customers ---------------------------------------------------------------------------------------------------


def months_back(period: Period, n: int = HISTORY_MONTHS) -> list[pd.Timestamp]:
    """The first days of the ``n`` months up to the one the period ends in (its last day's month)."""
    last = pd.Timestamp(period.last_day).to_period("M")
    return [(last - k).to_timestamp() for k in range(n - 1, -1, -1)]


def purchases(leads: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """Won deals with a client before ``as_of``: id, client, channel, closed_at, price, month, first_at,
    is_repeat (a won deal after the client's first one; the first is the earliest by close time, then id)."""
    w = won_deals(leads)
    w = w[(w["closed_at"] < as_of)].dropna(subset=["client"]).sort_values(["closed_at", "id"], kind="stable")
    cols = ["id", "client", "channel", "closed_at", "price", "month", "first_at", "is_repeat"]
    if w.empty:  # no won deal has a contact or a company (imports without clients)
        return pd.DataFrame({c: pd.Series(dtype="datetime64[ns]" if c.endswith("_at") else object) for c in cols})
    firsts = w.drop_duplicates("client").set_index("client")
    out = w[["id", "client", "channel", "closed_at", "price"]].copy()
    out["price"] = out["price"].fillna(0.0).astype(float)
    out["month"] = out["closed_at"].dt.to_period("M").dt.to_timestamp()
    out["first_at"] = out["client"].map(firsts["closed_at"])
    out["is_repeat"] = ~out["id"].isin(firsts["id"])
    return out.reset_index(drop=True)


def new_vs_repeat(p: pd.DataFrame, months: list[pd.Timestamp]) -> pd.DataFrame:
    """Per month: revenue and deals of first purchases (new) and of repeat purchases, the repeat share."""
    rows = []
    for m in months:
        x = p[p["month"] == m]
        new, rep = x[~x["is_repeat"]], x[x["is_repeat"]]
        total = float(x["price"].sum())
        rows.append(
            {
                "month": m,
                "new_revenue": float(new["price"].sum()),
                "repeat_revenue": float(rep["price"].sum()),
                "new_deals": len(new),
                "repeat_deals": len(rep),
                "repeat_share": _div(float(rep["price"].sum()), total),
            }
        )
    return pd.DataFrame(rows)


def repeat_rates(p: pd.DataFrame, as_of: pd.Timestamp, windows=REPEAT_WINDOWS) -> pd.DataFrame:
    """For each window of N days: clients observable that long (first purchase ≥ N days before ``as_of``),
    those with another won deal within N days after the first, the rate and its Wilson interval."""
    firsts = p.drop_duplicates("client")[["client", "first_at"]]
    second = p[p["is_repeat"]].groupby("client")["closed_at"].min()
    gap = (firsts["client"].map(second) - firsts["first_at"]).dt.total_seconds() / 86400
    rows = []
    for n in windows:
        seen = firsts["first_at"] <= as_of - pd.Timedelta(days=n)
        k = int((seen & (gap <= n)).sum())
        m = int(seen.sum())
        lo, hi = concepts.wilson_interval(k, m)
        rows.append({"days": n, "clients": m, "repeated": k, "rate": _div(k, m), "rate_lo": lo, "rate_hi": hi})
    return pd.DataFrame(rows)


def cohorts(p: pd.DataFrame, months: list[pd.Timestamp], horizon: int = HISTORY_MONTHS) -> pd.DataFrame:
    """First-purchase cohorts of ``months``: clients, revenue per month since the first (``m0`` … ``m{h-1}``,
    missing for months after the last of ``months``), total revenue and CLTV (revenue per client to date)."""
    first_month = p.drop_duplicates("client").set_index("client")["first_at"].dt.to_period("M")
    last = months[-1].to_period("M")
    rows = []
    for m in months:
        mp = m.to_period("M")
        members = first_month[first_month == mp].index
        x = p[p["client"].isin(members)]
        age = (x["closed_at"].dt.to_period("M") - mp).map(lambda d: d.n)
        row = {"cohort": m, "clients": len(members)}
        for k in range(horizon):
            row[f"m{k}"] = float(x.loc[age == k, "price"].sum()) if (mp + k) <= last else float("nan")
        row["revenue"] = float(x["price"].sum())
        row["cltv"] = _div(row["revenue"], len(members))
        rows.append(row)
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class ClientClasses:
    table: pd.DataFrame  # client, revenue, deals, months_bought, cv, abc, xyz
    matrix: pd.DataFrame  # abc × xyz: clients


def abc_xyz(p: pd.DataFrame, months: list[pd.Timestamp]) -> ClientClasses:
    """ABC by revenue and XYZ by regularity over ``months`` (see the module docstring)."""
    x = p[p["month"].isin(months)]
    grid = x.pivot_table(index="client", columns="month", values="price", aggfunc="sum", fill_value=0.0)
    grid = grid.reindex(columns=months, fill_value=0.0)
    rev = grid.sum(axis=1)
    grid, rev = grid[rev > 0], rev[rev > 0]
    order = rev.sort_values(ascending=False, kind="stable")
    order = order.loc[sorted(order.index, key=lambda c: (-order[c], str(c)))]
    cum_before = order.cumsum().shift(fill_value=0.0) / order.sum() if len(order) else order
    abc = np.where(cum_before < ABC_A, "A", np.where(cum_before < ABC_B, "B", "C"))
    g = grid.loc[order.index]
    mean, std = g.mean(axis=1), g.std(axis=1, ddof=0)
    cv = std / mean
    xyz = np.where(cv <= XYZ_X, "X", np.where(cv <= XYZ_Y, "Y", "Z"))
    deals = x.groupby("client").size().reindex(order.index)
    table = pd.DataFrame(
        {
            "client": order.index,
            "revenue": order.values,
            "share": (order / order.sum()).values if len(order) else [],
            "deals": deals.values,
            "months_bought": (g > 0).sum(axis=1).values,
            "cv": cv.values,
            "abc": abc,
            "xyz": xyz,
        }
    )
    matrix = (
        table.pivot_table(index="abc", columns="xyz", values="client", aggfunc="count", fill_value=0)
        .reindex(index=["A", "B", "C"], columns=["X", "Y", "Z"], fill_value=0)
        .astype(int)
    )
    return ClientClasses(table.reset_index(drop=True), matrix)


def lapsed(p: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Clients who bought in the 12 months before the last 12 (up to the period end) and not since: client,
    revenue and deals then, last purchase, last deal id; by revenue, largest first."""
    end = period.end_ts
    year = end - pd.DateOffset(years=1)
    before = year - pd.DateOffset(years=1)
    prev = p[(p["closed_at"] >= before) & (p["closed_at"] < year)]
    now = set(p.loc[(p["closed_at"] >= year) & (p["closed_at"] < end), "client"])
    gone = prev[~prev["client"].isin(now)].sort_values(["closed_at", "id"], kind="stable")
    if gone.empty:
        return pd.DataFrame(columns=["client", "revenue", "deals", "last_at", "last_id"])
    g = gone.groupby("client")
    out = pd.DataFrame(
        {
            "revenue": g["price"].sum(),
            "deals": g.size(),
            "last_at": g["closed_at"].max(),
            "last_id": g["id"].last(),
        }
    ).reset_index()
    return out.sort_values(["revenue", "client"], ascending=[False, True], kind="stable").reset_index(drop=True)


# ---- narrative ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ranking:
    best: pd.Series | None
    worst: pd.Series | None
    reason: str  # ranked, too_few, overlap


def rank_conversion(rows: pd.DataFrame, min_leads: int = MIN_LEADS) -> Ranking:
    """Best and worst source by conversion among those with ``min_leads`` leads, named only when the best's
    95 % interval lies above the worst's (else ``overlap``)."""
    r = rows[(rows["leads"] >= min_leads) & (rows["channel"] != NO_SOURCE)]
    if len(r) < 2:
        return Ranking(None, None, "too_few")
    r = r.sort_values(["conversion", "leads"], ascending=[False, False], kind="stable")
    best, worst = r.iloc[0], r.iloc[-1]
    if not best["conversion_lo"] > worst["conversion_hi"]:
        return Ranking(best, worst, "overlap")
    return Ranking(best, worst, "ranked")


def rank_romi(rows: pd.DataFrame, min_won: int = MIN_WON) -> Ranking:
    """Best and worst source by ROMI among those with spend; a source with fewer than ``min_won`` won deals
    is not ranked (one large deal could reverse it), except that spend with no win at all is a finding."""
    r = rows[rows["spend"].notna() & (rows["spend"] > 0)]
    r = r[(r["won_deals"] >= min_won)]
    if len(r) < 2:
        return Ranking(None, None, "too_few")
    r = r.sort_values(["romi", "won_deals"], ascending=[False, False], kind="stable")
    return Ranking(r.iloc[0], r.iloc[-1], "ranked")
