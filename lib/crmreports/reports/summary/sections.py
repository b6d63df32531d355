"""Sections of the summary notebook («Сводный отчёт»): the head of sales' first page, two A4 pages at most.

The state now (deals by stage, each manager's load, contacts vs deals), the period in six numbers against the
previous period and a year ago, and the five things to act on ranked by money at stake, each linking to the
report page that explains it (in the same pack: ``../<report>/<scope>.html#<section>``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial

import pandas as pd

from ...core import fmt
from ...core.labels import t
from ...core.scopes import manager_slugs
from ...present import kit, links
from ...present.context import Context, publish, title  # noqa: F401  (the notebook calls report.title and report.publish)
from ...present.section import Section
from ...store import concepts, discipline
from .. import registry
from . import metrics
from . import query as queries

REPORT = __package__.rpartition(".")[2]

# Printed on one page with the cover's facts as its header (the cover page and the contents are dropped):
# the summary is two A4 pages at most.
COMPACT_CSS = (
    "<style>.cover{page:auto;break-after:auto;padding-top:0;margin-bottom:2mm}.cover h1{font-size:16pt;margin:1mm 0}"
    ".cover dl{font-size:8.5pt;gap:0.5mm 3mm;grid-template-columns:28mm minmax(0,1fr)}.toc{display:none}"
    ".crm-section h2{margin:3mm 0 1.5mm;font-size:12pt} table.crm-table{font-size:7.6pt;margin:1mm 0 2mm}"
    "table.crm-table td,table.crm-table th{padding:0.5mm 1.2mm} ul.crm-notes{margin:0.5mm 0 2mm;font-size:7pt}"
    "p{margin:1mm 0}</style>"
)


@dataclass
class SummaryContext(Context):
    _cache: dict = field(default_factory=dict)


def open(
    period: str = "",
    manager: str = "",
    pipeline: str = "",
    store: str = "data/crm.duckdb",
    lang: str = "ru",
) -> SummaryContext:
    """Resolve the parameters and read the team's deals, stage changes, calls, tasks, requests and contacts."""
    return kit.open_report(REPORT, queries.load_summary, period, manager, pipeline, store, lang, SummaryContext)


def _ids(ctx: SummaryContext):
    return list(ctx.scope.user_ids) or None


def _leads(ctx: SummaryContext) -> pd.DataFrame:
    ld = ctx.data.leads
    return ld if _ids(ctx) is None else ld[ld["responsible_user_id"].isin(_ids(ctx))]


def _by_user(ctx: SummaryContext, df: pd.DataFrame, col: str) -> pd.DataFrame:
    return df if _ids(ctx) is None else df[df[col].isin(_ids(ctx))]


def _state(ctx: SummaryContext) -> dict:
    if "state" not in ctx._cache:
        d, moment = ctx.data, ctx.as_of
        leads = _leads(ctx)
        # the pushed-down equivalents of the store.discipline definitions (same frames)
        log = d.stage_changes if d.stage_log is None else d.stage_log
        last = discipline.last_changes(log, leads, moment)
        od = discipline.open_deals_at_fast(leads, log, d.statuses, moment, last)
        status = discipline.open_deals_task_status_fast(leads, log, d.statuses, d["tasks"], moment, od)
        status["amount"] = status["price"].fillna(0.0)
        stale = discipline.stale_deals_fast(leads, log, d.statuses, moment, open_deals=od, last=last)
        status = status.merge(stale[["id", "stale"]], on="id", how="left")
        tasks = _by_user(ctx, d["tasks"], "responsible_user_id")
        open_tasks = discipline.open_tasks_at(tasks, moment)
        overdue = discipline.overdue_tasks(tasks, moment)
        ctx._cache["state"] = {"open": status, "open_tasks": open_tasks, "overdue": overdue}
    return ctx._cache["state"]


def _numbers(ctx: SummaryContext) -> pd.DataFrame:
    leads, calls = _leads(ctx), _by_user(ctx, ctx.data["calls"], "user_id")
    p = ctx.period
    cols = {
        w: metrics.period_numbers(leads, calls, q, ctx.data.statuses)
        for w, q in (("current", p), ("previous", p.previous()), ("year_ago", p.year_ago()))
    }
    return pd.DataFrame(cols).loc[list(metrics.SIX)]


