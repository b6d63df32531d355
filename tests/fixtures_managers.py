"""A hand-built account for the managers scorecard and the summary (tests/test_managers.py, test_summary.py).
Local time = the stored time (frames are passed to the pure functions directly). Period under test: 2026-11;
the as-of moment is 2026-12-01 00:00 (MOMENT).

Pipeline 10: stages 101 «A» (open, sort 1), 102 «B» (open, sort 2), 100 «Incoming» (unsorted), 142 won, 143 lost.
Users: 1 Анна, 2 Борис, 3 Вера (3 deals decided: the small sample).

deal user price  created           status closed            history (stage_changes)
D1   1    100    2026-11-02 10:00  142    2026-11-20 10:00  A 11-02 10:00, B 11-10, won 11-20
D2   1    200    2026-11-03 10:00  143    2026-11-15 10:00  A 11-03 10:00, lost 11-15 (from A)
D3   1    300    2026-11-05 10:00  open   -                 A 11-05 10:00          (open, tasks: t1 open due 1 s before)
D4   1    400    2026-11-06 10:00  open   -                 A 11-06 10:00, B 11-08 (open, only a completed task t3)
D5   2    500    2026-11-07 10:00  open   -                 A 11-07 10:00          (open, open task t4 due 1 s after)
D6   2    600    2026-11-08 10:00  open   -                 B 11-08 10:00          (open, no task; contact 9006 has t5)
D7   3     50    2026-11-09 10:00  142    2026-11-19 10:00  A 11-09 10:00, won 11-19
D8   3     70    2026-11-10 10:00  142    2026-11-30 10:00  A 11-10 10:00, won 11-30
D9   3     90    2026-11-11 10:00  143    2026-11-21 10:00  A 11-11 10:00, lost 11-21 (from A)
D10  2    800    2026-11-28 10:00  100    -                 (a request pending in «Incoming»: not an open deal)

task id  user entity  entity_id created           due (complete_till)       done
t1   1   1    lead    D3        2026-11-05 11:00  2026-11-30 23:59:59       open         -> overdue (1 s before)
t2   2   1    lead    D3        2026-11-05 11:00  2026-12-01 00:00:00       open         -> not overdue (exactly at)
t3   3   1    lead    D4        2026-11-06 11:00  2026-11-07 10:00          done 11-07   (completed: D4 without task)
t4   4   2    lead    D5        2026-11-07 11:00  2026-12-01 00:00:01       open         -> not overdue (1 s after)
t5   5   2    contact 9006      2026-11-08 11:00  2026-11-20 10:00          open         -> overdue; on D6's contact
t6   6   2    lead    D5        2026-11-07 11:00  2026-11-10 10:00          done 12-02   (completed after the moment:
                                                                                           open then, and overdue)
t7   7   1    lead    D1        2026-11-02 11:00  2026-11-04 10:00          done 11-04   meeting (type 2), in Nov

calls: c1 out user 1 on D1 11-02 10:30 answered 60 s; c2 in user 1 on D2 11-03 12:00 missed; c3 out user 2 on D5
11-07 13:00 answered 120 s; c4 out user 1 on D1 2026-10-05 (previous period).

As a store (:func:`store_tables`): the account's timezone is UTC and it was synced at MOMENT (the data's end).
A stage meetings rule (:data:`STAGE_RULE_YAML`: deals entering «B») finds, in November, D4 (11-08, Анна),
D6 (11-08, created into B, Борис) and D1 (11-10, Анна): 3 meetings, Анна 2, Борис 1, Вера 0. The default rule
(completed tasks of type 2) finds t7 only (Анна, 11-04). Plans (:data:`GOALS_YAML`) are worked out in
tests/test_managers.py.
"""

from __future__ import annotations

import pandas as pd

from crmreports import store

T = pd.Timestamp
MOMENT = T("2026-12-01 00:00:00")
PERIOD = "2026-11"
P, A, B, INC, WON, LOST = 10, 101, 102, 100, 142, 143

DEALS = [
    # id, user, price, created, status, closed, contact
    (1, 1, 100, "2026-11-02 10:00", WON, "2026-11-20 10:00", 9001),
    (2, 1, 200, "2026-11-03 10:00", LOST, "2026-11-15 10:00", 9002),
    (3, 1, 300, "2026-11-05 10:00", A, None, 9003),
    (4, 1, 400, "2026-11-06 10:00", B, None, 9004),
    (5, 2, 500, "2026-11-07 10:00", A, None, 9005),
    (6, 2, 600, "2026-11-08 10:00", B, None, 9006),
    (7, 3, 50, "2026-11-09 10:00", WON, "2026-11-19 10:00", 9007),
    (8, 3, 70, "2026-11-10 10:00", WON, "2026-11-30 10:00", 9008),
    (9, 3, 90, "2026-11-11 10:00", LOST, "2026-11-21 10:00", 9009),
    (10, 2, 800, "2026-11-28 10:00", INC, None, 9010),
]
MOVES = [
    # lead, at, from, to
    (1, "2026-11-02 10:00", None, A),
    (1, "2026-11-10 10:00", A, B),
    (1, "2026-11-20 10:00", B, WON),
    (2, "2026-11-03 10:00", None, A),
    (2, "2026-11-15 10:00", A, LOST),
    (3, "2026-11-05 10:00", None, A),
    (4, "2026-11-06 10:00", None, A),
    (4, "2026-11-08 10:00", A, B),
    (5, "2026-11-07 10:00", None, A),
    (6, "2026-11-08 10:00", None, B),
    (7, "2026-11-09 10:00", None, A),
    (7, "2026-11-19 10:00", A, WON),
    (8, "2026-11-10 10:00", None, A),
    (8, "2026-11-30 10:00", A, WON),
    (9, "2026-11-11 10:00", None, A),
    (9, "2026-11-21 10:00", A, LOST),
    (10, "2026-11-28 10:00", None, INC),
]
TASKS = [
    # id, user, entity, entity_id, created, due, completed_at, type id
    (1, 1, "lead", 3, "2026-11-05 11:00", "2026-11-30 23:59:59", None, 1),
    (2, 1, "lead", 3, "2026-11-05 11:00", "2026-12-01 00:00:00", None, 1),
    (3, 1, "lead", 4, "2026-11-06 11:00", "2026-11-07 10:00", "2026-11-07 10:00", 1),
    (4, 2, "lead", 5, "2026-11-07 11:00", "2026-12-01 00:00:01", None, 1),
    (5, 2, "contact", 9006, "2026-11-08 11:00", "2026-11-20 10:00", None, 1),
    (6, 2, "lead", 5, "2026-11-07 11:00", "2026-11-10 10:00", "2026-12-02 10:00", 1),
    (7, 1, "lead", 1, "2026-11-02 11:00", "2026-11-04 10:00", "2026-11-04 10:00", 2),
]
CALLS = [
    # id, direction, user, lead, duration, answered, at
    (1, "out", 1, 1, 60, True, "2026-11-02 10:30"),
    (2, "in", 1, 2, 0, False, "2026-11-03 12:00"),
    (3, "out", 2, 5, 120, True, "2026-11-07 13:00"),
    (4, "out", 1, 1, 30, True, "2026-10-05 10:00"),
]


