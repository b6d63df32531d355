"""Sections of the unsorted-leads («Неразобранное») notebook: metrics from :mod:`.metrics` on the items
of the pushed-down read (:func:`.query.load_unsorted`), charts, narrative generated from the figures,
definitions as footnotes. Each section reads only those items and the reference tables: none depends on
another having run first."""

from __future__ import annotations

import math

import pandas as pd

from ...core import fmt
from ...core.labels import has, t
from ...present import kit
from ...present.context import Context, publish, title  # noqa: F401  (the notebook calls report.title and report.publish)
from ...present.section import Section, html_table
from ...store import concepts
from . import charts, query
from . import metrics as unsorted

REPORT = __package__.rpartition(".")[2]  # the report is named after its folder (the registry checks)
ITEMS = "unsorted_items"  # the prepared per-item frame, kept in ctx.data.tables
MIN_DECIDED = 10  # a source needs this many decided items (declined, or its deal won or lost) to be ranked
MAX_LIST = 15  # rows of the backlog list shown in the document


def open(
    period: str = "", manager: str = "", pipeline: str = "", store: str = "data/crm.duckdb", lang: str = "ru"
) -> Context:
    """Resolve the parameters, read only the rows the period's items need and their first actions
    (:func:`.query.load_unsorted`: filters pushed into DuckDB, first actions found there) and prepare one
    row per unsorted item of the scope.

    The store does not filter unsorted items by manager; :func:`.metrics.in_scope` does, by the owner
    defined in :func:`.metrics.prepare`.
    """
    ctx = kit.open_report(REPORT, query.load_unsorted, period, manager, pipeline, store, lang)
    d = ctx.data
    items = unsorted.prepare(
        d["unsorted"], d.leads, d.stage_changes, d["calls"], d["tasks"], d.statuses, ctx.as_of, first=d["first_actions"]
    )
    d.tables[ITEMS] = unsorted.in_scope(items, ctx.scope.user_ids, ctx.pipeline_ids)
    return ctx


def items(ctx: Context) -> pd.DataFrame:
    """The scope's unsorted items, one row each (see :data:`crmreports.reports.unsorted_leads.metrics.ITEM_COLUMNS`)."""
    return ctx.data.tables[ITEMS]


def minutes(m, lang: str = "ru") -> str:
    """A duration in minutes for people: ``45 мин``, ``3 ч 05 мин``, ``2,5 дня`` (over 48 hours)."""
    if m is None or (isinstance(m, float) and math.isnan(m)):
        return fmt.DASH
    m = float(m)
    unit_m, unit_h = t("unsorted.unit.min", lang), t("unsorted.unit.h", lang)
    if m < 60:
        return f"{fmt.number(m, lang)}{fmt.NBSP}{unit_m}"
    if m < 48 * 60:
        h, rest = divmod(int(round(m)), 60)
        return f"{h}{fmt.NBSP}{unit_h} {rest:02d}{fmt.NBSP}{unit_m}" if rest else f"{h}{fmt.NBSP}{unit_h}"
    return fmt.days(m / 1440, lang, 1)


def _category(c, lang: str) -> str:
    key = f"unsorted.category.{c}"
    return t(key, lang) if has(key) else (str(c) if c else t("common.unknown", lang))


def _show(ctx: Context, key: str, v) -> str:
    if key in unsorted.MONEY_KEYS:
        return ctx.money(v)
    if key in unsorted.RATE_KEYS:
        return fmt.percent(v, ctx.lang, 1)
    if key in unsorted.MINUTE_KEYS:
        return minutes(v, ctx.lang)
    return fmt.number(v, ctx.lang)


def _deals_sentence(deals: int, total: int, share: float, lang: str) -> str:
    """«45 из 286 лидов перешли в сделки — 16 %» with the right forms for any numbers."""
    total_text = f"{fmt.number(total, lang)}{fmt.NBSP}{fmt.plural(total, t('noun.unsorted_lead_gen', lang), lang)}"
    became = fmt.plural(deals, t("unsorted.verb.became", lang), lang)
    return t(
        "unsorted.kpi.sentence_deals",
        lang,
        deals=fmt.number(deals, lang),
        total=total_text,
        became=became,
        share=fmt.percent(share, lang),
    )


