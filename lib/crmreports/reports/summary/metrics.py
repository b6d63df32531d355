"""The summary («Сводный отчёт»): pure functions over the store's frames (naive local time).

- deals by stage now: open deals at the as-of moment (:func:`crmreports.store.concepts.open_deals_at`), counted
  and summed per stage in funnel order;
- load per manager: their open deals, open tasks and overdue tasks at the as-of moment
  (:mod:`crmreports.store.discipline`); the load imbalance names the manager with the most open deals against
  the median of the managers with any (:func:`imbalance`);
- contacts created vs deals created per manager in the period (contacts by their responsible user);
- the period in six numbers (:data:`SIX`): revenue, deals won, average check, new deals, win rate
  (won / (won + lost) closed in the period), calls;
- the things to act on: candidates from the shared definitions, each with the money at stake, ranked by it
  (:func:`rank_actions`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ...core.periods import Period
from ...store import concepts

SIX = ("revenue", "won_deals", "average_check", "created_deals", "win_rate", "calls_total")
RATE_KEYS = ("win_rate",)
ACTIONS = 5


def period_numbers(
    leads: pd.DataFrame, calls: pd.DataFrame, period: Period, statuses: pd.DataFrame | None = None
) -> dict:
    """The six numbers of one period (see :data:`SIX`); with ``statuses``, new deals leave out the requests still
    pending in «Неразобранное» (requests, not deals)."""
    won, lost = concepts.won_in(leads, period), concepts.lost_in(leads, period)
    created = period.contains(leads["created_at"])
    if statuses is not None:
        pending = statuses.loc[statuses["kind"] == "unsorted", ["pipeline_id", "id"]]
        keys = set(zip(pending["pipeline_id"], pending["id"]))
        created &= pd.Series(
            [(p, s) not in keys for p, s in zip(leads["pipeline_id"], leads["status_id"])], index=leads.index
        )
    revenue = float(won["price"].fillna(0).sum())
    decided = len(won) + len(lost)
    return {
        "revenue": revenue,
        "won_deals": len(won),
        "average_check": revenue / len(won) if len(won) else float("nan"),
        "created_deals": int(created.sum()),
        "win_rate": len(won) / decided if decided else float("nan"),
        "calls_total": int(period.contains(calls["at"]).sum()),
    }


def by_stage(open_deals: pd.DataFrame, statuses: pd.DataFrame, pipelines: pd.DataFrame) -> pd.DataFrame:
    """Open deals per stage: ``pipeline``, ``stage``, ``deals``, ``amount``, in pipeline and funnel order
    (stages with no open deal left out)."""
    g = open_deals.groupby(["pipeline_id", "status_id"])["price"].agg(["size", lambda s: s.fillna(0).sum()])
    g.columns = ["deals", "amount"]
    g = g.reset_index()
    st = statuses.rename(columns={"id": "status_id", "name": "stage", "sort": "stage_sort"})
    pp = pipelines.rename(columns={"id": "pipeline_id", "name": "pipeline", "sort": "pipe_sort"})
    g = g.merge(st[["pipeline_id", "status_id", "stage", "stage_sort"]], on=["pipeline_id", "status_id"], how="left")
    g = g.merge(pp[["pipeline_id", "pipeline", "pipe_sort"]], on="pipeline_id", how="left")
    g = g.sort_values(["pipe_sort", "pipeline_id", "stage_sort", "status_id"])
    return g[["pipeline_id", "status_id", "pipeline", "stage", "deals", "amount"]].reset_index(drop=True)


def imbalance(load: pd.DataFrame, col: str = "open_deals") -> dict | None:
    """The manager with the most ``col`` against the median of the managers with any: ``{user_id, value,
    median, ratio, n}``; None with fewer than two such managers."""
    x = load[load[col] > 0]
    if len(x) < 2:
        return None
    top = x.sort_values([col, "user_id"], ascending=[False, True]).iloc[0]
    med = float(np.median(x[col]))
    return {
        "user_id": top["user_id"],
        "value": float(top[col]),
        "median": med,
        "ratio": float(top[col]) / med,
        "n": len(x),
    }


def contacts_vs_deals(contacts: pd.DataFrame, leads: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Per responsible user: contacts created in the period, deals created in the period, and deals per contact
    (``user_id``, ``contacts``, ``deals``, ``deals_per_contact``)."""
    c = contacts[period.contains(contacts["created_at"])].groupby("responsible_user_id").size()
    d = leads[period.contains(leads["created_at"])].groupby("responsible_user_id").size()
    out = pd.DataFrame({"contacts": c, "deals": d}).fillna(0).astype("int64")
    out.index.name = "user_id"
    out = out.reset_index()
    out["deals_per_contact"] = np.where(
        out["contacts"] > 0, out["deals"] / out["contacts"].where(out["contacts"] > 0), np.nan
    )
    return out


@dataclass(frozen=True)
class Action:
    """One thing to act on: what (``key`` and the values its sentence needs), the money at stake, and the report
    page that explains it (``report``, ``anchor``, ``scope``: the document's scope slug)."""

    key: str
    money: float
    values: dict
    report: str
    anchor: str
    scope: str = "team"


def rank_actions(candidates: list[Action], n: int = ACTIONS) -> list[Action]:
    """The ``n`` candidates with the most money at stake (ties by key), leaving out those with none."""
    kept = [a for a in candidates if a.money and a.money > 0 and not np.isnan(a.money)]
    return sorted(kept, key=lambda a: (-a.money, a.key, a.scope))[:n]
