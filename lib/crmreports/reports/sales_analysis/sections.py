"""Sections of the sales-analysis notebook: metrics from crmreports.sales, charts, narrative, definitions."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ...core import fmt
from . import query as queries, metrics as sales
from . import charts
from ...core.labels import t
from ...present.context import Context, validate
from ...present.context import publish, title  # noqa: F401  (the notebook calls report.title and report.publish)
from ...present.section import Section, html_table
from ...store import data_end  # noqa: F401  (re-exported for notebooks)

REPORT = "sales_analysis"
STALE_SHOWN = 15      # rows of the stale-deal list shown in the report


def open(period: str = "", manager: str = "", pipeline: str = "", store: str = "data/crm.duckdb",
         lang: str = "ru") -> Context:
    """Resolve the parameters (as :func:`crmreports.report.open_context` does) and read only the rows the
    period's figures need (:func:`crmreports.queries.load_sales`: filters pushed into DuckDB)."""
    p, scope, pids, pname = validate(store, period, manager, pipeline, lang)
    data = queries.load_sales(store, p, pipeline_ids=pids or None, user_ids=list(scope.user_ids) or None)
    return Context(report=REPORT, period=p, lang=lang, scope=scope, pipeline_ids=pids, pipeline_name=pname,
                   data=data, as_of=data_end(data.account), currency=str(data.account.get("currency") or "RUB"))


def _stage_label(ctx: Context, df: pd.DataFrame) -> pd.Series:
    """Stage names, prefixed with the pipeline's name when the report covers several pipelines."""
    names = dict(zip(ctx.data.pipelines["id"], ctx.data.pipelines["name"]))
    stage = df["stage"].fillna(t("sales.losses.unknown_stage", ctx.lang))
    if df["pipeline_id"].nunique() > 1:
        return df["pipeline_id"].map(names) + ": " + stage
    return stage


def kpis(ctx: Context) -> Section:
    """Headline figures against the previous period and a year ago, with the monthly trend."""
    lang, leads = ctx.lang, ctx.data.leads
    k = sales.kpi_table(leads, ctx.period, ctx.as_of, getattr(ctx.data, "has_amounts", None))
    cur = {key: (int(v) if key in sales.COUNT_KEYS else float(v)) for key, v in k["current"].items()}
    ctx.figures.update(cur)
    ctx.comparisons.update(previous=k["previous"].to_dict(), year_ago=k["year_ago"].to_dict())
    sec = Section(ctx, "kpis", t("sales.kpi.title", lang))
    if np.isnan(cur["revenue"]):
        sec.text(t("sales.kpi.no_amounts", lang, period=ctx.period_label,
                   won=fmt.count(cur["won_deals"], "won_deal", lang)), finding=True)
    elif cur["won_deals"]:
        sec.text(t("sales.kpi.sentence", lang, period=ctx.period_label, revenue=ctx.money(cur["revenue"]),
                   d_prev=fmt.change(cur["revenue"], k.loc["revenue", "previous"], lang),
                   d_year=fmt.change(cur["revenue"], k.loc["revenue", "year_ago"], lang),
                   won=fmt.count(cur["won_deals"], "won_deal", lang), check=ctx.money(cur["average_check"])), finding=True)
    else:
        sec.text(t("sales.kpi.no_won", lang, period=ctx.period_label), finding=True)
    if cur["created_deals"]:
        sec.text(t("sales.kpi.sentence_conv", lang, created=fmt.count(cur["created_deals"], "deal", lang),
                   won_cohort=fmt.number(round(cur["lead_to_won_conversion"] * cur["created_deals"]), lang),
                   conv=fmt.percent(cur["lead_to_won_conversion"], lang), win_rate=fmt.percent(cur["win_rate"], lang)))

    def show(key, v):
        if key in ("revenue", "average_check"):
            return ctx.money(v)
        if key in sales.RATE_KEYS:
            return fmt.percent(v, lang, 1)
        return fmt.number(v, lang)

    rows = []
    for key in sales.HEADLINE_KEYS:
        kind = "points" if key in sales.RATE_KEYS else "relative"
        c, p, y = k.loc[key, "current"], k.loc[key, "previous"], k.loc[key, "year_ago"]
        rows.append([t(f"sales.kpi.{key}", lang), show(key, c), show(key, p), fmt.change(c, p, lang, kind),
                     show(key, y), fmt.change(c, y, lang, kind)])
    cols = [t("common.metric", lang), ctx.period_label, fmt.period_label(ctx.period.previous(), lang),
            t("sales.kpi.vs_previous", lang), fmt.period_label(ctx.period.year_ago(), lang),
            t("sales.kpi.vs_year", lang)]
    sec.table("kpis", k.reset_index(), pd.DataFrame(rows, columns=cols), numeric=set(cols[1:]))
    trend = sales.monthly_trend(_part(ctx, "won_leads"), ctx.period)
    if ctx.period.kind in ("month", "quarter", "year", "range") and not np.isnan(cur["revenue"]):
        sec.tables["trend"] = trend
        sec.figure(charts.monthly_revenue(trend, lang, ctx.currency))
    sec.note(t("sales.def.revenue", lang))
    sec.note(t("sales.def.conversion", lang, as_of=fmt.day(ctx.as_of, lang)))
    sec.note(t("sales.def.compare", lang, previous=fmt.period_label(ctx.period.previous(), lang),
               year_ago=fmt.period_label(ctx.period.year_ago(), lang)))
    return sec


