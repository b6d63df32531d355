"""Batch runs: fan (report × scope) jobs out over a thread pool, keep going past failures, write an index.

Threads running papermill, one warm kernel per thread (:mod:`crmreports.kernels`), and PDFs printed in
spawned processes (:class:`crmreports.render.PdfPool`): kernel start dominates a short notebook's cost
(../shared/research/pipeline-bench.md §2, §6). ``warm=False`` starts a fresh kernel for every document.
"""
from __future__ import annotations

import contextlib
import html
import json
import logging
import os
from concurrent.futures import ThreadPoolExecutor, as_completed
from datetime import datetime
from pathlib import Path

import yaml
from tqdm import tqdm

from . import fmt, store
from .labels import t
from .kernels import KernelPool
from .render import PdfPool
from .run import (FORMATS, KERNEL, PROJECT_ROOT, Job, Result, _atomic_write, check_parameters, notebook_path, parse_formats,
                  run_job)
from .scopes import GROUP_PREFIX, ParameterError, group_scope, manager_slugs

log = logging.getLogger("crmreports.pack")
PACKS = PROJECT_ROOT / "params" / "packs"
SCOPES = ("team", "groups", "managers")


def load_pack(name: str) -> dict:
    """A pack definition from params/packs/<name>.yaml: reports, scopes, formats."""
    path = Path(name) if str(name).endswith((".yaml", ".yml")) else PACKS / f"{name}.yaml"
    if not path.exists():
        valid = ", ".join(sorted(p.stem for p in PACKS.glob("*.yaml")))
        raise ParameterError(f"unknown pack {name!r}; valid: {valid}")
    try:
        spec = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ParameterError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(spec, dict):
        raise ParameterError(f"{path}: expected a mapping with keys reports, scopes, formats")
    unknown = set(spec) - {"reports", "scopes", "formats", "lang", "description"}
    if unknown:
        raise ParameterError(f"{path}: unknown keys {sorted(unknown)}; valid: reports, scopes, formats, lang, description")
    reports = spec.get("reports") or []
    if not isinstance(reports, list) or not reports:
        raise ParameterError(f"{path}: 'reports' must be a non-empty list of report names")
    for r in reports:
        notebook_path(r)
    scopes = spec.get("scopes", ["team", "managers"])
    bad = [s for s in scopes if s not in SCOPES] if isinstance(scopes, list) else [scopes]
    if bad or not scopes:
        raise ParameterError(f"{path}: unknown scopes {bad}; valid: {', '.join(SCOPES)} (a list)")
    return {"reports": reports, "scopes": scopes, "formats": parse_formats(spec.get("formats", list(FORMATS))),
            "lang": spec.get("lang")}


def active_managers(store_path: str) -> list[tuple[str, str]]:
    """(name, slug) of every active manager responsible for at least one deal or call (a deactivated
    manager's history stays in the team's and the group's reports)."""
    users, owners = _users_and_owners(store_path)
    slugs = manager_slugs(users)
    active = users[users["is_active"].fillna(True).astype(bool)]
    return [(str(n), slugs[int(u)]) for u, n in sorted(zip(active["id"], active["name"]), key=lambda x: str(x[1]))
            if u in owners]


def active_groups(store_path: str) -> list[tuple[str, str]]:
    """("group:<name>", slug) of every group with at least one active manager."""
    users, owners = _users_and_owners(store_path)
    names = sorted({str(g) for g, u in zip(users["group_name"], users["id"]) if g is not None and u in owners
                    and str(g) != "nan"})
    return [(GROUP_PREFIX + g, group_scope(g, users).slug) for g in names]


def _users_and_owners(store_path: str):
    con = store.connect(store_path)
    try:
        users = store.read_table(con, "users")
        owners = {r[0] for r in con.execute(
            "SELECT DISTINCT responsible_user_id FROM leads WHERE NOT coalesce(is_deleted, false) "
            "UNION SELECT DISTINCT user_id FROM calls").fetchall()}
    finally:
        con.close()
    return users, owners


def build_jobs(period: str, reports: list[str], scopes: list[str], store_path: str, lang: str, out: str,
               formats: tuple[str, ...], pipeline: str = "") -> list[Job]:
    jobs = []
    named = (active_groups(store_path) if "groups" in scopes else []) + \
        (active_managers(store_path) if "managers" in scopes else [])
    for report in reports:
        if "team" in scopes:
            jobs.append(Job(report, period, "team", "", pipeline, lang, store_path, out, formats))
        for name, slug in named:
            jobs.append(Job(report, period, slug, name, pipeline, lang, store_path, out, formats))
    for job in jobs:
        check_parameters(job.report, job.parameters)
    return jobs


def run_jobs(jobs: list[Job], workers: int | None = None, progress: bool = True, force: bool = False,
             warm: bool = True) -> list[Result]:
    """Run every job; a failure is recorded in its Result and never stops the others.

    ``warm`` keeps one kernel per worker alive between documents (see :mod:`crmreports.kernels`);
    ``warm=False`` starts a fresh kernel for every document.
    """
    workers = max(1, workers or os.cpu_count() or 2)
    results: list[Result] = []
    bar = tqdm(total=len(jobs), desc="reports", unit="doc", disable=not progress, leave=True)
    kernels = KernelPool(workers, KERNEL, PROJECT_ROOT) if warm else None
    printer = PdfPool(workers) if any("pdf" in j.formats for j in jobs) else None
    with ThreadPoolExecutor(max_workers=workers) as pool, kernels or contextlib.nullcontext(), \
            printer or contextlib.nullcontext():
        futures = {pool.submit(run_job, j, force, kernels, printer.render if printer else None): j for j in jobs}
        for fut in as_completed(futures):
            job = futures[fut]
            try:
                res = fut.result()
            except Exception as exc:   # a bug outside the notebook: still isolate it
                log.exception("%s/%s crashed", job.report, job.scope)
                res = Result(job, False, 0.0, error=f"{type(exc).__name__}: {exc}")
            results.append(res)
            bar.set_postfix_str(f"{job.report}/{job.scope} {'cached' if res.cached else 'ok' if res.ok else 'FAILED'}")
            bar.update(1)
    bar.close()
    order = {j: i for i, j in enumerate(jobs)}
    return sorted(results, key=lambda r: order[r.job])


