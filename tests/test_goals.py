"""Goals (sales plan) metrics, the production calendar and the goals file, on the hand-built fixture
(tests/fixtures_goals.py, where the stage statistics are worked out by hand)."""

import math
from datetime import date

import pandas as pd
import pytest

import fixtures_goals as fg
from crmreports import store
from crmreports.core import workdays
from crmreports.core.periods import parse_period
from crmreports.core.scopes import ParameterError
from crmreports.reports.goals import metrics as goals
from crmreports.reports.goals import sections as view
from crmreports.store import concepts, plans
from crmreports.store import forecasting as model_lib

AS_OF = pd.Timestamp("2026-10-15")
OCT = parse_period("2026-10")


@pytest.fixture(scope="module")
def goals_store(tmp_path_factory):
    path = tmp_path_factory.mktemp("goals") / "crm.duckdb"
    store.write_full(path, fg.tables())
    return path


@pytest.fixture(scope="module")
def data(goals_store):
    return store.load(goals_store, tables=("leads", "stage_changes"))


@pytest.fixture(scope="module")
def gf(data):
    return plans.parse_goals(fg.GOALS_YAML, "fixture.yaml", data.users)


@pytest.fixture(scope="module")
def goals_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("params") / "goals.yaml"
    path.write_text(fg.GOALS_YAML, encoding="utf-8")
    return path


def _plan(gf, scope, period, metric):
    p = gf.find(scope, parse_period(period), metric)
    assert p is not None
    return p


# ---------------------------------------------------------------- production calendar


def test_working_days_per_year_match_the_official_calendars():
    assert workdays.working_days(date(2024, 1, 1), date(2025, 1, 1)) == 248
    assert workdays.working_days(date(2025, 1, 1), date(2026, 1, 1)) == 247
    assert workdays.working_days(date(2026, 1, 1), date(2027, 1, 1)) == 247


def test_holidays_transfers_and_working_saturdays():
    assert workdays.is_working_day(date(2024, 11, 2))  # Saturday made working (-> 30 Apr)
    assert not workdays.is_working_day(date(2024, 4, 30))  # Tuesday off by the transfer
    assert not workdays.is_working_day(date(2025, 5, 8))  # 23 Feb (Sun) moved here by decree
    assert workdays.is_working_day(date(2025, 2, 24))  # ... so the Monday after stays working
    assert not workdays.is_working_day(date(2026, 1, 9))  # 3 Jan (Sat) -> Friday 9 Jan
    assert not workdays.is_working_day(date(2026, 3, 9))  # 8 Mar (Sun) -> Monday, art. 112
    assert not workdays.is_working_day(date(2026, 11, 4))  # Wednesday, Unity Day
    assert workdays.is_working_day(date(2026, 11, 5))
    assert not workdays.is_working_day(date(2026, 10, 3))  # plain Saturday


def test_working_days_in_months():
    assert workdays.working_days(date(2026, 10, 1), date(2026, 11, 1)) == 22
    assert workdays.working_days(date(2026, 11, 1), date(2026, 12, 1)) == 20  # 21 weekdays minus 4 Nov
    # May 2026: 21 weekdays minus 1 May (Fri) and 11 May (9 May on a Saturday moves to Monday)
    assert workdays.working_days(date(2026, 5, 1), date(2026, 6, 1)) == 19
    # [as-of, end): 15 Oct 2026 (Thu) to 1 Nov: 15, 16, 19-23, 26-30 = 12
    assert workdays.working_days(date(2026, 10, 15), date(2026, 11, 1)) == 12
    assert workdays.working_days(date(2026, 11, 1), date(2026, 10, 1)) == 0


def test_after_working_days_and_provisional_years():
    # the 10th working day of September 2026 is Monday 14 Sep (1-4, 7-11, 14)
    assert workdays.after_working_days(date(2026, 9, 1), date(2026, 10, 1), 10) == date(2026, 9, 15)
    assert workdays.after_working_days(date(2026, 9, 1), date(2026, 10, 1), 0) == date(2026, 9, 1)
    assert workdays.after_working_days(date(2026, 9, 1), date(2026, 10, 1), 99) == date(2026, 10, 1)
    assert workdays.is_provisional(2027) and workdays.is_provisional(2031) and not workdays.is_provisional(2026)
    assert not workdays.is_working_day(date(2027, 5, 3))  # 1 May 2027 (Sat) -> Monday by art. 112
    # years without a decree use art. 112 alone: 4 Nov 2028 is a Saturday -> Monday 6 Nov is off
    assert not workdays.is_working_day(date(2028, 11, 6)) and workdays.is_working_day(date(2028, 11, 7))


