"""The calls report from the whole store: the reference its counts in DuckDB are compared with.

:func:`open_full` reads what ``crmreports.reports.calls.sections.open`` read before the pushdown: every
call, task, stage change and deal of the scope and every call of the account (``store.load``).
:class:`FullCallsData` answers what the sections ask of the pushed-down read
(:class:`crmreports.reports.calls.query.CallsData`) with the metrics computed on those rows
(:func:`calls.kpi_table`, :func:`calls.daily`, :func:`calls.by_manager`, :func:`calls.callbacks`,
:func:`meeting_rules.meeting_events`), so the report's sections run on it unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from crmreports import store as store_mod
from crmreports.core.periods import Period
from crmreports.present.context import validate
from crmreports.reports.calls import metrics as calls
from crmreports.reports.calls import sections as view
from crmreports.store import data_end
from crmreports.store import meetings as meeting_rules

TABLES = ("leads", "stage_changes", "calls", "tasks")


@dataclass(frozen=True)
class FullCallsData(store_mod.StoreData):
    """Every row of one set of calls (the scope's, or the whole team's) and the figures the metrics make of
    them. ``scope_calls`` are the set's calls (only those on the pipeline's deals with a pipeline filter),
    prepared; ``pool`` every call of the account (callbacks by anyone count)."""

    scope_calls: pd.DataFrame = field(default_factory=pd.DataFrame)
    pool: pd.DataFrame = field(default_factory=pd.DataFrame)
    meetings: pd.DataFrame = field(default_factory=pd.DataFrame)
    callbacks: pd.DataFrame = field(default_factory=pd.DataFrame)
    hours: float = calls.CALLBACK_HOURS
    meeting_tasks_exist: bool = False
    team: FullCallsData | None = None

    @property
    def whole_team(self) -> FullCallsData:
        return self if self.team is None else self.team

    def counts(self, period: Period) -> dict:
        return calls.counts(calls.in_period(self.scope_calls, period))

    def kpi_table(self, period: Period, as_of: pd.Timestamp) -> pd.DataFrame:
        return calls.kpi_table(
            self.scope_calls, self.pool, self.leads, self.meetings, period, as_of, self.hours, cb=self.callbacks
        )

    def daily(self, period: Period, as_of: pd.Timestamp) -> pd.DataFrame:
        return calls.daily(self.scope_calls, period, as_of)

    def by_manager(
        self, period: Period, as_of: pd.Timestamp, min_calls: int = calls.MIN_CALLS, user_ids: list[int] | None = None
    ) -> pd.DataFrame:
        return calls.by_manager(
            self.scope_calls,
            self.users,
            self.meetings,
            period,
            as_of,
            pool=self.pool,
            hours=self.hours,
            min_calls=min_calls,
            user_ids=user_ids,
            cb=self.callbacks,
        )


def _full(
    data: store_mod.StoreData,
    pipeline_ids: list[int],
    rule: meeting_rules.MeetingRule,
    windows: list[Period],
    pool: pd.DataFrame,
    as_of: pd.Timestamp,
    hours: float,
    tasks_exist: bool,
    team: FullCallsData | None = None,
) -> FullCallsData:
    """The figures of ``data``'s calls; their missed calls' callbacks of the ``windows``."""
    c = data["calls"]
    if pipeline_ids:
        c = c[c["lead_id"].isin(data.leads["id"])]
    c = calls.prepare(c)
    ev = meeting_rules.meeting_events(rule, data["tasks"], data.stage_changes, data.statuses, data.leads)
    if pipeline_ids:
        ev = ev[ev["lead_id"].isin(data.leads["id"])]
    inside = np.logical_or.reduce([p.contains(c["at"]).to_numpy() for p in windows])
    return FullCallsData(
        **vars(data),
        scope_calls=c,
        pool=pool,
        meetings=ev,
        callbacks=calls.callbacks(c[inside], pool, as_of, hours),
        hours=hours,
        meeting_tasks_exist=tasks_exist,
        team=team,
    )


def open_full(
    period: str = "",
    manager: str = "",
    pipeline: str = "",
    store: str = "data/crm.duckdb",
    lang: str = "ru",
    meetings: str | None = None,
    callback_hours: float = calls.CALLBACK_HOURS,
    min_calls: int = calls.MIN_CALLS,
) -> view.CallsContext:
    """``sections.open``, reading every row: the reference the reduced read is checked against."""
    view._check(callback_hours)
    rule = meeting_rules.read_meeting_rule(meetings)
    hours = float(callback_hours)
    p, scope, pids, pname = validate(store, period, manager, pipeline, lang)
    path = store_mod.resolve_path(store)
    data = store_mod.load(path, tables=TABLES, pipeline_ids=pids or None, user_ids=list(scope.user_ids) or None)
    team = data if scope.kind == "team" else store_mod.load(path, tables=TABLES, pipeline_ids=pids or None)
    if rule.kind == "stage":
        meeting_rules.stage_ids(rule, data.statuses)  # a clear error now if the stage does not exist
    as_of = data_end(data.account)
    pool = calls.prepare(team["calls"])
    tasks_exist = bool((team["tasks"]["task_type_id"] == rule.task_type_id).any())
    windows = [p, p.previous(), p.year_ago()]
    if team is data:
        full = _full(data, pids, rule, windows, pool, as_of, hours, tasks_exist)
    else:
        full = _full(
            data,
            pids,
            rule,
            windows,
            pool,
            as_of,
            hours,
            tasks_exist,
            team=_full(team, pids, rule, [p], pool, as_of, hours, tasks_exist),
        )
    return view.CallsContext(
        report=view.REPORT,
        period=p,
        lang=lang,
        scope=scope,
        pipeline_ids=pids,
        pipeline_name=pname,
        data=full,
        as_of=as_of,
        currency=str(data.account.get("currency") or "RUB"),
        rule=rule,
        hours=hours,
        min_calls=int(min_calls),
    )
