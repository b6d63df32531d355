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
from crmreports.store import concepts
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
    # like for like: September's items as they stood on 10-10 (10-01 + the 9 days since October ended),
    # October 2025's on 2025-11-10; nothing below happens after those cutoffs, so the figures are the same
    k = unsorted.kpi_table(items, OCT, AS_OF)
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


# ---- issue #14: like-for-like comparisons, first actions without declined items, the source ranking ----------

NOV = parse_period("2026-11")
LFL_AS_OF = pd.Timestamp("2026-12-11")  # ten days after November 2026: cutoffs 2026-11-11 and 2025-12-11


def _item(uid, created, outcome, decided=None, closed=None, won=False, lost=False, price=0.0, action=None):
    """One prepared item (the columns of metrics.ITEM_COLUMNS) arrived at ``created``, decided at ``decided``;
    an accepted item is a deal, won or lost at ``closed``; its first action ``action`` minutes after arrival."""
    c = pd.Timestamp(created)
    fa = c + pd.Timedelta(minutes=action) if action is not None else pd.NaT
    return {
        "uid": uid,
        "source_name": "Сайт",
        "category": "forms",
        "pipeline_id": 10.0,
        "created_at": c,
        "outcome": outcome,
        "decided_at": pd.Timestamp(decided) if decided else pd.NaT,
        "decided_by": 1.0 if decided else float("nan"),
        "lead_id": float(len(uid)),
        "contact_id": float("nan"),
        "owner_id": 1.0,
        "is_deal": outcome == "accepted",
        "is_won": won,
        "is_lost": lost,
        "closed_at": pd.Timestamp(closed) if closed else pd.NaT,
        "won_price": float(price) if won else 0.0,
        "accept_min": (pd.Timestamp(decided) - c).total_seconds() / 60 if outcome == "accepted" else float("nan"),
        "first_action_at": fa,
        "first_action_kind": "call" if action is not None else None,
        "first_action_min": float(action) if action is not None else float("nan"),
    }


def lfl_items() -> pd.DataFrame:
    """Hand-built items, as prepared on 2026-12-11.

    item  arrived           outcome                     deal                  first action
    C1    2026-11-03 10:00  accepted 11-03 10:30        won 11-20, 100        10 min
    C2    2026-11-05 10:00  accepted 11-05 11:00        open                  20 min
    C3    2026-11-06 10:00  declined 11-06 12:00        -                     30 min (declined: left out)
    C4    2026-11-28 10:00  pending                     -                     none
    P1    2026-10-02 10:00  accepted 10-02 10:20        won 10-20, 100        40 min
    P2    2026-10-03 10:00  accepted 10-03 11:00        won 11-20 (after 11-11), 100   60 min
    P3    2026-10-30 10:00  accepted 11-15 (after 11-11) lost 11-25           on 11-12 (after 11-11)
    P4    2026-10-05 10:00  declined 10-05 11:00        -                     5 min (declined: left out)
    Y1    2025-11-10 10:00  accepted 11-10 10:10        won 2026-01-15, 50    15 min
    """
    return pd.DataFrame(
        [
            _item(
                "c1", "2026-11-03 10:00", "accepted", "2026-11-03 10:30", "2026-11-20", won=True, price=100, action=10
            ),
            _item("c2", "2026-11-05 10:00", "accepted", "2026-11-05 11:00", action=20),
            _item("c3", "2026-11-06 10:00", "declined", "2026-11-06 12:00", action=30),
            _item("c4", "2026-11-28 10:00", "pending"),
            _item(
                "p1", "2026-10-02 10:00", "accepted", "2026-10-02 10:20", "2026-10-20", won=True, price=100, action=40
            ),
            _item(
                "p2", "2026-10-03 10:00", "accepted", "2026-10-03 11:00", "2026-11-20", won=True, price=100, action=60
            ),
            _item("p3", "2026-10-30 10:00", "accepted", "2026-11-15 10:00", "2026-11-25", lost=True, action=13 * 1440),
            _item("p4", "2026-10-05 10:00", "declined", "2026-10-05 11:00", action=5),
            _item(
                "y1", "2025-11-10 10:00", "accepted", "2025-11-10 10:10", "2026-01-15", won=True, price=50, action=15
            ),
        ]
    )[unsorted.ITEM_COLUMNS]


def test_comparison_periods_are_taken_at_the_same_age():
    """Naive (every period as of 12-11): October won P1 P2 = 2 (200), accepted 3, pending 0: "won 1 vs 2,
    −50 %". Like for like (October as of 11-11): P2's win (11-20) and P3's acceptance (11-15) are later: won 1
    (100), accepted 2, pending 1, deals 2; November 2025 as of 2025-12-11: Y1 accepted, not yet won (2026-01-15).
    First action, declined items left out: November 10, 20 -> median 15 (with C3's 30 it would be 20);
    October on 11-11: P1 40, P2 60 (P3's action on 11-12 not seen yet, P4 declined) -> 50.
    """
    it = lfl_items()
    naive = unsorted.headline(it, NOV.previous())
    assert (naive["unsorted_to_won"], naive["unsorted_won_revenue"], naive["unsorted_accepted"]) == (2, 200, 3)
    k = unsorted.kpi_table(it, NOV, LFL_AS_OF)
    assert k.loc["unsorted_to_won", "current"] == 1 and k.loc["unsorted_won_revenue", "current"] == 100
    prev = k["previous"]
    assert (prev["unsorted_to_won"], prev["unsorted_won_revenue"]) == (1, 100)
    assert (prev["unsorted_accepted"], prev["unsorted_pending"], prev["unsorted_to_deals"]) == (2, 1, 2)
    assert prev["unsorted_to_deals_share"] == pytest.approx(2 / 4)
    assert prev["speed_to_accept_median_min"] == pytest.approx(40)  # 20, 60 (P3's 16 days not yet)
    assert prev["speed_to_first_action_median_min"] == pytest.approx(50)
    y = k["year_ago"]
    assert (y["unsorted_accepted"], y["unsorted_to_won"], y["unsorted_won_revenue"]) == (1, 0, 0)
    assert k.loc["speed_to_first_action_median_min", "current"] == pytest.approx(15)
    # at_cutoff itself: P3 pending, not a deal, no acceptance time and no first action on 11-11
    p3 = unsorted.at_cutoff(it, pd.Timestamp("2026-11-11")).set_index("uid").loc["p3"]
    assert (p3["outcome"], p3["is_deal"], p3["is_lost"]) == ("pending", False, False)
    assert math.isnan(p3["accept_min"]) and math.isnan(p3["first_action_min"]) and pd.isna(p3["closed_at"])


