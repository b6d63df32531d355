"""The managers scorecard and the discipline definitions on the hand-built account of tests/fixtures_managers.py
(its docstring lists every deal, task and call). Every expected value below is worked out by hand."""

import math

import pandas as pd
import pytest

import fixtures_forecast as ffx
import fixtures_managers as fx
from crmreports import store
from crmreports.core import fmt
from crmreports.core.periods import parse_period
from crmreports.present import links
from crmreports.reports.calls import sections as calls_view
from crmreports.reports.managers import metrics
from crmreports.reports.managers import sections as view
from crmreports.store import concepts, discipline
from crmreports.store import forecasting as model_lib
from oracles import forecast as forecast_oracle

M = fx.MOMENT
NOV = parse_period("2026-11")


@pytest.fixture(scope="module")
def t():
    return fx.tables()


# ---- overdue tasks at the as-of boundary ---------------------------------------------------------------------


def test_overdue_at_the_boundary(t):
    # open at the moment: t1, t2, t4, t5 and t6 (completed on 12-02, after the moment); t3 and t7 were done before
    assert sorted(discipline.open_tasks_at(t["tasks"], M)["id"]) == [1, 2, 4, 5, 6]
    o = discipline.overdue_tasks(t["tasks"], M)
    # t1 due 1 s before: overdue; t2 due exactly at the moment: not yet; t4 due 1 s after: not; t5 (11-20) and t6
    # (11-10, completed only after the moment) overdue. Oldest first: t6, t5, t1
    assert list(o["id"]) == [6, 5, 1]
    # t6: due 2026-11-10 10:00, 20 days 14 hours before the moment = 20 + 14/24 = 20.5833 days
    assert o.loc[0, "overdue_days"] == pytest.approx(20 + 14 / 24)
    assert o.loc[2, "overdue_days"] == pytest.approx(1 / 86400)  # t1: one second
    # per responsible user: Анна (1) t1 → 1; Борис (2) t5, t6 → 2
    assert o.groupby("responsible_user_id").size().to_dict() == {1: 1, 2: 2}
    # the lead a task is on: t6 is on D5; t5 is on a contact (no deal)
    assert o.set_index("id").loc[6, "lead_id"] == 5 and math.isnan(o.set_index("id").loc[5, "lead_id"])


def test_one_second_later_the_exact_due_task_is_overdue(t):
    o = discipline.overdue_tasks(t["tasks"], M + pd.Timedelta(seconds=1))
    assert 2 in set(o["id"]) and 4 not in set(o["id"])  # t2 (due at M) now overdue; t4 (due M + 1 s) not yet


# ---- deals without a task -----------------------------------------------------------------------------------


def test_deals_without_task(t):
    s = discipline.open_deals_task_status(t["leads"], t["stage_changes"], t["statuses"], t["tasks"], M)
    # open deals: D3 (A), D4 (B), D5 (A), D6 (B); D10 is a request pending in «Incoming»: not a deal
    assert sorted(s["id"]) == [3, 4, 5, 6]
    s = s.set_index("id")
    # D3 has t1/t2 open, D5 has t4 (and t6, open at the moment): with a task
    assert s.loc[3, "has_task"] and s.loc[5, "has_task"]
    # D4's only task t3 was completed: D4 counts as WITHOUT a task (had_tasks marks it)
    assert not s.loc[4, "has_task"] and s.loc[4, "had_tasks"] and not s.loc[4, "contact_task"]
    # D6 has no task of its own; t5 is on its contact 9006: the decision (as amoCRM's «Сделки без задач») is that a
    # contact's task does not count, so D6 is without a task, flagged contact_task
    assert not s.loc[6, "has_task"] and s.loc[6, "contact_task"] and not s.loc[6, "had_tasks"]
    w = discipline.open_deals_without_task(t["leads"], t["stage_changes"], t["statuses"], t["tasks"], M)
    assert sorted(w["id"]) == [4, 6] and w["price"].sum() == 1000  # 400 + 600


