"""The goals report from the whole store: the reference its pushed-down read is compared with.

:func:`full_open` is what ``crmreports.reports.goals.sections.open`` did before the pushdown: every lead
and every stage change of the scope (``store.load``), and the pipeline band's stage-entry counts made in
pandas by the metrics (:func:`goals.progress` and :func:`goals.managers_progress` without
``stage_counts``). The report's sections then run on it unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass

from crmreports import store
from crmreports.present.context import validate
from crmreports.reports.goals import metrics as goals
from crmreports.reports.goals import plans
from crmreports.reports.goals import sections as view
from crmreports.store import data_end

TABLES = ("leads", "stage_changes")


@dataclass(frozen=True)
class FullGoalsData(store.StoreData):
    """Every lead and stage change of the scope; ``stage_counts`` is None: the metrics count the band's
    stage entries from those rows (the pushed-down read counts them in SQL)."""

    stage_counts: dict | None = None


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
    ctx.progresses = [
        goals.progress(x, data.leads, data.stage_changes, data.statuses, ctx.as_of)
        for x in gf.in_force(ctx.plan_scope_name, ctx.period)
    ]
    view.headline_figures(ctx)
    return ctx
