"""Sync an amoCRM / Kommo account into the local store, fully or incrementally, resumable at any point.

How it works
------------
1. **Fetch.** Reference lists (account, users, pipelines, loss reasons, sources) are fetched whole on
   every run. Leads, deleted leads (``with=only_deleted``), events, call notes (on leads, contacts and
   companies), tasks, contacts, companies and unsorted items are fetched from their high-water mark on
   (``updated_at`` or ``created_at``, inclusive, ascending order). Every page is committed in **one transaction together
   with its high-water mark**: the API records go into ``sync_raw`` (the records as the API sent them,
   ``_links`` removed) and are flagged ``pending`` if new or changed. A high-water mark only moves past
   data that is committed; if a stream does not come back in ascending order, its mark moves only at
   the end of the stream. Re-fetched records are idempotent upserts.
2. **Materialize.** The store tables are computed from ``sync_raw`` with :mod:`crmreports.sources.mapping`, in one
   transaction that also clears the ``pending`` flags. The first run (or ``--full``, or a change of a
   reference list) maps everything with :func:`mapping.dump_to_tables`, so the store equals a direct load
   of the same records. Later runs recompute only what the pending records affect: the changed leads;
   their stage changes (``lead_added`` needs the lead's first move or current stage), responsible changes
   and unsorted outcomes; the calls on those leads and on the contacts they had or have; the contacts and
   companies that changed.

Killing the process anywhere leaves committed pages and their marks; the next run re-fetches from the
marks and materializes whatever is pending, ending in the same store as an uninterrupted run.

Deleted leads: the API lists them only as ``{id, updated_at, is_deleted: true}``. The sync merges that
stub into the last record it has of the lead, so the row keeps its data and gets ``is_deleted`` true
(leads deleted before the first sync are stubs only, exactly like a direct load of the dump).
"""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pandas as pd
from tqdm import tqdm

from .. import store
from ..store import derived
from ..store import lock as store_lock
from . import mapping
from .amocrm import EVENTS_LIMIT, PAGE_LIMIT, AmoCRMClient, Page

log = logging.getLogger("crmreports.sync")

EVENT_TYPES = (
    "lead_added",
    "lead_status_changed",
    "entity_responsible_changed",
    "lead_deleted",
    "lead_restored",
    "incoming_call",
    "outgoing_call",
)
NOTE_TYPES = ("call_in", "call_out")
NOTE_ENTITIES = ("leads", "contacts", "companies")
MAPPED_TABLES = [t for t in store.SCHEMA if t != "sync_state"]
FULL_REMAP_SHARE = 0.3  # recompute everything when more than this share of leads is affected

RAW_DDL = """CREATE TABLE IF NOT EXISTS sync_raw (
    entity VARCHAR, id VARCHAR, ts BIGINT, ref_id BIGINT, body VARCHAR, pending BOOLEAN,
    PRIMARY KEY (entity, id))"""


def _strip_links(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _strip_links(v) for k, v in obj.items() if k != "_links"}
    if isinstance(obj, list):
        return [_strip_links(v) for v in obj]
    return obj


def _int(v: Any) -> int | None:
    try:
        return None if v is None or v == "" else int(v)
    except (TypeError, ValueError):
        return None


@dataclass
class Stream:
    """A paged entity fetched incrementally."""

    name: str  # sync_state key and sync_raw entity
    path: str
    key: str  # _embedded key
    params: list
    mark_field: str  # field the high-water mark is kept on
    filter_param: str | None  # e.g. filter[updated_at][from]; None: no server-side filter
    ref: Callable[[dict], int | None]
    limit: int = PAGE_LIMIT
    descending: bool = False  # newest first, stop when older than the mark
    id_field: str = "id"


def _event_ref(e: dict) -> int | None:
    return _int(e.get("entity_id")) if e.get("entity_type") in (None, "lead") else None