# ---- stale deals ----------------------------------------------------------------------------------------------


def test_stale_deals_against_the_stage_p75(t):
    # completed stays in A: D1 8 d, D2 12 d, D4 2 d, D7 10 d, D8 20 d, D9 10 d → sorted 2, 8, 10, 10, 12, 20;
    # P75 (linear) at position 0.75·5 = 3.75: 10 + 0.75·(12 − 10) = 11.5 days. B: one stay (D1, 10 d)
    p = discipline.stage_p75(t["leads"], t["stage_changes"], M, min_stays=5).set_index("status_id")
    assert p.loc[fx.A, "stays"] == 6 and p.loc[fx.A, "p75_days"] == pytest.approx(11.5)
    assert p.loc[fx.B, "stays"] == 1 and math.isnan(p.loc[fx.B, "p75_days"])  # too few stays: no P75
    s = discipline.stale_deals(t["leads"], t["stage_changes"], t["statuses"], M, min_stays=5).set_index("id")
    # D3 in A since 11-05 10:00: 25 d 14 h = 25.583 d > 11.5 → stale; D5 since 11-07 10:00: 23.583 d → stale;
    # D4, D6 in B (no P75): not judged
    assert s.loc[3, "days_in_stage"] == pytest.approx(25 + 14 / 24)
    assert sorted(s.index[s["stale"]]) == [3, 5]
    # with the default minimum of 10 stays no stage is judged
    assert not discipline.stale_deals(t["leads"], t["stage_changes"], t["statuses"], M)["stale"].any()


# ---- period figures ---------------------------------------------------------------------------------------


def test_team_figures_of_november(t):
    f = metrics.period_figures(t["leads"], t["calls"], t["tasks"], t["stage_changes"], NOV, M, None, t["statuses"])
    # calls in November: c1 out, c2 in (missed), c3 out; talk time 60 + 120 = 180 s (c4 is October)
    assert (f["calls_out"], f["calls_in"], f["calls_missed"], f["calls_total"]) == (2, 1, 1, 3)
    assert f["talk_time_s"] == 180
    # meetings: t7 (type 2) completed 11-04; tasks completed in November: t3, t7 (t6 was completed in December)
    assert (f["meetings"], f["tasks_completed"]) == (1, 2)
    assert f["call_to_meeting"] == pytest.approx(1 / 3)
    # new deals: D1–D9 (D10 is a pending request); won D1, D7, D8 = 100 + 50 + 70 = 220; lost D2, D9 = 200 + 90
    assert (f["created_deals"], f["won_deals"], f["lost_deals"]) == (9, 3, 2)
    assert f["revenue"] == 220 and f["average_check"] == pytest.approx(220 / 3)
    assert f["win_rate"] == pytest.approx(3 / 5)
    assert f["win_rate_money"] == pytest.approx(220 / 510)  # 220 / (220 + 290) = 0.4314
    # time to close of the won: D1 18 d, D7 10 d, D8 20 d → median 18
    assert f["cycle_median_days"] == pytest.approx(18)
    # processing: D1 0.5 h (call c1), D2 2 h (call c2), D3/D4/D5 1 h (tasks t1, t3, t4), D7 240 h, D8 480 h, D9 240 h
    # (first stage change); D6 has only a task on its contact: unprocessed. Median of
    # 0.5, 1, 1, 1, 2, 240, 240, 480 = (1 + 2) / 2 = 1.5 h
    assert f["processing_median_h"] == pytest.approx(1.5)
    assert (f["processing_n"], f["unprocessed"]) == (8, 1)


