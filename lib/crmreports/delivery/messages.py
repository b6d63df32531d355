"""The messages: subject and body (ru/en) with the headline figures and the three biggest changes, and the
attachments: one combined PDF per scope (pypdf), one zip when they are above the size limit together, links
(or the files' paths) when even the zip is.

The texts are pure functions of the recipient and the documents' JSON (:func:`compose`); :func:`prepare`
writes the combined PDFs (and the zip) into ``<out>/<period>/combined/``, where the links point.
"""

from __future__ import annotations

import hashlib
import math
import os
import string
import tempfile
import zipfile
from dataclasses import dataclass, field, replace
from pathlib import Path

from .. import reports as registry
from ..batch.run import output_stem
from ..core import fmt
from ..core.labels import has, t
from ..core.periods import parse_period
from .recipients import Document, Recipient, documents_for
from .settings import DeliverySettings, is_email

COMBINED = "combined"  # <out>/<period>/combined/: the combined PDFs and zips the messages attach or link
TOP_CHANGES = 3
TELEGRAM_TEXT_LIMIT = 4096

_PERCENT_WORDS = ("share", "rate", "conversion", "wape", "coverage")
_MONEY_WORDS = ("revenue", "check", "amount", "pipeline_weighted")


@dataclass(frozen=True)
class Attachment:
    name: str  # the file name the recipient sees
    path: Path  # where it is (or will be) written
    size: int  # bytes (an estimate before it is written)
    sources: tuple[tuple[str, Path], ...] = ()  # (title, PDF) combined into it; for a zip: the files zipped
    title: str = ""  # the combined PDF's title (its scope)

    @property
    def mime(self) -> tuple[str, str]:
        return ("application", "zip") if self.name.endswith(".zip") else ("application", "pdf")


@dataclass(frozen=True)
class Message:
    key: str  # the recipient's message key (delivery log)
    version: str  # a hash of the delivered documents' cache keys (delivery log's pack_version)
    subject: str
    body: str  # the e-mail's plain text
    short: str  # the Telegram text
    mode: str  # "pdf", "zip", "links" or "none" (nothing to attach)
    attachments: tuple[Attachment, ...] = ()
    links: tuple[str, ...] = field(default=())

    @property
    def attachment_names(self) -> list[str]:
        return [a.name for a in self.attachments]


# ------------------------------------------------------------------------------------ figures (pure)


def _number(v) -> float | None:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return None
    return None if math.isnan(float(v)) else float(v)


def figure_kind(report: str, key: str, figures: dict) -> str:
    """money, percent, number, duration (seconds) or days: the declared index kind, else from the key."""
    known = registry.registry().get(report)
    for f in known.index_figures if known else ():
        if f.key == key:
            if f.kind == "plan":
                return "money" if figures.get("plan_metric", "revenue") == "revenue" else "number"
            return f.kind
    k = key.lower()
    if any(w in k for w in _PERCENT_WORDS):
        return "percent"
    if k.endswith("_s"):
        return "duration"
    if k.endswith("_days"):
        return "days"
    if any(w in k for w in _MONEY_WORDS) or (k in ("plan", "fact") and figures.get("plan_metric") == "revenue"):
        return "money"
    return "number"


def figure_label(report: str, key: str, lang: str, figures: dict | None = None) -> str | None:
    """The figure's label: the declared index figure's, else the report's ``<prefix>.kpi.<key>`` or
    ``<prefix>.index.<key>``, its placeholders filled from ``figures`` (``{hours}`` from ``callback_hours``);
    None for a figure without a label or with a placeholder no figure fills (it is not mentioned)."""
    known = registry.registry().get(report)
    declared = known.index_figures if known else ()
    found = next((f.label for f in declared if f.key == key), None)
    if found is None:
        prefixes = list(dict.fromkeys(f.label.split(".", 1)[0] for f in declared)) or [report]
        found = next(
            (c for p in prefixes for c in (f"{p}.kpi.{key}", f"{p}.index.{key}") if has(c)),
            None,
        )
    if found is None:
        return None
    text = t(found, lang)
    names = [n for _, n, _, _ in string.Formatter().parse(text) if n]
    if not names:
        return text
    values = {}
    for name in names:
        hit = next((v for k, v in (figures or {}).items() if k == name or k.endswith("_" + name)), None)
        if _number(hit) is None:
            return None
        values[name] = fmt.number(hit, lang, 0 if float(hit).is_integer() else 1)
    return text.format(**values)


