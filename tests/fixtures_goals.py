"""A hand-built account for the goals report; every expected value in tests/test_goals.py is worked out
by hand from this table.

Pipeline 10: A=1 (sort 10), B=2 (20), C=3 (30), won 142, lost 143. Managers: 1 Анна Иванова, 2 Борис Петров.
Account timezone UTC, data synced 2026-11-10. Period under test: 2026-10 (22 working days), as-of 2026-10-15
(10 working days elapsed: 1, 2, 5–9, 12–14 Oct; 12 left; 17 calendar days left).

lead mgr price created     path (stage entry dates)                       outcome
W1   1   100   2026-09-10  A 09-10, B 09-22, C 09-28                       won 10-02 10:00
W2   1   200   2026-09-15  A 09-15, B 09-18                                won 10-07
W3   2   300   2026-10-01  A 10-01, C 10-05                                won 10-13
W4   1   400   2026-10-05  A 10-05, C 10-10                                won 10-20 (after the as-of day)
W5   2    50   2026-09-01  A 09-01, B 09-03, C 09-05                       won 09-10 (previous period)
W6   1   500   2025-10-01  A 2025-10-01                                    won 2025-10-10 (a year ago)
O1   1  1000   2026-10-01  A 10-01, B 10-05                                open
O2   2   600   2026-10-03  A 10-03                                         lost 10-25 (open on 10-15)
O3   1   800   2026-10-10  A 10-10, C 10-12                                open
L1   2    70   2026-08-01  A 08-01, B 08-05                                lost 08-20

Stage statistics at 2026-10-15 (entries since 2025-10-15; W6's entry is older), horizon 17 days:
  A: entered W1 W2 W3 W4 W5 O1 O2 O3 L1 = 9, won by 10-15 W1 W2 W3 W5 = 4 -> p_win 4/9;
     days from entry to won: W1 22.4, W2 22, W3 12, W5 9 -> 2 of 4 within 17 days -> p_in_time 1/2
  B: entered W1 W2 W5 O1 L1 = 5, won W1 W2 W5 = 3 -> 3/5; W1 10.4, W2 19, W5 7 -> 2/3
  C: entered W1 W3 W4 W5 O3 = 5, won W1 W3 W5 = 3 -> 3/5; W1 4.4, W3 8, W5 5 -> 3/3
Open on 10-15: O2 in A (600), O1 in B (1000), O3 (800) and W4 (400) in C.
"""

from __future__ import annotations

import pandas as pd

from fixtures import stage_changes

PIPE = 10
T = pd.Timestamp

LEADS = [
    # id, manager, price, created, status, closed
    (1, 1, 100, "2026-09-10", 142, "2026-10-02 10:00"),
    (2, 1, 200, "2026-09-15", 142, "2026-10-07"),
    (3, 2, 300, "2026-10-01", 142, "2026-10-13"),
    (4, 1, 400, "2026-10-05", 142, "2026-10-20"),
    (5, 2, 50, "2026-09-01", 142, "2026-09-10"),
    (6, 1, 500, "2025-10-01", 142, "2025-10-10"),
    (7, 1, 1000, "2026-10-01", 2, None),
    (8, 2, 600, "2026-10-03", 143, "2026-10-25"),
    (9, 1, 800, "2026-10-10", 3, None),
    (10, 2, 70, "2026-08-01", 143, "2026-08-20"),
]
PATHS = {
    1: [("2026-09-10", 1), ("2026-09-22", 2), ("2026-09-28", 3), ("2026-10-02 10:00", 142)],
    2: [("2026-09-15", 1), ("2026-09-18", 2), ("2026-10-07", 142)],
    3: [("2026-10-01", 1), ("2026-10-05", 3), ("2026-10-13", 142)],
    4: [("2026-10-05", 1), ("2026-10-10", 3), ("2026-10-20", 142)],
    5: [("2026-09-01", 1), ("2026-09-03", 2), ("2026-09-05", 3), ("2026-09-10", 142)],
    6: [("2025-10-01", 1), ("2025-10-10", 142)],
    7: [("2026-10-01", 1), ("2026-10-05", 2)],
    8: [("2026-10-03", 1), ("2026-10-25", 143)],
    9: [("2026-10-10", 1), ("2026-10-12", 3)],
    10: [("2026-08-01", 1), ("2026-08-05", 2), ("2026-08-20", 143)],
}

