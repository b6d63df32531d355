"""The CRM audit: each finding on a hand-built account with a known number of cases and money, the score rules at
their boundaries, and the report's sections on that account.

The account is tests/fixtures.py (pipeline 10: A=1, B=2, C=3; managers 1 Анна, 2 Борис; period 2026-10; data to
2026-11-10, so the snapshot is 2026-11-01 00:00), changed as follows (every expected figure below is worked out
from these lines by hand):

- L2 won 10-22 with amount 0; L6 lost 10-25 without a reason and without a contact; L3 created without a source;
  L7's contact is 1003, a duplicate of L4's contact 1004 (same e-mail);
- a stage D (sort 40) nobody uses;
- tasks: T1 on L4 (responsible Анна), due 10-20, open → overdue at the snapshot; T2 on L7, completed 10-29;
- «Неразобранное»: u1 came 10-30 12:00 and is pending (36 h at the snapshot), u2 came 10-31 12:00, pending
  (12 h), u3 came 10-10 and was accepted the same day;
- calls: c1 missed inbound 10-10 from +7 900 111-22-33, called back 10-11 (to «8 900 111 22 33»); c2 missed
  inbound 10-15 from +7 900 444-55-66, never called back; c3 missed 11-09 20:00 (after the period); c4 answered
  inbound 10-20; all Анна's;
- contacts: 1001/1002 share a phone (+7 (912) 345-67-89 / 8 912 345 67 89), 1003/1004 an e-mail (A@X.RU /
  a@x.ru), 1005/1006 a name in company 5 («Иван Петров» / «иван  петров»); 1007 «Иван Петров» is in company 6
  (no duplicate); 1009 has the phone «123» (not a phone).

Open deals at the snapshot: L4 (A since 10-05, 80, Борис) and L7 (B since 10-30, 60, Анна).
"""

import pandas as pd
import pytest

import fixtures
from crmreports import store
from crmreports.core.periods import resolve
from crmreports.reports.audit import metrics
from crmreports.store import concepts

T = pd.Timestamp
PERIOD = resolve("2026-10")
SNAPSHOT = T("2026-11-01")
AS_OF = T("2026-11-10")