def test_first_action_figures_leave_out_declined_items_in_every_period():
    """November: C1 10, C2 20 (C3 declined, 30, left out): median 15, n 2, kinds: two calls; per manager
    the same; with C3 they would be 20, 3 and three calls."""
    it = lfl_items()
    s = unsorted.speed_summary(it, NOV)
    assert s.loc["first_action", "n"] == 2 and s.loc["first_action", "median_min"] == pytest.approx(15)
    assert unsorted.first_action_kinds(it, NOV).to_dict() == {"call": 2, "task": 0, "stage": 0}
    users = pd.DataFrame({"id": [1], "name": ["Анна"]})
    m = unsorted.speed_by_manager(it, users, NOV).iloc[0]
    assert m["first_action_median_min"] == pytest.approx(15)
    # October as it stands on 12-11: P1 40, P2 60, P3 13 days (P4 declined, left out): median 60
    assert unsorted.headline(it, NOV.previous())["speed_to_first_action_median_min"] == pytest.approx(60)


def test_wilson_interval_by_hand():
    """18 of 20, z = 1.96: centre (0.9 + 1.96²/40) / (1 + 1.96²/20) = 0.99604 / 1.19207 = 0.8356; half-width
    1.96 √(0.9·0.1/20 + 1.96²/1600) / 1.19207 = 0.1628 / 1.19207 = 0.1366: 0.699 .. 0.972."""
    lo, hi = concepts.wilson_interval(18, 20)
    assert (lo, hi) == (pytest.approx(0.699, abs=1e-3), pytest.approx(0.972, abs=1e-3))
    lo, hi = concepts.wilson_interval(2, 20)  # the mirror image
    assert (lo, hi) == (pytest.approx(0.028, abs=1e-3), pytest.approx(0.301, abs=1e-3))
    assert all(math.isnan(v) for v in concepts.wilson_interval(0, 0))


def _source_items(name, won, lost, declined, pending=0, open_deals=0):
    rows = []
    for k, (outcome, w, lo) in enumerate(
        [("accepted", True, False)] * won
        + [("accepted", False, True)] * lost
        + [("declined", False, False)] * declined
        + [("pending", False, False)] * pending
        + [("accepted", False, False)] * open_deals
    ):
        decided = "2026-11-02" if outcome != "pending" else None
        closed = "2026-11-20" if (w or lo) else None
        rows.append(_item(f"{name}{k}", "2026-11-01 10:00", outcome, decided, closed, won=w, lost=lo, price=10))
    return pd.DataFrame(rows).assign(source_name=name)


def test_source_ranking_uses_decided_outcomes_and_intervals():
    """A: 18 won, 2 lost, plus 30 pending and 30 open deals (not failures): 18 / 20 decided = 90 %
    (0.699..0.972). B: 1 won, 9 lost, 10 declined: 1 / 20 = 5 % (0.009..0.236). The intervals do not
    overlap: ranked, A best, B worst. Counting pending and open as failures (the old rule, won / all) A would
    be 18 / 80 = 22.5 %. C: 6 of 10 (0.313..0.832) against D: 3 of 10 (0.108..0.603): they overlap, no ranking.
    E: 9 decided, under the minimum of 10: not ranked at all."""
    it = pd.concat(
        [
            _source_items("A", 18, 2, 0, pending=30, open_deals=30),
            _source_items("B", 1, 9, 10),
            _source_items("E", 9, 0, 0),
        ],
        ignore_index=True,
    )
    src = unsorted.breakdown(it, NOV, "source_name").set_index("source_name")
    assert src.loc["A", ["decided", "to_won", "lost", "pending"]].tolist() == [20, 18, 2, 30]
    assert src.loc["A", "won_of_decided"] == pytest.approx(0.9) and src.loc["A", "to_won_share"] == pytest.approx(
        18 / 80
    )
    assert src.loc["B", "won_of_decided"] == pytest.approx(0.05)
    status, best, worst = unsorted.rank_sources(src.reset_index(), 10)
    assert (status, best["source_name"], worst["source_name"]) == ("ranked", "A", "B")
    cd = pd.concat([_source_items("C", 6, 4, 0), _source_items("D", 3, 0, 7)], ignore_index=True)
    status, best, worst = unsorted.rank_sources(unsorted.breakdown(cd, NOV, "source_name"), 10)
    assert (status, best["source_name"], worst["source_name"]) == ("overlap", "C", "D")
    assert unsorted.rank_sources(unsorted.breakdown(_source_items("E", 9, 0, 0), NOV, "source_name"), 10)[0] == "few"