def _link(ctx: SummaryContext, report: str, scope: str, anchor: str) -> str:
    """The document of ``report`` for ``scope`` in the same pack (the runner's file naming: ``<scope>.html``,
    ``<scope>.en.html`` in English), at the section ``anchor``."""
    stem = scope if ctx.lang == "ru" else f"{scope}.{ctx.lang}"
    return f"../{report}/{stem}.html#{anchor}"


def _report_title(name: str, lang: str) -> str:
    """A report's title from the registry (the report itself is not imported), or its name if unknown."""
    found = registry().get(name)
    return found.title.get(lang, name) if found else name


def _cap(s: str) -> str:
    """A heading's first letter in upper case (``ноябрь 2026 в шести цифрах`` opens a heading)."""
    return s[:1].upper() + s[1:]


# the noun (fmt.count) each action's counted value is shown with, in the case its sentence needs
ACTION_NOUNS = {
    "overdue": {"n": "summary_open_deal_dat"},
    "without_task": {"n": "summary_open_deal_dat"},
    "stale": {"n": "summary_stale_deal_acc"},
    "loss_reason": {"n": "deal"},
    "backlog": {"n": "summary_request_acc"},
    "manager": {"n": "deal"},
}


def _action_values(a: metrics.Action, lang: str) -> dict:
    """The values of an action's sentence: counts with their noun in the right form, other numbers formatted."""
    nouns = ACTION_NOUNS.get(a.key, {})
    out = {}
    for k, v in a.values.items():
        if k in nouns:
            out[k] = fmt.count(v, nouns[k], lang)
        elif isinstance(v, (int, float)):
            out[k] = fmt.number(v, lang)
        else:
            out[k] = v
    return out


def _show(ctx: SummaryContext, key: str, v) -> str:
    if key in metrics.RATE_KEYS:
        return fmt.percent(v, ctx.lang, 1)
    if key in ("revenue", "average_check"):
        return ctx.money(v)
    return fmt.number(v, ctx.lang)


# ---- sections -----------------------------------------------------------------------------------------------