def _has_history(ctx: Context) -> bool:
    """Whether the scope's deals have any stage-to-stage move (the pushed-down loader knows it from SQL)."""
    if isinstance(ctx.data, queries.SalesData):
        return ctx.data.has_history
    sc = ctx.data.stage_changes
    return len(sc) > 0 and (sc["from_status_id"].notna().any())


def _part(ctx: Context, name: str) -> pd.DataFrame:
    """The rows one metric reads: the pushed-down loader's reduced frame ``name`` (see
    :mod:`crmreports.queries`), else the whole table (``*_changes``: stage changes, ``*_leads``: leads)."""
    if isinstance(ctx.data, queries.SalesData):
        return getattr(ctx.data, name)
    return ctx.data.stage_changes if name.endswith("_changes") else ctx.data.leads


def funnel(ctx: Context) -> Section:
    """Stage-to-stage conversion of the period's cohort in both semantics."""
    lang = ctx.lang
    sec = Section(ctx, "funnel", t("sales.funnel.title", lang))
    if not _has_history(ctx):
        return sec.text(t("sales.no_history", lang))
    if isinstance(ctx.data, queries.SalesData):     # the cohort's deals counted by stages entered, from SQL
        f = sales.funnel_counted(ctx.data.funnel_sets, ctx.data.statuses, ctx.data.pipelines)
    else:
        f = sales.funnel(ctx.data.leads, ctx.data.stage_changes, ctx.data.statuses, ctx.data.pipelines, ctx.period)
    if f.empty or f["cumulative"].max() == 0:
        return sec.text(t("common.no_data", lang))
    weakest = f[f["rank"] > 0].dropna(subset=["conv_cumulative"]).sort_values("conv_cumulative").head(1)
    for _, w in weakest.iterrows():
        prev = f[(f["pipeline_id"] == w["pipeline_id"]) & (f["rank"] == w["rank"] - 1)].iloc[0]
        sec.text(t("sales.funnel.weakest", lang, pipeline=w["pipeline"], from_stage=prev["stage"], to_stage=w["stage"],
                   conv=fmt.percent(w["conv_cumulative"], lang)), finding=True)
    skipped = int((f.groupby("pipeline_id")["cumulative"].sum() - f.groupby("pipeline_id")["passed"].sum()).clip(lower=0).sum())
    if skipped:
        sec.text(t("sales.funnel.skipped", lang, n=fmt.count(_skippers(ctx), "deal", lang)))
    sec.figure(charts.funnel(f, lang))
    shown = pd.DataFrame({
        t("common.stage", lang): _stage_label(ctx, f),
        t("sales.funnel.passed", lang): f["passed"].map(lambda v: fmt.number(v, lang)),
        t("sales.funnel.conv_passed", lang): f["conv_passed"].map(lambda v: fmt.percent(v, lang)),
        t("sales.funnel.cumulative", lang): f["cumulative"].map(lambda v: fmt.number(v, lang)),
        t("sales.funnel.conv_cumulative", lang): f["conv_cumulative"].map(lambda v: fmt.percent(v, lang)),
        t("sales.funnel.share", lang): f["share_cumulative"].map(lambda v: fmt.percent(v, lang)),
    })
    sec.table("funnel", f, shown, numeric=set(shown.columns[1:]))
    sec.note(t("sales.def.funnel", lang))
    return sec