def test_a_manager_with_three_deals_is_shrunk_and_gets_a_wide_interval(t):
    f = metrics.period_figures(t["leads"], t["calls"], t["tasks"], t["stage_changes"], NOV, M, [3], t["statuses"])
    # Вера: won D7, D8, lost D9: 2 of 3
    assert (f["won_deals"], f["decided_deals"]) == (2, 3)
    lo, hi = concepts.wilson_interval(2, 3)  # the one Wilson interval every report uses
    # Wilson, z = 1.96: denom = 1 + 3.8415/3 = 2.2805; centre = (0.6667 + 0.6402)/2.2805 = 0.5731;
    # half = 1.96·sqrt(0.2222/3 + 3.8415/36)/2.2805 = 0.3654 → 0.2077 – 0.9385
    assert (lo, hi) == (pytest.approx(0.2077, abs=1e-4), pytest.approx(0.9385, abs=1e-4))
    # shrunk toward the team's 3/5 with k = 20: (2 + 20·0.6) / (3 + 20) = 14/23 = 0.6087
    assert metrics.PRIOR_DEALS == 20
    assert metrics.shrunk_rate(2, 3, 0.6) == pytest.approx(14 / 23)
    # her interval contains the team's rate: never called above or below the team
    assert metrics.separated(lo, hi, 0.6) == ""
    assert metrics.separated(0.7, 0.9, 0.6) == "above" and metrics.separated(0.1, 0.5, 0.6) == "below"
    assert metrics.shrunk_rate(0, 0, 0.6) == pytest.approx(0.6)  # no deals: the team's rate


# ---- velocity -------------------------------------------------------------------------------------------------


def test_velocity_and_its_decomposition_sum_to_the_total():
    prev = {"open_deals": 10, "win_rate": 0.2, "average_check": 100_000, "cycle_days": 20}
    cur = {"open_deals": 12, "win_rate": 0.25, "average_check": 90_000, "cycle_days": 15}
    # V0 = 10·0.2·100000/20 = 10000 per day; V1 = 12·0.25·90000/15 = 18000; total +8000
    d = metrics.decompose(prev, cur)
    assert (d.previous, d.current, d.total, d.method) == (pytest.approx(10000), pytest.approx(18000), 8000, "lmdi")
    # LMDI: L = 8000 / ln 1.8 = 13610.5; open deals 13610.5·ln 1.2 = 2481.5; win rate ·ln 1.25 = 3037.1;
    # average check ·ln 0.9 = −1434.0; cycle ·ln(20/15) = 3915.5 (a shorter cycle raises velocity)
    assert d.parts["open_deals"] == pytest.approx(2481.5, abs=0.1)
    assert d.parts["win_rate"] == pytest.approx(3037.1, abs=0.1)
    assert d.parts["average_check"] == pytest.approx(-1434.0, abs=0.1)
    assert d.parts["cycle_days"] == pytest.approx(3915.5, abs=0.1)
    assert sum(d.parts.values()) == pytest.approx(d.total, abs=1e-9)


def test_a_zero_lever_falls_back_to_the_sequential_split():
    prev = {"open_deals": 10, "win_rate": 0.0, "average_check": 100_000, "cycle_days": 20}
    cur = {"open_deals": 12, "win_rate": 0.25, "average_check": 90_000, "cycle_days": 15}
    d = metrics.decompose(prev, cur)
    # V0 = 0; in the order open deals, win rate, average check, cycle: 12·0·… = 0 → +0; 12·0.25·100000/20 = 15000;
    # ·90000 → 13500 (−1500); /15 → 18000 (+4500)
    assert d.method == "sequential"
    assert [round(d.parts[k], 6) for k in metrics.LEVERS] == [0, 15000, -1500, 4500]
    assert sum(d.parts.values()) == pytest.approx(18000)
    # no cycle (no wins): no velocity, no decomposition
    assert metrics.decompose(prev, {**cur, "cycle_days": float("nan")}) is None


