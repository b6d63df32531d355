"""Sections of the sales-analysis notebook: metrics from :mod:`.metrics` on the pushed-down read of
:func:`.query.load_sales` (``ctx.data`` is a :class:`.query.SalesData`), charts, narrative, definitions.

Each section reads only that data and its own results: none depends on another having run first."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...core import fmt
from ...core.labels import t
from ...present import kit
from ...present.context import Context, publish, title  # noqa: F401  (the notebook calls report.title and report.publish)
from ...present.section import Section, html_table
from ...store import concepts
from . import charts, query
from . import metrics as sales

REPORT = __package__.rpartition(".")[2]  # the report is named after its folder (the registry checks)
STALE_SHOWN = 15  # rows of the stale-deal list shown in the report
SHOWN_AGES = 6  # months of age (+0 … +5) in the cohort table shown on the page


def open(
    period: str = "", manager: str = "", pipeline: str = "", store: str = "data/crm.duckdb", lang: str = "ru"
) -> Context:
    """Resolve the parameters and read only the rows the period's figures need
    (:func:`.query.load_sales`: filters pushed into DuckDB)."""
    return kit.open_report(REPORT, query.load_sales, period, manager, pipeline, store, lang)


def _stage_label(ctx: Context, df: pd.DataFrame) -> pd.Series:
    """Stage names, prefixed with the pipeline's name when the report covers several pipelines."""
    names = dict(zip(ctx.data.pipelines["id"], ctx.data.pipelines["name"]))
    stage = df["stage"].fillna(t("sales.losses.unknown_stage", ctx.lang))
    if df["pipeline_id"].nunique() > 1:
        return df["pipeline_id"].map(names) + ": " + stage
    return stage


def kpis(ctx: Context) -> Section:
    """Headline figures against the previous period and a year ago, with the monthly trend."""
    lang = ctx.lang
    k = sales.kpi_table(ctx.data.leads, ctx.period, ctx.as_of, ctx.data.has_amounts)
    cur = {key: (int(v) if key in sales.COUNT_KEYS else float(v)) for key, v in k["current"].items()}
    ctx.figures.update(cur)
    ctx.comparisons.update(previous=k["previous"].to_dict(), year_ago=k["year_ago"].to_dict())
    sec = Section(ctx, "kpis", t("sales.kpi.title", lang))
    if np.isnan(cur["revenue"]):
        sec.text(
            t("sales.kpi.no_amounts", lang, period=ctx.period_label, won=fmt.count(cur["won_deals"], "won_deal", lang)),
            finding=True,
        )
    elif cur["won_deals"]:
        sec.text(
            t(
                "sales.kpi.sentence",
                lang,
                period=ctx.period_label,
                revenue=ctx.money(cur["revenue"]),
                d_prev=fmt.change(cur["revenue"], k.loc["revenue", "previous"], lang),
                d_year=fmt.change(cur["revenue"], k.loc["revenue", "year_ago"], lang),
                won=fmt.count(cur["won_deals"], "won_deal", lang),
                check=ctx.money(cur["average_check"]),
            ),
            finding=True,
        )
    else:
        sec.text(t("sales.kpi.no_won", lang, period=ctx.period_label), finding=True)
    cut = concepts.comparison_cutoffs(ctx.period, ctx.as_of)
    if cur["created_deals"]:
        sec.text(
            t(
                "sales.kpi.sentence_conv",
                lang,
                created=fmt.count(cur["created_deals"], "deal", lang),
                won_cohort=fmt.number(round(cur["lead_to_won_conversion"] * cur["created_deals"]), lang),
                conv=fmt.percent(cur["lead_to_won_conversion"], lang, 1),
                win_rate=fmt.percent(cur["win_rate"], lang),
            )
        )
        same_age = [
            t(
                "sales.kpi.cohort_then",
                lang,
                period=fmt.period_label(w, lang),
                conv=fmt.percent(k.loc["lead_to_won_conversion", col], lang, 1),
                won=fmt.number(round(k.loc["lead_to_won_conversion", col] * k.loc["created_deals", col]), lang),
                created=fmt.number(k.loc["created_deals", col], lang),
                cutoff=fmt.day(cut[col], lang),
            )
            for col, w in (("previous", ctx.period.previous()), ("year_ago", ctx.period.year_ago()))
            if k.loc["created_deals", col] > 0
        ]
        if same_age:
            sec.text(t("sales.kpi.sentence_same_age", lang, cohorts="; ".join(same_age)))

    def show(key, v):
        if key in ("revenue", "average_check"):
            return ctx.money(v)
        if key in sales.RATE_KEYS:
            return fmt.percent(v, lang, 1)
        return fmt.number(v, lang)

    kit.kpi_comparison(
        ctx, sec, k, sales.HEADLINE_KEYS, lambda key: t(f"sales.kpi.{key}", lang), show, sales.RATE_KEYS, prefix="sales"
    )
    trend = sales.monthly_trend(ctx.data.won_leads, ctx.period)
    if ctx.period.kind in ("month", "quarter", "year", "range") and not np.isnan(cur["revenue"]):
        sec.tables["trend"] = trend
        sec.figure(charts.monthly_revenue(trend, lang, ctx.currency))
    sec.note(t("sales.def.revenue", lang))
    sec.note(t("sales.def.conversion", lang, as_of=fmt.day(ctx.as_of, lang)))
    sec.note(
        t(
            "sales.def.compare",
            lang,
            previous=fmt.period_label(ctx.period.previous(), lang),
            year_ago=fmt.period_label(ctx.period.year_ago(), lang),
            cut_previous=fmt.day(cut["previous"], lang),
            cut_year=fmt.day(cut["year_ago"], lang),
            as_of=fmt.day(ctx.as_of, lang),
        )
    )
    return sec