def state(ctx: SummaryContext) -> Section:
    """Deals by stage now; per manager: open deals, open and overdue tasks, contacts and deals created; the load
    imbalance named."""
    lang = ctx.lang
    sec = Section(ctx, "state", t("summary.state.title", lang, as_of=fmt.datetime_(ctx.as_of, lang)))
    sec.parts.append(("html", COMPACT_CSS))
    d, st = ctx.data, _state(ctx)
    op = st["open"]
    ctx.figures["open_deals"] = len(op)
    ctx.figures["open_pipeline"] = float(op["amount"].sum())
    ctx.figures["overdue_tasks"] = len(st["overdue"])
    ctx.figures["open_deals_without_task"] = int((~op["has_task"]).sum())
    stages = metrics.by_stage(op, d.statuses, d.pipelines)
    sec.text(
        t(
            "summary.state.sentence",
            lang,
            open=fmt.count(len(op), "open_deal", lang),
            amount=ctx.money(op["amount"].sum()),
            overdue=fmt.number(len(st["overdue"]), lang),
            no_task=fmt.number(int((~op["has_task"]).sum()), lang),
        ),
        finding=True,
    )
    many = d.pipelines["id"].nunique() > 1
    kit.table(
        sec,
        "stages",
        stages,
        ([kit.Column("common.pipeline", "pipeline", "text")] if many else [])
        + [
            kit.Column("common.stage", "stage", "text"),
            kit.Column("summary.col.deals", "deals"),
            kit.Column("common.amount", "amount", "money"),
        ],
    )
    # per manager
    names = dict(zip(d.users["id"], d.users["name"]))
    owners = op.groupby("responsible_user_id").size()
    tasks_open = st["open_tasks"].groupby("responsible_user_id").size()
    overdue = st["overdue"].groupby("responsible_user_id").size()
    load = pd.DataFrame({"open_deals": owners, "open_tasks": tasks_open, "overdue_tasks": overdue}).fillna(0)
    contacts = d.contacts
    has_contacts = contacts is not None and len(contacts) > 0
    cvd = metrics.contacts_vs_deals(contacts if has_contacts else _empty_contacts(), _leads(ctx), ctx.period)
    load = load.join(cvd.set_index("user_id")[["contacts", "deals"]], how="outer").fillna(0).astype("int64")
    load.index.name = "user_id"
    load = load.reset_index()
    load = load[load["user_id"].isin(d.users["id"])]
    load["manager"] = load["user_id"].map(names)
    load = load.sort_values(["open_deals", "manager"], ascending=[False, True]).reset_index(drop=True)
    cols = [
        kit.Column("common.manager", "manager", "text"),
        kit.Column("summary.col.open_deals", "open_deals"),
        kit.Column("summary.col.open_tasks", "open_tasks"),
        kit.Column("summary.col.overdue", "overdue_tasks"),
        kit.Column("summary.col.deals_created", "deals"),
    ]
    if has_contacts:
        cols.append(kit.Column("summary.col.contacts_created", "contacts"))
    kit.table(
        sec,
        "load",
        load[["user_id", "manager", "open_deals", "open_tasks", "overdue_tasks", "contacts", "deals"]],
        cols,
    )
    imb = metrics.imbalance(load)
    if imb is not None and imb["ratio"] >= 1.5:
        sec.text(
            t(
                "summary.state.imbalance",
                lang,
                name=names.get(imb["user_id"], ""),
                n=fmt.count(imb["value"], "open_deal", lang),
                ratio=fmt.number(imb["ratio"], lang, 1),
                median=fmt.number(imb["median"], lang, 0),
            ),
            finding=True,
        )
    if not has_contacts:
        sec.text(t("summary.state.no_contacts", lang))
    else:
        base = cvd[(cvd["contacts"] >= 10) & (cvd["deals"] < 0.5 * cvd["contacts"])]
        if len(base):
            worst = base.assign(r=base["deals"] / base["contacts"]).sort_values(["r", "user_id"]).iloc[0]
            sec.text(
                t(
                    "summary.state.contacts",
                    lang,
                    name=names.get(worst["user_id"], ""),
                    contacts=fmt.number(worst["contacts"], lang),
                    deals=fmt.number(worst["deals"], lang),
                ),
                finding=True,
            )
    if d["tasks"].empty:
        sec.text(t("summary.state.no_tasks", lang), finding=True)
    sec.note(t("summary.def.state", lang))
    return sec


def _empty_contacts() -> pd.DataFrame:
    return pd.DataFrame(
        {"responsible_user_id": pd.Series(dtype="float64"), "created_at": pd.Series(dtype="datetime64[ns]")}
    )


def numbers(ctx: SummaryContext) -> Section:
    """The period in six numbers against the previous period and a year ago."""
    lang = ctx.lang
    sec = Section(ctx, "numbers", _cap(t("summary.numbers.title", lang, period=ctx.period_label)))
    k = _numbers(ctx)
    for key in metrics.SIX:
        v = k.loc[key, "current"]
        ctx.figures[key] = (
            int(v) if key in ("won_deals", "created_deals", "calls_total") else (None if pd.isna(v) else float(v))
        )
    ctx.comparisons.update(previous=k["previous"].to_dict(), year_ago=k["year_ago"].to_dict())
    kit.kpi_comparison(
        ctx,
        sec,
        k,
        metrics.SIX,
        lambda key: t(f"summary.kpi.{key}", lang),
        partial(_show, ctx),
        metrics.RATE_KEYS,
        "summary",
    )
    sec.note(t("summary.def.numbers", lang))
    return sec