def test_weighted_pipeline_uses_the_forecasts_probabilities_of_the_scope():
    """tests/fixtures_forecast.py (its docstring works the probabilities out): origin 2026-04-01, one age band,
    min_obs 1. Here L2, L6 (the team's only losses) and L7, L8 (open) are user 2's, the rest user 1's."""
    leads = ffx.leads()
    leads.loc[leads["id"].isin([2, 6, 7, 8]), "responsible_user_id"] = 2
    sc, st, origin = ffx.stage_changes(), ffx.statuses(), ffx.ORIGIN
    settings = model_lib.Settings(lookback=2, min_obs=1, age_bins=(0, math.inf))
    snaps = forecast_oracle.snapshots(leads, sc, model_lib.snapshot_moments(leads, origin, 2))
    od = concepts.open_deals_at(leads, sc, st, origin).merge(leads[["id", "created_at", "responsible_user_id"]])
    # open at the origin: L3 (A, 300, user 1), L7 (A, 1000, user 2), L8 (B, 500, user 2)
    assert sorted(od["id"]) == [3, 7, 8]

    def weighted(user_ids):
        probs = metrics.forecast_probabilities(snaps, origin, user_ids, settings)
        mine = od if user_ids is None else od[od["responsible_user_id"].isin(user_ids)]
        return metrics.weighted_open_deals(mine, mine["created_at"], probs, origin, settings)

    # the team's model (the forecast report's for the team): p_win A = 5/6, B = 1/2 (fixtures_forecast) →
    # 300·5/6 + 1000·5/6 + 500·1/2 = 250 + 833.33 + 250 = 1 333.33, the forecast's own weighted pipeline
    team = weighted(None)
    assert team.tolist() == pytest.approx([250, 1000 * 5 / 6, 250])
    assert team.sum() == pytest.approx(1300 * 5 / 6 + 250)
    # user 1's own history: A rows L9 won 39 d (02-01); L1 won 10, L3 censored 31, L4 won 20, L9 won 11 (03-01):
    # no loss, so CIF climbs 1/5, 2/5, 3/5 and the last win after the censoring takes it to 1 → L3 300·1 = 300
    assert weighted([1]).tolist() == pytest.approx([300])
    # user 2's own history: L2 lost from A, L6 lost from B, no win → p_win 0 for both stages: L7, L8 weigh 0
    assert weighted([2]).tolist() == pytest.approx([0, 0])
    # the managers' rows need not add up to the team's: 300 + 0 ≠ 1 333.33 (each scope has its own model)
    # a scope with too few observations for any cell (min_obs 30, 8 rows here) has no probability: NaN, not 0
    probs = metrics.forecast_probabilities(snaps, origin, None)
    assert metrics.weighted_open_deals(od, od["created_at"], probs, origin).isna().all()


# ---- on the store: the shared rules (meetings, plans) as the other reports apply them -------------------------


@pytest.fixture(scope="module")
def fx_store(tmp_path_factory):
    folder = tmp_path_factory.mktemp("managers_store")
    path = folder / "crm.duckdb"
    store.write_full(path, fx.store_tables())
    (folder / "meetings.yaml").write_text(fx.STAGE_RULE_YAML, encoding="utf-8")
    (folder / "goals.yaml").write_text(fx.GOALS_YAML, encoding="utf-8")
    return folder


def _texts(sec) -> list[str]:
    return [payload for kind, payload in sec.parts if kind == "text"]


def _managers(folder, manager=""):
    return view.open(
        period=fx.PERIOD,
        manager=manager,
        store=str(folder / "crm.duckdb"),
        meetings=str(folder / "meetings.yaml"),
        goals_path=str(folder / "goals.yaml"),
    )