def audit_tables() -> dict[str, pd.DataFrame]:
    tables = fixtures.tables()
    leads = tables["leads"].set_index("id")
    leads.loc[2, "price"] = 0.0
    leads.loc[6, "loss_reason_id"] = None
    leads.loc[6, "contact_id"] = None
    leads.loc[3, "source"] = None
    leads.loc[7, "contact_id"] = 1003
    leads.loc[4, "contact_id"] = 1004
    tables["leads"] = leads.reset_index()
    tables["statuses"] = pd.concat(
        [tables["statuses"], pd.DataFrame([{"id": 4, "pipeline_id": 10, "name": "D", "sort": 40, "kind": "open"}])],
        ignore_index=True,
    )
    tables["tasks"] = pd.DataFrame(
        [
            {"id": 1, "type": "follow_up", "task_type_id": 1, "responsible_user_id": 1, "entity": "lead",
             "entity_id": 4, "created_at": T("2026-10-06"), "complete_till": T("2026-10-20"),
             "is_completed": False, "completed_at": None, "text": "=HYPERLINK(\"x\")"},
            {"id": 2, "type": "follow_up", "task_type_id": 1, "responsible_user_id": 1, "entity": "lead",
             "entity_id": 7, "created_at": T("2026-10-28"), "complete_till": T("2026-10-29"),
             "is_completed": True, "completed_at": T("2026-10-29"), "text": "Позвонить"},
        ]
    )  # fmt: skip
    tables["unsorted"] = pd.DataFrame(
        [
            {"uid": "u1", "source_name": "Сайт", "category": "forms", "pipeline_id": 10,
             "created_at": T("2026-10-30 12:00"), "outcome": "pending"},
            {"uid": "u2", "source_name": "Сайт", "category": "forms", "pipeline_id": 10,
             "created_at": T("2026-10-31 12:00"), "outcome": "pending"},
            {"uid": "u3", "source_name": "Сайт", "category": "forms", "pipeline_id": 10,
             "created_at": T("2026-10-10"), "outcome": "accepted", "decided_at": T("2026-10-10 01:00"), "lead_id": 3},
        ]
    )  # fmt: skip
    call = lambda i, d, at, phone, answered: {  # noqa: E731
        "id": i, "direction": d, "user_id": 1, "phone": phone, "at": T(at), "is_answered": answered,
        "status": "answered" if answered else "no_answer", "duration_s": 60 if answered else 0,
    }  # fmt: skip
    tables["calls"] = pd.DataFrame(
        [
            call(1, "in", "2026-10-10 10:00", "+7 900 111-22-33", False),
            call(5, "out", "2026-10-11 10:00", "8 900 111 22 33", True),
            call(2, "in", "2026-10-15 10:00", "+7 900 444-55-66", False),
            call(3, "in", "2026-11-09 20:00", "+7 900 777-88-99", False),
            call(4, "in", "2026-10-20 10:00", "+7 900 000-00-01", True),
        ]
    )
    contact = lambda i, name, phone=None, email=None, company=None: {  # noqa: E731
        "id": i, "name": name, "phone": phone, "email": email, "company_id": company, "is_deleted": False,
        "created_at": T("2026-01-01"),
    }  # fmt: skip
    tables["contacts"] = pd.DataFrame(
        [
            contact(1001, "Ольга", phone="+7 (912) 345-67-89"),
            contact(1002, "Ольга Н.", phone="8 912 345 67 89"),
            contact(1003, "Пётр", email="A@X.RU"),
            contact(1004, "Пётр С.", email="a@x.ru"),
            contact(1005, "Иван Петров", company=5),
            contact(1006, "иван  петров", company=5),
            contact(1007, "Иван Петров", company=6),
            contact(1009, "Нет номера", phone="123"),
        ]
    )
    return tables


@pytest.fixture(scope="module")
def audit_store(tmp_path_factory):
    path = tmp_path_factory.mktemp("audit") / "crm.duckdb"
    store.write_full(path, audit_tables())
    return path


@pytest.fixture(scope="module")
def found(audit_store):
    from crmreports.reports.audit.query import load_audit

    data = load_audit(audit_store, PERIOD)
    return metrics.findings(data, PERIOD, SNAPSHOT, AS_OF)


@pytest.mark.parametrize(
    "key, count, base, money",
    [
        ("no_task", 1, 2, 60.0),  # L7 (its only task completed 10-29) of L4, L7
        ("overdue_tasks", 1, 1, 80.0),  # T1 due 10-20 on L4 (80)
        ("moved_back", 1, 5, 300.0),  # L5 B→A on 10-01; deals moving between open stages: L1, L2, L3, L5, L7
        ("stuck_first", 1, 2, 80.0),  # L4 in A since 10-05: 27 days > 3
        ("unsorted_backlog", 1, 3, None),  # u1 waits 36 h > 24 (u2 12 h); requests of October: u1, u2, u3
        ("missed_calls", 1, 2, None),  # c2 never called back; c1 was (8 900 … = +7 900 …); c3 is November's
        ("won_no_amount", 1, 3, 200.0),  # L2 of L1, L2, L5 won in October; 1 × mean(100, 300) = 200 (estimate)
        ("lost_no_reason", 1, 2, 40.0),  # L6 of L3, L6
        ("no_source", 1, 6, 50.0),  # L3 of the 6 created in October (L1, L2, L3, L4, L6, L7)
        ("no_contact", 1, 6, 40.0),  # L6
        ("dup_contacts", 3, 8, None),  # 1002 (phone), 1004 (e-mail), 1006 (name in company 5) beyond the first
        ("dup_deals", 1, 2, 60.0),  # L7 (contact 1003 ≡ 1004, L4's; created later than L4)
        ("unused_stages", 1, 4, None),  # D
        ("skipped_stages", 0, 3, None),  # B and C are skipped by 2 of 4 deals, but 4 < 20 deals: not judged
        ("idle_managers", 1, 2, 80.0),  # Борис: L4 open, no call, no task in October (T1 is Анна's)
    ],
)
def test_each_finding_counts_its_planted_cases_and_money(found, key, count, base, money):
    f = found[key]
    assert (f.count, f.base) == (count, base)
    if money is None:
        assert pd.isna(f.money)
    else:
        assert f.money == pytest.approx(money)
    assert len(f.records) >= count


