"""The marketing report's read: the scope's deals (every period: the client figures need each client's whole
history) with only the columns the metrics use, each with its channel (the lead source from the account's
configured field) and its client (company, else contact); the names of the clients; the account's spend.

Which lead field holds the source is set per account in ``params/marketing.yaml``::

    source_field: source             # every account: amoCRM's lead source (the default)
    accounts:                        # per account, by subdomain, name, or "demo"
      mycompany: {source_field: utm_source}

``source`` is the lead's source as amoCRM keeps it (``leads.source``; for imports the mapped source column, e.g.
Olist's ``origin``), ``tags`` the lead's first tag; any other name is a custom field of the lead (its
``field_code`` or ``field_name``, e.g. ``utm_source`` or «Источник»), read from the lead records the API sync
keeps (``sync_raw``): a store loaded from files or the demo has none, which is an error naming the parameter.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ... import store
from ...core.periods import Period
from ...core.scopes import ParameterError
from ...sources import spend as spend_files
from ...store.sql import read_frame
from . import metrics

CONFIG = "params/marketing.yaml"
DEFAULT_FIELD = "source"
BUILTIN_FIELDS = ("source", "tags")
LEAD_COLUMNS = [
    "id",
    "name",
    "price",
    "pipeline_id",
    "status_id",
    "responsible_user_id",
    "source",
    "tags",
    "contact_id",
    "company_id",
    "created_at",
    "closed_at",
]


@dataclass(frozen=True)
class MarketingData(store.StoreData):
    """:class:`store.StoreData` with the prepared deals, the client names and the spend."""

    source_field: str = DEFAULT_FIELD
    spend: spend_files.SpendData = field(default_factory=lambda: spend_files.SpendData(spend_files.empty()))
    client_names: dict = field(default_factory=dict)  # client key -> name
    has_clients: bool = False  # the store holds contacts or companies


def source_field_for(account: pd.Series, config: str | None = None, override: str = "") -> str:
    """The lead field that holds the source for this account: ``override`` (the notebook's parameter), else
    ``params/marketing.yaml``'s entry for the account (by subdomain, name or ``demo``), else its
    ``source_field``, else ``source``."""
    if override:
        return override
    path = store.find_project_file(config or CONFIG)
    if not Path(path).exists():
        return DEFAULT_FIELD
    import yaml

    try:
        doc = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ParameterError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(doc, dict):
        raise ParameterError(f"{path}: valid: a mapping with source_field and accounts")
    accounts = doc.get("accounts") or {}
    keys = [spend_files.account_key(account), str(account.get("subdomain") or ""), str(account.get("name") or "")]
    for k in keys:
        entry = accounts.get(k) if k else None
        if isinstance(entry, dict) and entry.get("source_field"):
            return str(entry["source_field"])
    return str(doc.get("source_field") or DEFAULT_FIELD)


def _custom_field(con, name: str, ids: pd.Series) -> pd.Series:
    """The value of the lead custom field ``name`` (field code or name, case-insensitive) per lead id, from the
    synced API records; a ParameterError when the store has none."""
    has_raw = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'sync_raw' AND table_schema = 'main'"
    ).fetchone()[0]
    if not has_raw:
        raise ParameterError(
            f"source_field {name!r}: a custom field is read from the lead records of an API sync, and this store "
            f"was not synced from the API; valid here: {', '.join(BUILTIN_FIELDS)} (params/marketing.yaml or the "
            "notebook's source_field parameter)"
        )
    want = name.strip().lower()
    out = {}
    for lid, body in con.execute("SELECT CAST(id AS BIGINT), body FROM sync_raw WHERE entity = 'leads'").fetchall():
        for f in json.loads(body).get("custom_fields_values") or []:
            if want in (str(f.get("field_code") or "").lower(), str(f.get("field_name") or "").lower()):
                vals = [v.get("value") for v in f.get("values") or [] if v.get("value") not in (None, "")]
                if vals:
                    out[lid] = str(vals[0])
                break
    return ids.map(out)


def prepare(leads: pd.DataFrame, statuses: pd.DataFrame, channel: pd.Series) -> pd.DataFrame:
    """The deals as the metrics want them (see :mod:`.metrics`): ``kind``, ``channel`` and ``client`` added."""
    kind = dict(zip(zip(statuses["pipeline_id"], statuses["id"]), statuses["kind"]))
    out = leads.copy()
    out["kind"] = [kind.get((p, s), "open") for p, s in zip(out["pipeline_id"], out["status_id"])]
    ch = channel.astype(object).where(channel.notna(), None).map(lambda v: str(v).strip() if v is not None else "")
    out["channel"] = ch.where(ch != "", metrics.NO_SOURCE).values
    company = out["company_id"].map(lambda v: None if pd.isna(v) else f"company:{int(v)}")
    contact = out["contact_id"].map(lambda v: None if pd.isna(v) else f"contact:{int(v)}")
    out["client"] = company.where(company.notna(), contact)
    return out


def load_marketing(
    path: str,
    period: Period,
    pipeline_ids: list[int] | None = None,
    user_ids: list[int] | None = None,
    source_field: str = "",
    spend: str | None = None,
    config: str | None = None,
) -> MarketingData:
    """Read the scope's deals (filters pushed into DuckDB), the client names and the spend."""
    con = store.connect(path, read_only=True)
    try:
        account = store.read_account(con)
        tz = str(account.get("timezone") or "UTC")
        ref = {name: store.read_table(con, name, tz=tz) for name in ("users", "pipelines", "statuses", "loss_reasons")}
        where, params = store.lead_filter(pipeline_ids, user_ids)
        cols = ", ".join(f'"{c}"' for c in LEAD_COLUMNS)
        leads = read_frame(
            con, f"SELECT {cols} FROM leads WHERE {where} ORDER BY id", params, "leads", LEAD_COLUMNS, tz
        )
        fld = source_field_for(account, config, source_field)
        if fld == "source":
            channel = leads["source"]
        elif fld == "tags":
            channel = leads["tags"].map(lambda v: str(v).split(",")[0].strip() if isinstance(v, str) and v else None)
        else:
            channel = _custom_field(con, fld, leads["id"])
        names = {}
        n_clients = 0
        present = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        for table, prefix in (("contacts", "contact"), ("companies", "company")):
            if table not in present:  # a store written before the clients' tables existed
                continue
            df = con.execute(f"SELECT id, name FROM {table}").df()
            n_clients += len(df)
            names.update({f"{prefix}:{int(i)}": n for i, n in zip(df["id"], df["name"]) if isinstance(n, str)})
    finally:
        con.close()
    sp = spend_files.load_account_spend(account, spend)
    prepared = prepare(leads, ref["statuses"], channel)
    return MarketingData(
        account=account,
        users=ref["users"],
        pipelines=ref["pipelines"],
        statuses=ref["statuses"],
        leads=prepared,
        stage_changes=store.conform("stage_changes", None),
        loss_reasons=ref["loss_reasons"],
        tables={**ref, "leads": prepared},
        source_field=fld,
        spend=sp,
        client_names=names,
        has_clients=n_clients > 0,
    )