def _skippers(ctx: Context) -> int:
    """Deals of the cohort whose cumulative stages exceed the stages they entered (skipped a stage)."""
    if isinstance(ctx.data, queries.SalesData):
        return sales.skippers_counted(ctx.data.funnel_sets, ctx.data.statuses)
    cohort = ctx.data.leads[ctx.period.contains(ctx.data.leads["created_at"])]
    v = sales.visited_stages(cohort, ctx.data.stage_changes)
    n = 0
    for pid, g in v.groupby("pipeline_id"):
        order = sales.stage_order(ctx.data.statuses, pid)
        r = g.merge(order[["id", "rank"]], left_on="status_id", right_on="id")
        per = r.groupby("lead_id")["rank"].agg(["max", "nunique"])
        n += int((per["max"] + 1 > per["nunique"]).sum())
    return n


def losses(ctx: Context) -> Section:
    """Deals lost in the period by stage of loss (count and money) and by loss reason."""
    lang = ctx.lang
    sec = Section(ctx, "losses", t("sales.losses.title", lang))
    loss = sales.losses_by_stage(ctx.data.leads, _part(ctx, "loss_changes"), ctx.data.statuses, ctx.period)
    if loss.empty:
        return sec.text(t("sales.losses.none", lang))
    loss = loss.assign(label=_stage_label(ctx, loss))
    top = loss.sort_values(["lost", "amount"], ascending=False).iloc[0]
    sec.text(t("sales.losses.sentence", lang, stage=top["label"], n=fmt.count(top["lost"], "deal", lang),
               amount=ctx.money(top["amount"]), share=fmt.percent(top["share"], lang)), finding=True)
    reasons = sales.loss_reasons(ctx.data.leads, ctx.data.loss_reasons, ctx.period)
    known = reasons.dropna(subset=["reason"])
    if len(known):
        r = known.iloc[0]
        sec.text(t("sales.losses.reason_sentence", lang, reason=r["reason"], n=fmt.count(r["lost"], "deal", lang),
                   share=fmt.percent(r["share"], lang)))
    sec.figure(charts.losses(loss, lang, ctx.currency))
    shown = pd.DataFrame({t("common.stage", lang): loss["label"],
                          t("sales.losses.lost", lang): loss["lost"].map(lambda v: fmt.number(v, lang)),
                          t("sales.losses.amount", lang): loss["amount"].map(ctx.money),
                          t("common.share", lang): loss["share"].map(lambda v: fmt.percent(v, lang))})
    sec.table("losses_by_stage", loss.drop(columns="label"), shown, numeric=set(shown.columns[1:]))
    rs = pd.DataFrame({t("sales.losses.reason", lang): reasons["reason"].fillna(t("common.unknown", lang)),
                       t("sales.losses.lost", lang): reasons["lost"].map(lambda v: fmt.number(v, lang)),
                       t("sales.losses.amount", lang): reasons["amount"].map(ctx.money),
                       t("common.share", lang): reasons["share"].map(lambda v: fmt.percent(v, lang))})
    sec.table("loss_reasons", reasons, rs, numeric=set(rs.columns[1:]))
    sec.note(t("sales.def.losses", lang))
    return sec