def format_value(kind: str, v, lang: str, currency: str = "RUB") -> str:
    if kind == "money":
        return fmt.money(v, lang, currency)
    if kind == "estimate":  # a forecast: 3 significant figures
        return fmt.money_estimate(v, lang, currency)
    if kind == "percent":
        return fmt.percent(v, lang)
    if kind == "done":  # a plan's done share: never rounded up to 100 %
        return fmt.done_percent(v, lang)
    if kind == "duration":
        return fmt.duration_hm(v, lang)
    if kind == "days":
        return fmt.days(v, lang, 1)
    x = _number(v)
    return fmt.number(v, lang, 0 if x is None or float(x).is_integer() or abs(x) >= 100 else 1)


def headline(doc: Document, lang: str) -> str | None:
    """``Анализ продаж: Выручка 6 197 500 ₽ · Успешные сделки 45 · Доля выигранных 40 %``."""
    known = registry.registry().get(doc.report)
    figures = doc.data.get("figures") or {}
    currency = doc.meta.get("currency") or "RUB"
    parts = []
    for f in known.index_figures if known else ():
        v = figures.get(f.key)
        if _number(v) is not None:
            parts.append(
                f"{t(f.label, lang)} {format_value(figure_kind(doc.report, f.key, figures), v, lang, currency)}"
            )
    return f"{doc.title(lang)}: {' · '.join(parts)}" if parts else None


def _is_plan(report: str, key: str) -> bool:
    known = registry.registry().get(report)
    return any(f.key == key and f.kind == "plan" for f in (known.index_figures if known else ()))


@dataclass(frozen=True)
class Change:
    report: str
    report_title: str
    key: str
    label: str
    kind: str
    current: float
    previous: float
    currency: str = "RUB"

    @property
    def size(self) -> float:
        """What ranks the changes: the relative change (a rate's too: 20 % -> 10 % is a halving)."""
        return abs(self.current / self.previous - 1)


def biggest_changes(docs: list[Document], lang: str, n: int = TOP_CHANGES) -> list[Change]:
    """The ``n`` labelled figures of ``docs`` that moved most against the previous period (relative change;
    figures whose previous value is zero or missing are not ranked)."""
    found = []
    for doc in docs:
        figures = doc.data.get("figures") or {}
        previous = (doc.data.get("comparisons") or {}).get("previous") or {}
        for key, prev in previous.items():
            cur, prev = _number(figures.get(key)), _number(prev)
            if cur is None or prev is None or prev == 0 or cur == prev:
                continue
            if _is_plan(doc.report, key):
                continue  # a plan and its fact are of the plan's period, not comparable with the previous one
            label = figure_label(doc.report, key, lang, figures)
            if label is None:
                continue
            kind = figure_kind(doc.report, key, figures)
            currency = doc.meta.get("currency") or "RUB"
            found.append(Change(doc.report, doc.title(lang), key, label, kind, cur, prev, currency))
    # one line per figure: the same figure in two reports (won deals) counts once, the first report's
    unique: dict[str, Change] = {}
    for c in found:
        unique.setdefault(c.key, c)
    return sorted(unique.values(), key=lambda c: (-c.size, c.report, c.key))[:n]


def change_line(c: Change, lang: str) -> str:
    diff = fmt.change(c.current, c.previous, lang, "points" if c.kind in ("percent", "done") else "relative")
    return t(
        "delivery.change_line",
        lang,
        label=c.label,
        report=c.report_title,
        value=format_value(c.kind, c.current, lang, c.currency),
        change=diff,
        previous=format_value(c.kind, c.previous, lang, c.currency),
    )


# ------------------------------------------------------------------------------ attachments (pure plan)


def combined_name(period: str, scope: str) -> str:
    return f"{period}-{scope}.pdf"


