"""Unsorted-leads metrics and sections on the hand-built fixture (tests/fixtures_unsorted.py).

Every expected value below is worked out by hand from the fixture's table; the comment next to each
assertion shows the arithmetic. Period 2026-10, data as of 2026-11-10 00:00 (account timezone UTC).
"""

import math

import pandas as pd
import pytest

import fixtures_unsorted as F
from crmreports import store
from crmreports.core.periods import parse_period
from crmreports.reports.unsorted_leads import metrics as unsorted
from crmreports.reports.unsorted_leads import sections as view
from oracles import unsorted as oracle

OCT = parse_period("2026-10")
SEP = parse_period("2026-09")
AS_OF = F.AS_OF


@pytest.fixture(scope="module")
def store_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("unsorted") / "crm.duckdb"
    store.write_full(path, F.tables())
    return path


@pytest.fixture(scope="module")
def empty_store(tmp_path_factory):
    path = tmp_path_factory.mktemp("unsorted_empty") / "crm.duckdb"
    store.write_full(path, F.empty_tables())
    return path


def _load(path, user_ids=None):
    return store.load(path, tables=oracle.TABLES, user_ids=user_ids)


def _items(path, as_of=AS_OF, user_ids=None):
    d = _load(path, user_ids)
    it = unsorted.prepare(d["unsorted"], d.leads, d.stage_changes, d["calls"], d["tasks"], d.statuses, as_of)
    return unsorted.in_scope(it, tuple(user_ids or ()))


@pytest.fixture(scope="module")
def items(store_path):
    return _items(store_path)


def test_prepare_per_item(items):
    it = items.set_index("uid")
    # owner: the lead's responsible (U5's lead 105 is Анна's although Борис accepted it); U4 declined, lead
    # deleted -> Борис who declined it; U12 accepted but its lead was deleted -> no owner
    assert it.loc["u05", "owner_id"] == 1 and it.loc["u04", "owner_id"] == 2
    assert math.isnan(it.loc["u12", "owner_id"])
    # became deals: accepted with a live lead; U12's lead is deleted, U4 declined, U6 pending
    assert list(it.index[it["is_deal"]]) == ["u01", "u02", "u03", "u05", "u07", "u08", "u10", "u11"]
    # won before 11-10: 101 (10-20), 105 (10-25), 107 (11-05), 110 (2025-10-15); 103 lost
    assert list(it.index[it["is_won"]]) == ["u01", "u05", "u07", "u10"]
    assert it.loc["u07", "won_price"] == 300 and it.loc["u03", "won_price"] == 0
    # minutes to accept: U1 10:00->10:30 = 30, U7 10-30 12:00 -> 11-02 12:00 = 3 days = 4320
    assert it.loc["u01", "accept_min"] == 30 and it.loc["u07", "accept_min"] == 4320
    assert math.isnan(it.loc["u04", "accept_min"])  # declined: not an acceptance


def test_first_action_skips_non_actions(items):
    it = items.set_index("uid")
    # U1: outgoing call 11:00 (60 min) before the task at 12:00; the acceptance at 10:30 is not an action
    assert (it.loc["u01", "first_action_kind"], it.loc["u01", "first_action_min"]) == ("call", 60)
    # U2: the incoming call at 09:00 is the client's; the task at 09:40 (40) beats the outgoing call at 10:00
    assert (it.loc["u02", "first_action_kind"], it.loc["u02", "first_action_min"]) == ("task", 40)
    # U3: the robot's move at 15:00 does not count; Борис's move 10-04 12:00 = 24 h = 1440; the call on the
    # contact on 10-02 was before the item arrived
    assert (it.loc["u03", "first_action_kind"], it.loc["u03", "first_action_min"]) == ("stage", 1440)
    # U5: an outgoing call logged on the contact (no lead) at 12:00 = 120 min
    assert (it.loc["u05", "first_action_kind"], it.loc["u05", "first_action_min"]) == ("call", 120)
    # U7: task 11-02 12:30 = 3 days 30 min = 4350; U6 has only a task on its contact -> no action
    assert it.loc["u07", "first_action_min"] == 4350
    assert pd.isna(it.loc["u06", "first_action_kind"])


