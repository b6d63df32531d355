"""Sections of the unsorted-leads («Неразобранное») notebook: metrics from crmreports.unsorted, charts,
narrative generated from the figures, definitions as footnotes."""
from __future__ import annotations

import math

import pandas as pd

from ...core import fmt
from . import query as queries_unsorted, metrics as unsorted
from . import charts
from ...core.labels import has, t
from ...present.context import Context, validate
from ...present.context import publish, title  # noqa: F401  (the notebook calls report.title and report.publish)
from ...present.section import Section, html_table
from ...store import data_end

REPORT = "unsorted_leads"
TABLES = ("leads", "stage_changes", "unsorted", "calls", "tasks")
ITEMS = "unsorted_items"         # the prepared per-item frame, kept in ctx.data.tables
MIN_SOURCE = 5                   # a source needs this many incoming leads to be called best or worst
MAX_LIST = 15                    # rows of the backlog list shown in the document


def open(period: str = "", manager: str = "", pipeline: str = "", store: str = "data/crm.duckdb",
         lang: str = "ru") -> Context:
    """Resolve the parameters (as :func:`crmreports.report.open_context` does), read only the rows the
    period's items need and their first actions (:func:`crmreports.queries_unsorted.load_unsorted`: filters
    pushed into DuckDB, first actions found there) and prepare one row per unsorted item of the scope.

    The store does not filter unsorted items by manager; :func:`crmreports.unsorted.in_scope` does, by the
    owner defined in :func:`crmreports.unsorted.prepare`.
    """
    p, scope, pids, pname = validate(store, period, manager, pipeline, lang)
    d = queries_unsorted.load_unsorted(store, p, pipeline_ids=pids or None, user_ids=list(scope.user_ids) or None)
    ctx = Context(report=REPORT, period=p, lang=lang, scope=scope, pipeline_ids=pids, pipeline_name=pname,
                  data=d, as_of=data_end(d.account), currency=str(d.account.get("currency") or "RUB"))
    items = unsorted.prepare(d["unsorted"], d.leads, d.stage_changes, d["calls"], d["tasks"], d.statuses, ctx.as_of,
                             first=d["first_actions"])
    d.tables[ITEMS] = unsorted.in_scope(items, ctx.scope.user_ids, ctx.pipeline_ids)
    return ctx


def items(ctx: Context) -> pd.DataFrame:
    """The scope's unsorted items, one row each (see :data:`crmreports.unsorted.ITEM_COLUMNS`)."""
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
    return t("unsorted.kpi.sentence_deals", lang, deals=fmt.number(deals, lang), total=total_text, became=became,
             share=fmt.percent(share, lang))


