"""A tiny hand-built account whose figures were worked out by hand (see tests/test_sales.py).

Pipeline 10: unsorted 100, A=1 (sort 10), B=2 (20), C=3 (30), won 142, lost 143.
Managers: 1 Анна, 2 Борис. Period under test: 2026-10; as-of 2026-11-10 00:00.

lead  mgr  price created     path (stage entry times)                                 outcome
L1    1    100   10-01 10:00 A 10-01 10:00, B 10-03 10:00, C 10-06 10:00, won 10-11 10:00
L2    1    200   10-02       A 10-02, C 10-12 (skips B), won 10-22
L3    2     50   10-03       A 10-03, B 10-04, lost 10-10 (reason 1 Дорого)
L4    2     80   10-05       A 10-05, still open
L5    2    300   09-20       A 09-20, B 09-25, A 10-01 (back), won 10-05
L6    1     40   10-20       A 10-20, lost 10-25 (reason 2 Выбрали конкурента)
L7    1     60   10-28       A 10-28, B 10-30, won 11-03 (after the period)
L8    1    500   2025-10-10  A 2025-10-10, won 2025-10-20 (a year ago)
L9    2    120   09-05       A 09-05, won 09-15 (previous period)
"""

from __future__ import annotations

import pandas as pd

PIPE = 10
T = pd.Timestamp


def _lead(i, mgr, price, created, status, closed=None, reason=None):
    return {
        "id": i,
        "name": f"Сделка {i}",
        "price": float(price),
        "pipeline_id": PIPE,
        "status_id": status,
        "responsible_user_id": mgr,
        "group_id": 1,
        "source_id": None,
        "source": "Сайт",
        "loss_reason_id": reason,
        "tags": None,
        "contact_id": 1000 + i,
        "company_id": None,
        "created_by": mgr,
        "created_at": T(created),
        "updated_at": T(closed or created),
        "closed_at": T(closed) if closed else None,
        "is_deleted": False,
    }


PATHS = {
    1: [("2026-10-01 10:00", 1), ("2026-10-03 10:00", 2), ("2026-10-06 10:00", 3), ("2026-10-11 10:00", 142)],
    2: [("2026-10-02", 1), ("2026-10-12", 3), ("2026-10-22", 142)],
    3: [("2026-10-03", 1), ("2026-10-04", 2), ("2026-10-10", 143)],
    4: [("2026-10-05", 1)],
    5: [("2026-09-20", 1), ("2026-09-25", 2), ("2026-10-01", 1), ("2026-10-05", 142)],
    6: [("2026-10-20", 1), ("2026-10-25", 143)],
    7: [("2026-10-28", 1), ("2026-10-30", 2), ("2026-11-03", 142)],
    8: [("2025-10-10", 1), ("2025-10-20", 142)],
    9: [("2026-09-05", 1), ("2026-09-15", 142)],
}


def stage_changes(paths: dict, pipe: int, prefix: str) -> list[dict]:
    """Stage-change rows from {lead id: [(time, status), ...]} within one pipeline (made by user 1)."""
    changes = []
    for lid, path in paths.items():
        prev = None
        for k, (at, status) in enumerate(path):
            changes.append(
                {
                    "id": f"{prefix}{lid}-{k}",
                    "lead_id": lid,
                    "at": T(at),
                    "from_pipeline_id": pipe if prev else None,
                    "from_status_id": prev,
                    "to_pipeline_id": pipe,
                    "to_status_id": status,
                    "user_id": 1,
                }
            )
            prev = status
    return changes


def tables() -> dict[str, pd.DataFrame]:
    """Store tables (timestamps are UTC; the account's timezone is UTC so local = UTC)."""
    leads = pd.DataFrame(
        [
            _lead(1, 1, 100, "2026-10-01 10:00", 142, "2026-10-11 10:00"),
            _lead(2, 1, 200, "2026-10-02", 142, "2026-10-22"),
            _lead(3, 2, 50, "2026-10-03", 143, "2026-10-10", reason=1),
            _lead(4, 2, 80, "2026-10-05", 1),
            _lead(5, 2, 300, "2026-09-20", 142, "2026-10-05"),
            _lead(6, 1, 40, "2026-10-20", 143, "2026-10-25", reason=2),
            _lead(7, 1, 60, "2026-10-28", 142, "2026-11-03"),
            _lead(8, 1, 500, "2025-10-10", 142, "2025-10-20"),
            _lead(9, 2, 120, "2026-09-05", 142, "2026-09-15"),
        ]
    )
    changes = stage_changes(PATHS, PIPE, "e")
    statuses = pd.DataFrame(
        [
            {"id": 100, "pipeline_id": PIPE, "name": "Неразобранное", "sort": 5, "kind": "unsorted"},
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
                    "subdomain": "fixture",
                    "name": "Фикстура",
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
        "loss_reasons": pd.DataFrame(
            [{"id": 1, "name": "Дорого", "sort": 1}, {"id": 2, "name": "Выбрали конкурента", "sort": 2}]
        ),
        "leads": leads,
        "stage_changes": pd.DataFrame(changes),
    }


COHORT_AS_OF = T("2026-12-11")  # ten days after the end of November 2026


def cohort_leads() -> pd.DataFrame:
    """Cohorts of different ages for the like-for-like comparison and the cohort matrix (tests/test_sales.py).

    Current period 2026-11, data as of 2026-12-11: the current cohort is 10 days past its period's end, so the
    October 2026 cohort is compared by its wins before 2026-11-11 and the November 2025 cohort by those before
    2025-12-11 (``concepts.outcome_cutoff``).

    lead  created      outcome
    N1    2026-11-02   won 2026-11-20
    N2    2026-11-05   won 2026-12-05
    N3    2026-11-10   lost 2026-11-25
    N4    2026-11-15   open
    O1    2026-10-01   won 2026-10-15
    O2    2026-10-05   won 2026-11-05   (before the cutoff 11-11)
    O3    2026-10-10   won 2026-11-20   (after it)
    O4    2026-10-20   won 2026-11-30   (after it)
    O5    2026-10-25   open
    Y1    2025-11-03   won 2025-11-20
    Y2    2025-11-10   won 2026-02-01   (long after the cutoff 2025-12-11)
    """
    rows = [
        (1, "2026-11-02", 142, "2026-11-20"),
        (2, "2026-11-05", 142, "2026-12-05"),
        (3, "2026-11-10", 143, "2026-11-25"),
        (4, "2026-11-15", 1, None),
        (11, "2026-10-01", 142, "2026-10-15"),
        (12, "2026-10-05", 142, "2026-11-05"),
        (13, "2026-10-10", 142, "2026-11-20"),
        (14, "2026-10-20", 142, "2026-11-30"),
        (15, "2026-10-25", 1, None),
        (21, "2025-11-03", 142, "2025-11-20"),
        (22, "2025-11-10", 142, "2026-02-01"),
    ]
    return pd.DataFrame([_lead(i, 1, 100, created, status, closed) for i, created, status, closed in rows])
