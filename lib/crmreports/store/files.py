"""Finding and opening the store file."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from .schema import DEFAULT_STORE, StoreError, create_schema


def resolve_path(path: str | os.PathLike | None = None) -> Path:
    """The store file to use: ``path``, else ``$CRMREPORTS_STORE``, else ``data/crm.duckdb``.

    A relative path that does not exist from the working directory is also looked up from its parents,
    so a notebook opened in ``notebooks/`` finds the project's ``data/crm.duckdb``.
    """
    return find_project_file(path or os.environ.get("CRMREPORTS_STORE") or DEFAULT_STORE)


def find_project_file(path: str | os.PathLike) -> Path:
    """``path`` as given if it exists (or is absolute), else the first of the working directory's
    parents (up to three) where it exists: notebooks run from ``notebooks/`` find project files."""
    p = Path(path)
    if p.is_absolute() or p.exists():
        return p
    for parent in list(Path.cwd().parents)[:3]:
        if (parent / p).exists():
            return parent / p
    return p


def connect(path: str | os.PathLike, read_only: bool = True) -> duckdb.DuckDBPyConnection:
    """Open the store. A missing file is a :class:`StoreError` that says how to create one."""
    path = resolve_path(path) if read_only else Path(path)
    if read_only and not path.exists():
        raise StoreError(
            f"store {str(path)!r} does not exist; create it with `crmreports demo`, "
            "`crmreports sync` or `crmreports import`"
        )
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(path), read_only=read_only)
    except duckdb.Error as exc:
        raise StoreError(f"cannot open store {str(path)!r}: {exc}") from exc
    if not read_only:
        create_schema(con)
    return con


def store_version(path: str | os.PathLike) -> str:
    """A string that changes whenever the store's content may have changed (for output caching)."""
    st = Path(path).stat()
    return f"{st.st_size}-{st.st_mtime_ns}"
