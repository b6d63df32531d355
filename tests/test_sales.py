"""Sales metrics on the hand-built fixture (tests/fixtures.py); expected values worked out by hand there."""

import math

import numpy as np
import pandas as pd
import pytest

from crmreports import store
from crmreports.core import fmt
from crmreports.core.periods import parse_period
from crmreports.reports.sales_analysis import metrics as sales
from crmreports.reports.sales_analysis import sections as view

OCT = parse_period("2026-10")
AS_OF = pd.Timestamp("2026-11-10")


@pytest.fixture(scope="module")
def data(fixture_store):
    return store.load(fixture_store, tables=("leads", "stage_changes"))


def test_headline_october(data):
    h = sales.headline(data.leads, OCT, AS_OF)
    # won in Oct: L1 100 + L2 200 + L5 300; lost in Oct: L3, L6; created in Oct: L1 L2 L3 L4 L6 L7
    assert h["revenue"] == 600
    assert h["won_deals"] == 3
    assert h["average_check"] == 200
    assert h["lost_deals"] == 2
    assert h["win_rate"] == pytest.approx(3 / 5)
    assert h["created_deals"] == 6
    # cohort won by the as-of date: L1, L2 and L7 (won 11-03, after the period) -> 3 of 6
    assert h["lead_to_won_conversion"] == pytest.approx(0.5)


def test_lead_to_won_counts_only_wins_before_as_of(data):
    h = sales.headline(data.leads, OCT, pd.Timestamp("2026-11-01"))
    assert h["lead_to_won_conversion"] == pytest.approx(2 / 6)  # L7 not yet won


def test_kpi_table_previous_and_year_ago(data):
    k = sales.kpi_table(data.leads, OCT, AS_OF)
    assert k.loc["revenue", "previous"] == 120  # L9 won in September
    assert k.loc["lead_to_won_conversion", "previous"] == 1.0  # L5, L9 created in Sept, both won
    assert math.isnan(k.loc["win_rate", "year_ago"]) is False
    assert k.loc["revenue", "year_ago"] == 500  # L8, October 2025
    assert k.loc["won_deals", "year_ago"] == 1


def test_funnel_both_semantics(data):
    f = sales.funnel(data.leads, data.stage_changes, data.statuses, data.pipelines, OCT).set_index("stage")
    assert list(f.index) == ["A", "B", "C", "Успешно реализовано"]
    assert list(f["passed"]) == [6, 3, 2, 3]  # C skipped by L2; L7 won after B
    assert list(f["cumulative"]) == [6, 4, 3, 3]  # furthest stage: L1 L2 L7 won, L3 B, L4 L6 A
    assert f.loc["B", "conv_passed"] == pytest.approx(0.5)
    assert f.loc["B", "conv_cumulative"] == pytest.approx(4 / 6)
    assert f.loc["C", "conv_cumulative"] == pytest.approx(3 / 4)
    assert math.isnan(f.loc["A", "conv_passed"])


def test_losses_by_stage_and_reasons(data):
    loss = sales.losses_by_stage(data.leads, data.stage_changes, data.statuses, OCT).set_index("stage")
    assert loss.loc["A", "lost"] == 1 and loss.loc["A", "amount"] == 40  # L6
    assert loss.loc["B", "lost"] == 1 and loss.loc["B", "amount"] == 50  # L3
    r = sales.loss_reasons(data.leads, data.loss_reasons, OCT).set_index("reason")
    assert r.loc["Дорого", "amount"] == 50
    assert r.loc["Выбрали конкурента", "lost"] == 1


