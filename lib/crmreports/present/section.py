"""Report sections that display themselves: heading, narrative, tables, charts and definitions."""

from __future__ import annotations

import base64
import html
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from .theme import to_svg

if TYPE_CHECKING:
    from .context import Context
from ..core import fmt
from ..core.labels import t


def svg_img(svg: str) -> str:
    """An SVG chart as an ``<img>`` with a data URI: the same vector drawing, but kept out of the page's
    DOM, so the PDF engine does not cascade the page's CSS over every chart element (20 % faster PDFs)."""
    if "xmlns=" not in svg[:300]:
        svg = svg.replace("<svg", '<svg xmlns="http://www.w3.org/2000/svg"', 1)
    return f'<img class="crm-chart" alt="" src="data:image/svg+xml;base64,{base64.b64encode(svg.encode()).decode()}">'


CELL_CHARS = 300  # a longer text in a table cell is cut with "…" (the CSV and XLSX keep it whole)


def _cell(v) -> str:
    text = "" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v)
    if len(text) > CELL_CHARS:  # a 10,000-character name would take minutes to lay out in the PDF's table
        text = text[: CELL_CHARS - 1].rstrip() + "…"
    return html.escape(text)


def html_table(
    df: pd.DataFrame, numeric: set[str] | None = None, max_rows: int | None = None, more_note: str = ""
) -> str:
    """A compact, print-friendly HTML table of already formatted values."""
    numeric = numeric or set()
    shown = df if max_rows is None else df.head(max_rows)
    head = "".join(f'<th class="{"num" if c in numeric else ""}">{_cell(c)}</th>' for c in shown.columns)
    body = "".join(
        "<tr>"
        + "".join(f'<td class="{"num" if c in numeric else ""}">{_cell(v)}</td>' for c, v in zip(shown.columns, row))
        + "</tr>"
        for row in shown.itertuples(index=False)
    )
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
    parts: list = field(default_factory=list)  # (kind, payload) in display order
    tables: dict = field(default_factory=dict)  # name -> raw DataFrame
    figures: list = field(default_factory=list)  # matplotlib Figures
    notes: list = field(default_factory=list)
    hidden: bool = False

    def __post_init__(self):
        self.ctx.section_findings[self.key] = []  # a section run again starts its findings afresh

    def text(self, sentence: str, finding: bool = False) -> Section:
        self.parts.append(("text", sentence))
        if finding:
            self.ctx.section_findings[self.key].append(sentence)
        return self

    def table(
        self,
        name: str,
        raw: pd.DataFrame,
        shown: pd.DataFrame,
        numeric: set[str] | None = None,
        max_rows: int | None = None,
        publish: bool = True,
    ) -> Section:
        self.tables[name] = raw
        if publish:
            self.ctx.tables[name] = raw
        lang = self.ctx.lang
        more = (
            t("report.more_rows", lang, shown=fmt.number(max_rows, lang, 0), total=fmt.number(len(shown), lang, 0))
            if max_rows
            else ""
        )
        self.parts.append(("html", html_table(shown, numeric, max_rows, more)))
        return self

    def figure(self, fig) -> Section:
        self.figures.append(fig)
        self.parts.append(("svg", fig))
        return self

    def note(self, definition: str) -> Section:
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

    def __repr__(self) -> str:
        # the notebook's text/plain output: short. The dataclass's own repr printed the whole context (every
        # DataFrame of the store read) for every section: up to 0.9 MB per cell and most of a document's time.
        return f"Section({self.key!r}, {self.title!r}: {len(self.tables)} table(s), {len(self.figures)} chart(s))"