def test_finding_records_name_the_offending_deals(found):
    assert list(found["no_task"].records["lead_id"]) == [7]
    assert list(found["overdue_tasks"].records["lead_id"]) == [4]
    assert found["overdue_tasks"].records["days_overdue"].iloc[0] == pytest.approx(12.0)  # 10-20 → 11-01
    by = found["overdue_tasks"].extra["by_manager"]
    assert list(zip(by["manager"], by["open_tasks"], by["overdue"])) == [("Анна Иванова", 1, 1)]
    assert list(found["moved_back"].records["lead_id"]) == [5]
    assert list(found["won_no_amount"].records["lead_id"]) == [2]
    assert found["won_no_amount"].money_estimated
    assert list(found["missed_calls"].records["call_id"]) == [2]
    assert list(found["unsorted_backlog"].records["uid"]) == ["u1"]
    assert found["unsorted_backlog"].extra["pending"] == 2
    assert found["unused_stages"].records["name"].tolist() == ["D"]
    dup = found["dup_deals"].records
    assert dup.loc[dup["duplicate"], "lead_id"].tolist() == [7]
    assert found["idle_managers"].records["manager"].tolist() == ["Борис Петров"]
    assert not found["custom_fields"].available and not found["custom_fields"].judged


def test_duplicate_contact_groups_join_phone_email_and_name_within_a_company():
    c = audit_tables()["contacts"]
    groups = metrics.contact_groups(c)
    assert groups[1002] == 1001 and groups[1004] == 1003 and groups[1006] == 1005
    assert groups[1007] == 1007 and groups[1009] == 1009  # another company; «123» is not a phone
    assert metrics.normal_phone("8 (912) 345-67-89") == metrics.normal_phone("+79123456789") == "79123456789"
    assert metrics.normal_phone("9123456789") == "79123456789"  # ten digits: the 7 added
    assert metrics.normal_phone("12-34") is None


def test_a_stage_skipped_by_half_the_deals_is_flagged_at_the_boundary():
    t = audit_tables()
    sc = pd.DataFrame(t["stage_changes"])
    # min_deals=1: B is skipped by L2 and L9 of L1, L2, L5, L9 (2 of 4 = 50 %: flagged, the bound is inclusive);
    # C by L5 and L9 of the same 4; D by all four: unused, not "skipped"
    f = metrics.skipped_stages(t["statuses"], sc, SNAPSHOT, share=0.5, min_deals=1)
    assert f.records["name"].tolist() == ["B", "C"]
    assert f.records["share"].tolist() == [0.5, 0.5]
    assert metrics.skipped_stages(t["statuses"], sc, SNAPSHOT, share=0.51, min_deals=1).count == 0
    assert metrics.skipped_stages(t["statuses"], sc, SNAPSHOT, share=0.5, min_deals=5).count == 0


