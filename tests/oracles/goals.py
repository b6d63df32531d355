"""The goals report from the whole store: the reference its pushed-down read is compared with.

:func:`full_open` is what ``crmreports.reports.goals.sections.open`` does on the whole store: every lead
and every stage change of the scope (``store.load``), and the forecast's model (which projects the rest
of a running plan) from the deals known at its origin and their snapshots rebuilt from the whole change
log (:mod:`oracles.forecast`) instead of the forecast's pushed-down read. The report's sections then run
on it unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from crmreports import store
from crmreports.present.context import validate
from crmreports.reports.goals import metrics as goals
from crmreports.reports.goals import sections as view
from crmreports.store import data_end, plans
from crmreports.store import forecasting as model_lib

from . import forecast as forecast_oracle

TABLES = ("leads", "stage_changes")


@dataclass(frozen=True)
class FullGoalsData(store.StoreData):
    """Every lead and stage change of the scope (no forecast read: the model comes from these rows)."""

    forecast: None = None


def full_open(
    period="", manager="", pipeline="", store_path="", lang="ru", as_of="", goals_path=plans.DEFAULT_GOALS
) -> view.GoalsContext:
    """``sections.open`` as it was before the pushdown: everything loaded, everything counted in pandas."""
    p, scope, pids, pname = validate(store_path, period, manager, pipeline, lang)
    full = store.load(store_path, tables=TABLES, pipeline_ids=pids or None, user_ids=list(scope.user_ids) or None)
    data = FullGoalsData(**vars(full))
    moment, clamped = goals.parse_as_of(as_of, data_end(data.account))
    gf = plans.load_goals(goals_path, data.users)
    ctx = view.GoalsContext(
        report=view.REPORT,
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
    in_force = gf.in_force(ctx.plan_scope_name, ctx.period)
    shown = in_force + (
        [x for x in gf.plans if x.scope != plans.TEAM and x.period.key == p.key] if scope.kind == "team" else []
    )
    running = {x.period.key for x in shown if x.period.start_ts < moment < x.period.end_ts}
    if running:
        origin = model_lib.month_start(moment)
        known, sc = forecast_oracle.known_at(data.leads, data.stage_changes, origin)
        per_manager = scope.kind == "team" and any(x.scope != plans.TEAM and x.period.key in running for x in shown)
        ctx.model, ctx.manager_models = view.models_from(
            known,
            partial(forecast_oracle.snapshots, known, sc),
            data.statuses,
            origin,
            scope.kind == "manager",
            per_manager,
        )
    ctx.progresses = [
        goals.progress(x, data.leads, data.stage_changes, data.statuses, ctx.as_of, ctx.model) for x in in_force
    ]
    view.headline_figures(ctx)
    return ctx
