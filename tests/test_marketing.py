"""The marketing report's figures on the hand-built account of tests/fixtures_marketing.py; every expected
number is worked out by hand in the comments."""

from __future__ import annotations

import math

import pandas as pd
import pytest

import fixtures_marketing as fx
from crmreports.core.periods import parse_period
from crmreports.reports.marketing import metrics as m
from crmreports.reports.marketing import query

NOV, OCT = parse_period("2026-11"), parse_period("2026-10")


@pytest.fixture(scope="module")
def rows() -> pd.DataFrame:
    return m.by_source(fx.leads(), fx.spend(), NOV, NOV, fx.AS_OF).set_index("channel")


def test_direct_with_spend(rows):
    r = rows.loc["Директ"]
    # leads 1-4 created in November; all four are deals; 1 and 2 won before the data date, 3 lost, 4 open
    assert (r["leads"], r["deals_created"], r["won_cohort"], r["open_cohort"]) == (4, 4, 2, 1)
    assert r["conversion"] == 0.5
    # Wilson 95 % for 2 of 4: centre 0.5, half-width 1.96·sqrt(0.0625 + 0.0600)/1.9604 = 0.3500
    assert r["conversion_lo"] == pytest.approx(0.1500, abs=1e-4) and r["conversion_hi"] == pytest.approx(
        0.8500, abs=1e-4
    )
    # won in November: 1 (100) and 2 (200): revenue 300, average 150; cycles 8 and 17 days: mean 12.5
    assert (r["won_deals"], r["revenue"], r["average_check"]) == (2, 300.0, 150.0)
    assert r["cycle_days"] == pytest.approx(12.5)
    # new clients: contact:2 only (company:1 first bought in October 2025)
    assert r["new_clients"] == 1
    # spend 30 000: per lead 30 000 / 4 = 7 500; CAC 30 000 / 1; ROMI (300 − 30 000) / 30 000 = −0.99
    assert (r["spend"], r["cost_per_lead"], r["cac"]) == (30000.0, 7500.0, 30000.0)
    assert r["romi"] == pytest.approx(-0.99)
    # payback: 30 000 / (300 per 30/30.4375 months) = 30 000 / 304.375 = 98.56 months
    assert r["payback_months"] == pytest.approx(30000 / (300 / (30 / 30.4375)))


def test_source_with_spend_and_no_wins(rows):
    r = rows.loc["VK"]
    # leads 5 (open) and 6 (lost): no win; spend 10 000 → per lead 5 000, ROMI −100 %, no CAC (no new client)
    assert (r["leads"], r["won_cohort"], r["won_deals"], r["revenue"]) == (2, 0, 0, 0.0)
    assert r["conversion"] == 0.0 and r["conversion_lo"] == 0.0
    assert r["cost_per_lead"] == 5000.0 and r["romi"] == -1.0
    assert math.isnan(r["cac"]) and math.isnan(r["payback_months"]) and math.isnan(r["average_check"])


def test_source_without_spend_has_no_cost_figures(rows):
    r = rows.loc["Сайт"]
    # lead 8 is a pending request: a lead, not a deal; 7 was created in October but won in November (revenue)
    assert (r["leads"], r["deals_created"], r["won_cohort"]) == (1, 0, 0)
    assert (r["won_deals"], r["revenue"], r["new_clients"]) == (1, 300.0, 1)
    assert r["cycle_days"] == pytest.approx(16.0)  # 20 October → 5 November
    for col in ("spend", "cost_per_lead", "cac", "romi", "payback_months"):
        assert math.isnan(r[col]), col  # blank, never zero
    none = rows.loc[m.NO_SOURCE]
    assert (none["leads"], none["won_cohort"], none["revenue"], none["new_clients"]) == (1, 1, 40.0, 1)
    assert list(rows.index) == ["VK", "Директ", "Сайт", m.NO_SOURCE]  # by name, the missing source last


def test_totals_and_kpis():
    k = m.kpi_table(fx.leads(), fx.spend(), NOV, fx.AS_OF)
    cur, prev = k["current"], k["previous"]
    # November: 8 leads (1-6, 8, 9), 7 deals (8 is a request), won of them 1, 2, 9 → 3/8
    assert (cur["leads"], cur["created_deals"], cur["lead_to_won_conversion"]) == (8, 7, 3 / 8)
    # won in November: 1, 2, 7, 9 → 640; average 160; new clients contact:2, :7, :9
    assert (cur["won_deals"], cur["revenue"], cur["average_check"], cur["new_clients"]) == (4, 640.0, 160.0, 3)
    # spend 40 000 over Директ and VK; their new clients 1 + 0 → CAC 40 000; ROMI (300 + 0 − 40 000) / 40 000
    assert (cur["spend"], cur["cac"]) == (40000.0, 40000.0) and cur["romi"] == pytest.approx(-0.9925)
    # October: lead 7 only, like for like: its win on 5 November is after October's cutoff (1 November +
    # (1 December − 1 December) = 1 November), so 0 of 1; spend 31 000 on Директ, no revenue → ROMI −100 %
    assert (prev["leads"], prev["lead_to_won_conversion"], prev["won_deals"]) == (1, 0.0, 0)
    assert (prev["spend"], prev["romi"]) == (31000.0, -1.0)
    assert math.isnan(prev["cac"])  # no new client in October


