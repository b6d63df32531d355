"""The unsorted-leads report's pushed-down loader (query.load_unsorted) gives exactly the figures, tables,
narrative and displayed tables that the metrics give on the whole store (store.load).

The comparison runs every section of the notebook, in its order, on two contexts for the same
parameters: the oracle's (`oracles.unsorted.full_context`: every table read whole, the items and their
first actions prepared in pandas) and the report's own (`sections.open`: the reduced read).
Periods: a month, a quarter, a week, a range, a month a year back, a period after the end of the data,
a year and a year with no data at all; scopes: the team, one manager, one pipeline. The same comparison also
runs on an edited copy of the demo store (see `edited_store`): an account in a timezone with summer
time, where local time is not UTC shifted by a constant, and the cases of the backlog and of the
manager scope that the demo data does not happen to contain.
"""

import math
import shutil

import duckdb
import pandas as pd
import pytest

from crmreports import store
from crmreports.core.periods import parse_period
from crmreports.reports.unsorted_leads import metrics as unsorted
from crmreports.reports.unsorted_leads import query as queries_unsorted
from crmreports.reports.unsorted_leads import sections as view
from crmreports.store import data_end
from oracles import unsorted as oracle
from report_equality import assert_same_report

SECTIONS = ["kpis", "sources", "speed", "backlog", "trend", "summary"]


def _full_open(period, manager, pipeline, path, lang="ru"):
    """The oracle: the report's context with every table read whole."""
    return oracle.full_context(period, manager, pipeline, path, lang)


def _seen(items: pd.DataFrame, ctx) -> pd.Series:
    """The items some section looks at: arrived in a compared period or a trend week, or in the backlog."""
    p = ctx.period
    first_monday, _ = unsorted.trend_weeks(p)
    seen = pd.Series(False, index=items.index)
    for w in (p, p.previous(), p.year_ago()):
        seen |= w.contains(items["created_at"])
    seen |= (items["created_at"] >= first_monday) & (items["created_at"] < p.end_ts)
    seen |= items["uid"].isin(unsorted.backlog(items, ctx.snapshot)["uid"])
    return seen


def _compare(full, push):
    # the items: every item a section can see is read, with exactly the same values (first actions too)
    fi, pi = view.items(full), view.items(push)
    assert pi["uid"].is_unique
    want = fi[_seen(fi, full)]
    assert set(want["uid"]) <= set(pi["uid"])
    got = fi.set_index("uid").loc[pi["uid"]].reset_index()
    pd.testing.assert_frame_equal(got[unsorted.ITEM_COLUMNS], pi[unsorted.ITEM_COLUMNS], check_dtype=False)
    # every section: sentences, displayed tables, notes, raw tables
    assert_same_report(view, SECTIONS, full, push)


CASES = [
    ("2026-10", "", ""),
    ("2026-Q3", "", ""),
    ("2026-W40", "", ""),
    ("2026-09-05..2026-10-12", "", ""),
    ("2025-10", "", ""),
    ("2026-11", "", ""),
    ("2026-10", "Анна Смирнова", ""),
    ("2026-Q2", "Дмитрий Козлов", ""),
    ("2026-Q2", "", "Повторные продажи"),
    ("2020", "", ""),
    ("2025", "", ""),
    ("2025", "Ольга Павлова", ""),
    ("2026", "", "Повторные продажи"),
]


@pytest.mark.parametrize("period,manager,pipeline", CASES)
def test_pushed_down_loader_gives_the_same_report(demo_store, period, manager, pipeline):
    full = _full_open(period, manager, pipeline, demo_store)
    push = view.open(period=period, manager=manager, pipeline=pipeline, store=str(demo_store), lang="ru")
    # the reduced read really is smaller (except for an empty year: nothing to read at all)
    for name in ("unsorted", "calls", "tasks", "stage_changes"):
        assert len(push.data[name]) < len(full.data[name]) or len(full.data[name]) == 0, name
    if period == "2020":
        assert len(push.data["unsorted"]) == 0 and len(push.data["calls"]) == 0
    _compare(full, push)
    if period == "2026-10" and not manager:  # the comparison is not between empty reports
        f = push.figures
        assert f["unsorted_total"] > 0 and f["unsorted_to_deals"] > 0 and f["speed_to_first_action_median_min"] > 0


OLGA = 8412169  # Ольга Павлова in the demo account


