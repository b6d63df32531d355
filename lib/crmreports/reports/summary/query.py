"""The summary's read: the team's deals (pipelines pushed into SQL), calls, tasks, «Неразобранное» requests and,
where the store has them, contacts. The stage-change log is not read: the state (open deals, stale deals) reads
only its aggregates from the store (:class:`crmreports.store.discipline.StoreLog`)."""

from __future__ import annotations

import os
from dataclasses import dataclass

import duckdb
import pandas as pd

from ... import store
from ...core.periods import Period
from ...store import discipline
from ...store.access import lead_filter

TABLES = ("leads", "calls", "tasks", "unsorted")


@dataclass(frozen=True)
class SummaryData(store.StoreData):
    """:class:`store.StoreData` plus ``contacts`` (None when the store has no contacts table) and ``stage_log`` (the
    team's stage-change log left in the store; ``stage_changes`` is then empty)."""

    contacts: pd.DataFrame | None = None
    stage_log: discipline.StoreLog | None = None


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
    where, params = lead_filter(pipeline_ids)
    log = discipline.StoreLog(str(store.resolve_path(path)), d.timezone, where, tuple(params))
    return SummaryData(**fields, loss_reasons=d.loss_reasons, tables=d.tables, contacts=contacts, stage_log=log)
