"""Executed notebook → client-facing HTML and PDF (no code, no parameters), and the published figures.

HTML: nbconvert's ``basic`` template with code inputs, prompts, the notebook's own Markdown notes and
the cells tagged ``parameters``/``injected-parameters``/``title``/``publish`` removed, wrapped in one
branded page (cover with account, period, scope, generation time; contents; page numbers).
PDF: the same HTML printed by headless Chromium when it is installed (:mod:`crmreports.present.chromium`:
0.3–0.5 s per document here), else by WeasyPrint (pure pip + pango; 1.5–1.8 s for a nine-page report); both
render Cyrillic with DejaVu Sans, against 1.3–2.9 s and a 700 MB TeX install for xelatex.
"""

from __future__ import annotations

import functools
import html
import logging
import os
import re
import sys
import threading
import time
from datetime import datetime
from importlib import resources
from typing import TYPE_CHECKING

from ..core.labels import t

if TYPE_CHECKING:
    import nbformat
    from nbconvert import HTMLExporter

# nbformat validates with jsonschema, which checks the "iri" string format with rfc3987_syntax when that is
# installed, and importing rfc3987_syntax builds a Lark grammar: 0.9 s in every process that reads a notebook
# (the CLI, the pack, each PDF worker). No notebook schema uses that format, so it is left out.
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]

# nbconvert, nbformat and WeasyPrint are imported where they are used: a PDF worker process needs only
# WeasyPrint, and `crmreports --help` none of them.

log = logging.getLogger("crmreports.render")
HIDDEN_TAGS = ("parameters", "injected-parameters", "title", "publish")
_local = threading.local()
_pdf_lock = threading.Lock()


def _exporter() -> HTMLExporter:
    """One exporter per thread (building it costs ~0.2 s; reuse is cheap): the one :func:`prewarm` built, if no
    thread has taken it yet, else a new one."""
    exp = getattr(_local, "exporter", None)
    if exp is None:
        with _spare_lock:
            exp = _spare.pop() if _spare else None
        _local.exporter = exp = exp or _new_exporter()
    return exp


def _new_exporter() -> HTMLExporter:
    from nbconvert.preprocessors import TagRemovePreprocessor

    exp = _exporter_class()(
        template_name="basic",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        exclude_markdown=True,
        anchor_link_text="",
        optimistic_validation=True,  # the notebook validated once, after the last preprocessor, not after each
    )
    pre = TagRemovePreprocessor(remove_cell_tags=set(HIDDEN_TAGS), enabled=True)
    exp.register_preprocessor(pre, enabled=True)
    return exp


@functools.cache
def _exporter_class() -> type:
    """nbconvert's HTMLExporter without the BeautifulSoup pass its ``from_notebook_node`` ends with (three fifths of
    an export): the pass gives an image without alternative text a stock one (every chart here has its ``alt``) and
    makes JupyterLab's cell wrappers focusable (the basic template has none); what it changes otherwise is only
    how the same markup is spelled."""
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class ReportExporter(HTMLExporter):
        def from_notebook_node(self, nb, resources=None, **kw):
            # HTMLExporter.from_notebook_node up to its BeautifulSoup pass
            langinfo = nb.metadata.get("language_info", {})
            lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
            self.register_filter(
                "highlight_code", self.filters.get("highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self))
            )
            resources = self._init_resources(resources)
            self.register_filter(
                "filter_data_type",
                WidgetsDataTypeFilter(notebook_metadata=self._nb_metadata, parent=self, resources=resources),
            )
            return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

    return ReportExporter


_spare: list = []  # an exporter prewarm() built (and used once) for the first thread that needs one
_spare_lock = threading.Lock()


def figures_payload(nb: nbformat.NotebookNode) -> dict | None:
    """The payload the notebook published with :func:`crmreports.present.context.publish`, if any."""
    from .context import FIGURES_MIME

    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if FIGURES_MIME in data:
                return data[FIGURES_MIME]
    return None


def css() -> str:
    return resources.files("crmreports.present").joinpath("templates/report.css").read_text(encoding="utf-8")


def _toc(body: str, lang: str) -> str:
    heads = re.findall(r'<h2 id="([^"]+)">(.*?)</h2>', body)
    if len(heads) < 3:
        return ""
    items = "".join(f'<li><a href="#{i}">{text}</a></li>' for i, text in heads)
    return f'<nav class="toc"><h3>{t("common.contents", lang)}</h3><ol>{items}</ol></nav>'


def to_html(nb: nbformat.NotebookNode, meta: dict, generated_at: datetime | None = None) -> str:
    """The complete HTML document of an executed report notebook."""
    lang = meta.get("lang", "ru")
    body, _ = _exporter().from_notebook_node(nb)
    generated = (generated_at or datetime.now()).strftime("%d.%m.%Y %H:%M" if lang == "ru" else "%Y-%m-%d %H:%M")
    rows = [
        (t("common.account", lang), meta.get("account")),
        (t("common.period", lang), meta.get("period_label")),
        (t("common.scope", lang), meta.get("scope_label")),
        (t("common.pipeline", lang), meta.get("pipeline") or t("common.all_pipelines", lang)),
        (t("common.generated", lang), generated),
    ]
    dl = "".join(f"<dt>{html.escape(str(k))}</dt><dd>{html.escape(str(v))}</dd>" for k, v in rows if v)
    title = html.escape(str(meta.get("title", "")))
    doc_title = (
        f"{title} — {html.escape(str(meta.get('period_label', '')))} — {html.escape(str(meta.get('scope_label', '')))}"
    )
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{doc_title}</title>'
        f"<style>{css()}</style></head><body>"
        f'<div class="cover"><div class="brand">crmreports</div><h1>{title}</h1><dl>{dl}</dl>'
        f"{_toc(body, lang)}</div>{body}</body></html>"
    )