def _unsorted_ref(u: dict) -> int | None:
    leads = (u.get("_embedded") or {}).get("leads") or []
    return _int(leads[0].get("id")) if leads else None


def streams() -> list[Stream]:
    out = [
        Stream(
            "leads",
            "/api/v4/leads",
            "leads",
            [("with", "contacts,loss_reason,source_id,source"), ("order[updated_at]", "asc")],
            "updated_at",
            "filter[updated_at][from]",
            lambda d: None,
        ),
        Stream(
            "leads_deleted",
            "/api/v4/leads",
            "leads",
            [("with", "only_deleted"), ("order[updated_at]", "asc")],
            "updated_at",
            "filter[updated_at][from]",
            lambda d: None,
        ),
        Stream(
            "events",
            "/api/v4/events",
            "events",
            [("filter[type]", ",".join(EVENT_TYPES)), ("order[created_at]", "asc")],
            "created_at",
            "filter[created_at][from]",
            _event_ref,
            limit=EVENTS_LIMIT,
        ),
    ]
    for ent in NOTE_ENTITIES:
        out.append(
            Stream(
                f"notes:{ent}",
                f"/api/v4/{ent}/notes",
                "notes",
                [("filter[note_type][]", t) for t in NOTE_TYPES] + [("order[updated_at]", "asc")],
                "updated_at",
                "filter[updated_at][from]",
                lambda n: _int(n.get("entity_id")),
            )
        )
    out += [
        Stream(
            "tasks",
            "/api/v4/tasks",
            "tasks",
            [("order[updated_at]", "asc")],
            "updated_at",
            "filter[updated_at][from]",
            lambda t: _int(t.get("entity_id")),
        ),
        # clients: contacts (their first phone, e-mail and company) and companies
        Stream(
            "contacts",
            "/api/v4/contacts",
            "contacts",
            [("order[updated_at]", "asc")],
            "updated_at",
            "filter[updated_at][from]",
            lambda c: None,
        ),
        Stream(
            "companies",
            "/api/v4/companies",
            "companies",
            [("order[updated_at]", "asc")],
            "updated_at",
            "filter[updated_at][from]",
            lambda c: None,
        ),
        Stream(
            "unsorted",
            "/api/v4/leads/unsorted",
            "unsorted",
            [("order[created_at]", "desc")],
            "created_at",
            None,
            _unsorted_ref,
            descending=True,
            id_field="uid",
        ),
    ]
    return out


REFS = [  # name, path, key (None: the document itself), params, paged
    ("account", "/api/v4/account", None, [("with", "users_groups,task_types,datetime_settings")], False),
    ("users", "/api/v4/users", "users", [("with", "group")], True),
    ("pipelines", "/api/v4/leads/pipelines", "pipelines", [], False),
    ("loss_reasons", "/api/v4/leads/loss_reasons", "loss_reasons", [], False),
    ("sources", "/api/v4/sources", "sources", [], False),
]


@dataclass
class SyncResult:
    records: dict = field(default_factory=dict)
    requests: int = 0
    retries: int = 0
    refreshes: int = 0
    seconds: float = 0.0
    full_remap: bool = False
    unsorted_summary: dict | None = None
    rereads: int = 0  # pages read again because they repeated records already read
    windows: int = 0  # times offset paging was replaced by a window on the mark field

    def summary(self) -> str:
        recs = ", ".join(f"{k} {v}" for k, v in self.records.items())
        return (
            f"sync done in {self.seconds:.1f} s: {self.requests} requests, {self.retries} retries"
            + (f", {self.refreshes} token refreshes" if self.refreshes else "")
            + f"; {'full' if self.full_remap else 'incremental'} store update; records fetched: {recs}"
            + (f"; {self.rereads} repeated pages read again" if self.rereads else "")
            + (f"; {self.windows} time windows instead of offset paging" if self.windows else "")
        )


