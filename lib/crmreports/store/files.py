"""Finding and opening the store file."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from ..core.environment import KEEP_OPEN
from .schema import DEFAULT_STORE, StoreError, create_schema

PROJECT_ROOT = Path(__file__).resolve().parents[3]  # a source checkout: the folder of pyproject.toml


def requested_path(path: str | os.PathLike | None = None) -> str:
    """The store path asked for: ``path``, else ``$CRMREPORTS_STORE``, else ``data/crm.duckdb``. The default
    ``data/crm.duckdb`` given as ``path`` (a notebook's parameter left as it is) yields to ``$CRMREPORTS_STORE``."""
    env = os.environ.get("CRMREPORTS_STORE", "")
    if not path or (env and str(path) == DEFAULT_STORE):
        return env or DEFAULT_STORE
    return str(path)


def resolve_path(path: str | os.PathLike | None = None) -> Path:
    """The store file to use (:func:`requested_path`), as :func:`store_candidates` finds it.

    A relative path that does not exist from the working directory is also looked up from its parents
    (a notebook opened in ``notebooks/``) and then from the project root, so ``papermill notebooks/calls.ipynb``
    run from any folder finds the project's ``data/crm.duckdb`` as the notebook's comment says.
    """
    candidates = store_candidates(path)
    return next((c for c in candidates if c.exists()), Path(requested_path(path)))


def store_candidates(path: str | os.PathLike | None = None) -> list[Path]:
    """Where :func:`resolve_path` looks, in order: the path as given (absolute, or from the working directory),
    from up to three parents of the working directory, then from the project root (a source checkout)."""
    p = Path(requested_path(path)).expanduser()
    if p.is_absolute():
        return [p]
    found = [p, *(parent / p for parent in list(Path.cwd().parents)[:3])]
    if (PROJECT_ROOT / "pyproject.toml").is_file():
        found.append(PROJECT_ROOT / p)
    unique = {}
    for c in found:
        unique.setdefault(c.absolute(), c)
    return list(unique.values())


def missing_store_message(path: str | os.PathLike | None) -> str:
    """A missing store: the paths tried and what to set."""
    tried = ", ".join(str(c.absolute()) for c in store_candidates(path))
    return (
        f"store {requested_path(path)!r} does not exist (looked for {tried}); set the notebook's `store` parameter "
        "(papermill -p store PATH), `--store PATH` or CRMREPORTS_STORE to the store file, or create it with "
        "`crmreports demo`, `crmreports sync` or `crmreports import`"
    )


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
    given = path
    path = resolve_path(path) if read_only else Path(path)
    if read_only and not path.exists():
        raise StoreError(missing_store_message(given))
    if path.is_dir():
        raise StoreError(
            f"store {str(path)!r} is a directory; give the store's file, e.g. {str(path / 'crm.duckdb')!r}"
        )
    if path.exists() and path.stat().st_size > 0 and not _looks_like_duckdb(path):
        raise StoreError(
            f"{str(path)!r} is not a DuckDB store; create one with `crmreports demo`, `sync` or `import`, "
            "or give another --store path"
        )
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
        release_kept(path)  # a read-only connection kept open here would stop this one
    elif os.environ.get(KEEP_OPEN) == "1":
        return _kept_cursor(path)
    con = _open(path, read_only)
    if not read_only:
        create_schema(con)
    return con


def _open(path: Path, read_only: bool) -> duckdb.DuckDBPyConnection:
    """DuckDB's connection to ``path``; read-only, it must hold a store (the account table every writer makes)."""
    try:
        con = duckdb.connect(str(path), read_only=read_only)
    except duckdb.Error as exc:
        raise StoreError(f"cannot open store {str(path)!r}: {exc}") from exc
    if read_only and not _has_tables(con):
        con.close()
        raise StoreError(
            f"{str(path)!r} is a DuckDB file but not a crmreports store (it has no account table); "
            "load an account into it with `crmreports demo`, `sync` or `import`"
        )
    return con


# --- read-only connections kept open within a document -------------------------------------------------------------
# Opening the store costs 20 ms (DuckDB reads its catalogue), and a report opens it two to four times (the parameter
# checks, the report's read, the task rules). A process with KEEP_OPEN=1 in its environment (the kernels the pack
# and ``crmreports run`` start) opens each store file once and hands out cursors of that connection, which their
# callers close as before; the file is opened again when it changed (another inode, size or time). The kernel
# releases it between documents (its reset calls :func:`release_kept`), so no kernel holds a store open while it
# waits, which would stop a writer. An analyst's own notebook kernel keeps nothing open.
_kept: dict[str, tuple[tuple, duckdb.DuckDBPyConnection]] = {}


def _kept_cursor(path: Path) -> duckdb.DuckDBPyConnection:
    st = path.stat()
    key, ident = str(path.resolve()), (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)
    found = _kept.get(key)
    if found is not None and found[0] != ident:
        release_kept(path)
        found = None
    if found is None:
        found = _kept[key] = (ident, _open(path, read_only=True))
    return found[1].cursor()


def release_kept(path: str | os.PathLike | None = None) -> None:
    """Close the kept connection of ``path`` (every one when None); see :data:`KEEP_OPEN`."""
    keys = [str(Path(path).resolve())] if path is not None else list(_kept)
    for key in keys:
        found = _kept.pop(key, None)
        if found is not None:
            try:
                found[1].close()
            except duckdb.Error:
                pass


# --- the store's content version (what the pack cache keys on) ----------------------------------------------------
# Every writer stamps the store with a hash of its content (:func:`stamp_version`): the full writes
# (:func:`crmreports.store.building`: the demo, the importers, the scale store) when the new store is complete, the
# sync when it has stored what it fetched; :func:`crmreports.store.insert` (every upsert) clears the stamp first, so a
# writer that stops half way leaves no stamp that no longer fits. The hash covers the account's data (every table of
# SCHEMA but sync_state's bookkeeping), not the derived tables (a function of the change log and the library, which
# the cache key covers by its code hash), nor the delivery log: two stores with the same data have the same version
# whenever and however often they were written, so `make demo` twice rebuilds nothing.

VERSION_TABLE = "store_version"  # one row: the content hash of the data tables, as its writer left it
UNVERSIONED = frozenset({"sync_state"})  # bookkeeping of the sync, not data a report shows


def content_hash(con: duckdb.DuckDBPyConnection) -> str:
    """A hash of every data table's rows (row count and the sum of the rows' hashes per table: independent of the
    rows' order and of how the file was written). About 30 ms for the 20,000-deal demo store."""
    import hashlib

    from .schema import SCHEMA

    present = {
        r[0]
        for r in con.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'").fetchall()
    }
    h = hashlib.sha256()
    for table in SCHEMA:
        if table in UNVERSIONED or table not in present:
            continue
        ((n, total),) = con.execute(f'SELECT count(*), coalesce(sum(hash(t)), 0) FROM "{table}" t').fetchall()
        h.update(f"{table}:{n}:{total};".encode())
    return h.hexdigest()[:32]


def stamp_version(con: duckdb.DuckDBPyConnection) -> str:
    """Record the store's content version (:func:`content_hash`) in it; a writer calls this when it is done."""
    version = content_hash(con)
    con.execute(f'CREATE TABLE IF NOT EXISTS "{VERSION_TABLE}" (version VARCHAR)')
    con.execute(f'DELETE FROM "{VERSION_TABLE}"')
    con.execute(f'INSERT INTO "{VERSION_TABLE}" VALUES (?)', [version])
    return version


def clear_version(con: duckdb.DuckDBPyConnection) -> None:
    """Forget the stamp (a writer is changing the data; it stamps again when it is done)."""
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'main' AND table_name = ?",
        [VERSION_TABLE],
    ).fetchall()[0][0]  # fetchall: an unfinished result would block the writer's next statement
    if exists:
        con.execute(f'DELETE FROM "{VERSION_TABLE}"')


