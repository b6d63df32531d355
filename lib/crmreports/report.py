"""What every report notebook shares: the run context (parameters resolved against the store), report
sections that display themselves (heading, narrative, tables, charts, definitions), and publishing the
headline figures and tables so the runner can write JSON and CSV next to the HTML/PDF.

Notebooks never touch files or the API: they read the store through :func:`open_context` and hand
their figures to the runner through a display output of type :data:`FIGURES_MIME`.
"""
from __future__ import annotations

import base64
import html
import json
import math
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from . import fmt, store
from .charts.base import to_svg
from .labels import check_lang, t
from .periods import Period, resolve
from .scopes import Scope, resolve_manager, resolve_pipeline

FIGURES_MIME = "application/vnd.crmreports.figures+json"


@dataclass
class Context:
    """Everything a report needs, resolved once at the top of the notebook."""

    report: str
    period: Period
    lang: str
    scope: Scope
    pipeline_ids: list[int]
    pipeline_name: str | None
    data: store.StoreData
    as_of: pd.Timestamp          # end of the data (local time): outcomes are counted up to here
    currency: str
    figures: dict = field(default_factory=dict)
    comparisons: dict = field(default_factory=dict)
    tables: dict = field(default_factory=dict)
    findings: list = field(default_factory=list)

    @property
    def snapshot(self) -> pd.Timestamp:
        """The moment open-deal lists are taken at: the period's end, or the end of data if earlier."""
        return min(self.period.end_ts, self.as_of)

    @property
    def scope_label(self) -> str:
        return self.scope.name or t("common.team", self.lang)

    @property
    def period_label(self) -> str:
        return fmt.period_label(self.period, self.lang)

    def money(self, x) -> str:
        return fmt.money(x, self.lang, self.currency)

    def meta(self) -> dict:
        acc = self.data.account
        return {
            "report": self.report, "title": t(f"report.{self.report}", self.lang), "period": self.period.key,
            "period_label": self.period_label, "scope": self.scope.slug, "scope_label": self.scope_label,
            "lang": self.lang, "pipeline": self.pipeline_name, "account": acc.get("name"), "currency": self.currency,
            "store_synced_at": None if pd.isna(acc.get("synced_at")) else pd.Timestamp(acc["synced_at"]).isoformat(),
        }


def data_end(account: pd.Series) -> pd.Timestamp:
    """The account's sync time in its local timezone (naive)."""
    tz = str(account.get("timezone") or "UTC")
    synced = pd.Timestamp(account.get("synced_at"))
    if pd.isna(synced):
        return pd.Timestamp.now(tz=tz).tz_localize(None)
    return synced.tz_localize("UTC").tz_convert(tz).tz_localize(None)


def validate(store_path: str, period: str = "", manager: str = "", pipeline: str = "", lang: str = "ru",
             today: date | None = None) -> tuple[Period, Scope, list[int], str | None]:
    """Resolve and check report parameters against the store; raise a clear error naming what is valid."""
    check_lang(lang)
    p = resolve(period, today)
    con = store.connect(store_path, read_only=True)
    try:
        users = store.read_table(con, "users")
        pipelines = store.read_table(con, "pipelines")
    finally:
        con.close()
    scope = resolve_manager(manager, users)
    pids, pname = resolve_pipeline(pipeline, pipelines)
    return p, scope, pids, pname


def open_context(report: str, period: str = "", manager: str = "", pipeline: str = "",
                 store_path: str = store.DEFAULT_STORE, lang: str = "ru",
                 tables: tuple[str, ...] = ("leads", "stage_changes")) -> Context:
    """Validate the parameters and load what the report reads, with filters pushed into SQL."""
    p, scope, pids, pname = validate(store_path, period, manager, pipeline, lang)
    data = store.load(store_path, tables=tables, pipeline_ids=pids or None, user_ids=list(scope.user_ids) or None)
    return Context(report=report, period=p, lang=lang, scope=scope, pipeline_ids=pids, pipeline_name=pname,
                   data=data, as_of=data_end(data.account), currency=str(data.account.get("currency") or "RUB"))


def svg_img(svg: str) -> str:
    """An SVG chart as an ``<img>`` with a data URI: the same vector drawing, but kept out of the page's
    DOM, so the PDF engine does not cascade the page's CSS over every chart element (20 % faster PDFs)."""
    if "xmlns=" not in svg[:300]:
        svg = svg.replace("<svg", '<svg xmlns="http://www.w3.org/2000/svg"', 1)
    return f'<img class="crm-chart" alt="" src="data:image/svg+xml;base64,{base64.b64encode(svg.encode()).decode()}">'


