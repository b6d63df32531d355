"""What every report notebook shares: the run context (parameters resolved against the store), report
sections that display themselves (heading, narrative, tables, charts, definitions), and publishing the
headline figures and tables so the runner can write JSON and CSV next to the HTML/PDF.

Notebooks never touch files or the API: they read the store through their report's ``open`` (see
:func:`crmreports.present.kit.open_report`) and hand
their figures to the runner through a display output of type :data:`FIGURES_MIME`.
"""

from __future__ import annotations

import html
import json
import logging
import math
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from .. import store
from ..core import fmt
from ..core.labels import check_lang, t
from ..core.periods import Period, after_data_warning, resolve
from ..core.scopes import Scope, resolve_manager, resolve_pipeline

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
    as_of: pd.Timestamp  # end of the data (local time): outcomes are counted up to here
    currency: str
    figures: dict = field(default_factory=dict)
    comparisons: dict = field(default_factory=dict)
    tables: dict = field(default_factory=dict)
    section_findings: dict = field(default_factory=dict)  # section key -> its findings, in notebook order

    @property
    def findings(self) -> list[str]:
        """The findings of every section run so far, in the order the sections first ran. Re-running a
        section replaces its findings, so a cell run twice does not repeat them."""
        return [f for found in self.section_findings.values() for f in found]

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

    def estimate(self, x) -> str:
        """Money a model estimated (a forecast), to 3 significant figures."""
        return fmt.money_estimate(x, self.lang, self.currency)

    def meta(self) -> dict:
        acc = self.data.account
        return {
            "report": self.report,
            "title": t(f"report.{self.report}", self.lang),
            "period": self.period.key,
            "period_label": self.period_label,
            "scope": self.scope.slug,
            "scope_label": self.scope_label,
            "lang": self.lang,
            "pipeline": self.pipeline_name,
            "account": acc.get("name"),
            "currency": self.currency,
            "store_synced_at": None if pd.isna(acc.get("synced_at")) else pd.Timestamp(acc["synced_at"]).isoformat(),
        }


def validate(
    store_path: str,
    period: str = "",
    manager: str = "",
    pipeline: str = "",
    lang: str = "ru",
    today: date | None = None,
) -> tuple[Period, Scope, list[int], str | None]:
    """Resolve and check report parameters against the store; raise a clear error naming what is valid."""
    check_lang(lang)
    p = resolve(period, today)
    con = store.connect(store_path, read_only=True)
    try:
        users = store.read_table(con, "users")
        pipelines = store.read_table(con, "pipelines")
        account = store.read_table(con, "account")
    finally:
        con.close()
    if not account.empty and (warning := after_data_warning(p, store.data_end(account.iloc[0]))):
        logging.getLogger("crmreports.periods").warning("%s", warning)
    scope = resolve_manager(manager, users)
    pids, pname = resolve_pipeline(pipeline, pipelines)
    return p, scope, pids, pname


def title(ctx: Context):
    """The report's title block (shown in JupyterLab; the rendered documents have a cover page instead)."""
    from IPython.display import HTML

    m = ctx.meta()
    sub = " · ".join(
        x for x in [m["period_label"], m["scope_label"], m["pipeline"] or t("common.all_pipelines", ctx.lang)] if x
    )
    return HTML(
        f"<h1>{html.escape(m['title'])}</h1><p><b>{html.escape(sub)}</b> · "
        f"{t('common.data_as_of', ctx.lang)} {fmt.datetime_(ctx.as_of, ctx.lang)}</p>"
    )


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

    payload = {
        "meta": ctx.meta(),
        "figures": _jsonable(ctx.figures),
        "comparisons": _jsonable(ctx.comparisons),
        "findings": list(ctx.findings),
        "tables": {name: df.to_csv(index=False) for name, df in ctx.tables.items()},
    }
    summary = ", ".join(f"{k}={v}" for k, v in payload["figures"].items())
    display(
        {
            FIGURES_MIME: json.loads(json.dumps(payload, default=str)),
            "text/plain": f"published {len(payload['tables'])} tables; {summary}",
        },
        raw=True,
    )