def cohorts(ctx: Context) -> Section:
    """The cohort matrix: deals by month of creation × months since creation, cumulative share won."""
    lang = ctx.lang
    sec = Section(ctx, "cohorts", t("sales.cohorts.title", lang))
    m = sales.cohort_matrix(ctx.data.cohort_leads, ctx.period, ctx.as_of)
    if m["created"].sum() == 0:
        return sec.text(t("common.no_data", lang))
    # the page shows the first months of age (the chart and the published table have all of them)
    ages = [c for c in m.columns if c.startswith("m") and m[c].notna().any()][:SHOWN_AGES]
    # the newest cohort with a complete first month next to the same age of the cohorts before it
    seen = m.dropna(subset=["m0"])
    seen = seen[seen["created"] > 0]
    if len(seen) >= 2:
        last = seen.iloc[-1]
        before = seen.iloc[:-1]
        sec.text(
            t(
                "sales.cohorts.sentence",
                lang,
                cohort=fmt.month_name(last["cohort"].month, lang, genitive=True) + f" {last['cohort'].year}",
                conv=fmt.percent(last["m0"], lang, 1),
                low=fmt.percent(before["m0"].min(), lang, 1),
                high=fmt.percent(before["m0"].max(), lang, 1),
                n=fmt.number(len(before), lang),
            )
        )
    sec.figure(charts.cohort_matrix(m, lang))
    month = [kit.Column("sales.cohorts.cohort", lambda df: df["cohort"].map(lambda d: _month(d, lang)), "text")]
    kit.table(
        sec,
        "cohort_matrix",
        m,
        month
        + [
            kit.Column("sales.cohorts.created", "created"),
            kit.Column("sales.cohorts.won", "won"),
            kit.Column("sales.cohorts.share_won", "share_won", "percent"),
        ]
        + [kit.Column(f"+{c[1:]}", c, "percent") for c in ages],
    )
    sec.note(t("sales.def.cohorts", lang, as_of=fmt.day(ctx.as_of, lang)))
    return sec


def _month(d: pd.Timestamp, lang: str) -> str:
    """A month as a short label: ``ноя 2026``."""
    return f"{fmt.month_name(d.month, lang)[:3]} {d.year}"


MIN_DECIDED = 20  # a funnel step needs this many decided deals to be named the weakest


