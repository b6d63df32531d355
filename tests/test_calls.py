"""Call metrics and report sections on the hand-built fixture (tests/fixtures_calls.py, which lists every call
and task); the expected values below were worked out by hand from that table."""

import math

import pandas as pd
import pytest

import fixtures_calls
from crmreports import store
from crmreports.core.periods import parse_period
from crmreports.reports.calls import metrics as calls
from crmreports.reports.calls import sections as view
from crmreports.store import concepts
from crmreports.store import meetings as meeting_rules
from crmreports.store.meetings import MeetingRule, MeetingsConfigError
from oracles.calls import TABLES

OCT = parse_period("2026-10")
AS_OF = fixtures_calls.AS_OF


@pytest.fixture(scope="module")
def calls_store(tmp_path_factory):
    path = tmp_path_factory.mktemp("calls") / "crm.duckdb"
    store.write_full(path, fixtures_calls.tables())
    return path


@pytest.fixture(scope="module")
def data(calls_store):
    return store.load(calls_store, tables=TABLES)


@pytest.fixture(scope="module")
def task_meetings(data):
    return meeting_rules.meeting_events(
        meeting_rules.DEFAULT_RULE, data["tasks"], data.stage_changes, data.statuses, data.leads
    )


def headline(data, meetings, period=OCT, as_of=AS_OF):
    return calls.headline(data["calls"], data["calls"], data.leads, meetings, period, as_of)


# ---- headline figures -------------------------------------------------------------------------------------


def test_counts_october(data, task_meetings):
    h = headline(data, task_meetings)
    # October: c1-c10, c12-c17 (c11 is 1 November) -> 16 calls
    assert h["calls_total"] == 16
    # in: c3 c4 c6 c7 c10 c12 c14 = 7; out: c1 c2 c5 c8 c9 c13 c15 c16 c17 = 9
    assert (h["calls_in"], h["calls_out"]) == (7, 9)
    # missed = inbound not answered: c4 c6 c7 c10 c12
    assert h["calls_missed"] == 5


def test_answered_share_and_duration(data, task_meetings):
    h = headline(data, task_meetings)
    # answered: c1 c3 c5 c8 c9 c13 c14 c15 c17 = 9 of 16
    assert h["calls_answered"] == 9
    assert h["calls_answered_share"] == pytest.approx(9 / 16)
    # 120 + 300 + 60 + 50 + 200 + 45 + 180 + 240 + 30 = 1225 s; average over the 9 answered = 136.11 s
    assert h["calls_duration_total_s"] == 1225
    assert h["calls_duration_avg_s"] == pytest.approx(1225 / 9)


def test_missed_not_called_back(data, task_meetings):
    h = headline(data, task_meetings)
    # c4: c5 3 h later (same phone in another format, by another manager) -> called back
    # c6: nobody ever -> not; c7: c8 23 h later (same contact, other number) -> called back
    # c10: c11 12 h later, in November -> called back; c12: c13 26 h later, too late -> not
    assert h["calls_missed_not_called_back"] == 2
    assert h["calls_missed_pending"] == 0


def test_callback_states_and_pending_at_the_data_edge(data):
    oct_calls = calls.in_period(calls.prepare(data["calls"]), OCT)
    cb = calls.callbacks(oct_calls, data["calls"], AS_OF).set_index("id")
    assert cb["state"].to_dict() == {
        4: "called_back",
        6: "not_called_back",
        7: "called_back",
        10: "called_back",
        12: "not_called_back",
    }
    assert cb.loc[4, "delay_h"] == 3 and cb.loc[7, "delay_h"] == 23 and cb.loc[12, "delay_h"] == 26
    assert pd.isna(cb.loc[6, "callback_at"])
    # data ending 1 November 00:00: c10 (31 Oct 22:00) still has 22 h to go and c11 is not in the data yet
    early = calls.callbacks(oct_calls, data["calls"], pd.Timestamp("2026-11-01")).set_index("id")
    assert early.loc[10, "state"] == "pending"
    assert (early["state"] == "not_called_back").sum() == 2
    # a 2-hour window: the fastest callback (c4 -> c5) took 3 h, so nothing is called back in time
    strict = calls.callbacks(oct_calls, data["calls"], AS_OF, hours=2)
    assert (strict["state"] == "called_back").sum() == 0
    assert (strict["state"] == "not_called_back").sum() == 5


