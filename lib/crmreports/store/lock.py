"""The store's writer lock, and the checks every writer makes on the store's path before writing.

Every process that changes a store (``sync``, ``import``, ``demo``: :func:`crmreports.store.building`
and the sync) takes an exclusive ``flock`` on ``<store>.lock`` next to the store for as long as it
writes. A second writer does not wait: it fails at once with a :class:`~crmreports.store.StoreError`
that names the holder (what, process id, since when), so an ``import`` can never replace a store a
running sync is filling. The kernel releases the lock when its holder dies (``kill -9`` included);
the file itself stays, harmless, and keeps what the holder wrote in it (a small JSON document: who
holds it). :func:`holding` is the same lock on any file: the sync also takes one per amoCRM account
(``.sync-<host>.lock`` in the store's folder) that keeps its rate limiter's window across restarts.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import stat
import time
from collections.abc import Iterator
from pathlib import Path

from .schema import StoreError

DUCKDB_MAGIC = b"DUCK"  # bytes 8..12 of every DuckDB database file


def lock_path(store_path: str | os.PathLike) -> Path:
    """The lock file of a store: ``<store>.lock`` in the store's folder."""
    p = Path(store_path)
    return p.with_name(p.name + ".lock")


def is_duckdb_file(path: str | os.PathLike) -> bool:
    """True if ``path`` starts like a DuckDB database file."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(12)
    except OSError:
        return False
    return head[8:12] == DUCKDB_MAGIC


def _mode(path: Path) -> str:
    try:
        return oct(stat.S_IMODE(path.stat().st_mode))
    except OSError:
        return "?"


def _writable(path: Path) -> bool:
    """Writable by its mode bits (also for root, who ``os.access`` always lets write) and by ``os.access``."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return bool(mode & 0o222) and os.access(path, os.W_OK)


def check_writable(store_path: str | os.PathLike) -> Path:
    """Refuse, with a :class:`StoreError` that says what to do, a store path that must not be written:
    a directory, a file that is not a DuckDB store (a text file, say), a read-only store, or a store in
    a read-only or missing-and-uncreatable folder. Returns the path."""
    p = Path(store_path)
    if p.is_dir():
        raise StoreError(f"store {str(p)!r} is a directory; give the store's file, e.g. {str(p / 'crm.duckdb')!r}")
    if p.exists():
        if not p.is_file():
            raise StoreError(f"store {str(p)!r} is not a regular file; give a .duckdb file path")
        if p.stat().st_size > 0 and not is_duckdb_file(p):
            raise StoreError(
                f"{str(p)!r} exists and is not a DuckDB store (its first bytes are not a DuckDB header); "
                "refusing to replace it: give another --store path, or move the file away"
            )
        if not _writable(p):
            raise StoreError(
                f"store {str(p)!r} is read-only (mode {_mode(p)}); make it writable (chmod u+w) "
                "or give another --store path"
            )
    folder = p.parent if str(p.parent) else Path(".")
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if existing.exists() and not existing.is_dir():
        raise StoreError(f"cannot create store {str(p)!r}: {str(existing)!r} is a file, not a folder")
    if not _writable(existing):
        raise StoreError(
            f"cannot write store {str(p)!r}: the folder {str(existing)!r} is read-only (mode {_mode(existing)}); "
            "make it writable or give another --store path"
        )
    return p


def read_lock_info(store_path: str | os.PathLike) -> dict:
    """What the store's lock file says (its holder); {} if absent or unreadable."""
    return _read(lock_path(store_path))


class StoreLock:
    """A held store lock. ``info`` is the JSON kept in the lock file; :meth:`save` rewrites it."""

    def __init__(self, path: Path, fd: int, info: dict):
        self.path, self.fd, self.info = path, fd, info

    def save(self) -> None:
        data = json.dumps(self.info).encode()
        os.lseek(self.fd, 0, os.SEEK_SET)
        os.ftruncate(self.fd, 0)
        os.write(self.fd, data)


@contextlib.contextmanager
def writing(store_path: str | os.PathLike, what: str) -> Iterator[StoreLock]:
    """Hold the store's writer lock while the block runs (see the module docstring). ``what`` names the
    writer in the message another writer gets (``sync``, ``import``, ``demo``)."""
    p = check_writable(store_path)
    with holding(lock_path(p), what, f"store {str(p)!r} is being written by") as lock:
        yield lock


@contextlib.contextmanager
def holding(lp: Path, what: str, busy: str) -> Iterator[StoreLock]:
    """An exclusive, non-blocking ``flock`` on the file ``lp`` (created if need be). If another process
    holds it: a :class:`StoreError` "``busy`` <its what>, process N, since T; nothing was changed"."""
    try:
        lp.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(lp, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise StoreError(f"cannot create the lock file {str(lp)!r}: {exc.strerror}") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise
            held = _read(lp)
            who = held.get("what") or "another process"
            pid = f", process {held['pid']}" if held.get("pid") else ""
            since = (
                f", since {time.strftime('%Y-%m-%d %H:%M:%S', time.localtime(held['since']))}"
                if held.get("since")
                else ""
            )
            raise StoreError(
                f"{busy} {who}{pid}{since}; nothing was changed. Run again when it has finished "
                f"(the lock is {str(lp)!r})"
            ) from None
        info = _read(lp)
        info.update({"what": what, "pid": os.getpid(), "since": time.time()})
        lock = StoreLock(lp, fd, info)
        with contextlib.suppress(OSError):
            lock.save()
        try:
            yield lock
        finally:
            for k in ("what", "pid", "since"):
                lock.info.pop(k, None)
            with contextlib.suppress(OSError):
                lock.save()
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _read(lp: Path) -> dict:
    try:
        return json.loads(lp.read_text() or "{}")
    except (OSError, ValueError):
        return {}