ENGINES = ("auto", "chromium", "weasyprint")


def _asked_engine() -> str:
    """``CRMREPORTS_PDF_ENGINE`` as given (auto when unset); a value not in :data:`ENGINES` is an error."""
    wanted = os.environ.get("CRMREPORTS_PDF_ENGINE", "auto").strip().lower() or "auto"
    if wanted not in ENGINES:
        raise ValueError(f"CRMREPORTS_PDF_ENGINE={wanted!r} is not a PDF engine; valid: {', '.join(ENGINES)}")
    return wanted


def pdf_engine() -> str:
    """The PDF engine: ``CRMREPORTS_PDF_ENGINE`` (auto, chromium, weasyprint; default auto). ``auto`` is
    Chromium when one is installed (5× less CPU per document: see :mod:`crmreports.present.chromium`),
    else WeasyPrint (pure pip + pango)."""
    from . import chromium

    wanted = _asked_engine()
    if wanted == "auto":
        return "chromium" if chromium.find_chromium() else "weasyprint"
    if wanted == "chromium" and not chromium.find_chromium():
        raise ValueError(
            "CRMREPORTS_PDF_ENGINE=chromium but no Chromium was found: install the chromium package "
            "or set CRMREPORTS_CHROMIUM to its executable"
        )
    return wanted


def to_pdf(html_doc: str, path) -> float:
    """Print the HTML document to ``path`` (A4, page numbers, contents with pages, vector charts) with the
    :func:`pdf_engine`; returns the seconds the printing itself took (not the wait for another thread's
    printing, nor the first import or the browser's start)."""
    if pdf_engine() == "chromium" and not _chromium_failed:
        from . import chromium

        try:
            chromium.browser()  # started (once per process) outside the timing, like WeasyPrint's import
        except chromium.ChromiumError as exc:
            if _asked_engine() == "chromium":  # asked for by name: its failure is the document's error
                raise
            _fall_back(exc)
        else:
            started = time.monotonic()
            chromium.print_pdf(html_doc, path)
            return time.monotonic() - started
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    from weasyprint import HTML

    with _pdf_lock:  # WeasyPrint is not documented as thread-safe
        started = time.monotonic()
        HTML(string=html_doc).write_pdf(str(path), font_config=_font_config())
        return time.monotonic() - started


_chromium_failed = False


def _fall_back(exc: Exception) -> None:
    """Chromium was chosen by ``auto`` but does not start here: WeasyPrint prints this process's PDFs."""
    global _chromium_failed
    _chromium_failed = True
    log.warning("Chromium does not start (%s); printing PDFs with WeasyPrint", exc)


_fonts = None