def test_spend_of_part_of_a_month():
    half = parse_period("2026-11-01..2026-11-15")  # 15 of November's 30 days
    s = m.spend_in(fx.spend(), half)
    assert s.to_dict() == {"VK": 5000.0, "Директ": 15000.0}
    assert m.spend_in(fx.spend(), parse_period("2026-Q4")).to_dict() == {"VK": 10000.0, "Директ": 61000.0}


def test_purchases_new_and_repeat():
    p = m.purchases(fx.leads(), fx.AS_OF).set_index("id")
    # company:1's three won deals: 10 (first), 11 and 1 repeat
    assert p.loc[[10, 11, 1], "is_repeat"].tolist() == [False, True, True]
    assert not p.loc[[2, 7, 9, 12], "is_repeat"].any()
    nr = m.new_vs_repeat(p.reset_index(), m.months_back(NOV)).set_index("month")
    assert list(nr.index[[0, -1]]) == [pd.Timestamp("2025-12-01"), pd.Timestamp("2026-11-01")]
    nov = nr.loc[pd.Timestamp("2026-11-01")]
    # November: new 300 + 200 + 40 = 540 (3 deals), repeat 100 (deal 1); share 100 / 640
    assert (nov["new_revenue"], nov["repeat_revenue"], nov["new_deals"], nov["repeat_deals"]) == (540.0, 100.0, 3, 1)
    assert nov["repeat_share"] == pytest.approx(0.15625)
    assert nr.loc[pd.Timestamp("2026-01-01"), "repeat_revenue"] == 70.0
    assert math.isnan(nr.loc[pd.Timestamp("2026-02-01"), "repeat_share"])  # no sales: no share


def test_repeat_rates_count_only_clients_observed_long_enough():
    p = m.purchases(fx.leads(), fx.AS_OF)
    r = m.repeat_rates(p, fx.AS_OF).set_index("days")
    # first purchases: company:1 2025-10-15, contact:12 2025-03-10, contact:7/2/9 in November 2026.
    # 90 days (first ≤ 2026-09-02): company:1 and contact:12; company:1 bought again after 97 days → 0 of 2
    assert (r.loc[90, "clients"], r.loc[90, "repeated"]) == (2, 0)
    # 180 and 365 days: the same two clients; company:1 within 97 days → 1 of 2
    assert (r.loc[180, "clients"], r.loc[180, "repeated"], r.loc[180, "rate"]) == (2, 1, 0.5)
    assert (r.loc[365, "clients"], r.loc[365, "repeated"]) == (2, 1)


def test_cohorts_and_cltv():
    p = m.purchases(fx.leads(), fx.AS_OF)
    c = m.cohorts(p, m.months_back(NOV)).set_index("cohort")
    nov = c.loc[pd.Timestamp("2026-11-01")]
    # November's cohort: contact:7 (300), contact:2 (200), contact:9 (40): 3 clients, 540, CLTV 180
    assert (nov["clients"], nov["revenue"], nov["cltv"], nov["m0"]) == (3, 540.0, 180.0, 540.0)
    assert math.isnan(nov["m1"])  # December has not happened yet
    dec = c.loc[pd.Timestamp("2025-12-01")]
    assert dec["clients"] == 0 and dec["m11"] == 0.0 and math.isnan(dec["cltv"])


