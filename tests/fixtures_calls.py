"""Calls and tasks on top of the sales fixture (tests/fixtures.py); expected values worked out by hand in
tests/test_calls.py. The account's timezone is UTC, so local time = UTC. Period under test: 2026-10
(1 Oct 2026 is a Thursday: 22 Monday–Friday days); data as of 2026-11-10.

Users: 1 Анна Иванова, 2 Борис Петров (from the sales fixture), 3 Глеб Орлов (active, no calls at all).

call dir user lead contact dur  status        phone            at
c1   out 1    L1   1001    120  answered      +7 900 000-00-01 2026-10-01 11:00
c2   out 1    L1   1001      0  no_answer     +79000000001     2026-10-02 09:00
c3   in  1    L2   1002    300  answered      89000000002      2026-10-02 10:00
c4   in  1    L2   1002      0  no_answer     +79000000002     2026-10-05 09:00  missed; c5 3 h later, same phone
c5   out 2    L2   1002     60  answered      9000000002       2026-10-05 12:00  (Борис calls back Анна's client)
c6   in  1    -    -         0  no_answer     +79000000099     2026-10-06 15:00  missed; never called back
c7   in  1    L6   1006      0  no_answer     +79000000006     2026-10-20 10:00  missed; c8 23 h later, same contact
c8   out 1    L6   1006     50  answered      +79000000066     2026-10-21 09:00  (another number of the contact)
c9   out 1    L7   1007    200  answered      +79000000007     2026-10-28 12:00
c10  in  1    L7   1007      0  no_answer     +79000000007     2026-10-31 22:00  missed; c11 12 h later (November)
c11  out 1    L7   1007     90  answered      +79000000007     2026-11-01 10:00  (after the period)
c12  in  1    L1   1001      0  no_answer     +79000000001     2026-10-08 10:00  missed; c13 26 h later: too late
c13  out 1    L1   1001     45  answered      +79000000001     2026-10-09 12:00
c14  in  2    L3   1003    180  answered      +79000000003     2026-10-03 10:00
c15  out 2    L5   1005    240  answered      +79000000005     2026-10-02 15:00
c16  out 2    L4   1004      0  busy          +79000000004     2026-10-06 10:00
c17  out 2    L4   1004     30  answered      +79000000004     2026-10-07 10:00
c18  out 2    L9   1009    100  answered      +79000000009     2026-09-10 10:00  previous period
c19  in  1    L5   1005      0  no_answer     +79000000005     2026-09-21 10:00  previous period, missed, no callback
c20  out 1    L8   1008    150  answered      +79000000008     2025-10-12 10:00  a year ago

task type       type_id user lead completed_at
t1   meeting    2       1    L1   2026-10-04 12:00
t2   meeting    2       2    L5   2026-10-03 12:00
t3   meeting    2       1    L2   (open, due 2026-10-15)
t4   meeting    2       1    L7   2026-11-02 12:00 (after the period)
t5   follow_up  1       1    L1   2026-10-05 12:00
t6   meeting    2       2    L9   2026-09-12 12:00 (previous period)

Stage «B» (the stage rule's meeting stage) is entered in October by L1 (10-03), L3 (10-04), L7 (10-30) and in
September by L5 (09-25) — see PATHS in tests/fixtures.py.
"""

from __future__ import annotations

import pandas as pd

import fixtures

T = pd.Timestamp
AS_OF = T("2026-11-10")