def kpis(ctx: Context) -> Section:
    """Incoming, accepted, declined, pending, to deals, to won and the money, against the previous period
    and a year ago."""
    lang = ctx.lang
    k = unsorted.kpi_table(items(ctx), ctx.period)
    cur = {key: (int(v) if key in unsorted.COUNT_KEYS else float(v)) for key, v in k["current"].items()}
    ctx.figures.update(cur)
    ctx.comparisons.update(previous=k["previous"].to_dict(), year_ago=k["year_ago"].to_dict())
    sec = Section(ctx, "kpis", t("unsorted.kpi.title", lang))
    if cur["unsorted_total"] == 0:
        sec.text(t("unsorted.kpi.none", lang, period=ctx.period_label), finding=True)
    else:
        sec.text(t("unsorted.kpi.sentence_in", lang, period=ctx.period_label,
                   total=fmt.count(cur["unsorted_total"], "unsorted_incoming", lang),
                   d_prev=fmt.change(cur["unsorted_total"], k.loc["unsorted_total", "previous"], lang),
                   d_year=fmt.change(cur["unsorted_total"], k.loc["unsorted_total", "year_ago"], lang),
                   accepted=fmt.number(cur["unsorted_accepted"], lang),
                   declined=fmt.number(cur["unsorted_declined"], lang),
                   pending=fmt.number(cur["unsorted_pending"], lang)))
        sec.text(_deals_sentence(cur["unsorted_to_deals"], cur["unsorted_total"], cur["unsorted_to_deals_share"], lang),
                 finding=True)
        if cur["unsorted_to_won"]:
            sec.text(t("unsorted.kpi.sentence_won", lang, won=fmt.number(cur["unsorted_to_won"], lang),
                       revenue=ctx.money(cur["unsorted_won_revenue"])))
        elif cur["unsorted_to_deals"]:
            sec.text(t("unsorted.kpi.sentence_none_won", lang))
    if k.loc["unsorted_total"].sum() > 0:
        rows = []
        for key in unsorted.HEADLINE_KEYS:
            kind = "points" if key in unsorted.RATE_KEYS else "relative"
            c, p, y = k.loc[key, "current"], k.loc[key, "previous"], k.loc[key, "year_ago"]
            rows.append([t(f"unsorted.kpi.{key}", lang), _show(ctx, key, c), _show(ctx, key, p),
                         fmt.change(c, p, lang, kind), _show(ctx, key, y), fmt.change(c, y, lang, kind)])
        cols = [t("common.metric", lang), ctx.period_label, fmt.period_label(ctx.period.previous(), lang),
                t("unsorted.kpi.vs_previous", lang), fmt.period_label(ctx.period.year_ago(), lang),
                t("unsorted.kpi.vs_year", lang)]
        sec.table("kpis", k.reset_index(), pd.DataFrame(rows, columns=cols), numeric=set(cols[1:]))
    sec.note(t("unsorted.def.counts", lang, as_of=fmt.day(ctx.as_of, lang)))
    sec.note(t("unsorted.def.scope", lang))
    sec.note(t("unsorted.def.compare", lang, previous=fmt.period_label(ctx.period.previous(), lang),
               year_ago=fmt.period_label(ctx.period.year_ago(), lang)))
    return sec


def _breakdown_shown(ctx: Context, df: pd.DataFrame, first_col: str, labels: pd.Series) -> pd.DataFrame:
    lang = ctx.lang
    return pd.DataFrame({
        first_col: labels,
        t("unsorted.sources.total", lang): df["total"].map(lambda v: fmt.number(v, lang)),
        t("common.share", lang): df["share"].map(lambda v: fmt.percent(v, lang)),
        t("unsorted.outcome.accepted", lang): df["accepted"].map(lambda v: fmt.number(v, lang)),
        t("unsorted.outcome.declined", lang): df["declined"].map(lambda v: fmt.number(v, lang)),
        t("unsorted.sources.to_deals", lang): df["to_deals"].map(lambda v: fmt.number(v, lang)),
        t("unsorted.sources.conv", lang): df["to_deals_share"].map(lambda v: fmt.percent(v, lang)),
        t("unsorted.sources.won", lang): df["to_won"].map(lambda v: fmt.number(v, lang)),
        t("unsorted.sources.revenue", lang): df["won_revenue"].map(ctx.money),
    })


def sources(ctx: Context) -> Section:
    """Incoming by source and by channel (category), with the conversion of each to deals and to won."""
    lang = ctx.lang
    sec = Section(ctx, "sources", t("unsorted.sources.title", lang))
    by_src = unsorted.breakdown(items(ctx), ctx.period, "source_name")
    if by_src.empty:
        return sec.text(t("common.no_data", lang))
    by_src = by_src.assign(label=by_src["source_name"].fillna(t("unsorted.no_source", lang)))
    top = by_src.iloc[0]
    sec.text(t("unsorted.sources.top", lang, source=top["label"], n=fmt.count(top["total"], "unsorted_incoming", lang),
               share=fmt.percent(top["share"], lang)))
    big = by_src[by_src["total"] >= MIN_SOURCE].sort_values("to_deals_share", ascending=False, kind="stable")
    if len(big) >= 2 and big["to_deals_share"].iloc[0] > big["to_deals_share"].iloc[-1]:
        best, worst = big.iloc[0], big.iloc[-1]
        sec.text(t("unsorted.sources.best", lang, best=best["label"], best_conv=fmt.percent(best["to_deals_share"], lang),
                   worst=worst["label"], worst_conv=fmt.percent(worst["to_deals_share"], lang)), finding=True)
    sec.figure(charts.sources(by_src, lang))
    shown = _breakdown_shown(ctx, by_src, t("unsorted.sources.source", lang), by_src["label"])
    sec.table("by_source", by_src.drop(columns="label"), shown, numeric=set(shown.columns[1:]))
    by_cat = unsorted.breakdown(items(ctx), ctx.period, "category")
    shown = _breakdown_shown(ctx, by_cat, t("unsorted.sources.category", lang),
                             by_cat["category"].map(lambda c: _category(c, lang)))
    sec.table("by_category", by_cat, shown, numeric=set(shown.columns[1:]))
    sec.note(t("unsorted.def.sources", lang))
    sec.note(t("unsorted.sources.min_note", lang, n=MIN_SOURCE))
    return sec