def test_abc_xyz():
    p = m.purchases(fx.leads(), fx.AS_OF)
    cc = m.abc_xyz(p, m.months_back(NOV))
    t = cc.table.set_index("client")
    # 12 months Dec 2025 – Nov 2026: contact:7 300, contact:2 200, company:1 70 + 100 = 170, contact:9 40; 710
    assert list(t.index) == ["contact:7", "contact:2", "company:1", "contact:9"]
    # cumulative share before each: 0, 300/710 = .42, 500/710 = .70 (< .80: A), 670/710 = .94 (B)
    assert t["abc"].tolist() == ["A", "A", "A", "B"]
    # contact:7 bought in one month of 12: mean 25, sd sqrt(300²/12 − 25²) = 82.92, CV 3.317 → Z
    assert t.loc["contact:7", "cv"] == pytest.approx(math.sqrt(6875) / 25)
    assert t.loc["company:1", "months_bought"] == 2 and t.loc["company:1", "deals"] == 2
    assert set(t["xyz"]) == {"Z"}
    assert cc.matrix.loc["A", "Z"] == 3 and cc.matrix.loc["B", "Z"] == 1 and cc.matrix.loc["C"].sum() == 0
    # regularity: 100 every month → CV 0 (X); 100 every other month → mean 50, sd 50, CV 1.0 (Y, ≤ 1.0)
    months = m.months_back(NOV)
    reg = pd.DataFrame(
        [{"client": "a", "month": mo, "price": 100.0} for mo in months]
        + [{"client": "b", "month": mo, "price": 100.0} for mo in months[::2]]
    )
    x = m.abc_xyz(reg, months).table.set_index("client")
    assert (x.loc["a", "cv"], x.loc["a", "xyz"]) == (0.0, "X")
    assert (x.loc["b", "cv"], x.loc["b", "xyz"]) == (1.0, "Y")


def test_lapsed_clients():
    lp = m.lapsed(m.purchases(fx.leads(), fx.AS_OF), NOV)
    # bought 2024-12-01 … 2025-11-30 and not since: contact:12 (March 2025, 500); company:1 bought again in 2026
    assert lp["client"].tolist() == ["contact:12"]
    assert (lp.loc[0, "revenue"], lp.loc[0, "deals"], lp.loc[0, "last_id"]) == (500.0, 1, 12)


def test_rankings_rest_on_counts():
    rows = m.by_source(fx.leads(), fx.spend(), NOV, NOV, fx.AS_OF)
    # no source has 30 leads: conversion is not ranked; no source with spend has 5 won deals: nor is ROMI
    assert m.rank_conversion(rows).reason == "too_few"
    assert m.rank_romi(rows).reason == "too_few"
    big = pd.DataFrame(
        {
            "channel": ["A", "B", "C"],
            "leads": [100, 100, 100],
            "conversion": [0.30, 0.05, 0.20],
            "conversion_lo": [0.22, 0.02, 0.13],
            "conversion_hi": [0.40, 0.11, 0.29],
            "won_cohort": [30, 5, 20],
            "won_deals": [30, 5, 4],
            "spend": [1000.0, 1000.0, float("nan")],
            "romi": [2.0, -0.5, float("nan")],
        }
    )
    conv = m.rank_conversion(big)
    assert (conv.reason, conv.best["channel"], conv.worst["channel"]) == ("ranked", "A", "B")
    # A's interval (.22–.40) vs C's (.13–.29) overlap: without B no channel is named
    assert m.rank_conversion(big[big["channel"] != "B"]).reason == "overlap"
    romi = m.rank_romi(big)
    assert (romi.best["channel"], romi.worst["channel"]) == ("A", "B")


def test_prepare_channel_and_client():
    leads = pd.DataFrame(
        {
            "id": [1, 2, 3],
            "pipeline_id": [10, 10, 10],
            "status_id": [100, 142, 1],
            "company_id": [7, None, None],
            "contact_id": [70, 71, None],
        }
    )
    statuses = pd.DataFrame({"pipeline_id": [10, 10, 10], "id": [100, 142, 1], "kind": ["unsorted", "won", "open"]})
    out = query.prepare(leads, statuses, pd.Series(["Сайт", "  ", None]))
    assert out["channel"].tolist() == ["Сайт", m.NO_SOURCE, m.NO_SOURCE]
    assert out["client"].tolist()[:2] == ["company:7", "contact:71"]  # the company wins over the contact
    assert pd.isna(out["client"].iloc[2])
    assert out["kind"].tolist() == ["unsorted", "won", "open"]


def test_source_field_config(tmp_path):
    cfg = tmp_path / "marketing.yaml"
    cfg.write_text(
        "source_field: source\naccounts:\n  shop: {source_field: utm_source}\n  demo: {source_field: tags}\n"
    )
    assert query.source_field_for(pd.Series({"subdomain": "shop", "source": "api"}), str(cfg)) == "utm_source"
    assert query.source_field_for(pd.Series({"subdomain": None, "source": "demo"}), str(cfg)) == "tags"
    assert query.source_field_for(pd.Series({"subdomain": "other", "source": "api"}), str(cfg)) == "source"
    assert query.source_field_for(pd.Series({"subdomain": "shop"}), str(cfg), override="Источник") == "Источник"
