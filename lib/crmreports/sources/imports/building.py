"""Turn validated, parsed rows into store tables (the same tables a sync writes).

Deal rows (one per deal, current stage only) become pipelines, statuses, users, sources, loss
reasons, leads and a *minimal* stage history. What is synthesized, exactly:

- a ``lead_added`` row at the deal's created date, into the deal's current stage for open deals and
  into an unknown stage (NULL) for closed deals, because the export does not say where they started;
- for won/lost deals with a close date, one move to won (142) / lost (143) at the close date, *from an
  unknown stage* (``from_status_id`` NULL), because the export does not say which stage they left.

Nothing else: no intermediate moves, no stage entry times. With every ``from_status_id`` NULL the
sales report sees "no stage history" and leaves funnel and time in stage out, saying why, and losses
by stage show "stage unknown". ``history="first_stage"`` (allowed only for a pipeline with a single
open stage, where it is a fact, e.g. Olist's MQL → won) starts every deal in that stage and closes it
from there.

Timestamps in the files are local time of the account's timezone; the store keeps UTC.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..mapping import LOST_STATUS_ID, WON_STATUS_ID
from .parsing import to_utc

KINDS = ("open", "won", "lost", "unsorted")
FIRST_OPEN_STATUS_ID = 1001  # open/unsorted stages get 1001, 1002, ... (unique across pipelines, like amoCRM)
DEAL_FIELDS = [
    "id",
    "name",
    "price",
    "pipeline",
    "stage",
    "kind",
    "responsible",
    "group",
    "created_at",
    "closed_at",
    "updated_at",
    "source",
    "loss_reason",
    "tags",
    "company",
    "contact",
]


@dataclass(frozen=True)
class Account:
    name: str
    timezone: str
    currency: str
    source: str  # e.g. "import:amocrm", "import:maven"


def id_map(values: pd.Series) -> dict:
    """Source ids to store ids: the integers themselves when every id is a whole number, else 1, 2, ...
    in order of first appearance."""
    uniq = pd.unique(values.dropna().astype(str))
    if len(uniq) and all(v.isdigit() and len(v) < 18 for v in uniq):
        return {v: int(v) for v in uniq}
    return {v: i + 1 for i, v in enumerate(uniq)}


def name_ids(names) -> dict[str, int]:
    """Names to ids 1, 2, ... in sorted order (deterministic whatever the row order)."""
    clean = sorted({str(n) for n in names if n is not None and not (isinstance(n, float) and np.isnan(n))})
    return {n: i + 1 for i, n in enumerate(clean)}


def users_table(names, groups: dict[str, str] | None = None) -> tuple[pd.DataFrame, dict[str, int]]:
    ids = name_ids(names)
    groups = groups or {}
    gids = name_ids(groups.values())
    rows = [
        {
            "id": i,
            "name": n,
            "email": None,
            "group_id": gids.get(groups.get(n)),
            "group_name": groups.get(n),
            "is_active": True,
        }
        for n, i in ids.items()
    ]
    return pd.DataFrame(rows, columns=["id", "name", "email", "group_id", "group_name", "is_active"]), ids


def pipelines_and_statuses(stages: list[tuple[str, str, str]]) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """``stages``: (pipeline, stage name, kind) with open stages in funnel order.

    Returns pipelines, statuses and {(pipeline, stage name): (pipeline_id, status_id)}.
    """
    pipes: dict[str, int] = {}
    prow, srow, ids = [], [], {}
    next_id = FIRST_OPEN_STATUS_ID
    per_pipe_sort: dict[str, int] = {}
    for pipe, name, kind in stages:
        if pipe not in pipes:
            pipes[pipe] = len(pipes) + 1
            prow.append({"id": pipes[pipe], "name": pipe, "is_main": len(pipes) == 1, "sort": len(pipes)})
        pid = pipes[pipe]
        if (pipe, name) in ids:
            continue
        if kind == "won":
            sid, sort = WON_STATUS_ID, 10000
        elif kind == "lost":
            sid, sort = LOST_STATUS_ID, 11000
        else:
            sid, next_id = next_id, next_id + 1
            per_pipe_sort[pipe] = per_pipe_sort.get(pipe, 0) + 10
            sort = 0 if kind == "unsorted" else per_pipe_sort[pipe]
        if any(r["pipeline_id"] == pid and r["id"] == sid for r in srow):
            ids[(pipe, name)] = (pid, sid)  # a second name for won/lost in the same pipeline
            continue
        srow.append({"id": sid, "pipeline_id": pid, "name": name, "sort": sort, "kind": kind})
        ids[(pipe, name)] = (pid, sid)
    for _pipe, pid in pipes.items():  # every amoCRM pipeline has 142 and 143
        for sid, name, kind, sort in (
            (WON_STATUS_ID, "Успешно реализовано", "won", 10000),
            (LOST_STATUS_ID, "Закрыто и не реализовано", "lost", 11000),
        ):
            if not any(r["pipeline_id"] == pid and r["id"] == sid for r in srow):
                srow.append({"id": sid, "pipeline_id": pid, "name": name, "sort": sort, "kind": kind})
    return (
        pd.DataFrame(prow, columns=["id", "name", "is_main", "sort"]),
        pd.DataFrame(srow, columns=["id", "pipeline_id", "name", "sort", "kind"]),
        ids,
    )


def ref_table(names, extra: dict | None = None) -> tuple[pd.DataFrame, dict[str, int]]:
    """A small id/name reference table (sources, loss reasons) from the names used."""
    ids = name_ids(names)
    rows = [{"id": i, "name": n, **(extra or {})} for n, i in ids.items()]
    return pd.DataFrame(rows, columns=["id", "name", *(extra or {})]), ids


def client_table(names: pd.Series, leads: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    """The ``contacts`` or ``companies`` rows of the client names a file gives per deal (ids 1, 2, ... by
    name; a client exists from its first deal on and belongs to the manager of its latest deal), and each
    deal's client id. A file without such names gives no rows."""
    clean = names.where(names.notna() & (names.astype(str).str.strip() != ""))
    ids = name_ids(clean)
    cid = clean.map(ids)
    g = leads.assign(_client=cid.values).dropna(subset=["_client"]).sort_values("created_at", kind="stable")
    if g.empty:
        return pd.DataFrame(columns=["id", "name"]), cid
    by = g.groupby("_client")
    names_by_id = {i: n for n, i in ids.items()}
    index = by.size().index.astype("int64")
    rows = pd.DataFrame(
        {
            "id": index,
            "name": [names_by_id[i] for i in index],
            "responsible_user_id": by["responsible_user_id"].last().values,
            "created_at": by["created_at"].min().values,
            "updated_at": by["updated_at"].max().values,
            "is_deleted": False,
        }
    )
    return rows, cid