def speed(ctx: Context) -> Section:
    """Speed to lead: minutes from arrival to acceptance and to the first action, median and P90, per manager."""
    lang = ctx.lang
    sec = Section(ctx, "speed", t("unsorted.speed.title", lang))
    it = items(ctx)
    s = unsorted.speed_summary(it, ctx.period)
    acc, act = s.loc["accept"], s.loc["first_action"]
    ctx.figures.update(speed_to_accept_p90_min=float(acc["p90_min"]), speed_to_first_action_p90_min=float(act["p90_min"]),
                       unsorted_without_action=int(act["waiting"]))
    if acc["n"] == 0 and act["n"] == 0:
        return sec.text(t("unsorted.speed.none", lang))
    if acc["n"]:
        sec.text(t("unsorted.speed.sentence_accept", lang, median=minutes(acc["median_min"], lang),
                   p90=minutes(acc["p90_min"], lang)), finding=True)
    if act["n"]:
        kinds = unsorted.first_action_kinds(it, ctx.period)
        sec.text(t("unsorted.speed.sentence_action", lang, median=minutes(act["median_min"], lang),
                   p90=minutes(act["p90_min"], lang), kind=t(f"unsorted.action.{kinds.idxmax()}", lang)), finding=True)
    if act["waiting"]:
        sec.text(t("unsorted.speed.sentence_no_action", lang, n=fmt.count(act["waiting"], "unsorted_incoming", lang)))
    shown = pd.DataFrame({
        t("common.metric", lang): [t("unsorted.speed.metric_accept", lang), t("unsorted.speed.metric_action", lang)],
        t("unsorted.speed.n", lang): [fmt.number(v, lang) for v in s["n"]],
        t("unsorted.speed.median", lang): [minutes(v, lang) for v in s["median_min"]],
        "P90": [minutes(v, lang) for v in s["p90_min"]],
        t("unsorted.speed.waiting", lang): [fmt.number(v, lang) for v in s["waiting"]],
    })
    sec.table("speed", s.reset_index(names="metric"), shown, numeric=set(shown.columns[1:]))
    if ctx.scope.kind == "team":
        m = unsorted.speed_by_manager(it, ctx.data.users, ctx.period)
        m = m.assign(label=m["manager"].fillna(t("unsorted.no_owner", lang)))
        ranked = m[m["user_id"].notna() & (m["total"] - m["no_action"] >= 3)].dropna(subset=["first_action_median_min"])
        if len(ranked) >= 2 and act["n"]:
            slow = ranked.iloc[0]
            if slow["first_action_median_min"] > act["median_min"]:
                sec.text(t("unsorted.speed.slowest", lang, name=slow["label"],
                           median=minutes(slow["first_action_median_min"], lang),
                           team=minutes(act["median_min"], lang)), finding=True)
        if m["first_action_median_min"].notna().any():
            sec.figure(charts.speed_by_manager(m, lang))
        shown_m = pd.DataFrame({
            t("common.manager", lang): m["label"],
            t("unsorted.speed.n", lang): m["total"].map(lambda v: fmt.number(v, lang)),
            t("unsorted.sources.to_deals", lang): m["to_deals"].map(lambda v: fmt.number(v, lang)),
            t("unsorted.speed.accept_median", lang): m["accept_median_min"].map(lambda v: minutes(v, lang)),
            t("unsorted.speed.accept_p90", lang): m["accept_p90_min"].map(lambda v: minutes(v, lang)),
            t("unsorted.speed.action_median", lang): m["first_action_median_min"].map(lambda v: minutes(v, lang)),
            t("unsorted.speed.action_p90", lang): m["first_action_p90_min"].map(lambda v: minutes(v, lang)),
            t("unsorted.speed.no_action", lang): m["no_action"].map(lambda v: fmt.number(v, lang)),
        })
        sec.table("speed_by_manager", m.drop(columns="label"), shown_m, numeric=set(shown_m.columns[1:]))
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
    if moment <= ctx.period.start_ts:          # the data ends before the period begins
        ctx.figures.update(unsorted_backlog=None, unsorted_backlog_oldest_days=None)
        return sec.text(t("common.no_data", lang))
    b = unsorted.backlog(items(ctx), moment)
    ctx.figures.update(unsorted_backlog=len(b),
                       unsorted_backlog_oldest_days=float(b["age_days"].max()) if len(b) else float("nan"))
    when = fmt.datetime_(moment, lang)
    if b.empty:
        sec.text(t("unsorted.backlog.none", lang, moment=when))
        sec.note(t("unsorted.def.backlog", lang, moment=when))
        return sec
    sec.text(t("unsorted.backlog.sentence", lang, moment=when, n=fmt.number(len(b), lang),
               oldest=minutes(b["age_days"].iloc[0] * 1440, lang),
               over_day=fmt.number(int((b["age_days"] >= 1).sum()), lang)), finding=True)
    buckets = unsorted.age_buckets(b)
    shown_b = pd.DataFrame([[t("common.count", lang)] + [fmt.number(v, lang) for v in buckets.to_numpy()]],
                           columns=[t("unsorted.backlog.bucket", lang)]
                           + [t(f"unsorted.backlog.{k}", lang) for k in buckets.index])
    sec.table("backlog_by_age", buckets.rename_axis("age").reset_index(name="items"), shown_b,
              numeric=set(shown_b.columns[1:]))
    names = dict(zip(ctx.data.users["id"].astype(float), ctx.data.users["name"]))
    shown = pd.DataFrame({
        t("unsorted.backlog.arrived", lang): b["created_at"].map(lambda v: fmt.datetime_(v, lang)),
        t("unsorted.sources.source", lang): b["source_name"].fillna(t("unsorted.no_source", lang)),
        t("unsorted.sources.category", lang): b["category"].map(lambda c: _category(c, lang)),
        t("unsorted.backlog.age", lang): b["age_days"].map(lambda v: minutes(v * 1440, lang)),
        t("common.manager", lang): b["owner_id"].map(names).fillna(t("unsorted.no_owner", lang)),
    })
    sec.table("backlog", b, shown, numeric={shown.columns[3]}, max_rows=MAX_LIST)
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
        sec.text(t("unsorted.trend.sentence", lang, week=peak["label"],
                   n=fmt.count(peak["total"], "unsorted_incoming", lang), avg=fmt.number(inside["total"].mean(), lang, 1)))
    sec.figure(charts.weekly_trend(w, lang))
    if len(inside) <= 16:
        shown = pd.DataFrame({t("unsorted.trend.week", lang): inside["label"]})
        for c in unsorted.CATEGORIES:
            shown[t(f"unsorted.category.{c}", lang)] = inside[c].map(lambda v: fmt.number(v, lang)).to_numpy()
        shown[t("unsorted.sources.total", lang)] = inside["total"].map(lambda v: fmt.number(v, lang)).to_numpy()
        shown[t("unsorted.trend.accepted_share", lang)] = inside["accepted_share"].map(
            lambda v: fmt.percent(v, lang)).to_numpy()
        sec.parts.append(("html", html_table(shown, set(shown.columns[1:]))))
    sec.note(t("unsorted.def.trend", lang))
    return sec


def summary(ctx: Context) -> Section:
    """The findings of every section, in one list."""
    sec = Section(ctx, "summary", t("unsorted.summary.title", ctx.lang))
    for f in ctx.findings:
        sec.text(f)
    return sec