def test_callback_needs_an_outbound_call_after_the_missed_one(data):
    # the pool without c5 (Борис's callback): c4 has only earlier or inbound calls on that phone -> not called back
    pool = data["calls"][data["calls"]["id"] != 5]
    cb = calls.callbacks(calls.in_period(calls.prepare(data["calls"]), OCT), pool, AS_OF).set_index("id")
    assert cb.loc[4, "state"] == "not_called_back"


def test_phone_key_ignores_formatting():
    keys = calls.phone_key(pd.Series(["+7 900 000-00-01", "89000000001", "9000000001", "12", None]))
    assert list(keys[:3]) == ["9000000001"] * 3
    assert keys[3:].isna().all()


def test_meetings_by_task_type(data, task_meetings):
    h = headline(data, task_meetings)
    # completed type-2 tasks in October: t1 (Анна), t2 (Борис); t3 open, t4 November, t5 follow-up, t6 September
    assert h["meetings"] == 2
    assert h["call_to_meeting_conversion"] == pytest.approx(2 / 16)


def test_meetings_by_stage(data):
    rule = meeting_rules.parse_meeting_rule({"kind": "stage", "stage": "b"})  # names match case-insensitively
    ev = meeting_rules.meeting_events(rule, data["tasks"], data.stage_changes, data.statuses, data.leads)
    # entries into B: L1 10-03, L3 10-04, L7 10-30 in October; L5 09-25 in September
    assert meeting_rules.count_meetings(ev, OCT) == 3
    assert meeting_rules.count_meetings(ev, OCT.previous()) == 1
    h = headline(data, ev)
    assert h["call_to_meeting_conversion"] == pytest.approx(3 / 16)
    # attributed to the deal's responsible manager: L1 and L7 Анна, L3 Борис
    oct_ev = ev[OCT.contains(ev["at"])]
    assert sorted(oct_ev.groupby("user_id").size().items()) == [(1, 2), (2, 1)]


def test_calls_per_won_deal(data, task_meetings):
    h = headline(data, task_meetings)
    # won in October: L1, L2, L5; October calls on them: L1 c1 c2 c12 c13, L2 c3 c4 c5, L5 c15 -> 8 / 3
    assert h["won_deals"] == 3
    assert h["calls_per_won_deal"] == pytest.approx(8 / 3)


def test_calls_per_working_day(data, task_meetings):
    # October 2026 starts on a Thursday: 22 Monday-Friday days
    assert calls.working_days(OCT, AS_OF) == 22
    assert headline(data, task_meetings)["calls_per_working_day"] == pytest.approx(16 / 22)
    # data ending 15 October 12:00: 1-2, 5-9, 12-15 October = 11 days (a started day counts)
    assert calls.working_days(OCT, pd.Timestamp("2026-10-15 12:00")) == 11
    assert calls.working_days(parse_period("2030-01"), AS_OF) == 0


def test_previous_period_and_year_ago(data, task_meetings):
    k = calls.kpi_table(data["calls"], data["calls"], data.leads, task_meetings, OCT, AS_OF)
    # September: c18 (out, answered, 100 s), c19 (in, missed, never called back); t6; L9 won with c18
    assert k.loc["calls_total", "previous"] == 2
    assert k.loc["calls_missed_not_called_back", "previous"] == 1
    assert k.loc["calls_answered_share", "previous"] == 0.5
    assert k.loc["calls_duration_avg_s", "previous"] == 100
    assert k.loc["meetings", "previous"] == 1
    assert k.loc["calls_per_won_deal", "previous"] == 1
    # October 2025: c20 only (150 s), L8 won with it, no meetings; 23 working days
    assert k.loc["calls_total", "year_ago"] == 1
    assert k.loc["calls_duration_avg_s", "year_ago"] == 150
    assert k.loc["call_to_meeting_conversion", "year_ago"] == 0
    assert k.loc["working_days", "year_ago"] == 23
    assert list(k.index[: len(calls.HEADLINE_KEYS)]) == calls.HEADLINE_KEYS


def test_empty_period_gives_zero_counts_and_no_rates(data, task_meetings):
    h = headline(data, task_meetings, parse_period("2030-01"))
    assert h["calls_total"] == 0 and h["meetings"] == 0 and h["calls_missed_not_called_back"] == 0
    for key in (
        "calls_answered_share",
        "calls_duration_avg_s",
        "call_to_meeting_conversion",
        "calls_per_won_deal",
        "calls_per_working_day",
    ):
        assert math.isnan(h[key]), key