def test_headline_october(items):
    h = unsorted.headline(items, OCT)
    # arrived in October: U1-U7 and U12 = 8; accepted U1 U2 U3 U5 U7 U12 = 6; declined U4; pending U6
    assert (h["unsorted_total"], h["unsorted_accepted"], h["unsorted_declined"], h["unsorted_pending"]) == (8, 6, 1, 1)
    # to deals: the accepted ones minus U12 (lead deleted) = 5 -> 5/8; won U1 1000 + U5 500 + U7 300
    assert h["unsorted_to_deals"] == 5 and h["unsorted_to_deals_share"] == pytest.approx(5 / 8)
    assert h["unsorted_to_won"] == 3 and h["unsorted_won_revenue"] == 1800
    # accept minutes sorted: 10 30 30 120 180 4320 -> median (30 + 120) / 2 = 75
    assert h["speed_to_accept_median_min"] == pytest.approx(75)
    # first-action minutes sorted: 40 60 120 1440 4350 -> median 120
    assert h["speed_to_first_action_median_min"] == pytest.approx(120)
    assert list(h) == unsorted.HEADLINE_KEYS


def test_outcome_as_of_an_earlier_date(store_path):
    it = _items(store_path, as_of=pd.Timestamp("2026-11-01"))
    h = unsorted.headline(it, OCT)
    # U7 is accepted on 11-02, after this as-of: pending; its lead is not a deal or a win yet
    assert (h["unsorted_accepted"], h["unsorted_pending"]) == (5, 2)
    assert (h["unsorted_to_deals"], h["unsorted_to_won"], h["unsorted_won_revenue"]) == (4, 2, 1500)
    # U7's task on 11-02 is after the as-of: first actions 40 60 120 1440 -> median 90
    assert h["speed_to_first_action_median_min"] == pytest.approx(90)


def test_kpi_table_previous_and_year_ago(items):
    k = unsorted.kpi_table(items, OCT)
    # September: U8 (accepted), U9 (declined), U11 (accepted 10-02): 3, 2 accepted, 2 deals, none won
    assert k.loc["unsorted_total", "previous"] == 3 and k.loc["unsorted_accepted", "previous"] == 2
    assert k.loc["unsorted_to_deals", "previous"] == 2 and k.loc["unsorted_to_won", "previous"] == 0
    # accept minutes: U8 20, U11 7 days = 10080 -> median 5050; no first action in September
    assert k.loc["speed_to_accept_median_min", "previous"] == pytest.approx(5050)
    assert math.isnan(k.loc["speed_to_first_action_median_min", "previous"])
    # October 2025: U10 accepted in 5 min, won 700; its first action is the move to won on 10-15 00:00
    # by Анна: 10-10 10:00 -> 10-15 00:00 = 4 days 14 h = 6600 min
    assert k.loc["unsorted_won_revenue", "year_ago"] == 700 and k.loc["speed_to_accept_median_min", "year_ago"] == 5
    assert k.loc["speed_to_first_action_median_min", "year_ago"] == pytest.approx(6600)


def test_breakdown_by_source_and_category(items):
    s = unsorted.breakdown(items, OCT, "source_name").set_index("source_name")
    # Сайт: U1 U4 U6 (1 accepted, 1 declined, 1 pending; 1 deal won 1000); Авито: U3 U7 (2 deals, U7 won 300);
    # Почта: U5 U12 (2 accepted, 1 deal won 500); Телефония: U2
    assert list(s.index) == ["Сайт", "Авито", "Почта", "Телефония"]
    assert s.loc["Сайт", ["total", "accepted", "declined", "pending", "to_deals", "to_won"]].tolist() == [
        3,
        1,
        1,
        1,
        1,
        1,
    ]
    assert s.loc["Сайт", "share"] == pytest.approx(3 / 8)
    assert s.loc["Почта", "to_deals_share"] == pytest.approx(0.5) and s.loc["Почта", "won_revenue"] == 500
    assert s.loc["Авито", "to_won_share"] == pytest.approx(0.5)
    c = unsorted.breakdown(items, OCT, "category").set_index("category")
    assert c["total"].to_dict() == {"forms": 3, "chats": 2, "mail": 2, "sip": 1}
    assert c.loc["chats", "won_revenue"] == 300