def _cell(v) -> str:
    return html.escape("" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v))


def html_table(df: pd.DataFrame, numeric: set[str] | None = None, max_rows: int | None = None,
               more_note: str = "") -> str:
    """A compact, print-friendly HTML table of already formatted values."""
    numeric = numeric or set()
    shown = df if max_rows is None else df.head(max_rows)
    head = "".join(f'<th class="{"num" if c in numeric else ""}">{_cell(c)}</th>' for c in shown.columns)
    body = "".join(
        "<tr>" + "".join(f'<td class="{"num" if c in numeric else ""}">{_cell(v)}</td>'
                         for c, v in zip(shown.columns, row)) + "</tr>"
        for row in shown.itertuples(index=False))
    extra = f'<p class="crm-more">{_cell(more_note)}</p>' if max_rows is not None and len(df) > max_rows else ""
    return f'<table class="crm-table"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{extra}'


@dataclass
class Section:
    """A report section: displays its heading, narrative, tables, charts and definitions in order.

    The raw (unformatted) data stays available to the analyst in ``.tables`` and ``.figures``.
    """

    ctx: Context
    key: str
    title: str
    parts: list = field(default_factory=list)      # (kind, payload) in display order
    tables: dict = field(default_factory=dict)     # name -> raw DataFrame
    figures: list = field(default_factory=list)    # matplotlib Figures
    notes: list = field(default_factory=list)
    hidden: bool = False

    def text(self, sentence: str, finding: bool = False) -> "Section":
        self.parts.append(("text", sentence))
        if finding:
            self.ctx.findings.append(sentence)
        return self

    def table(self, name: str, raw: pd.DataFrame, shown: pd.DataFrame, numeric: set[str] | None = None,
              max_rows: int | None = None, publish: bool = True) -> "Section":
        self.tables[name] = raw
        if publish:
            self.ctx.tables[name] = raw
        more = t("report.more_rows", self.ctx.lang, shown=max_rows, total=len(shown)) if max_rows else ""
        self.parts.append(("html", html_table(shown, numeric, max_rows, more)))
        return self

    def figure(self, fig) -> "Section":
        self.figures.append(fig)
        self.parts.append(("svg", fig))
        return self

    def note(self, definition: str) -> "Section":
        self.notes.append(definition)
        return self

    def to_html(self) -> str:
        if self.hidden:
            return ""
        out = [f'<h2 id="{self.key}">{html.escape(self.title)}</h2>']
        for kind, payload in self.parts:
            if kind == "text":
                out.append(f"<p>{html.escape(payload)}</p>")
            elif kind == "html":
                out.append(payload)
            elif kind == "svg":
                out.append(f'<div class="crm-figure">{svg_img(to_svg(payload))}</div>')
        if self.notes:
            items = "".join(f"<li>{html.escape(n)}</li>" for n in self.notes)
            out.append(f'<ul class="crm-notes">{items}</ul>')
        return f'<section class="crm-section">{"".join(out)}</section>'

    def _repr_html_(self) -> str:
        return self.to_html()


def title(ctx: Context):
    """The report's title block (shown in JupyterLab; the rendered documents have a cover page instead)."""
    from IPython.display import HTML
    m = ctx.meta()
    sub = " · ".join(x for x in [m["period_label"], m["scope_label"], m["pipeline"] or t("common.all_pipelines", ctx.lang)] if x)
    return HTML(f"<h1>{html.escape(m['title'])}</h1><p><b>{html.escape(sub)}</b> · "
                f"{t('common.data_as_of', ctx.lang)} {fmt.datetime_(ctx.as_of, ctx.lang)}</p>")


def _jsonable(v):
    if isinstance(v, dict):
        return {k: _jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    if hasattr(v, "item"):
        v = v.item()
    if isinstance(v, float) and math.isnan(v):
        return None
    return v


def publish(ctx: Context):
    """Hand the headline figures and tables to the runner (a display output the renderer leaves out)."""
    from IPython.display import display
    payload = {"meta": ctx.meta(), "figures": _jsonable(ctx.figures), "comparisons": _jsonable(ctx.comparisons),
               "findings": list(ctx.findings),
               "tables": {name: df.to_csv(index=False) for name, df in ctx.tables.items()}}
    summary = ", ".join(f"{k}={v}" for k, v in payload["figures"].items())
    display({FIGURES_MIME: json.loads(json.dumps(payload, default=str)),
             "text/plain": f"published {len(payload['tables'])} tables; {summary}"}, raw=True)