# ---------------------------------------------------------------- the goals file


def test_goals_file_parses_with_lines_and_manager_ids(gf):
    assert len(gf.plans) == 8 and gf.currency == "RUB"
    boris = gf.plans[7]
    assert (boris.scope, boris.user_id, boris.line, boris.index) == ("Борис Петров", 2, 11, 7)  # name as in the CRM
    assert gf.plans[0].line == 4 and gf.plans[0].scope == "team" and gf.plans[0].user_id is None
    assert [p.period.key for p in gf.in_force(None, OCT)] == ["2026-10", "2026-10", "2026-Q4"]
    assert [p.metric for p in gf.in_force(None, OCT)] == ["revenue", "won_deals", "revenue"]
    assert [p.period.key for p in gf.for_scope("анна иванова")] == ["2026-10"]


@pytest.mark.reliability("R49")
def test_goals_file_with_several_errors_names_each(data):
    with pytest.raises(plans.GoalsError) as e:
        plans.parse_goals(fg.BAD_GOALS_YAML, "params/bad.yaml", data.users)
    msg, errors = str(e.value), e.value.errors
    assert msg.startswith("params/bad.yaml: 8 errors")
    assert (
        "plans[1] (line 4), field 'scope': unknown manager 'Виктор Сидоров'; valid: team or one of "
        "Анна Иванова, Борис Петров" in msg
    )
    assert "plans[2] (line 5), field 'period': '2026-13' is not a month or a quarter; valid: 2026-10" in msg
    assert "plans[3] (line 6), field 'metric': 'profit'" in msg and "valid: revenue" in msg
    assert "plans[3] (line 6), field 'target': -5 must be greater than 0" in msg
    assert "plans[4] (line 7): duplicate plan for team 2026-10 revenue; it is already set by plans[0]" in msg
    assert "plans[5] (line 8): unknown field 'owner' (line 12); valid: scope, period, metric, target" in msg
    assert "plans[5] (line 8), field 'target' (line 11): 2.5 must be a whole number of deals" in msg
    assert "plans[6] (line 13): missing fields period, target" in msg
    assert len(errors) == 8


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("", "the file is empty"),
        ("- a\n- b\n", "must be a mapping"),
        ("currency: RUB\nplans: {scope: team}\n", "`plans` must be a list"),
        ("plans:\n  - {scope: team, period: 2026, metric: revenue, target: 5}\n", "'2026' is not a month or a quarter"),
        ("plans:\n  - {scope: team, period: 2026-10, metric: revenue, target: abc}\n", "'abc' is not a number"),
        ("plans:\n  - {scope: team, period: 2026-10, metric: revenue, target: 0}\n", "0 must be greater than 0"),
        ("plan:\n  - {}\n", "unknown key 'plan'"),
        ("plans: [\n", "not valid YAML"),
    ],
)
@pytest.mark.reliability("R48")
def test_goals_file_errors(text, fragment, data):
    with pytest.raises(plans.GoalsError, match="^x.yaml") as e:
        plans.parse_goals(text, "x.yaml", data.users)
    assert fragment in str(e.value)


def test_missing_goals_file_is_a_clear_error(tmp_path):
    with pytest.raises(plans.GoalsError, match="file not found"):
        plans.load_goals(tmp_path / "nope.yaml")


def test_goals_path_resolves_from_parent_directories(tmp_path, monkeypatch):
    (tmp_path / "params").mkdir()
    (tmp_path / "params" / "goals.yaml").write_text("plans: []\n", encoding="utf-8")
    (tmp_path / "notebooks").mkdir()
    monkeypatch.chdir(tmp_path / "notebooks")
    assert plans.resolve_goals_path("params/goals.yaml") == tmp_path / "params" / "goals.yaml"


def test_the_projects_goals_file_is_valid_for_the_demo_account():
    from crmreports.sources.demo import MANAGERS

    users = pd.DataFrame({"id": range(len(MANAGERS)), "name": [m.name for m in MANAGERS]})
    gf = plans.load_goals(plans.resolve_goals_path(), users)
    assert gf.find(None, OCT, "revenue").target == 30_000_000
    assert len(gf.plans) >= 20