def test_loss_reasons_by_name_with_unknown_and_missing_reasons():
    """Two reasons with one name are one row; a reason id missing from the list and no reason at all
    are the unknown row (NaN); most deals first, then most money; shares of all lost deals.
    By hand: "Б" = ids 1 and 3: deals 0, 2, 6 (1.5 + 3.5 + 7.5 = 12.5); "А" = id 2: deals 1, 5 (2.5 + 6.5 = 9);
    unknown: id 9 (deal 3) and none (deals 4, 7): 4.5 + 5.5 + 8.5 = 18.5; 8 deals in all."""
    ref = pd.DataFrame({"id": [1, 2, 3], "name": ["Б", "А", "Б"], "sort": [1, 2, 3]})
    leads = pd.DataFrame(
        {
            "id": range(8),
            "status_id": 143,
            "closed_at": pd.Timestamp("2026-10-05"),
            "price": [1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5, 8.5],
            "loss_reason_id": pd.array([1, 2, 3, 9, None, 2, 1, None], dtype="Int64"),
        }
    )
    r = sales.loss_reasons(leads, ref, OCT)
    assert r["reason"].isna().tolist() == [True, False, False]
    assert r["reason"].tolist()[1:] == ["Б", "А"]
    assert r["lost"].tolist() == [3, 3, 2] and r["amount"].tolist() == [18.5, 12.5, 9.0]
    assert r["share"].tolist() == [3 / 8, 3 / 8, 2 / 8]
    # without a list of reasons every deal is of an unknown reason
    r = sales.loss_reasons(leads, ref.iloc[:0], OCT)
    assert r["lost"].tolist() == [8] and r["amount"].tolist() == [40.0] and r["reason"].isna().all()


def test_km_quantiles_by_hand():
    # stage A stays entered in October: 1,2,2,4,5,10 observed and 36 censored (L4 still open)
    med, p75, p90 = sales.km_quantiles([2, 10, 1, 36, 4, 5, 2], [1, 1, 1, 0, 1, 1, 1])
    assert (med, p75) == (4, 10)
    assert math.isnan(p90)  # never falls to 10 %: the censored stay could be anything


def test_km_quantiles_counted_are_those_of_the_spells_one_by_one():
    """Spells given as counts (a duration may repeat, observed and censored mixed) give the quantiles of
    the same spells listed one by one, bit for bit."""
    rng = np.random.default_rng(7)
    for _ in range(50):
        d = rng.integers(0, 30, size=rng.integers(1, 60)) / rng.choice([1.0, 3.0, 7.0])
        e = rng.random(d.size) < rng.random()
        n = rng.integers(1, 5, size=d.size)
        assert sales.km_quantiles_counted(d, e, n, (0.1, 0.5, 0.75, 0.9)) == pytest.approx(
            sales.km_quantiles(np.repeat(d, n), np.repeat(e, n), (0.1, 0.5, 0.75, 0.9)), rel=0, abs=0, nan_ok=True
        )
    assert all(math.isnan(q) for q in sales.km_quantiles_counted([], [], []))


def test_time_in_stage_counted_is_time_in_stage(data):
    v = sales.stage_visits(data.stage_changes, data.statuses, AS_OF)
    v = v[OCT.contains(v["entered"])]
    counted = (
        v.assign(dur_us=(v["left"].fillna(AS_OF) - v["entered"]).dt.total_seconds().mul(1e6).astype("int64"))
        .groupby(["pipeline_id", "status_id", "dur_us", "observed"])
        .size()
        .rename("n")
        .reset_index()
    )
    counted = sales.stay_days_counted(counted, AS_OF)
    pd.testing.assert_frame_equal(
        sales.time_in_stage_counted(counted, data.statuses), sales.time_in_stage(v, data.statuses, OCT)
    )


def test_funnel_counted_is_funnel(data):
    cohort = data.leads[OCT.contains(data.leads["created_at"])]
    v = sales.visited_stages(cohort, data.stage_changes)
    sets = (
        v.sort_values("status_id")
        .groupby(["lead_id", "pipeline_id"])["status_id"]
        .agg(list)
        .rename("stages")
        .reset_index()
    )
    sets = (
        sets.assign(stages=sets["stages"].map(tuple))
        .groupby(["pipeline_id", "stages"])
        .size()
        .rename("n")
        .reset_index()
    )
    pd.testing.assert_frame_equal(
        sales.funnel_counted(sets, data.statuses, data.pipelines),
        sales.funnel(data.leads, data.stage_changes, data.statuses, data.pipelines, OCT),
    )