def _font_config():
    """One WeasyPrint font configuration per process (the fonts found and loaded once, not per document: 3–5 %
    of a document's printing; the pages come out pixel for pixel the same). Our CSS has no @font-face, so
    documents add nothing to it. Called under ``_pdf_lock``."""
    global _fonts
    if _fonts is None:
        from weasyprint.text.fonts import FontConfiguration

        _fonts = FontConfiguration()
    return _fonts


def prewarm(pdf: bool = True) -> None:
    """Import (and initialise) what rendering needs, ahead of time: an HTML exporter with its templates loaded,
    and the PDF engine when ``pdf`` (Chromium with a tab open, or WeasyPrint with its fonts). A single
    ``crmreports run`` calls it in a thread while the kernel executes the notebook, so this second of work
    overlaps the execution instead of following it."""
    import nbformat

    exp = _new_exporter()
    exp.from_notebook_node(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("·")]))  # its templates
    with _spare_lock:
        _spare.append(exp)

    if pdf and pdf_engine() == "chromium" and not _chromium_failed:
        from pypdf import PdfReader  # noqa: F401  (reads the contents' pages off the first print)

        from . import chromium

        chromium.browser().open_tab()  # a browser that does not start raises here, and again (handled) in to_pdf
    elif pdf:
        logging.getLogger("weasyprint").setLevel(logging.ERROR)
        logging.getLogger("fontTools").setLevel(logging.ERROR)
        from weasyprint import HTML

        with _pdf_lock:  # the first document of a process also pays for fontconfig and the fonts: pay it now
            HTML(string=f"<style>{css()}</style><p>Отчёт · Report</p>").write_pdf(font_config=_font_config())


PARENT_POLL = 0.2  # seconds between a PDF worker's checks that the process that started it is alive


def _exit_with_parent(parent: int) -> None:
    """PDF worker initializer: exit at once when the process that started the worker is gone.

    A ``kill -9`` of the pack closes nothing a busy worker would notice: it would go on printing (about
    270 MB each) and then wait forever. The worker's parent changes when the pack dies (it is reparented),
    so a daemon thread polls ``os.getppid()``. (``prctl(PR_SET_PDEATHSIG)`` fires when the *thread* that
    started the worker ends, and the pack's threads start them, so it is not used.)
    """

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_POLL)
        os._exit(1)

    threading.Thread(target=watch, name="crmreports-parent-watch", daemon=True).start()


class PdfPool:
    """PDF printing for batch runs, while the pack's threads go on executing notebooks.

    Chromium (:func:`pdf_engine`) prints in its own processes: the pack's threads call it directly, one tab
    each, and the browser is closed with the pool. WeasyPrint is pure Python: in the pack's threads it would
    hold the GIL (~1.5 s per document, as long as executing the notebook), so its PDFs are printed by ``size``
    spawned processes. Workers exit by themselves when the pack process dies (:func:`_exit_with_parent`);
    a worker that died (the pool is then broken) is replaced once per document.
    """

    def __init__(self, size: int):
        self.size = size
        self.engine = pdf_engine()
        self._lock = threading.Lock()
        self._pool = self._new() if self.engine == "weasyprint" else None
        # Chromium: at most ``size`` documents printing at once (a tab, so a renderer process, each)
        self._slots = threading.Semaphore(max(1, size))

    def _new(self):
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        # spawn, not fork: the pack process has threads and ZeroMQ sockets
        return ProcessPoolExecutor(
            max_workers=self.size,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_exit_with_parent,
            initargs=(os.getpid(),),
        )

    def render(self, html_doc: str, path) -> float:
        """Print in a worker; returns the seconds the worker spent printing (see :func:`to_pdf`)."""
        if self._pool is None:
            with self._slots:
                return to_pdf(html_doc, path)
        from concurrent.futures.process import BrokenProcessPool

        pool = self._pool
        try:
            return pool.submit(to_pdf, html_doc, str(path)).result()
        except BrokenProcessPool:
            log.warning("a PDF worker died; starting new ones")
        with self._lock:
            if self._pool is pool:
                self._pool = self._new()
                pool.shutdown(wait=False, cancel_futures=True)
        return self._pool.submit(to_pdf, html_doc, str(path)).result()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
        else:
            from . import chromium

            chromium.shutdown()

    def __enter__(self) -> PdfPool:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