def test_speed_summary_median_and_p90(items):
    s = unsorted.speed_summary(items, OCT)
    # accept: 10 30 30 120 180 4320; P90 at position 0.9 * 5 = 4.5 -> 180 + 0.5 * (4320 - 180) = 2250
    assert s.loc["accept", "n"] == 6 and s.loc["accept", "p90_min"] == pytest.approx(2250)
    assert s.loc["accept", "waiting"] == 1  # U6 pending
    # first action: 40 60 120 1440 4350; P90 at 0.9 * 4 = 3.6 -> 1440 + 0.6 * 2910 = 3186
    assert s.loc["first_action", "n"] == 5 and s.loc["first_action", "p90_min"] == pytest.approx(3186)
    assert s.loc["first_action", "waiting"] == 2  # U6 and U12 (U4 was declined)
    assert unsorted.first_action_kinds(items, OCT).to_dict() == {"call": 2, "task": 2, "stage": 1}


def test_speed_by_manager(items, store_path):
    users = _load(store_path).users
    m = unsorted.speed_by_manager(items, users, OCT)
    # Борис: U3 U4 U6 (first action 1440 only); Анна: U1 U2 U5 U7 (60 40 120 4350 -> median 90);
    # the ownerless U12 last; slowest first action first
    assert m["manager"].tolist()[:2] == ["Борис Петров", "Анна Иванова"] and pd.isna(m["manager"].iloc[2])
    a = m.set_index("manager").loc["Анна Иванова"]
    assert a["total"] == 4 and a["to_deals"] == 4
    assert a["accept_median_min"] == pytest.approx(105)  # 10 30 180 4320
    assert a["first_action_median_min"] == pytest.approx(90)
    assert a["first_action_p90_min"] == pytest.approx(3081)  # 120 + 0.7 * (4350 - 120)
    b = m.set_index("manager").loc["Борис Петров"]
    assert (b["first_action_median_min"], b["no_action"]) == (1440, 1)  # U6 pending, no action
    assert m["total"].sum() == 8


def test_backlog_at_the_snapshot(items):
    b = unsorted.backlog(items, OCT.end_ts)
    # on 11-01 00:00: U6 (pending, arrived 10-28 10:00: 3 d 14 h) and U7 (accepted only on 11-02: 1 d 12 h)
    assert b["uid"].tolist() == ["u06", "u07"]
    assert b["age_days"].tolist() == pytest.approx([3 + 14 / 24, 1.5])
    assert unsorted.age_buckets(b).to_dict() == {"lt_1h": 0, "1h_24h": 0, "1d_3d": 1, "3d_7d": 1, "gt_7d": 0}
    # on 10-01 00:00 (September's snapshot): only U11, arrived 09-25 10:00, accepted 10-02 -> 5 d 14 h
    sep = unsorted.backlog(items, SEP.end_ts)
    assert sep["uid"].tolist() == ["u11"] and sep["age_days"].iloc[0] == pytest.approx(5 + 14 / 24)