# ---------------------------------------------------------------- facts and pipeline


def test_fact_by_close_date(data):
    assert plans.fact(data.leads, OCT, "revenue", AS_OF) == 600  # W1 100 + W2 200 + W3 300
    assert plans.fact(data.leads, OCT, "won_deals", AS_OF) == 3
    assert plans.fact(data.leads, OCT, "revenue", pd.Timestamp("2026-11-10")) == 1000  # + W4 400 on 10-20
    assert plans.fact(data.leads, parse_period("2026-09"), "revenue", AS_OF) == 50  # W5


def test_open_deals_at_the_moment_are_the_shared_concept(data):
    op = concepts.open_deals_at(data.leads, data.stage_changes, data.statuses, AS_OF)
    assert dict(zip(op["id"], op["status_id"])) == {4: 3, 7: 2, 8: 1, 9: 3}  # W4 C, O1 B, O2 A, O3 C


# the forecast's model of a scope, made by hand: months Oct, Nov, Dec 2026 from the origin 1 Oct; revenue
# 1000, 900, 800 with sd 100, 90, 80 (high = combined + Z80 × sd); deals 5, 4, 3 with sd 1 each
Z80 = model_lib.Z80


def hand_model(open_deals=None) -> goals.Model:
    rows = []
    for k, (rev, sd, n) in enumerate([(1000, 100, 5), (900, 90, 4), (800, 80, 3)], start=1):
        rows.append({"k": k, "measure": "revenue", "combined": rev, "high": rev + Z80 * sd})
        rows.append({"k": k, "measure": "deals", "combined": n, "high": n + Z80 * 1.0})
    od = open_deals if open_deals is not None else pd.DataFrame()
    return goals.Model(pd.Timestamp("2026-10-01"), "ok", pd.DataFrame(rows), od)


# two open deals as the forecast weighs them: a young one (10 days, price 1000, won in Oct / Nov / Dec with
# probability 0.2 / 0.1 / 0.05) and a very old one (500 days, price 5000) that deals of its age never win
OPEN = pd.DataFrame(
    {
        "lead_id": [1, 2],
        "pipeline_id": [10, 10],
        "status_id": [1, 1],
        "price": [1000.0, 5000.0],
        "age_days": [10.0, 500.0],
        "p_win": [0.4, 0.0],
        "p_1": [0.2, 0.0],
        "p_2": [0.1, 0.0],
        "p_3": [0.05, 0.0],
        "exp_1": [200.0, 0.0],
        "exp_2": [100.0, 0.0],
        "exp_3": [50.0, 0.0],
    }
)


# ---------------------------------------------------------------- progress


def test_progress_mid_period_revenue(data, gf):
    plan = _plan(gf, None, "2026-10", "revenue")
    pr = goals.progress(plan, data.leads, data.stage_changes, data.statuses, AS_OF, hand_model(OPEN))
    assert pr.status == "in_progress"
    assert (pr.target, pr.fact, pr.remaining) == (2000, 600, 1400)
    assert pr.done_share == pytest.approx(0.3)
    assert (pr.working_days_total, pr.working_days_elapsed, pr.working_days_left, pr.days_left) == (22, 10, 12, 17)
    assert pr.pace_needed == pytest.approx(1400 / 12)  # 116.67 per working day
    assert pr.pace_actual == pytest.approx(60)
    assert pr.run_rate == pytest.approx(1320)  # 600 / 10 × 22
    assert pr.run_rate_share == pytest.approx(0.66)
    # the rest of October is 12 of its 22 working days: 12/22 of the forecast's October
    # expected 1000 × 12/22 = 545.45, sd 100 × 12/22 = 54.55, Z80 × sd = 69.90
    assert pr.window_shares == pytest.approx((12 / 22, 0, 0))
    assert pr.projection == pytest.approx(600 + 545.4545, abs=0.01)  # 1145.45
    assert pr.projection_low == pytest.approx(600 + 545.4545 - 69.9028, abs=0.01)  # 1075.55
    assert pr.projection_high == pytest.approx(600 + 545.4545 + 69.9028, abs=0.01)  # 1215.36
    assert pr.projection_low <= pr.projection <= pr.projection_high
    assert pr.projected_share == pytest.approx(1145.4545 / 2000, abs=1e-5)
    # open deals in the window: 1000 × 0.2 × 12/22 = 109.09 from the young deal; 0 from the 500-day-old one
    assert pr.pipeline_weighted == pytest.approx(109.0909, abs=0.001)
    assert pr.pipeline.iloc[0]["old_deals"] == 1 and pr.pipeline.iloc[0]["old_expected"] == 0
    assert pr.open_deals == 4  # W4, O1, O2, O3 at the as-of moment (store.concepts)
    f = pr.figures()
    for key in (
        "plan",
        "fact",
        "plan_done_share",
        "plan_remaining",
        "projection",
        "projection_run_rate",
        "forecast_rest",
        "working_days_left",
        "pace_needed_per_working_day",
    ):
        assert key in f
    assert f["working_days_left"] == 12 and f["plan_remaining"] == 1400
    assert f["forecast_rest"] == pytest.approx(545.4545, abs=0.01) and f["forecast_origin"] == "2026-10-01"