def funnel(ctx: Context) -> Section:
    """Stage-to-stage conversion of the period's cohort in both semantics, with the steps' conversion among
    the deals already decided (moved on, won or lost) and those still open shown apart."""
    lang = ctx.lang
    sec = Section(ctx, "funnel", t("sales.funnel.title", lang))
    if not ctx.data.has_history:
        return sec.text(t("sales.no_history", lang))
    # the cohort's deals counted by the stages they entered and their outcome (read in SQL)
    f = sales.funnel_counted(ctx.data.funnel_sets, ctx.data.statuses, ctx.data.pipelines)
    if f.empty or f["cumulative"].max() == 0:
        return sec.text(t("common.no_data", lang))
    weakest = sales.weakest_step(f, MIN_DECIDED)
    for _, w in weakest.iterrows():
        prev = f[(f["pipeline_id"] == w["pipeline_id"]) & (f["rank"] == w["rank"] - 1)].iloc[0]
        sec.text(
            t(
                "sales.funnel.weakest",
                lang,
                pipeline=w["pipeline"],
                from_stage=prev["stage"],
                to_stage=w["stage"],
                conv=fmt.percent(w["conv_decided"], lang),
                moved=fmt.number(w["cumulative"], lang),
                decided=fmt.number(w["decided"], lang),
                open=fmt.number(w["open_prev"], lang),
            ),
            finding=True,
        )
    if weakest.empty:
        sec.text(t("sales.funnel.no_weakest", lang, n=fmt.number(MIN_DECIDED, lang)))
    skipped = int(
        (f.groupby("pipeline_id")["cumulative"].sum() - f.groupby("pipeline_id")["passed"].sum()).clip(lower=0).sum()
    )
    if skipped:
        n = sales.skippers_counted(ctx.data.funnel_sets, ctx.data.statuses)
        sec.text(t("sales.funnel.skipped", lang, n=fmt.count(n, "deal", lang)))
    for _, o in f[f["passed_over"]].iterrows():
        prev = f[(f["pipeline_id"] == o["pipeline_id"]) & (f["rank"] == o["rank"] - 1)].iloc[0]
        sec.text(
            t(
                "sales.funnel.over",
                lang,
                pipeline=o["pipeline"],
                stage=o["stage"],
                n=fmt.number(o["passed"], lang),
                prev_stage=prev["stage"],
                prev_n=fmt.number(prev["passed"], lang),
                skipped=fmt.count(o["skipped_in"], "deal", lang),
            )
        )
    sec.figure(charts.funnel(f, lang))
    kit.table(
        sec,
        "funnel",
        f,
        [
            kit.Column("common.stage", lambda df: _stage_label(ctx, df), "text"),
            kit.Column("sales.funnel.passed", "passed"),
            kit.Column("sales.funnel.conv_passed", "conv_passed", "percent"),
            kit.Column("sales.funnel.cumulative", "cumulative"),
            kit.Column("sales.funnel.conv_cumulative", "conv_cumulative", "percent"),
            kit.Column("sales.funnel.open_prev", lambda df: df["open_prev"].where(df["rank"] > 0)),
            kit.Column("sales.funnel.decided", lambda df: df["decided"].where(df["rank"] > 0)),
            kit.Column("sales.funnel.conv_decided", "conv_decided", "percent"),
        ],
    )
    sec.note(t("sales.def.funnel", lang))
    sec.note(t("sales.def.funnel_decided", lang, n=fmt.number(MIN_DECIDED, lang)))
    return sec