def test_weekly_trend(items):
    w = unsorted.weekly_trend(items, OCT)
    # 12 ISO weeks ending with W44 (26.10-01.11): W33..W44; weeks W40..W44 overlap October
    assert w["label"].tolist()[0] == "2026-W33" and w["label"].tolist()[-1] == "2026-W44" and len(w) == 12
    assert w.loc[w["in_period"], "label"].tolist() == ["2026-W40", "2026-W41", "2026-W42", "2026-W43", "2026-W44"]
    by = w.set_index("label")
    # W38: U8 sip + U9 forms (Sunday 09-20), 1 accepted; W40: U1 forms, U2 sip, U3 chats, all accepted
    assert by.loc["2026-W38", ["sip", "forms", "total", "accepted"]].tolist() == [1, 1, 2, 1]
    assert by.loc["2026-W40", ["sip", "mail", "forms", "chats", "total"]].tolist() == [1, 0, 1, 1, 3]
    assert by.loc["2026-W40", "accepted_share"] == 1.0
    # W41: U4 declined + U5 accepted -> 0.5; W43 empty -> no share; W44: U6 pending + U7 accepted -> 0.5
    assert by.loc["2026-W41", "accepted_share"] == 0.5 and by.loc["2026-W44", "accepted_share"] == 0.5
    assert math.isnan(by.loc["2026-W43", "accepted_share"])
    assert w["total"].sum() == 11  # every item but the year-old U10


def test_manager_scope_partitions_the_team(store_path):
    anna = _items(store_path, user_ids=[1])
    boris = _items(store_path, user_ids=[2])
    # Анна: leads 101 102 105 107 (+ U10, U9 declined by her); Борис: 103 106 (+ U4 declined, U8, U11)
    assert sorted(anna.loc[OCT.contains(anna["created_at"]), "uid"]) == ["u01", "u02", "u05", "u07"]
    assert sorted(boris.loc[OCT.contains(boris["created_at"]), "uid"]) == ["u03", "u04", "u06"]
    ha, hb = unsorted.headline(anna, OCT), unsorted.headline(boris, OCT)
    assert (ha["unsorted_to_deals"], ha["unsorted_to_won"], ha["unsorted_won_revenue"]) == (4, 3, 1800)
    assert (hb["unsorted_accepted"], hb["unsorted_declined"], hb["unsorted_pending"], hb["unsorted_to_deals"]) == (
        1,
        1,
        1,
        1,
    )
    # the manager's store load keeps only her calls and tasks; her first actions are unchanged (60 40 120 4350)
    assert ha["speed_to_first_action_median_min"] == pytest.approx(90)
    assert hb["speed_to_first_action_median_min"] == pytest.approx(1440)
    # U12 (accepted, lead deleted) has no owner: 4 + 3 = 8 - 1
    assert ha["unsorted_total"] + hb["unsorted_total"] == 8 - 1
    assert sorted(anna.loc[SEP.contains(anna["created_at"]), "uid"]) == ["u09"]


def test_empty_period_metrics(items):
    empty = parse_period("2026-07")
    h = unsorted.headline(items, empty)
    assert h["unsorted_total"] == 0 and h["unsorted_to_deals"] == 0
    assert math.isnan(h["unsorted_to_deals_share"]) and math.isnan(h["speed_to_accept_median_min"])
    assert unsorted.breakdown(items, empty, "source_name").empty
    assert unsorted.speed_by_manager(items, pd.DataFrame({"id": [], "name": []}), empty).empty
    w = unsorted.weekly_trend(items, empty)  # W20..W31 (27.07-02.08): nothing arrived
    assert (w["label"].iloc[0], len(w), w["total"].sum()) == ("2026-W20", 12, 0)
    assert unsorted.backlog(items, empty.end_ts).empty


def test_minutes_formatting():
    assert view.minutes(45, "ru") == "45\u00a0мин"
    assert view.minutes(75, "ru") == "1\u00a0ч 15\u00a0мин"
    assert view.minutes(120, "en") == "2\u00a0h"
    assert view.minutes(3186, "ru") == "2,2\u00a0дня"
    assert view.minutes(float("nan"), "ru") == "—"


def _texts(sec):
    return [p for kind, p in sec.parts if kind == "text"]


