"""The local DuckDB store: schema, atomic full writes, transactional upserts, filtered reads, the
derived tables kept from the change log, and the public SQL helpers the report queries share.

Timestamps are stored as naive UTC ``TIMESTAMP``. Readers convert them to the account's timezone
(``read_*`` functions return naive *local* timestamps, which is what period bounds are in).
"""

from . import lock
from .access import (
    StoreData,
    building,
    insert,
    lead_filter,
    load,
    read_account,
    read_table,
    to_local,
    upsert,
    write_full,
)
from .files import connect, find_project_file, resolve_path, store_version
from .schema import (
    DEFAULT_STORE,
    KEYS,
    LOST_STATUS_ID,
    SCHEMA,
    TIMESTAMP_COLUMNS,
    WON_STATUS_ID,
    StoreError,
    conform,
    create_schema,
    data_end,
)

WON, LOST = WON_STATUS_ID, LOST_STATUS_ID

__all__ = [
    "DEFAULT_STORE",
    "KEYS",
    "LOST",
    "LOST_STATUS_ID",
    "SCHEMA",
    "TIMESTAMP_COLUMNS",
    "WON",
    "WON_STATUS_ID",
    "StoreData",
    "StoreError",
    "building",
    "conform",
    "connect",
    "create_schema",
    "data_end",
    "find_project_file",
    "insert",
    "lock",
    "lead_filter",
    "load",
    "read_account",
    "read_table",
    "resolve_path",
    "store_version",
    "to_local",
    "upsert",
    "write_full",
]
