"""The section kit: what every report's sections write the same way.

- :func:`open_report`: resolve the notebook's parameters and read the store through the report's own
  pushed-down loader into a :class:`Context`;
- :func:`kpi_comparison`: the headline table (this period / previous / change / a year ago / change);
- :class:`Column` and :func:`shown_table`: a displayed table declared column by column (label, source,
  format) instead of a ``pd.DataFrame({...: ....map(lambda v: fmt...)})`` written out by hand;
- :func:`takeaways`: the closing section listing every section's findings.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..core import fmt
from ..core.labels import has, t
from ..store import data_end
from .context import Context, validate
from .section import Section

Loader = Callable[..., Any]  # (store, period, pipeline_ids=..., user_ids=...) -> store.StoreData


def open_report(
    report: str,
    loader: Loader,
    period: str = "",
    manager: str = "",
    pipeline: str = "",
    store: str = "data/crm.duckdb",
    lang: str = "ru",
    context: type[Context] = Context,
    **extra,
) -> Context:
    """Validate the parameters (a clear error naming what is valid), read what the report needs with
    ``loader`` (filters pushed into DuckDB) and return the run's context; the outcomes are counted up to
    the end of the data (the account's sync time in its local time). ``extra`` goes to ``context``."""
    p, scope, pids, pname = validate(store, period, manager, pipeline, lang)
    data = loader(store, p, pipeline_ids=pids or None, user_ids=list(scope.user_ids) or None)
    return context(
        report=report,
        period=p,
        lang=lang,
        scope=scope,
        pipeline_ids=pids,
        pipeline_name=pname,
        data=data,
        as_of=data_end(data.account),
        currency=str(data.account.get("currency") or "RUB"),
        **extra,
    )


def kpi_comparison(
    ctx: Context,
    sec: Section,
    k: pd.DataFrame,
    keys: Iterable[str],
    label: Callable[[str], str],
    show: Callable[[str, Any], str],
    rate_keys: Iterable[str],
    prefix: str,
    name: str = "kpis",
) -> Section:
    """The headline comparison table: one row per key of ``k`` (index: figure keys; columns ``current``,
    ``previous``, ``year_ago``) with the change against each, in percentage points for rates (``rate_keys``)
    and relative otherwise. ``label`` names a key, ``show`` formats a value; ``prefix`` is the report's label
    namespace holding ``kpi.vs_previous`` and ``kpi.vs_year``. The raw ``k`` is published as table ``name``."""
    lang, rates = ctx.lang, set(rate_keys)
    rows = []
    for key in keys:
        kind = "points" if key in rates else "relative"
        c, p, y = k.loc[key, "current"], k.loc[key, "previous"], k.loc[key, "year_ago"]
        rows.append(
            [
                label(key),
                show(key, c),
                show(key, p),
                fmt.change(c, p, lang, kind),
                show(key, y),
                fmt.change(c, y, lang, kind),
            ]
        )
    cols = [
        t("common.metric", lang),
        ctx.period_label,
        fmt.period_label(ctx.period.previous(), lang),
        t(f"{prefix}.kpi.vs_previous", lang),
        fmt.period_label(ctx.period.year_ago(), lang),
        t(f"{prefix}.kpi.vs_year", lang),
    ]
    return sec.table(name, k.reset_index(), pd.DataFrame(rows, columns=cols), numeric=set(cols[1:]))


@dataclass(frozen=True)
class Column:
    """One displayed column: its header (a label key, or literal text when no such label exists), where
    its values come from (a column of the raw frame, or a function of the frame giving a Series), and how
    they are formatted: ``text`` (as is), ``number``, ``percent``, ``money``, ``days``, ``date``, or a
    function of (value, lang). ``digits`` goes to the number formats that take it."""

    header: str
    source: str | Callable[[pd.DataFrame], pd.Series]
    kind: str | Callable[[Any, str], str] = "number"
    digits: int | None = None
    right: bool | None = None  # right-aligned and never broken (numeric); by default the numeric kinds and dates are

    def title(self, lang: str) -> str:
        return t(self.header, lang) if has(self.header) else self.header

    def values(self, df: pd.DataFrame, ctx: Context) -> pd.Series:
        raw = df[self.source] if isinstance(self.source, str) else self.source(df)
        return raw.map(self.formatter(ctx))

    def formatter(self, ctx: Context) -> Callable[[Any], str]:
        lang, d = ctx.lang, self.digits
        if callable(self.kind):
            return lambda v: self.kind(v, lang)
        if self.kind == "text":
            return lambda v: v
        if self.kind == "money":
            return ctx.money
        if self.kind == "estimate":  # money a model estimated: 3 significant figures
            return ctx.estimate
        if self.kind == "percent":
            return (lambda v: fmt.percent(v, lang)) if d is None else (lambda v: fmt.percent(v, lang, d))
        if self.kind == "days":
            return (lambda v: fmt.days(v, lang)) if d is None else (lambda v: fmt.days(v, lang, d))
        if self.kind == "date":
            return lambda v: fmt.day(v, lang)
        if self.kind == "number":
            return lambda v: fmt.number(v, lang)
        raise ValueError(
            f"column {self.header!r}: bad kind {self.kind!r}; valid: text, number, percent, money, "
            "days, date or a function"
        )

    @property
    def numeric(self) -> bool:
        if self.right is not None:
            return self.right
        # a date too: a text cell may break anywhere (a long name must not widen the table), which cut
        # "05.11.2024" into "05.11.202" and "4" in a narrow column
        return self.kind in ("number", "percent", "money", "estimate", "days", "date")


def shown_table(ctx: Context, df: pd.DataFrame, columns: list[Column]) -> tuple[pd.DataFrame, set[str]]:
    """The displayed (formatted) frame of ``df`` and the set of its right-aligned (numeric) headers."""
    shown = pd.DataFrame({c.title(ctx.lang): c.values(df, ctx) for c in columns})
    return shown, {c.title(ctx.lang) for c in columns if c.numeric}


def table(
    sec: Section, name: str, raw: pd.DataFrame, columns: list[Column], shown_rows: pd.DataFrame | None = None, **kw
) -> Section:
    """Add table ``name`` to ``sec``: ``raw`` is what the analyst and the CSV get, ``columns`` what the reader
    sees (formatted from ``shown_rows`` when only some rows are shown, else from ``raw``)."""
    shown, numeric = shown_table(sec.ctx, raw if shown_rows is None else shown_rows, columns)
    if shown_rows is not None:  # as long as raw, so that "N more" counts every row
        shown = shown.reindex(raw.index)
    return sec.table(name, raw, shown, numeric=numeric, **kw)


def takeaways(ctx: Context, title_key: str) -> Section:
    """The findings of every section run so far, in one list (each section's findings once)."""
    sec = Section(ctx, "summary", t(title_key, ctx.lang))
    for f in ctx.findings:
        sec.text(f)
    return sec
