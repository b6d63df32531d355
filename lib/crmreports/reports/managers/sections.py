"""Sections of the managers notebook («По сотрудникам»): figures from :mod:`.metrics` and
:mod:`crmreports.store.discipline` on what :mod:`.query` read, charts, narrative, definitions.

For the team (or a group) the report compares every manager; for one manager it is that manager's personal
page: their figures against the team's and the lists they must act on, each deal linked to the CRM when the
account's address is known (:mod:`crmreports.present.links`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial

import numpy as np
import pandas as pd

from ...core import fmt
from ...core.labels import t
from ...present import kit, links
from ...present.context import Context, publish, title  # noqa: F401  (the notebook calls report.title and report.publish)
from ...present.section import Section
from ...store import concepts, discipline
from ...store import meetings as meeting_rules
from ...store import plans as plan_lib
from . import charts, metrics
from . import query as queries

REPORT = __package__.rpartition(".")[2]
LIST_ROWS = 15  # rows of each action list shown (the CSV has them all)
STAGE_COLUMNS = 10  # the loss heatmap shows at most this many stages (by money lost)


@dataclass
class ManagersContext(Context):
    """The report context plus the address deal links use (None: no links), the meetings rule (the calls
    report's, :mod:`crmreports.store.meetings`), the plans (:mod:`crmreports.store.plans`; None without a plan
    file) and a cache of computed tables."""

    link_base: str | None = None
    rule: meeting_rules.MeetingRule = meeting_rules.DEFAULT_RULE
    goals_file: plan_lib.GoalsFile | None = None
    goals_error: plan_lib.GoalsError | None = None  # the default plans file could not be used
    _cache: dict = field(default_factory=dict)

    @property
    def user_ids(self) -> list[int] | None:
        return list(self.scope.user_ids) or None

    @property
    def is_manager(self) -> bool:
        return self.scope.kind == "manager"


def open(
    period: str = "",
    manager: str = "",
    pipeline: str = "",
    store: str = "data/crm.duckdb",
    lang: str = "ru",
    deal_links: str = "",
    goals_path: str = plan_lib.DEFAULT_GOALS,
    meetings: str | None = None,
) -> ManagersContext:
    """Resolve the parameters, read the meetings rule (``params/meetings.yaml``, the calls report's) and the team's
    deals, stage changes, calls and tasks and the forecast's read (:func:`.query.load_managers`), then the plans
    (``goals_path``; the default file may be missing: no plans then; a named file that is missing or a bad file is
    a clear error). ``deal_links``: the CRM's address for deal links (e.g. ``https://mycompany.amocrm.ru``);
    empty: the synced account's own, none for the demo and imports."""
    links.clean_base(deal_links)  # a bad address is an error before anything is read
    rule = meeting_rules.read_meeting_rule(meetings)
    ctx = kit.open_report(
        REPORT, queries.load_managers, period, manager, pipeline, store, lang, ManagersContext, rule=rule
    )
    ctx.link_base = links.account_base(ctx.data.account, deal_links)
    ctx.goals_file, ctx.goals_error = _goals(goals_path, ctx.data.users)
    if rule.kind == "stage":
        meeting_rules.stage_ids(rule, ctx.data.statuses)  # a stage naming no stage of the account: an error now
    return ctx


def _goals(path: str, users: pd.DataFrame) -> tuple[plan_lib.GoalsFile | None, plan_lib.GoalsError | None]:
    """The plans of ``path`` (:func:`crmreports.store.plans.load_goals`) and, for the default file, the error that
    kept it from being read (the report then says so instead of failing: the plans are one figure of many); a
    plans file named explicitly that is missing or wrong is an error. (None, None): the default file is absent."""
    default = not path or str(path) == plan_lib.DEFAULT_GOALS
    if default and not plan_lib.resolve_goals_path(path).exists():
        return None, None
    try:
        return plan_lib.load_goals(path or plan_lib.DEFAULT_GOALS, users), None
    except plan_lib.GoalsError as exc:
        if not default:
            raise
        return None, exc


# ---- computed once ------------------------------------------------------------------------------------------


def _names(ctx: ManagersContext) -> dict:
    return dict(zip(ctx.data.users["id"], ctx.data.users["name"]))


def _tasks(ctx: ManagersContext) -> pd.DataFrame:
    """The account's tasks; with a pipeline filter, those on deals of the pipelines shown."""
    tk = ctx.data["tasks"]
    if ctx.pipeline_ids:
        on = tk["entity"].astype(str).str.lower().isin(discipline.DEAL_ENTITIES)
        tk = tk[~on | tk["entity_id"].isin(ctx.data.leads["id"])]
    return tk


def _meetings(ctx: ManagersContext) -> pd.DataFrame:
    """Every meeting of the configured rule (:func:`crmreports.store.meetings.meeting_events`) on the data read;
    with a pipeline filter, those on the pipeline's deals (as the calls report counts them)."""
    if "meetings" not in ctx._cache:
        d = ctx.data
        ev = meeting_rules.meeting_events(ctx.rule, d["tasks"], d.stage_changes, d.statuses, d.leads)
        if ctx.pipeline_ids:
            ev = ev[ev["lead_id"].isin(d.leads["id"])]
        ctx._cache["meetings"] = ev
    return ctx._cache["meetings"]


def _snapshots(ctx: ManagersContext) -> pd.DataFrame | None:
    """The forecast's snapshots of the deals read (:func:`.metrics.forecast_snapshots`); None without the read."""
    if "snapshots" not in ctx._cache:
        fd = ctx.data.forecast
        ctx._cache["snapshots"] = (
            None
            if fd is None
            else metrics.forecast_snapshots(fd.leads, fd.origin_stages, fd.month_stages, fd.statuses, fd.origin)
        )
    return ctx._cache["snapshots"]


def _weighted(ctx: ManagersContext, op: pd.DataFrame, user_ids) -> float:
    """The weighted pipeline of the open deals ``op`` of the users ``user_ids`` (None: the team): each deal's
    amount × the probability that it is ever won, by the forecast's model of that scope
    (:func:`.metrics.forecast_probabilities`); NaN when the scope's history is too short for any probability."""
    snaps = _snapshots(ctx)
    if snaps is None:
        return float("nan")
    key = ("probabilities", tuple(user_ids) if user_ids is not None else None)
    if key not in ctx._cache:
        ctx._cache[key] = metrics.forecast_probabilities(snaps, ctx.data.forecast.origin, user_ids)
    w = metrics.weighted_open_deals(op, op["created_at"], ctx._cache[key], ctx.as_of)
    return float(w.sum(min_count=1)) if len(op) else 0.0


def _discipline(ctx: ManagersContext) -> dict:
    """Open deals (with task flags, stage P75), overdue tasks, at the as-of moment."""
    if "discipline" not in ctx._cache:
        d, moment = ctx.data, ctx.as_of
        od = _open_at(ctx, moment)  # the pushed-down equivalents of the store.discipline definitions
        last = ctx._cache[("last_at", pd.Timestamp(moment))]
        status = discipline.open_deals_task_status_fast(d.leads, d.stage_changes, d.statuses, _tasks(ctx), moment, od)
        stale = discipline.stale_deals_fast(d.leads, d.stage_changes, d.statuses, moment, open_deals=od, last=last)
        status = status.merge(
            stale[["id", "days_in_stage", "p75_days", "stays", "stale", "entered_stage"]], on="id", how="left"
        )
        status["amount"] = status["price"].fillna(0.0)
        overdue = discipline.overdue_tasks(_tasks(ctx), moment)
        lead_names = d.leads.set_index("id")["name"]
        lead_price = d.leads.set_index("id")["price"]
        overdue["lead_name"] = overdue["lead_id"].map(lead_names)
        overdue["amount"] = overdue["lead_id"].map(lead_price)
        ctx._cache["discipline"] = {"open": status, "overdue": overdue}
    return ctx._cache["discipline"]


def _open_at(ctx: ManagersContext, moment) -> pd.DataFrame:
    """:func:`concepts.open_deals_at` of the team's deals at ``moment`` (its pushed-down equivalent), once."""
    key = ("open_at", pd.Timestamp(moment))
    if key not in ctx._cache:
        d = ctx.data
        last = discipline.last_changes(d.stage_changes, d.leads, moment)
        ctx._cache[("last_at", pd.Timestamp(moment))] = last
        ctx._cache[key] = discipline.open_deals_at_fast(d.leads, d.stage_changes, d.statuses, moment, last)
    return ctx._cache[key]


def _windows(ctx: ManagersContext) -> dict:
    return {"current": ctx.period, "previous": ctx.period.previous(), "year_ago": ctx.period.year_ago()}


def _levers(ctx: ManagersContext, fig: dict, period, user_ids) -> dict:
    """The four velocity levers of a window: open deals at its end (or at the as-of moment if earlier)."""
    d = ctx.data
    moment = min(period.end_ts, ctx.as_of)
    od = _open_at(ctx, moment)
    if user_ids is not None:
        owner = d.leads.set_index("id")["responsible_user_id"]
        od = od[od["id"].map(owner).isin(user_ids)]
    return {
        "open_deals": float(len(od)),
        "win_rate": fig["win_rate"],
        "average_check": fig["average_check"],
        "cycle_days": fig["cycle_median_days"],
    }


def _figures(ctx: ManagersContext, user_ids, windows=("current", "previous", "year_ago")) -> dict:
    """{window: figures} of the users ``user_ids`` (None: the team), with the velocity and its levers."""
    key = ("fig", tuple(user_ids) if user_ids is not None else None, tuple(windows))
    if key not in ctx._cache:
        d, out = ctx.data, {}
        for w in windows:
            p = _windows(ctx)[w]
            f = metrics.period_figures(
                d.leads, d["calls"], _tasks(ctx), d.stage_changes, p, ctx.as_of, user_ids, d.statuses, _meetings(ctx)
            )
            f["levers"] = _levers(ctx, f, p, user_ids)
            f["velocity_per_day"] = metrics.velocity(*(f["levers"][k] for k in metrics.LEVERS))
            out[w] = f
        ctx._cache[key] = out
    return ctx._cache[key]


def _scope_ids(ctx: ManagersContext):
    return ctx.user_ids


def _people(ctx: ManagersContext) -> list[int]:
    """The managers compared: the scope's users with deals, calls or tasks in the period or open deals now."""
    d = ctx.data
    p = ctx.period
    ids = set(d.leads.loc[p.contains(d.leads["created_at"]) | p.contains(d.leads["closed_at"]), "responsible_user_id"])
    ids |= set(d["calls"].loc[p.contains(d["calls"]["at"]), "user_id"])
    ids |= set(_discipline(ctx)["open"]["responsible_user_id"])
    ids = {int(i) for i in ids if pd.notna(i)} & set(d.users["id"].astype(int))
    if ctx.user_ids is not None:
        ids &= set(ctx.user_ids)
    names = _names(ctx)
    return sorted(ids, key=lambda i: str(names.get(i, "")))


def _discipline_row(ctx: ManagersContext, user_ids) -> dict:
    dd = _discipline(ctx)
    op, ov = dd["open"], dd["overdue"]
    if user_ids is not None:
        op = op[op["responsible_user_id"].isin(user_ids)]
        ov = ov[ov["responsible_user_id"].isin(user_ids)]
    no_task = op[~op["has_task"]]
    return {
        "open_deals": len(op),
        "open_pipeline": float(op["amount"].sum()),
        "weighted_pipeline": _weighted(ctx, op, user_ids),
        "overdue_tasks": len(ov),
        "overdue_oldest_days": float(ov["overdue_days"].max()) if len(ov) else float("nan"),
        "open_deals_without_task": len(no_task),
        "without_task_contact_task": int(no_task["contact_task"].sum()),
        "without_task_only_completed": int(no_task["had_tasks"].sum()),
        "without_task_amount": float(no_task["amount"].sum()),
        "stale_deals": int(op["stale"].fillna(False).astype(bool).sum()),
        "stale_amount": float(op.loc[op["stale"].fillna(False).astype(bool), "amount"].sum()),
    }


NO_PLAN = object()  # a row that has no plan of its own (a group: plans are set for the team or one manager)


def _plan(ctx: ManagersContext, user_ids, scope_name=NO_PLAN) -> dict:
    """The plan of the row's scope for exactly the report's period (``scope_name``: None for the team, a manager's
    name) and its done share (:mod:`crmreports.store.plans`): ``plan_metric``, ``plan_target``, ``plan_fact``,
    ``plan_done_share`` (None / NaN without a plan)."""
    plan = None if scope_name is NO_PLAN else metrics.period_plan(ctx.goals_file, scope_name, ctx.period)
    if plan is None:
        nan = float("nan")
        return {"plan_metric": None, "plan_target": nan, "plan_fact": nan, "plan_done_share": nan}
    leads = ctx.data.leads
    if user_ids is not None:
        leads = leads[leads["responsible_user_id"].isin(user_ids)]
    return {
        "plan_metric": plan.metric,
        "plan_target": plan.target,
        "plan_fact": plan_lib.fact(leads, plan.period, plan.metric, ctx.as_of),
        "plan_done_share": plan_lib.done_share(plan, leads, ctx.as_of),
    }


def _row(ctx: ManagersContext, user_ids, name: str, team_rate: float, plan_scope=NO_PLAN) -> dict:
    f = _figures(ctx, user_ids, ("current", "previous"))
    cur, prev = f["current"], f["previous"]
    lo, hi = concepts.wilson_interval(cur["won_deals"], cur["decided_deals"])
    mlo, mhi = (
        concepts.wilson_interval(cur["meetings"], cur["calls_total"])
        if cur["meetings"] <= cur["calls_total"]
        else (
            float("nan"),
            float("nan"),
        )
    )
    dec = metrics.decompose(prev["levers"], cur["levers"])
    row = {
        "user_id": user_ids[0] if user_ids is not None and len(user_ids) == 1 else None,
        "manager": name,
        **{k: v for k, v in cur.items() if k != "levers"},
        "win_rate_lo": lo,
        "win_rate_hi": hi,
        "win_rate_shrunk": metrics.shrunk_rate(cur["won_deals"], cur["decided_deals"], team_rate),
        "call_to_meeting_lo": mlo,
        "call_to_meeting_hi": mhi,
        "velocity_previous": prev["velocity_per_day"],
        "velocity_change": dec.total if dec else float("nan"),
        **{f"lever_{k}": (dec.parts[k] if dec else float("nan")) for k in metrics.LEVERS},
        "lever_method": dec.method if dec else None,
        **_discipline_row(ctx, user_ids),
        **_plan(ctx, user_ids, plan_scope),
    }
    row["versus_team"] = metrics.separated(lo, hi, team_rate) if user_ids is not None else ""
    return row


def scorecard(ctx: ManagersContext) -> pd.DataFrame:
    """One row per manager compared and one for the team (``manager`` = the team's label, ``user_id`` None):
    the period's figures, intervals, the shrunk win rate, velocity and its levers, discipline now."""
    if "scorecard" not in ctx._cache:
        team_cur = _figures(ctx, None, ("current", "previous"))["current"]
        team_rate = team_cur["win_rate"]
        names = _names(ctx)
        rows = [_row(ctx, [uid], str(names.get(uid, uid)), team_rate, str(names.get(uid, uid))) for uid in _people(ctx)]
        if ctx.scope.kind == "group":
            rows.append(_row(ctx, ctx.user_ids, ctx.scope_label, team_rate))
        rows.append(_row(ctx, None, t("common.team", ctx.lang), team_rate, None))
        ctx._cache["scorecard"] = pd.DataFrame(rows)
    return ctx._cache["scorecard"]


# ---- formatting helpers -------------------------------------------------------------------------------------


def _ci(ctx: ManagersContext, p, lo, hi, k, n) -> str:
    """``34 % (95 % ДИ 22–48 %; 12 из 35)``."""
    lang = ctx.lang
    if not n:
        return fmt.DASH
    return t(
        "managers.ci",
        lang,
        p=fmt.percent(p, lang),
        lo=fmt.percent(lo, lang),
        hi=fmt.percent(hi, lang),
        k=fmt.number(k, lang),
        n=fmt.number(n, lang),
    )


def _range(ctx: ManagersContext, lo, hi) -> str:
    """``17–33 %``, or a dash without an interval."""
    if pd.isna(lo) or pd.isna(hi):
        return fmt.DASH
    return f"{fmt.number(100 * lo, ctx.lang)}–{fmt.percent(hi, ctx.lang)}"


def _hours(v, lang: str) -> str:
    return fmt.DASH if pd.isna(v) else fmt.duration_hm(float(v) * 3600, lang)


def _count_share(ctx: ManagersContext, k, n) -> str:
    """``46 (49 %)``: a count and its share of ``n``; the count alone when ``n`` is 0."""
    if pd.isna(k):
        return fmt.DASH
    if not n:
        return fmt.number(k, ctx.lang)
    return f"{fmt.number(k, ctx.lang)} ({fmt.percent(k / n, ctx.lang)})"


def _signed_money(ctx: ManagersContext, v) -> str:
    """``+9 978 ₽`` / ``−5 040 ₽`` (a true minus sign), a dash when missing."""
    if v is None or pd.isna(v):
        return fmt.DASH
    return ("+" if v >= 0 else "−") + ctx.money(abs(v))


def _win_rate_cell(ctx: ManagersContext, won, decided) -> str:
    """``14 из 95``: the decided deals a win rate rests on."""
    if not decided or pd.isna(decided):
        return fmt.DASH
    return t("managers.k_of_n", ctx.lang, k=fmt.number(won, ctx.lang), n=fmt.number(decided, ctx.lang))


def _show(ctx: ManagersContext, key: str, v) -> str:
    lang = ctx.lang
    if key in metrics.RATE_KEYS:
        return fmt.percent(v, lang, 1)
    if key in ("revenue", "average_check", "velocity_per_day", "lost_amount"):
        return ctx.money(v)
    if key == "talk_time_s":
        return fmt.duration_hm(v, lang)
    if key == "processing_median_h":
        return _hours(v, lang)
    if key == "cycle_median_days":
        return fmt.days(v, lang, 1)
    return fmt.number(v, lang)


KPI_KEYS = [
    "calls_out",
    "calls_in",
    "calls_missed",
    "talk_time_s",
    "meetings",
    "tasks_completed",
    "created_deals",
    "won_deals",
    "revenue",
    "average_check",
    "win_rate",
    "win_rate_money",
    "call_to_meeting",
    "processing_median_h",
    "cycle_median_days",
    "velocity_per_day",
]


def _num(v):
    return None if v is None or (isinstance(v, float) and np.isnan(v)) else v


# ---- sections -----------------------------------------------------------------------------------------------


def kpis(ctx: ManagersContext) -> Section:
    """The scope's activity and results against the previous period and a year ago (and the team's, for one
    manager)."""
    lang = ctx.lang
    f = _figures(ctx, ctx.user_ids)
    k = pd.DataFrame({w: {key: f[w][key] for key in KPI_KEYS} for w in ("current", "previous", "year_ago")})
    cur = f["current"]
    for key in KPI_KEYS + ["lost_deals", "calls_total", "decided_deals"]:
        ctx.figures[key] = int(cur[key]) if key in metrics.COUNT_KEYS else _num(float(cur[key]))
    ctx.comparisons.update(previous=k["previous"].to_dict(), year_ago=k["year_ago"].to_dict())
    sec = Section(ctx, "kpis", t("managers.kpi.title", lang))
    lo, hi = concepts.wilson_interval(cur["won_deals"], cur["decided_deals"])
    sec.text(
        t(
            "managers.kpi.sentence",
            lang,
            period=ctx.period_label,
            revenue=ctx.money(cur["revenue"]),
            won=fmt.count(cur["won_deals"], "won_deal", lang),
            d_prev=fmt.change(cur["revenue"], f["previous"]["revenue"], lang),
            d_year=fmt.change(cur["revenue"], f["year_ago"]["revenue"], lang),
            rate=_ci(ctx, cur["win_rate"], lo, hi, cur["won_deals"], cur["decided_deals"]),
        ),
        finding=True,
    )
    if ctx.user_ids is not None:
        team = _figures(ctx, None)["current"]
        tlo, thi = concepts.wilson_interval(team["won_deals"], team["decided_deals"])
        side = metrics.separated(lo, hi, team["win_rate"])
        sec.text(
            t(
                f"managers.kpi.vs_team{('_' + side) if side else ''}",
                lang,
                rate=_ci(ctx, team["win_rate"], tlo, thi, team["won_deals"], team["decided_deals"]),
                check=ctx.money(team["average_check"]),
                cycle=fmt.days(team["cycle_median_days"], lang, 1),
            ),
            finding=bool(side),
        )
    if cur["calls_total"] and cur["meetings"] > cur["calls_total"]:
        sec.text(t("managers.kpi.meetings_over_calls", lang), finding=True)
    kit.kpi_comparison(
        ctx,
        sec,
        k,
        KPI_KEYS,
        lambda key: t(f"managers.kpi.{key}", lang),
        partial(_show, ctx),
        metrics.RATE_KEYS,
        prefix="managers",
    )
    plan = _scope_plan(ctx)
    if plan["plan_metric"] is not None:
        ctx.figures.update(
            plan_metric=plan["plan_metric"],
            plan=plan["plan_target"],
            fact=plan["plan_fact"],
            plan_done_share=plan["plan_done_share"],
        )
        sec.text(
            t(
                "managers.plan.sentence",
                lang,
                metric=t(f"managers.plan.metric.{plan['plan_metric']}", lang),
                target=_plan_amount(ctx, plan["plan_metric"], plan["plan_target"]),
                fact=_plan_amount(ctx, plan["plan_metric"], plan["plan_fact"]),
                share=fmt.done_percent(plan["plan_done_share"], lang, 1),
            ),
            finding=True,
        )
    elif ctx.goals_error is not None:
        e = ctx.goals_error
        sec.text(t("managers.plan.file_error", lang, source=e.source, n=len(e.errors), first=e.errors[0]), finding=True)
    sec.note(t("managers.def.activity", lang))
    sec.note(_meeting_rule_note(ctx))
    sec.note(t("managers.def.results", lang))
    sec.note(t("managers.def.processing", lang, n=fmt.number(cur["unprocessed"], lang)))
    sec.note(t("managers.def.velocity", lang))
    if plan["plan_metric"] is not None:
        sec.note(_plan_note(ctx))
    return sec


def _scope_plan(ctx: ManagersContext) -> dict:
    """:func:`_plan` of the report's scope: the team's, one manager's, none for a group."""
    if ctx.scope.kind == "team":
        return _plan(ctx, None, None)
    if ctx.is_manager:
        return _plan(ctx, ctx.user_ids, ctx.scope.name)
    return _plan(ctx, ctx.user_ids)


def _plan_amount(ctx: ManagersContext, metric: str, v) -> str:
    return ctx.money(v) if metric == "revenue" else fmt.count(v, "won_deal", ctx.lang)


def _plan_note(ctx: ManagersContext) -> str:
    source = ctx.goals_file.source if ctx.goals_file is not None else plan_lib.DEFAULT_GOALS
    return t("managers.def.plan", ctx.lang, source=source)


def _meeting_rule_note(ctx: ManagersContext) -> str:
    """What counts as a meeting: the configured rule (the calls report's) and where it comes from."""
    r, lang = ctx.rule, ctx.lang
    source = r.source if r.source != "default" else t("managers.def.meeting_default", lang)
    if r.kind == "stage":
        return t("managers.def.meeting_stage", lang, stage=r.stage, source=source)
    name = t("managers.def.meeting_task_name", lang) if r.task_type_id == 2 else ""
    return t("managers.def.meeting_task", lang, name=name, id=r.task_type_id, source=source)


def _no_tasks_sentence(ctx: ManagersContext, sec: Section) -> bool:
    if ctx.data["tasks"].empty:
        sec.text(t("managers.disc.no_tasks_data", ctx.lang), finding=True)
        return True
    return False


def discipline_section(ctx: ManagersContext) -> Section:
    """Open deals, pipeline (amount, weighted), overdue tasks, deals without an open task, stale deals — at the
    as-of moment; per manager for the team, the manager against the team's average for one manager."""
    lang = ctx.lang
    sec = Section(ctx, "discipline", t("managers.disc.title", lang, as_of=fmt.datetime_(ctx.as_of, lang)))
    me = _discipline_row(ctx, ctx.user_ids)
    for key in ("open_deals", "overdue_tasks", "open_deals_without_task", "stale_deals"):
        ctx.figures[key] = int(me[key])
    for key in ("open_pipeline", "weighted_pipeline", "overdue_oldest_days"):
        ctx.figures[key] = _num(float(me[key]))
    no_tasks = _no_tasks_sentence(ctx, sec)
    if not no_tasks:
        sec.text(
            t(
                "managers.disc.sentence",
                lang,
                open=fmt.count(me["open_deals"], "open_deal", lang),
                amount=ctx.money(me["open_pipeline"]),
                weighted=ctx.estimate(me["weighted_pipeline"]),
                overdue=fmt.number(me["overdue_tasks"], lang),
                oldest=fmt.days(me["overdue_oldest_days"], lang) if me["overdue_tasks"] else fmt.DASH,
                no_task=fmt.number(me["open_deals_without_task"], lang),
                no_task_amount=ctx.money(me["without_task_amount"]),
                stale=fmt.number(me["stale_deals"], lang),
                stale_amount=ctx.money(me["stale_amount"]),
            ),
            finding=True,
        )
        if me["open_deals_without_task"]:
            sec.text(
                t(
                    "managers.disc.without_detail",
                    lang,
                    completed=fmt.number(me["without_task_only_completed"], lang),
                    contact=fmt.number(me["without_task_contact_task"], lang),
                )
            )
    sc = scorecard(ctx)
    # seven columns fit the A4 width; the oldest overdue task and the split of the deals without a task stay in
    # the CSV (and the scope's own in the sentence above)
    cols = [
        kit.Column("common.manager", "manager", "text"),
        kit.Column("managers.col.open_deals", "open_deals"),
        kit.Column("managers.col.open_pipeline", "open_pipeline", "money"),
        kit.Column("managers.col.weighted", "weighted_pipeline", "estimate"),
        kit.Column("managers.col.overdue", "overdue_tasks"),
        kit.Column(
            "managers.col.without_task_share",
            lambda df: pd.Series(
                [_count_share(ctx, k, n) for k, n in zip(df["open_deals_without_task"], df["open_deals"])],
                index=df.index,
            ),
            "text",
            right=True,
        ),
        kit.Column("managers.col.stale", "stale_deals"),
    ]
    raw = sc[
        [
            "manager",
            "open_deals",
            "open_pipeline",
            "weighted_pipeline",
            "overdue_tasks",
            "overdue_oldest_days",
            "open_deals_without_task",
            "without_task_only_completed",
            "without_task_contact_task",
            "stale_deals",
            "stale_amount",
        ]
    ]
    kit.table(sec, "discipline", raw, cols)
    people = sc[sc["user_id"].notna()]
    if not no_tasks and len(people) > 1 and ctx.user_ids is None:
        worst = people.sort_values(["overdue_tasks", "manager"], ascending=[False, True]).iloc[0]
        best = people.sort_values(["overdue_tasks", "manager"]).iloc[0]
        if worst["overdue_tasks"] > 0:
            sec.text(
                t(
                    "managers.disc.most_overdue",
                    lang,
                    name=worst["manager"],
                    n=fmt.number(worst["overdue_tasks"], lang),
                    best=best["manager"],
                    best_n=fmt.number(best["overdue_tasks"], lang),
                ),
                finding=True,
            )
    sec.note(t("managers.def.overdue", lang, as_of=fmt.datetime_(ctx.as_of, lang)))
    sec.note(t("managers.def.without_task", lang))
    sec.note(t("managers.def.stale", lang, n=discipline.MIN_STAYS))
    if ctx.data.forecast is not None:
        sec.note(t("managers.def.weighted", lang, origin=fmt.day(ctx.data.forecast.origin, lang)))
    return sec


def managers_table(ctx: ManagersContext) -> Section:
    """The scorecard: every manager's results with intervals and counts, shrunk win rates, and who is above or
    below the team only where the interval says so."""
    lang = ctx.lang
    sec = Section(ctx, "scorecard", t("managers.card.title", lang))
    sc = scorecard(ctx)
    team = sc.iloc[-1]
    shown = sc if not ctx.is_manager else sc.iloc[[0, len(sc) - 1]] if len(sc) > 1 else sc
    # two tables that each fit the A4 width (the CSV has every column in one): activity and results, then the
    # win rate with the count it rests on, its interval and the shrunk rate
    cols = [
        kit.Column("common.manager", "manager", "text"),
        kit.Column("managers.col.calls", "calls_total"),
        kit.Column("managers.col.meetings", "meetings"),
        kit.Column("managers.col.won", "won_deals"),
        kit.Column("managers.col.revenue", "revenue", "money"),
        kit.Column("managers.col.processing", "processing_median_h", _hours, right=True),
    ]
    has_plan = sc["plan_metric"].notna().any()
    if has_plan:  # next to the revenue it is mostly about
        plan = kit.Column(
            "managers.col.plan", "plan_done_share", lambda v, lang: fmt.done_percent(v, lang, 1), right=True
        )
        cols.insert(5, plan)
    kit.table(sec, "managers", sc.drop(columns=["user_id"]), cols, shown_rows=shown)
    if ctx.is_manager:
        sec.tables["managers"] = sc.drop(columns=["user_id"])
    rate_cols = [
        kit.Column("common.manager", "manager", "text"),
        kit.Column(
            "managers.col.won_of_decided",
            lambda df: pd.Series(
                [_win_rate_cell(ctx, k, n) for k, n in zip(df["won_deals"], df["decided_deals"])], index=df.index
            ),
            "text",
            right=True,
        ),
        kit.Column("managers.col.win_rate", "win_rate", "percent"),
        kit.Column(
            "managers.col.ci",
            lambda df: pd.Series(
                [_range(ctx, lo, hi) for lo, hi in zip(df["win_rate_lo"], df["win_rate_hi"])], index=df.index
            ),
            "text",
            right=True,
        ),
        kit.Column("managers.col.shrunk", "win_rate_shrunk", "percent"),
    ]
    rates, numeric = kit.shown_table(ctx, shown, rate_cols)
    sec.table("managers_win_rates", sc.drop(columns=["user_id"]), rates, numeric=numeric, publish=False)
    people = sc[sc["user_id"].notna()]
    above = people.loc[people["versus_team"] == "above", "manager"].tolist()
    below = people.loc[people["versus_team"] == "below", "manager"].tolist()
    if not ctx.is_manager:
        if above or below:
            which = "both" if above and below else "above" if above else "below"
            sec.text(
                t(
                    f"managers.card.separated_{which}",
                    lang,
                    above=", ".join(above),
                    below=", ".join(below),
                    team=fmt.percent(team["win_rate"], lang),
                ),
                finding=True,
            )
        else:
            sec.text(t("managers.card.no_ranking", lang), finding=True)
        few = people.loc[people["decided_deals"] < metrics.PRIOR_DEALS, "manager"].tolist()
        if few:
            sec.text(t("managers.card.few", lang, names=", ".join(few), k=metrics.PRIOR_DEALS))
    chart_rows = people if not ctx.is_manager else sc.iloc[[0]]
    if chart_rows["decided_deals"].sum():
        sec.figure(charts.win_rates(chart_rows, team["win_rate"], lang))
    sec.note(t("managers.def.ci", lang))
    sec.note(t("managers.def.shrink", lang, k=metrics.PRIOR_DEALS))
    if has_plan:
        sec.note(_plan_note(ctx))
    return sec


def velocity(ctx: ManagersContext) -> Section:
    """Sales velocity per manager and its change against the previous period split into the four levers."""
    lang = ctx.lang
    sec = Section(ctx, "velocity", t("managers.vel.title", lang))
    f = _figures(ctx, ctx.user_ids)
    cur, prev = f["current"], f["previous"]
    ctx.figures["velocity_per_day"] = _num(cur["velocity_per_day"])
    dec = metrics.decompose(prev["levers"], cur["levers"])
    if dec is None:
        sec.text(t("managers.vel.none", lang), finding=False)
    else:
        ctx.figures["velocity_change"] = dec.total
        ctx.figures.update({f"velocity_lever_{k}": v for k, v in dec.parts.items()})
        biggest = max(dec.parts, key=lambda k: abs(dec.parts[k]))
        sec.text(
            t(
                "managers.vel.sentence",
                lang,
                v=ctx.money(dec.current),
                v0=ctx.money(dec.previous),
                d=_signed_money(ctx, dec.total),
                lever=t(f"managers.lever.{biggest}", lang),
                part=_signed_money(ctx, dec.parts[biggest]),
            ),
            finding=True,
        )
        sec.figure(charts.velocity_bridge(dec.parts, dec.previous, dec.current, lang, ctx.currency))
        lev = pd.DataFrame(
            {
                "lever": list(metrics.LEVERS),
                "previous": [prev["levers"][k] for k in metrics.LEVERS],
                "current": [cur["levers"][k] for k in metrics.LEVERS],
                "effect_per_day": [dec.parts[k] for k in metrics.LEVERS],
            }
        )
        show = {
            "open_deals": lambda v: fmt.number(v, lang),
            "win_rate": lambda v: fmt.percent(v, lang, 1),
            "average_check": ctx.money,
            "cycle_days": lambda v: fmt.days(v, lang, 1),
        }
        shown = pd.DataFrame(
            {
                t("managers.col.lever", lang): [t(f"managers.lever.{k}", lang) for k in lev["lever"]],
                fmt.period_label(ctx.period.previous(), lang): [
                    show[k](v) for k, v in zip(lev["lever"], lev["previous"])
                ],
                ctx.period_label: [show[k](v) for k, v in zip(lev["lever"], lev["current"])],
                t("managers.col.effect", lang): [_signed_money(ctx, v) for v in lev["effect_per_day"]],
            }
        )
        sec.table("velocity_levers", lev, shown, numeric=set(shown.columns[1:]))
    if not ctx.is_manager:
        sc = scorecard(ctx)
        signed = lambda v, lang: _signed_money(ctx, v)  # noqa: E731
        cols = [
            kit.Column("common.manager", "manager", "text"),
            kit.Column("managers.col.velocity", "velocity_per_day", "money"),
            kit.Column("managers.col.velocity_prev", "velocity_previous", "money"),
        ] + [kit.Column(f"managers.lever.{k}", f"lever_{k}", signed, right=True) for k in metrics.LEVERS]
        sec.text(t("managers.vel.by_manager", lang))
        kit.table(
            sec,
            "velocity",
            sc[
                ["manager", "velocity_per_day", "velocity_previous", "velocity_change"]
                + [f"lever_{k}" for k in metrics.LEVERS]
                + ["lever_method"]
            ],
            cols,
        )
    sec.note(t("managers.def.velocity", lang))
    sec.note(t("managers.def.levers", lang))
    return sec


def losses(ctx: ManagersContext) -> Section:
    """Loss reasons ranked by money lost, and money lost by stage of loss × manager."""
    lang = ctx.lang
    sec = Section(ctx, "losses", t("managers.loss.title", lang))
    d = ctx.data
    leads = d.leads if ctx.user_ids is None else d.leads[d.leads["responsible_user_id"].isin(ctx.user_ids)]
    lost = metrics.losses(leads, d.stage_changes, d.loss_reasons, ctx.period)
    if lost.empty:
        return sec.text(t("managers.loss.none", lang))
    by = metrics.reasons_by_money(lost)
    top = by.iloc[0]
    ctx.figures["lost_amount"] = float(lost["amount"].sum())
    sec.text(
        t(
            "managers.loss.sentence",
            lang,
            n=fmt.count(len(lost), "deal", lang),
            amount=ctx.money(lost["amount"].sum()),
            reason=top["reason"] or t("managers.loss.no_reason", lang),
            top=ctx.money(top["amount"]),
            share=fmt.percent(top["share"], lang),
        ),
        finding=True,
    )
    kit.table(
        sec,
        "loss_reasons",
        by,
        [
            kit.Column(
                "managers.col.reason", lambda df: df["reason"].fillna(t("managers.loss.no_reason", lang)), "text"
            ),
            kit.Column("managers.col.deals", "deals"),
            kit.Column("managers.col.amount", "amount", "money"),
            kit.Column("common.share", "share", "percent"),
        ],
    )
    st = d.statuses.assign(key=d.statuses["pipeline_id"].astype(str) + ":" + d.statuses["id"].astype(str))
    stage_names = dict(zip(st["key"], st["name"]))
    names = _names(ctx)
    lost = lost.assign(
        stage=lost["stage_key"].map(stage_names).fillna(t("common.unknown", lang)),
        manager=lost["responsible_user_id"].map(names).fillna(t("common.unknown", lang)),
    )
    grid = lost.pivot_table(index="manager", columns="stage", values="amount", aggfunc="sum", fill_value=0.0)
    order = grid.sum().sort_values(ascending=False).index[:STAGE_COLUMNS]
    grid = grid[order]
    sec.tables["loss_grid"] = grid
    ctx.tables["loss_grid"] = grid.reset_index()
    sec.figure(charts.heatmap(grid, t("managers.chart.losses", lang), lang, money=True, currency=ctx.currency))
    sec.note(t("managers.def.losses", lang))
    return sec


def activity(ctx: ManagersContext) -> Section:
    """Actions by weekday × hour: calls, stage moves, tasks completed (the stand-in for «Опер. день»)."""
    lang = ctx.lang
    sec = Section(ctx, "activity", t("managers.act.title", lang))
    d = ctx.data
    grid = metrics.activity_grid(d["calls"], d.stage_changes, _tasks(ctx), ctx.period, ctx.user_ids)
    total = int(grid.to_numpy().sum())
    if total == 0:
        return sec.text(t("common.no_data", lang))
    hours = grid.sum(axis=0)
    active = hours[hours > 0]
    work = grid.loc[:, 9:17].to_numpy().sum()
    sec.text(
        t(
            "managers.act.sentence",
            lang,
            n=fmt.number(total, lang),
            first=f"{int(active.index.min()):02d}:00",
            last=f"{int(active.index.max()) + 1:02d}:00",
            share=fmt.percent(work / total, lang),
            weekend=fmt.percent(grid.loc[5:6].to_numpy().sum() / total, lang),
        )
    )
    shown = grid.copy()
    shown.index = [t(f"managers.weekday.{i}", lang) for i in shown.index]
    # the hours from the first to the last with any action, gaps kept (a dropped empty hour would squeeze the
    # time axis)
    first, last = int(active.index.min()), int(active.index.max())
    shown = shown.loc[:, [first <= int(h) <= last for h in grid.columns]]
    shown.columns = [f"{int(h):02d}" for h in shown.columns]
    sec.tables["activity"] = grid
    ctx.tables["activity"] = grid.reset_index(names="weekday")
    sec.figure(charts.heatmap(shown, t("managers.chart.activity", lang), lang))
    sec.note(t("managers.def.activity_grid", lang))
    return sec


def _action_table(ctx: ManagersContext, sec: Section, name: str, raw: pd.DataFrame, cols: list, lead_col: str) -> None:
    shown, numeric = kit.shown_table(ctx, raw.head(LIST_ROWS), cols)
    urls = [links.deal_url(ctx.link_base, v) for v in raw[lead_col].head(LIST_ROWS)]
    deal_header = t("managers.col.deal", ctx.lang)
    more = t("report.more_rows", ctx.lang, shown=LIST_ROWS, total=fmt.number(len(raw), ctx.lang))
    sec.tables[name] = raw
    ctx.tables[name] = raw.assign(url=[links.deal_url(ctx.link_base, v) for v in raw[lead_col]])
    html = links.linked_table(shown, {deal_header: urls}, numeric)
    if len(raw) > LIST_ROWS:
        html += f'<p class="crm-more">{more}</p>'
    sec.parts.append(("html", html))


def actions(ctx: ManagersContext) -> Section:
    """What to act on now: overdue tasks, open deals without a task, stale deals (each deal linked to the CRM
    when its address is known), largest amounts first."""
    lang = ctx.lang
    sec = Section(ctx, "actions", t("managers.actions.title", lang))
    if _no_tasks_sentence(ctx, sec) and ctx.data.leads.empty:
        return sec
    dd = _discipline(ctx)
    op, ov = dd["open"], dd["overdue"]
    if ctx.user_ids is not None:
        op = op[op["responsible_user_id"].isin(ctx.user_ids)]
        ov = ov[ov["responsible_user_id"].isin(ctx.user_ids)]
    names = _names(ctx)
    st = dict(zip(zip(ctx.data.statuses["pipeline_id"], ctx.data.statuses["id"]), ctx.data.statuses["name"]))
    manager_col = [] if ctx.is_manager else [kit.Column("common.manager", "manager", "text")]
    deal_col = kit.Column("managers.col.deal", lambda df: df["deal"].fillna(fmt.DASH).astype(str), "text")
    if ctx.link_base is None:
        sec.text(t("managers.actions.no_links", lang))
    # overdue tasks, oldest first
    ov = ov.assign(
        manager=ov["responsible_user_id"].map(names),
        deal=ov["lead_name"].where(ov["lead_id"].notna(), t("managers.actions.not_on_deal", lang)),
    )
    ov_raw = ov[["id", "lead_id", "deal", "manager", "type", "complete_till", "overdue_days", "amount"]]
    sec.text(t("managers.actions.overdue", lang, n=fmt.number(len(ov), lang)))
    if len(ov):
        _action_table(
            ctx,
            sec,
            "overdue_tasks",
            ov_raw,
            [
                deal_col,
                *manager_col,
                kit.Column("managers.col.due", "complete_till", fmt.datetime_, right=True),
                kit.Column("managers.col.overdue_days", "overdue_days", "days"),
                kit.Column("managers.col.amount", "amount", "money"),
            ],
            "lead_id",
        )
    # open deals without a task, largest first
    nt = op[~op["has_task"]].sort_values(["amount", "id"], ascending=[False, True])
    nt = nt.assign(
        manager=nt["responsible_user_id"].map(names),
        deal=nt["name"],
        stage=[st.get((p, s)) for p, s in zip(nt["pipeline_id"], nt["status_id"])],
    )
    sec.text(t("managers.actions.without", lang, n=fmt.number(len(nt), lang)))
    if len(nt):
        _action_table(
            ctx,
            sec,
            "deals_without_task",
            nt[["id", "deal", "manager", "stage", "amount", "had_tasks", "contact_task"]],
            [
                deal_col,
                *manager_col,
                kit.Column("common.stage", "stage", "text"),
                kit.Column("managers.col.amount", "amount", "money"),
            ],
            "id",
        )
    # stale deals, largest first
    sd = op[op["stale"].fillna(False).astype(bool)].sort_values(["amount", "id"], ascending=[False, True])
    sd = sd.assign(
        manager=sd["responsible_user_id"].map(names),
        deal=sd["name"],
        stage=[st.get((p, s)) for p, s in zip(sd["pipeline_id"], sd["status_id"])],
    )
    sec.text(t("managers.actions.stale", lang, n=fmt.number(len(sd), lang)))
    if len(sd):
        _action_table(
            ctx,
            sec,
            "stale_deals",
            sd[["id", "deal", "manager", "stage", "days_in_stage", "p75_days", "amount"]],
            [
                deal_col,
                *manager_col,
                kit.Column("common.stage", "stage", "text"),
                kit.Column("managers.col.in_stage", "days_in_stage", "days"),
                kit.Column("managers.col.p75", "p75_days", "days"),
                kit.Column("managers.col.amount", "amount", "money"),
            ],
            "id",
        )
    return sec


def summary(ctx: ManagersContext) -> Section:
    """The findings of every section, in one list."""
    return kit.takeaways(ctx, "managers.summary.title")
