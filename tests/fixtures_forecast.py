"""A hand-built account for the forecast report; the probabilities below were worked out by hand.

Pipeline 10: A=1 (sort 10), B=2 (20), won 142, lost 143. Timezone UTC. Forecast origin D = 2026-04-01,
with ``lookback=2`` (snapshots at 2026-02-01 and 2026-03-01), one age band, so every stage is one cell.

lead  price  created  path                                  outcome
L1    100    02-02    A                                     won  03-11
L2    100    02-03    A                                     lost 03-06
L3    300    02-04    A                                     still open at D
L4    100    02-05    A                                     won  03-21
L5    100    02-06    A, B 02-10                            won  03-04
L6    100    02-07    A, B 02-12                            lost 03-16
L7   1000    03-05    A                                     open at D (not in any earlier snapshot)
L8    500    03-10    A, B 03-15                            open at D
L9    100    01-10    A                                     won  03-12

Snapshot rows (days from the snapshot to the close; the follow-up ends at D):
  stage A: 02-01: L9 won 39 · 03-01: L1 won 10, L2 lost 5, L3 open 31 (censored), L4 won 20, L9 won 11
  stage B: 03-01: L5 won 3, L6 lost 15

Aalen–Johansen, stage A (n = 6), events sorted: 5 lost, 10 won, 11 won, 20 won, 31 censored, 39 won
  t=5  at risk 6, lost: S = 5/6
  t=10 at risk 5, won:  CIF = 5/6·1/5 = 1/6;            S = 2/3
  t=11 at risk 4, won:  CIF = 1/6 + 2/3·1/4 = 1/3;      S = 1/2
  t=20 at risk 3, won:  CIF = 1/3 + 1/2·1/3 = 1/2;      S = 1/3
  t=39 at risk 1, won:  CIF = 1/2 + 1/3 = 5/6
  Horizons from D: 30 days (to 05-01), 61 (to 06-01), 91 (to 07-01):
  CIF(30) = 1/2, CIF(61) = CIF(91) = 5/6 → p_1 = 1/2, p_2 = 1/3, p_3 = 0, p_win = 5/6.
Stage B (n = 2): t=3 at risk 2, won: CIF = 1/2, S = 1/2; t=15 lost → p_win = 1/2, p_1 = 1/2, p_2 = p_3 = 0.
Whole pipeline (n = 8): 3 won, 5 lost, 10 won, 11 won, 15 lost, 20 won, 31 censored, 39 won
  CIF: 1/8, 1/8, 2/8, 3/8, 3/8, 4/8, 4/8, 3/4  → CIF(30) = 1/2, p_win = CIF(61) = 3/4.

Open at D: L3 (A, 300), L7 (A, 1000), L8 (B, 500).
Weighted pipeline (min_obs = 1): A: 2 deals, 1 300, weighted 1 300·5/6 = 1 083.33, m1 650, m2 433.33;
B: 1 deal, 500, weighted 250, m1 250, m2 0.  With min_obs = 3 stage B (2 rows) falls back to the pipeline:
L8 gets p_win 3/4 (weighted 375), p_1 1/2 (250), p_2 1/4 (125).
"""

from __future__ import annotations

import pandas as pd

PIPE = 10
T = pd.Timestamp
ORIGIN = T("2026-04-01")

LEADS = [  # id, price, created, status, closed
    (1, 100, "2026-02-02", 142, "2026-03-11"),
    (2, 100, "2026-02-03", 143, "2026-03-06"),
    (3, 300, "2026-02-04", 1, None),
    (4, 100, "2026-02-05", 142, "2026-03-21"),
    (5, 100, "2026-02-06", 142, "2026-03-04"),
    (6, 100, "2026-02-07", 143, "2026-03-16"),
    (7, 1000, "2026-03-05", 1, None),
    (8, 500, "2026-03-10", 2, None),
    (9, 100, "2026-01-10", 142, "2026-03-12"),
]
PATHS = {
    1: [("2026-02-02", 1), ("2026-03-11", 142)],
    2: [("2026-02-03", 1), ("2026-03-06", 143)],
    3: [("2026-02-04", 1)],
    4: [("2026-02-05", 1), ("2026-03-21", 142)],
    5: [("2026-02-06", 1), ("2026-02-10", 2), ("2026-03-04", 142)],
    6: [("2026-02-07", 1), ("2026-02-12", 2), ("2026-03-16", 143)],
    7: [("2026-03-05", 1)],
    8: [("2026-03-10", 1), ("2026-03-15", 2)],
    9: [("2026-01-10", 1), ("2026-03-12", 142)],
}


def statuses() -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"id": 1, "pipeline_id": PIPE, "name": "A", "sort": 10, "kind": "open"},
            {"id": 2, "pipeline_id": PIPE, "name": "B", "sort": 20, "kind": "open"},
            {"id": 142, "pipeline_id": PIPE, "name": "Успешно реализовано", "sort": 10000, "kind": "won"},
            {"id": 143, "pipeline_id": PIPE, "name": "Закрыто и не реализовано", "sort": 11000, "kind": "lost"},
        ]
    )


def _lead(i, price, created, status, closed, mgr=1):
    return {
        "id": i,
        "name": f"Сделка {i}",
        "price": float(price),
        "pipeline_id": PIPE,
        "status_id": status,
        "responsible_user_id": mgr,
        "created_at": T(created),
        "closed_at": T(closed) if closed else pd.NaT,
        "updated_at": T(closed or created),
        "is_deleted": False,
    }


def _changes(paths: dict) -> pd.DataFrame:
    rows = []
    for lid, path in paths.items():
        prev = None
        for k, (at, status) in enumerate(path):
            rows.append(
                {
                    "id": f"e{lid}-{k}",
                    "lead_id": lid,
                    "at": T(at),
                    "from_pipeline_id": PIPE if prev else None,
                    "from_status_id": prev,
                    "to_pipeline_id": PIPE,
                    "to_status_id": status,
                    "user_id": 1,
                }
            )
            prev = status
    return pd.DataFrame(rows)


def leads() -> pd.DataFrame:
    return pd.DataFrame([_lead(*x) for x in LEADS])


def stage_changes() -> pd.DataFrame:
    return _changes(PATHS)


def _account(synced: str) -> dict:
    return {
        "account": pd.DataFrame(
            [
                {
                    "id": 1,
                    "subdomain": "fc",
                    "name": "Прогноз",
                    "timezone": "UTC",
                    "currency": "RUB",
                    "synced_at": T(synced),
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
                }
            ]
        ),
        "pipelines": pd.DataFrame([{"id": PIPE, "name": "Продажи", "is_main": True, "sort": 1}]),
        "statuses": statuses(),
        "loss_reasons": pd.DataFrame([{"id": 1, "name": "Дорого", "sort": 1}]),
    }


def tables() -> dict[str, pd.DataFrame]:
    """The account above as store tables (three months of history: too short to forecast from)."""
    out = _account("2026-04-01")
    out["leads"] = leads().drop(columns=[])
    out["stage_changes"] = stage_changes()
    return out


def no_won_tables() -> dict[str, pd.DataFrame]:
    """Six months of deals that were all lost: there is nothing to learn a win from."""
    out = _account("2026-07-01")
    rows, paths = [], {}
    for i in range(1, 13):
        created = T("2026-01-05") + pd.DateOffset(days=14 * (i - 1))
        closed = created + pd.Timedelta(days=10)
        rows.append(_lead(i, 100 * i, created, 143, closed))
        paths[i] = [(str(created), 1), (str(closed), 143)]
    out["leads"] = pd.DataFrame(rows)
    out["stage_changes"] = _changes(paths)
    return out