class SyncIncomplete(RuntimeError):
    """The API's lists could not be read completely (or the store holds fewer records than were listed);
    the sync stops with an error instead of ending with records silently missing."""


class Syncer:
    def __init__(self, client: AmoCRMClient, store_path: str | Path, *, full: bool = False, progress: bool = True):
        self.client = client
        self.store_path = Path(store_path)
        self.full = full
        self.progress = progress
        self.result = SyncResult()
        self.listed: dict[str, set[str]] = {}  # stream -> ids of the records the API listed in this run
        self.deleted_disagree = 0  # records under with=only_deleted whose own is_deleted is not true
        self.deleted_ids: set[str] = set()  # ids of the leads listed as deleted (and saying so)

    # --------------------------------------------------------------------------------------- state

    def _state(self, con) -> dict[str, int | None]:
        rows = con.execute("SELECT entity, high_water, status FROM sync_state").fetchall()
        return {e: (hw, st) for e, hw, st in rows}

    def _set_state(self, con, entity: str, high_water: int | None, status: str) -> None:
        con.execute(
            "INSERT OR REPLACE INTO sync_state VALUES (?, ?, ?, ?)",
            [entity, high_water, datetime.now(UTC).replace(tzinfo=None), status],
        )

    def _upsert_raw(
        self,
        con,
        entity: str,
        records: list[dict],
        ts_field: str | None,
        ref: Callable[[dict], int | None],
        key: str = "id",
    ) -> None:
        if not records:
            return
        df = pd.DataFrame(
            {
                "entity": entity,
                "id": [str(r[key]) for r in records],
                "ts": pd.array([_int(r.get(ts_field)) if ts_field else None for r in records], dtype="Int64"),
                "ref_id": pd.array([ref(r) for r in records], dtype="Int64"),
                "body": [json.dumps(r, ensure_ascii=False, sort_keys=True) for r in records],
            }
        ).drop_duplicates(["entity", "id"], keep="last")
        con.register("_raw_in", df)
        try:
            con.execute("""
                INSERT OR REPLACE INTO sync_raw
                SELECT i.entity, i.id, i.ts, i.ref_id, i.body,
                       coalesce(r.pending OR r.body <> i.body, true)
                FROM _raw_in i LEFT JOIN sync_raw r ON r.entity = i.entity AND r.id = i.id""")
        finally:
            con.unregister("_raw_in")

    @staticmethod
    def _tx(con, fn: Callable[[], Any]) -> Any:
        con.execute("BEGIN TRANSACTION")
        try:
            out = fn()
            con.execute("COMMIT")
            return out
        except BaseException:
            con.execute("ROLLBACK")
            raise

    # --------------------------------------------------------------------------------------- fetch

    def _fetch_refs(self, con) -> None:
        for name, path, key, params, paged in REFS:
            if key is None:
                doc = self.client.get(path, params)
                records = [_strip_links(doc)] if doc else []
            elif paged:
                records = [_strip_links(r) for p in self.client.pages(path, key, params) for r in p.items]
            else:
                doc = self.client.get(path, params)
                records = [_strip_links(r) for r in ((doc or {}).get("_embedded") or {}).get(key) or []]
            if name == "account" and not records:
                raise RuntimeError("the API returned no account")
            self.result.records[name] = len(records)

            def write(records=records, name=name):
                new = {str(r["id"]): json.dumps(r, ensure_ascii=False, sort_keys=True) for r in records}
                old = dict(con.execute("SELECT id, body FROM sync_raw WHERE entity = ?", [name]).fetchall())
                if new != old:
                    con.execute("DELETE FROM sync_raw WHERE entity = ?", [name])
                    self._upsert_raw(con, name, records, None, lambda r: None)
                    con.execute("UPDATE sync_raw SET pending = true WHERE entity = ?", [name])
                self._set_state(con, name, None, "done")

            self._tx(con, write)
        summary = self.client.get("/api/v4/leads/unsorted/summary")
        self.result.unsorted_summary = {k: v for k, v in (summary or {}).items() if not k.startswith("_")}

    def _merge_deleted(self, con, stubs: list[dict]) -> list[dict]:
        """The records listed under ``with=only_deleted`` merged into the last record of each lead. The
        record's own ``is_deleted`` decides, not the endpoint: one that does not say ``true`` (a server that
        ignores the parameter lists active leads there) is left out, counted and warned about."""
        flagged = [s for s in stubs if s.get("is_deleted") is True]
        self.deleted_disagree += len(stubs) - len(flagged)
        stubs = flagged
        self.deleted_ids.update(str(s["id"]) for s in stubs)
        if not stubs:
            return []
        ids = [str(s["id"]) for s in stubs]
        old = dict(
            con.execute(
                "SELECT id, body FROM sync_raw WHERE entity = 'leads' AND id IN (SELECT unnest(?::VARCHAR[]))", [ids]
            ).fetchall()
        )
        out = []
        for s in stubs:
            prev = json.loads(old[str(s["id"])]) if str(s["id"]) in old else {}
            out.append({**prev, **s})
        return out

    def _trusted_pages(self, st: Stream, params: list) -> Iterator[Page]:
        """The stream's pages, with offset paging checked: a page (after the first) whose records were all
        read already is a repeat (a server glitch, or records shifting between pages while the sync runs).
        It is read again once; if it repeats again, paging goes on with a window on the mark field
        (``filter[...][from]`` the greatest stamp read so far, page 1), which does not depend on offsets.
        A window that cannot move forward, or a repeat on a stream without a server-side filter, raises
        :class:`SyncIncomplete` rather than leave records out silently."""
        seen: set[str] = set()
        top: int | None = None  # greatest mark-field stamp read
        query, start, window_from = list(params), 1, None
        rereads: dict[tuple, int] = {}
        while True:
            restart = None
            for page in self.client.pages(st.path, st.key, query, limit=st.limit, start_page=start):
                ids = [str(r.get(st.id_field)) for r in page.items]
                if ids and all(i in seen for i in ids):
                    if window_from is not None and page.number == 1:
                        if len(ids) < st.limit:  # the window's first page holds only what was read: the end
                            break
                        raise SyncIncomplete(
                            f"{st.name}: more than {st.limit} records share {st.mark_field} {window_from} and the "
                            "offset paging repeats pages, so they cannot all be read; the sync stops rather "
                            "than lose records. Run it again later"
                        )
                    restart = page.number
                    break
                seen.update(ids)
                for r in page.items:
                    v = _int(r.get(st.mark_field)) or _int(r.get("created_at"))
                    if v is not None:
                        top = v if top is None else max(top, v)
                yield page
            if restart is None:
                self.listed[st.name] = seen
                return
            key = (window_from, restart)
            rereads[key] = rereads.get(key, 0) + 1
            if rereads[key] == 1:
                log.warning("%s: page %d repeats records already read; reading it again", st.name, restart)
                self.result.rereads += 1
                start = restart
                continue
            if st.filter_param is None or st.descending or top is None:
                raise SyncIncomplete(
                    f"{st.name}: page {restart} keeps repeating records already read and this list cannot be "
                    "read by a time window; records may be missing, so the sync stops. Run it again later"
                )
            if window_from is not None and top <= window_from:
                raise SyncIncomplete(
                    f"{st.name}: more than {st.limit} records share {st.mark_field} {top} and the offset paging "
                    "repeats pages, so they cannot all be read; the sync stops rather than lose records. "
                    "Run it again later"
                )
            log.warning(
                "%s: offset paging cannot be trusted (page %d repeats); going on with a window on %s from %s",
                st.name,
                restart,
                st.mark_field,
                top,
            )
            self.result.windows += 1
            window_from, start = top, 1
            query = [(k, v) for k, v in params if k != st.filter_param] + [(st.filter_param, top)]

    def _fetch_stream(self, con, st: Stream, mark: int | None) -> int:
        params = list(st.params)
        if mark is not None and st.filter_param:
            params.append((st.filter_param, mark))
        raw_entity = "leads" if st.name == "leads_deleted" else st.name
        count, best, last, ascending = 0, mark, None, True
        bar = tqdm(
            desc=f"{st.name:<15}",
            unit=" rec",
            file=sys.stderr,
            disable=not self.progress,
            leave=True,
            dynamic_ncols=True,
        )
        try:
            for page in self._trusted_pages(st, params):
                items = [_strip_links(r) for r in page.items]
                stamps = [_int(r.get(st.mark_field)) or _int(r.get("created_at")) or 0 for r in items]
                for s in stamps:
                    if last is not None and (s > last if st.descending else s < last):
                        ascending = False
                    last = s
                    best = s if best is None else max(best, s)
                if st.name == "leads_deleted":
                    items = self._merge_deleted(con, items)
                stop = st.descending and mark is not None and stamps and min(stamps) < mark
                # the mark moves with the page only while the stream comes in ascending order
                hw = best if (ascending and not st.descending) else None

                def write(items=items, hw=hw):
                    self._upsert_raw(con, raw_entity, items, st.mark_field, st.ref, st.id_field)
                    if hw is not None:
                        self._set_state(con, st.name, hw, "running")

                self._tx(con, write)
                count += len(items)
                bar.update(len(items))
                if stop:
                    break
        finally:
            bar.close()
        self._tx(con, lambda: self._set_state(con, st.name, best, "done"))
        return len(self.listed.get(st.name, ())) or count

    # ---------------------------------------------------------------------------------- materialize

    def _raw(self, con, entity: str, where: str = "", params: Iterable = ()) -> list[dict]:
        sql = (
            "SELECT body FROM sync_raw WHERE entity = ?"
            + (f" AND ({where})" if where else "")
            + " ORDER BY ts NULLS FIRST, id"
        )
        return [json.loads(b) for (b,) in con.execute(sql, [entity, *params]).fetchall()]

    def _dump(self, con) -> dict:
        account = self._raw(con, "account")
        return {
            "account": account[0] if account else {},
            "users": self._raw(con, "users"),
            "pipelines": self._raw(con, "pipelines"),
            "loss_reasons": self._raw(con, "loss_reasons"),
            "sources": self._raw(con, "sources"),
            "leads": self._raw(con, "leads"),
            "events": self._raw(con, "events"),
            "notes": {e: self._raw(con, f"notes:{e}") for e in NOTE_ENTITIES},
            "tasks": self._raw(con, "tasks"),
            "unsorted": self._raw(con, "unsorted"),
            "contacts": self._raw(con, "contacts"),
            "companies": self._raw(con, "companies"),
        }

    def _full_remap(self, con, synced_at: datetime) -> None:
        tables = mapping.dump_to_tables(self._dump(con), synced_at=synced_at, source="api")

        def write():
            for name in MAPPED_TABLES:
                con.execute(f'DELETE FROM "{name}"')
                store.upsert(con, name, tables.get(name))
            derived.refresh(con)
            con.execute("UPDATE sync_raw SET pending = false WHERE pending")
            self._set_state(con, "materialize", None, "done")

        self._tx(con, write)

    def _incremental_remap(self, con, synced_at: datetime) -> None:
        ids = lambda sql, *p: {int(x) for (x,) in con.execute(sql, list(p)).fetchall() if x is not None}  # noqa: E731
        affected = ids("SELECT CAST(id AS BIGINT) FROM sync_raw WHERE pending AND entity = 'leads'")
        affected |= ids("SELECT ref_id FROM sync_raw WHERE pending AND entity IN ('events', 'notes:leads', 'unsorted')")
        pending_contacts = ids("SELECT ref_id FROM sync_raw WHERE pending AND entity = 'notes:contacts'")
        A = sorted(affected)
        in_a = "ref_id IN (SELECT unnest(?::BIGINT[]))"
        old_contacts = ids("SELECT contact_id FROM leads WHERE id IN (SELECT unnest(?::BIGINT[]))", A)
        sources = self._raw(con, "sources")
        account = (self._raw(con, "account") or [{}])[0]
        lead_recs = self._raw(con, "leads", "CAST(id AS BIGINT) IN (SELECT unnest(?::BIGINT[]))", [A])
        leads_a = mapping.map_leads(lead_recs, sources)
        events_a = self._raw(con, "events", in_a, [A])
        sc = mapping.map_stage_changes(events_a, leads_a)
        rc = mapping.map_responsible_changes(events_a)
        contacts = sorted(old_contacts | {int(c) for c in leads_a["contact_id"].dropna()} | pending_contacts)
        tasks = self._raw(con, "tasks", "pending")
        companies_notes = self._raw(con, "notes:companies", "pending")
        clients = {
            "contacts": mapping.map_contacts(self._raw(con, "contacts", "pending")),
            "companies": mapping.map_companies(self._raw(con, "companies", "pending")),
        }

        def write():
            con.execute("DELETE FROM leads WHERE id IN (SELECT unnest(?::BIGINT[]))", [A])
            store.upsert(con, "leads", leads_a)
            for name, df in (("stage_changes", sc), ("responsible_changes", rc)):
                con.execute(f"DELETE FROM {name} WHERE lead_id IN (SELECT unnest(?::BIGINT[]))", [A])
                store.upsert(con, name, df)
            # calls on the affected leads and on every contact they had or have
            notes = {
                "leads": self._raw(con, "notes:leads", in_a, [A]),
                "contacts": self._raw(con, "notes:contacts", in_a, [contacts]),
                "companies": companies_notes,
            }
            note_leads = sorted({int(n["entity_id"]) for n in notes["leads"]})
            leads_df = store.read_table(
                con,
                "leads",
                "id IN (SELECT unnest(?::BIGINT[])) OR contact_id IN (SELECT unnest(?::BIGINT[]))",
                [note_leads, contacts],
            )
            store.upsert(con, "calls", mapping.map_calls(notes, leads_df))
            store.upsert(con, "tasks", mapping.map_tasks(tasks, account))
            # unsorted items of the affected leads, and new ones
            items = self._raw(con, "unsorted", f"pending OR {in_a}", [A])
            lids = sorted({r for r in (_unsorted_ref(u) for u in items) if r is not None})
            in_l = "IN (SELECT unnest(?::BIGINT[]))"
            un = mapping.map_unsorted(
                items,
                store.read_table(con, "leads", f"id {in_l}", [lids]),
                store.read_table(con, "stage_changes", f"lead_id {in_l}", [lids]),
                store.read_table(con, "statuses"),
                self._raw(con, "events", f"ref_id {in_l}", [lids]),
            )
            store.upsert(con, "unsorted", un)
            for name, df in clients.items():  # changed contacts and companies
                store.upsert(con, name, df)
            store.upsert(con, "account", mapping.map_account(account, synced_at, "api"))
            derived.refresh(con, A)
            con.execute("UPDATE sync_raw SET pending = false WHERE pending")
            self._set_state(con, "materialize", None, "done")

        self._tx(con, write)
        log.debug("incremental store update: %d leads, %d contacts affected", len(A), len(contacts))

    def _materialize(self, con) -> None:
        synced_at = datetime.now(UTC)
        state = self._state(con)
        refs_changed = con.execute(
            "SELECT count(*) FROM sync_raw WHERE pending AND entity IN "
            "('account','users','pipelines','loss_reasons','sources')"
        ).fetchone()[0]
        n_leads = con.execute("SELECT count(*) FROM sync_raw WHERE entity = 'leads'").fetchone()[0]
        n_pending = con.execute("SELECT count(*) FROM sync_raw WHERE pending AND entity = 'leads'").fetchone()[0]
        full = (
            self.full
            or state.get("materialize", (None, None))[1] != "done"
            or refs_changed > 0
            or n_pending > FULL_REMAP_SHARE * max(n_leads, 1)
        )
        self.result.full_remap = full
        if full:
            self._full_remap(con, synced_at)
        else:
            self._incremental_remap(con, synced_at)

    def _check_counts(self, con) -> None:
        """Every lead the API listed in this run is in ``sync_raw``, and every raw lead is in ``leads``;
        else :class:`SyncIncomplete` naming both counts."""
        listed = sorted(self.listed.get("leads", set()) | self.deleted_ids)
        kept = con.execute(
            "SELECT count(*) FROM sync_raw WHERE entity = 'leads' AND id IN (SELECT unnest(?::VARCHAR[]))", [listed]
        ).fetchone()[0]
        if kept != len(listed):
            raise SyncIncomplete(f"the API listed {len(listed)} leads but {kept} were kept; run the sync again")
        raw = con.execute("SELECT count(*) FROM sync_raw WHERE entity = 'leads'").fetchone()[0]
        stored = con.execute("SELECT count(*) FROM leads").fetchone()[0]
        if stored != raw:
            raise SyncIncomplete(
                f"the store holds {stored} leads but the sync received {raw}; run `crmreports sync --full`"
            )

    # ----------------------------------------------------------------------------------------- run

    def run(self) -> SyncResult:
        t0 = time.monotonic()
        host = urlsplit(self.client.base_url).netloc.replace(":", "_") or "account"
        account_lock = self.store_path.parent / f".sync-{host}.lock"
        with (
            store_lock.writing(self.store_path, "sync"),
            store_lock.holding(account_lock, "sync", f"account {host} is being synced by") as held,
        ):
            # one sync of a store and of an account at a time; the rate limiter's window outlives a restart
            limiter = self.client.limiter
            limiter.restore(held.info.get("requests") or [])

            def keep(times: list[float]) -> None:
                held.info["requests"] = times
                try:
                    held.save()
                except OSError as exc:
                    log.debug("cannot keep the rate limiter's window in %s: %s", held.path, exc)

            limiter.on_acquire = keep
            try:
                self._run(t0)
            finally:
                limiter.on_acquire = None
        return self.result

    def _run(self, t0: float) -> None:
        con = store.connect(self.store_path, read_only=False)
        try:
            con.execute(RAW_DDL)
            self._fetch_refs(con)
            state = self._state(con)
            for st in streams():
                mark = None if self.full else state.get(st.name, (None, None))[0]
                self.result.records[st.name] = self._fetch_stream(con, st, mark)
            if self.deleted_disagree:
                log.warning(
                    "the API listed %d leads under with=only_deleted whose own is_deleted is not true; they were "
                    "not marked deleted (the server may ignore with=only_deleted)",
                    self.deleted_disagree,
                )
            self._materialize(con)
            self._check_counts(con)
            store.files.stamp_version(con)  # the content version the pack cache keys on
            con.execute("CHECKPOINT")
        finally:
            con.close()
        s = self.client.stats
        self.result.requests, self.result.retries, self.result.refreshes = s.requests, s.retries, s.refreshes
        self.result.seconds = time.monotonic() - t0
        log.info(self.result.summary())
        if self.result.unsorted_summary:
            log.info("unsorted summary from the API: %s", self.result.unsorted_summary)


def sync(client: AmoCRMClient, store_path: str | Path, *, full: bool = False, progress: bool = True) -> SyncResult:
    """Pull the account behind ``client`` into the store at ``store_path`` (see the module docstring)."""
    return Syncer(client, store_path, full=full, progress=progress).run()