@pytest.fixture(scope="module")
def edited_store(demo_store, tmp_path_factory):
    """The demo store with the account in Europe/Berlin (UTC+2 until 2026-10-25 03:00 local, UTC+1 after)
    and three edits the demo data does not happen to contain, each a case the reduced read must cover:

    - an item arriving at 2026-10-25 01:10 UTC (02:10 local, after the fold) whose lead got an outgoing
      call at 00:30 UTC (02:30 local, before the fold): in local time the call is 20 minutes after the
      arrival, in UTC 40 minutes before it;
    - an item of March 2026 still pending, and one of April 2026 decided only on 2026-10-20: both in the
      backlog at the end of 2026-W40, long before the compared periods and the trend weeks;
    - an item of October 2026 declined by Ольга Павлова whose lead is another manager's and was moved by
      hand after the item arrived: in Ольга's report the item is hers and that move is not seen.

    Returns the store's path and the uids of the fold item, the pending item and the declined item.
    """
    path = tmp_path_factory.mktemp("edited") / "crm.duckdb"
    shutil.copy(demo_store, path)
    con = duckdb.connect(str(path))
    con.execute("UPDATE account SET timezone = 'Europe/Berlin'")
    lead, user, pipeline = con.execute(
        "SELECT id, responsible_user_id, pipeline_id FROM leads l WHERE NOT is_deleted AND closed_at < '2026-06-01' "
        "AND NOT EXISTS (SELECT 1 FROM unsorted u WHERE u.lead_id = l.id) ORDER BY id LIMIT 1"
    ).fetchone()
    con.execute(
        "INSERT INTO unsorted VALUES ('fold-item', 'Сайт', 'forms', ?, '2026-10-25 01:10:00', 'accepted', "
        "'2026-10-25 01:40:00', ?, ?, NULL)",
        [pipeline, user, lead],
    )
    con.execute(
        "INSERT INTO calls (id, direction, user_id, lead_id, contact_id, duration_s, status, is_answered, "
        "phone, \"at\") SELECT max(id) + 1, 'out', ?, ?, NULL, 60, 'answered', true, NULL, "
        "'2026-10-25 00:30:00' FROM calls",
        [user, lead],
    )
    (pending,) = con.execute(
        "SELECT min(uid) FROM unsorted WHERE created_at >= '2026-03-01' AND created_at < '2026-04-01'"
    ).fetchone()
    con.execute(
        "UPDATE unsorted SET outcome = 'pending', decided_at = NULL, decided_by = NULL WHERE uid = ?", [pending]
    )
    con.execute(
        "UPDATE unsorted SET decided_at = '2026-10-20 10:00:00' WHERE uid = (SELECT min(uid) FROM unsorted "
        "WHERE created_at >= '2026-04-01' AND created_at < '2026-05-01' AND outcome = 'accepted')"
    )
    declined, arrived_at = con.execute(
        "SELECT uid, created_at FROM unsorted WHERE outcome = 'declined' AND created_at >= '2026-10-01' "
        "AND created_at < '2026-10-20' ORDER BY uid LIMIT 1"
    ).fetchone()
    (other,) = con.execute(
        "SELECT min(s.lead_id) FROM stage_changes s JOIN leads l ON l.id = s.lead_id "
        "WHERE NOT l.is_deleted AND l.responsible_user_id <> ? AND s.user_id > 0 AND s.from_status_id IS NOT NULL "
        "AND s.from_status_id NOT IN (SELECT id FROM statuses WHERE kind = 'unsorted') "
        "AND s.at > CAST(? AS TIMESTAMP) + INTERVAL 1 HOUR AND s.at < '2026-10-31'",
        [OLGA, arrived_at],
    ).fetchone()
    con.execute(
        "UPDATE unsorted SET decided_by = ?, lead_id = ?, contact_id = NULL WHERE uid = ?", [OLGA, other, declined]
    )
    con.close()
    return path, "fold-item", pending, declined


def test_edited_store_has_the_cases(edited_store):
    """The edits really make the cases (so the comparisons below can fail)."""
    path, fold, pending, declined = edited_store
    team = _full_open("2026-10", "", "", path)
    it = view.items(team).set_index("uid")
    assert it.loc[fold, "first_action_kind"] == "call"
    assert it.loc[fold, "first_action_min"] == pytest.approx(20.0)  # 02:10 -> 02:30 local
    assert pending in set(unsorted.backlog(view.items(team), team.snapshot)["uid"])
    w40 = _full_open("2026-W40", "", "", path)
    assert len(unsorted.backlog(view.items(w40), w40.snapshot)) >= 2
    olga = view.items(_full_open("2026-10", "Ольга Павлова", "", path)).set_index("uid")
    # hers in her report, with no action of hers (the manual move on the other manager's lead is not seen)
    assert olga.loc[declined, "owner_id"] == OLGA and pd.isna(olga.loc[declined, "first_action_kind"])
    assert it.loc[declined, "owner_id"] != OLGA and it.loc[declined, "first_action_kind"] in ("call", "task", "stage")


@pytest.mark.parametrize(
    "period,manager", [("2026-10", ""), ("2026-W40", ""), ("2026-W43", ""), ("2026-10", "Ольга Павлова")]
)
def test_same_report_on_the_edited_store(edited_store, period, manager):
    path = edited_store[0]
    full = _full_open(period, manager, "", path)
    push = view.open(period=period, manager=manager, store=str(path), lang="ru")
    assert push.data.timezone == "Europe/Berlin"
    _compare(full, push)