def test_daily(data):
    d = calls.daily(data["calls"], OCT, AS_OF).set_index("day")
    assert len(d) == 31 and d["working"].sum() == 22
    # 2 October: c2 (out), c3 (in), c15 (out); 5 October: c4 (in, missed) and c5 (out)
    assert d.loc["2026-10-02", ["calls_in", "calls_out", "answered", "missed", "total"]].tolist() == [1, 2, 2, 0, 3]
    assert d.loc["2026-10-05", ["calls_in", "calls_out", "missed", "total"]].tolist() == [1, 1, 1, 2]
    assert d["total"].sum() == 16
    # data ending mid-month: the days after it are not shown as zero days
    assert len(calls.daily(data["calls"], OCT, pd.Timestamp("2026-10-15 12:00"))) == 15


# ---- uncertainty and the per-manager comparison --------------------------------------------------------------


def test_wilson_by_hand():
    # 5 of 11, z = 1.96: centre (0.4545 + 3.8415/22) / (1 + 3.8415/11) = 0.4663,
    # half = 1.96 * sqrt(0.4545 * 0.5455 / 11 + 3.8415 / 484) / 1.3492 = 0.2536 -> 0.2127 .. 0.7199
    lo, hi = concepts.wilson_interval(5, 11)
    assert lo == pytest.approx(0.2127, abs=1e-4) and hi == pytest.approx(0.7199, abs=1e-4)
    assert concepts.wilson_interval(0, 10)[0] == 0 and concepts.wilson_interval(10, 10)[1] == pytest.approx(1)
    assert all(math.isnan(v) for v in concepts.wilson_interval(0, 0))


def test_mean_ci_by_hand():
    # Анна's answered calls 120 300 50 200 45: mean 143, s = sqrt(46680 / 4) = 108.03, se = 48.31,
    # t(0.975, 4) = 2.7764 -> 143 ± 134.13
    m, lo, hi = calls.mean_ci([120, 300, 50, 200, 45])
    assert m == 143
    assert lo == pytest.approx(143 - 134.13, abs=0.01) and hi == pytest.approx(143 + 134.13, abs=0.01)
    assert math.isnan(calls.mean_ci([60])[1]) and math.isnan(calls.mean_ci([])[0])


def test_by_manager_on_the_fixture(data, task_meetings):
    m = calls.by_manager(data["calls"], data.users, task_meetings, OCT, AS_OF, min_calls=3).set_index("manager")
    a, b, g = m.loc["Анна Иванова"], m.loc["Борис Петров"], m.loc["Глеб Орлов"]
    # Анна: c1 c2 c3 c4 c6 c7 c8 c9 c10 c12 c13 = 11 (6 in, 5 out), 5 missed, answered c1 c3 c8 c9 c13
    assert (a["calls_total"], a["calls_in"], a["calls_out"], a["calls_missed"], a["answered"]) == (11, 6, 5, 5, 5)
    assert a["not_called_back"] == 2 and a["meetings"] == 1
    assert a["answered_share"] == pytest.approx(5 / 11)
    assert a["duration_avg_s"] == 143 and a["calls_per_working_day"] == pytest.approx(11 / 22)
    # the rest of the team for Анна is Борис: 4 of 5 answered, 510 s / 4 = 127.5 s
    assert a["others_answered_share"] == pytest.approx(0.8) and a["others_duration_avg_s"] == 127.5
    # Борис: c5 c14 c15 c16 c17, answered c5 c14 c15 c17 (60 + 180 + 240 + 30 = 510 s)
    assert (b["calls_total"], b["answered"], b["duration_avg_s"]) == (5, 4, 127.5)
    # team: 9 / 16; both intervals contain it -> no verdict either way
    assert a["team_answered_share"] == pytest.approx(9 / 16)
    assert a["answered_flag"] == b["answered_flag"] == "within"
    # a manager with zero calls: listed, no rates, flagged "none"
    assert g["calls_total"] == 0 and math.isnan(g["answered_share"]) and math.isnan(g["duration_avg_s"])
    assert g["answered_flag"] == "none" and g["calls_per_working_day"] == 0


def test_few_calls_are_not_ranked(data, task_meetings):
    m = calls.by_manager(data["calls"], data.users, task_meetings, OCT, AS_OF).set_index("manager")
    assert m.loc["Анна Иванова", "answered_flag"] == "few"  # 11 < 30 calls
    assert m.loc["Борис Петров", "duration_flag"] == "few"