GOALS_YAML = """\
# goals of the fixture account
currency: RUB
plans:
  - {scope: team, period: 2026-10, metric: revenue, target: 2000}
  - {scope: team, period: 2026-10, metric: won_deals, target: 5}
  - {scope: team, period: 2026-09, metric: revenue, target: 100}
  - {scope: team, period: 2026-Q4, metric: revenue, target: 5000}
  - {scope: team, period: 2026-11, metric: revenue, target: 900}
  - {scope: team, period: 2026-07, metric: revenue, target: 300}
  - {scope: Анна Иванова, period: 2026-10, metric: revenue, target: 1000}
  - scope: борис петров
    period: 2026-10
    metric: revenue
    target: 500
"""

BAD_GOALS_YAML = """\
currency: RUB
plans:
  - {scope: team, period: 2026-10, metric: revenue, target: 2000}
  - {scope: Виктор Сидоров, period: 2026-10, metric: revenue, target: 100}
  - {scope: team, period: 2026-13, metric: revenue, target: 100}
  - {scope: team, period: 2026-11, metric: profit, target: -5}
  - {scope: team, period: 2026-10, metric: revenue, target: 3000}
  - scope: Анна Иванова
    period: 2026-10
    metric: won_deals
    target: 2.5
    owner: me
  - {scope: team, metric: revenue}
"""


def _lead(i, mgr, price, created, status, closed):
    return {
        "id": i,
        "name": f"Сделка {i}",
        "price": float(price),
        "pipeline_id": PIPE,
        "status_id": status,
        "responsible_user_id": mgr,
        "group_id": 1,
        "source": "Сайт",
        "contact_id": 1000 + i,
        "created_by": mgr,
        "created_at": T(created),
        "updated_at": T(closed or created),
        "closed_at": T(closed) if closed else None,
        "is_deleted": False,
    }


def tables() -> dict[str, pd.DataFrame]:
    leads = pd.DataFrame([_lead(*row) for row in LEADS])
    changes = stage_changes(PATHS, PIPE, "g")
    statuses = pd.DataFrame(
        [
            {"id": 1, "pipeline_id": PIPE, "name": "A", "sort": 10, "kind": "open"},
            {"id": 2, "pipeline_id": PIPE, "name": "B", "sort": 20, "kind": "open"},
            {"id": 3, "pipeline_id": PIPE, "name": "C", "sort": 30, "kind": "open"},
            {"id": 142, "pipeline_id": PIPE, "name": "Успешно реализовано", "sort": 10000, "kind": "won"},
            {"id": 143, "pipeline_id": PIPE, "name": "Закрыто и не реализовано", "sort": 11000, "kind": "lost"},
        ]
    )
    return {
        "account": pd.DataFrame(
            [
                {
                    "id": 1,
                    "subdomain": "goals",
                    "name": "Цели-фикстура",
                    "timezone": "UTC",
                    "currency": "RUB",
                    "synced_at": T("2026-11-10"),
                    "source": "test",
                }
            ]
        ),
        "users": pd.DataFrame(
            [
                {
                    "id": 1,
                    "name": "Анна Иванова",
                    "email": "a@example.org",
                    "group_id": 1,
                    "group_name": "Отдел 1",
                    "is_active": True,
                },
                {
                    "id": 2,
                    "name": "Борис Петров",
                    "email": "b@example.org",
                    "group_id": 1,
                    "group_name": "Отдел 1",
                    "is_active": True,
                },
            ]
        ),
        "pipelines": pd.DataFrame([{"id": PIPE, "name": "Продажи", "is_main": True, "sort": 1}]),
        "statuses": statuses,
        "loss_reasons": pd.DataFrame([{"id": 1, "name": "Дорого", "sort": 1}]),
        "leads": leads,
        "stage_changes": pd.DataFrame(changes),
    }
