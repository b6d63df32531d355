"""The store's schema: tables, keys, timestamp columns, amoCRM's status constants, and the account's data end."""

from __future__ import annotations

import duckdb
import pandas as pd

DEFAULT_STORE = "data/crm.duckdb"

# amoCRM's closed stages: the same ids in every pipeline
WON_STATUS_ID = 142
LOST_STATUS_ID = 143


# table -> ordered {column: DuckDB type}. The first column(s) listed in KEYS form the primary key.
SCHEMA: dict[str, dict[str, str]] = {
    "account": {
        "id": "BIGINT",
        "subdomain": "VARCHAR",
        "name": "VARCHAR",
        "timezone": "VARCHAR",
        "currency": "VARCHAR",
        "synced_at": "TIMESTAMP",
        "source": "VARCHAR",
    },
    "users": {
        "id": "BIGINT",
        "name": "VARCHAR",
        "email": "VARCHAR",
        "group_id": "BIGINT",
        "group_name": "VARCHAR",
        "is_active": "BOOLEAN",
    },
    "pipelines": {"id": "BIGINT", "name": "VARCHAR", "is_main": "BOOLEAN", "sort": "INTEGER"},
    "statuses": {
        "id": "BIGINT",
        "pipeline_id": "BIGINT",
        "name": "VARCHAR",
        "sort": "INTEGER",
        "kind": "VARCHAR",
    },
    "leads": {
        "id": "BIGINT",
        "name": "VARCHAR",
        "price": "DOUBLE",
        "pipeline_id": "BIGINT",
        "status_id": "BIGINT",
        "responsible_user_id": "BIGINT",
        "group_id": "BIGINT",
        "source_id": "BIGINT",
        "source": "VARCHAR",
        "loss_reason_id": "BIGINT",
        "tags": "VARCHAR",
        "contact_id": "BIGINT",
        "company_id": "BIGINT",
        "created_by": "BIGINT",
        "created_at": "TIMESTAMP",
        "updated_at": "TIMESTAMP",
        "closed_at": "TIMESTAMP",
        "is_deleted": "BOOLEAN",
    },
    "stage_changes": {
        "id": "VARCHAR",
        "lead_id": "BIGINT",
        "at": "TIMESTAMP",
        "from_pipeline_id": "BIGINT",
        "from_status_id": "BIGINT",
        "to_pipeline_id": "BIGINT",
        "to_status_id": "BIGINT",
        "user_id": "BIGINT",
    },
    "responsible_changes": {
        "id": "VARCHAR",
        "lead_id": "BIGINT",
        "at": "TIMESTAMP",
        "from_user_id": "BIGINT",
        "to_user_id": "BIGINT",
        "user_id": "BIGINT",
    },
    "unsorted": {
        "uid": "VARCHAR",
        "source_name": "VARCHAR",
        "category": "VARCHAR",
        "pipeline_id": "BIGINT",
        "created_at": "TIMESTAMP",
        "outcome": "VARCHAR",
        "decided_at": "TIMESTAMP",
        "decided_by": "BIGINT",
        "lead_id": "BIGINT",
        "contact_id": "BIGINT",
    },
    "calls": {
        "id": "BIGINT",
        "direction": "VARCHAR",
        "user_id": "BIGINT",
        "lead_id": "BIGINT",
        "contact_id": "BIGINT",
        "duration_s": "INTEGER",
        "status": "VARCHAR",
        "is_answered": "BOOLEAN",
        "phone": "VARCHAR",
        "at": "TIMESTAMP",
    },
    "tasks": {
        "id": "BIGINT",
        "type": "VARCHAR",
        "task_type_id": "BIGINT",
        "responsible_user_id": "BIGINT",
        "entity": "VARCHAR",
        "entity_id": "BIGINT",
        "created_at": "TIMESTAMP",
        "complete_till": "TIMESTAMP",
        "is_completed": "BOOLEAN",
        "completed_at": "TIMESTAMP",
        "text": "VARCHAR",
    },
    "loss_reasons": {"id": "BIGINT", "name": "VARCHAR", "sort": "INTEGER"},
    "sources": {"id": "BIGINT", "name": "VARCHAR", "pipeline_id": "BIGINT"},
    # clients (GET /api/v4/contacts, /api/v4/companies); importers without such data leave them empty
    "contacts": {
        "id": "BIGINT",
        "name": "VARCHAR",
        "responsible_user_id": "BIGINT",
        "created_by": "BIGINT",
        "created_at": "TIMESTAMP",
        "updated_at": "TIMESTAMP",
        "phone": "VARCHAR",  # the first phone of the contact's PHONE field
        "email": "VARCHAR",  # the first e-mail of its EMAIL field
        "company_id": "BIGINT",  # the first company the contact is linked to
        "is_deleted": "BOOLEAN",
    },
    "companies": {
        "id": "BIGINT",
        "name": "VARCHAR",
        "responsible_user_id": "BIGINT",
        "created_at": "TIMESTAMP",
        "updated_at": "TIMESTAMP",
        "is_deleted": "BOOLEAN",
    },
    "sync_state": {
        "entity": "VARCHAR",
        "high_water": "BIGINT",
        "last_run": "TIMESTAMP",
        "status": "VARCHAR",
    },
}


