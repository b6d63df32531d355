"""Run one report: execute its notebook with papermill, then write ipynb, HTML, PDF, JSON, CSV and XLSX.

Outputs go to ``<out>/<period>/<report>/<scope>.{ipynb,html,pdf,json,xlsx}`` and the tables to
``<out>/<period>/<report>/<scope>/<table>.csv``; a document in another language than Russian (the default) has its
own names, ``<scope>.<lang>.*`` and ``<scope>.<lang>/<table>.csv`` (``team.en.html``), so languages never overwrite
each other. CSV text cells that begin with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return and are not
numbers get a leading apostrophe (OWASP's advice against formula injection); the XLSX writes every text from the
data as a string cell, never a formula (:mod:`crmreports.batch.xlsx`). Every file is written to a temporary name
and moved into place, so a reader never sees half a file. A failed execution keeps the executed notebook with
the error as ``<scope>.error.ipynb`` and leaves earlier good outputs alone.

Outputs are keyed on the notebook's content, the parameters, the store's version and the library's
code (``cache_key`` in the JSON): a job whose key matches existing outputs does no work.

Every result carries where its time went (``Result.timing``: the phases of :data:`PHASES` and each notebook
cell's seconds, from papermill's own cell metadata); the pack writes it into ``index.json`` and sums it in its
summary line, and ``tests/bench/bench_breakdown.py`` prints the breakdown of the demo pack.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import logging
import os
import re
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from .. import reports as registry
from ..core.labels import LANGS
from ..core.scopes import ParameterError
from ..present import render
from ..store import resolve_path, store_version
from . import xlsx
from .locations import KERNEL, NOTEBOOKS, PROJECT_ROOT

if TYPE_CHECKING:
    import nbformat

log = logging.getLogger("crmreports.run")

FORMATS = ("html", "pdf")
STANDARD_PARAMETERS = ("period", "manager", "pipeline", "store", "lang")
DEFAULT_LANG = LANGS[0]  # its documents are <scope>.*; another language's are <scope>.<lang>.*


def output_stem(scope: str, lang: str = DEFAULT_LANG) -> str:
    """The file name (without extension) of a scope's document in ``lang``: ``team``, or ``team.en``."""
    return scope if lang == DEFAULT_LANG else f"{scope}.{lang}"


def reports() -> list[str]:
    """Report names: the registry's (:mod:`crmreports.reports`) in their declared order, then any other notebook
    in the notebooks folder (``CRMREPORTS_NOTEBOOKS`` may point at a folder of one's own notebooks: each runs as
    an ad-hoc report of its file name, without index figures)."""
    names = registry.names()
    return names + sorted(p.stem for p in NOTEBOOKS.glob("*.ipynb") if p.stem not in names)


def notebook_path(report: str) -> Path:
    """The report's notebook; an unknown report is an error listing the valid ones."""
    declared = registry.registry().get(report)
    path = NOTEBOOKS / f"{declared.notebook if declared else report}.ipynb"
    if not report or "/" in report or not path.exists():
        raise ParameterError(f"unknown report {report!r}; valid: {', '.join(reports())}")
    return path


def parse_formats(text: str | list[str] | None) -> tuple[str, ...]:
    items = [f.strip().lower() for f in (text.split(",") if isinstance(text, str) else (text or FORMATS)) if f.strip()]
    bad = [f for f in items if f not in FORMATS]
    if bad or not items:
        raise ParameterError(f"bad format {','.join(bad) or text!r}; valid: {', '.join(FORMATS)} (comma-separated)")
    return tuple(dict.fromkeys(items))


@functools.cache
def notebook_parameters(report: str) -> frozenset[str]:
    """The names a notebook's ``parameters`` cell declares (papermill's own inspection)."""
    import papermill as pm

    return frozenset(pm.inspect_notebook(str(notebook_path(report))))