def test_sections_team_ru(store_path):
    ctx = view.open(period="2026-10", store=str(store_path), lang="ru")
    k = view.kpis(ctx)
    texts = _texts(k)
    assert texts[0].startswith("За октябрь 2026 поступило 8\u00a0заявок (+167\u00a0% к предыдущему периоду")
    assert texts[1] == "5 из 8\u00a0лидов перешли в сделки — 62\u00a0%."  # 5/8 = 62.5 -> 62 (half to even)
    assert texts[2] == "Из них выиграно сделок: 3 на 1\u00a0800\u00a0₽."
    assert ctx.figures["unsorted_total"] == 8 and ctx.figures["unsorted_won_revenue"] == 1800
    assert ctx.comparisons["previous"]["unsorted_total"] == 3
    sp = view.speed(ctx)
    assert "1\u00a0ч 15\u00a0мин" in _texts(sp)[0] and "37\u00a0ч 30\u00a0мин" in _texts(sp)[0]
    assert "speed_by_manager" in sp.tables
    b = view.backlog(ctx)
    assert _texts(b)[0].startswith("Неразобранных заявок на 01.11.2026 00:00: 2; самая старая ждёт 3,6\u00a0дня")
    assert ctx.figures["unsorted_backlog"] == 2
    html = view.sources(ctx).to_html() + view.trend(ctx).to_html()
    assert "Источники и каналы заявок" in html and "Динамика по неделям" in html and 'class="crm-chart"' in html


def test_sections_manager_en(store_path):
    ctx = view.open(period="2026-10", manager="Борис Петров", store=str(store_path), lang="en")
    k = view.kpis(ctx)
    assert _texts(k)[1] == "1 of 3\u00a0leads became a deal, 33%."
    assert ctx.figures["unsorted_to_won"] == 0
    sp = view.speed(ctx)
    assert "speed_by_manager" not in sp.tables
    assert any("that manager's calls and tasks" in n for n in sp.notes)


def test_sections_empty_store(empty_store):
    ctx = view.open(period="2026-10", store=str(empty_store), lang="ru")
    secs = [view.kpis(ctx), view.sources(ctx), view.speed(ctx), view.backlog(ctx), view.trend(ctx)]
    assert _texts(secs[0]) == ["За октябрь 2026 в «Неразобранное» не поступило ни одной заявки."]
    assert "kpis" not in secs[0].tables  # no table of zeros
    assert _texts(secs[1]) == ["Нет данных за период."]
    assert _texts(secs[2])[0].startswith("В периоде нет принятых заявок")
    assert _texts(secs[3]) == ["На 01.11.2026 00:00 неразобранных заявок нет."]
    assert ctx.figures["unsorted_total"] == 0 and math.isnan(ctx.figures["unsorted_to_deals_share"])


def test_period_after_the_data(store_path):
    ctx = view.open(period="2027-03", store=str(store_path), lang="ru")
    assert _texts(view.backlog(ctx)) == ["Нет данных за период."]
    assert _texts(view.kpis(ctx))[0] == "За март 2027 в «Неразобранное» не поступило ни одной заявки."


def test_bad_manager_is_a_clear_error(store_path):
    from crmreports.core.scopes import ParameterError

    with pytest.raises(ParameterError, match="Анна Иванова"):
        view.open(period="2026-10", manager="Никто", store=str(store_path))


def test_a_section_run_again_does_not_repeat_its_findings(store_path):
    """The analyst re-runs a cell: the takeaways list each section's findings once, in notebook order."""
    ctx = view.open(period="2026-10", store=str(store_path), lang="ru")
    for name in ("kpis", "sources", "speed", "backlog", "trend"):
        getattr(view, name)(ctx)
    once = list(ctx.findings)
    assert len(once) == len(set(once)) >= 3
    view.speed(ctx)
    view.kpis(ctx)
    assert ctx.findings == once
    assert _texts(view.summary(ctx)) == once