def test_progress_without_a_model_has_no_projection(data, gf):
    plan = _plan(gf, None, "2026-10", "revenue")
    pr = goals.progress(plan, data.leads, data.stage_changes, data.statuses, AS_OF)
    assert math.isnan(pr.projection) and math.isnan(pr.projection_low) and pr.forecast_status == "no_model"
    assert pr.run_rate == pytest.approx(1320)
    off = goals.Model(pd.Timestamp("2026-10-01"), "inactive", pd.DataFrame())
    pr = goals.progress(plan, data.leads, data.stage_changes, data.statuses, AS_OF, off)
    assert math.isnan(pr.projection) and pr.forecast_status == "inactive"


def test_progress_count_plan(data, gf):
    plan = _plan(gf, None, "2026-10", "won_deals")
    pr = goals.progress(plan, data.leads, data.stage_changes, data.statuses, AS_OF, hand_model(OPEN))
    assert (pr.fact, pr.remaining) == (3, 2)
    assert pr.done_share == pytest.approx(0.6)
    assert pr.pace_needed == pytest.approx(2 / 12)
    assert pr.run_rate == pytest.approx(6.6)  # 3 / 10 × 22
    # 5 deals × 12/22 = 2.727 expected, sd 12/22 = 0.5455, Z80 × sd = 0.6990
    assert pr.projection == pytest.approx(3 + 2.72727, abs=1e-4)
    assert pr.projection_low == pytest.approx(3 + 2.72727 - 0.69903, abs=1e-4)
    assert pr.projection_high == pytest.approx(3 + 2.72727 + 0.69903, abs=1e-4)
    assert pr.pipeline_weighted == pytest.approx(0.2 * 12 / 22)  # the young deal's chance in the window


def test_progress_closed_period(data, gf):
    pr = goals.progress(
        _plan(gf, None, "2026-10", "revenue"), data.leads, data.stage_changes, data.statuses, pd.Timestamp("2026-11-10")
    )
    assert pr.status == "closed" and pr.as_of == pd.Timestamp("2026-11-01")
    assert (pr.fact, pr.projection, pr.projection_low, pr.projection_high) == (1000, 1000, 1000, 1000)
    assert (pr.working_days_left, pr.days_left, pr.remaining) == (0, 0, 1000)
    assert math.isnan(pr.pace_needed)


def test_progress_quarter_and_exceeded(data, gf):
    plan = _plan(gf, None, "2026-Q4", "revenue")
    q = goals.progress(plan, data.leads, data.stage_changes, data.statuses, AS_OF, hand_model(OPEN))
    assert (q.working_days_total, q.working_days_elapsed) == (64, 10)  # Q4 2026: 22 + 20 + 22
    assert q.run_rate == pytest.approx(600 / 10 * 64)  # 3840
    assert q.pace_needed == pytest.approx(4400 / 54)
    # the rest of Q4: 12/22 of October, all of November and December
    # expected 545.45 + 900 + 800 = 2245.45; sd 54.55 + 90 + 80 = 224.55 (fully correlated); Z80 × sd = 287.77
    assert q.window_shares == pytest.approx((12 / 22, 1, 1))
    assert q.projection == pytest.approx(600 + 2245.4545, abs=0.01)  # 2845.45
    assert q.projection_low == pytest.approx(600 + 2245.4545 - 287.7674, abs=0.01)  # 2557.69
    assert q.projection_high == pytest.approx(600 + 2245.4545 + 287.7674, abs=0.01)  # 3133.22
    # the young open deal: 1000 × (0.2 × 12/22 + 0.1 + 0.05) = 259.09
    assert q.pipeline_weighted == pytest.approx(259.0909, abs=0.001)
    sep = goals.progress(_plan(gf, None, "2026-09", "revenue"), data.leads, data.stage_changes, data.statuses, AS_OF)
    assert (sep.fact, sep.done_share, sep.excess) == (50, 0.5, 0)