def plan_attachments(
    recipient: Recipient, documents: list[Document], out_dir: Path, period: str, lang: str = "ru"
) -> list[Attachment]:
    """One combined PDF per scope of the recipient (its reports' PDFs in report order); sizes estimated from
    the parts until :func:`prepare` writes them."""
    folder = Path(out_dir) / period / COMBINED
    out = []
    for scope in recipient.scopes:
        parts = tuple((d.title(lang), d.pdf) for d in documents_for(documents, scope) if d.pdf is not None)
        if parts:
            name = combined_name(period, scope)
            size = sum(p.stat().st_size for _, p in parts)
            out.append(Attachment(name, folder / name, size, parts, recipient.scope_labels.get(scope, scope)))
    return out


def attachment_mode(total: int, limit: int, zipped: int | None = None) -> str:
    """ "pdf" when the files fit the limit together; else "zip" (when the zip's size is not known yet or it
    fits); else "links". No file: "none"."""
    if total == 0:
        return "none"
    if total <= limit:
        return "pdf"
    return "zip" if zipped is None or zipped <= limit else "links"


def zip_name(period: str, recipient: Recipient) -> str:
    tail = recipient.primary if recipient.role != "head_of_sales" else "all"
    return f"{period}-{tail}.zip"


def link_for(path: Path, out_dir: Path, settings: DeliverySettings) -> str:
    """The published URL of a file under ``out_dir`` (``link_base`` + its relative path), else its path."""
    if settings.link_base:
        rel = Path(os.path.relpath(path, out_dir)).as_posix()
        return f"{settings.link_base}/{rel}"
    return str(Path(path).resolve())


def version(docs: list[Document]) -> str:
    """The delivered documents' version: a hash of what they say (:attr:`Document.content_key`)."""
    keys = sorted(f"{d.report}/{d.scope}:{d.content_key}" for d in docs)
    return hashlib.sha256("\n".join(keys).encode()).hexdigest()[:16]


# ------------------------------------------------------------------------------------------ texts (pure)


def compose(
    recipient: Recipient,
    documents: list[Document],
    period: str,
    settings: DeliverySettings,
    out_dir: Path,
    attachments: list[Attachment],
    mode: str,
    lang: str,
) -> Message:
    """The message for ``recipient``: subject, e-mail body, Telegram text, what is attached and linked."""
    out_dir = Path(out_dir)
    mine = [d for s in recipient.scopes for d in documents_for(documents, s)]
    primary = documents_for(documents, recipient.primary)
    period_text = fmt.period_label(parse_period(period), lang)
    scope_text = recipient.scope_labels.get(recipient.primary, recipient.primary)
    account = next((str(d.meta["account"]) for d in primary if d.meta.get("account")), "")
    subject = (
        t("delivery.subject", lang, account=account, period=period_text, scope=scope_text)
        if account
        else t("delivery.subject_plain", lang, period=period_text, scope=scope_text)
    )
    heads = [h for h in (headline(d, lang) for d in primary) if h]
    changes = [change_line(c, lang) for c in biggest_changes(primary, lang)]

    greeting = "delivery.greeting_plain" if is_email(recipient.name) else "delivery.greeting"
    lines = [t(greeting, lang, name=recipient.name), ""]
    lines.append(t(f"delivery.intro.{recipient.role}", lang, period=period_text, scope=scope_text))
    if heads:
        lines += ["", t("delivery.headline", lang, scope=scope_text), *heads]
    lines += ["", t("delivery.changes", lang)]
    lines += [f"• {c}" for c in changes] if changes else [t("delivery.no_changes", lang)]
    attach_lines, links = _attachment_lines(recipient, attachments, mode, lang, settings, out_dir, period)
    no_pdf = [d for d in mine if d.pdf is None]
    if no_pdf:
        attach_lines += ["", t("delivery.no_pdf", lang)]
        for d in no_pdf:
            html = d.json_path.with_suffix(".html")
            where = link_for(html, out_dir, settings) if html.exists() or settings.link_base else str(d.json_path)
            attach_lines.append(f"• {d.title(lang)}, {recipient.scope_labels.get(d.scope, d.scope)}: {where}")
    if settings.link_base:
        attach_lines += [
            "",
            t("delivery.index_link", lang, url=f"{settings.link_base}/{period}/{output_stem('index', lang)}.html"),
        ]
    body = "\n".join([*lines, "", *attach_lines, "", "—", t("delivery.footer", lang)]) + "\n"
    short = "\n".join(
        [subject, "", *heads, "", t("delivery.changes", lang), *[f"• {c}" for c in changes], "", *attach_lines]
    )
    if len(short) > TELEGRAM_TEXT_LIMIT:
        short = short[: TELEGRAM_TEXT_LIMIT - 1] + "…"
    return Message(
        key=recipient.key,
        version=version(mine),
        subject=subject,
        body=body,
        short=short.strip() + "\n",
        mode=mode,
        attachments=tuple(attachments) if mode in ("pdf", "zip") else (),
        links=tuple(links),
    )