def _synthetic(n_x, ans_x, n_y, ans_y, n_z=5):
    rows, i = [], 0
    for uid, n, ans in ((1, n_x, ans_x), (2, n_y, ans_y), (3, n_z, n_z)):
        for k in range(n):
            i += 1
            rows.append(
                {
                    "id": i,
                    "direction": "out",
                    "user_id": uid,
                    "lead_id": None,
                    "contact_id": None,
                    "duration_s": (60 + 10 * (k % 5)) * uid if k < ans else 0,
                    "status": "answered" if k < ans else "no_answer",
                    "is_answered": k < ans,
                    "phone": f"+7900{i:07d}",
                    "at": pd.Timestamp("2026-10-05 10:00") + pd.Timedelta(minutes=i),
                }
            )
    users = pd.DataFrame({"id": [1, 2, 3], "name": ["X", "Y", "Z"], "is_active": [True, True, True]})
    return pd.DataFrame(rows), users


def test_flags_above_and_below_the_team():
    # X: 90 of 100 answered (Wilson 0.826..0.945), Y: 20 of 100 (0.133..0.289), Z: 5 of 5 (too few);
    # team 115 / 205 = 0.561 -> X above, Y below, Z not ranked
    c, users = _synthetic(100, 90, 100, 20)
    no_meetings = pd.DataFrame(columns=["key", "at", "lead_id", "user_id"])
    m = calls.by_manager(c, users, no_meetings, OCT, AS_OF).set_index("manager")
    assert m.loc["X", "team_answered_share"] == pytest.approx(115 / 205)
    assert m.loc["X", "answered_lo"] == pytest.approx(0.8256, abs=1e-3)
    assert m.loc["Y", "answered_hi"] == pytest.approx(0.2888, abs=1e-3)
    assert (m.loc["X", "answered_flag"], m.loc["Y", "answered_flag"], m.loc["Z", "answered_flag"]) == (
        "above",
        "below",
        "few",
    )
    # durations: X 60..100 s, Y twice as long (120..200 s): team mean is between -> X below, Y above
    assert (m.loc["X", "duration_flag"], m.loc["Y", "duration_flag"]) == ("below", "above")


def test_verdict_rules():
    assert calls.verdict(0.6, 0.7, 0.5, 100, 30) == "above"
    assert calls.verdict(0.3, 0.4, 0.5, 100, 30) == "below"
    assert calls.verdict(0.4, 0.6, 0.5, 100, 30) == "within"
    assert calls.verdict(0.6, 0.7, 0.5, 29, 30) == "few"
    assert calls.verdict(float("nan"), float("nan"), 0.5, 0, 30) == "none"


# ---- the meetings definition -----------------------------------------------------------------------------------


def test_meeting_rule_parsing():
    assert meeting_rules.parse_meeting_rule({"kind": "task_type", "task_type_id": 2}).task_type_id == 2
    assert (
        meeting_rules.parse_meeting_rule({"kind": "stage", "stage": " Встреча назначена "}).stage == "Встреча назначена"
    )


@pytest.mark.parametrize(
    "obj, words",
    [
        ({"kind": "call"}, ["'kind'", "task_type, stage"]),
        ({"kind": "task_type", "task_type_id": "2"}, ["'task_type_id'", "positive integer"]),
        ({"kind": "task_type", "task_type_id": 0}, ["'task_type_id'"]),
        ({"kind": "stage"}, ["'stage'", "stage name"]),
        ({"kind": "stage", "stage": "B", "task_type_id": 2}, ["unknown key", "task_type_id", "valid keys"]),
        (["kind", "stage"], ["expected a mapping"]),
    ],
)
def test_bad_meeting_rule_names_key_and_what_is_valid(obj, words):
    with pytest.raises(MeetingsConfigError) as e:
        meeting_rules.parse_meeting_rule(obj, source="params/meetings.yaml")
    assert "params/meetings.yaml" in str(e.value)
    for w in words:
        assert w in str(e.value)


def test_unknown_stage_lists_valid_stages(data):
    with pytest.raises(MeetingsConfigError, match=r"'Встреча'.*valid: A, B, C"):
        meeting_rules.meeting_events(
            MeetingRule("stage", stage="Встреча", source="m.yaml"),
            data["tasks"],
            data.stage_changes,
            data.statuses,
            data.leads,
        )


def test_meetings_file(tmp_path):
    assert meeting_rules.read_meeting_rule().kind in ("task_type", "stage")  # the project's params/meetings.yaml
    f = tmp_path / "meetings.yaml"
    f.write_text("kind: stage\nstage: B\n", encoding="utf-8")
    assert meeting_rules.read_meeting_rule(f) == MeetingRule("stage", stage="B", source=str(f))
    f.write_text("kind: [\n", encoding="utf-8")
    with pytest.raises(MeetingsConfigError, match="not valid YAML"):
        meeting_rules.read_meeting_rule(f)
    with pytest.raises(MeetingsConfigError, match="file not found"):
        meeting_rules.read_meeting_rule(tmp_path / "missing.yaml")