def test_a_window_past_the_forecast_months_gets_no_projection(data, gf):
    plan = _plan(gf, None, "2026-Q4", "revenue")
    late = goals.Model(pd.Timestamp("2026-09-01"), "ok", hand_model().table)  # forecasts Sep, Oct, Nov only
    q = goals.progress(plan, data.leads, data.stage_changes, data.statuses, AS_OF, late)
    assert math.isnan(q.projection) and q.forecast_status == "beyond_horizon"


def test_progress_not_started_and_empty_period(data, gf):
    nov = goals.progress(_plan(gf, None, "2026-11", "revenue"), data.leads, data.stage_changes, data.statuses, AS_OF)
    assert nov.status == "not_started" and nov.fact == 0
    assert math.isnan(nov.projection) and math.isnan(nov.projection_low)
    assert nov.pace_needed == pytest.approx(900 / 20)
    jul = goals.progress(_plan(gf, None, "2026-07", "revenue"), data.leads, data.stage_changes, data.statuses, AS_OF)
    assert (jul.status, jul.fact, jul.done_share, jul.projection, jul.remaining) == ("closed", 0, 0, 0, 300)


def test_daily_cumulative_and_plan_line(data):
    d = goals.daily_cumulative(data.leads, OCT, "revenue", AS_OF, 2000).set_index("day")
    assert d.loc["2026-10-02", "value"] == 100 and d.loc["2026-10-14", "cumulative"] == 600
    assert math.isnan(d.loc["2026-10-15", "cumulative"])  # from the as-of day on: unknown
    assert d.loc["2026-10-14", "plan_line"] == pytest.approx(2000 * 10 / 22)
    assert d.loc["2026-10-04", "plan_line"] == d.loc["2026-10-02", "plan_line"]  # flat over the weekend
    assert d["plan_line"].iloc[-1] == pytest.approx(2000)


def test_comparison_with_previous_period_and_year_ago(data, gf):
    c = goals.comparison(data.leads, gf, None, OCT, "revenue", AS_OF).set_index("which")
    assert c.loc["current", "fact"] == 600 and c.loc["current", "done_share"] == pytest.approx(0.3)
    assert (c.loc["previous", "period"], c.loc["previous", "plan"], c.loc["previous", "fact"]) == ("2026-09", 100, 50)
    assert c.loc["previous", "fact_same_point"] == 50  # W5 won 10 Sep, within the first 10 working days
    assert c.loc["year_ago", "fact"] == 500 and math.isnan(c.loc["year_ago", "plan"])
    assert c.loc["year_ago", "fact_same_point"] == 500  # W6 won 10 Oct 2025, within the first 10
    early = goals.comparison(data.leads, gf, None, OCT, "revenue", pd.Timestamp("2026-10-05"))
    # 2 working days elapsed (1, 2 Oct): September's first 2 (1, 2 Sep) had nothing
    assert list(early["fact_same_point"]) == [100, 0, 0]


def test_managers_progress(data, gf):
    models = {1: hand_model(), 2: goals.Model(pd.Timestamp("2026-10-01"), "inactive", pd.DataFrame())}
    m = goals.managers_progress(data.leads, data.stage_changes, data.statuses, gf, data.users, OCT, AS_OF, models)
    m = m.set_index("manager")
    assert m.loc["Анна Иванова", "fact"] == 300  # W1 + W2
    assert m.loc["Анна Иванова", "projection"] == pytest.approx(300 + 545.4545, abs=0.01)  # her model, 12/22
    assert m.loc["Анна Иванова", "run_rate_share"] == pytest.approx(0.66)  # 300 / 10 × 22 / 1000
    assert m.loc["Борис Петров", "done_share"] == pytest.approx(0.6)  # W3 300 of 500
    assert math.isnan(m.loc["Борис Петров", "projection"]) and m.loc["Борис Петров", "status"] == "inactive"
    assert m.loc["Борис Петров", "run_rate_share"] == pytest.approx(1.32)


