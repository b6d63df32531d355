"""The summary's read: the team's deals (pipelines pushed into SQL), their stage changes, calls, tasks,
«Неразобранное» requests and, where the store has them, contacts."""

from __future__ import annotations

import os
from dataclasses import dataclass

import duckdb
import pandas as pd

from ... import store
from ...core.periods import Period

TABLES = ("leads", "stage_changes", "calls", "tasks", "unsorted")


@dataclass(frozen=True)
class SummaryData(store.StoreData):
    """:class:`store.StoreData` plus ``contacts`` (None when the store has no contacts table)."""

    contacts: pd.DataFrame | None = None


def read_contacts(path: str | os.PathLike, tz: str) -> pd.DataFrame | None:
    """The store's contacts (not deleted), or None when the store has no such table (written before it)."""
    if "contacts" not in store.SCHEMA:
        return None
    con = store.connect(path, read_only=True)
    try:
        return store.read_table(con, "contacts", "NOT coalesce(is_deleted, false)", tz=tz)
    except duckdb.CatalogException:
        return None
    finally:
        con.close()


def load_summary(
    path: str | os.PathLike,
    period: Period,
    pipeline_ids: list[int] | None = None,
    user_ids: list[int] | None = None,
) -> SummaryData:
    """Everything the summary needs; the scope (``user_ids``) is cut in the sections (the load is compared
    across the team)."""
    del period
    d = store.load(path, tables=TABLES, pipeline_ids=pipeline_ids)
    contacts = read_contacts(path, d.timezone)
    if contacts is not None and user_ids:
        contacts = contacts[contacts["responsible_user_id"].isin(user_ids)]
    fields = {f: getattr(d, f) for f in ("account", "users", "pipelines", "statuses", "leads", "stage_changes")}
    return SummaryData(**fields, loss_reasons=d.loss_reasons, tables=d.tables, contacts=contacts)