# The headline figures the index page shows for each report: (figure key, kind, label key).
INDEX_FIGURES = {
    "sales_analysis": [("revenue", "money", "sales.kpi.revenue"), ("won_deals", "number", "sales.kpi.won_deals"),
                       ("win_rate", "percent", "sales.kpi.win_rate")],
    "unsorted_leads": [("unsorted_total", "number", "unsorted.kpi.unsorted_total"),
                       ("unsorted_to_deals_share", "percent", "unsorted.kpi.unsorted_to_deals_share")],
    "calls": [("calls_total", "number", "calls.kpi.calls_total"), ("calls_missed", "number", "calls.kpi.calls_missed"),
              ("calls_answered_share", "percent", "calls.kpi.calls_answered_share")],
    "goals": [("plan", "plan", "index.plan"), ("fact", "plan", "index.fact"),
              ("plan_done_share", "percent", "index.plan_done_share")],
    "forecast": [("forecast_m1_revenue", "money", "index.forecast_m1"), ("backtest_wape", "percent", "index.wape")],
}


def _figure_text(report: str, figures: dict, lang: str, currency: str = "RUB") -> str:
    parts = []
    for key, kind, label in INDEX_FIGURES.get(report, []):
        v = figures.get(key)
        if v is None or isinstance(v, str):
            continue
        if kind == "plan":       # goals by amount are money, goals by count are numbers
            kind = "money" if figures.get("plan_metric", "revenue") == "revenue" else "number"
        shown = fmt.money(v, lang, currency) if kind == "money" else fmt.percent(v, lang) if kind == "percent" \
            else fmt.number(v, lang)
        parts.append(f"{html.escape(t(label, lang))}: {html.escape(shown)}")
    return " · ".join(parts)


def write_index(period: str, results: list[Result], out: str, lang: str) -> Path:
    """reports/<period>/index.html: every document with its headline figures and links, and the failures."""
    root = Path(out) / period
    rows, failed = [], []
    for r in results:
        rel = {k: os.path.relpath(v, root) for k, v in r.files.items()}
        name = f"{t('report.' + r.job.report, lang) if _has_label(r.job.report) else r.job.report}"
        scope = (r.job.manager or t("common.team", lang)).removeprefix(GROUP_PREFIX)
        if not r.ok:
            link = f'<a href="{html.escape(rel.get("ipynb", ""))}">ipynb</a>' if rel.get("ipynb") else ""
            failed.append(f"<tr><td>{html.escape(name)}</td><td>{html.escape(scope)}</td>"
                          f"<td class='err'>{html.escape(r.error)}</td><td>{link}</td></tr>")
            continue
        links = " ".join(f'<a href="{html.escape(rel[k])}">{k.upper()}</a>' for k in ("html", "pdf", "json", "xlsx", "ipynb")
                         if k in rel)
        rows.append(f"<tr><td>{html.escape(name)}</td><td>{html.escape(scope)}</td>"
                    f"<td>{_figure_text(r.job.report, r.figures, lang, r.meta.get('currency') or 'RUB')}</td><td class='links'>{links}</td></tr>")
    head = (f"<tr><th>{t('common.index_report', lang)}</th><th>{t('common.scope', lang)}</th>"
            f"<th>{t('common.index_figures', lang)}</th><th>{t('common.index_documents', lang)}</th></tr>")
    fail_html = ""
    if failed:
        fail_html = (f"<h2 class='failed'>{t('common.index_failed', lang)}: {len(failed)}</h2>"
                     f"<table>{head.replace(t('common.index_figures', lang), t('common.error', lang))}"
                     f"{''.join(failed)}</table>")
    from .periods import parse_period
    title = t("common.index_title", lang, period=fmt.period_label(parse_period(period), lang))
    doc = f"""<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>body{{font-family:"DejaVu Sans",Arial,sans-serif;max-width:1100px;margin:24px auto;color:#111827;font-size:14px}}
h1{{font-size:24px}} table{{border-collapse:collapse;width:100%}} th,td{{text-align:left;padding:6px 8px;
border-bottom:1px solid #e5e7eb;vertical-align:top}} th{{background:#eff6ff;color:#1e3a8a}}
.failed{{color:#b91c1c}} .err{{color:#b91c1c;font-family:monospace;font-size:12px}} .links a{{margin-right:6px}}
.meta{{color:#6b7280}}</style></head><body><h1>{html.escape(title)}</h1>
<p class="meta">{t('common.generated', lang)}: {datetime.now().strftime('%d.%m.%Y %H:%M')} ·
{len(rows)} / {len(results)}</p>{fail_html}<table>{head}{''.join(rows)}</table></body></html>"""
    path = root / "index.html"
    _atomic_write(path, doc)
    _atomic_write(root / "index.json", json.dumps(
        [{"report": r.job.report, "scope": r.job.scope, "ok": r.ok, "error": r.error, "files": r.files,
          "seconds": round(r.seconds, 2)} for r in results], ensure_ascii=False, indent=1))
    return path


def _has_label(report: str) -> bool:
    from .labels import has
    return has(f"report.{report}")