def check_parameters(report: str, parameters: dict) -> None:
    """Refuse parameters the notebook does not declare (papermill itself only warns)."""
    declared = notebook_parameters(report)
    unknown = sorted(set(parameters) - declared)
    if unknown:
        raise ParameterError(
            f"report {report!r} has no parameter(s) {', '.join(unknown)}; valid: {', '.join(sorted(declared))}"
        )


@dataclass(frozen=True)
class Job:
    report: str
    period: str  # canonical period key, e.g. "2026-10"
    scope: str  # "team", a group's or a manager's slug
    manager: str = ""  # the manager's name, "group:<name>" or "" (team)
    pipeline: str = ""
    lang: str = "ru"
    store: str = "data/crm.duckdb"
    out: str = "reports"
    formats: tuple[str, ...] = FORMATS
    extra: tuple[tuple[str, str], ...] = ()  # report-specific parameters, e.g. (("as_of", "2026-10-15"),)

    @property
    def folder(self) -> Path:
        return Path(self.out) / self.period / self.report

    @property
    def stem(self) -> str:
        """The documents' file name: the scope, with the language when it is not the default (``team.en``)."""
        return output_stem(self.scope, self.lang)

    @property
    def parameters(self) -> dict:
        return {
            "period": self.period,
            "manager": self.manager,
            "pipeline": self.pipeline,
            "store": str(resolve_path(self.store).resolve()),
            "lang": self.lang,
            **dict(self.extra),
        }


@dataclass
class Result:
    job: Job
    ok: bool
    seconds: float
    files: dict = field(default_factory=dict)  # kind -> path
    figures: dict = field(default_factory=dict)
    meta: dict = field(default_factory=dict)
    error: str = ""
    cached: bool = False
    timing: dict = field(default_factory=dict)  # phase -> seconds (see PHASES), and "cells": label -> seconds


# Where a document's time goes, in the order the phases happen. Every phase but ``queue`` happens inside
# run_job, one after another, so they add up to at most the document's ``seconds`` (the rest is bookkeeping),
# but for ``pdf_wait`` and ``pdf``: the PDF prints in a thread of its own while ``tables`` are written:
#   queue        waiting for a free worker thread of the pack (before ``seconds`` starts)
#   setup        checking the parameters, the cache key (notebook, store version, library code)
#   kernel_wait  waiting for a warm kernel another document holds
#   kernel_start starting a new kernel (the first document of each slot, after a failure, or ``run``)
#   execute      papermill: the notebook's cells plus client start and saving the notebook after each cell;
#                ``cells`` splits its cells (papermill's own ``duration`` of each cell, a label per cell)
#   kernel_reset clearing the kernel for the next document (``%reset -f``, matplotlib's defaults)
#   ipynb        writing the executed notebook
#   tables       the CSV and XLSX files
#   html         nbconvert + our page around it
#   pdf_wait     waiting for a free browser tab (the pack's PdfPool) / for WeasyPrint's lock
#   pdf          printing the HTML (Chromium, or WeasyPrint without it)
#   json         the figures JSON
PHASES = (
    "queue",
    "setup",
    "kernel_wait",
    "kernel_start",
    "execute",
    "kernel_reset",
    "ipynb",
    "tables",
    "html",
    "pdf_wait",
    "pdf",
    "json",
)
_CALL = re.compile(r"\breport\.(\w+)\(")


def cell_label(cell, number: int) -> str:
    """A short, stable name for a code cell in the timing: its tag (``parameters``, ``title``, ``publish``),
    else the section it calls (``report.kpis(ctx)`` is ``kpis``), else ``cell <number>``."""
    tags = [
        t
        for t in cell.get("metadata", {}).get("tags", [])
        if t in ("parameters", "injected-parameters", "title", "publish")
    ]
    if tags:
        return tags[0]
    found = _CALL.search(cell.get("source", ""))
    return found.group(1) if found else f"cell {number}"