def test_parse_as_of(data):
    end = pd.Timestamp("2026-11-10")
    assert goals.parse_as_of("", end) == (end, False)
    assert goals.parse_as_of("2026-10-15", end) == (pd.Timestamp("2026-10-15"), False)
    assert goals.parse_as_of("2027-01-01", end) == (end, True)
    with pytest.raises(ParameterError, match="bad as_of '15.10.2026'; valid: a date YYYY-MM-DD"):
        goals.parse_as_of("15.10.2026", end)


# ---------------------------------------------------------------- sections


def _html(*sections):
    return "".join(s.to_html() for s in sections)


def test_sections_mid_period_team(goals_store, goals_file):
    ctx = view.open("2026-10", "", "", str(goals_store), "ru", as_of="2026-10-15", goals_path=str(goals_file))
    secs = [view.plan(ctx), view.progress(ctx), view.pipeline(ctx), view.compare(ctx), view.managers(ctx)]
    assert ctx.figures["plan"] == 2000 and ctx.figures["fact"] == 600
    assert ctx.figures["working_days_left"] == 12 and ctx.figures["projection_run_rate"] == pytest.approx(1320)
    assert ctx.figures["pace_needed_per_working_day"] == pytest.approx(1400 / 12)
    # the shared concepts: 3 deals won in October by the 15th (600 ₽), 10 working days, 4 open deals
    assert (ctx.figures["revenue"], ctx.figures["won_deals"], ctx.figures["working_days"]) == (600, 3, 10)
    assert ctx.figures["open_deals"] == 4
    # the projection is the forecast's (as of 1 October) for the rest of October, and its band holds it
    f = ctx.figures
    assert f["forecast_origin"] == "2026-10-01"
    assert f["projection_low"] <= f["projection"] <= f["projection_high"]
    fc = ctx.model
    assert f["projection"] - 600 == pytest.approx(
        12 / 22 * float(fc.table.query("k == 1 and measure == 'revenue'")["combined"].iloc[0])
    )
    html = _html(*secs)
    assert "Выполнение плана" in html and "Сравнение с прошлыми периодами" in html
    assert "осталось 1\u00a0400\u00a0₽ за 12\u00a0рабочих дней (17\u00a0календарных дней)" in html
    assert "к концу периода будет 1\u00a0320\u00a0₽ — 66\u00a0% плана" in html  # the run-rate sentence
    assert "По прогнозу продаж к концу периода будет" in html
    assert html.count('class="crm-chart"') == 4  # 3 plans + managers
    assert ctx.comparisons["previous"]["plan_done_share"] == pytest.approx(0.5)


def test_sections_for_a_manager_without_a_plan(goals_store, goals_file):
    ctx = view.open("2026-09", "Борис Петров", "", str(goals_store), "en", goals_path=str(goals_file))
    sec = view.plan(ctx)
    html = sec.to_html()
    assert f"{goals_file} has no plan for Борис Петров for September 2026." in html
    assert "The file has plans for Борис Петров for: 2026-10 (revenue)." in html
    assert ctx.figures["plan"] is None and ctx.figures["fact"] == 50  # W5
    assert view.progress(ctx).hidden and view.managers(ctx).hidden
    view.compare(ctx)  # still works without a plan


def test_sections_for_an_empty_closed_period(goals_store, goals_file):
    ctx = view.open("2026-07", "", "", str(goals_store), "ru", goals_path=str(goals_file))
    html = _html(view.plan(ctx), view.progress(ctx), view.pipeline(ctx), view.compare(ctx), view.managers(ctx))
    assert "выполнено 0\u00a0₽ — 0\u00a0%" in html and "До плана не хватило 300\u00a0₽" in html
    assert "Планов менеджеров на июль 2026 в файле нет." in html
    assert ctx.figures["fact"] == 0 and ctx.figures["working_days_left"] == 0


@pytest.mark.reliability("R49")
def test_bad_goals_file_stops_the_report(goals_store, tmp_path):
    bad = tmp_path / "goals.yaml"
    bad.write_text(fg.BAD_GOALS_YAML, encoding="utf-8")
    with pytest.raises(plans.GoalsError, match="8 errors"):
        view.open("2026-10", "", "", str(goals_store), "ru", goals_path=str(bad))