def _candidates(ctx: SummaryContext) -> list[metrics.Action]:
    d, st, lang = ctx.data, _state(ctx), ctx.lang
    op, ov = st["open"], st["overdue"]
    price = op.set_index("id")["amount"]
    out = []
    od_ids = set(ov["lead_id"].dropna().astype("int64")) & set(op["id"])
    out.append(
        metrics.Action(
            "overdue",
            float(price.reindex(list(od_ids)).sum()),
            {"n": len(od_ids), "tasks": len(ov)},
            "managers",
            "actions",
        )
    )
    nt = op[~op["has_task"]]
    out.append(metrics.Action("without_task", float(nt["amount"].sum()), {"n": len(nt)}, "managers", "actions"))
    sd = op[op["stale"].fillna(False).astype(bool)]
    out.append(metrics.Action("stale", float(sd["amount"].sum()), {"n": len(sd)}, "managers", "actions"))
    lost = concepts.lost_in(_leads(ctx), ctx.period)
    if len(lost):
        names = dict(zip(d.loss_reasons["id"], d.loss_reasons["name"]))
        by = lost.assign(r=lost["loss_reason_id"].map(names).fillna(t("summary.act.no_reason", lang)))
        g = by.groupby("r")["price"].agg(lambda s: s.fillna(0).sum()).sort_values(ascending=False)
        out.append(
            metrics.Action(
                "loss_reason",
                float(g.iloc[0]),
                {"reason": g.index[0], "n": int((by["r"] == g.index[0]).sum())},
                "managers",
                "losses",
            )
        )
    un = d["unsorted"]
    pending = un[(un["outcome"] == "pending") & (un["created_at"] < ctx.as_of)]
    if ctx.pipeline_ids:
        pending = pending[pending["pipeline_id"].isin(ctx.pipeline_ids)]
    cur = _numbers(ctx)["current"]
    if len(pending) and _ids(ctx) is None and pd.notna(cur["average_check"]) and pd.notna(cur["win_rate"]):
        money = len(pending) * float(cur["average_check"]) * float(cur["win_rate"])
        out.append(metrics.Action("backlog", money, {"n": len(pending)}, "unsorted_leads", "backlog"))
    # the manager with the most money on deals left without a task or with an overdue task
    at_risk = op[~op["has_task"] | op["id"].isin(od_ids)]
    if len(at_risk) and _ids(ctx) is None:
        g = at_risk.groupby("responsible_user_id")["amount"].sum().sort_values(ascending=False)
        uid = g.index[0]
        slugs = manager_slugs(d.users)
        if uid in slugs:
            name = dict(zip(d.users["id"], d.users["name"])).get(uid, "")
            n = int((at_risk["responsible_user_id"] == uid).sum())
            out.append(
                metrics.Action("manager", float(g.iloc[0]), {"name": name, "n": n}, "managers", "actions", slugs[uid])
            )
    return out


def to_act(ctx: SummaryContext) -> Section:
    """The five things to act on this month, ranked by money at stake, each linking to the page that explains it."""
    lang = ctx.lang
    ranked = metrics.rank_actions(_candidates(ctx))
    # «Пять дел» only when there are five of them
    sec = Section(
        ctx, "actions", t("summary.act.title" if len(ranked) == metrics.ACTIONS else "summary.act.title_few", lang)
    )
    # the first action's money: the actions' deals overlap (a stale deal may also lack a task): no sum of them
    ctx.figures["top_action_money"] = float(ranked[0].money) if ranked else 0.0
    if not ranked:
        return sec.text(t("summary.act.none", lang))
    rows = []
    for i, a in enumerate(ranked, start=1):
        vals = _action_values(a, lang)
        rows.append(
            {
                "rank": i,
                "key": a.key,
                "what": f"{i}. " + t(f"summary.act.{a.key}", lang, **vals),
                "money": a.money,
                "where": _report_title(a.report, lang) + " · " + t(f"summary.where.{a.anchor}", lang),
                "url": _link(ctx, a.report, a.scope, a.anchor),
            }
        )
    raw = pd.DataFrame(rows)
    cols = [
        kit.Column("summary.col.what", "what", "text"),
        kit.Column("summary.col.money", "money", "money"),
        kit.Column("summary.col.where", "where", "text"),
    ]
    shown, numeric = kit.shown_table(ctx, raw, cols)
    sec.tables["actions"] = raw
    ctx.tables["actions"] = raw
    sec.parts.append(("html", links.linked_table(shown, {t("summary.col.where", lang): list(raw["url"])}, numeric)))
    top = ranked[0]
    first = t(f"summary.act.{top.key}", lang, **_action_values(top, lang))  # without its rank: it is the first
    if top.key != "manager":  # after the colon in lower case, unless it opens with a manager's name
        first = first[:1].lower() + first[1:]
    sec.text(t("summary.act.first", lang, what=first, money=ctx.money(top.money)), finding=True)
    sec.note(t("summary.def.actions", lang))
    return sec