def losses(ctx: Context) -> Section:
    """Deals lost in the period by stage of loss (count and money) and by loss reason."""
    lang = ctx.lang
    sec = Section(ctx, "losses", t("sales.losses.title", lang))
    loss = sales.losses_by_stage(ctx.data.leads, ctx.data.loss_changes, ctx.data.statuses, ctx.period)
    if loss.empty:
        return sec.text(t("sales.losses.none", lang))
    loss = loss.assign(label=_stage_label(ctx, loss))
    top = loss.sort_values(["lost", "amount"], ascending=False).iloc[0]
    sec.text(
        t(
            "sales.losses.sentence",
            lang,
            stage=top["label"],
            n=fmt.count(top["lost"], "deal", lang),
            amount=ctx.money(top["amount"]),
            share=fmt.percent(top["share"], lang),
        ),
        finding=True,
    )
    reasons = sales.loss_reasons(ctx.data.leads, ctx.data.loss_reasons, ctx.period)
    known = reasons.dropna(subset=["reason"])
    if len(known):
        r = known.iloc[0]
        sec.text(
            t(
                "sales.losses.reason_sentence",
                lang,
                reason=r["reason"],
                n=fmt.count(r["lost"], "deal", lang),
                share=fmt.percent(r["share"], lang),
            )
        )
    sec.figure(charts.losses(loss, lang, ctx.currency))
    counts = [
        kit.Column("sales.losses.lost", "lost"),
        kit.Column("sales.losses.amount", "amount", "money"),
        kit.Column("common.share", "share", "percent"),
    ]
    kit.table(
        sec,
        "losses_by_stage",
        loss.drop(columns="label"),
        [kit.Column("common.stage", "label", "text")] + counts,
        shown_rows=loss,
    )
    unknown = t("common.unknown", lang)
    kit.table(
        sec,
        "loss_reasons",
        reasons,
        [kit.Column("sales.losses.reason", lambda df: df["reason"].fillna(unknown), "text")] + counts,
    )
    sec.note(t("sales.def.losses", lang))
    return sec


def time_in_stage(ctx: Context) -> Section:
    """Median / P75 / P90 days in each stage, open deals censored."""
    lang = ctx.lang
    sec = Section(ctx, "time_in_stage", t("sales.tis.title", lang))
    if not ctx.data.has_history:
        return sec.text(t("sales.no_history", lang))
    # the stays that began in the period, counted in SQL
    tis = sales.time_in_stage_counted(sales.stay_days_counted(ctx.data.stays, ctx.as_of), ctx.data.statuses)
    if tis.empty:
        return sec.text(t("common.no_data", lang))
    tis = tis.assign(label=_stage_label(ctx, tis))
    slow = tis.dropna(subset=["median_days"]).sort_values("median_days", ascending=False).head(1)
    for _, s in slow.iterrows():
        p90 = fmt.days(s["p90_days"], lang) if not np.isnan(s["p90_days"]) else t("sales.tis.unknown_tail", lang)
        sec.text(
            t("sales.tis.sentence", lang, stage=s["label"], median=fmt.days(s["median_days"], lang, 1), p90=p90),
            finding=True,
        )
    sec.figure(charts.time_in_stage(tis, lang))
    kit.table(
        sec,
        "time_in_stage",
        tis.drop(columns="label"),
        [
            kit.Column("common.stage", "label", "text"),
            kit.Column("sales.tis.visits", "visits"),
            kit.Column("sales.tis.still_open", "still_open"),
            kit.Column("sales.tis.median", "median_days", "days", 1),
            kit.Column("P75", "p75_days", "days", 1),
            kit.Column("P90", "p90_days", "days", 1),
        ],
        shown_rows=tis,
    )
    sec.note(t("sales.def.tis", lang))
    return sec