def time_in_stage(ctx: Context) -> Section:
    """Median / P75 / P90 days in each stage, open deals censored."""
    lang = ctx.lang
    sec = Section(ctx, "time_in_stage", t("sales.tis.title", lang))
    if not _has_history(ctx):
        return sec.text(t("sales.no_history", lang))
    if isinstance(ctx.data, queries.SalesData):     # the stays that began in the period, counted in SQL
        tis = sales.time_in_stage_counted(sales.stay_days_counted(ctx.data.stays, ctx.as_of), ctx.data.statuses)
    else:
        visits = sales.stage_visits(ctx.data.stage_changes, ctx.data.statuses, ctx.as_of)
        tis = sales.time_in_stage(visits, ctx.data.statuses, ctx.period)
    if tis.empty:
        return sec.text(t("common.no_data", lang))
    tis = tis.assign(label=_stage_label(ctx, tis))
    slow = tis.dropna(subset=["median_days"]).sort_values("median_days", ascending=False).head(1)
    for _, s in slow.iterrows():
        p90 = fmt.days(s["p90_days"], lang) if not np.isnan(s["p90_days"]) else t("sales.tis.unknown_tail", lang)
        sec.text(t("sales.tis.sentence", lang, stage=s["label"], median=fmt.days(s["median_days"], lang, 1), p90=p90),
                 finding=True)
    sec.figure(charts.time_in_stage(tis, lang))
    shown = pd.DataFrame({t("common.stage", lang): tis["label"],
                          t("sales.tis.visits", lang): tis["visits"].map(lambda v: fmt.number(v, lang)),
                          t("sales.tis.still_open", lang): tis["still_open"].map(lambda v: fmt.number(v, lang)),
                          t("sales.tis.median", lang): tis["median_days"].map(lambda v: fmt.days(v, lang, 1)),
                          "P75": tis["p75_days"].map(lambda v: fmt.days(v, lang, 1)),
                          "P90": tis["p90_days"].map(lambda v: fmt.days(v, lang, 1))})
    sec.table("time_in_stage", tis.drop(columns="label"), shown, numeric=set(shown.columns[1:]))
    sec.note(t("sales.def.tis", lang))
    return sec


def cycle(ctx: Context) -> Section:
    """Cycle of won deals and the open deals older than the typical cycle."""
    lang, d = ctx.lang, ctx.data
    sec = Section(ctx, "cycle", t("sales.cycle.title", lang))
    c = sales.won_cycle(_part(ctx, "won_leads"), ctx.period)
    ctx.figures.update(cycle_mean_days=c.mean_days, cycle_typical_days=c.typical_days)
    if c.won_deals:
        sec.text(t("sales.cycle.sentence", lang, mean=fmt.days(c.mean_days, lang), median=fmt.days(c.median_days, lang)))
    stale = sales.stale_deals(_part(ctx, "open_leads"), _part(ctx, "snapshot_changes"), d.statuses, d.users,
                              c.typical_days, ctx.snapshot)
    ctx.figures["stale_deals"] = len(stale)
    typical = fmt.days(c.typical_days, lang)
    if len(stale):
        sec.text(t("sales.cycle.stale", lang, n=fmt.count(len(stale), "open_deal", lang), amount=ctx.money(stale["price"].sum()),
                   typical=typical), finding=True)
    else:
        sec.text(t("sales.cycle.no_stale", lang, typical=typical))
    stats = pd.DataFrame({t("common.metric", lang): [t("sales.cycle.mean", lang), t("sales.cycle.median", lang),
                                                      t("sales.cycle.typical", lang), t("sales.cycle.stale_count", lang)],
                          "": [fmt.days(c.mean_days, lang, 1), fmt.days(c.median_days, lang, 1), typical,
                               fmt.number(len(stale), lang)]})
    sec.parts.append(("html", html_table(stats, {""})))
    if len(stale):
        # only the rows shown are formatted (the list can run to thousands of deals on a large account);
        # the rest stay unformatted and only count towards "N more"
        top = stale.head(STALE_SHOWN)
        shown = pd.DataFrame({t("sales.cycle.deal", lang): top["name"],
                              t("sales.cycle.budget", lang): top["price"].map(ctx.money),
                              t("sales.cycle.age", lang): top["age_days"].map(lambda v: fmt.days(v, lang)),
                              t("common.stage", lang): top["stage"],
                              t("common.manager", lang): top["manager"],
                              t("sales.cycle.created", lang): top["created_at"].map(lambda v: fmt.day(v, lang))})
        shown = shown.reindex(stale.index)
        sec.table("stale_deals", stale, shown, numeric={shown.columns[1], shown.columns[2]}, max_rows=STALE_SHOWN)
    sec.note(t("sales.def.cycle", lang, basis=fmt.number(c.typical_basis, lang), moment=fmt.day(ctx.snapshot, lang)))
    return sec