def kpis(ctx: Context) -> Section:
    """Incoming, accepted, declined, pending, to deals, to won and the money, against the previous period
    and a year ago."""
    lang = ctx.lang
    k = unsorted.kpi_table(items(ctx), ctx.period, ctx.as_of)
    cur = {key: (int(v) if key in unsorted.COUNT_KEYS else float(v)) for key, v in k["current"].items()}
    ctx.figures.update(cur)
    ctx.comparisons.update(previous=k["previous"].to_dict(), year_ago=k["year_ago"].to_dict())
    sec = Section(ctx, "kpis", t("unsorted.kpi.title", lang))
    if cur["unsorted_total"] == 0:
        sec.text(t("unsorted.kpi.none", lang, period=ctx.period_label), finding=True)
    else:
        sec.text(
            t(
                "unsorted.kpi.sentence_in",
                lang,
                period=ctx.period_label,
                total=fmt.count(cur["unsorted_total"], "unsorted_incoming", lang),
                d_prev=fmt.change(cur["unsorted_total"], k.loc["unsorted_total", "previous"], lang),
                d_year=fmt.change(cur["unsorted_total"], k.loc["unsorted_total", "year_ago"], lang),
                accepted=fmt.number(cur["unsorted_accepted"], lang),
                declined=fmt.number(cur["unsorted_declined"], lang),
                pending=fmt.number(cur["unsorted_pending"], lang),
            )
        )
        sec.text(
            _deals_sentence(cur["unsorted_to_deals"], cur["unsorted_total"], cur["unsorted_to_deals_share"], lang),
            finding=True,
        )
        if cur["unsorted_to_won"]:
            sec.text(
                t(
                    "unsorted.kpi.sentence_won",
                    lang,
                    won=fmt.number(cur["unsorted_to_won"], lang),
                    revenue=ctx.money(cur["unsorted_won_revenue"]),
                )
            )
        elif cur["unsorted_to_deals"]:
            sec.text(t("unsorted.kpi.sentence_none_won", lang))
    if k.loc["unsorted_total"].sum() > 0:  # no table of zeros
        kit.kpi_comparison(
            ctx,
            sec,
            k,
            unsorted.HEADLINE_KEYS,
            lambda key: t(f"unsorted.kpi.{key}", lang),
            lambda key, v: _show(ctx, key, v),
            unsorted.RATE_KEYS,
            prefix="unsorted",
        )
    sec.note(t("unsorted.def.counts", lang, as_of=fmt.day(ctx.as_of, lang)))
    sec.note(t("unsorted.def.scope", lang))
    cut = concepts.comparison_cutoffs(ctx.period, ctx.as_of)
    sec.note(
        t(
            "unsorted.def.compare",
            lang,
            previous=fmt.period_label(ctx.period.previous(), lang),
            year_ago=fmt.period_label(ctx.period.year_ago(), lang),
            cut_previous=fmt.day(cut["previous"], lang),
            cut_year=fmt.day(cut["year_ago"], lang),
            as_of=fmt.day(ctx.as_of, lang),
        )
    )
    return sec


BREAKDOWN = [  # the columns of a breakdown (by source, by channel) after its first (the share of all incoming
    # and the accepted count are in the published table; accepted items with a live deal are «to deals»)
    kit.Column("unsorted.sources.total", "total"),
    kit.Column("unsorted.outcome.declined", "declined"),
    kit.Column("unsorted.sources.to_deals", "to_deals"),
    kit.Column("unsorted.sources.conv", "to_deals_share", "percent"),
    kit.Column("unsorted.sources.won", "to_won"),
    kit.Column("unsorted.sources.decided", "decided"),
    kit.Column("unsorted.sources.won_of_decided", "won_of_decided", "percent"),
    kit.Column("unsorted.sources.revenue", "won_revenue", "money"),
]


def sources(ctx: Context) -> Section:
    """Incoming by source and by channel (category), with the conversion of each to deals and to won."""
    lang = ctx.lang
    sec = Section(ctx, "sources", t("unsorted.sources.title", lang))
    by_src = unsorted.breakdown(items(ctx), ctx.period, "source_name")
    if by_src.empty:
        return sec.text(t("common.no_data", lang))
    by_src = by_src.assign(label=by_src["source_name"].fillna(t("unsorted.no_source", lang)))
    top = by_src.iloc[0]
    sec.text(
        t(
            "unsorted.sources.top",
            lang,
            source=top["label"],
            n=fmt.count(top["total"], "unsorted_incoming", lang),
            share=fmt.percent(top["share"], lang),
        )
    )
    status, best, worst = unsorted.rank_sources(by_src, MIN_DECIDED)

    def basis(r):
        return t(
            "unsorted.sources.basis",
            lang,
            source=r["label"],
            conv=fmt.percent(r["won_of_decided"], lang),
            won=fmt.number(r["to_won"], lang),
            decided=fmt.number(r["decided"], lang),
            low=fmt.percent(r["won_of_decided_low"], lang),
            high=fmt.percent(r["won_of_decided_high"], lang),
        )

    if status == "ranked":
        sec.text(t("unsorted.sources.best", lang, best=basis(best), worst=basis(worst)), finding=True)
    elif status == "overlap":
        sec.text(t("unsorted.sources.no_rank_overlap", lang, best=basis(best), worst=basis(worst)))
    elif len(by_src) >= 2:
        sec.text(t("unsorted.sources.no_rank_few", lang, n=fmt.number(MIN_DECIDED, lang)))
    sec.figure(charts.sources(by_src, lang))
    kit.table(
        sec,
        "by_source",
        by_src.drop(columns="label"),
        [kit.Column("unsorted.sources.source", "label", "text")] + BREAKDOWN,
        shown_rows=by_src,
    )
    by_cat = unsorted.breakdown(items(ctx), ctx.period, "category")
    kit.table(sec, "by_category", by_cat, [kit.Column("unsorted.sources.category", "category", _category)] + BREAKDOWN)
    sec.note(t("unsorted.def.sources", lang))
    sec.note(t("unsorted.sources.min_note", lang, n=MIN_DECIDED))
    return sec


