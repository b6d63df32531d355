"""The summary's figures on the hand-built account of tests/fixtures_managers.py (values worked out by hand)."""

import pandas as pd
import pytest

import fixtures_managers as fx
from crmreports.core.periods import parse_period
from crmreports.reports.summary import metrics
from crmreports.store import concepts

NOV = parse_period("2026-11")


@pytest.fixture(scope="module")
def t():
    return fx.tables()


def test_deals_by_stage_now(t):
    od = concepts.open_deals_at(t["leads"], t["stage_changes"], t["statuses"], fx.MOMENT)
    s = metrics.by_stage(od, t["statuses"], t["pipelines"])
    # A: D3 (300) + D5 (500); B: D4 (400) + D6 (600); D10 pending in «Incoming» is not a deal
    assert s[["stage", "deals", "amount"]].values.tolist() == [["A", 2, 800.0], ["B", 2, 1000.0]]


def test_six_numbers(t):
    n = metrics.period_numbers(t["leads"], t["calls"], NOV, t["statuses"])
    # won D1, D7, D8 (220), lost D2, D9; created D1–D9 (D10 is a request pending in «Incoming»); calls c1–c3
    assert n == {
        "revenue": 220.0,
        "won_deals": 3,
        "average_check": pytest.approx(220 / 3),
        "created_deals": 9,
        "win_rate": pytest.approx(0.6),
        "calls_total": 3,
    }


def test_load_imbalance_is_named_against_the_median():
    load = pd.DataFrame({"user_id": [1, 2, 3, 4], "open_deals": [30, 10, 12, 0]})
    # managers with open deals: 30, 10, 12 → median 12; the top one holds 30 = 2.5 × the median
    assert metrics.imbalance(load) == {"user_id": 1, "value": 30.0, "median": 12.0, "ratio": 2.5, "n": 3}
    assert metrics.imbalance(load.iloc[[0, 3]]) is None  # one manager with deals: nothing to compare


def test_contacts_vs_deals():
    contacts = pd.DataFrame(
        {
            "responsible_user_id": [1, 1, 1, 2],
            "created_at": pd.to_datetime(["2026-11-02", "2026-11-03", "2026-10-30", "2026-11-04"]),
        }
    )
    leads = pd.DataFrame({"responsible_user_id": [1, 2, 2], "created_at": pd.to_datetime(["2026-11-05"] * 3)})
    c = metrics.contacts_vs_deals(contacts, leads, NOV).set_index("user_id")
    # user 1: 2 contacts in November (one in October), 1 deal → 0.5 deals per contact; user 2: 1 contact, 2 deals
    assert c.loc[1, ["contacts", "deals"]].tolist() == [2, 1] and c.loc[1, "deals_per_contact"] == 0.5
    assert c.loc[2, ["contacts", "deals"]].tolist() == [1, 2]


def test_actions_ranked_by_money():
    a = [
        metrics.Action("stale", 500.0, {}, "managers", "actions"),
        metrics.Action("overdue", 900.0, {}, "managers", "actions"),
        metrics.Action("loss_reason", 0.0, {}, "managers", "losses"),  # nothing at stake: left out
        metrics.Action("backlog", 700.0, {}, "unsorted_leads", "backlog"),
    ]
    assert [x.key for x in metrics.rank_actions(a)] == ["overdue", "backlog", "stale"]
    assert len(metrics.rank_actions(a * 3)) == 5
