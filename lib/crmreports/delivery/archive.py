"""The archive of built packs: ``<out>/index.html``, each period's "what changed" page, and retention.

- :func:`write_archive`: ``<out>/index.html`` lists every built period (a folder named as a period, see
  :func:`crmreports.delivery.alerts.period_of`, holding an ``index.json``), one part per kind of period (months,
  quarters, ...), newest first; per report, the team scope's headline figures (the registry's index figures) with a
  small inline SVG line per figure across the periods of that kind, and links to each period's index and changes page.
- :func:`changes`: ``<out>/<period>/changes.html`` and ``changes.json``: versus the previous built period of the same
  kind, the figures that moved most (relative change, both values; the team, then each group and manager) and the
  findings new and gone per report and scope. Findings are compared by their wording with the numbers (and the one
  or two words right after a number, whose form follows it: «1 сделка», «5 сделок») and month names masked, so a
  finding whose figures changed is the same finding and one about another stage or manager is new.
- :func:`prune`: removes the period folders beyond the newest ``keep`` of each kind of period; only folders whose
  name is exactly a period (``2026-10``, ``2026-Q3``, ...) are ever considered.

Everything that comes from the CRM (names, stages, findings) is HTML-escaped.

In another language than Russian (``lang``) every page reads and writes that language's files, named as the runner
names documents (:func:`crmreports.batch.run.output_stem`): ``<out>/index.<lang>.html``, ``changes.<lang>.html`` and
``.json``, the period's ``index.<lang>.html`` and ``.json`` and the documents' ``<scope>.<lang>.json``; the languages'
pages never overwrite each other.
"""

from __future__ import annotations

import html
import json
import re
import shutil
from collections import Counter
from datetime import datetime
from pathlib import Path

from .. import reports as registry
from ..batch.index import CSS as INDEX_CSS
from ..batch.index import report_name
from ..batch.run import _atomic_write
from ..core import fmt
from ..core.labels import has, t
from ..core.periods import Period, parse_period
from .alerts import SCOPE_KINDS, built_periods, period_of, scope_kind, scope_of, stem

KINDS = ("month", "quarter", "week", "year", "range")
TOP_TEAM = 10  # movers listed for the team
TOP_PER_SCOPE = 3  # movers listed for each group and manager

CSS = (
    INDEX_CSS
    + """ svg.spark{vertical-align:middle} svg.spark polyline{fill:none;stroke:#1d4ed8;stroke-width:1.5}
svg.spark circle{fill:#1d4ed8} td.spark{text-align:right}
tr.trend td{background:#f9fafb;border-bottom:2px solid #e5e7eb} ul.findings li{margin:4px 0}
.up{color:#047857} .down{color:#b91c1c} h3{font-size:15px;margin:18px 0 6px}"""
)


# --- reading the built periods -------------------------------------------------------------------------------------


def _sorted_desc(periods: list[Period]) -> list[Period]:
    return sorted(periods, key=lambda p: (p.start, p.end), reverse=True)


def previous_period(out_dir: str | Path, period: str | Period, lang: str = "ru") -> str | None:
    """The latest period of the same kind built in ``lang`` that starts before ``period``."""
    per = parse_period(period) if isinstance(period, str) else period
    earlier = [p for p in built_periods(out_dir, lang) if p.kind == per.kind and p.start < per.start]
    return _sorted_desc(earlier)[0].key if earlier else None