def test_meetings_follow_the_calls_reports_rule(fx_store):
    """A stage rule (deals entering «B»): D4 (11-08, Анна), D6 (11-08, created into B, Борис), D1 (11-10, Анна) →
    3 meetings, Анна 2, Борис 1, Вера 0; the default rule would count t7 only. The calls report counts the same."""
    rule_file = str(fx_store / "meetings.yaml")
    for manager, expected in (("", 3), ("Анна", 2)):
        calls = calls_view.open(
            period=fx.PERIOD, manager=manager, store=str(fx_store / "crm.duckdb"), meetings=rule_file
        )
        calls_view.kpis(calls)
        ctx = _managers(fx_store, manager)
        sec = view.kpis(ctx)
        assert ctx.figures["meetings"] == calls.figures["meetings"] == expected
        assert calls.figures["meetings_rule"] == "stage:B"
        assert any("«B»" in n for n in sec.notes)  # the footnote states the rule used
    # per manager, as the calls report's comparison of managers counts them
    calls = calls_view.open(period=fx.PERIOD, store=str(fx_store / "crm.duckdb"), meetings=rule_file)
    by_calls = calls_view.managers(calls).tables["managers"].set_index("manager")["meetings"].to_dict()
    sc = view.scorecard(_managers(fx_store)).set_index("manager")["meetings"].to_dict()
    assert {k: sc[k] for k in ("Анна", "Борис")} == {"Анна": 2, "Борис": 1}
    assert {k: by_calls[k] for k in ("Анна", "Борис")} == {"Анна": 2, "Борис": 1}
    assert sc["Вера"] == 0 and sc["Вся команда"] == 3


def test_plan_done_share(fx_store):
    """Plans of tests/fixtures_managers.py for 2026-11 (facts up to 12-01 00:00):
    team revenue 300: won D1 100 + D7 50 + D8 70 = 220 → 220 / 300 = 73.3 %;
    Анна won_deals 2: D1 → 1 / 2 = 50 %; Вера revenue 120.05: 50 + 70 = 120 → 0.999584 = 99.96 % (printed with
    one decimal it would round to 100.0 %, so it gets two: never 100 % while short of the plan);
    Борис has a plan for October only: no plan for November, a dash."""
    ctx = _managers(fx_store)
    sec = view.kpis(ctx)
    assert ctx.figures["plan_metric"] == "revenue" and ctx.figures["plan"] == 300 and ctx.figures["fact"] == 220
    assert ctx.figures["plan_done_share"] == pytest.approx(220 / 300)
    assert any("73,3\u00a0%" in text for text in _texts(sec))
    sc = view.scorecard(ctx).set_index("manager")
    assert sc.loc["Анна", "plan_metric"] == "won_deals" and sc.loc["Анна", "plan_fact"] == 1
    assert sc.loc["Анна", "plan_done_share"] == pytest.approx(0.5)
    assert sc.loc["Вера", "plan_done_share"] == pytest.approx(120 / 120.05)
    assert math.isnan(sc.loc["Борис", "plan_done_share"]) and pd.isna(sc.loc["Борис", "plan_metric"])
    assert fmt.done_percent(120 / 120.05, "ru", 1) == "99,96\u00a0%"
    html = view.managers_table(ctx)._repr_html_()
    assert "99,96" in html and "План, выполнено" in html
    # one manager's page: her own plan
    anna = _managers(fx_store, "Анна")
    view.kpis(anna)
    assert anna.figures["plan_done_share"] == pytest.approx(0.5) and anna.figures["plan_metric"] == "won_deals"


def test_no_plan_no_plan_sentence(fx_store, tmp_path):
    """Without a plan for the period nothing is said of plans (no pointer elsewhere, no footnote)."""
    empty = tmp_path / "goals.yaml"
    empty.write_text("currency: RUB\nplans:\n  - {scope: team, period: 2026-10, metric: revenue, target: 1}\n")
    ctx = view.open(period=fx.PERIOD, store=str(fx_store / "crm.duckdb"), goals_path=str(empty))
    sec = view.kpis(ctx)
    assert "plan_done_share" not in ctx.figures
    assert not any("план" in n.lower() for n in sec.notes + _texts(sec))
    assert "План, выполнено" not in view.managers_table(ctx)._repr_html_()


# ---- losses and activity ------------------------------------------------------------------------------------