def deal_tables(
    deals: pd.DataFrame,
    stages: list[tuple[str, str, str]],
    account: Account,
    history: str = "none",
    users: pd.DataFrame | None = None,
    user_groups: dict[str, str] | None = None,
) -> dict[str, pd.DataFrame]:
    """Store tables from deal rows (columns :data:`DEAL_FIELDS`, naive local timestamps)."""
    d = deals.reindex(columns=DEAL_FIELDS).copy()
    known = set((p, n) for p, n, _ in stages)
    extra = d.loc[
        ~pd.Series(list(zip(d["pipeline"], d["stage"])), index=d.index).isin(known), ["pipeline", "stage", "kind"]
    ].drop_duplicates()
    all_stages = list(stages) + [tuple(r) for r in extra.itertuples(index=False)]
    pipelines, statuses, sids = pipelines_and_statuses(all_stages)
    if users is None:
        users, uids = users_table(d["responsible"], user_groups)
    else:
        uids = dict(zip(users["name"], users["id"]))
    sources, src_ids = ref_table(d["source"], {"pipeline_id": None})
    reasons, reason_ids = ref_table(d["loss_reason"], {"sort": None})
    reasons["sort"] = reasons["id"] * 10
    lead_ids = id_map(d["id"])
    tz = account.timezone
    loc = [sids[(p, s)] for p, s in zip(d["pipeline"], d["stage"])]
    closed = d["kind"].isin(["won", "lost"])
    status = [
        WON_STATUS_ID if k == "won" else LOST_STATUS_ID if k == "lost" else sid for k, (_, sid) in zip(d["kind"], loc)
    ]
    leads = pd.DataFrame(
        {
            "id": d["id"].astype(str).map(lead_ids).astype("int64"),
            "name": d["name"].where(d["name"].notna(), d["id"].astype(str)),
            "price": pd.to_numeric(d["price"], errors="coerce"),
            "pipeline_id": [p for p, _ in loc],
            "status_id": status,
            "responsible_user_id": d["responsible"].map(uids),
            "group_id": None,
            "source_id": d["source"].map(src_ids),
            "source": d["source"],
            "loss_reason_id": d["loss_reason"].map(reason_ids).where(d["kind"] == "lost"),
            "tags": d["tags"],
            "contact_id": None,
            "company_id": None,
            "created_by": None,
            "created_at": to_utc(d["created_at"], tz),
            "updated_at": to_utc(d["updated_at"], tz),
            "closed_at": to_utc(d["closed_at"].where(closed), tz),
            "is_deleted": False,
        }
    )
    if users is not None and "group_id" in users:
        leads["group_id"] = leads["responsible_user_id"].map(dict(zip(users["id"], users["group_id"])))
    stage_changes = synthesized_history(leads, statuses, history)
    clients = {}  # contacts and companies, when the file names them per deal (Maven's accounts)
    for table, col, key in (("contacts", "contact", "contact_id"), ("companies", "company", "company_id")):
        clients[table], ids = client_table(d[col], leads)
        leads[key] = pd.array(ids.values, dtype="Int64") if len(leads) else leads[key]
    return {
        **{k: v for k, v in clients.items() if len(v)},
        "pipelines": pipelines,
        "statuses": statuses,
        "users": users,
        "sources": sources,
        "loss_reasons": reasons,
        "leads": leads,
        "stage_changes": stage_changes,
    }


