"""Who gets what: the pack's documents and the recipients, from the store's users and the delivery settings.

- the head of sales: the team's documents (a ``summary`` report first where one exists, then the registry's
  order), then each group's, then each manager's;
- a group's head: the group's documents, then those of each of the group's managers;
- each active manager with an e-mail (or a Telegram chat): only their own documents, in one message.

:func:`plan` is pure (users, settings and the list of documents in, recipients out); :func:`pack_documents`
reads the documents of a built pack.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from .. import reports as registry
from ..core.labels import t
from ..core.scopes import group_scope, manager_slugs
from .settings import DeliverySettings, SettingsError, is_email

SUMMARY_REPORT = "summary"
ROLES = ("head_of_sales", "group_head", "manager")


@dataclass(frozen=True)
class Document:
    """One built document of the pack: ``<out>/<period>/<report>/<scope>.{json,pdf}``."""

    report: str
    scope: str
    json_path: Path
    pdf: Path | None
    data: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def cache_key(self) -> str:
        return str(self.data.get("cache_key") or f"{self.report}/{self.scope}")

    @property
    def content_key(self) -> str:
        """A hash of what the document says: its figures, comparisons, findings, store sync time and table CSVs
        (not when or from which code it was built). A rebuild from the same data has the same key, so a rerun
        after the store file changed (the delivery log is kept in it) does not send the document again."""
        said = {
            k: self.data.get(k)
            for k in ("report", "period", "scope", "lang", "store_synced_at", "figures", "comparisons", "findings")
        }
        h = hashlib.sha256(json.dumps(said, sort_keys=True, ensure_ascii=False, default=str).encode())
        for name, rel in sorted((self.data.get("tables") or {}).items()):
            table = self.json_path.parent / rel
            h.update(name.encode())
            h.update(table.read_bytes() if table.is_file() else b"")
        return h.hexdigest()

    @property
    def meta(self) -> dict:
        return self.data.get("meta") or {}

    def title(self, lang: str) -> str:
        known = registry.registry().get(self.report)
        return known.title.get(lang, self.report) if known else str(self.meta.get("title") or self.report)


@dataclass(frozen=True)
class Recipient:
    """One message's addressee: ``key`` names the message (with the period and the address, what the delivery
    log records); ``scopes`` are the scope slugs whose documents it carries, the first being the one its
    headline figures come from."""

    key: str
    role: str
    name: str
    email: str | None
    chat: str | None
    scopes: tuple[str, ...]
    scope_labels: dict[str, str] = field(default_factory=dict, compare=False)

    @property
    def primary(self) -> str:
        return self.scopes[0]


def report_order(report: str) -> tuple:
    """Sort key: the summary first, then the registry's order, then unknown reports by name."""
    known = registry.registry().get(report)
    return (0 if report == SUMMARY_REPORT else 1, known.order if known else 10**6, report)


def pack_documents(out_dir: str | Path, period: str, lang: str = "ru") -> list[Document]:
    """Every document of the period's pack with a JSON (and its PDF where one was built), in report order.
    Documents the pack's ``index.json`` lists as failed are left out (an older file may still lie there). ``lang``:
    the pack's language (a pack in another language than Russian is named ``<scope>.<lang>.*``)."""
    root = Path(out_dir) / period
    if not root.is_dir():
        raise FileNotFoundError(f"{root}: no pack for {period}; build it with `crmreports pack --period {period}`")
    failed: set[tuple[str, str]] = set()
    suffix = "" if lang == "ru" else f".{lang}"
    index = root / f"index{suffix}.json"
    if index.is_file():
        try:
            failed = {(e["report"], e["scope"]) for e in json.loads(index.read_text("utf-8")) if not e.get("ok", True)}
        except (ValueError, KeyError, TypeError):
            failed = set()
    docs = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        for js in sorted(folder.glob(f"*{suffix}.json")):
            scope = js.name[: -len(f"{suffix}.json")]
            if "." in scope:  # another language's document
                continue
            if (folder.name, scope) in failed:
                continue
            try:
                data = json.loads(js.read_text("utf-8"))
            except ValueError:
                continue
            if not isinstance(data, dict) or data.get("report", folder.name) != folder.name:
                continue
            pdf = js.with_name(f"{scope}{suffix}.pdf")
            docs.append(Document(folder.name, scope, js, pdf if pdf.is_file() else None, data))
    return sorted(docs, key=lambda d: report_order(d.report))


def documents_for(documents: list[Document], scope: str) -> list[Document]:
    return sorted((d for d in documents if d.scope == scope), key=lambda d: report_order(d.report))


# ------------------------------------------------------------------------------------------- the plan


@dataclass(frozen=True)
class _User:
    id: int
    name: str
    email: str | None
    group: str | None
    active: bool
    slug: str


def _users(users: pd.DataFrame, settings: DeliverySettings) -> list[_User]:
    slugs = manager_slugs(users)
    overrides = {k.casefold(): v for k, v in settings.emails.items()}
    out = []
    for row in users.itertuples(index=False):
        name = str(row.name)
        email = overrides.get(name.casefold()) or (str(row.email).strip() if _present(row.email) else None)
        group = str(row.group_name) if _present(row.group_name) else None
        active = bool(row.is_active) if _present(row.is_active) else True
        out.append(
            _User(int(row.id), name, email if email and is_email(email) else None, group, active, slugs[int(row.id)])
        )
    return sorted(out, key=lambda u: u.name)