def test_losses_by_money_and_stage(t):
    lost = metrics.losses(t["leads"], t["stage_changes"], t["loss_reasons"], NOV)
    # D2 (200) and D9 (90), both lost from stage A, no reason given
    assert sorted(lost["amount"]) == [90, 200] and set(lost["stage_key"]) == {f"{fx.P}:{fx.A}"}
    by = metrics.reasons_by_money(lost)
    assert by["deals"].tolist() == [2] and by["amount"].tolist() == [290] and by["reason"].isna().all()


def test_activity_grid_counts_calls_moves_and_tasks(t):
    g = metrics.activity_grid(t["calls"], t["stage_changes"], t["tasks"], NOV)
    # November: 3 calls, 16 stage changes with a user (all but none; D10's is in November too: 17 − 0), 2 tasks done
    moves = int(NOV.contains(t["stage_changes"]["at"]).sum())
    assert g.shape == (7, 24) and int(g.to_numpy().sum()) == 3 + moves + 2
    # c1 Monday 2026-11-02 10:30 (weekday 0, hour 10) with D1's stage change at 10:00 the same hour
    assert g.loc[0, 10] >= 2


# ---- links ----------------------------------------------------------------------------------------------------


def test_deal_links():
    assert links.deal_url("https://acme.amocrm.ru", 123) == "https://acme.amocrm.ru/leads/detail/123"
    assert links.deal_url(None, 123) is None and links.deal_url("https://x.kommo.com/", None) is None
    assert links.account_base({"source": "api", "subdomain": "acme"}) == "https://acme.amocrm.ru"
    assert links.account_base({"source": "demo", "subdomain": "tehnosnab"}) is None  # no CRM behind the demo
    assert links.account_base({"source": "demo"}, "https://demo.example/") == "https://demo.example"
    with pytest.raises(ValueError, match="deal link base"):
        links.clean_base("acme.amocrm.ru")
    html = links.linked_table(pd.DataFrame({"Deal": ["<D1>", "D2"]}), {"Deal": ["https://a/1", None]})
    assert '<a href="https://a/1">&lt;D1&gt;</a>' in html and ">D2</td>" in html


# ---- on the demo account: the same figure as the report that owns the rule -------------------------------------


def _run(name: str, demo_store, manager: str = ""):
    """A report's context after the sections its notebook calls (the figures its JSON would hold)."""
    import importlib
    import re
    from pathlib import Path

    sections = importlib.import_module(f"crmreports.reports.{name}.sections")
    source = (Path(__file__).resolve().parents[1] / "notebooks" / f"{name}.py").read_text(encoding="utf-8")
    steps = [s for s in dict.fromkeys(re.findall(r"report\.(\w+)\(ctx\)", source)) if s not in {"open", "title"}]
    ctx = sections.open(period="2026-10", manager=manager, store=str(demo_store), lang="ru")
    for step in steps:
        if step != "publish":
            getattr(sections, step)(ctx)
    return ctx.figures


@pytest.mark.parametrize("manager", ["", "Анна Смирнова"])
def test_demo_figures_agree_with_calls_goals_and_forecast(demo_store, manager):
    """For October 2026 (data to 2026-11-01, the forecast's origin): meetings = the calls report's, the weighted
    pipeline = the forecast report's «weighted» of the same scope, the plan done share = the goals report's."""
    mine = _run("managers", demo_store, manager)
    calls, forecast, goals = (_run(r, demo_store, manager) for r in ("calls", "forecast", "goals"))
    assert mine["meetings"] == calls["meetings"] > 0
    assert mine["open_deals"] == forecast["pipeline_open_deals"] > 0
    assert mine["weighted_pipeline"] == pytest.approx(forecast["pipeline_weighted"], rel=1e-9)
    assert 0 < mine["weighted_pipeline"] < mine["open_pipeline"]
    # the plans of params/goals.yaml for 2026-10: the team's revenue plan, Анна Смирнова's revenue plan
    assert mine["plan_metric"] == goals["plan_metric"] == "revenue" and mine["plan"] == goals["plan"]
    assert mine["plan_done_share"] == pytest.approx(goals["plan_done_share"], rel=1e-12)