_versions: dict[tuple, str] = {}  # (path, inode, size, mtime) -> version: read once per file state and process


def store_version(path: str | os.PathLike) -> str:
    """The store's content version for output caching: ``c-<hash>`` of its data (:func:`content_hash`), as its
    writer stamped it, or computed here when no writer did (a store of an older version, or one a sync left half
    way); ``f-<size>-<mtime>`` only when the store cannot be opened to read it (a writer holds it)."""
    p = Path(path)
    st = p.stat()
    ident = (str(p.absolute()), st.st_ino, st.st_size, st.st_mtime_ns)
    if ident in _versions:
        return _versions[ident]
    try:
        con = duckdb.connect(str(p), read_only=True)
    except duckdb.Error as exc:
        import logging

        logging.getLogger("crmreports.store").debug("store version of %s from its file: %s", p, exc)
        return f"f-{st.st_size}-{st.st_mtime_ns}"
    try:
        try:
            row = con.execute(f'SELECT max(version) FROM "{VERSION_TABLE}"').fetchall()[0]
        except duckdb.Error:
            row = None
        version = row[0] if row and row[0] else content_hash(con)
    except duckdb.Error:
        return f"f-{st.st_size}-{st.st_mtime_ns}"
    finally:
        con.close()
    _versions[ident] = f"c-{version}"
    return _versions[ident]


def _looks_like_duckdb(path: Path) -> bool:
    from .lock import is_duckdb_file

    return is_duckdb_file(path)


def _has_tables(con: duckdb.DuckDBPyConnection) -> bool:
    """True if the store has the ``account`` table every writer creates."""
    try:
        n = con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'account' AND table_schema = 'main'"
        ).fetchone()[0]
    except duckdb.Error:
        return False
    return bool(n)


STALE_AFTER = 300.0  # seconds after which a temporary store file nobody writes is a leftover


def remove_stale_temporaries(store_path: str | os.PathLike, older_than: float = STALE_AFTER) -> list[Path]:
    """Remove the temporary stores a killed writer left next to ``store_path``: ``<store>.XXXXXXXX.tmp``,
    its ``.wal`` and DuckDB's spill folder ``.tmp.tmp``, when not modified for ``older_than`` seconds.
    Called by every full write while it holds the store's writer lock, so no live writer owns them (the
    age is a second guard). Returns what was removed."""
    import re
    import shutil
    import time

    p = Path(store_path)
    pattern = re.compile(re.escape(p.name) + r"\.[a-z0-9_]{8}\.tmp(\.wal|\.tmp)?")
    removed = []
    now = time.time()
    try:
        candidates = [c for c in p.parent.iterdir() if pattern.fullmatch(c.name)]
    except OSError:
        return removed
    for c in candidates:
        try:
            if now - c.stat().st_mtime <= older_than:
                continue
            if c.is_dir():
                shutil.rmtree(c)
            else:
                c.unlink()
            removed.append(c)
        except OSError:
            continue
    return removed
