"""A local stand-in for the amoCRM / Kommo REST API v4, serving an account dump over real HTTP.

It reproduces what a sync client has to cope with (see shared/research/amocrm-api.md §10): amoCRM's URL
paths; HAL JSON (``_embedded``, ``_links``, ``_page``) with ``application/hal+json``; a ``next`` link on
every page, including a full last page, and HTTP 204 past the end or for an empty result; out-of-range
``limit`` silently clamped to 50 (max 250, events 100); the filters, ``with`` and ``order`` parameters the
sync uses; deleted leads only under ``with=only_deleted``; the OAuth2 token endpoint with single-use
rotating refresh tokens; 401 ``application/problem+json`` on a bad or expired token; and switchable
faults (429 bursts with an HTML body, 403, 500/502/503/504, slow responses, dropped connections,
malformed or truncated JSON, a page that repeats the previous one (:meth:`repeat_page`), a server that
ignores ``with=only_deleted`` (``ignore_only_deleted``)); every request's arrival time is kept, and
:meth:`max_per_second` measures the most requests in any sliding second.

Usage::

    with AmoCRMServer(dump) as srv:              # port 0 on 127.0.0.1, a thread per request
        client = AmoCRMClient(srv.base_url, StaticTokenAuth(srv.access_token))
        srv.inject("429", times=3)                 # the next three API requests get 429
        srv.update_lead(lead_id, price=1000)       # mutate served data; updated_at is bumped
        srv.request_count                          # requests served so far

Records are served exactly as they are in the dump.
"""

from __future__ import annotations

import copy
import json
import secrets
import threading
import time
from collections import deque
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from .loopback import LoopbackServer

DEFAULT_LIMIT = 50
MAX_LIMIT = 250
EVENTS_MAX_LIMIT = 100
FAULT_KINDS = ("429", "403", "401", "500", "502", "503", "504", "slow", "drop", "malformed", "truncated")

HTML_429 = (
    b"<html><head><title>429 Too Many Requests</title></head><body><center><h1>429 Too Many "
    b"Requests</h1></center><hr><center>nginx</center></body></html>"
)
HTML_403 = b"<html><head><title>403 Forbidden</title></head><body><center><h1>403 Forbidden</h1></center></body></html>"
HTML_5XX = b"<html><head><title>%d</title></head><body><center><h1>%d Server Error</h1></center></body></html>"


def _problem(status: int, title: str, detail: str, **extra) -> dict:
    return {"title": title, "type": f"https://httpstatus.es/{status}", "status": status, "detail": detail, **extra}


class _Fault:
    def __init__(self, kind: str, times: int, path: str | None):
        self.kind, self.remaining, self.path = kind, times, path