def _load(path: Path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _documents(out: Path, period: str, lang: str = "ru") -> dict[tuple[str, str], dict]:
    """{(report, scope): the document's JSON} of every ``<period>/<report>/<scope>.json`` in ``lang``."""
    found = {}
    root = out / period
    for folder in sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else ():
        for path in sorted(folder.glob("*.json")):
            scope = scope_of(path.stem, lang)
            if scope is None:
                continue
            doc = _load(path)
            if isinstance(doc, dict) and isinstance(doc.get("figures"), dict):
                found[(folder.name, scope)] = doc
    return found


def _team_figures(out: Path, period: str, report: str, lang: str = "ru") -> tuple[dict, dict] | None:
    """(figures, meta) of the team document of ``report`` in ``lang``: its JSON, or the period's index.json entry."""
    doc = _load(out / period / report / f"{stem('team', lang)}.json")
    if isinstance(doc, dict) and isinstance(doc.get("figures"), dict):
        return doc["figures"], doc.get("meta") or {}
    for entry in _load(out / period / f"{stem('index', lang)}.json") or []:
        if isinstance(entry, dict) and entry.get("report") == report and entry.get("scope") == "team":
            if entry.get("ok") and isinstance(entry.get("figures"), dict):
                return entry["figures"], {}
    return None


# --- formatting ----------------------------------------------------------------------------------------------------


def _num(v) -> float | None:
    if v is None or isinstance(v, bool) or isinstance(v, str):
        return None
    try:
        x = float(v)
    except (TypeError, ValueError):
        return None
    return x if x == x and abs(x) != float("inf") else None


def _format(kind: str, v, lang: str, figures: dict | None = None, currency: str = "RUB") -> str:
    """A value by the registry's figure kinds (money, number, percent, plan) and a few more (duration_s, minutes,
    days)."""
    x = _num(v)
    if x is None:
        return fmt.DASH
    if kind == "plan":
        kind = "money" if (figures or {}).get("plan_metric", "revenue") == "revenue" else "number"
    if kind == "money":
        return fmt.money(x, lang, currency)
    if kind == "estimate":  # a forecast: 3 significant figures
        return fmt.money_estimate(x, lang, currency)
    if kind == "percent":
        return fmt.percent(x, lang, 1)
    if kind == "done":  # a plan's done share: never rounded up to 100 %
        return fmt.done_percent(x, lang, 1)
    if kind == "duration_s":
        return fmt.duration_hm(x, lang)
    if kind == "minutes":
        return fmt.duration_hm(60 * x, lang)
    if kind == "days":
        return fmt.days(x, lang, 1)
    return fmt.number(x, lang, 0 if x.is_integer() or abs(x) >= 100 else 1)


def _label_prefix(report: str) -> str:
    found = registry.registry().get(report)
    if found and found.index_figures:
        return found.index_figures[0].label.split(".")[0]
    return report


def figure_info(report: str, key: str) -> tuple[str, str] | None:
    """(label key, kind) of a figure the changes page can name: a registry index figure, or one with a
    ``<prefix>.kpi.<key>`` / ``<prefix>.index.<key>`` label; None for the rest (internal figures)."""
    found = registry.registry().get(report)
    for f in found.index_figures if found else ():
        if f.key == key:
            return f.label, f.kind
    prefix = _label_prefix(report)
    for label in (f"{prefix}.kpi.{key}", f"{prefix}.index.{key}"):
        if has(label):
            return label, _guess_kind(key)
    return None


def figure_label(label: str, lang: str, figures: dict | None = None) -> str:
    """A figure's label; a placeholder in it (``Не перезвонили ({hours} ч)``) is filled from the figure of that
    name or ending in ``_<name>`` (``callback_hours``), else shown as ``…``."""
    text = t(label, lang)
    names = set(re.findall(r"{(\w+)}", text))
    if not names:
        return text
    figures = figures or {}
    values = {}
    for name in names:
        key = name if name in figures else next((k for k in figures if k.endswith(f"_{name}")), None)
        x = _num(figures.get(key)) if key else None
        values[name] = fmt.number(x, lang, 0 if x.is_integer() else 1) if x is not None else "…"
    return t(label, lang, **values)


def _guess_kind(key: str) -> str:
    if any(w in key for w in ("share", "conversion", "rate", "wape", "coverage", "bias")):
        return "percent"
    if key.endswith("_s"):
        return "duration_s"
    if key.endswith("_min"):
        return "minutes"
    if key.endswith("_days"):
        return "days"
    if any(w in key for w in ("revenue", "amount", "check", "plan", "fact", "pipeline_weighted")):
        return "money"
    return "number"


def sparkline(values: list[float | None], width: int = 100, height: int = 20, title: str = "") -> str:
    """A tiny inline SVG line of ``values`` (oldest first; None is a gap, skipped): x evenly spaced from 2 to
    ``width - 2``, y scaled from the minimum (bottom, ``height - 2``) to the maximum (top, 2); a flat series is
    drawn at mid height. The last value is marked with a dot. Empty when fewer than two values are known."""
    known = [(i, float(v)) for i, v in enumerate(values) if _num(v) is not None]
    if len(known) < 2:
        return ""
    pad = 2
    lo, hi = min(v for _, v in known), max(v for _, v in known)
    step = (width - 2 * pad) / max(len(values) - 1, 1)

    def y(v: float) -> float:
        return height / 2 if hi == lo else pad + (hi - v) / (hi - lo) * (height - 2 * pad)

    pts = [(pad + i * step, y(v)) for i, v in known]
    points = " ".join(f"{_c(x)},{_c(yy)}" for x, yy in pts)
    tip = f"<title>{html.escape(title)}</title>" if title else ""
    lx, ly = pts[-1]
    return (
        f'<svg class="spark" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'xmlns="http://www.w3.org/2000/svg" role="img">{tip}<polyline points="{points}"/>'
        f'<circle cx="{_c(lx)}" cy="{_c(ly)}" r="2"/></svg>'
    )


def _c(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def _page(title: str, lang: str, body: str) -> str:
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        f"<style>{CSS}</style></head><body><h1>{html.escape(title)}</h1>{body}</body></html>"
    )


# --- the archive page ----------------------------------------------------------------------------------------------


def write_archive(out_dir: str | Path, lang: str = "ru", *, write_changes: bool = True) -> Path:
    """Write ``<out>/index.html`` (``index.<lang>.html``; see the module docstring) and return its path. With
    ``write_changes``, a built period without a changes page gets one first (:func:`changes`), so every period links
    to its changes."""
    out = Path(out_dir)
    periods = _sorted_desc(built_periods(out, lang))
    if write_changes:
        for per in periods:
            if not (out / per.key / f"{stem('changes', lang)}.html").is_file():
                changes(out, per.key, lang)
    parts = []
    for kind in KINDS:
        of_kind = [p for p in periods if p.kind == kind]
        if of_kind:
            parts.append(_kind_section(out, kind, of_kind, lang))
    generated = f"{t('common.generated', lang)}: {datetime.now().strftime('%d.%m.%Y %H:%M')}"
    intro = (
        f"<p class='meta'>{html.escape(t('archive.intro', lang))}</p>"
        f"<p class='meta'>{html.escape(t('archive.periods_count', lang, n=len(periods)))} · {generated}</p>"
    )
    body = intro + ("".join(parts) or f"<p>{html.escape(t('archive.empty', lang))}</p>")
    path = out / f"{stem('index', lang)}.html"
    _atomic_write(path, _page(t("archive.title", lang), lang, body))
    return path


def _kind_section(out: Path, kind: str, periods: list[Period], lang: str) -> str:
    """One kind of period: per report, a table of the periods (newest first) with the team's headline figures,
    under a row of trend lines (oldest to newest)."""
    tables = []
    for name, report in registry.registry().items():
        if not report.index_figures:
            continue
        rows = {p.key: _team_figures(out, p.key, name, lang) for p in periods}
        if not any(rows.values()):
            continue
        figs = report.index_figures
        newest = next(got[0] for got in rows.values() if got)
        head = (
            f"<tr><th>{html.escape(t('archive.period', lang))}</th>"
            + "".join(f"<th class='num'>{html.escape(figure_label(f.label, lang, newest))}</th>" for f in figs)
            + f"<th>{html.escape(t('archive.links', lang))}</th></tr>"
        )
        oldest_first = list(reversed(periods))
        trend = []
        for f in figs:
            series = [_num((rows[p.key] or ({}, {}))[0].get(f.key)) for p in oldest_first]
            shown = [(p, v) for p, v in zip(oldest_first, series, strict=True) if v is not None]
            tip = ""
            if shown:
                (p0, v0), (p1, v1) = shown[0], shown[-1]
                tip = t(
                    "archive.spark_title",
                    lang,
                    label=figure_label(f.label, lang, newest),
                    first=f"{fmt.period_label(p0, lang)}: {_cell(f.kind, v0, rows[p0.key], lang)}",
                    last=f"{fmt.period_label(p1, lang)}: {_cell(f.kind, v1, rows[p1.key], lang)}",
                )
            trend.append(f"<td class='spark'>{sparkline(series, title=tip)}</td>")
        body = [f"<tr class='trend'><td>{html.escape(t('archive.trend', lang))}</td>{''.join(trend)}<td></td></tr>"]
        for p in periods:
            got = rows[p.key]
            cells = "".join(
                f"<td class='num'>{html.escape(_cell(f.kind, got[0].get(f.key), got, lang) if got else fmt.DASH)}</td>"
                for f in figs
            )
            body.append(
                f"<tr><td>{_period_link(out, p, lang)}</td>{cells}<td class='links'>{_links(out, p, lang)}</td></tr>"
            )
        tables.append(f"<h3>{html.escape(report_name(name, lang))}</h3><table>{head}{''.join(body)}</table>")
    return f"<section id='{kind}'><h2>{html.escape(t(f'archive.kind.{kind}', lang))}</h2>{''.join(tables)}</section>"


def _cell(kind: str, v, got: tuple[dict, dict] | None, lang: str) -> str:
    figures, meta = got or ({}, {})
    return _format(kind, v, lang, figures, meta.get("currency") or "RUB")


def _period_link(out: Path, p: Period, lang: str) -> str:
    label = html.escape(fmt.period_label(p, lang))
    index = f"{stem('index', lang)}.html"
    return f"<a href='{html.escape(p.key)}/{index}'>{label}</a>" if (out / p.key / index).is_file() else label


def _links(out: Path, p: Period, lang: str) -> str:
    links = []
    for name, label in (("index", "archive.index_link"), ("changes", "archive.changes_link")):
        page = f"{stem(name, lang)}.html"
        if (out / p.key / page).is_file():
            links.append(f"<a href='{html.escape(p.key)}/{page}'>{html.escape(t(label, lang))}</a>")
    return " ".join(links)


# --- what changed --------------------------------------------------------------------------------------------------

_NUMBER = r"[−+±-]?\d+(?:[ \u00a0\u202f]\d{3})*(?:[.,]\d+)?"
_AFTER_NUMBER = re.compile(_NUMBER + r"(?:[ \u00a0\u202f]+[^\W\d_]+){0,2}")
_MONTHS = re.compile(
    r"\b(?:(?:январ|феврал|март|апрел|июн|июл|август|сентябр|октябр|ноябр|декабр)[а-яё]*|ма[йяе]|"
    r"january|february|march|april|may|june|july|august|september|october|november|december)\b",
    re.IGNORECASE,
)


def finding_shape(text: str) -> str:
    """A finding's wording with numbers (and the one or two words after each, whose form follows the number)
    and month names masked: what :func:`changes` compares."""
    s = _MONTHS.sub("@", str(text))
    s = _AFTER_NUMBER.sub("#", s)
    return re.sub(r"\s+", " ", s).strip().casefold()


def _scope_order(scope: str) -> tuple[int, str]:
    return SCOPE_KINDS.index(scope_kind(scope)), scope


def _scope_label(doc: dict, scope: str, lang: str) -> str:
    if scope == "team":
        return t("common.team", lang)
    return str((doc.get("meta") or {}).get("scope_label") or scope)


def _movers(cur: dict, prev: dict, report: str, scope: str, lang: str) -> list[dict]:
    rows = []
    pf, cf = prev.get("figures") or {}, cur.get("figures") or {}
    for key, value in cf.items():
        info = figure_info(report, key)
        c, p = _num(value), _num(pf.get(key))
        if info is None or c is None or p is None or p == 0 or c == p:
            continue
        label, kind = info
        currency = (cur.get("meta") or {}).get("currency") or "RUB"
        rows.append(
            {
                "report": report,
                "scope": scope,
                "scope_label": _scope_label(cur, scope, lang),
                "figure": key,
                "label": figure_label(label, lang, cf),
                "kind": kind,
                "previous": p,
                "current": c,
                "change": c / p - 1,
                "previous_text": _format(kind, p, lang, pf, currency),
                "current_text": _format(kind, c, lang, cf, currency),
                # rates move in percentage points (20 % → 7.4 % is −12.6 p.p., not −63 %), the rest relatively
                "change_text": fmt.change(c, p, lang, "points" if kind in ("percent", "done") else "relative"),
            }
        )
    return rows


def _findings(doc: dict) -> list[str]:
    return [str(x) for x in doc.get("findings") or []]


def _diff(cur: list[str], prev: list[str]) -> tuple[list[str], list[str]]:
    """(new, gone): findings of ``cur`` whose shape ``prev`` lacks, and the other way round (as multisets)."""
    cs, ps = Counter(map(finding_shape, cur)), Counter(map(finding_shape, prev))
    new_left, gone_left = cs - ps, ps - cs
    new, gone = [], []
    for text in cur:
        s = finding_shape(text)
        if new_left[s] > 0:
            new_left[s] -= 1
            new.append(text)
    for text in prev:
        s = finding_shape(text)
        if gone_left[s] > 0:
            gone_left[s] -= 1
            gone.append(text)
    return new, gone


def changes(
    out_dir: str | Path, period: str, lang: str = "ru", *, top: int = TOP_TEAM, per_scope: int = TOP_PER_SCOPE
) -> dict:
    """Write ``<out>/<period>/changes.html`` and ``changes.json`` (``changes.<lang>.*`` in another language than
    Russian; see the module docstring) and return the JSON's
    content: ``period``, ``previous`` (None when no earlier period of the kind is built), ``movers`` (``team``: the
    ``top`` largest relative changes of the team's figures; ``scopes``: up to ``per_scope`` per group and manager),
    ``findings`` (``new`` and ``gone``: report, scope, scope_label, text) and ``documents`` (``new``/``gone``:
    report/scope present in only one of the two periods)."""
    out = Path(out_dir)
    per = parse_period(period)
    prev_key = previous_period(out, per, lang)
    data: dict = {
        "period": per.key,
        "previous": prev_key,
        "lang": lang,
        "generated_at": datetime.now().isoformat(timespec="seconds"),
        "movers": {"team": [], "scopes": []},
        "findings": {"new": [], "gone": []},
        "documents": {"new": [], "gone": []},
    }
    if prev_key is not None:
        cur_docs, prev_docs = _documents(out, per.key, lang), _documents(out, prev_key, lang)
        order = {name: i for i, name in enumerate(registry.names())}

        def key(k):
            return order.get(k[0], len(order)), k[0], _scope_order(k[1])

        both = sorted(set(cur_docs) & set(prev_docs), key=key)
        data["documents"]["new"] = [
            {"report": r, "scope": s} for r, s in sorted(set(cur_docs) - set(prev_docs), key=key)
        ]
        data["documents"]["gone"] = [
            {"report": r, "scope": s} for r, s in sorted(set(prev_docs) - set(cur_docs), key=key)
        ]
        team, scopes = [], {}
        for report, scope in both:
            cur, prev = cur_docs[(report, scope)], prev_docs[(report, scope)]
            moved = _movers(cur, prev, report, scope, lang)
            (team if scope == "team" else scopes.setdefault(scope, [])).extend(moved)
            new, gone = _diff(_findings(cur), _findings(prev))
            label = _scope_label(cur, scope, lang)
            for name, items in (("new", new), ("gone", gone)):
                data["findings"][name] += [
                    {"report": report, "scope": scope, "scope_label": label, "text": x} for x in items
                ]
        data["movers"]["team"] = _top(team, top)
        for scope in sorted(scopes, key=_scope_order):
            data["movers"]["scopes"] += _top(scopes[scope], per_scope)
    root = out / per.key
    _atomic_write(root / f"{stem('changes', lang)}.json", json.dumps(data, ensure_ascii=False, indent=1))
    _atomic_write(root / f"{stem('changes', lang)}.html", _changes_page(data, per, lang))
    return data


def _top(rows: list[dict], n: int) -> list[dict]:
    return sorted(rows, key=lambda r: -abs(r["change"]))[:n]  # stable: report order, then the JSON's figure order


def _movers_table(rows: list[dict], lang: str, with_scope: bool) -> str:
    if not rows:
        return f"<p>{html.escape(t('changes.no_movers', lang))}</p>"
    cols = ["changes.col.report", "changes.col.figure", "changes.col.previous", "changes.col.current"]
    cols = (["changes.col.scope"] if with_scope else []) + cols + ["changes.col.change"]
    num = {"changes.col.previous", "changes.col.current", "changes.col.change"}
    head = "".join(f"<th{' class=num' if c in num else ''}>{html.escape(t(c, lang))}</th>" for c in cols)
    body = []
    for r in rows:
        cls = "up" if r["change"] > 0 else "down"
        scope = f"<td>{html.escape(r['scope_label'])}</td>" if with_scope else ""
        body.append(
            f"<tr>{scope}<td>{html.escape(report_name(r['report'], lang))}</td><td>{html.escape(r['label'])}</td>"
            f"<td class='num'>{html.escape(r['previous_text'])}</td>"
            f"<td class='num'>{html.escape(r['current_text'])}</td>"
            f"<td class='num {cls}'>{html.escape(r['change_text'])}</td></tr>"
        )
    return f"<table><tr>{head}</tr>{''.join(body)}</table>"


def _findings_list(items: list[dict], lang: str) -> str:
    if not items:
        return f"<p>{html.escape(t('changes.findings_none', lang))}</p>"
    parts, current = [], None
    for x in items:
        group = (x["report"], x["scope"])
        if group != current:
            if current is not None:
                parts.append("</ul>")
            current = group
            parts.append(
                f"<h3>{html.escape(report_name(x['report'], lang))} · {html.escape(x['scope_label'])}</h3>"
                "<ul class='findings'>"
            )
        parts.append(f"<li>{html.escape(x['text'])}</li>")
    parts.append("</ul>")
    return "".join(parts)


def _changes_page(data: dict, per: Period, lang: str) -> str:
    title = t("changes.title", lang, period=fmt.period_label(per, lang))
    index = f"{stem('index', lang)}.html"
    nav = (
        f"<nav><a href='../{index}'>{html.escape(t('changes.back_archive', lang))}</a>"
        f"<a href='{index}'>{html.escape(t('changes.back_index', lang))}</a></nav>"
    )
    if data["previous"] is None:
        return _page(title, lang, nav + f"<p>{html.escape(t('changes.no_previous', lang))}</p>")
    prev = parse_period(data["previous"])
    parts = [
        nav,
        f"<p class='meta'>{html.escape(t('changes.versus', lang, previous=fmt.period_label(prev, lang)))}</p>",
    ]
    parts.append(f"<h2>{html.escape(t('changes.movers_team', lang))}</h2>")
    parts.append(_movers_table(data["movers"]["team"], lang, with_scope=False))
    if data["movers"]["scopes"]:
        parts.append(f"<h2>{html.escape(t('changes.movers_scopes', lang))}</h2>")
        parts.append(_movers_table(data["movers"]["scopes"], lang, with_scope=True))
    parts.append(f"<p class='meta'>{html.escape(t('changes.movers_note', lang, n=TOP_PER_SCOPE))}</p>")
    parts.append(f"<h2>{html.escape(t('changes.findings_new', lang))}</h2>")
    parts.append(_findings_list(data["findings"]["new"], lang))
    parts.append(f"<h2>{html.escape(t('changes.findings_gone', lang))}</h2>")
    parts.append(_findings_list(data["findings"]["gone"], lang))
    parts.append(f"<p class='meta'>{html.escape(t('changes.findings_note', lang))}</p>")
    for name in ("new", "gone"):
        docs = data["documents"][name]
        if docs:
            items = ", ".join(f"{report_name(d['report'], lang)} / {d['scope']}" for d in docs)
            parts.append(f"<p class='meta'>{html.escape(t(f'changes.documents_{name}', lang, items=items))}</p>")
    return _page(title, lang, "".join(parts))


# --- retention -----------------------------------------------------------------------------------------------------


def prune(out_dir: str | Path, keep: int) -> list[Path]:
    """Remove the period folders of ``out_dir`` beyond the newest ``keep`` of each kind of period (months are counted
    apart from quarters, weeks, ...); return the removed folders, newest first. Only direct sub-folders whose name is
    exactly a period's canonical form are considered (not symlinks, not files, not ``reports/assets``)."""
    if isinstance(keep, bool) or not isinstance(keep, int) or keep < 1:
        raise ValueError(f"keep must be a whole number of periods, 1 or more (got {keep!r})")
    root = Path(out_dir)
    found: dict[str, list[tuple[Period, Path]]] = {}
    for child in root.iterdir() if root.is_dir() else ():
        per = period_of(child.name)
        if per is not None and child.is_dir() and not child.is_symlink():
            found.setdefault(per.kind, []).append((per, child))
    removed = []
    for items in found.values():
        items.sort(key=lambda x: (x[0].start, x[0].end), reverse=True)
        for _, path in items[keep:]:
            shutil.rmtree(path)
            removed.append(path)
    return sorted(removed, key=lambda p: (parse_period(p.name).start, p.name), reverse=True)


__all__ = [
    "changes",
    "figure_info",
    "figure_label",
    "finding_shape",
    "previous_period",
    "prune",
    "sparkline",
    "write_archive",
]