@pytest.mark.parametrize(
    "extra,kind,minutes",
    [
        ([("task", "2026-10-04 12:00")], "task", 1440),  # a task and a stage move at once
        ([("task", "2026-10-04 12:00"), ("call", "2026-10-04 12:00")], "call", 1440),  # and a call at once too
        ([("call", "2026-10-03 12:00")], "call", 0),  # a call at the arrival itself
        ([("call", "2026-10-03 11:59:59.999999")], "stage", 1440),  # a microsecond before it: not seen
    ],
)
def test_first_action_ties_and_the_arrival_moment(tmp_path, extra, kind, minutes):
    """The first action found in SQL on hand-made times: item U3 (lead 103, contact 2003) arrives on 3 October
    at 12:00; its first action in the fixture is a stage move on 4 October at 12:00. A task and a call at that
    very moment come first (a call before a task before a stage move); an action at the arrival counts, one a
    microsecond before it does not."""
    import fixtures_unsorted as F

    t = F.tables()
    for what, at in extra:
        if what == "task":
            t["tasks"] = pd.concat(
                [
                    t["tasks"],
                    pd.DataFrame(
                        [
                            {
                                "id": 99,
                                "type": "call",
                                "responsible_user_id": 2,
                                "entity": "lead",
                                "entity_id": 103,
                                "created_at": pd.Timestamp(at),
                                "complete_till": pd.Timestamp("2026-10-05"),
                                "is_completed": False,
                            }
                        ]
                    ),
                ]
            )
        else:
            t["calls"] = pd.concat(
                [
                    t["calls"],
                    pd.DataFrame(
                        [
                            {
                                "id": 99,
                                "direction": "out",
                                "user_id": 2,
                                "lead_id": None,
                                "contact_id": 2003,
                                "duration_s": 10,
                                "status": "answered",
                                "at": pd.Timestamp(at),
                            }
                        ]
                    ),
                ]
            )
    path = tmp_path / "crm.duckdb"
    store.write_full(path, t)
    full = _full_open("2026-10", "", "", path)
    push = view.open(period="2026-10", store=str(path), lang="ru")
    u3 = view.items(push).set_index("uid").loc["u03"]
    assert (u3["first_action_kind"], u3["first_action_min"]) == (kind, minutes)
    _compare(full, push)


def test_reduced_tables_give_the_same_items(demo_store):
    """prepare() itself, on the reduced and on the whole tables, for the items of several periods."""
    data = store.load(demo_store, tables=oracle.TABLES)
    as_of = data_end(data.account)
    whole = unsorted.prepare(
        data["unsorted"], data.leads, data.stage_changes, data["calls"], data["tasks"], data.statuses, as_of
    ).set_index("uid")
    assert whole["first_action_kind"].nunique() == 3  # calls, tasks and stage moves all come first
    for key in ("2026-10", "2026-Q3", "2026-W44", "2025-06"):
        d = queries_unsorted.load_unsorted(demo_store, parse_period(key))
        part = unsorted.prepare(
            d["unsorted"], d.leads, d.stage_changes, d["calls"], d["tasks"], d.statuses, as_of, first=d["first_actions"]
        )
        assert len(part) > 0 and len(part) < len(whole)
        pd.testing.assert_frame_equal(
            whole.loc[part["uid"]].reset_index()[unsorted.ITEM_COLUMNS], part, check_dtype=False, obj=key
        )
        assert len(d.leads) < len(data.leads) and d.stage_changes.empty and d["calls"].empty and d["tasks"].empty


@pytest.fixture(scope="module")
def hand_store(tmp_path_factory):
    """The hand-built fixture of tests/test_unsorted.py (account in UTC, data as of 2026-11-10)."""
    import fixtures_unsorted as F

    path = tmp_path_factory.mktemp("hand") / "crm.duckdb"
    store.write_full(path, F.tables())
    return path


@pytest.mark.parametrize(
    "period,manager", [("2026-10", ""), ("2026-09", ""), ("2026-W44", ""), ("2027-03", ""), ("2026-10", "Анна Иванова")]
)
def test_same_report_on_the_hand_built_fixture(hand_store, period, manager):
    full = _full_open(period, manager, "", hand_store)
    push = view.open(period=period, manager=manager, store=str(hand_store), lang="ru")
    _compare(full, push)


def test_items_when_nothing_was_done_at_all(tmp_path):
    """No call, task or stage move in the whole account (the reduced read of a period after the data may
    hold no candidate either): every item is without a first action, nothing breaks.

    The hand-built fixture without its calls, tasks and stage changes: in October 2026 eight items arrived
    (fixtures_unsorted: u01..u07 and u12); none has a first action, so the median is missing, and the
    seven that were not declined (all but u04) wait for one."""
    import fixtures_unsorted as F

    t = F.tables()
    t.update(calls=pd.DataFrame(), tasks=pd.DataFrame(), stage_changes=pd.DataFrame())
    path = tmp_path / "crm.duckdb"
    store.write_full(path, t)
    ctx = view.open(period="2026-10", store=str(path), lang="ru")
    it = view.items(ctx)
    assert len(it) > 0 and it["first_action_at"].isna().all() and it["first_action_kind"].isna().all()
    s = unsorted.speed_summary(it, ctx.period)
    assert s.loc["first_action", "n"] == 0 and math.isnan(s.loc["first_action", "median_min"])
    assert s.loc["first_action", "waiting"] == 7