def _present(v) -> bool:
    return v is not None and not (isinstance(v, float) and pd.isna(v)) and v is not pd.NA and str(v) != ""


def _person(entry: str, users: list[_User], key: str, where: str) -> tuple[str, str | None]:
    """(name, e-mail) of an entry that is an e-mail or a user name."""
    if is_email(entry):
        found = next((u for u in users if u.email and u.email.casefold() == entry.casefold()), None)
        return (found.name if found else entry), entry
    found = next((u for u in users if u.name.casefold() == entry.casefold()), None)
    if found is None:
        valid = ", ".join(u.name for u in users)
        raise SettingsError(f"{where}: {key}: unknown user {entry!r}; give an e-mail or one of: {valid}")
    return found.name, found.email


def plan(
    users: pd.DataFrame, settings: DeliverySettings, documents: list[Document], lang: str = "ru"
) -> list[Recipient]:
    """Every recipient with the scopes of the documents they get, in order: heads of sales, group heads,
    managers. Scopes without a document in the pack are left out; a recipient left with none is dropped.
    ``exclude`` removes people as recipients only (their documents still go to their heads)."""
    where = settings.source or "delivery settings"
    people = _users(users, settings)
    _check_names(people, settings, where)
    built = {d.scope for d in documents}
    excluded = {x.casefold() for x in settings.exclude}

    def is_excluded(name: str, email: str | None) -> bool:
        return name.casefold() in excluded or bool(email and email.casefold() in excluded)

    labels = {"team": t("common.team", lang)}
    group_slugs: dict[str, str] = {}
    for g in sorted({u.group for u in people if u.group}):
        slug = group_scope(g, users).slug
        group_slugs[g] = slug
        labels[slug] = f"{g} ({t('common.group', lang).lower()})"
    for u in people:
        labels[u.slug] = u.name
    managers = [u.slug for u in people if u.slug in built]
    groups = [s for g, s in sorted(group_slugs.items()) if s in built]

    out: list[Recipient] = []

    def add(key, role, name, email, chat, scopes):
        scopes = tuple(s for s in scopes if s in built)
        if scopes and not is_excluded(name, email):
            out.append(Recipient(key, role, name, email, chat, scopes, {s: labels.get(s, s) for s in scopes}))

    for entry in settings.head_of_sales:
        name, email = _person(entry, people, "head_of_sales", where)
        chat = settings.telegram_chat(name, email, "head_of_sales")
        add("head_of_sales", "head_of_sales", name, email, chat, ["team", *groups, *managers])
    for group, entry in settings.group_heads.items():
        real = next((g for g in group_slugs if g.casefold() == group.casefold()), None)
        if real is None:
            valid = ", ".join(group_slugs) or "(the store's users have no groups)"
            raise SettingsError(f"{where}: group_heads: unknown group {group!r}; valid: {valid}")
        name, email = _person(entry, people, f"group_heads.{group}", where)
        members = [u.slug for u in people if u.group == real]
        chat = settings.telegram_chat(name, email)
        add(f"group_head:{group_slugs[real]}", "group_head", name, email, chat, [group_slugs[real], *members])
    for u in people:
        if u.active:
            add(f"manager:{u.slug}", "manager", u.name, u.email, settings.telegram_chat(u.name, u.email), [u.slug])
    return _dedupe(out)


def _dedupe(recipients: list[Recipient]) -> list[Recipient]:
    """Two heads of sales sharing the ``head_of_sales`` chat get one Telegram message: the chat stays with
    the first only."""
    seen: set[tuple[str, str]] = set()
    out = []
    for r in recipients:
        if r.chat is not None and (r.key, r.chat) in seen:
            r = replace(r, chat=None)
        elif r.chat is not None:
            seen.add((r.key, r.chat))
        out.append(r)
    return out


def _check_names(people: list[_User], settings: DeliverySettings, where: str) -> None:
    """Names in ``exclude``, ``emails`` and ``telegram`` must be the store's users (or e-mails, or a role)."""
    names = {u.name.casefold() for u in people}
    emails = {u.email.casefold() for u in people if u.email}
    emails |= {e.casefold() for e in settings.head_of_sales if is_email(e)}
    emails |= {e.casefold() for e in settings.group_heads.values() if is_email(e)}
    valid = ", ".join(u.name for u in people)
    for key, entries, roles in (
        ("exclude", settings.exclude, ()),
        ("emails", list(settings.emails), ()),
        ("telegram", list(settings.telegram), ("head_of_sales", "admin")),
    ):
        for entry in entries:
            e = entry.casefold()
            if e in names or e in roles or (key != "emails" and (e in emails or is_email(entry))):
                continue
            extra = ', "head_of_sales", "admin" or an e-mail' if roles else ""
            raise SettingsError(f"{where}: {key}: unknown user {entry!r}; valid: {valid}{extra}")
