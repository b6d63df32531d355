"""Sections of the goals (sales plan) notebook: plan progress, its chart, the open deals behind the
projection, comparison with earlier periods and per-manager plans. Plans come from the plan file
(:mod:`crmreports.store.plans`), figures from :mod:`.metrics` on what :mod:`.query` read; every figure is footnoted with
its definition."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import partial

import pandas as pd

from ...core import fmt, workdays
from ...core.labels import t
from ...present import kit
from ...present.context import Context, publish, title, validate  # noqa: F401  (the notebook calls report.title and report.publish)
from ...present.section import Section
from ...store import concepts, data_end, plans
from ...store import forecasting as model_lib
from . import charts
from . import metrics as goals
from . import query as queries_goals

REPORT = __package__.rpartition(".")[2]  # the report is named after its folder (the registry checks)
MAX_CHARTS = 3


@dataclass
class GoalsContext(Context):
    """The run context plus the goals file and each plan in force evaluated at the as-of moment."""

    goals_file: plans.GoalsFile | None = None
    goals_label: str = plans.DEFAULT_GOALS
    as_of_clamped: bool = False
    progresses: list = field(default_factory=list)
    model: goals.Model | None = None  # the forecast's model of the scope (when a plan is running)
    manager_models: dict = field(default_factory=dict)  # user id → the manager's model (team scope)

    @property
    def plan_scope_name(self) -> str | None:
        return self.scope.name if self.scope.kind == "manager" else None

    @property
    def primary(self):
        """The plan of exactly the report period (revenue first), else the first plan in force."""
        return self.progresses[0] if self.progresses else None


def open(
    period: str = "",
    manager: str = "",
    pipeline: str = "",
    store: str = "data/crm.duckdb",
    lang: str = "ru",
    as_of: str = "",
    goals_path: str = plans.DEFAULT_GOALS,
) -> GoalsContext:
    """Resolve the parameters, read the goals file (:func:`crmreports.store.plans.load_goals`: a clear error for a
    bad file), read only the rows the plans shown need (:func:`.query.load_goals_data`: filters and the
    pipeline band's counts pushed into DuckDB), and evaluate every plan of the scope that covers the
    report period.

    (Not :func:`crmreports.present.kit.open_report`: what is read depends on the goals file and on the
    as-of moment, both known only after the reference tables are read, and the context's ``as_of`` is that
    moment rather than the end of the data.)"""
    p, scope, pids, pname = validate(store, period, manager, pipeline, lang)
    ref = queries_goals.read_reference(store)
    end = data_end(ref.account)
    moment, clamped = goals.parse_as_of(as_of, end)
    gf = plans.load_goals(goals_path, ref.tables["users"])
    in_force = gf.in_force(scope.name if scope.kind == "manager" else None, p)
    # the plans whose figures the sections show: those in force, and each manager's for the team
    shown = in_force + (
        [x for x in gf.plans if x.scope != plans.TEAM and x.period.key == p.key] if scope.kind == "team" else []
    )
    periods = {x.key: x for x in [p, p.previous(), p.year_ago()] + [x.period for x in shown]}
    running = [
        periods[k]
        for k in dict.fromkeys(x.period.key for x in shown)
        if periods[k].start_ts < moment < periods[k].end_ts
    ]
    data = queries_goals.load_goals_data(
        store,
        list(periods.values()),
        moment,
        running,
        pipeline_ids=pids or None,
        user_ids=list(scope.user_ids) or None,
        reference=ref,
        forecast_origin=model_lib.month_start(moment),
    )
    ctx = GoalsContext(
        report=REPORT,
        period=p,
        lang=lang,
        scope=scope,
        pipeline_ids=pids,
        pipeline_name=pname,
        data=data,
        as_of=moment,
        currency=str(data.account.get("currency") or "RUB"),
        goals_file=gf,
        goals_label=str(goals_path),
        as_of_clamped=clamped,
    )
    d = ctx.data
    managers_running = scope.kind == "team" and any(
        x.scope != plans.TEAM and x.period.key in {r.key for r in running} for x in shown
    )
    ctx.model, ctx.manager_models = models(d, scope.kind == "manager", managers_running)
    ctx.progresses = [goals.progress(x, d.leads, d.stage_changes, d.statuses, ctx.as_of, ctx.model) for x in in_force]
    headline_figures(ctx)
    return ctx


def models(data, one_manager: bool, per_manager: bool) -> tuple:
    """The forecast's model of the scope (:class:`.metrics.Model`, None when no plan is running) and, when
    ``per_manager``, each manager's by user id, from the forecast's read in ``data``: the very computation
    the forecast report shows (:func:`crmreports.store.forecasting.model_results`), so both reports give
    the same expected revenue for the same window. ``one_manager``: the scope is one manager, who is not
    forecast when inactive (no open deals and no wins in the last three months), as in the forecast report."""
    fd = data.forecast
    if fd is None:
        return None, {}
    known = model_lib.known_with_stages(fd.leads, fd.origin_stages, fd.origin)
    make = partial(model_lib.snapshots_from_months, known, fd.month_stages)
    return models_from(known, make, fd.statuses, fd.origin, one_manager, per_manager)


def models_from(known, make_snapshots, statuses, origin, one_manager: bool, per_manager: bool) -> tuple:
    """:func:`models` from the deals ``known`` at ``origin`` and ``make_snapshots`` (month starts → their
    snapshots), as :func:`crmreports.store.forecasting.model_results` takes them."""
    make = make_snapshots
    fd_statuses = statuses
    groups = ("responsible_user_id",) if per_manager else ()
    r = model_lib.model_results(known, make, fd_statuses, origin, model_lib.DEFAULT, groups)
    model = goals.Model.of(r["forecast"])
    if one_manager and model_lib.inactive_keys(known.assign(_all=0), r["snapshots"], origin, "_all"):
        model = goals.Model(model.origin, "inactive", model.table, model.open_deals)
    per: dict = {}
    if per_manager:
        off = model_lib.inactive_keys(known, r["snapshots"], origin, "responsible_user_id")
        for _, row in r["estimator"].by_group("responsible_user_id", r["factors"]).iterrows():
            status = "inactive" if row["key"] in off else row["status"]
            per[int(row["key"])] = goals.Model(origin, status, model_lib.group_table(row))
    return model, per


def headline_figures(ctx: GoalsContext) -> None:
    """The headline figures of the primary plan (or, without a plan in force, the fact and the working
    days left) into ``ctx.figures``, once ``ctx.progresses`` is set."""
    pr = ctx.primary
    metric = pr.plan.metric if pr else "revenue"
    ctx.figures.update(
        plan_metric=metric,
        plan_period=pr.plan.period.key if pr else ctx.period.key,
        as_of=str(ctx.as_of.date() if ctx.as_of == ctx.as_of.normalize() else ctx.as_of),
    )
    if pr:
        ctx.figures.update(pr.figures())
    else:
        ctx.figures.update(
            {
                k: None
                for k in (
                    "plan",
                    "plan_done_share",
                    "plan_remaining",
                    "projection",
                    "projection_low",
                    "projection_high",
                    "projection_run_rate",
                    "forecast_rest",
                    "forecast_origin",
                    "weighted_pipeline",
                    "pace_needed_per_working_day",
                )
            }
        )
        end = min(ctx.as_of, ctx.period.end_ts)
        day = end.normalize().date() if end < ctx.period.end_ts else ctx.period.end
        ctx.figures.update(
            fact=plans.fact(ctx.data.leads, ctx.period, metric, ctx.as_of),
            working_days_left=workdays.working_days(max(day, ctx.period.start), ctx.period.end),
        )
    # the shared concepts (store.concepts), as every report gives them for the report period and scope
    d = ctx.data
    won = goals.won_between(d.leads, ctx.period.start_ts, min(ctx.as_of, ctx.period.end_ts))
    ctx.figures.update(
        revenue=concepts.revenue_of(won),
        won_deals=len(won),
        working_days=concepts.working_days_until(ctx.period, ctx.as_of),
        open_deals=len(concepts.open_deals_at(d.leads, d.stage_changes, d.statuses, ctx.as_of)),
    )


def _value(ctx: Context, metric: str, x, digits: int = 0) -> str:
    if metric == "revenue":
        return ctx.money(x)
    if digits == 0:
        return fmt.count(x, "deal", ctx.lang)
    return fmt.number(x, ctx.lang, digits)


def _day(ctx: Context, ts) -> str:
    return fmt.day(ts, ctx.lang)


def _scope_words(ctx: GoalsContext) -> str:
    return ctx.scope.name if ctx.scope.kind == "manager" else t("goals.scope.team", ctx.lang)


def _metric(lang: str, metric: str) -> str:
    return t(f"goals.metric_lower.{metric}", lang)


def _progress_sentences(ctx: GoalsContext, sec: Section, pr, finding: bool) -> None:
    lang, m = ctx.lang, pr.plan.metric
    per = fmt.period_label(pr.plan.period, lang)
    common = {"metric": _metric(lang, m), "period": per, "target": _value(ctx, m, pr.target)}
    if pr.status == "not_started":
        sec.text(
            t(
                "goals.plan.sentence_not_started",
                lang,
                as_of=_day(ctx, ctx.as_of),
                wd_total=fmt.count(pr.working_days_total, "working_day", lang),
                pace=_value(ctx, m, pr.pace_needed, 1),
                **common,
            ),
            finding=finding,
        )
        return
    if pr.status == "closed":
        sec.text(
            t(
                "goals.plan.sentence_closed",
                lang,
                fact=_value(ctx, m, pr.fact),
                share=fmt.done_percent(pr.done_share, lang),
                **common,
            ),
            finding=finding,
        )
        if pr.excess > 0:
            sec.text(t("goals.plan.sentence_exceeded", lang, excess=_value(ctx, m, pr.excess)))
        elif pr.remaining > 0:
            sec.text(t("goals.plan.sentence_missed", lang, remaining=_value(ctx, m, pr.remaining)))
        return
    as_of = _day(ctx, pr.as_of)
    if pr.remaining > 0:
        sec.text(
            t(
                "goals.plan.sentence_running",
                lang,
                as_of=as_of,
                fact=_value(ctx, m, pr.fact),
                share=fmt.done_percent(pr.done_share, lang),
                remaining=_value(ctx, m, pr.remaining),
                wd_left=fmt.count(pr.working_days_left, "working_day", lang),
                days_left=fmt.count(pr.days_left, "calendar_day", lang),
                pace=_value(ctx, m, pr.pace_needed, 1),
                **common,
            ),
            finding=finding,
        )
    else:
        sec.text(
            t(
                "goals.plan.sentence_met_running",
                lang,
                as_of=as_of,
                fact=_value(ctx, m, pr.fact),
                share=fmt.done_percent(pr.done_share, lang),
                wd_left=fmt.count(pr.working_days_left, "working_day", lang),
                **common,
            ),
            finding=finding,
        )
    if math.isnan(pr.projection):
        sec.text(t(f"goals.plan.no_forecast.{pr.forecast_status or 'no_model'}", lang), finding=finding)
    else:
        sec.text(
            t(
                "goals.plan.sentence_forecast",
                lang,
                projection=_value(ctx, m, pr.projection),
                share=fmt.done_percent(pr.projected_share, lang),
                low=_value(ctx, m, pr.projection_low),
                high=_value(ctx, m, pr.projection_high),
                rest=_value(ctx, m, pr.projection - pr.fact),
            ),
            finding=finding,
        )
    if math.isnan(pr.run_rate):
        sec.text(t("goals.plan.sentence_no_pace", lang))
    else:
        sec.text(
            t(
                "goals.plan.sentence_projection",
                lang,
                pace=_value(ctx, m, pr.pace_actual, 1),
                projection=_value(ctx, m, pr.run_rate),
                share=fmt.done_percent(pr.run_rate_share, lang),
            )
        )
    pipe = pr.pipeline
    if len(pipe) and not math.isnan(pr.projection):
        sec.text(
            t(
                "goals.plan.sentence_open",
                lang,
                n=fmt.count(int(pipe["open_deals"].sum()), "open_deal", lang),
                origin=_day(ctx, pr.forecast_origin),
                expected=_value(ctx, m, float(pipe["expected"].sum()), 0 if m == "revenue" else 1),
                old=fmt.count(int(pipe["old_deals"].sum()), "open_deal", lang),
                old_expected=_value(ctx, m, float(pipe["old_expected"].sum()), 0 if m == "revenue" else 1),
            )
        )


def _column(ctx: GoalsContext, pr) -> list[str]:
    lang, m = ctx.lang, pr.plan.metric
    v = lambda x, d=0: _value(ctx, m, x, d) if not (isinstance(x, float) and math.isnan(x)) else fmt.DASH
    band = (
        fmt.DASH
        if pr.status != "in_progress" or math.isnan(pr.projection_low)
        else t("goals.plan.band_value", lang, low=v(pr.projection_low), high=v(pr.projection_high))
    )
    return [
        v(pr.target),
        v(pr.fact),
        fmt.done_percent(pr.done_share, lang),
        v(pr.remaining),
        t(
            "goals.plan.of_total",
            lang,
            left=fmt.number(pr.working_days_left, lang),
            total=fmt.number(pr.working_days_total, lang),
        ),
        fmt.number(pr.days_left, lang),
        v(pr.pace_needed, 1),
        v(pr.pace_actual, 1),
        v(pr.run_rate),
        v(pr.projection),
        band,
    ]


ROWS = (
    "plan",
    "fact",
    "done",
    "remaining",
    "wd_left",
    "days_left",
    "pace_needed",
    "pace_actual",
    "run_rate",
    "projection",
    "band",
)


def _no_plan(ctx: GoalsContext, sec: Section) -> None:
    lang, gf = ctx.lang, ctx.goals_file
    sec.text(
        t("goals.plan.none", lang, file=ctx.goals_label, scope=_scope_words(ctx), period=ctx.period_label), finding=True
    )
    own = gf.for_scope(ctx.plan_scope_name)
    if own:
        sec.text(t("goals.plan.none_other", lang, scope=_scope_words(ctx), plans=", ".join(goals.plans_overview(own))))
    else:
        scopes = list(dict.fromkeys(t("common.team", lang) if p.scope == plans.TEAM else p.scope for p in gf.plans))
        sec.text(t("goals.plan.none_at_all", lang, scope=_scope_words(ctx), scopes=", ".join(scopes) or fmt.DASH))
    won = goals.won_between(ctx.data.leads, ctx.period.start_ts, min(ctx.as_of, ctx.period.end_ts))
    sec.text(
        t(
            "goals.plan.none_fact",
            lang,
            period=ctx.period_label,
            as_of=_day(ctx, min(ctx.as_of, ctx.period.end_ts)),
            revenue=ctx.money(plans.metric_value(won, "revenue")),
            won=fmt.count(len(won), "won_deal", lang),
        )
    )


def plan(ctx: GoalsContext) -> Section:
    """Plan, actual, % done, remaining, days and working days left, pace needed, projections."""
    lang = ctx.lang
    sec = Section(ctx, "plan", t("goals.plan.title", lang))
    if ctx.as_of_clamped:
        sec.text(t("goals.plan.clamped", lang, as_of=fmt.datetime_(ctx.as_of, lang)))
    if not ctx.progresses:
        _no_plan(ctx, sec)
        return sec
    for i, pr in enumerate(ctx.progresses):
        _progress_sentences(ctx, sec, pr, finding=(i == 0))
    cols = {t("common.metric", lang): [t(f"goals.plan.row.{r}", lang) for r in ROWS]}
    for pr in ctx.progresses:
        cols[f"{t('goals.metric.' + pr.plan.metric, lang)}, {fmt.period_label(pr.plan.period, lang)}"] = _column(
            ctx, pr
        )
    shown = pd.DataFrame(cols)
    raw = pd.DataFrame(
        [
            {"period": pr.plan.period.key, "metric": pr.plan.metric, "status": pr.status, **pr.figures()}
            for pr in ctx.progresses
        ]
    )
    sec.table("plans", raw, shown, numeric=set(shown.columns[1:]))
    m0 = ctx.primary.plan.metric
    sec.note(t("goals.def.fact", lang, metric_def=t(f"goals.def.metric.{m0}", lang), as_of=_day(ctx, ctx.as_of)))
    sec.note(t("goals.def.days", lang))
    years = sorted(
        {
            y
            for pr in ctx.progresses
            for y in (pr.plan.period.start.year, pr.plan.period.last_day.year)
            if workdays.is_provisional(y)
        }
    )
    if years:
        sec.note(t("goals.def.provisional", lang, years=", ".join(map(str, years))))
    sec.note(t("goals.def.projection", lang))
    running = [pr for pr in ctx.progresses if pr.status == "in_progress"]
    if running:
        origin = running[0].forecast_origin
        sec.note(t("goals.def.band", lang, origin=_day(ctx, origin) if origin is not None else fmt.DASH))
    sec.note(t("goals.def.concepts", lang))
    return sec


def progress(ctx: GoalsContext) -> Section:
    """Cumulative actual against the plan line over the period, for each plan in force."""
    lang = ctx.lang
    sec = Section(ctx, "progress", t("goals.progress.title", lang))
    if not ctx.progresses:
        sec.hidden = True
        return sec
    for pr in ctx.progresses[:MAX_CHARTS]:
        p, m = pr.plan, pr.plan.metric
        daily = goals.daily_cumulative(ctx.data.leads, p.period, m, ctx.as_of, pr.target)
        sec.tables[f"daily_{p.period.key}_{m}"] = daily
        if pr.status == "in_progress":
            line = pr.target * pr.working_days_elapsed / pr.working_days_total  # the even plan by the as-of day
            diff = pr.fact - line
            key = "goals.progress.sentence_ahead" if diff >= 0 else "goals.progress.sentence_behind"
            sec.text(
                t(
                    key,
                    lang,
                    as_of=_day(ctx, pr.as_of),
                    metric=_metric(lang, m),
                    fact=_value(ctx, m, pr.fact),
                    line=_value(ctx, m, line),
                    diff=_value(ctx, m, abs(diff), 0 if m == "revenue" else 1),
                )
            )
        title_ = t(
            "goals.chart.title", lang, metric=t(f"goals.metric.{m}", lang), period=fmt.period_label(p.period, lang)
        )
        sec.figure(charts.cumulative(daily, pr, title_, lang, ctx.currency))
    sec.note(t("goals.def.chart", lang))
    return sec


def pipeline(ctx: GoalsContext) -> Section:
    """The open deals behind the projection, by stage: their win probability (by stage and age) and what
    they are expected to bring in the rest of the period (the forecast's model)."""
    lang = ctx.lang
    sec = Section(ctx, "pipeline", t("goals.pipeline.title", lang))
    running = [p for p in ctx.progresses if p.status == "in_progress"]
    pr = running[0] if running else ctx.primary
    if pr is None or pr.status == "not_started":
        sec.hidden = True
        return sec
    if pr.status == "closed":
        return sec.text(t("goals.pipeline.closed", lang))
    pipe = pr.pipeline
    if math.isnan(pr.projection):
        return sec.text(t(f"goals.plan.no_forecast.{pr.forecast_status or 'no_model'}", lang))
    if pipe.empty:
        return sec.text(t("goals.pipeline.none", lang, as_of=_day(ctx, pr.forecast_origin)))
    st = ctx.data.statuses.set_index(["pipeline_id", "id"])
    names = dict(zip(ctx.data.pipelines["id"], ctx.data.pipelines["name"]))
    stage = [st["name"].get((p, s), str(s)) for p, s in zip(pipe["pipeline_id"], pipe["status_id"])]
    if pipe["pipeline_id"].nunique() > 1:
        stage = [f"{names.get(p, p)}: {s}" for p, s in zip(pipe["pipeline_id"], stage)]
    sort = [st["sort"].get((p, s), 0) for p, s in zip(pipe["pipeline_id"], pipe["status_id"])]
    pipe = pipe.assign(stage=stage, _sort=sort).sort_values(["pipeline_id", "_sort"]).drop(columns="_sort")
    m = pr.plan.metric
    digits = 0 if m == "revenue" else 1
    top = pipe.sort_values("expected", ascending=False).iloc[0]
    if top["expected"] > 0:
        sec.text(
            t(
                "goals.pipeline.sentence",
                lang,
                stage=top["stage"],
                n=fmt.count(top["open_deals"], "open_deal", lang),
                weighted=_value(ctx, m, top["expected"], digits),
            )
        )
    n_old = int(pipe["old_deals"].sum())
    if n_old:
        sec.text(
            t(
                "goals.pipeline.old",
                lang,
                n=fmt.count(n_old, "open_deal", lang),
                days=goals.OLD_DAYS,
                expected=_value(ctx, m, float(pipe["old_expected"].sum()), digits),
            )
        )

    def expected(x, _lang):
        return _value(ctx, m, x, digits)

    kit.table(
        sec,
        "pipeline",
        pipe,
        [
            kit.Column("common.stage", "stage", "text"),
            kit.Column("goals.pipeline.open", "open_deals"),
            kit.Column("common.amount", "amount", "money"),
            kit.Column("goals.pipeline.p_win", "p_win", "percent"),
            kit.Column("goals.pipeline.expected", "expected", expected, right=True),
            kit.Column("goals.pipeline.old_deals", "old_deals"),
        ],
    )
    sec.note(t("goals.def.band", lang, origin=_day(ctx, pr.forecast_origin)))
    return sec


def compare(ctx: GoalsContext) -> Section:
    """This period against the previous one and the same period a year ago: plan, actual, % done, and the
    actual at the same working day."""
    lang = ctx.lang
    sec = Section(ctx, "compare", t("goals.compare.title", lang))
    m = ctx.primary.plan.metric if ctx.primary else "revenue"
    cmp = goals.comparison(ctx.data.leads, ctx.goals_file, ctx.plan_scope_name, ctx.period, m, ctx.as_of)
    ctx.comparisons.update(
        {
            row["which"]: {
                "period": row["period"],
                "plan": row["plan"],
                "fact": row["fact"],
                "plan_done_share": row["done_share"],
                "fact_same_point": row["fact_same_point"],
            }
            for _, row in cmp.iterrows()
            if row["which"] != "current"
        }
    )
    cur, prev, year = cmp.iloc[0], cmp.iloc[1], cmp.iloc[2]
    end = min(ctx.as_of, ctx.period.end_ts)
    running = ctx.as_of < ctx.period.end_ts
    n = workdays.working_days(ctx.period.start, end.normalize().date() if running else ctx.period.end)
    if running and n == 0:
        sec.text(t("goals.plan.sentence_no_pace", lang))
    elif running:
        sec.text(
            t(
                "goals.compare.sentence_running",
                lang,
                n=fmt.count(n, "working_day", lang),
                metric=_metric(lang, m),
                cur=_value(ctx, m, cur["fact"]),
                prev_label=fmt.period_label(ctx.period.previous(), lang),
                prev=_value(ctx, m, prev["fact_same_point"]),
                d_prev=fmt.change(cur["fact"], prev["fact_same_point"], lang),
                year=_value(ctx, m, year["fact_same_point"]),
                d_year=fmt.change(cur["fact"], year["fact_same_point"], lang),
            ),
            finding=True,
        )
    else:
        sec.text(
            t(
                "goals.compare.sentence_closed",
                lang,
                metric_cap=t(f"goals.metric.{m}", lang),
                period=ctx.period_label,
                cur=_value(ctx, m, cur["fact"]),
                prev=_value(ctx, m, prev["fact"]),
                d_prev=fmt.change(cur["fact"], prev["fact"], lang),
                year=_value(ctx, m, year["fact"]),
                d_year=fmt.change(cur["fact"], year["fact"], lang),
            ),
            finding=True,
        )
    if cmp["plan"].notna().sum() >= 2:
        sec.text(
            t(
                "goals.compare.plans",
                lang,
                cur=fmt.done_percent(cur["done_share"], lang),
                prev=fmt.done_percent(prev["done_share"], lang),
                year=fmt.done_percent(year["done_share"], lang),
            )
        )

    def value(x, _lang):
        return _value(ctx, m, x) if not (isinstance(x, float) and math.isnan(x)) else fmt.DASH

    def which(df):
        return pd.Series(
            [
                f"{t('goals.compare.which.' + w, lang)}: {fmt.period_label(p, lang)}"
                for w, p in zip(df["which"], (ctx.period, ctx.period.previous(), ctx.period.year_ago()))
            ],
            index=df.index,
        )

    columns = [
        kit.Column("common.period", which, "text"),
        kit.Column("goals.plan.row.plan", "plan", value, right=True),
        kit.Column("goals.plan.row.fact", "fact", value, right=True),
        kit.Column("goals.plan.row.done", "done_share", lambda x, lang_: fmt.done_percent(x, lang_), right=True),
    ]
    if running:  # the fact at the same working day: only while the period runs
        columns.append(kit.Column(t("goals.compare.same_point", lang, n=n), "fact_same_point", value, right=True))
    kit.table(sec, "comparison", cmp, columns)
    sec.note(
        t(
            "goals.def.compare",
            lang,
            previous=fmt.period_label(ctx.period.previous(), lang),
            year_ago=fmt.period_label(ctx.period.year_ago(), lang),
        )
    )
    return sec


def managers(ctx: GoalsContext) -> Section:
    """Every manager's plan for the period: actual, % done, projection (team scope only)."""
    lang = ctx.lang
    sec = Section(ctx, "managers", t("goals.managers.title", lang))
    if ctx.scope.kind != "team":
        sec.hidden = True
        return sec
    d = ctx.data
    mp = goals.managers_progress(
        d.leads, d.stage_changes, d.statuses, ctx.goals_file, d.users, ctx.period, ctx.as_of, ctx.manager_models
    )
    if mp.empty:
        return sec.text(t("goals.managers.none", lang, period=ctx.period_label))
    for metric, g in mp.groupby("metric", sort=False):
        low = g.sort_values("done_share").iloc[0]
        sec.text(
            t(
                "goals.managers.sentence",
                lang,
                metric=_metric(lang, metric),
                done=int((g["done_share"] >= 1).sum()),
                total=fmt.count(len(g), "manager_gen", lang),
                name=low["manager"],
                share=fmt.done_percent(low["done_share"], lang),
                fact=_value(ctx, metric, low["fact"]),
                plan=_value(ctx, metric, low["plan"]),
            ),
            finding=True,
        )
        risk = g[(g["done_share"] < 1) & (g["projected_share"] < 1)]
        if len(risk) and (ctx.as_of < ctx.period.end_ts):
            sec.text(
                t(
                    "goals.managers.at_risk",
                    lang,
                    metric=_metric(lang, metric),
                    names=", ".join(
                        f"{n} ({fmt.done_percent(s, lang)})" for n, s in zip(risk["manager"], risk["projected_share"])
                    ),
                )
            )
        off = g[g["status"] == "inactive"]
        if len(off) and (ctx.as_of < ctx.period.end_ts):
            sec.text(t("goals.managers.inactive", lang, names=", ".join(off["manager"])))
        sec.text(t("goals.managers.sum", lang, metric=_metric(lang, metric), sum=_value(ctx, metric, g["plan"].sum())))
    sec.figure(charts.managers(mp, lang))

    def in_metric(col: str):
        """The column's values, each formatted in its row's metric (money or deals)."""
        return lambda df: pd.Series(
            [
                _value(ctx, m, x) if not (isinstance(x, float) and math.isnan(x)) else fmt.DASH
                for x, m in zip(df[col], df["metric"])
            ],
            index=df.index,
            dtype=object,
        )

    kit.table(
        sec,
        "managers",
        mp,
        [
            kit.Column("common.manager", "manager", "text"),
            kit.Column("common.metric", "metric", lambda k, lang_: t(f"goals.metric.{k}", lang_)),
            kit.Column("goals.plan.row.plan", in_metric("plan"), "text", right=True),
            kit.Column("goals.plan.row.fact", in_metric("fact"), "text", right=True),
            kit.Column("goals.plan.row.done", "done_share", lambda x, lang_: fmt.done_percent(x, lang_), right=True),
            kit.Column("goals.plan.row.remaining", in_metric("remaining"), "text", right=True),
            kit.Column("goals.managers.projected", "projected_share", "percent"),
        ],
    )
    sec.note(
        t(
            "goals.def.fact",
            lang,
            metric_def=t("goals.def.metric.revenue", lang) + " / " + t("goals.def.metric.won_deals", lang),
            as_of=_day(ctx, ctx.as_of),
        )
    )
    sec.note(t("goals.def.projection", lang))
    return sec


def summary(ctx: Context) -> Section:
    """The findings of every section, in one list."""
    return kit.takeaways(ctx, "goals.summary.title")