KEYS: dict[str, tuple[str, ...]] = {
    "account": ("id",),
    "users": ("id",),
    "pipelines": ("id",),
    "statuses": ("pipeline_id", "id"),
    "leads": ("id",),
    "stage_changes": ("id",),
    "responsible_changes": ("id",),
    "unsorted": ("uid",),
    "calls": ("id",),
    "tasks": ("id",),
    "loss_reasons": ("id",),
    "sources": ("id",),
    "contacts": ("id",),
    "companies": ("id",),
    "sync_state": ("entity",),
}


TIMESTAMP_COLUMNS = {t: [c for c, ty in cols.items() if ty == "TIMESTAMP"] for t, cols in SCHEMA.items()}


class StoreError(RuntimeError):
    """The store file is missing, unreadable or not a crmreports store."""


def create_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create every table of :data:`SCHEMA` that does not exist yet."""
    for table, cols in SCHEMA.items():
        col_sql = ", ".join(f'"{c}" {t}' for c, t in cols.items())
        key_sql = ", ".join(f'"{k}"' for k in KEYS[table])
        con.execute(f'CREATE TABLE IF NOT EXISTS "{table}" ({col_sql}, PRIMARY KEY ({key_sql}))')


def conform(table: str, df: pd.DataFrame | None) -> pd.DataFrame:
    """Return ``df`` with exactly the schema's columns, in order, with missing ones as nulls."""
    cols = SCHEMA[table]
    if df is None:
        df = pd.DataFrame()
    unknown = set(df.columns) - set(cols)
    if unknown:
        raise ValueError(f"table {table!r}: unknown columns {sorted(unknown)}; valid: {list(cols)}")
    out = pd.DataFrame(
        {c: df[c] if c in df.columns else pd.Series([None] * len(df), dtype=object) for c in cols}, index=df.index
    ).reset_index(drop=True)
    for c in TIMESTAMP_COLUMNS[table]:
        out[c] = pd.to_datetime(out[c], utc=True).dt.tz_localize(None) if len(out) else pd.to_datetime(out[c])
    return out


def data_end(account: pd.Series) -> pd.Timestamp:
    """The account's sync time in its local timezone (naive)."""
    tz = str(account.get("timezone") or "UTC")
    synced = pd.Timestamp(account.get("synced_at"))
    if pd.isna(synced):
        return pd.Timestamp.now(tz=tz).tz_localize(None)
    return synced.tz_localize("UTC").tz_convert(tz).tz_localize(None)