def _attachment_lines(recipient, attachments, mode, lang, settings, out_dir, period) -> tuple[list[str], list[str]]:
    mb = float(settings.attachment_limit_mb)
    limit = fmt.number(mb, lang) if mb.is_integer() else fmt.number(mb, lang, 1 if mb >= 1 else 3).rstrip("0")
    if mode == "none":
        return [], []
    if mode == "pdf":
        return [t("delivery.attached_pdf", lang, files=", ".join(a.name for a in attachments))], []
    if mode == "zip":
        return [t("delivery.attached_zip", lang, limit=limit, name=attachments[0].name)], []
    pdfs = [a for a in attachments if a.name.endswith(".pdf")] or list(attachments)
    links = [link_for(a.path, out_dir, settings) for a in pdfs]
    key = "delivery.too_big_links" if settings.link_base else "delivery.too_big_paths"
    return [t(key, lang, limit=limit), *[f"• {a.name}: {u}" for a, u in zip(pdfs, links)]], links


# --------------------------------------------------------------------------------------------- files


def _atomic(target: Path, write) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=target.name + ".", suffix=".tmp", dir=target.parent)
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, 0o644)  # published with the pack (link_base): readable like the other outputs
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def combine(parts: tuple[tuple[str, Path], ...], target: Path, title: str = "") -> Path:
    """One PDF of ``parts`` in order, with a bookmark per report (written atomically)."""
    from pypdf import PdfWriter

    def write(tmp: str) -> None:
        writer = PdfWriter()
        for name, path in parts:
            writer.append(str(path), outline_item=name)
        if title:
            writer.add_metadata({"/Title": title})
        with open(tmp, "wb") as fh:
            writer.write(fh)
        writer.close()

    _atomic(target, write)
    return target


def make_zip(files: list[Path], target: Path) -> Path:
    def write(tmp: str) -> None:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
            for f in files:
                zf.write(f, arcname=f.name)

    _atomic(target, write)
    return target


def prepare(
    recipient: Recipient,
    documents: list[Document],
    period: str,
    settings: DeliverySettings,
    out_dir: str | Path,
    lang: str,
    *,
    write: bool = True,
) -> Message:
    """The message with its attachments: combined PDFs written (``write``), zipped when together they are
    above the limit, links when the zip is too. ``write=False`` (a dry run) writes nothing and decides on
    the parts' sizes (the zip is then assumed to fit)."""
    out_dir = Path(out_dir)
    planned = plan_attachments(recipient, documents, out_dir, period, lang)
    if write:
        planned = [
            replace(a, size=combine(a.sources, a.path, title=f"{a.title} · {period}").stat().st_size) for a in planned
        ]
    total = sum(a.size for a in planned)
    limit = settings.limit_bytes
    mode = attachment_mode(total, limit)
    attachments = planned
    if mode == "zip":
        target = out_dir / period / COMBINED / zip_name(period, recipient)
        if write:
            make_zip([a.path for a in planned], target)
            size = target.stat().st_size
        else:
            size = None
        mode = attachment_mode(total, limit, size)
        zipped = Attachment(target.name, target, size or total, tuple((a.name, a.path) for a in planned))
        attachments = [zipped] if mode == "zip" else planned
    return compose(recipient, documents, period, settings, out_dir, attachments, mode, lang)
