"""The one mapping from amoCRM API v4 records to store tables.

The live sync, the embedded demo account and the API stand-in server all go through here, so a demo
report runs exactly the code a real account runs.

An *account dump* is a dict of API-shaped records, each list holding the objects exactly as they
appear in ``_embedded`` of the corresponding API response::

    {
      "account":      {...},              # GET /api/v4/account?with=users_groups,task_types,datetime_settings
      "users":        [...],              # GET /api/v4/users?with=group
      "pipelines":    [...],              # GET /api/v4/leads/pipelines (statuses in _embedded.statuses)
      "loss_reasons": [...],              # GET /api/v4/leads/loss_reasons
      "sources":      [...],              # GET /api/v4/sources
      "leads":        [...],              # GET /api/v4/leads?with=contacts,loss_reason,source_id,source
                                          #  (+ deleted ones from with=only_deleted: is_deleted true)
      "events":       [...],              # GET /api/v4/events (lead_added, lead_status_changed,
                                          #  entity_responsible_changed, lead_deleted, lead_restored, ...)
      "notes":        {"leads": [...], "contacts": [...], "companies": [...]},
                                          # GET /api/v4/{entity}/notes?filter[note_type][]=call_in&...=call_out
      "tasks":        [...],              # GET /api/v4/tasks
      "unsorted":     [...],              # GET /api/v4/leads/unsorted
      "contacts":     [...],              # GET /api/v4/contacts (optional; with=companies not needed:
                                          #  a contact lists its companies in _embedded.companies)
      "companies":    [...],              # GET /api/v4/companies (optional)
    }

Functions here are pure: records in, DataFrames out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd

WON_STATUS_ID = 142
LOST_STATUS_ID = 143

# amoCRM call_status codes (PHP CallInterface) -> store status
CALL_STATUS = {
    1: "voicemail",
    2: "callback_later",
    3: "not_available",
    4: "answered",
    5: "wrong_number",
    6: "no_answer",
    7: "busy",
    8: "unknown",
}
TASK_TYPES = {1: "follow_up", 2: "meeting"}


def ts(value: Any) -> pd.Timestamp | None:
    """Unix seconds (int, float or numeric string) to a naive UTC timestamp; None stays None."""
    if value is None or value == "" or (isinstance(value, float) and np.isnan(value)):
        return None
    return pd.Timestamp(datetime.fromtimestamp(int(float(value)), tz=UTC).replace(tzinfo=None))


def _emb(record: Mapping, key: str) -> Any:
    return (record.get("_embedded") or {}).get(key)


def _frame(rows: list[dict], columns: Iterable[str]) -> pd.DataFrame:
    columns = list(columns)
    return pd.DataFrame(rows, columns=columns) if rows else pd.DataFrame({c: [] for c in columns})


def map_account(account: Mapping, synced_at: datetime | None = None, source: str = "api") -> pd.DataFrame:
    settings = _emb(account, "datetime_settings") or {}
    return pd.DataFrame(
        [
            {
                "id": account["id"],
                "subdomain": account.get("subdomain"),
                "name": account.get("name"),
                "timezone": settings.get("timezone") or account.get("timezone") or "Europe/Moscow",
                "currency": account.get("currency") or "RUB",
                "synced_at": pd.Timestamp(synced_at or datetime.now(UTC)).tz_localize(None)
                if (synced_at is None or getattr(synced_at, "tzinfo", None) is None)
                else pd.Timestamp(synced_at).tz_convert("UTC").tz_localize(None),
                "source": source,
            }
        ]
    )


def map_users(users: Iterable[Mapping], account: Mapping | None = None) -> pd.DataFrame:
    group_names = {g["id"]: g["name"] for g in (_emb(account or {}, "users_groups") or [])}
    rows = []
    for u in users:
        rights = u.get("rights") or {}
        groups = _emb(u, "groups") or []
        gid = rights.get("group_id")
        if gid is None and groups:
            gid = groups[0].get("id")
        gname = next((g.get("name") for g in groups if g.get("id") == gid), None) or group_names.get(gid)
        rows.append(
            {
                "id": u["id"],
                "name": u.get("name"),
                "email": u.get("email"),
                "group_id": gid,
                "group_name": gname,
                "is_active": bool(rights.get("is_active", True)),
            }
        )
    return _frame(rows, ["id", "name", "email", "group_id", "group_name", "is_active"])


def status_kind(status: Mapping) -> str:
    if status["id"] == WON_STATUS_ID:
        return "won"
    if status["id"] == LOST_STATUS_ID:
        return "lost"
    if status.get("type") == 1:
        return "unsorted"
    return "open"


def map_pipelines(pipelines: Iterable[Mapping]) -> tuple[pd.DataFrame, pd.DataFrame]:
    prow, srow = [], []
    for p in pipelines:
        prow.append({"id": p["id"], "name": p.get("name"), "is_main": bool(p.get("is_main")), "sort": p.get("sort")})
        for s in _emb(p, "statuses") or []:
            srow.append(
                {
                    "id": s["id"],
                    "pipeline_id": s.get("pipeline_id", p["id"]),
                    "name": s.get("name"),
                    "sort": s.get("sort"),
                    "kind": status_kind(s),
                }
            )
    return (
        _frame(prow, ["id", "name", "is_main", "sort"]),
        _frame(srow, ["id", "pipeline_id", "name", "sort", "kind"]),
    )


def map_loss_reasons(reasons: Iterable[Mapping]) -> pd.DataFrame:
    return _frame(
        [{"id": r["id"], "name": r.get("name"), "sort": r.get("sort")} for r in reasons], ["id", "name", "sort"]
    )


def map_sources(sources: Iterable[Mapping]) -> pd.DataFrame:
    return _frame(
        [{"id": s["id"], "name": s.get("name"), "pipeline_id": s.get("pipeline_id")} for s in sources],
        ["id", "name", "pipeline_id"],
    )


LEAD_COLUMNS = [
    "id",
    "name",
    "price",
    "pipeline_id",
    "status_id",
    "responsible_user_id",
    "group_id",
    "source_id",
    "source",
    "loss_reason_id",
    "tags",
    "contact_id",
    "company_id",
    "created_by",
    "created_at",
    "updated_at",
    "closed_at",
    "is_deleted",
]


def map_leads(leads: Iterable[Mapping], sources: Iterable[Mapping] = ()) -> pd.DataFrame:
    """Leads to store rows. Deleted-lead stubs (``with=only_deleted``) keep only id/updated_at/is_deleted."""
    source_names = {s["id"]: s.get("name") for s in sources}
    rows = []
    for d in leads:
        contacts = _emb(d, "contacts") or []
        main = next((c for c in contacts if c.get("is_main")), contacts[0] if contacts else None)
        companies = _emb(d, "companies") or []
        reasons = _emb(d, "loss_reason") or []
        src = _emb(d, "source") or {}
        tags = _emb(d, "tags") or []
        loss_reason_id = d.get("loss_reason_id") or (reasons[0]["id"] if reasons else None)
        rows.append(
            {
                "id": d["id"],
                "name": d.get("name"),
                "price": d.get("price"),
                "pipeline_id": d.get("pipeline_id"),
                "status_id": d.get("status_id"),
                "responsible_user_id": d.get("responsible_user_id"),
                "group_id": d.get("group_id"),
                "source_id": d.get("source_id") or src.get("id"),
                "source": src.get("name") or source_names.get(d.get("source_id")),
                "loss_reason_id": loss_reason_id or None,
                "tags": ", ".join(t["name"] for t in tags) or None,
                "contact_id": main["id"] if main else None,
                "company_id": companies[0]["id"] if companies else None,
                "created_by": d.get("created_by"),
                "created_at": ts(d.get("created_at")),
                "updated_at": ts(d.get("updated_at")),
                "closed_at": ts(d.get("closed_at")),
                "is_deleted": bool(d.get("is_deleted", False)),
            }
        )
    return _frame(rows, LEAD_COLUMNS)


def _lead_status(values: list | None) -> tuple[int | None, int | None]:
    for v in values or []:
        if "lead_status" in v:
            return v["lead_status"].get("pipeline_id"), v["lead_status"].get("id")
    return None, None


def map_stage_changes(events: Iterable[Mapping], leads: pd.DataFrame) -> pd.DataFrame:
    """``lead_added`` and ``lead_status_changed`` events to stage-change rows.

    ``lead_added`` carries no status, so its target stage is the *before* status of the lead's first
    status change, or the lead's current stage if it never moved.
    """
    added, changes = [], []
    for e in events:
        if e.get("entity_type") not in (None, "lead"):
            continue
        if e.get("type") == "lead_added":
            added.append(e)
        elif e.get("type") == "lead_status_changed":
            fp, fs = _lead_status(e.get("value_before"))
            tp, tsid = _lead_status(e.get("value_after"))
            changes.append(
                {
                    "id": str(e["id"]),
                    "lead_id": e["entity_id"],
                    "at": ts(e["created_at"]),
                    "from_pipeline_id": fp,
                    "from_status_id": fs,
                    "to_pipeline_id": tp,
                    "to_status_id": tsid,
                    "user_id": e.get("created_by"),
                }
            )
    cols = ["id", "lead_id", "at", "from_pipeline_id", "from_status_id", "to_pipeline_id", "to_status_id", "user_id"]
    ch = _frame(changes, cols)
    first = (
        ch.sort_values(["lead_id", "at", "id"])
        .drop_duplicates("lead_id")
        .set_index("lead_id")[["from_pipeline_id", "from_status_id"]]
        if len(ch)
        else None
    )
    current = leads.set_index("id")[["pipeline_id", "status_id"]] if len(leads) else None
    rows = []
    for e in added:
        lid = e["entity_id"]
        if first is not None and lid in first.index:
            pid, sid = first.at[lid, "from_pipeline_id"], first.at[lid, "from_status_id"]
        elif current is not None and lid in current.index:
            pid, sid = current.at[lid, "pipeline_id"], current.at[lid, "status_id"]
        else:
            pid = sid = None
        rows.append(
            {
                "id": str(e["id"]),
                "lead_id": lid,
                "at": ts(e["created_at"]),
                "from_pipeline_id": None,
                "from_status_id": None,
                "to_pipeline_id": pid,
                "to_status_id": sid,
                "user_id": e.get("created_by"),
            }
        )
    out = pd.concat([_frame(rows, cols), ch], ignore_index=True) if rows else ch
    return out.sort_values(["lead_id", "at", "id"], kind="stable").reset_index(drop=True)


def map_responsible_changes(events: Iterable[Mapping]) -> pd.DataFrame:
    rows = []
    for e in events:
        if e.get("type") != "entity_responsible_changed" or e.get("entity_type") not in (None, "lead"):
            continue
        before = next(
            (v["responsible_user"]["id"] for v in e.get("value_before") or [] if "responsible_user" in v), None
        )
        after = next((v["responsible_user"]["id"] for v in e.get("value_after") or [] if "responsible_user" in v), None)
        rows.append(
            {
                "id": str(e["id"]),
                "lead_id": e["entity_id"],
                "at": ts(e["created_at"]),
                "from_user_id": before,
                "to_user_id": after,
                "user_id": e.get("created_by"),
            }
        )
    return _frame(rows, ["id", "lead_id", "at", "from_user_id", "to_user_id", "user_id"])


def _lead_for_contact(leads: pd.DataFrame) -> dict[int, list[tuple]]:
    """contact id -> [(created_at, closed_at, lead id)] sorted by creation, for call attribution."""
    out: dict[int, list[tuple]] = {}
    if leads.empty:
        return out
    sub = leads.dropna(subset=["contact_id"]).sort_values("created_at")
    for cid, created, closed, lid in zip(sub["contact_id"], sub["created_at"], sub["closed_at"], sub["id"]):
        out.setdefault(int(cid), []).append((created, closed, int(lid)))
    return out


def map_calls(notes: Mapping[str, Iterable[Mapping]], leads: pd.DataFrame) -> pd.DataFrame:
    """``call_in``/``call_out`` notes to call rows.

    Calls logged on a contact are attributed to that contact's deal that was open at the time of the
    call (the latest created before the call), because amoCRM attaches calls to the contact whenever the
    contact has more than one active deal.
    """
    by_contact = _lead_for_contact(leads)
    lead_contact = dict(zip(leads["id"], leads["contact_id"])) if len(leads) else {}
    rows = []
    for entity, items in (notes or {}).items():
        for n in items:
            if n.get("note_type") not in ("call_in", "call_out"):
                continue
            p = n.get("params") or {}
            at = ts(n.get("created_at"))
            code = p.get("call_status")
            code = int(code) if code not in (None, "") else None
            duration = int(float(p.get("duration") or 0))
            status = (
                CALL_STATUS.get(code, "answered" if duration > 0 else "no_answer")
                if code
                else ("answered" if duration > 0 else "no_answer")
            )
            lead_id = contact_id = None
            if entity == "leads":
                lead_id = n["entity_id"]
                c = lead_contact.get(lead_id)
                contact_id = None if c is None or pd.isna(c) else int(c)
            elif entity == "contacts":
                contact_id = n["entity_id"]
                cands = [c for c in by_contact.get(contact_id, []) if c[0] <= at]
                open_then = [c for c in cands if c[1] is None or pd.isna(c[1]) or c[1] >= at]
                pick = open_then or cands
                lead_id = pick[-1][2] if pick else None
            rows.append(
                {
                    "id": n["id"],
                    "direction": "in" if n["note_type"] == "call_in" else "out",
                    "user_id": p.get("call_responsible") or n.get("responsible_user_id") or n.get("created_by"),
                    "lead_id": lead_id,
                    "contact_id": contact_id,
                    "duration_s": duration,
                    "status": status,
                    "is_answered": status == "answered",
                    "phone": None if p.get("phone") is None else str(p.get("phone")),
                    "at": at,
                }
            )
    return _frame(
        rows,
        ["id", "direction", "user_id", "lead_id", "contact_id", "duration_s", "status", "is_answered", "phone", "at"],
    )


def map_tasks(tasks: Iterable[Mapping], account: Mapping | None = None) -> pd.DataFrame:
    """Tasks to store rows. The API has no completion time; ``updated_at`` of a completed task is used."""
    names = {t["id"]: (t.get("code") or t.get("name") or "").lower() for t in (_emb(account or {}, "task_types") or [])}
    rows = []
    for t in tasks:
        tt = t.get("task_type_id")
        kind = TASK_TYPES.get(tt) or {"follow_up": "follow_up", "meeting": "meeting"}.get(names.get(tt, ""), "other")
        if kind == "other" and names.get(tt) in ("call", "звонок"):
            kind = "call"
        entity = t.get("entity_type") or None
        rows.append(
            {
                "id": t["id"],
                "type": kind,
                "task_type_id": tt,
                "responsible_user_id": t.get("responsible_user_id"),
                "entity": entity.rstrip("s") if entity else None,
                "entity_id": t.get("entity_id"),
                "created_at": ts(t.get("created_at")),
                "complete_till": ts(t.get("complete_till")),
                "is_completed": bool(t.get("is_completed")),
                "completed_at": ts(t.get("updated_at")) if t.get("is_completed") else None,
                "text": t.get("text"),
            }
        )
    return _frame(
        rows,
        [
            "id",
            "type",
            "task_type_id",
            "responsible_user_id",
            "entity",
            "entity_id",
            "created_at",
            "complete_till",
            "is_completed",
            "completed_at",
            "text",
        ],
    )


def map_unsorted(
    unsorted: Iterable[Mapping],
    leads: pd.DataFrame,
    stage_changes: pd.DataFrame,
    statuses: pd.DataFrame,
    events: Iterable[Mapping] = (),
) -> pd.DataFrame:
    """Unsorted (incoming) leads, with the outcome derived from the lead behind each item.

    The lead created with an unsorted item sits in the pipeline's unsorted stage until someone accepts it
    (it moves out: *accepted*, at that stage change) or declines it (it is deleted: *declined*).
    """
    unsorted_ids = set(statuses.loc[statuses["kind"] == "unsorted", "id"]) if len(statuses) else set()
    lead_info = leads.set_index("id")[["status_id", "is_deleted"]] if len(leads) else pd.DataFrame()
    out_of_unsorted = {}
    if len(stage_changes):
        moves = stage_changes[stage_changes["from_status_id"].isin(unsorted_ids)].sort_values("at")
        for lid, at, uid in zip(moves["lead_id"], moves["at"], moves["user_id"]):
            out_of_unsorted.setdefault(int(lid), (at, uid))
    deleted_at = {}
    for e in events:
        if e.get("type") == "lead_deleted":
            deleted_at[e["entity_id"]] = (ts(e["created_at"]), e.get("created_by"))
    rows = []
    for u in unsorted:
        leads_emb = _emb(u, "leads") or []
        contacts = _emb(u, "contacts") or []
        lid = leads_emb[0]["id"] if leads_emb else None
        outcome, decided_at, decided_by = "pending", None, None
        if lid is not None and lid in out_of_unsorted:
            outcome, (decided_at, decided_by) = "accepted", out_of_unsorted[lid]
        elif lid is None or lid not in lead_info.index or bool(lead_info.at[lid, "is_deleted"]):
            outcome = "declined"
            decided_at, decided_by = deleted_at.get(lid, (None, None))
        elif lead_info.at[lid, "status_id"] not in unsorted_ids:
            outcome = "accepted"
        rows.append(
            {
                "uid": u["uid"],
                "source_name": u.get("source_name"),
                "category": u.get("category"),
                "pipeline_id": u.get("pipeline_id"),
                "created_at": ts(u.get("created_at")),
                "outcome": outcome,
                "decided_at": decided_at,
                "decided_by": decided_by,
                "lead_id": lid,
                "contact_id": contacts[0]["id"] if contacts else None,
            }
        )
    return _frame(
        rows,
        [
            "uid",
            "source_name",
            "category",
            "pipeline_id",
            "created_at",
            "outcome",
            "decided_at",
            "decided_by",
            "lead_id",
            "contact_id",
        ],
    )


def _first_field_value(record: Mapping, code: str) -> str | None:
    """The first value of the custom field with ``field_code`` ``code`` (``PHONE``, ``EMAIL``), as text."""
    for f in record.get("custom_fields_values") or []:
        if (f.get("field_code") or "").upper() == code:
            for v in f.get("values") or []:
                value = v.get("value")
                if value not in (None, ""):
                    return str(value)
    return None


CONTACT_COLUMNS = [
    "id",
    "name",
    "responsible_user_id",
    "created_by",
    "created_at",
    "updated_at",
    "phone",
    "email",
    "company_id",
    "is_deleted",
]
COMPANY_COLUMNS = ["id", "name", "responsible_user_id", "created_at", "updated_at", "is_deleted"]


def map_contacts(contacts: Iterable[Mapping]) -> pd.DataFrame:
    """Contacts to store rows: the first phone and e-mail, the first linked company."""
    rows = []
    for c in contacts:
        companies = _emb(c, "companies") or []
        name = c.get("name") or " ".join(x for x in (c.get("first_name"), c.get("last_name")) if x) or None
        rows.append(
            {
                "id": c["id"],
                "name": name,
                "responsible_user_id": c.get("responsible_user_id"),
                "created_by": c.get("created_by"),
                "created_at": ts(c.get("created_at")),
                "updated_at": ts(c.get("updated_at")),
                "phone": _first_field_value(c, "PHONE"),
                "email": _first_field_value(c, "EMAIL"),
                "company_id": companies[0]["id"] if companies else None,
                "is_deleted": bool(c.get("is_deleted", False)),
            }
        )
    return _frame(rows, CONTACT_COLUMNS)


def map_companies(companies: Iterable[Mapping]) -> pd.DataFrame:
    return _frame(
        [
            {
                "id": c["id"],
                "name": c.get("name"),
                "responsible_user_id": c.get("responsible_user_id"),
                "created_at": ts(c.get("created_at")),
                "updated_at": ts(c.get("updated_at")),
                "is_deleted": bool(c.get("is_deleted", False)),
            }
            for c in companies
        ],
        COMPANY_COLUMNS,
    )


def dump_to_tables(
    dump: Mapping[str, Any], synced_at: datetime | None = None, source: str = "api"
) -> dict[str, pd.DataFrame]:
    """Map a whole account dump (see module docstring) to store tables."""
    account = dump["account"]
    pipelines, statuses = map_pipelines(dump.get("pipelines", []))
    leads = map_leads(dump.get("leads", []), dump.get("sources", []))
    events = dump.get("events", [])
    stage_changes = map_stage_changes(events, leads)
    return {
        "account": map_account(account, synced_at, source),
        "users": map_users(dump.get("users", []), account),
        "pipelines": pipelines,
        "statuses": statuses,
        "loss_reasons": map_loss_reasons(dump.get("loss_reasons", [])),
        "sources": map_sources(dump.get("sources", [])),
        "leads": leads,
        "stage_changes": stage_changes,
        "responsible_changes": map_responsible_changes(events),
        "calls": map_calls(dump.get("notes", {}), leads),
        "tasks": map_tasks(dump.get("tasks", []), account),
        "unsorted": map_unsorted(dump.get("unsorted", []), leads, stage_changes, statuses, events),
        "contacts": map_contacts(dump.get("contacts", [])),
        "companies": map_companies(dump.get("companies", [])),
    }