def first_open_stage(statuses: pd.DataFrame, pipeline_id: int) -> int:
    s = statuses[(statuses["pipeline_id"] == pipeline_id) & (statuses["kind"] == "open")].sort_values("sort")
    return int(s["id"].iloc[0])


def synthesized_history(leads: pd.DataFrame, statuses: pd.DataFrame, history: str = "none") -> pd.DataFrame:
    """The minimal stage history described in the module docstring."""
    if history not in ("none", "first_stage"):
        raise ValueError(f"bad history {history!r}; valid: none, first_stage")
    is_closed = leads["status_id"].isin([WON_STATUS_ID, LOST_STATUS_ID])
    if history == "first_stage":
        start = leads["pipeline_id"].map({p: first_open_stage(statuses, p) for p in leads["pipeline_id"].unique()})
        close_from = start
    else:
        start = leads["status_id"].where(~is_closed)
        close_from = pd.Series(np.nan, index=leads.index)
    has_created = leads["created_at"].notna()
    added = pd.DataFrame(
        {
            "id": "import-added-" + leads["id"].astype(str),
            "lead_id": leads["id"],
            "at": leads["created_at"],
            "from_pipeline_id": None,
            "from_status_id": None,
            "to_pipeline_id": leads["pipeline_id"],
            "to_status_id": start,
            "user_id": leads["responsible_user_id"],
        }
    )[has_created]
    moved = is_closed & leads["closed_at"].notna()
    close = pd.DataFrame(
        {
            "id": "import-closed-" + leads["id"].astype(str),
            "lead_id": leads["id"],
            "at": leads["closed_at"],
            "from_pipeline_id": leads["pipeline_id"],
            "from_status_id": close_from,
            "to_pipeline_id": leads["pipeline_id"],
            "to_status_id": leads["status_id"],
            "user_id": leads["responsible_user_id"],
        }
    )[moved]
    out = pd.concat([added, close], ignore_index=True)
    for c in ("from_pipeline_id", "from_status_id", "to_pipeline_id", "to_status_id", "user_id"):
        out[c] = pd.array(pd.to_numeric(out[c], errors="coerce"), dtype="Int64") if len(out) else out[c]
    return out.sort_values(["lead_id", "at", "id"], kind="stable").reset_index(drop=True)


def account_table(account: Account, tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The account row; ``synced_at`` is the latest timestamp in the data, so reports' "as of" is the data's end."""
    latest = pd.NaT
    for _name, df in tables.items():
        for c in ("created_at", "updated_at", "closed_at", "at", "completed_at"):
            if c in df.columns and len(df) and df[c].notna().any():
                m = pd.to_datetime(df[c]).max()
                latest = m if pd.isna(latest) else max(latest, m)
    if pd.isna(latest):
        latest = pd.Timestamp.now(tz="UTC").tz_localize(None)
    else:
        local = latest.tz_localize("UTC").tz_convert(account.timezone)
        if local == local.normalize():  # date-only data: the data runs to the end of that day
            latest = (local + pd.Timedelta(days=1)).tz_convert("UTC").tz_localize(None)
        else:
            latest = latest + pd.Timedelta(seconds=1)
    return pd.DataFrame(
        [
            {
                "id": 1,
                "subdomain": None,
                "name": account.name,
                "timezone": account.timezone,
                "currency": account.currency,
                "synced_at": latest,
                "source": account.source,
            }
        ]
    )