def speed(ctx: Context) -> Section:
    """Speed to lead: minutes from arrival to acceptance and to the first action, median and P90, per manager."""
    lang = ctx.lang
    sec = Section(ctx, "speed", t("unsorted.speed.title", lang))
    it = items(ctx)
    s = unsorted.speed_summary(it, ctx.period)
    acc, act = s.loc["accept"], s.loc["first_action"]
    ctx.figures.update(
        speed_to_accept_p90_min=float(acc["p90_min"]),
        speed_to_first_action_p90_min=float(act["p90_min"]),
        unsorted_without_action=int(act["waiting"]),
    )
    if acc["n"] == 0 and act["n"] == 0:
        return sec.text(t("unsorted.speed.none", lang))
    if acc["n"]:
        sec.text(
            t(
                "unsorted.speed.sentence_accept",
                lang,
                median=minutes(acc["median_min"], lang),
                p90=minutes(acc["p90_min"], lang),
            ),
            finding=True,
        )
    if act["n"]:
        kinds = unsorted.first_action_kinds(it, ctx.period)
        sec.text(
            t(
                "unsorted.speed.sentence_action",
                lang,
                median=minutes(act["median_min"], lang),
                p90=minutes(act["p90_min"], lang),
                kind=t(f"unsorted.action.{kinds.idxmax()}", lang),
            ),
            finding=True,
        )
    if act["waiting"]:
        sec.text(t("unsorted.speed.sentence_no_action", lang, n=fmt.count(act["waiting"], "unsorted_incoming", lang)))
    metric = {
        "accept": t("unsorted.speed.metric_accept", lang),
        "first_action": t("unsorted.speed.metric_action", lang),
    }
    kit.table(
        sec,
        "speed",
        s.reset_index(names="metric"),
        [
            kit.Column("common.metric", lambda df: df["metric"].map(metric), "text"),
            kit.Column("unsorted.speed.n", "n"),
            kit.Column("unsorted.speed.median", "median_min", minutes, right=True),
            kit.Column("P90", "p90_min", minutes, right=True),
            kit.Column("unsorted.speed.waiting", "waiting"),
        ],
    )
    if ctx.scope.kind == "team":
        m = unsorted.speed_by_manager(it, ctx.data.users, ctx.period)
        m = m.assign(label=m["manager"].fillna(t("unsorted.no_owner", lang)))
        ranked = m[m["user_id"].notna() & (m["total"] - m["no_action"] >= 3)].dropna(subset=["first_action_median_min"])
        if len(ranked) >= 2 and act["n"]:
            slow = ranked.iloc[0]
            if slow["first_action_median_min"] > act["median_min"]:
                sec.text(
                    t(
                        "unsorted.speed.slowest",
                        lang,
                        name=slow["label"],
                        median=minutes(slow["first_action_median_min"], lang),
                        team=minutes(act["median_min"], lang),
                    ),
                    finding=True,
                )
        if m["first_action_median_min"].notna().any():
            sec.figure(charts.speed_by_manager(m, lang))
        kit.table(
            sec,
            "speed_by_manager",
            m.drop(columns="label"),
            [
                kit.Column("common.manager", "label", "text"),
                kit.Column("unsorted.speed.n", "total"),
                kit.Column("unsorted.sources.to_deals", "to_deals"),
                kit.Column("unsorted.speed.accept_median", "accept_median_min", minutes, right=True),
                kit.Column("unsorted.speed.accept_p90", "accept_p90_min", minutes, right=True),
                kit.Column("unsorted.speed.action_median", "first_action_median_min", minutes, right=True),
                kit.Column("unsorted.speed.action_p90", "first_action_p90_min", minutes, right=True),
                kit.Column("unsorted.speed.no_action", "no_action"),
            ],
            shown_rows=m,
        )
        sec.note(t("unsorted.def.speed_managers", lang))
    else:
        sec.note(t("unsorted.def.speed_manager_scope", lang))
    sec.note(t("unsorted.def.speed", lang, as_of=fmt.day(ctx.as_of, lang)))
    return sec


