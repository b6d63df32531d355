"""The audit's read: the whole account's deals and their stage history (the stage P75 needs a year of visits),
tasks, calls, «Неразобранное» and contacts, with the pipeline filter pushed into SQL. An older store without a
contacts table gives an empty one (the duplicate-contact finding then says it is not checked)."""

from __future__ import annotations

import os

from ... import store
from ...core.periods import Period

TABLES = ("leads", "stage_changes", "tasks", "calls", "unsorted", "contacts")


def load_audit(
    path: str | os.PathLike,
    period: Period,
    pipeline_ids: list[int] | None = None,
    user_ids: list[int] | None = None,
) -> store.StoreData:
    """What the audit needs (the whole team: ``user_ids`` must be empty)."""
    if user_ids:
        raise ValueError("the audit is a team report: it takes no manager")
    con = store.connect(path, read_only=True)
    try:
        present = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    finally:
        con.close()
    data = store.load(path, tables=[t for t in TABLES if t in present], pipeline_ids=pipeline_ids)
    for t in TABLES:
        if t not in data.tables:
            data.tables[t] = store.conform(t, None)
    return data