class AmoCRMServer(LoopbackServer):
    """Serve an account dump (see :mod:`crmreports.sources.mapping`) like amoCRM's API v4 does."""

    def __init__(
        self,
        dump: Mapping[str, Any],
        *,
        access_token: str | None = None,
        client_id: str = "stand-in-client",
        client_secret: str | None = None,
        redirect_uri: str = "https://example.org/amocrm/callback",
        auth_code: str | None = None,
        rate_limit: float | None = None,
        slow_seconds: float = 2.0,
        host: str = "127.0.0.1",
        subdomain: str | None = None,
    ):
        dump = copy.deepcopy(dict(dump))
        self.account = dump.get("account") or {}
        self.users = list(dump.get("users") or [])
        self.pipelines = list(dump.get("pipelines") or [])
        self.loss_reasons = list(dump.get("loss_reasons") or [])
        self.sources = list(dump.get("sources") or [])
        self.leads: list[dict] = [d for d in dump.get("leads") or [] if not d.get("is_deleted")]
        self.deleted: list[dict] = [d for d in dump.get("leads") or [] if d.get("is_deleted")]
        self._deleted_full: dict[int, dict] = {d["id"]: d for d in self.deleted}
        self.events = list(dump.get("events") or [])
        self.notes = {k: list(v) for k, v in (dump.get("notes") or {}).items()}
        for k in ("leads", "contacts", "companies"):
            self.notes.setdefault(k, [])
        self.tasks = list(dump.get("tasks") or [])
        self.unsorted = list(dump.get("unsorted") or [])
        self.contacts = list(dump.get("contacts") or [])
        self.companies = list(dump.get("companies") or [])
        self.access_token = access_token or "lt-" + secrets.token_urlsafe(24)
        self.client_id = client_id
        self.client_secret = client_secret or "cs-" + secrets.token_urlsafe(16)
        self.redirect_uri = redirect_uri
        self.auth_code = auth_code or "code-" + secrets.token_urlsafe(16)
        self._codes = {self.auth_code}
        self._access: dict[str, float] = {self.access_token: float("inf")}
        self._refresh: set[str] = set()
        self.issued: list[str] = [self.access_token, self.client_secret, self.auth_code]
        self.token_ttl = 86400
        self.slow_seconds = slow_seconds
        self.rate_limit = rate_limit
        self._arrivals: deque[float] = deque()
        self.rate_limited = 0
        self.lock = threading.RLock()
        self._faults: list[_Fault] = []
        self.request_count = 0
        self.request_log: list[tuple[str, str]] = []
        self.arrival_times: list[float] = []  # time.monotonic() of every request's arrival
        self.ignore_only_deleted = False  # serve active leads under with=only_deleted (a server ignoring it)
        self._repeats: dict[tuple[str, bool, int], int] = {}
        stamps = [
            r.get(k)
            for lst in (self.leads, self.deleted, self.events, self.tasks, self.unsorted, self.contacts, self.companies)
            for r in lst
            for k in ("created_at", "updated_at")
        ]
        stamps += [n.get("updated_at") or n.get("created_at") for lst in self.notes.values() for n in lst]
        self._clock = max([int(s) for s in stamps if s] or [int(time.time())]) + 60
        self._seq = 0
        self.subdomain = subdomain or self.account.get("subdomain") or "example"
        super().__init__(host)

    # ------------------------------------------------------------------------------- faults, tokens

    def inject(self, kind: str, times: int = 1, path: str | None = None) -> None:
        """Make the next ``times`` API requests (optionally only those whose path starts with ``path``)
        fail with ``kind``: one of :data:`FAULT_KINDS`."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {kind!r}; valid: {FAULT_KINDS}")
        with self.lock:
            self._faults.append(_Fault(kind, times, path))

    def repeat_page(self, page: int, times: int = 1, path: str = "/api/v4/leads", only_deleted: bool = False) -> None:
        """Answer the next ``times`` requests for ``page`` (> 1) of ``path`` with the previous page's records,
        as an offset-paged list does when records shift between requests. ``times`` may be large (always)."""
        if page < 2:
            raise ValueError("only a page after the first can repeat the previous one")
        with self.lock:
            self._repeats[(path, only_deleted, page)] = times

    def max_per_second(self, window: float = 1.0) -> int:
        """The most requests that arrived within any ``window`` seconds (a sliding window over arrivals)."""
        with self.lock:
            t = sorted(self.arrival_times)
        best, j = 0, 0
        for i in range(len(t)):
            while t[i] - t[j] >= window:
                j += 1
            best = max(best, i - j + 1)
        return best

    def clear_faults(self) -> None:
        with self.lock:
            self._faults.clear()

    def pending_faults(self) -> int:
        with self.lock:
            return sum(f.remaining for f in self._faults)

    def _take_fault(self, path: str) -> str | None:
        with self.lock:
            for f in self._faults:
                if f.remaining > 0 and (f.path is None or path.startswith(f.path)):
                    f.remaining -= 1
                    kind = f.kind
                    self._faults = [x for x in self._faults if x.remaining > 0]
                    return kind
        return None

    def expire_tokens(self) -> None:
        """Invalidate every access token issued so far (the long-lived one too)."""
        with self.lock:
            self._access.clear()

    def _issue(self) -> dict:
        access, refresh = "at-" + secrets.token_urlsafe(32), "rt-" + secrets.token_urlsafe(32)
        self._access[access] = time.time() + self.token_ttl
        self._refresh.add(refresh)
        self.issued += [access, refresh]
        return {
            "token_type": "Bearer",
            "expires_in": self.token_ttl,
            "server_time": int(time.time()),
            "access_token": access,
            "refresh_token": refresh,
        }

    def new_auth_code(self) -> str:
        with self.lock:
            code = "code-" + secrets.token_urlsafe(16)
            self._codes.add(code)
            self.issued.append(code)
            return code

    # ---------------------------------------------------------------------------------- mutations

    def now(self) -> int:
        """The server's clock: strictly increasing unix seconds after every stamp in the dump."""
        with self.lock:
            self._clock += 1
            return self._clock

    def _event(
        self,
        type_: str,
        lead_id: int,
        before: list | None = None,
        after: list | None = None,
        created_by: int | None = None,
    ) -> dict:
        self._seq += 1
        ev = {
            "id": f"srv{self._seq:022d}",
            "type": type_,
            "entity_id": lead_id,
            "entity_type": "lead",
            "created_by": created_by or 0,
            "created_at": self.now(),
            "value_before": before or [],
            "value_after": after or [],
            "account_id": self.account.get("id"),
        }
        self.events.append(ev)
        return ev

    def _lead(self, lead_id: int) -> dict:
        for d in self.leads:
            if d["id"] == lead_id:
                return d
        raise KeyError(f"no active lead {lead_id}")

    def update_lead(self, lead_id: int, **fields) -> dict:
        """Change fields of an active lead and bump its ``updated_at``."""
        with self.lock:
            d = self._lead(lead_id)
            d.update(fields)
            d["updated_at"] = self.now()
            return d

    def move_lead(
        self, lead_id: int, status_id: int, pipeline_id: int | None = None, user_id: int | None = None
    ) -> dict:
        """Move a lead to another stage, with its ``lead_status_changed`` event."""
        with self.lock:
            d = self._lead(lead_id)
            before = [{"lead_status": {"id": d["status_id"], "pipeline_id": d["pipeline_id"]}}]
            pipeline_id = pipeline_id or d["pipeline_id"]
            after = [{"lead_status": {"id": status_id, "pipeline_id": pipeline_id}}]
            self._event("lead_status_changed", lead_id, before, after, user_id or d.get("responsible_user_id"))
            d.update(status_id=status_id, pipeline_id=pipeline_id)
            if status_id in (142, 143):
                d["closed_at"] = self._clock
            d["updated_at"] = self.now()
            return d

    def add_lead(self, **fields) -> dict:
        """Create a lead (a copy of the last one with a new id unless fields say otherwise) and its
        ``lead_added`` event."""
        with self.lock:
            new_id = max([d["id"] for d in self.leads + self.deleted] or [0]) + 1
            template = copy.deepcopy(self.leads[-1]) if self.leads else {}
            template.pop("_links", None)
            t = self.now()
            template.update(
                {
                    "id": new_id,
                    "name": f"Сделка {new_id}",
                    "created_at": t,
                    "updated_at": t,
                    "closed_at": None,
                    "is_deleted": False,
                }
            )
            template.update(fields)
            self.leads.append(template)
            self._event("lead_added", new_id, [], [], template.get("created_by"))
            return template

    def delete_lead(self, lead_id: int, user_id: int | None = None) -> dict:
        """Delete a lead: it leaves the list and appears under ``with=only_deleted`` as a stub
        ``{id, updated_at, is_deleted: true}``; a ``lead_deleted`` event is added."""
        with self.lock:
            d = self._lead(lead_id)
            self.leads.remove(d)
            ev = self._event("lead_deleted", lead_id, created_by=user_id)
            stub = {"id": lead_id, "updated_at": ev["created_at"], "is_deleted": True}
            self.deleted.append(stub)
            self._deleted_full[lead_id] = {**d, **stub}
            return stub

    def add_note(self, entity: str, note: dict) -> dict:
        with self.lock:
            note = dict(note)
            note.setdefault("created_at", self.now())
            note.setdefault("updated_at", note["created_at"])
            self.notes.setdefault(entity, []).append(note)
            return note

    def add_task(self, task: dict) -> dict:
        with self.lock:
            task = dict(task)
            task.setdefault("created_at", self.now())
            task.setdefault("updated_at", task["created_at"])
            self.tasks.append(task)
            return task

    def upsert_client(self, entity: str, record: dict) -> dict:
        """Add or replace a contact or company (``entity`` ``contacts`` or ``companies``), stamped now."""
        with self.lock:
            items = self.contacts if entity == "contacts" else self.companies
            record = dict(record)
            record.setdefault("created_at", self.now())
            record["updated_at"] = self.now()
            items[:] = [r for r in items if r["id"] != record["id"]] + [record]
            return record

    def dump(self) -> dict:
        """The account as served now (deleted leads as their ``only_deleted`` stubs)."""
        with self.lock:
            return copy.deepcopy(
                {
                    "account": self.account,
                    "users": self.users,
                    "pipelines": self.pipelines,
                    "loss_reasons": self.loss_reasons,
                    "sources": self.sources,
                    "leads": self.leads + self.deleted,
                    "events": self.events,
                    "notes": self.notes,
                    "tasks": self.tasks,
                    "unsorted": self.unsorted,
                    "contacts": self.contacts,
                    "companies": self.companies,
                }
            )

    def expected_dump(self) -> dict:
        """The account a sync should end up with: like :meth:`dump`, but a lead deleted while served
        keeps its last full record, marked ``is_deleted`` (the sync marks deleted leads, it does not
        forget them)."""
        with self.lock:
            d = self.dump()
            d["leads"] = copy.deepcopy(self.leads) + [copy.deepcopy(self._deleted_full[s["id"]]) for s in self.deleted]
            return d

    # ------------------------------------------------------------------------------------ serving

    def _rate_ok(self) -> bool:
        if not self.rate_limit:
            return True
        with self.lock:
            now = time.monotonic()
            while self._arrivals and now - self._arrivals[0] >= 1.0:
                self._arrivals.popleft()
            if len(self._arrivals) >= self.rate_limit:
                self.rate_limited += 1
                return False
            self._arrivals.append(now)
            return True

    def _authorized(self, header: str | None) -> bool:
        if not header or not header.startswith("Bearer "):
            return False
        exp = self._access.get(header[7:])
        return exp is not None and exp > time.time()

    def token_endpoint(self, body: dict) -> tuple[int, dict]:
        with self.lock:
            if body.get("client_id") != self.client_id or body.get("client_secret") != self.client_secret:
                return 401, {
                    "title": "Некорректный клиент",
                    "type": "https://developers.amocrm.ru/v3/errors/OAuthProblemJson",
                    "status": 401,
                    "detail": "Авторизация клиента не прошла",
                }
            grant = body.get("grant_type")
            revoked = {
                "hint": "Token has been revoked",
                "title": "Некорректный запрос",
                "type": "https://developers.amocrm.ru/v3/errors/OAuthProblemJson",
                "status": 401,
                "detail": "В запросе отсутствует ряд параметров или параметры невалидны",
            }
            if body.get("redirect_uri") != self.redirect_uri:
                return 400, _problem(400, "Bad Request", "redirect_uri does not match")
            if grant == "authorization_code":
                code = body.get("code")
                if code not in self._codes:
                    return 401, {**revoked, "hint": "Authorization code has been revoked"}
                self._codes.discard(code)
                return 200, self._issue()
            if grant == "refresh_token":
                rt = body.get("refresh_token")
                if rt not in self._refresh:
                    return 401, revoked
                self._refresh.discard(rt)  # single use: rotation
                return 200, self._issue()
            return 400, _problem(400, "Bad Request", f"unsupported grant_type {grant!r}")

    def route(self, path: str, query: list[tuple[str, str]], base: str) -> tuple[int, Any]:
        q: dict[str, list[str]] = {}
        for k, v in query:
            q.setdefault(k, []).append(v)
        with self.lock:
            if path == "/api/v4/account":
                return 200, {**self.account, "_links": {"self": {"href": base + path}}}
            if path == "/api/v4/users":
                return self._paged(path, query, base, "users", self.users, counted=True)
            if path == "/api/v4/leads/pipelines":
                return self._unpaged(path, base, "pipelines", self.pipelines)
            if path == "/api/v4/leads/loss_reasons":
                return self._unpaged(path, base, "loss_reasons", self.loss_reasons)
            if path == "/api/v4/sources":
                return self._unpaged(path, base, "sources", self.sources)
            if path == "/api/v4/leads":
                withs = ",".join(q.get("with", [])).split(",")
                deleted = "only_deleted" in withs
                items = self.deleted if deleted and not self.ignore_only_deleted else self.leads
                back = self._repeated(path, deleted, query)
                items = self._filter(items, q, ("updated_at", "created_at", "closed_at"))
                if "filter[id]" in q or "filter[id][]" in q:
                    ids = {int(x) for x in q.get("filter[id]", []) + q.get("filter[id][]", [])}
                    items = [d for d in items if d["id"] in ids]
                return self._paged(path, query, base, "leads", self._order(items, q), back=back)
            if path == "/api/v4/events":
                items = self._filter(self.events, q, ("created_at",))
                types = {t for v in q.get("filter[type]", []) + q.get("filter[type][]", []) for t in v.split(",")}
                if types:
                    items = [e for e in items if e.get("type") in types]
                ents = {t for v in q.get("filter[entity]", []) + q.get("filter[entity][]", []) for t in v.split(",")}
                if ents:
                    items = [e for e in items if e.get("entity_type") in ents]
                return self._paged(path, query, base, "events", self._order(items, q), max_limit=EVENTS_MAX_LIMIT)
            for entity in ("leads", "contacts", "companies"):
                if path == f"/api/v4/{entity}/notes":
                    items = self._filter(self.notes.get(entity, []), q, ("updated_at",))
                    types = {
                        t
                        for v in q.get("filter[note_type]", []) + q.get("filter[note_type][]", [])
                        for t in v.split(",")
                    }
                    if types:
                        items = [n for n in items if n.get("note_type") in types]
                    return self._paged(path, query, base, "notes", self._order(items, q))
            if path in ("/api/v4/contacts", "/api/v4/companies"):
                key = path.rsplit("/", 1)[1]
                items = self._filter(getattr(self, key), q, ("updated_at", "created_at"))
                return self._paged(path, query, base, key, self._order(items, q))
            if path == "/api/v4/tasks":
                items = self._filter(self.tasks, q, ("updated_at", "created_at"))
                return self._paged(path, query, base, "tasks", self._order(items, q))
            if path == "/api/v4/leads/unsorted":
                return self._paged(path, query, base, "unsorted", self._order(self.unsorted, q))
            if path == "/api/v4/leads/unsorted/summary":
                return 200, self._summary(q)
            return 404, _problem(404, "Not Found", f"unknown path {path}")

    def _repeated(self, path: str, deleted: bool, query: list) -> int:
        """1 when the requested page must repeat the previous one's records (a pending repeat), else 0."""
        try:
            page = int(dict(query).get("page", 1))
        except ValueError:
            return 0
        key = (path, deleted, page)
        if self._repeats.get(key, 0) <= 0:
            return 0
        self._repeats[key] -= 1
        return 1

    @staticmethod
    def _stamp(rec: dict, field: str) -> int | None:
        v = rec.get(field)
        if v is None and field == "updated_at":
            v = rec.get("created_at")
        return None if v is None else int(v)

    def _filter(self, items: list, q: dict, fields: tuple) -> list:
        for f in fields:
            lo = q.get(f"filter[{f}][from]")
            hi = q.get(f"filter[{f}][to]")
            bare = q.get(f"filter[{f}]")
            if bare and not lo:
                lo = bare  # a bare int means "from"
            if lo:
                lo_v = int(lo[0])
                items = [r for r in items if (self._stamp(r, f) or 0) >= lo_v]
            if hi:
                hi_v = int(hi[0])
                items = [r for r in items if (self._stamp(r, f) or 0) <= hi_v]
        return items

    def _order(self, items: list, q: dict) -> list:
        for key in ("updated_at", "created_at", "id"):
            direction = q.get(f"order[{key}]")
            if direction:
                desc = direction[0].lower() == "desc"
                return sorted(
                    items, key=lambda r: (self._stamp(r, key) if key != "id" else r.get("id")) or 0, reverse=desc
                )
        return items

    def _unpaged(self, path: str, base: str, key: str, items: list) -> tuple[int, Any]:
        if not items:
            return 204, None
        return 200, {"_total_items": len(items), "_links": {"self": {"href": base + path}}, "_embedded": {key: items}}

    def _paged(
        self,
        path: str,
        query: list,
        base: str,
        key: str,
        items: list,
        max_limit: int = MAX_LIMIT,
        counted: bool = False,
        back: int = 0,
    ) -> tuple[int, Any]:
        params = dict(query)
        try:
            limit = int(params.get("limit", DEFAULT_LIMIT))
        except ValueError:
            limit = DEFAULT_LIMIT
        if limit < 1 or limit > max_limit:
            limit = DEFAULT_LIMIT  # amoCRM silently falls back to 50
        try:
            page = max(1, int(params.get("page", 1)))
        except ValueError:
            page = 1
        chunk = items[(page - 1 - back) * limit : (page - back) * limit]  # back: records shifted by whole pages
        if not chunk:
            return 204, None
        rest = [(k, v) for k, v in query if k not in ("page", "limit")]

        def link(p: int) -> dict:
            return {"href": base + path + "?" + urlencode(rest + [("limit", limit), ("page", p)])}

        links = {"self": link(page)}
        if counted:  # users-like lists know their size
            pages = -(-len(items) // limit)
            if page < pages:
                links["next"] = link(page + 1)
        else:  # leads, events, notes...: "next" always, even on the last page
            links["next"] = link(page + 1)
        if page > 1:
            links["first"] = link(1)
            links["prev"] = link(page - 1)
        body = {"_page": page, "_links": links, "_embedded": {key: chunk}}
        if counted:
            body = {"_total_items": len(items), "_page": page, "_page_count": -(-len(items) // limit), **body}
        return 200, body

    def _summary(self, q: dict) -> dict:
        items = self._filter(self.unsorted, q, ("created_at",))
        if q.get("filter[pipeline_id]"):
            pid = int(q["filter[pipeline_id]"][0])
            items = [u for u in items if u.get("pipeline_id") == pid]
        active = {d["id"]: d for d in self.leads}
        unsorted_ids = {
            s["id"]
            for p in self.pipelines
            for s in (p.get("_embedded") or {}).get("statuses", [])
            if s.get("type") == 1
        }
        accepted = declined = 0
        cats: dict[str, dict] = {}
        for u in items:
            cats.setdefault(u.get("category"), {"total": 0})["total"] += 1
            lid = ((u.get("_embedded") or {}).get("leads") or [{}])[0].get("id")
            if lid not in active:
                declined += 1
            elif active[lid].get("status_id") not in unsorted_ids:
                accepted += 1
        return {
            "total": len(items),
            "accepted": accepted,
            "declined": declined,
            "average_sort_time": 0,
            "categories": cats,
            "_links": {"self": {"href": "/api/v4/leads/unsorted/summary"}},
        }


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    srv: AmoCRMServer

    def log_message(self, format, *args):  # noqa: A002 - silence the default stderr logging
        pass

    def _send(self, status: int, body: bytes = b"", ctype: str | None = None, length: int | None = None) -> None:
        self.send_response(status)
        if ctype:
            self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        self.send_header("X-Request-Id", secrets.token_hex(8))
        self.end_headers()
        if body:
            self.wfile.write(body)

    def _json(self, status: int, data: Any, ctype: str = "application/hal+json") -> None:
        if status == 204 or data is None:
            self._send(204)
            return
        self._send(status, json.dumps(data, ensure_ascii=False).encode(), ctype)

    def _count(self) -> None:
        with self.srv.lock:
            self.srv.request_count += 1
            self.srv.request_log.append((self.command, urlsplit(self.path).path))
            self.srv.arrival_times.append(time.monotonic())

    def _fault(self, path: str) -> bool:
        kind = self.srv._take_fault(path)
        if kind is None:
            return False
        if kind == "slow":
            time.sleep(self.srv.slow_seconds)
            return False  # then answer normally (if the client is still there)
        if kind == "drop":
            self.close_connection = True
            return True
        if kind == "429":
            self._send(429, HTML_429, "text/html")
        elif kind == "403":
            self._send(403, HTML_403, "text/html")
        elif kind == "401":
            self._json(401, _problem(401, "Unauthorized", "Неверный логин или пароль"), "application/problem+json")
        elif kind in ("500", "502", "503", "504"):
            code = int(kind)
            self._send(code, HTML_5XX % (code, code), "text/html")
        elif kind == "malformed":
            self._send(200, b'{"_page": 1, "_embedded": {"leads": [{"id": 1, "name": "', "application/hal+json")
        elif kind == "truncated":
            body = b'{"_page": 1, "_embedded": {"leads": ['
            self._send(200, body, "application/hal+json", length=len(body) + 5000)
            self.close_connection = True
        return True

    def do_GET(self):  # noqa: N802
        self._count()
        parts = urlsplit(self.path)
        if self._fault(parts.path):
            return
        if not self.srv._rate_ok():
            self._send(429, HTML_429, "text/html")
            return
        if not self.srv._authorized(self.headers.get("Authorization")):
            self._json(401, _problem(401, "Unauthorized", "Неверный логин или пароль"), "application/problem+json")
            return
        host = self.headers.get("Host") or "{}:{}".format(*self.server.server_address[:2])
        status, data = self.srv.route(parts.path, parse_qsl(parts.query, keep_blank_values=True), f"http://{host}")
        self._json(status, data, "application/hal+json" if status < 400 else "application/problem+json")

    def do_POST(self):  # noqa: N802
        self._count()
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        if self._fault(parts.path):
            return
        if parts.path != "/oauth2/access_token":
            self._json(404, _problem(404, "Not Found", "unknown path"), "application/problem+json")
            return
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            self._json(400, _problem(400, "Bad Request", "invalid JSON"), "application/problem+json")
            return
        status, data = self.srv.token_endpoint(body)
        self._json(status, data, "application/json" if status == 200 else "application/problem+json")


AmoCRMServer.handler = _Handler
AmoCRMServer.thread_name = "amocrm-stand-in"
