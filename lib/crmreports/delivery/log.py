"""The delivery log: the table ``delivery_log`` in the store, one row per message sent (or failed).

A message is identified by (period, pack_version, channel, address, message_key); ``pack_version`` is a hash
of the cache keys of the documents the message carries, so a rebuilt document is a new version. A message
logged ``sent`` is not sent again unless the run resends. Each row is written (and committed) right after its
message went out, so a run that crashes midway leaves exactly the messages it sent in the log and the next
run sends the others. Rows are only appended; ``error`` texts are redacted before they get here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb

TABLE = "delivery_log"
COLUMNS = {
    "period": "VARCHAR",
    "pack_version": "VARCHAR",
    "recipient": "VARCHAR",
    "channel": "VARCHAR",
    "address": "VARCHAR",
    "message_key": "VARCHAR",
    "status": "VARCHAR",  # 'sent' or 'failed'
    "sent_at": "TIMESTAMP",  # UTC
    "error": "VARCHAR",
}
STATUSES = ("sent", "failed")


@dataclass(frozen=True)
class Entry:
    period: str
    pack_version: str
    recipient: str
    channel: str
    address: str
    message_key: str

    @property
    def identity(self) -> tuple[str, str, str, str, str]:
        return (self.period, self.pack_version, self.channel, self.address, self.message_key)


def ensure(con: duckdb.DuckDBPyConnection) -> None:
    """Create the table if the store has none yet."""
    cols = ", ".join(f'"{c}" {t}' for c, t in COLUMNS.items())
    con.execute(f'CREATE TABLE IF NOT EXISTS "{TABLE}" ({cols})')


def exists(con: duckdb.DuckDBPyConnection) -> bool:
    found = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = ? AND table_schema = current_schema()",
        [TABLE],
    ).fetchone()
    return bool(found and found[0])


def sent(con: duckdb.DuckDBPyConnection, period: str) -> set[tuple[str, str, str, str, str]]:
    """The identities of the messages of ``period`` logged as sent (empty when the table does not exist:
    a dry run on a store that never delivered)."""
    if not exists(con):
        return set()
    rows = con.execute(
        f'SELECT period, pack_version, channel, address, message_key FROM "{TABLE}" '
        "WHERE period = ? AND status = 'sent'",
        [period],
    ).fetchall()
    return {tuple(r) for r in rows}


def record(con: duckdb.DuckDBPyConnection, entry: Entry, status: str, error: str = "") -> None:
    """Append one row, committed at once."""
    if status not in STATUSES:
        raise ValueError(f"bad delivery status {status!r}; valid: {', '.join(STATUSES)}")
    now = datetime.now(UTC).replace(tzinfo=None)
    con.execute(
        f'INSERT INTO "{TABLE}" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
        [
            entry.period,
            entry.pack_version,
            entry.recipient,
            entry.channel,
            entry.address,
            entry.message_key,
            status,
            now,
            error or None,
        ],
    )


def rows(con: duckdb.DuckDBPyConnection, period: str | None = None) -> list[dict]:
    """The log's rows (of ``period``), oldest first."""
    if not exists(con):
        return []
    where, params = ("WHERE period = ?", [period]) if period else ("", [])
    cur = con.execute(f'SELECT * FROM "{TABLE}" {where} ORDER BY sent_at', params)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]
