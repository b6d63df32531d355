"""A hand-built account for the unsorted-leads report; every expected value is worked out in
tests/test_unsorted.py from the table below.

Reference data (account in UTC, users 1 Анна Иванова / 2 Борис Петров, pipeline 10 with the unsorted
stage 100) comes from tests/fixtures.py. Period under test: 2026-10; data as of 2026-11-10 00:00.

item  source     cat    arrived           outcome (decided, by)
U1    Сайт       forms  10-01 10:00       accepted 10-01 10:30 by 1
U2    Телефония  sip    10-02 09:00       accepted 10-02 09:10 by 1
U3    Авито      chats  10-03 12:00       accepted 10-03 14:00 by 2
U4    Сайт       forms  10-05 08:00       declined 10-05 09:00 by 2
U5    Почта      mail   10-06 10:00       accepted 10-06 13:00 by 2
U6    Сайт       forms  10-28 10:00       pending
U7    Авито      chats  10-30 12:00       accepted 11-02 12:00 by 1
U8    Телефония  sip    09-15 10:00       accepted 09-15 10:20 by 2
U9    Сайт       forms  09-20 10:00       declined 09-21 10:00 by 1
U10   Сайт       forms  2025-10-10 10:00  accepted 10:05 by 1
U11   Сайт       forms  09-25 10:00       accepted 10-02 10:00 by 2
U12   Почта      mail   10-15 10:00       accepted 10-15 10:30 by 1

item  lead (owner, status)          first action
U1    101 (1, won 10-20, 1000)      out call 11:00 (60 min)
U2    102 (1, open)                 task 09:40 (40 min)
U3    103 (2, lost 10-10)           stage by user 2, 10-04 12:00 (1440)
U4    104 deleted                   none
U5    105 (1, won 10-25, 500)       out call on contact 12:00 (120)
U6    106 (2, unsorted stage)       none
U7    107 (1, won 11-05, 300)       task 11-02 12:30 (4350)
U8    108 (2, open)                 none
U9    109 deleted                   none
U10   110 (1, won 2025-10-15, 700)  none
U11   111 (2, open)                 none
U12   112 deleted later             none

Traps: the incoming sip call on U2 (not an action), a robot stage move on 103 (user 0, 10-03 15:00, not
an action), the acceptance moves out of stage 100 (not actions), a call on U3's contact before it
arrived (10-02), a task on a contact (entity 'contact', not a lead task).
"""

from __future__ import annotations

import pandas as pd

import fixtures

PIPE, UNSORTED = 10, 100
T = pd.Timestamp
AS_OF = T("2026-11-10")


def _lead(i, mgr, price, created, status, closed=None, deleted=False):
    return {
        "id": i,
        "name": f"Заявка {i}",
        "price": float(price),
        "pipeline_id": PIPE,
        "status_id": status,
        "responsible_user_id": mgr,
        "group_id": 1,
        "source": "Сайт",
        "contact_id": 2000 + i % 100,
        "created_by": 0,
        "created_at": T(created),
        "updated_at": T(closed or created),
        "closed_at": T(closed) if closed else None,
        "is_deleted": deleted,
    }


def _item(k, source, cat, created, outcome, decided=None, by=None, lead=None):
    return {
        "uid": f"u{k:02d}",
        "source_name": source,
        "category": cat,
        "pipeline_id": PIPE,
        "created_at": T(created),
        "outcome": outcome,
        "decided_at": T(decided) if decided else None,
        "decided_by": by,
        "lead_id": lead,
        "contact_id": 2000 + lead % 100 if lead else None,
    }


# lead -> [(at, from_status, to_status, user)]; creation events have from_status None and user 0
MOVES = {
    101: [("2026-10-01 10:00", None, UNSORTED, 0), ("2026-10-01 10:30", UNSORTED, 1, 1), ("2026-10-20", 1, 142, 1)],
    102: [("2026-10-02 09:00", None, UNSORTED, 0), ("2026-10-02 09:10", UNSORTED, 1, 1)],
    103: [
        ("2026-10-03 12:00", None, UNSORTED, 0),
        ("2026-10-03 14:00", UNSORTED, 1, 2),
        ("2026-10-03 15:00", 1, 2, 0),
        ("2026-10-04 12:00", 2, 3, 2),
        ("2026-10-10", 3, 143, 2),
    ],
    104: [("2026-10-05 08:00", None, UNSORTED, 0)],
    105: [("2026-10-06 10:00", None, UNSORTED, 0), ("2026-10-06 13:00", UNSORTED, 1, 2), ("2026-10-25", 1, 142, 1)],
    106: [("2026-10-28 10:00", None, UNSORTED, 0)],
    107: [("2026-10-30 12:00", None, UNSORTED, 0), ("2026-11-02 12:00", UNSORTED, 1, 1), ("2026-11-05", 1, 142, 1)],
    108: [("2026-09-15 10:00", None, UNSORTED, 0), ("2026-09-15 10:20", UNSORTED, 1, 2)],
    110: [("2025-10-10 10:00", None, UNSORTED, 0), ("2025-10-10 10:05", UNSORTED, 1, 1), ("2025-10-15", 1, 142, 1)],
    111: [("2026-09-25 10:00", None, UNSORTED, 0), ("2026-10-02 10:00", UNSORTED, 1, 2)],
    112: [("2026-10-15 10:00", None, UNSORTED, 0), ("2026-10-15 10:30", UNSORTED, 1, 1)],
}


