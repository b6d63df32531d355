"""The hand-built account behind the marketing tests (tests/test_marketing.py): deals as the marketing metrics
take them (:mod:`crmreports.reports.marketing.metrics`: channel, client, kind) and a month of spend.

Period 2026-11, data up to 2026-12-01 00:00 (local time). Sources «Директ» (spend 30 000 in November, 31 000 in
October), «VK» (spend 10 000, leads but no win), «Сайт» (no spend) and deals without a source.

    id  channel  client     created     closed      status  price
    1   Директ   company:1  2026-11-02  2026-11-10  won     100   company:1's third won deal (a repeat)
    2   Директ   contact:2  2026-11-03  2026-11-20  won     200   contact:2's first: a new client
    3   Директ   contact:3  2026-11-05  2026-11-15  lost
    4   Директ   contact:4  2026-11-06  -           open
    5   VK       contact:5  2026-11-07  -           open
    6   VK       contact:6  2026-11-08  2026-11-09  lost
    7   Сайт     contact:7  2026-10-20  2026-11-05  won     300   created in October, won in November: new client
    8   Сайт     -          2026-11-12  -           unsorted      a request pending in «Неразобранное»
    9   -        contact:9  2026-11-15  2026-11-25  won     40    new client, no source
    10  Сайт     company:1  2025-10-01  2025-10-15  won     50    company:1's first purchase
    11  Сайт     company:1  2026-01-05  2026-01-20  won     70    company:1's second (97 days after the first)
    12  Сайт     contact:12 2025-03-01  2025-03-10  won     500   bought in the year before the last: lapsed
"""

from __future__ import annotations

import pandas as pd

from crmreports.reports.marketing.metrics import NO_SOURCE

AS_OF = pd.Timestamp("2026-12-01")
WON, LOST, OPEN, UNSORTED = 142, 143, 1, 100

ROWS = [
    (1, "Директ", "company:1", "2026-11-02", "2026-11-10", WON, 100),
    (2, "Директ", "contact:2", "2026-11-03", "2026-11-20", WON, 200),
    (3, "Директ", "contact:3", "2026-11-05", "2026-11-15", LOST, 0),
    (4, "Директ", "contact:4", "2026-11-06", None, OPEN, 0),
    (5, "VK", "contact:5", "2026-11-07", None, OPEN, 0),
    (6, "VK", "contact:6", "2026-11-08", "2026-11-09", LOST, 0),
    (7, "Сайт", "contact:7", "2026-10-20", "2026-11-05", WON, 300),
    (8, "Сайт", None, "2026-11-12", None, UNSORTED, 0),
    (9, NO_SOURCE, "contact:9", "2026-11-15", "2026-11-25", WON, 40),
    (10, "Сайт", "company:1", "2025-10-01", "2025-10-15", WON, 50),
    (11, "Сайт", "company:1", "2026-01-05", "2026-01-20", WON, 70),
    (12, "Сайт", "contact:12", "2025-03-01", "2025-03-10", WON, 500),
]


def leads() -> pd.DataFrame:
    df = pd.DataFrame(ROWS, columns=["id", "channel", "client", "created_at", "closed_at", "status_id", "price"])
    df["created_at"] = pd.to_datetime(df["created_at"])
    df["closed_at"] = pd.to_datetime(df["closed_at"])
    df["price"] = df["price"].astype(float)
    df["kind"] = df["status_id"].map({WON: "won", LOST: "lost", OPEN: "open", UNSORTED: "unsorted"})
    return df


def spend() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "source": ["Директ", "VK", "Директ"],
            "month": pd.to_datetime(["2026-11-01", "2026-11-01", "2026-10-01"]),
            "amount": [30000.0, 10000.0, 31000.0],
        }
    )