def cell_seconds(nb: nbformat.NotebookNode) -> dict[str, float]:
    """Seconds per code cell, from the ``papermill.duration`` the executed notebook carries (label -> seconds,
    in notebook order; a label used twice gets ``#2``)."""
    out: dict[str, float] = {}
    number = 0
    for cell in nb.cells:
        if cell.get("cell_type") != "code":
            continue
        number += 1
        duration = (cell.get("metadata", {}).get("papermill") or {}).get("duration")
        if duration is None:
            continue
        label = base = cell_label(cell, number)
        n = 1
        while label in out:
            n += 1
            label = f"{base}#{n}"
        out[label] = round(float(duration), 4)
    return out


def timing_summary(results: list[Result]) -> str:
    """The pack's time by phase, summed over its built documents, largest first: ``execute 120.4 s (cells
    80.1), pdf 30.2, ...``; empty when no document was built."""
    built = [r for r in results if r.timing and not r.cached]
    if not built:
        return ""
    totals = {p: sum(r.timing.get(p, 0.0) for r in built) for p in PHASES if p != "queue"}
    cells = sum(sum(r.timing.get("cells", {}).values()) for r in built)
    parts = []
    for phase, secs in sorted(totals.items(), key=lambda kv: -kv[1]):
        if secs >= 0.05:
            parts.append(f"{phase} {secs:.1f}" + (f" (cells {cells:.1f})" if phase == "execute" else ""))
    queued = sum(r.timing.get("queue", 0.0) for r in built)
    return (
        f"seconds by phase, summed over {len(built)} documents: {', '.join(parts)}; "
        f"queued {queued:.1f} (waiting for a thread, before each document's own time)"
    )


class _Clock:
    """Adds the time since the last mark to a phase: ``clock.mark("html")``."""

    def __init__(self, timing: dict):
        self.timing, self.last = timing, time.monotonic()

    def mark(self, phase: str) -> None:
        now = time.monotonic()
        self.timing[phase] = round(self.timing.get(phase, 0.0) + now - self.last, 4)
        self.last = now


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


# Report files get the permissions of any file the user creates (0644 under the usual umask), not
# mkstemp's 0600: reports are read by a web server, a mail job or a colleague's account.
FILE_MODE = 0o666 & ~_umask()