@pytest.mark.parametrize(
    "key, measure, points",
    [
        ("no_task", 0.05, 40),  # ≤ good (inclusive): all 40
        ("no_task", 0.0500001, 20),  # just above good: half
        ("no_task", 0.20, 20),  # ≤ fair (inclusive): half
        ("no_task", 0.2000001, 0),  # above fair: none
        ("unused_stages", 0, 5),  # a count rule: 0 → all 5
        ("unused_stages", 1, 2),  # 1 ≤ fair → 5 // 2 = 2
        ("unused_stages", 2, 0),
        ("won_no_amount", 0.01, 15),
        ("won_no_amount", 0.05, 7),  # 15 // 2
        ("won_no_amount", 0.051, 0),
        ("no_task", float("nan"), None),  # nothing to judge
    ],
)
def test_score_rules_at_their_boundaries(key, measure, points):
    assert metrics.points(metrics.RULES[key], measure) == points


def test_every_area_has_100_points_and_the_lights_have_their_bounds():
    for area in metrics.AREAS:
        assert sum(r.points for r in metrics.RULES.values() if r.area == area) == 100
    assert [metrics.score_light(v) for v in (100, 80, 79, 50, 49, 0)] == [
        "green", "green", "yellow", "yellow", "red", "red"
    ]  # fmt: skip
    assert metrics.score_light(float("nan")) == "grey"
    assert [metrics.light(g, m) for g, m in ((40, 40), (20, 40), (0, 40), (None, 40))] == [
        "green", "yellow", "red", "grey"
    ]  # fmt: skip


def test_area_scores_on_the_fixture(found):
    areas = metrics.area_scores(metrics.scorecard(found)).set_index("area")
    # process: no_task 1/2, overdue 1/1, moved_back 1/5 = 20 % > 15 %: 0 of 100
    assert (areas.loc["process", "points"], areas.loc["process", "possible"]) == (0, 100)
    # speed: stuck_p75 not judged (no stage has 10 stays), stuck_first 1/2, backlog 1/3, missed 1/2: 0 of 70
    assert (areas.loc["speed", "points"], areas.loc["speed", "possible"]) == (0, 70)
    # data: no_source 1/6 = 16.7 % ≤ 20 % → 5; unused_stages 1 → 2; skipped_stages 0 → 10; idle 1 → 5; the rest 0
    # (custom fields not checked: 95 possible) → 22 of 95 = 23
    assert (areas.loc["data", "points"], areas.loc["data", "possible"], areas.loc["data", "score"]) == (22, 95, 23)
    assert areas.loc["overall", "score"] == 8  # mean(0, 0, 23) = 7.7
    assert areas.loc["overall", "light"] == "red"


def test_open_deals_agree_with_the_shared_definition(found):
    t = audit_tables()
    od = concepts.open_deals_at(t["leads"], pd.DataFrame(t["stage_changes"]), t["statuses"], SNAPSHOT)
    assert sorted(od["id"]) == [4, 7] and found["no_task"].base == len(od)


def test_the_report_sections_on_the_fixture(audit_store):
    from crmreports.reports.audit import sections as report

    ctx = report.open(period="2026-10", store=str(audit_store), lang="ru")
    assert ctx.snapshot == SNAPSHOT and ctx.base_url == ""  # a test store has no CRM address: no links
    html = "".join(s.to_html() for s in (report.summary(ctx), report.process(ctx), report.data_quality(ctx)))
    assert "Общая оценка — 8 из 100" in html
    assert "Открытые сделки без задачи" in html and "Ссылки на amoCRM не показаны" in html
    assert "=HYPERLINK" not in html or "&quot;" in html  # the task text is escaped
    assert ctx.figures["score_overall"] == 8 and ctx.figures["no_task_count"] == 1
    assert ctx.tables["no_task"]["lead_id"].tolist() == [7] and "url" in ctx.tables["no_task"]
    en = report.open(period="2026-10", store=str(audit_store), lang="en", deal_links="https://x.kommo.com/")
    sec = report.process(en)
    assert 'href="https://x.kommo.com/leads/detail/7"' in sec.to_html() and "Open deals without a task" in sec.to_html()
    with pytest.raises(ValueError, match="team report"):
        report.open(period="2026-10", manager="Анна Иванова", store=str(audit_store))