def backlog(ctx: Context) -> Section:
    """Items still unsorted at the snapshot moment, by age, oldest first."""
    lang = ctx.lang
    moment = ctx.snapshot
    sec = Section(ctx, "backlog", t("unsorted.backlog.title", lang))
    if moment <= ctx.period.start_ts:  # the data ends before the period begins
        ctx.figures.update(unsorted_backlog=None, unsorted_backlog_oldest_days=None)
        return sec.text(t("common.no_data", lang))
    b = unsorted.backlog(items(ctx), moment)
    ctx.figures.update(
        unsorted_backlog=len(b), unsorted_backlog_oldest_days=float(b["age_days"].max()) if len(b) else float("nan")
    )
    when = fmt.datetime_(moment, lang)
    if b.empty:
        sec.text(t("unsorted.backlog.none", lang, moment=when))
        sec.note(t("unsorted.def.backlog", lang, moment=when))
        return sec
    sec.text(
        t(
            "unsorted.backlog.sentence",
            lang,
            moment=when,
            n=fmt.number(len(b), lang),
            oldest=minutes(b["age_days"].iloc[0] * 1440, lang),
            over_day=fmt.number(int((b["age_days"] >= 1).sum()), lang),
        ),
        finding=True,
    )
    buckets = unsorted.age_buckets(b)
    shown_b = pd.DataFrame(
        [[t("common.count", lang)] + [fmt.number(v, lang) for v in buckets.to_numpy()]],
        columns=[t("unsorted.backlog.bucket", lang)] + [t(f"unsorted.backlog.{k}", lang) for k in buckets.index],
    )
    sec.table(
        "backlog_by_age",
        buckets.rename_axis("age").reset_index(name="items"),
        shown_b,
        numeric=set(shown_b.columns[1:]),
    )
    names = dict(zip(ctx.data.users["id"].astype(float), ctx.data.users["name"]))
    no_source, no_owner = t("unsorted.no_source", lang), t("unsorted.no_owner", lang)
    kit.table(
        sec,
        "backlog",
        b,
        [
            kit.Column("unsorted.backlog.arrived", "created_at", fmt.datetime_),
            kit.Column("unsorted.sources.source", lambda df: df["source_name"].fillna(no_source), "text"),
            kit.Column("unsorted.sources.category", "category", _category),
            kit.Column("unsorted.backlog.age", "age_days", lambda v, lang: minutes(v * 1440, lang), right=True),
            kit.Column("common.manager", lambda df: df["owner_id"].map(names).fillna(no_owner), "text"),
        ],
        max_rows=MAX_LIST,
    )
    sec.note(t("unsorted.def.backlog", lang, moment=when))
    return sec


def trend(ctx: Context) -> Section:
    """Incoming per ISO week by channel, with the accepted share."""
    lang = ctx.lang
    sec = Section(ctx, "trend", t("unsorted.trend.title", lang))
    w = unsorted.weekly_trend(items(ctx), ctx.period)
    sec.tables["weekly"] = w
    ctx.tables["weekly"] = w
    if w["total"].sum() == 0:
        return sec.text(t("common.no_data", lang))
    inside = w[w["in_period"]]
    if inside["total"].sum() > 0:
        peak = inside.sort_values("total", ascending=False, kind="stable").iloc[0]
        sec.text(
            t(
                "unsorted.trend.sentence",
                lang,
                week=peak["label"],
                n=fmt.count(peak["total"], "unsorted_incoming", lang),
                avg=fmt.number(inside["total"].mean(), lang, 1),
            )
        )
    sec.figure(charts.weekly_trend(w, lang))
    if len(inside) <= 16:  # shown, not published (the weekly table is)
        shown, numeric = kit.shown_table(
            ctx,
            inside,
            [kit.Column("unsorted.trend.week", "label", "text")]
            + [kit.Column(f"unsorted.category.{c}", c) for c in unsorted.CATEGORIES]
            + [
                kit.Column("unsorted.sources.total", "total"),
                kit.Column("unsorted.trend.accepted_share", "accepted_share", "percent"),
            ],
        )
        sec.parts.append(("html", html_table(shown, numeric)))
    sec.note(t("unsorted.def.trend", lang))
    return sec


def summary(ctx: Context) -> Section:
    """The findings of every section run so far, in one list (each section's once)."""
    return kit.takeaways(ctx, "unsorted.summary.title")
