"""Run one report: execute its notebook with papermill, then write ipynb, HTML, PDF, JSON and CSV.

Outputs go to ``<out>/<period>/<report>/<scope>.{ipynb,html,pdf,json}`` and the tables to
``<out>/<period>/<report>/<scope>/<table>.csv``. Every file is written to a temporary name and moved
into place, so a reader never sees half a file. A failed execution keeps the executed notebook with
the error as ``<scope>.error.ipynb`` and leaves earlier good outputs alone.
"""
from __future__ import annotations

import json
import logging
import os
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import nbformat

from . import render
from .scopes import ParameterError

log = logging.getLogger("crmreports.run")

PROJECT_ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = PROJECT_ROOT / "notebooks"
FORMATS = ("html", "pdf")
KERNEL = "python3"


def reports() -> list[str]:
    """Report names: the notebooks in notebooks/."""
    return sorted(p.stem for p in NOTEBOOKS.glob("*.ipynb"))


def notebook_path(report: str) -> Path:
    path = NOTEBOOKS / f"{report}.ipynb"
    if not path.exists():
        raise ParameterError(f"unknown report {report!r}; valid: {', '.join(reports())}")
    return path


def parse_formats(text: str | list[str] | None) -> tuple[str, ...]:
    items = [f.strip().lower() for f in (text.split(",") if isinstance(text, str) else (text or FORMATS)) if f.strip()]
    bad = [f for f in items if f not in FORMATS]
    if bad or not items:
        raise ParameterError(f"bad format {','.join(bad) or text!r}; valid: {', '.join(FORMATS)} (comma-separated)")
    return tuple(dict.fromkeys(items))


@dataclass(frozen=True)
class Job:
    report: str
    period: str                  # canonical period key, e.g. "2026-10"
    scope: str                   # "team" or the manager's slug
    manager: str = ""            # the manager's name ("" = team)
    pipeline: str = ""
    lang: str = "ru"
    store: str = "data/crm.duckdb"
    out: str = "reports"
    formats: tuple[str, ...] = FORMATS

    @property
    def folder(self) -> Path:
        return Path(self.out) / self.period / self.report

    @property
    def parameters(self) -> dict:
        return {"period": self.period, "manager": self.manager, "pipeline": self.pipeline,
                "store": str(Path(self.store).resolve()), "lang": self.lang}


@dataclass
class Result:
    job: Job
    ok: bool
    seconds: float
    files: dict = field(default_factory=dict)      # kind -> path
    figures: dict = field(default_factory=dict)
    meta: dict = field(default_factory=dict)
    error: str = ""


def _atomic_write(path: Path, data: bytes | str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _error_text(exc: Exception) -> str:
    ename, evalue = getattr(exc, "ename", type(exc).__name__), getattr(exc, "evalue", str(exc))
    return f"{ename}: {evalue}".strip()


def run_job(job: Job) -> Result:
    """Execute and render one (report × scope) job; never raises for a failing notebook."""
    import papermill as pm
    start = time.monotonic()
    folder = job.folder
    base = folder / job.scope
    try:
        nb = _execute_keep_failed(job, base)
    except pm.PapermillExecutionError as exc:
        log.error("%s/%s failed: %s", job.report, job.scope, _error_text(exc))
        return Result(job, False, time.monotonic() - start, {"ipynb": str(base) + ".error.ipynb"},
                      error=_error_text(exc))
    payload = render.figures_payload(nb) or {}
    meta = payload.get("meta", {})
    generated = datetime.now(timezone.utc)
    files = {"ipynb": f"{base}.ipynb"}
    _atomic_write(Path(files["ipynb"]), nbformat.writes(nb))
    tables = {}
    for name, csv_text in payload.get("tables", {}).items():
        path = base / f"{name}.csv"
        _atomic_write(path, csv_text)
        tables[name] = str(path.relative_to(folder))
    doc = None
    if "html" in job.formats or "pdf" in job.formats:
        doc = render.to_html(nb, meta, generated.astimezone())
    if "html" in job.formats:
        files["html"] = f"{base}.html"
        _atomic_write(Path(files["html"]), doc)
    if "pdf" in job.formats:
        files["pdf"] = f"{base}.pdf"
        fd, tmp = tempfile.mkstemp(prefix=f".{job.scope}.", suffix=".pdf", dir=folder)
        os.close(fd)
        try:
            render.to_pdf(doc, tmp)
            os.replace(tmp, files["pdf"])
        finally:
            Path(tmp).unlink(missing_ok=True)
    figures_json = {"report": job.report, "period": job.period, "scope": job.scope, "lang": job.lang,
                    "generated_at": generated.isoformat(timespec="seconds"),
                    "store_synced_at": meta.get("store_synced_at"), "figures": payload.get("figures", {}),
                    "comparisons": payload.get("comparisons", {}), "findings": payload.get("findings", []),
                    "tables": tables, "meta": meta}
    files["json"] = f"{base}.json"
    _atomic_write(Path(files["json"]), json.dumps(figures_json, ensure_ascii=False, indent=1))
    Path(f"{base}.error.ipynb").unlink(missing_ok=True)
    return Result(job, True, time.monotonic() - start, files, payload.get("figures", {}), meta)


def _execute_keep_failed(job: Job, base: Path) -> nbformat.NotebookNode:
    """Execute; on failure write the executed notebook (with its error) next to the outputs and re-raise."""
    import papermill as pm
    nb = nbformat.read(notebook_path(job.report), as_version=4)
    tmp_out = None
    try:
        fd, tmp_out = tempfile.mkstemp(prefix=f".{job.scope}.", suffix=".ipynb", dir=_ensure(base.parent))
        os.close(fd)
        return pm.execute_notebook(nb, tmp_out, parameters=job.parameters, kernel_name=KERNEL, progress_bar=False,
                                   cwd=str(PROJECT_ROOT), log_output=False, shutdown_kernel="immediate")
    except pm.PapermillExecutionError:
        if tmp_out and Path(tmp_out).exists():
            os.replace(tmp_out, f"{base}.error.ipynb")
        raise
    finally:
        if tmp_out:
            Path(tmp_out).unlink(missing_ok=True)


def _ensure(p: Path) -> Path:
    p.mkdir(parents=True, exist_ok=True)
    return p