def tables() -> dict[str, pd.DataFrame]:
    base = fixtures.tables()
    leads = pd.DataFrame(
        [
            _lead(101, 1, 1000, "2026-10-01 10:00", 142, "2026-10-20"),
            _lead(102, 1, 200, "2026-10-02 09:00", 1),
            _lead(103, 2, 400, "2026-10-03 12:00", 143, "2026-10-10"),
            _lead(104, 2, 0, "2026-10-05 08:00", UNSORTED, deleted=True),
            _lead(105, 1, 500, "2026-10-06 10:00", 142, "2026-10-25"),
            _lead(106, 2, 0, "2026-10-28 10:00", UNSORTED),
            _lead(107, 1, 300, "2026-10-30 12:00", 142, "2026-11-05"),
            _lead(108, 2, 150, "2026-09-15 10:00", 1),
            _lead(109, 1, 0, "2026-09-20 10:00", UNSORTED, deleted=True),
            _lead(110, 1, 700, "2025-10-10 10:00", 142, "2025-10-15"),
            _lead(111, 2, 250, "2026-09-25 10:00", 1),
            _lead(112, 1, 900, "2026-10-15 10:00", 1, deleted=True),
        ]
    )
    unsorted = pd.DataFrame(
        [
            _item(1, "Сайт", "forms", "2026-10-01 10:00", "accepted", "2026-10-01 10:30", 1, 101),
            _item(2, "Телефония", "sip", "2026-10-02 09:00", "accepted", "2026-10-02 09:10", 1, 102),
            _item(3, "Авито", "chats", "2026-10-03 12:00", "accepted", "2026-10-03 14:00", 2, 103),
            _item(4, "Сайт", "forms", "2026-10-05 08:00", "declined", "2026-10-05 09:00", 2, 104),
            _item(5, "Почта", "mail", "2026-10-06 10:00", "accepted", "2026-10-06 13:00", 2, 105),
            _item(6, "Сайт", "forms", "2026-10-28 10:00", "pending", lead=106),
            _item(7, "Авито", "chats", "2026-10-30 12:00", "accepted", "2026-11-02 12:00", 1, 107),
            _item(8, "Телефония", "sip", "2026-09-15 10:00", "accepted", "2026-09-15 10:20", 2, 108),
            _item(9, "Сайт", "forms", "2026-09-20 10:00", "declined", "2026-09-21 10:00", 1, 109),
            _item(10, "Сайт", "forms", "2025-10-10 10:00", "accepted", "2025-10-10 10:05", 1, 110),
            _item(11, "Сайт", "forms", "2026-09-25 10:00", "accepted", "2026-10-02 10:00", 2, 111),
            _item(12, "Почта", "mail", "2026-10-15 10:00", "accepted", "2026-10-15 10:30", 1, 112),
        ]
    )
    changes = [
        {
            "id": f"s{lid}-{k}",
            "lead_id": lid,
            "at": T(at),
            "from_pipeline_id": PIPE if fr else None,
            "from_status_id": fr,
            "to_pipeline_id": PIPE,
            "to_status_id": to,
            "user_id": user,
        }
        for lid, moves in MOVES.items()
        for k, (at, fr, to, user) in enumerate(moves)
    ]
    calls = pd.DataFrame(
        [
            {
                "id": 1,
                "direction": "out",
                "user_id": 1,
                "lead_id": 101,
                "contact_id": 2001,
                "duration_s": 60,
                "status": "answered",
                "at": T("2026-10-01 11:00"),
            },
            {
                "id": 2,
                "direction": "in",
                "user_id": 1,
                "lead_id": 102,
                "contact_id": 2002,
                "duration_s": 90,
                "status": "answered",
                "at": T("2026-10-02 09:00"),
            },
            {
                "id": 3,
                "direction": "out",
                "user_id": 1,
                "lead_id": 102,
                "contact_id": 2002,
                "duration_s": 30,
                "status": "answered",
                "at": T("2026-10-02 10:00"),
            },
            {
                "id": 4,
                "direction": "out",
                "user_id": 1,
                "lead_id": None,
                "contact_id": 2005,
                "duration_s": 45,
                "status": "answered",
                "at": T("2026-10-06 12:00"),
            },
            {
                "id": 5,
                "direction": "out",
                "user_id": 2,
                "lead_id": None,
                "contact_id": 2003,
                "duration_s": 20,
                "status": "answered",
                "at": T("2026-10-02 10:00"),
            },
        ]
    )
    tasks = pd.DataFrame(
        [
            {
                "id": 1,
                "type": "call",
                "responsible_user_id": 1,
                "entity": "lead",
                "entity_id": 101,
                "created_at": T("2026-10-01 12:00"),
                "complete_till": T("2026-10-02"),
                "is_completed": True,
            },
            {
                "id": 2,
                "type": "call",
                "responsible_user_id": 1,
                "entity": "lead",
                "entity_id": 102,
                "created_at": T("2026-10-02 09:40"),
                "complete_till": T("2026-10-03"),
                "is_completed": False,
            },
            {
                "id": 3,
                "type": "follow_up",
                "responsible_user_id": 1,
                "entity": "lead",
                "entity_id": 107,
                "created_at": T("2026-11-02 12:30"),
                "complete_till": T("2026-11-03"),
                "is_completed": False,
            },
            {
                "id": 4,
                "type": "call",
                "responsible_user_id": 2,
                "entity": "contact",
                "entity_id": 2006,
                "created_at": T("2026-10-29 10:00"),
                "complete_till": T("2026-10-30"),
                "is_completed": False,
            },
        ]
    )
    base.update(leads=leads, stage_changes=pd.DataFrame(changes), unsorted=unsorted, calls=calls, tasks=tasks)
    return base


def empty_tables() -> dict[str, pd.DataFrame]:
    """The same account with no unsorted items, calls or tasks at all."""
    base = fixtures.tables()
    base.update(unsorted=pd.DataFrame(), calls=pd.DataFrame(), tasks=pd.DataFrame())
    return base
