"""The pack's index page: reports/<period>/index.html (and index.json).

One section per report; in each, one row per scope (team first, then groups, then managers) with the
report's headline figures in their own right-aligned columns and links to the documents, so a head of
sales can compare managers down a column. Failed documents are listed first, with their error and the
executed notebook that shows it.
"""

from __future__ import annotations

import html
import json
import os
from datetime import datetime
from pathlib import Path

from .. import reports as registry
from ..core import fmt
from ..core.labels import has, t
from ..core.periods import parse_period
from ..core.scopes import GROUP_PREFIX
from .run import Result, _atomic_write, output_stem

DOC_LINKS = ("html", "pdf")
DATA_LINKS = ("xlsx", "json", "ipynb")

CSS = """body{font-family:"DejaVu Sans",Arial,sans-serif;max-width:1100px;margin:24px auto;padding:0 16px;
color:#111827;font-size:14px} h1{font-size:24px;margin-bottom:4px} h2{font-size:18px;margin:28px 0 8px;color:#1e3a8a}
table{border-collapse:collapse;width:100%} th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #e5e7eb;
vertical-align:top} th{background:#eff6ff;color:#1e3a8a;font-weight:600} td.num,th.num{text-align:right;
white-space:nowrap;font-variant-numeric:tabular-nums} tr.team td{font-weight:600;background:#f9fafb}
.kind{color:#6b7280;font-size:12px;font-weight:normal} .meta{color:#6b7280;margin-top:0}
.failed h2{color:#b91c1c} .err{color:#b91c1c;font-family:monospace;font-size:12px} .links{white-space:nowrap}
.links a{margin-right:8px} .links .data a{color:#6b7280;font-size:12px} nav a{margin-right:14px}
td,.meta{overflow-wrap:anywhere} nav a{display:inline-block}
@media (max-width:640px){body{margin:12px auto;padding:0 10px} h1{font-size:20px} h2{font-size:16px}
table,tbody{display:block;width:100%} tr{display:flex;flex-wrap:wrap;border-bottom:1px solid #e5e7eb}
th,td{border-bottom:0;padding:4px 6px;box-sizing:border-box} th:first-child,td:first-child{flex:1 0 100%}
th.num,td.num{flex:1 1 0;min-width:0} th.num{white-space:normal} th:last-child:not(.num){display:none}
td.links{flex:1 0 100%;white-space:normal;padding-top:0} .links a{display:inline-block;margin:2px 10px 2px 0}
.err{overflow-wrap:anywhere;white-space:pre-wrap}}"""


def report_name(report: str, lang: str) -> str:
    return t(f"report.{report}", lang) if has(f"report.{report}") else report


def _figures(report: str) -> list[tuple[str, str, str]]:
    """(figure key, kind, label key) of the headline figures the report declares for the index."""
    found = registry.registry().get(report)
    return [(f.key, f.kind, f.label) for f in found.index_figures] if found else []


def _scope_cell(r: Result, lang: str) -> tuple[str, str]:
    """(row class, cell HTML) of a result's scope."""
    manager = r.job.manager
    if not manager:
        return "team", html.escape(t("common.team", lang))
    if manager.startswith(GROUP_PREFIX):
        return "group", (
            f"{html.escape(manager.removeprefix(GROUP_PREFIX))} "
            f"<span class='kind'>{html.escape(t('common.group', lang).lower())}</span>"
        )
    return "manager", html.escape(manager)


def _value(kind: str, v, figures: dict, lang: str, currency: str) -> str:
    if v is None or isinstance(v, str):
        return "—"
    if kind == "plan":  # goals by amount are money, goals by count are numbers
        kind = "money" if figures.get("plan_metric", "revenue") == "revenue" else "number"
    formats = {
        "money": lambda: fmt.money(v, lang, currency),
        "estimate": lambda: fmt.money_estimate(v, lang, currency),  # a forecast: 3 significant figures
        "percent": lambda: fmt.percent(v, lang),
        "done": lambda: fmt.done_percent(v, lang),  # 0.997 is 99,7 %, never 100 %
    }
    return formats.get(kind, lambda: fmt.number(v, lang))()


def _links(files: dict, root: Path) -> str:
    rel = {k: os.path.relpath(v, root) for k, v in files.items()}
    docs = " ".join(f'<a href="{html.escape(rel[k])}">{k.upper()}</a>' for k in DOC_LINKS if k in rel)
    data = " ".join(f'<a href="{html.escape(rel[k])}">{k.upper()}</a>' for k in DATA_LINKS if k in rel)
    return f"{docs} <span class='data'>{data}</span>"