STAGE_RULE_YAML = "kind: stage\nstage: B\n"
GOALS_YAML = """currency: RUB
plans:
  - {scope: team, period: 2026-11, metric: revenue, target: 300}
  - {scope: Анна, period: 2026-11, metric: won_deals, target: 2}
  - {scope: Вера, period: 2026-11, metric: revenue, target: 120.05}
  - {scope: Борис, period: 2026-10, metric: revenue, target: 500}
"""


def _ts(v):
    return T(v) if v else pd.NaT


def tables() -> dict[str, pd.DataFrame]:
    users = pd.DataFrame({"id": [1, 2, 3], "name": ["Анна", "Борис", "Вера"], "is_active": [True] * 3})
    pipelines = pd.DataFrame({"id": [P], "name": ["Продажи"], "is_main": [True], "sort": [1]})
    statuses = pd.DataFrame(
        {
            "id": [INC, A, B, WON, LOST],
            "pipeline_id": [P] * 5,
            "name": ["Incoming", "A", "B", "Won", "Lost"],
            "sort": [0, 1, 2, 3, 4],
            "kind": ["unsorted", "open", "open", "won", "lost"],
        }
    )
    leads = pd.DataFrame(
        {
            "id": [d[0] for d in DEALS],
            "name": [f"D{d[0]}" for d in DEALS],
            "price": [float(d[2]) for d in DEALS],
            "pipeline_id": [P] * len(DEALS),
            "status_id": [d[4] for d in DEALS],
            "responsible_user_id": [d[1] for d in DEALS],
            "contact_id": [d[6] for d in DEALS],
            "created_at": [T(d[3]) for d in DEALS],
            "closed_at": [_ts(d[5]) for d in DEALS],
            "is_deleted": [False] * len(DEALS),
        }
    )
    sc = pd.DataFrame(
        {
            "id": [f"e{i}" for i in range(len(MOVES))],
            "lead_id": [m[0] for m in MOVES],
            "at": [T(m[1]) for m in MOVES],
            "from_pipeline_id": [P if m[2] else None for m in MOVES],
            "from_status_id": [m[2] for m in MOVES],
            "to_pipeline_id": [P] * len(MOVES),
            "to_status_id": [m[3] for m in MOVES],
            "user_id": [1] * len(MOVES),
        }
    )
    tasks = pd.DataFrame(
        {
            "id": [x[0] for x in TASKS],
            "type": ["follow_up" if x[7] == 1 else "meeting" for x in TASKS],
            "task_type_id": [x[7] for x in TASKS],
            "responsible_user_id": [x[1] for x in TASKS],
            "entity": [x[2] for x in TASKS],
            "entity_id": [x[3] for x in TASKS],
            "created_at": [T(x[4]) for x in TASKS],
            "complete_till": [T(x[5]) for x in TASKS],
            "is_completed": [x[6] is not None for x in TASKS],
            "completed_at": [_ts(x[6]) for x in TASKS],
        }
    )
    calls = pd.DataFrame(
        {
            "id": [c[0] for c in CALLS],
            "direction": [c[1] for c in CALLS],
            "user_id": [c[2] for c in CALLS],
            "lead_id": [c[3] for c in CALLS],
            "duration_s": [c[4] for c in CALLS],
            "is_answered": [c[5] for c in CALLS],
            "at": [T(c[6]) for c in CALLS],
        }
    )
    out = {
        "users": users,
        "pipelines": pipelines,
        "statuses": statuses,
        "leads": leads,
        "stage_changes": sc,
        "tasks": tasks,
        "calls": calls,
        "loss_reasons": pd.DataFrame({"id": [1], "name": ["Дорого"]}),
    }
    return {k: store.conform(k, v) for k, v in out.items()}


def store_tables() -> dict[str, pd.DataFrame]:
    """:func:`tables` with the account (UTC, synced at MOMENT): what ``store.write_full`` writes."""
    out = tables()
    account = pd.DataFrame(
        [
            {
                "id": 1,
                "subdomain": "managers",
                "name": "Сотрудники",
                "timezone": "UTC",
                "currency": "RUB",
                "synced_at": MOMENT,
                "source": "test",
            }
        ]
    )
    out["account"] = store.conform("account", account)
    return out