def cycle(ctx: Context) -> Section:
    """Cycle of won deals and the open deals older than the typical cycle."""
    lang, d = ctx.lang, ctx.data
    sec = Section(ctx, "cycle", t("sales.cycle.title", lang))
    c = sales.won_cycle(d.won_leads, ctx.period)
    ctx.figures.update(cycle_mean_days=c.mean_days, cycle_typical_days=c.typical_days)
    if c.won_deals:
        sec.text(
            t("sales.cycle.sentence", lang, mean=fmt.days(c.mean_days, lang), median=fmt.days(c.median_days, lang))
        )
    stale = sales.stale_deals(d.open_leads, d.snapshot_changes, d.statuses, d.users, c.typical_days, ctx.snapshot)
    ctx.figures["stale_deals"] = len(stale)
    ctx.figures["open_deals"] = len(sales.open_deals(d.open_leads, d.snapshot_changes, d.statuses, ctx.snapshot))
    typical = fmt.days(c.typical_days, lang)
    if len(stale):
        sec.text(
            t(
                "sales.cycle.stale",
                lang,
                n=fmt.count(len(stale), "open_deal", lang),
                amount=ctx.money(stale["price"].sum()),
                typical=typical,
            ),
            finding=True,
        )
    else:
        sec.text(t("sales.cycle.no_stale", lang, typical=typical))
    stats = pd.DataFrame(
        {
            t("common.metric", lang): [
                t("sales.cycle.mean", lang),
                t("sales.cycle.median", lang),
                t("sales.cycle.typical", lang),
                t("sales.cycle.stale_count", lang),
            ],
            "": [
                fmt.days(c.mean_days, lang, 1),
                fmt.days(c.median_days, lang, 1),
                typical,
                fmt.number(len(stale), lang),
            ],
        }
    )
    sec.parts.append(("html", html_table(stats, {""})))
    if len(stale):
        # only the rows shown are formatted (the list can run to thousands of deals on a large account);
        # the rest stay unformatted and only count towards "N more"
        kit.table(
            sec,
            "stale_deals",
            stale,
            [
                kit.Column("sales.cycle.deal", "name", "text"),
                kit.Column("sales.cycle.budget", "price", "money"),
                kit.Column("sales.cycle.age", "age_days", "days"),
                kit.Column("common.stage", "stage", "text"),
                kit.Column("common.manager", "manager", "text"),
                kit.Column("sales.cycle.created", "created_at", "date"),
            ],
            shown_rows=stale.head(STALE_SHOWN),
            max_rows=STALE_SHOWN,
        )
    sec.note(t("sales.def.cycle", lang, basis=fmt.number(c.typical_basis, lang), moment=fmt.day(ctx.snapshot, lang)))
    return sec


def managers(ctx: Context) -> Section:
    """Per-manager figures (team scope only)."""
    lang = ctx.lang
    sec = Section(ctx, "managers", t("sales.managers.title", lang))
    if ctx.scope.kind != "team":
        sec.hidden = True
        return sec
    d = ctx.data
    m = sales.by_manager(
        d.leads, d.users, ctx.period, ctx.as_of, d.snapshot_changes, d.statuses, d.priced_users, d.open_leads
    )
    if m.empty:
        return sec.text(t("common.no_data", lang))
    lead = m.iloc[0]
    if lead["revenue"] > 0:
        sec.text(
            t(
                "sales.managers.leader",
                lang,
                name=lead["manager"],
                revenue=ctx.money(lead["revenue"]),
                win_rate=fmt.percent(lead["win_rate"], lang),
            ),
            finding=True,
        )
    team_rate = sales.headline(d.leads, ctx.period, ctx.as_of, d.has_amounts)["win_rate"]  # as kpis has it
    low = m[(m["won_deals"] + m["lost_deals"] >= 5) & (m["win_rate"] < 0.8 * team_rate)]
    if len(low):
        sec.text(
            t(
                "sales.managers.low",
                lang,
                team=fmt.percent(team_rate, lang),
                names=", ".join(f"{n} ({fmt.percent(w, lang)})" for n, w in zip(low["manager"], low["win_rate"])),
            )
        )
    sec.figure(charts.managers_revenue(m, lang, ctx.currency))
    kit.table(
        sec,
        "managers",
        m,
        [
            kit.Column("common.manager", "manager", "text"),
            kit.Column("sales.kpi.revenue", "revenue", "money"),
            kit.Column("sales.kpi.won_deals", "won_deals"),
            kit.Column("sales.kpi.average_check", "average_check", "money"),
            kit.Column("sales.kpi.win_rate", "win_rate", "percent"),
            kit.Column("sales.kpi.lead_to_won_conversion", "lead_to_won_conversion", "percent"),
            kit.Column("sales.managers.cycle", "cycle_days", "days"),
            kit.Column("sales.managers.open", "open_deals"),
        ],
    )
    sec.note(t("sales.def.managers", lang))
    return sec


def summary(ctx: Context) -> Section:
    """The findings of every section run so far, in one list (each section's once)."""
    return kit.takeaways(ctx, "sales.summary.title")
