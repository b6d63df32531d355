"""The local DuckDB store: schema, atomic full writes, transactional upserts and filtered reads.

Timestamps are stored as naive UTC ``TIMESTAMP``. Readers convert them to the account's timezone
(``read_*`` functions return naive *local* timestamps, which is what period bounds are in).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from . import derived
from .files import clear_version, connect, remove_stale_temporaries, stamp_version
from .lock import writing
from .schema import SCHEMA, TIMESTAMP_COLUMNS, StoreError, conform, create_schema


def insert(con: duckdb.DuckDBPyConnection, table: str, df: pd.DataFrame, replace: bool = False) -> None:
    """Insert the rows of ``df`` (conformed to the table's schema); ``replace``: replace rows with the same key."""
    df = conform(table, df)
    clear_version(con)  # the data changes: its writer stamps the new version when done (store.files)
    if df.empty:
        return
    con.register("_incoming", df)
    try:
        cols = ", ".join(f'"{c}"' for c in df.columns)
        verb = "INSERT OR REPLACE" if replace else "INSERT"
        con.execute(f'{verb} INTO "{table}" ({cols}) SELECT {cols} FROM _incoming')
    finally:
        with contextlib.suppress(duckdb.Error):  # an aborted transaction refuses this; keep the first error
            con.unregister("_incoming")


@contextlib.contextmanager
def building(path: str | os.PathLike, what: str = "a store writer") -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to a new store with the schema, built in a temporary file next to ``path`` and moved over
    it (derived tables refreshed, checkpointed) only when the block ends without error: a failure at any
    point leaves the previous store untouched and no temporary file behind.

    The store's writer lock (:func:`crmreports.store.lock.writing`) is held throughout, and a path that is
    not a store (a directory, a text file) or is read-only is refused before anything is written."""
    path = Path(path)
    held = contextlib.ExitStack()
    held.enter_context(writing(path, what))  # checks the path, then locks; a StoreError if either fails
    try:
        yield from _building(path)
    finally:
        held.close()


def _building(path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot create the folder of store {str(path)!r}: {exc.strerror}") from None
    remove_stale_temporaries(path)  # what a writer killed with -9 left (we hold the writer lock)
    try:
        fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise StoreError(f"cannot write store {str(path)!r} in {str(path.parent)!r}: {exc.strerror}") from None
    os.close(fd)
    os.unlink(tmp)  # DuckDB wants to create the file itself
    try:
        con = duckdb.connect(tmp)
        try:
            create_schema(con)
            yield con
            derived.refresh(con)
            stamp_version(con)  # the content version the pack cache keys on
            con.execute("CHECKPOINT")
        finally:
            con.close()
        os.replace(tmp, path)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(str(path) + ".wal")
    except BaseException:
        for leftover in (tmp, tmp + ".wal"):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(leftover)
        raise


def write_full(path: str | os.PathLike, tables: Mapping[str, pd.DataFrame], what: str = "a store writer") -> Path:
    """Write a complete store to ``path`` atomically (:func:`building`): every table or none."""
    unknown = set(tables) - set(SCHEMA)
    if unknown:
        raise ValueError(f"unknown store tables {sorted(unknown)}; valid: {list(SCHEMA)}")
    with building(path, what) as con:
        con.execute("BEGIN")
        for table, df in tables.items():
            insert(con, table, df, replace=False)
        con.execute("COMMIT")
    return Path(path)


def upsert(con: duckdb.DuckDBPyConnection, table: str, df: pd.DataFrame) -> int:
    """Insert or replace rows of ``df`` by the table's key. Call inside a transaction."""
    insert(con, table, df, replace=True)
    return len(df)


@dataclass(frozen=True)
class StoreData:
    """Tables read from the store for one report, timestamps in the account's local time."""

    account: pd.Series
    users: pd.DataFrame
    pipelines: pd.DataFrame
    statuses: pd.DataFrame
    leads: pd.DataFrame
    stage_changes: pd.DataFrame
    loss_reasons: pd.DataFrame
    tables: dict

    @property
    def timezone(self) -> str:
        return str(self.account.get("timezone") or "UTC")

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.tables[name]


def to_local(df: pd.DataFrame, table: str, tz: str) -> pd.DataFrame:
    cols = [c for c in TIMESTAMP_COLUMNS.get(table, []) if c in df.columns]
    if not cols:
        return df
    df = df.copy()
    for c in cols:
        s = pd.to_datetime(df[c])
        df[c] = s.dt.tz_localize("UTC").dt.tz_convert(tz).dt.tz_localize(None)
    return df


def read_table(
    con: duckdb.DuckDBPyConnection,
    table: str,
    where: str = "",
    params: Iterable = (),
    tz: str | None = None,
    columns: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Read one table with an optional SQL filter; convert timestamps to ``tz`` if given."""
    if table not in SCHEMA:
        raise ValueError(f"unknown store table {table!r}; valid: {list(SCHEMA)}")
    cols = ", ".join(f'"{c}"' for c in (columns or SCHEMA[table]))
    sql = f'SELECT {cols} FROM "{table}"' + (f" WHERE {where}" if where else "")
    df = con.execute(sql, list(params)).df()
    if df.empty:
        df = conform(table, None)[list(columns or SCHEMA[table])]
    return to_local(df, table, tz) if tz else df


def read_account(con: duckdb.DuckDBPyConnection) -> pd.Series:
    acc = read_table(con, "account")
    if acc.empty:
        raise StoreError("the store has no account row; load it with `crmreports demo`, `sync` or `import`")
    return acc.iloc[0]


def lead_filter(pipeline_ids: list[int] | None = None, user_ids: list[int] | None = None) -> tuple[str, list]:
    """SQL condition (and its parameters) on ``leads`` for a report's scope: not deleted, in the
    pipelines, with the responsible users given (None or empty: no filter)."""
    cond, params = ["NOT coalesce(is_deleted, false)"], []
    if pipeline_ids:
        cond.append(f"pipeline_id IN ({', '.join('?' * len(pipeline_ids))})")
        params += list(pipeline_ids)
    if user_ids:
        cond.append(f"responsible_user_id IN ({', '.join('?' * len(user_ids))})")
        params += list(user_ids)
    return "(" + " AND ".join(cond) + ")", params


def load(
    path: str | os.PathLike,
    tables: Iterable[str] = ("leads", "stage_changes"),
    pipeline_ids: list[int] | None = None,
    user_ids: list[int] | None = None,
) -> StoreData:
    """Read what a report needs, with pipeline and manager filters pushed into SQL.

    ``user_ids`` filters leads by responsible user and the per-user tables (calls, tasks) by user;
    stage changes are read for the selected leads only.
    """
    con = connect(path, read_only=True)
    try:
        account = read_account(con)
        tz = str(account.get("timezone") or "UTC")
        ref = {name: read_table(con, name, tz=tz) for name in ("users", "pipelines", "statuses", "loss_reasons")}
        lead_where, params = lead_filter(pipeline_ids, user_ids)
        out: dict[str, pd.DataFrame] = dict(ref)
        out["leads"] = read_table(con, "leads", lead_where, params, tz=tz)
        for name in tables:
            if name in out:
                continue
            if name in ("stage_changes", "responsible_changes"):
                out[name] = read_table(
                    con, name, f"lead_id IN (SELECT id FROM leads WHERE {lead_where})", params, tz=tz
                )
            elif name == "calls" and user_ids:
                out[name] = read_table(con, name, f"user_id IN ({', '.join('?' * len(user_ids))})", user_ids, tz=tz)
            elif name == "tasks" and user_ids:
                out[name] = read_table(
                    con, name, f"responsible_user_id IN ({', '.join('?' * len(user_ids))})", user_ids, tz=tz
                )
            else:
                out[name] = read_table(con, name, tz=tz)
        return StoreData(
            account=account,
            users=out["users"],
            pipelines=out["pipelines"],
            statuses=out["statuses"],
            leads=out["leads"],
            stage_changes=out.get("stage_changes", conform("stage_changes", None)),
            loss_reasons=out["loss_reasons"],
            tables=out,
        )
    finally:
        con.close()
