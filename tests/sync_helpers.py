"""Shared helpers for the amoCRM client / stand-in / sync tests."""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path

import pandas as pd

from crmreports import store
from crmreports.sources import mapping
from crmreports.store import derived

AS_OF = dt.date(2026, 11, 1)


@functools.lru_cache(maxsize=4)
def _demo(n_deals: int, months: int) -> dict:
    from crmreports.sources import demo

    return demo.generate(seed=7, as_of=AS_OF, n_deals=n_deals, months=months)


def demo_dump(n_deals: int = 1500, months: int = 12) -> dict:
    import copy

    return copy.deepcopy(_demo(n_deals, months))


def tiny_dump(n_leads: int = 3) -> dict:
    """A hand-built account dump with ``n_leads`` leads (no demo needed)."""
    pipeline = {
        "id": 10,
        "name": "Воронка",
        "sort": 1,
        "is_main": True,
        "_embedded": {
            "statuses": [
                {"id": 100, "name": "Неразобранное", "sort": 10, "pipeline_id": 10, "type": 1},
                {"id": 1, "name": "A", "sort": 20, "pipeline_id": 10, "type": 0},
                {"id": 142, "name": "Успешно", "sort": 10000, "pipeline_id": 10, "type": 0},
                {"id": 143, "name": "Закрыто", "sort": 11000, "pipeline_id": 10, "type": 0},
            ]
        },
    }
    t0 = 1_760_000_000
    leads, events = [], []
    for i in range(1, n_leads + 1):
        leads.append(
            {
                "id": i,
                "name": f"Deal {i}",
                "price": 100 * i,
                "responsible_user_id": 1,
                "group_id": 0,
                "status_id": 1,
                "pipeline_id": 10,
                "created_by": 1,
                "created_at": t0 + i,
                "updated_at": t0 + i,
                "closed_at": None,
                "is_deleted": False,
                "custom_fields_values": None,
                "_embedded": {"tags": [], "companies": [], "contacts": [{"id": 1000 + i, "is_main": True}]},
            }
        )
        events.append(
            {
                "id": f"ev{i:06d}",
                "type": "lead_added",
                "entity_id": i,
                "entity_type": "lead",
                "created_by": 1,
                "created_at": t0 + i,
                "value_before": [],
                "value_after": [],
            }
        )
    return {
        "account": {
            "id": 1,
            "name": "Tiny",
            "subdomain": "tiny",
            "currency": "RUB",
            "_embedded": {
                "users_groups": [{"id": 0, "name": "Отдел продаж"}],
                "datetime_settings": {"timezone": "Europe/Moscow"},
            },
        },
        "users": [{"id": 1, "name": "Анна", "email": "a@example.org", "rights": {"is_active": True, "group_id": 0}}],
        "pipelines": [pipeline],
        "loss_reasons": [{"id": 5, "name": "Дорого", "sort": 1}],
        "sources": [{"id": 7, "name": "Сайт", "pipeline_id": 10}],
        "leads": leads,
        "events": events,
        "notes": {
            "leads": [
                {
                    "id": 50 + i,
                    "entity_id": i,
                    "note_type": "call_in",
                    "created_at": t0 + i,
                    "updated_at": t0 + i,
                    "responsible_user_id": 1,
                    "params": {"duration": 30, "call_status": 4, "phone": "+7999"},
                }
                for i in range(1, n_leads + 1)
            ],
            "contacts": [],
        },
        "tasks": [],
        "unsorted": [],
    }


def load_direct(path: Path, dump: dict) -> Path:
    """The direct load of ``dump`` (mapping.dump_to_tables) into a store file."""
    path = Path(path)
    con = store.connect(path, read_only=False)
    try:
        con.execute("BEGIN")
        for name, df in mapping.dump_to_tables(dump).items():
            store.upsert(con, name, df)
        derived.refresh(con)
        con.execute("COMMIT")
    finally:
        con.close()
    return path


def table_diffs(actual: Path, expected: Path) -> list[str]:
    """Tables (except sync_state, account.synced_at/source) that differ between two stores, the derived
    tables included (but their order keys, which hold row positions)."""
    a, b = store.connect(actual), store.connect(expected)
    bad = []
    try:
        for t in store.SCHEMA:
            if t == "sync_state":
                continue
            x, y = store.read_table(a, t), store.read_table(b, t)
            if t == "account":
                x, y = x.drop(columns=["synced_at", "source"]), y.drop(columns=["synced_at", "source"])
            keys = list(store.KEYS[t])
            x = x.sort_values(keys).reset_index(drop=True)
            y = y.sort_values(keys).reset_index(drop=True)
            try:
                pd.testing.assert_frame_equal(x, y, check_dtype=False)
            except AssertionError as exc:
                bad.append(f"{t}: {str(exc)[:400]}")
        for t in derived.TABLES:
            sql = f'SELECT * EXCLUDE ("key") FROM {t}' if t == "lead_months" else f"SELECT * FROM {t}"
            x, y = (c.execute(f"{sql} ORDER BY ALL").df() for c in (a, b))
            try:
                pd.testing.assert_frame_equal(x, y)
            except AssertionError as exc:
                bad.append(f"{t}: {str(exc)[:400]}")
    finally:
        a.close()
        b.close()
    return bad


def assert_store_equals(actual: Path, dump: dict, tmp_path: Path) -> None:
    expected = load_direct(Path(tmp_path) / f"expected-{id(dump)}.duckdb", dump)
    _count_records(actual, dump)
    diffs = table_diffs(actual, expected)
    assert not diffs, "\n".join(diffs)


def _count_records(actual: Path, dump: dict) -> None:
    """Report the leads the server listed and those the store kept to the reliability tally (tests/reliability.py)."""
    import duckdb

    import reliability

    listed = {int(d["id"]) for d in dump.get("leads", [])}
    con = duckdb.connect(str(actual), read_only=True)
    try:
        stored = {int(x) for (x,) in con.execute("SELECT id FROM leads").fetchall()}
    finally:
        con.close()
    reliability.records(len(listed), len(listed & stored))