def _report_section(report: str, results: list[Result], root: Path, lang: str) -> str:
    figs = _figures(report)
    head = (
        f"<tr><th>{t('common.scope', lang)}</th>"
        + "".join(f"<th class='num'>{html.escape(t(label, lang))}</th>" for _, _, label in figs)
        + f"<th>{t('common.index_documents', lang)}</th></tr>"
    )
    rows = []
    for r in results:
        cls, scope = _scope_cell(r, lang)
        currency = r.meta.get("currency") or "RUB"
        cells = "".join(
            f"<td class='num'>{html.escape(_value(kind, r.figures.get(key), r.figures, lang, currency))}</td>"
            for key, kind, _ in figs
        )
        rows.append(f"<tr class='{cls}'><td>{scope}</td>{cells}<td class='links'>{_links(r.files, root)}</td></tr>")
    return (
        f"<section id='{html.escape(report)}'><h2>{html.escape(report_name(report, lang))}</h2>"
        f"<table>{head}{''.join(rows)}</table></section>"
    )


def _failed_section(failed: list[Result], root: Path, lang: str) -> str:
    if not failed:
        return ""
    rows = []
    for r in failed:
        _, scope = _scope_cell(r, lang)
        nb = r.files.get("ipynb")
        link = f'<a href="{html.escape(os.path.relpath(nb, root))}">IPYNB</a>' if nb else ""
        rows.append(
            f"<tr><td>{html.escape(report_name(r.job.report, lang))}</td><td>{scope}</td>"
            f"<td class='err'>{html.escape(r.error)}</td><td>{link}</td></tr>"
        )
    head = (
        f"<tr><th>{t('common.index_report', lang)}</th><th>{t('common.scope', lang)}</th>"
        f"<th>{t('common.error', lang)}</th><th>{t('common.index_documents', lang)}</th></tr>"
    )
    return (
        f"<section class='failed'><h2>{t('common.index_failed', lang)}: {len(failed)}</h2>"
        f"<table>{head}{''.join(rows)}</table></section>"
    )


def write_index(period: str, results: list[Result], out: str, lang: str) -> Path:
    """reports/<period>/index.html: every document with its headline figures and links, and the failures.

    A pack in another language than the default has its own index, ``index.<lang>.html`` (and ``.json``), linking
    that language's documents (``team.en.html``): the languages' indexes never overwrite each other."""
    root = Path(out) / period
    ok = [r for r in results if r.ok]
    failed = [r for r in results if not r.ok]
    # in the registry's declared order (the summary first), whatever order the pack listed them in
    rank = {name: i for i, name in enumerate(registry.names())}
    reports = sorted(dict.fromkeys(r.job.report for r in results), key=lambda r: rank.get(r, len(rank)))
    title = t("common.index_title", lang, period=fmt.period_label(parse_period(period), lang))
    account = next((r.meta.get("account") for r in ok if r.meta.get("account")), "")
    meta = [f"{t('common.account', lang)}: {html.escape(str(account))}"] if account else []
    meta += [
        f"{t('common.generated', lang)}: {datetime.now().strftime('%d.%m.%Y %H:%M')}",
        t("common.index_counts", lang, built=len(ok), total=len(results)),
    ]
    nav = " ".join(f"<a href='#{html.escape(r)}'>{html.escape(report_name(r, lang))}</a>" for r in reports)
    # the archive's pages, where the monthly job wrote them: what changed since the previous period, all periods
    for href, key in (
        (f"{output_stem('changes', lang)}.html", "common.index_changes"),  # the pages of this language
        (f"../{output_stem('index', lang)}.html", "common.index_archive"),
    ):
        if (root / href).exists():
            nav += f" <a href='{href}'>{html.escape(t(key, lang))}</a>"

    sections = "".join(
        _report_section(rep, [r for r in ok if r.job.report == rep], root, lang)
        for rep in reports
        if any(r.job.report == rep for r in ok)
    )
    doc = (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{html.escape(title)}</title>'
        f"<style>{CSS}</style></head><body><h1>{html.escape(title)}</h1>"
        f"<p class='meta'>{' · '.join(meta)}</p><nav>{nav}</nav>"
        f"{_failed_section(failed, root, lang)}{sections}</body></html>"
    )
    path = root / f"{output_stem('index', lang)}.html"
    _atomic_write(path, doc)
    _atomic_write(
        root / f"{output_stem('index', lang)}.json",
        json.dumps(
            [
                {
                    "report": r.job.report,
                    "scope": r.job.scope,
                    "manager": r.job.manager,
                    "ok": r.ok,
                    "error": r.error,
                    "files": r.files,
                    "figures": {k: r.figures.get(k) for k, _, _ in _figures(r.job.report)},
                    "seconds": round(r.seconds, 2),
                    "timing": r.timing,  # seconds by phase (crmreports.batch.run.PHASES) and by cell
                }
                for r in results
            ],
            ensure_ascii=False,
            indent=1,
            default=str,
        ),
    )
    return path