def _atomic_write(path: Path, data: bytes | str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@functools.lru_cache(maxsize=1)
def _library_digest() -> str:
    h = hashlib.sha256()
    lib = Path(__file__).resolve().parents[1]
    for p in sorted(lib.rglob("*")):
        if p.suffix in (".py", ".css", ".yaml") and "__pycache__" not in p.parts:
            h.update(p.relative_to(lib).as_posix().encode())
            h.update(p.read_bytes())
    return h.hexdigest()


def cache_key(job: Job) -> str:
    """What the outputs depend on: notebook, parameters, formats, the store's content version (not its file: the
    same data written again is the same version, :func:`crmreports.store.store_version`), library code."""
    h = hashlib.sha256()
    h.update(notebook_path(job.report).read_bytes())
    h.update(json.dumps(job.parameters, sort_keys=True).encode())
    h.update(",".join(sorted(job.formats)).encode())
    h.update(store_version(resolve_path(job.store)).encode())
    h.update(_library_digest().encode())
    return h.hexdigest()[:32]


def _up_to_date(job: Job, key: str) -> Result | None:
    base = job.folder / job.stem
    path = Path(f"{base}.json")
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    files = {"ipynb": f"{base}.ipynb", "json": str(path), "xlsx": f"{base}.xlsx"}
    files.update({f: f"{base}.{f}" for f in job.formats})
    if doc.get("cache_key") != key or not all(Path(p).exists() for p in files.values()):
        return None
    return Result(job, True, 0.0, files, doc.get("figures", {}), doc.get("meta", {}), cached=True)


def _error_text(exc: Exception) -> str:
    ename, evalue = getattr(exc, "ename", type(exc).__name__), getattr(exc, "evalue", str(exc))
    return f"{ename}: {evalue}".strip()


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def needs_apostrophe(text: str) -> bool:
    """A CSV text cell a spreadsheet would take for a formula: it begins with = + - @ (or a tab or carriage
    return) and is not a number (``-5``, ``+79991234567`` and ``1e-3`` stay as they are)."""
    return text.startswith(FORMULA_START) and not _NUMBER.fullmatch(text)


def safe_csv(csv_text: str) -> tuple[str, int]:
    """The CSV with a leading apostrophe in each text cell :func:`needs_apostrophe` (OWASP's advice against
    formula injection), and how many cells got one; a CSV that needs none is returned unchanged, byte for byte."""
    import csv

    rows = list(csv.reader(io.StringIO(csv_text)))
    changed = sum(needs_apostrophe(cell) for row in rows for cell in row)
    if not changed:
        return csv_text, 0
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n" if "\r\n" in csv_text else "\n")
    writer.writerows([["'" + c if needs_apostrophe(c) else c for c in row] for row in rows])
    return buf.getvalue(), changed


def _xlsx(tables: dict[str, str], lang: str = DEFAULT_LANG, currency: str = "RUB") -> bytes:
    """Every table of a document as one workbook for an office (see :mod:`crmreports.batch.xlsx`)."""
    return xlsx.workbook(tables, lang, currency or "RUB")


def client_notebook(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The executed notebook as clients see it: without stderr streams (Python warnings, with the absolute
    paths of the server's files, and library chatter). The ``.ipynb`` written next to it keeps them."""
    import copy

    clean = copy.deepcopy(nb)
    dropped = 0
    for cell in clean.cells:
        outputs = cell.get("outputs")
        if outputs:
            kept = [o for o in outputs if not (o.get("output_type") == "stream" and o.get("name") == "stderr")]
            dropped += len(outputs) - len(kept)
            cell["outputs"] = kept
    if dropped:
        log.debug("%d stderr output(s) left out of the HTML/PDF", dropped)
    return clean


def run_job(job: Job, force: bool = False, kernels=None, pdf=None, queued_at: float | None = None) -> Result:
    """Execute and render one (report × scope) job; never raises for a failing notebook.

    With ``force=False`` a job whose outputs are up to date (same :func:`cache_key`) does nothing.
    ``kernels`` (a :class:`crmreports.batch.kernels.KernelPool`) lends a warm kernel; without it a fresh
    kernel is started and killed for this document. ``pdf`` prints HTML to PDF (default
    :func:`crmreports.present.render.to_pdf`; the pack passes a :class:`crmreports.present.render.PdfPool`'s).
    ``queued_at`` (``time.monotonic()`` when the job was queued) gives the ``queue`` phase of the timing
    (:data:`PHASES`, in ``Result.timing``).
    """
    start = time.monotonic()
    timing: dict = {**dict.fromkeys(PHASES, 0.0), "cells": {}}  # every phase: 0 when it did not happen
    timing["queue"] = round(max(0.0, start - queued_at), 4) if queued_at is not None else 0.0
    clock = _Clock(timing)
    check_parameters(job.report, job.parameters)
    key = cache_key(job)
    if not force and (cached := _up_to_date(job, key)):
        log.debug("%s/%s is up to date", job.report, job.scope)
        clock.mark("setup")
        cached.timing = timing
        return cached
    folder = job.folder
    base = folder / job.stem
    clock.mark("setup")
    nb = None
    from .kernels import fresh_kernel  # jupyter_client and nbclient: not needed by `crmreports --help`

    if pdf is None and (kernels is None or not kernels.reuse):  # one document (``run``): imports overlap execution
        _prewarm(job.formats)
    try:
        with kernels.kernel(timing) if kernels else fresh_kernel(KERNEL, PROJECT_ROOT, timing=timing) as kernel:
            clock.last = time.monotonic()  # the kernel's own phases were recorded by the pool
            try:
                nb = _execute_keep_failed(job, base, kernel)
            finally:
                clock.mark("execute")
        clock.last = time.monotonic()  # kernel_reset: recorded by the pool on leaving
    except Exception as exc:  # a cell's error, a dead kernel, a timeout: this document fails alone
        log.error("%s/%s failed: %s", job.report, job.scope, _error_text(exc))
        return Result(
            job,
            False,
            time.monotonic() - start,
            {"ipynb": str(base) + ".error.ipynb"},
            error=_error_text(exc),
            timing=timing,
        )
    timing["cells"] = cell_seconds(nb)
    payload = render.figures_payload(nb) or {}
    meta = payload.get("meta", {})
    generated = datetime.now(UTC)
    files = {"ipynb": f"{base}.ipynb", "xlsx": f"{base}.xlsx"}
    import nbformat  # imported when first needed, like the kernels: `crmreports --help` does without them

    _atomic_write(Path(files["ipynb"]), nbformat.writes(nb))
    clock.mark("ipynb")
    doc = None
    if "html" in job.formats or "pdf" in job.formats:
        doc = render.to_html(client_notebook(nb), meta, generated.astimezone())
    if "html" in job.formats:
        files["html"] = f"{base}.html"
        _atomic_write(Path(files["html"]), doc)
    clock.mark("html")
    # the PDF prints in the browser (another process) while this thread writes the tables: the two overlap, and
    # ``pdf`` is the printing's own time, measured in its thread
    printing = _print_in_background(job, folder, doc, pdf, timing) if "pdf" in job.formats else None
    tables = {}
    for name, csv_text in payload.get("tables", {}).items():
        path = base / f"{name}.csv"
        text, escaped = safe_csv(csv_text)
        if escaped:
            log.info(
                "%s/%s: %d CSV cell(s) of %s start with = + - @ and got an apostrophe",
                job.report,
                job.stem,
                escaped,
                name,
            )
        _atomic_write(path, text)
        tables[name] = str(path.relative_to(folder))
    _atomic_write(Path(files["xlsx"]), _xlsx(payload.get("tables", {}), job.lang, meta.get("currency") or "RUB"))
    clock.mark("tables")
    if printing is not None:
        files["pdf"] = printing.result()
        clock.last = time.monotonic()
    figures_json = {
        "report": job.report,
        "period": job.period,
        "scope": job.scope,
        "lang": job.lang,
        "generated_at": generated.isoformat(timespec="seconds"),
        "store_synced_at": meta.get("store_synced_at"),
        "figures": payload.get("figures", {}),
        "comparisons": payload.get("comparisons", {}),
        "findings": payload.get("findings", []),
        "tables": tables,
        "meta": meta,
        "cache_key": key,
    }
    files["json"] = f"{base}.json"
    _atomic_write(Path(files["json"]), json.dumps(figures_json, ensure_ascii=False, indent=1))
    Path(f"{base}.error.ipynb").unlink(missing_ok=True)
    clock.mark("json")
    return Result(job, True, time.monotonic() - start, files, payload.get("figures", {}), meta, timing=timing)


class _Printing(threading.Thread):
    """A document's PDF being printed in a thread; :meth:`result` waits for it and returns the PDF's path (or
    raises what the printing raised)."""

    def __init__(self, work):
        super().__init__(name="crmreports-print", daemon=True)
        self._work, self._path, self._error = work, None, None
        self.start()

    def run(self) -> None:
        try:
            self._path = self._work()
        except BaseException as exc:  # handed to the document's thread by result()
            self._error = exc

    def result(self) -> str:
        self.join()
        if self._error is not None:
            raise self._error
        return self._path


def _print_in_background(job: Job, folder: Path, doc: str, pdf, timing: dict) -> _Printing:
    """Start printing ``doc`` to the job's PDF (to a temporary name, moved into place when complete); the
    ``pdf_wait`` and ``pdf`` phases are its waiting for a printer and its printing."""
    final = f"{folder / job.stem}.pdf"

    def work() -> str:
        started = time.monotonic()
        fd, tmp = tempfile.mkstemp(prefix=f".{job.stem}.", suffix=".pdf", dir=folder)
        os.close(fd)
        try:
            printing = (pdf or render.to_pdf)(doc, tmp)
            os.chmod(tmp, FILE_MODE)
            os.replace(tmp, final)
        finally:
            Path(tmp).unlink(missing_ok=True)
        took = time.monotonic() - started
        # the printer says how long printing itself took: the rest was waiting
        printed = min(printing, took) if isinstance(printing, float) else took
        timing["pdf_wait"], timing["pdf"] = round(took - printed, 4), round(printed, 4)
        return final

    return _Printing(work)


def _prewarm(formats: tuple[str, ...]) -> threading.Thread:
    """Import papermill and prepare the HTML exporter and (for a PDF) the PDF engine in a background thread
    (:func:`crmreports.present.render.prewarm`): while the kernel executes the notebook this process only waits
    for messages, so this work costs no wall time there."""

    def work() -> None:
        try:
            import papermill  # noqa: F401  (first: it is needed as soon as the kernel is up)

            if "html" in formats or "pdf" in formats:
                render.prewarm(pdf="pdf" in formats)
        except Exception as exc:  # only a head start: the real call raises it again, in its place
            log.debug("prewarm failed: %s", exc)

    thread = threading.Thread(target=work, name="crmreports-prewarm", daemon=True)
    thread.start()
    return thread


@functools.cache
def _save_at_end_engine() -> str:
    """A papermill engine (nbclient's) that writes the executed notebook once, when execution ends, whatever
    ended it (the last cell, an error, a cell's time limit, a dead kernel), instead of after every cell's start
    and end: 25 serialisations of the whole notebook per document, 0.1 s (a document with large outputs:
    seconds). Returns the name it is registered under."""
    from papermill.engines import NBClientEngine, NotebookExecutionManager, papermill_engines

    class SaveAtEnd(NotebookExecutionManager):
        def save(self, **kwargs):
            if self.end_time is not None:  # set by notebook_complete, which then saves
                return super().save(**kwargs)
            return None

    class SaveAtEndEngine(NBClientEngine):
        @classmethod
        def execute_notebook(
            cls, nb, kernel_name, output_path=None, progress_bar=True, log_output=False, autosave_cell_every=30, **kw
        ):
            # papermill's Engine.execute_notebook with our execution manager
            nb_man = SaveAtEnd(
                nb,
                output_path=output_path,
                progress_bar=progress_bar,
                log_output=log_output,
                autosave_cell_every=autosave_cell_every,
            )
            nb_man.notebook_start()
            try:
                cls.execute_managed_notebook(nb_man, kernel_name, log_output=log_output, **kw)
            finally:
                nb_man.cleanup_pbar()
                nb_man.notebook_complete()
            return nb_man.nb

    papermill_engines.register("crmreports-save-at-end", SaveAtEndEngine)
    return "crmreports-save-at-end"


def _execute_keep_failed(job: Job, base: Path, kernel: dict) -> nbformat.NotebookNode:
    """Execute; on failure write the executed notebook (with its error) next to the outputs and re-raise."""
    import nbformat
    import papermill as pm

    nb = nbformat.read(notebook_path(job.report), as_version=4)
    base.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_out = tempfile.mkstemp(prefix=f".{job.stem}.", suffix=".ipynb", dir=base.parent)
    os.close(fd)
    try:
        return pm.execute_notebook(
            nb,
            tmp_out,
            parameters=job.parameters,
            kernel_name=KERNEL,
            progress_bar=False,
            cwd=str(PROJECT_ROOT),
            log_output=False,
            engine_name=_save_at_end_engine(),
            **kernel,
        )
    except Exception:
        if Path(tmp_out).exists() and Path(tmp_out).stat().st_size:
            os.chmod(tmp_out, FILE_MODE)
            os.replace(tmp_out, f"{base}.error.ipynb")
        raise
    finally:
        Path(tmp_out).unlink(missing_ok=True)