def managers(ctx: Context) -> Section:
    """Per-manager figures (team scope only)."""
    lang = ctx.lang
    sec = Section(ctx, "managers", t("sales.managers.title", lang))
    if ctx.scope.kind != "team":
        sec.hidden = True
        return sec
    reduced = isinstance(ctx.data, queries.SalesData)
    m = sales.by_manager(ctx.data.leads, ctx.data.users, ctx.period, ctx.as_of,
                         ctx.data.priced_users if reduced else None, ctx.data.open_leads if reduced else None)
    if m.empty:
        return sec.text(t("common.no_data", lang))
    lead = m.iloc[0]
    if lead["revenue"] > 0:
        sec.text(t("sales.managers.leader", lang, name=lead["manager"], revenue=ctx.money(lead["revenue"]),
                   win_rate=fmt.percent(lead["win_rate"], lang)), finding=True)
    team_rate = ctx.figures.get("win_rate", np.nan)
    low = m[(m["won_deals"] + m["lost_deals"] >= 5) & (m["win_rate"] < 0.8 * team_rate)]
    if len(low):
        sec.text(t("sales.managers.low", lang, team=fmt.percent(team_rate, lang),
                   names=", ".join(f"{n} ({fmt.percent(w, lang)})" for n, w in zip(low["manager"], low["win_rate"]))))
    sec.figure(charts.managers_revenue(m, lang, ctx.currency))
    shown = pd.DataFrame({
        t("common.manager", lang): m["manager"],
        t("sales.kpi.revenue", lang): m["revenue"].map(ctx.money),
        t("sales.kpi.won_deals", lang): m["won_deals"].map(lambda v: fmt.number(v, lang)),
        t("sales.kpi.average_check", lang): m["average_check"].map(ctx.money),
        t("sales.kpi.win_rate", lang): m["win_rate"].map(lambda v: fmt.percent(v, lang)),
        t("sales.kpi.lead_to_won_conversion", lang): m["lead_to_won_conversion"].map(lambda v: fmt.percent(v, lang)),
        t("sales.managers.cycle", lang): m["cycle_days"].map(lambda v: fmt.days(v, lang)),
        t("sales.managers.open", lang): m["open_deals"].map(lambda v: fmt.number(v, lang)),
    })
    sec.table("managers", m, shown, numeric=set(shown.columns[1:]))
    sec.note(t("sales.def.managers", lang))
    return sec


def summary(ctx: Context) -> Section:
    """The findings of every section, in one list."""
    sec = Section(ctx, "summary", t("sales.summary.title", ctx.lang))
    for f in ctx.findings:
        sec.text(f)
    return sec