def test_time_in_stage_censors_open_deals(data):
    v = sales.stage_visits(data.stage_changes, data.statuses, AS_OF)
    t = sales.time_in_stage(v, data.statuses, OCT).set_index("stage")
    assert t.loc["A", "visits"] == 7 and t.loc["A", "still_open"] == 1
    assert t.loc["A", "median_days"] == pytest.approx(4)
    assert t.loc["A", "p75_days"] == pytest.approx(10)
    assert t.loc["B", "median_days"] == pytest.approx(4)  # L1 3, L7 4, L3 6
    assert t.loc["B", "p90_days"] == pytest.approx(6)
    assert t.loc["C", "median_days"] == pytest.approx(5)  # L1 5, L2 10


def test_cycle_and_stale_deals(data):
    c = sales.won_cycle(data.leads, OCT)
    assert c.won_deals == 3 and c.mean_days == pytest.approx(15)  # 10, 20, 15 days
    assert c.typical_days == pytest.approx(13.75)  # + L9 10 days, 12 months to 11-01
    stale = sales.stale_deals(
        data.leads, data.stage_changes, data.statuses, data.users, c.typical_days, pd.Timestamp("2026-11-01")
    )
    assert list(stale["id"]) == [4]  # L4 open 27 days; L7 only 4
    assert stale.loc[0, "age_days"] == pytest.approx(27)
    assert stale.loc[0, "stage"] == "A"


def test_by_manager(data):
    m = sales.by_manager(data.leads, data.users, OCT, AS_OF).set_index("manager")
    anna, boris = m.loc["Анна Иванова"], m.loc["Борис Петров"]
    assert (anna["revenue"], anna["won_deals"], anna["lost_deals"], anna["created_deals"]) == (300, 2, 1, 4)
    assert anna["lead_to_won_conversion"] == pytest.approx(0.75)
    assert (boris["revenue"], boris["win_rate"], boris["lead_to_won_conversion"]) == (300, 0.5, 0.0)


def test_monthly_trend(data):
    tr = sales.monthly_trend(data.leads, OCT, months=13).set_index("month")
    assert tr.loc[pd.Timestamp("2026-10-01"), "revenue"] == 600
    assert tr.loc[pd.Timestamp("2025-10-01"), "won_deals"] == 1
    assert tr["in_period"].sum() == 1


def _texts(sec):
    return [p for kind, p in sec.parts if kind == "text"]


def test_a_section_run_again_does_not_repeat_its_findings(fixture_store):
    """The analyst re-runs a cell: the takeaways list each section's findings once, in notebook order."""
    ctx = view.open(period="2026-10", store=str(fixture_store))
    for name in ("kpis", "funnel", "losses", "time_in_stage", "cycle", "managers"):
        getattr(view, name)(ctx)
    once = list(ctx.findings)
    assert len(once) == len(set(once)) >= 4
    loss = _texts(view.losses(ctx))[0]  # by hand: L3 (B, 50) and L6 (A, 40) lost in October
    assert loss in once and once.count(loss) == 1
    view.losses(ctx)
    assert ctx.findings == once
    assert _texts(view.summary(ctx)) == once
    assert _texts(view.summary(ctx)) == once  # the takeaways run again too


def test_managers_does_not_need_the_headline_section(demo_store):
    """The team's win rate the managers are measured against is the managers section's own: the same
    sentence whether the headline section ran first or not."""
    alone = view.open(period="2026-10", store=str(demo_store))
    m_alone = view.managers(alone)
    ctx = view.open(period="2026-10", store=str(demo_store))
    view.kpis(ctx)
    m = view.managers(ctx)
    team = fmt.percent(ctx.figures["win_rate"], "ru")
    low = [s for s in _texts(m) if team in s and "Ниже среднего" in s]
    assert low, _texts(m)  # the comparison really is made in this period
    assert _texts(m_alone) == _texts(m) and m_alone.notes == m.notes
    assert "win_rate" not in alone.figures