CALLS = [
    # id, direction, user, lead, contact, duration, status, phone, at
    (1, "out", 1, 1, 1001, 120, "answered", "+7 900 000-00-01", "2026-10-01 11:00"),
    (2, "out", 1, 1, 1001, 0, "no_answer", "+79000000001", "2026-10-02 09:00"),
    (3, "in", 1, 2, 1002, 300, "answered", "89000000002", "2026-10-02 10:00"),
    (4, "in", 1, 2, 1002, 0, "no_answer", "+79000000002", "2026-10-05 09:00"),
    (5, "out", 2, 2, 1002, 60, "answered", "9000000002", "2026-10-05 12:00"),
    (6, "in", 1, None, None, 0, "no_answer", "+79000000099", "2026-10-06 15:00"),
    (7, "in", 1, 6, 1006, 0, "no_answer", "+79000000006", "2026-10-20 10:00"),
    (8, "out", 1, 6, 1006, 50, "answered", "+79000000066", "2026-10-21 09:00"),
    (9, "out", 1, 7, 1007, 200, "answered", "+79000000007", "2026-10-28 12:00"),
    (10, "in", 1, 7, 1007, 0, "no_answer", "+79000000007", "2026-10-31 22:00"),
    (11, "out", 1, 7, 1007, 90, "answered", "+79000000007", "2026-11-01 10:00"),
    (12, "in", 1, 1, 1001, 0, "no_answer", "+79000000001", "2026-10-08 10:00"),
    (13, "out", 1, 1, 1001, 45, "answered", "+79000000001", "2026-10-09 12:00"),
    (14, "in", 2, 3, 1003, 180, "answered", "+79000000003", "2026-10-03 10:00"),
    (15, "out", 2, 5, 1005, 240, "answered", "+79000000005", "2026-10-02 15:00"),
    (16, "out", 2, 4, 1004, 0, "busy", "+79000000004", "2026-10-06 10:00"),
    (17, "out", 2, 4, 1004, 30, "answered", "+79000000004", "2026-10-07 10:00"),
    (18, "out", 2, 9, 1009, 100, "answered", "+79000000009", "2026-09-10 10:00"),
    (19, "in", 1, 5, 1005, 0, "no_answer", "+79000000005", "2026-09-21 10:00"),
    (20, "out", 1, 8, 1008, 150, "answered", "+79000000008", "2025-10-12 10:00"),
]

TASKS = [
    # id, type, task_type_id, user, lead, created, complete_till, completed_at
    (1, "meeting", 2, 1, 1, "2026-10-02 12:00", "2026-10-04 12:00", "2026-10-04 12:00"),
    (2, "meeting", 2, 2, 5, "2026-10-01 12:00", "2026-10-03 12:00", "2026-10-03 12:00"),
    (3, "meeting", 2, 1, 2, "2026-10-10 12:00", "2026-10-15 12:00", None),
    (4, "meeting", 2, 1, 7, "2026-10-30 12:00", "2026-11-02 12:00", "2026-11-02 12:00"),
    (5, "follow_up", 1, 1, 1, "2026-10-03 12:00", "2026-10-05 12:00", "2026-10-05 12:00"),
    (6, "meeting", 2, 2, 9, "2026-09-08 12:00", "2026-09-12 12:00", "2026-09-12 12:00"),
]


def calls() -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "id": i,
                "direction": d,
                "user_id": u,
                "lead_id": lead,
                "contact_id": contact,
                "duration_s": dur,
                "status": st,
                "is_answered": st == "answered",
                "phone": phone,
                "at": T(at),
            }
            for i, d, u, lead, contact, dur, st, phone, at in CALLS
        ]
    )


def tasks() -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "id": i,
                "type": kind,
                "task_type_id": tt,
                "responsible_user_id": u,
                "entity": "lead",
                "entity_id": lead,
                "created_at": T(created),
                "complete_till": T(till),
                "is_completed": done is not None,
                "completed_at": T(done) if done else None,
                "text": kind,
            }
            for i, kind, tt, u, lead, created, till, done in TASKS
        ]
    )


def tables() -> dict[str, pd.DataFrame]:
    """The sales fixture plus a third, call-less manager, the calls and the tasks above."""
    t = fixtures.tables()
    t["users"] = pd.concat(
        [
            t["users"],
            pd.DataFrame(
                [
                    {
                        "id": 3,
                        "name": "Глеб Орлов",
                        "email": "g@example.org",
                        "group_id": 1,
                        "group_name": "Отдел 1",
                        "is_active": True,
                    }
                ]
            ),
        ],
        ignore_index=True,
    )
    t["calls"] = calls()
    t["tasks"] = tasks()
    return t