# ---- report sections ------------------------------------------------------------------------------------------


def _text(sec) -> str:
    return " ".join(p for kind, p in sec.parts if kind == "text").replace("\u00a0", " ")


def _run_all(ctx):
    return {
        f.__name__: f(ctx) for f in (view.kpis, view.daily, view.missed, view.meetings, view.managers, view.summary)
    }


def test_team_sections(calls_store):
    ctx = view.open("2026-10", store=str(calls_store), lang="ru", min_calls=3)
    secs = _run_all(ctx)
    f = ctx.figures
    assert (f["calls_total"], f["calls_missed"], f["calls_missed_not_called_back"], f["meetings"]) == (16, 5, 2, 2)
    assert f["calls_per_won_deal"] == pytest.approx(8 / 3)
    assert "16 звонков: 7 входящих и 9 исходящих" in _text(secs["kpis"])
    assert "Пропущено входящих звонков: 5 из 7" in _text(secs["missed"])
    assert "Пропущенные, по которым не перезвонили в течение 24 ч: 2 из 5" in _text(secs["missed"])
    assert "задача типа «Встреча» (id 2)" in _text(secs["meetings"])  # the definition is stated
    assert "Нет звонков за период: Глеб Орлов" in _text(secs["managers"])
    assert len(secs["managers"].tables["managers"]) == 3
    assert set(ctx.tables) >= {"kpis", "daily", "not_called_back", "managers"}
    assert all(sec.notes or sec.key == "summary" for sec in secs.values())


def test_team_sections_flag_few_calls_at_the_default_threshold(calls_store):
    ctx = view.open("2026-10", store=str(calls_store), lang="ru")
    text = _text(view.managers(ctx))
    assert "мало звонков — вывод ненадёжен" in text.lower()
    assert "Анна Иванова (11 звонков)" in text and "Борис Петров (5 звонков)" in text


def test_manager_with_zero_calls(calls_store):
    ctx = view.open("2026-10", manager="Глеб Орлов", store=str(calls_store), lang="ru")
    secs = _run_all(ctx)
    assert ctx.figures["calls_total"] == 0 and ctx.figures["meetings"] == 0
    assert math.isnan(ctx.figures["calls_answered_share"])
    assert "нет ни одного звонка (менеджер Глеб Орлов)" in _text(secs["kpis"])
    assert "звонков за период нет" in _text(secs["managers"])
    assert "kpis" not in ctx.tables  # no table of zeros shown as if they were data
    assert len(secs["managers"].tables["managers"]) == 1


def test_one_manager_in_english_uses_team_callbacks_and_team_average(calls_store):
    ctx = view.open("2026-10", manager="Анна Иванова", store=str(calls_store), lang="en", min_calls=3)
    secs = _run_all(ctx)
    # Анна's own figures; c4 still counts as called back although Борис made the callback
    assert (ctx.figures["calls_total"], ctx.figures["calls_missed_not_called_back"]) == (11, 2)
    # her deals won in October: L1, L2; her October calls on them: c1 c2 c3 c4 c12 c13 -> 6 / 2
    assert ctx.figures["calls_per_won_deal"] == 3
    assert ctx.figures["meetings"] == 1
    assert "against 56% for the team" in _text(secs["managers"])


def test_empty_period_in_english(calls_store):
    ctx = view.open("2030-01", store=str(calls_store), lang="en")
    secs = _run_all(ctx)
    assert "There are no calls in the data for January 2030" in _text(secs["kpis"])
    assert _text(secs["daily"]) == "No data for the period."
    assert not secs["daily"].figures and not secs["managers"].figures


def test_stage_rule_from_a_file(calls_store, tmp_path):
    f = tmp_path / "meetings.yaml"
    f.write_text('kind: stage\nstage: "B"\n', encoding="utf-8")
    ctx = view.open("2026-10", store=str(calls_store), meetings=str(f))
    sec = view.meetings(ctx)
    assert ctx.figures["meetings"] == 3 and ctx.figures["meetings_rule"] == "stage:B"
    assert "переход сделки на этап «B»" in _text(sec)
    f.write_text('kind: stage\nstage: "Встреча назначена"\n', encoding="utf-8")
    with pytest.raises(MeetingsConfigError, match="valid: A, B, C"):
        view.open("2026-10", store=str(calls_store), meetings=str(f))


def test_bad_callback_window(calls_store):
    with pytest.raises(ValueError, match="callback_hours"):
        view.open("2026-10", store=str(calls_store), callback_hours=0)
