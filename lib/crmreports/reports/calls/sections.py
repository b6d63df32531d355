"""Sections of the calls notebook («Звонки»): metrics from crmreports.calls, charts, narrative, definitions."""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from . import metrics
from ...core import fmt
from . import query as queries_calls
from ... import store as store_mod
from . import charts
from ...core.labels import t
from ...present.context import Context, open_context, validate
from ...present.context import publish, title  # noqa: F401  (the notebook calls report.title and report.publish)
from ...present.section import Section
from ...store import data_end  # noqa: F401  (re-exported for notebooks)

REPORT = "calls"
TABLES = ("leads", "stage_changes", "calls", "tasks")
PROJECT_ROOT = Path(__file__).resolve().parents[4]
MEETINGS_FILE = "params/meetings.yaml"
NOT_CALLED_BACK_ROWS = 15        # rows of the list of missed calls nobody called back shown in the report

log = logging.getLogger("crmreports.views.calls")


@dataclass
class CallsContext(Context):
    """The report context plus what the calls report needs beyond the scope's own rows."""

    rule: metrics.MeetingRule = metrics.DEFAULT_RULE
    hours: float = metrics.CALLBACK_HOURS
    min_calls: int = metrics.MIN_CALLS
    pool: pd.DataFrame = field(default_factory=pd.DataFrame)       # every call of the account (open_full only)
    team: store_mod.StoreData | None = None                        # the whole team (per-manager comparison)
    _cache: dict = field(default_factory=dict)

    @property
    def calls(self) -> pd.DataFrame:
        """The scope's calls (pipeline filter: calls linked to the pipeline's deals)."""
        return self._scoped("calls", self.data)

    @property
    def team_calls(self) -> pd.DataFrame:
        """The whole team's calls (the scope's own for a team report)."""
        if self.team is None or self.team is self.data:
            return self.calls
        return self._scoped("team_calls", self.team)

    def _scoped(self, key: str, data: store_mod.StoreData) -> pd.DataFrame:
        if key not in self._cache:
            c = data["calls"]
            if self.pipeline_ids:
                c = c[c["lead_id"].isin(data.leads["id"])]
            self._cache[key] = metrics.prepare(c)
        return self._cache[key]

    @property
    def counted(self) -> bool:
        """Whether the figures were counted in SQL (:func:`crmreports.queries_calls.load_calls`) rather than
        computed here from every row (:func:`open_full`)."""
        return isinstance(self.data, queries_calls.CallsData)

    def callbacks(self, team: bool = False) -> pd.DataFrame:
        """:func:`crmreports.calls.callbacks` of the scope's (or the team's) missed calls, computed once: of the
        period, the previous one and a year ago for the scope, of the period for the team (found in SQL when
        the figures were counted there)."""
        key = ("callbacks", team and self.team is not self.data)
        if self.counted:
            return (self.team if key[1] else self.data).callbacks
        if key not in self._cache:
            c = self.team_calls if team else self.calls
            periods = [self.period] if key[1] else [self.period, self.period.previous(), self.period.year_ago()]
            inside = np.logical_or.reduce([p.contains(c["at"]).to_numpy() for p in periods])
            self._cache[key] = metrics.callbacks(c[inside], self.pool, self.as_of, self.hours)
        return self._cache[key]

    def meetings(self, data: store_mod.StoreData | None = None) -> pd.DataFrame:
        data = data or self.data
        if isinstance(data, queries_calls.CallsData):       # read in SQL
            return data.meetings
        key = ("meetings", id(data))
        if key not in self._cache:
            ev = metrics.meeting_events(self.rule, data["tasks"], data.stage_changes, data.statuses, data.leads)
            if self.pipeline_ids:
                ev = ev[ev["lead_id"].isin(data.leads["id"])]
            self._cache[key] = ev
        return self._cache[key]


def meetings_file(path: str | os.PathLike | None = None) -> tuple[Path, bool]:
    """The meetings definition file and whether it was named explicitly."""
    if path:
        return Path(path), True
    p = Path(MEETINGS_FILE)
    return (p if p.exists() else PROJECT_ROOT / MEETINGS_FILE), False


def read_meeting_rule(path: str | os.PathLike | None = None) -> metrics.MeetingRule:
    """Read and validate ``params/meetings.yaml``; without the file, the default rule (task type 2)."""
    p, explicit = meetings_file(path)
    if not p.exists():
        if explicit:
            raise metrics.MeetingsConfigError(f"{p}: file not found; create it with "
                                              "{kind: task_type, task_type_id: 2} or {kind: stage, stage: <name>}")
        log.warning("%s not found; meetings are completed tasks of type 2", p)
        return metrics.DEFAULT_RULE
    try:
        obj = yaml.safe_load(p.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise metrics.MeetingsConfigError(f"{p}: not valid YAML: {exc}") from None
    name = MEETINGS_FILE if p.resolve() == (PROJECT_ROOT / MEETINGS_FILE).resolve() else str(p)
    return metrics.parse_meeting_rule(obj, source=name)


def _check(callback_hours: float) -> None:
    if not callback_hours or callback_hours <= 0:
        raise ValueError(f"bad callback_hours {callback_hours!r}; valid: a positive number of hours (default 24)")


def open(period: str = "", manager: str = "", pipeline: str = "", store: str = "data/crm.duckdb",
         lang: str = "ru", meetings: str | None = None, callback_hours: float = metrics.CALLBACK_HOURS,
         min_calls: int = metrics.MIN_CALLS) -> CallsContext:
    """Resolve the parameters, read the meetings definition (``params/meetings.yaml``), and count what the
    period's figures need in DuckDB: the scope's calls per day, missed calls and their callbacks, meetings and
    won deals, the whole team's for the comparison (:func:`crmreports.queries_calls.load_calls`; the figures
    are those of :func:`open_full`, which reads everything)."""
    _check(callback_hours)
    rule = read_meeting_rule(meetings)
    p, scope, pids, pname = validate(store, period, manager, pipeline, lang)
    data, team = queries_calls.load_calls(store, p, rule, float(callback_hours), pipeline_ids=pids or None,
                                          user_ids=list(scope.user_ids) or None)
    return CallsContext(report=REPORT, period=p, lang=lang, scope=scope, pipeline_ids=pids, pipeline_name=pname,
                        data=data, as_of=data_end(data.account), currency=str(data.account.get("currency") or "RUB"),
                        rule=rule, hours=float(callback_hours), min_calls=int(min_calls), team=team)


def open_full(period: str = "", manager: str = "", pipeline: str = "", store: str = "data/crm.duckdb",
              lang: str = "ru", meetings: str | None = None, callback_hours: float = metrics.CALLBACK_HOURS,
              min_calls: int = metrics.MIN_CALLS) -> CallsContext:
    """Like :func:`open`, but reads every call, task, stage change and deal of the scope and every call of the
    account (:func:`crmreports.store.load`): the reference the reduced read is checked against."""
    _check(callback_hours)
    rule = read_meeting_rule(meetings)
    base = open_context(REPORT, period, manager, pipeline, store, lang, tables=TABLES)
    path = store_mod.resolve_path(store)
    if base.scope.kind == "team":
        team = base.data
    else:
        team = store_mod.load(path, tables=TABLES, pipeline_ids=base.pipeline_ids or None)
    if rule.kind == "stage":
        metrics.stage_ids(rule, base.data.statuses)      # a clear error now if the stage does not exist
    ctx = CallsContext(**{f: getattr(base, f) for f in Context.__dataclass_fields__}, rule=rule,
                       hours=float(callback_hours), min_calls=int(min_calls), pool=metrics.prepare(team["calls"]),
                       team=team)
    return ctx


# ---- helpers ------------------------------------------------------------------------------------------------

def _int(v) -> int:
    return 0 if v is None or (isinstance(v, float) and np.isnan(v)) else int(v)


def _per(a, b) -> float:
    return a / b if b else float("nan")


def _count1(x, noun: str, lang: str) -> str:
    """A count with one decimal and its noun: ``24,3 звонка``, ``3 звонка``, ``1 call``."""
    if pd.isna(x):
        return fmt.DASH
    x = round(float(x), 1)
    if x.is_integer():
        return fmt.count(int(x), noun, lang)
    return f"{fmt.number(x, lang, 1)}{fmt.NBSP}{fmt.plural(x, t('noun.' + noun, lang), lang, fractional=True)}"


def _hours(ctx: CallsContext) -> str:
    return fmt.number(ctx.hours, ctx.lang, 0 if float(ctx.hours).is_integer() else 1)


def _show(ctx: CallsContext, key: str, v) -> str:
    lang = ctx.lang
    if key in metrics.RATE_KEYS:
        return fmt.percent(v, lang, 1)
    if key in metrics.DURATION_KEYS:
        return fmt.duration_hm(v, lang)
    if key in metrics.COUNT_KEYS:
        return fmt.number(v, lang)
    return fmt.number(v, lang, 1)


def _kpi_label(ctx: CallsContext, key: str) -> str:
    return t(f"calls.kpi.{key}", ctx.lang, hours=_hours(ctx)) if key == "calls_missed_not_called_back" \
        else t(f"calls.kpi.{key}", ctx.lang)


def _kpis(ctx: CallsContext) -> pd.DataFrame:
    if "kpis" not in ctx._cache:
        if ctx.counted:
            ctx._cache["kpis"] = ctx.data.kpi_table(ctx.period, ctx.as_of)
        else:
            ctx._cache["kpis"] = metrics.kpi_table(ctx.calls, ctx.pool, ctx.data.leads, ctx.meetings(), ctx.period,
                                                   ctx.as_of, ctx.hours, cb=ctx.callbacks())
    return ctx._cache["kpis"]


def _compare_note(ctx: CallsContext) -> str:
    return t("calls.def.compare", ctx.lang, previous=fmt.period_label(ctx.period.previous(), ctx.lang),
             year_ago=fmt.period_label(ctx.period.year_ago(), ctx.lang))


# ---- sections -----------------------------------------------------------------------------------------------

def kpis(ctx: CallsContext) -> Section:
    """Headline figures against the previous period and a year ago."""
    lang = ctx.lang
    k = _kpis(ctx)
    cur = {key: (_int(v) if key in metrics.COUNT_KEYS else float(v)) for key, v in k["current"].items()}
    ctx.figures.update(cur)
    ctx.figures.update(callback_hours=ctx.hours, meetings_rule=_rule_key(ctx.rule))
    ctx.comparisons.update(previous=k["previous"].to_dict(), year_ago=k["year_ago"].to_dict())
    sec = Section(ctx, "kpis", t("calls.kpi.title", lang))
    if cur["calls_total"] == 0:
        who = t("calls.kpi.none_who", lang, name=ctx.scope.name) if ctx.scope.kind == "manager" else ""
        sec.text(t("calls.kpi.none", lang, period=ctx.period_label, who=who, as_of=fmt.datetime_(ctx.as_of, lang)),
                 finding=True)
        prev, year = k.loc["calls_total", "previous"], k.loc["calls_total", "year_ago"]
        if prev or year:
            sec.text(t("calls.kpi.none_compare", lang, prev=fmt.count(prev, "call", lang),
                       year=fmt.count(year, "call", lang)))
        else:
            return sec
    else:
        sec.text(t("calls.kpi.sentence", lang, period=ctx.period_label, calls=fmt.count(cur["calls_total"], "call", lang),
                   calls_in=fmt.count(cur["calls_in"], "calls_in", lang),
                   calls_out=fmt.count(cur["calls_out"], "calls_out", lang),
                   d_prev=fmt.change(cur["calls_total"], k.loc["calls_total", "previous"], lang),
                   d_year=fmt.change(cur["calls_total"], k.loc["calls_total", "year_ago"], lang),
                   per_day=_count1(cur["calls_per_working_day"], "call", lang)), finding=True)
        sec.text(t("calls.kpi.sentence_talk", lang, answered_share=fmt.percent(cur["calls_answered_share"], lang),
                   answered=fmt.count(cur["calls_answered"], "calls_answered", lang),
                   total=fmt.duration_hm(cur["calls_duration_total_s"], lang),
                   avg=fmt.duration_hm(cur["calls_duration_avg_s"], lang)))
    rows = []
    for key in metrics.HEADLINE_KEYS + ["calls_per_working_day"]:
        kind = "points" if key in metrics.RATE_KEYS else "relative"
        c, p, y = k.loc[key, "current"], k.loc[key, "previous"], k.loc[key, "year_ago"]
        rows.append([_kpi_label(ctx, key), _show(ctx, key, c), _show(ctx, key, p), fmt.change(c, p, lang, kind),
                     _show(ctx, key, y), fmt.change(c, y, lang, kind)])
    cols = [t("common.metric", lang), ctx.period_label, fmt.period_label(ctx.period.previous(), lang),
            t("calls.kpi.vs_previous", lang), fmt.period_label(ctx.period.year_ago(), lang),
            t("calls.kpi.vs_year", lang)]
    sec.table("kpis", k.reset_index(), pd.DataFrame(rows, columns=cols), numeric=set(cols[1:]))
    sec.note(t("calls.def.counts", lang))
    sec.note(t("calls.def.duration", lang))
    sec.note(t("calls.def.per_day", lang, days=fmt.count(cur["working_days"], "calls_working_day", lang)))
    sec.note(_compare_note(ctx))
    if ctx.scope.kind == "manager":
        sec.note(t("calls.def.scope_manager", lang))
    if ctx.pipeline_ids:
        sec.note(t("calls.def.pipeline", lang))
    return sec


def daily(ctx: CallsContext) -> Section:
    """Calls per day (per week for long periods): inbound answered, missed, outbound."""
    lang = ctx.lang
    sec = Section(ctx, "daily", t("calls.daily.title", lang))
    d = ctx.data.daily(ctx.period, ctx.as_of) if ctx.counted else metrics.daily(ctx.calls, ctx.period, ctx.as_of)
    total = int(d["total"].sum()) if len(d) else 0
    if total == 0:
        return sec.text(t("common.no_data", lang))
    k = _kpis(ctx)["current"]
    busiest = d.sort_values(["total", "day"], ascending=[False, True]).iloc[0]
    sec.text(t("calls.daily.sentence", lang, per_day=_count1(k["calls_per_working_day"], "call", lang),
               days=fmt.count(k["working_days"], "calls_working_day", lang), day=fmt.day(busiest["day"], lang),
               max=fmt.count(busiest["total"], "call", lang)))
    weekend = int(d.loc[~d["working"], "total"].sum())
    if weekend:
        sec.text(t("calls.daily.weekend", lang, n=fmt.count(weekend, "call", lang),
                   share=fmt.percent(weekend / total, lang, 1 if weekend / total < 0.01 else 0)))
    sec.tables["daily"] = d
    sec.figure(charts.daily(d, lang, by_week=len(d) > 62))
    ctx.tables["daily"] = d
    sec.note(t("calls.def.daily", lang))
    return sec


def missed(ctx: CallsContext) -> Section:
    """Missed inbound calls, callbacks within the window and the list of callers nobody called back."""
    lang, hours = ctx.lang, _hours(ctx)
    sec = Section(ctx, "missed", t("calls.missed.title", lang))
    n_in = _int(_kpis(ctx).loc["calls_in", "current"])
    if n_in == 0:
        return sec.text(t("calls.missed.no_inbound", lang))
    cb = ctx.callbacks()
    cb = cb[ctx.period.contains(cb["at"])].reset_index(drop=True)
    n_missed = len(cb)
    if n_missed == 0:
        return sec.text(t("calls.missed.none", lang))
    sec.text(t("calls.missed.sentence", lang, missed=fmt.number(n_missed, lang), calls_in=fmt.number(n_in, lang),
               share=fmt.percent(n_missed / n_in, lang)))
    not_back = int((cb["state"] == "not_called_back").sum())
    pending = int((cb["state"] == "pending").sum())
    decided = n_missed - pending
    if not_back:
        sec.text(t("calls.missed.not_called_back", lang, hours=hours, n=fmt.number(not_back, lang),
                   decided=fmt.number(decided, lang), share=fmt.percent(not_back / decided, lang)), finding=True)
    elif decided:
        sec.text(t("calls.missed.all_back", lang, hours=hours))
    if pending:
        sec.text(t("calls.missed.pending", lang, n=fmt.count(pending, "calls_missed", lang), hours=hours))
    delays = cb.loc[cb["state"] == "called_back", "delay_h"]
    if len(delays):
        sec.text(t("calls.missed.delay", lang, median=fmt.duration_hm(float(delays.median()) * 3600, lang)))
    lst = metrics.not_called_back_list(cb, ctx.team.users if ctx.team is not None else ctx.data.users,
                                       ctx.team.leads if ctx.team is not None else ctx.data.leads)
    if len(lst):
        top = lst.head(NOT_CALLED_BACK_ROWS)     # only the rows shown are formatted; the rest only count
        shown = pd.DataFrame({
            t("calls.missed.at", lang): top["at"].map(lambda v: fmt.datetime_(v, lang)),
            t("common.manager", lang): top["manager"].fillna(t("common.unknown", lang)),
            t("calls.missed.phone", lang): top["phone"].fillna(fmt.DASH),
            t("calls.missed.lead", lang): top["lead"].fillna(t("calls.missed.no_lead", lang)),
            t("calls.missed.delay_col", lang): top["delay_h"].map(
                lambda v: t("calls.missed.never", lang) if pd.isna(v) else fmt.duration_hm(v * 3600, lang)),
        }).reindex(range(len(lst)), fill_value="")
        sec.table("not_called_back", lst, shown, numeric={shown.columns[-1]}, max_rows=NOT_CALLED_BACK_ROWS)
    sec.note(t("calls.def.callback", lang, hours=hours, as_of=fmt.datetime_(ctx.as_of, lang)))
    return sec


def _meeting_tasks_exist(ctx: CallsContext) -> bool:
    """Whether the account has any task of the rule's type (the reduced read asked SQL)."""
    if isinstance(ctx.team, queries_calls.CallsData):
        return ctx.team.meeting_tasks_exist
    return bool((ctx.team["tasks"]["task_type_id"] == ctx.rule.task_type_id).any())


def _rule_key(rule: metrics.MeetingRule) -> str:
    """The meetings definition for machines: ``task_type:2`` or ``stage:Встреча назначена``."""
    return f"{rule.kind}:{rule.task_type_id if rule.kind == 'task_type' else rule.stage}"


def _rule_text(ctx: CallsContext) -> str:
    r, lang = ctx.rule, ctx.lang
    if r.kind == "stage":
        return t("calls.meet.rule_stage", lang, stage=r.stage)
    name = t("calls.meet.task_meeting_name", lang) if r.task_type_id == 2 else ""
    return t("calls.meet.rule_task", lang, name=name, id=r.task_type_id)


def meetings(ctx: CallsContext) -> Section:
    """Call → meeting conversion (the definition from params/meetings.yaml is stated) and calls per won deal."""
    lang = ctx.lang
    sec = Section(ctx, "meetings", t("calls.meet.title", lang))
    k = _kpis(ctx)
    cur, prev = k["current"], k["previous"]
    sec.text(_rule_text(ctx))
    if ctx.rule.kind == "task_type" and not _meeting_tasks_exist(ctx):
        sec.text(t("calls.meet.no_such_tasks", lang, id=ctx.rule.task_type_id), finding=True)
    n_calls, n_meet = _int(cur["calls_total"]), _int(cur["meetings"])
    if n_meet:
        sec.text(t("calls.meet.sentence", lang, meetings=fmt.count(n_meet, "calls_meeting", lang),
                   conv=fmt.percent(cur["call_to_meeting_conversion"], lang, 1),
                   d_prev=fmt.change(cur["call_to_meeting_conversion"], prev["call_to_meeting_conversion"], lang,
                                     "points")), finding=0 < n_meet <= n_calls)
        if n_meet > n_calls:
            sec.text(t("calls.meet.over_one", lang))
        elif n_calls:
            sec.text(t("calls.meet.per_meeting", lang, n=_count1(n_calls / n_meet, "call", lang)))
    else:
        sec.text(t("calls.meet.none", lang))
    won = _int(cur["won_deals"])
    if won:
        on_won = round(cur["calls_per_won_deal"] * won)
        sec.text(t("calls.meet.won", lang, per_deal=fmt.number(cur["calls_per_won_deal"], lang, 1),
                   calls=fmt.count(on_won, "call", lang), won=fmt.count(won, "won_deal", lang)))
    else:
        sec.text(t("calls.meet.no_won", lang))
    keys = ["meetings", "call_to_meeting_conversion", "calls_per_won_deal"]
    ctx.figures.update({key: (_int(cur[key]) if key in metrics.COUNT_KEYS else float(cur[key])) for key in keys})
    ctx.figures["meetings_rule"] = _rule_key(ctx.rule)
    shown = pd.DataFrame({
        t("common.metric", lang): [_kpi_label(ctx, key) for key in keys],
        ctx.period_label: [_show(ctx, key, cur[key]) for key in keys],
        fmt.period_label(ctx.period.previous(), lang): [_show(ctx, key, prev[key]) for key in keys],
        fmt.period_label(ctx.period.year_ago(), lang): [_show(ctx, key, k.loc[key, "year_ago"]) for key in keys],
    })
    sec.table("meetings", k.loc[keys].reset_index(), shown, numeric=set(shown.columns[1:]), publish=False)
    if ctx.rule.source == "default":
        sec.note(t("calls.meet.rule_default", lang))
    else:
        sec.note(t("calls.meet.rule_source", lang, source=ctx.rule.source))
    sec.note(t("calls.def.meetings", lang))
    sec.note(t("calls.def.per_won", lang))
    return sec


def _ci(lo, hi, f) -> str:
    return fmt.DASH if pd.isna(lo) or pd.isna(hi) else f"{f(lo)}–{f(hi)}"


def managers(ctx: CallsContext) -> Section:
    """Each manager against the team average, with 95 % intervals; too few calls are not ranked."""
    lang = ctx.lang
    sec = Section(ctx, "managers", t("calls.mgr.title", lang))
    team = ctx.team if ctx.team is not None else ctx.data
    if ctx.counted:
        m = team.by_manager(ctx.period, ctx.as_of, min_calls=ctx.min_calls, user_ids=list(ctx.scope.user_ids))
    else:
        m = metrics.by_manager(ctx.team_calls, team.users, ctx.meetings(team), ctx.period, ctx.as_of, pool=ctx.pool,
                               hours=ctx.hours, min_calls=ctx.min_calls, user_ids=list(ctx.scope.user_ids),
                               cb=ctx.callbacks(team=True))
    m["duration_lo"] = m["duration_lo"].clip(lower=0)
    team_share = float(m["team_answered_share"].iloc[0]) if len(m) else float("nan")
    team_avg = float(m["team_duration_avg_s"].iloc[0]) if len(m) else float("nan")
    pct = lambda v: fmt.percent(v, lang)
    dur = lambda v: fmt.duration_hm(v, lang)
    if ctx.scope.kind == "manager":
        m = m[m["user_id"].isin(ctx.scope.user_ids)]
        r = m.iloc[0]
        if r["calls_total"] == 0:
            sec.text(t("calls.mgr.one_none", lang, name=r["manager"]))
        elif r["answered_flag"] == "few":
            sec.text(t("calls.mgr.one_few", lang, name=r["manager"], calls=fmt.count(r["calls_total"], "call", lang)),
                     finding=True)
        else:
            sec.text(t("calls.mgr.one", lang, name=r["manager"], share=pct(r["answered_share"]),
                       lo=pct(r["answered_lo"]), hi=pct(r["answered_hi"]), team=pct(team_share),
                       flag=t(f"calls.mgr.flag.{r['answered_flag']}", lang), avg=dur(r["duration_avg_s"]),
                       team_avg=dur(team_avg)), finding=True)
    else:
        if m["calls_total"].sum() == 0:
            return sec.text(t("common.no_data", lang))
        ranked = m[~m["answered_flag"].isin(["few", "none"])]
        if len(ranked) and ranked["answered_flag"].eq("within").all() and ranked["duration_flag"].eq("within").all():
            sec.text(t("calls.mgr.all_within", lang))
        elif len(ranked):
            for flag, key in (("above", "calls.mgr.above"), ("below", "calls.mgr.below")):
                g = ranked[ranked["answered_flag"] == flag].sort_values("answered_share", ascending=flag == "below")
                if len(g):
                    names = ", ".join(f"{n} ({pct(s)}, {pct(lo)}–{pct(hi)})" for n, s, lo, hi in
                                      zip(g["manager"], g["answered_share"], g["answered_lo"], g["answered_hi"]))
                    sec.text(t(key, lang, team=pct(team_share), names=names), finding=True)
            if ranked["answered_flag"].eq("within").all():
                sec.text(t("calls.mgr.answered_within", lang, team=pct(team_share)))
            for flag, key in (("above", "calls.mgr.dur_above"), ("below", "calls.mgr.dur_below")):
                g = ranked[ranked["duration_flag"] == flag].sort_values("duration_avg_s", ascending=flag == "below")
                if len(g):
                    names = ", ".join(f"{n} ({dur(a)}, {dur(lo)}–{dur(hi)})" for n, a, lo, hi in
                                      zip(g["manager"], g["duration_avg_s"], g["duration_lo"], g["duration_hi"]))
                    sec.text(t(key, lang, team=dur(team_avg), names=names), finding=True)
            if ranked["duration_flag"].eq("within").all():
                sec.text(t("calls.mgr.duration_within", lang, team=dur(team_avg)))
        few = m[m["answered_flag"] == "few"]
        if len(few):
            sec.text(t("calls.mgr.few", lang, min=ctx.min_calls, names=", ".join(
                f"{n} ({fmt.count(c, 'call', lang)})" for n, c in zip(few["manager"], few["calls_total"]))),
                finding=True)
        none = m[m["answered_flag"] == "none"]
        if len(none):
            sec.text(t("calls.mgr.none", lang, names=", ".join(none["manager"])))
        sec.figure(charts.managers(m, team_share, team_avg, lang))

    def verdict(r) -> str:
        if r["answered_flag"] in ("few", "none"):
            return t(f"calls.mgr.flag.{r['answered_flag']}", lang)
        parts = [t(key, lang, flag=t(f"calls.mgr.flag.{r[col]}", lang))
                 for col, key in (("answered_flag", "calls.mgr.v_answered"), ("duration_flag", "calls.mgr.v_duration"))
                 if r[col] in ("above", "below")]
        return "; ".join(parts) or t("calls.mgr.flag.within", lang)

    num = lambda v, d=0: fmt.number(v, lang, d)
    minutes = lambda v: fmt.number(v / 60, lang, 1)

    tc = team.counts(ctx.period) if ctx.counted else metrics.counts(metrics.in_period(ctx.team_calls, ctx.period))
    team_meetings = metrics.count_meetings(ctx.meetings(team), ctx.period)
    n_team, n_answered = tc["total"], tc["answered"]
    lo, hi = metrics.wilson(n_answered, n_team)
    team_cb = ctx.callbacks(team=True)
    team_not_back = int((team_cb.loc[ctx.period.contains(team_cb["at"]), "state"] == "not_called_back").sum())
    team_label = t("calls.mgr.team_row", lang)

    activity = [[r["manager"], num(r["calls_total"]), f"{num(r['calls_in'])} / {num(r['calls_out'])}",
                 num(r["calls_missed"]), num(r["not_called_back"]), num(r["calls_per_working_day"], 1),
                 num(r["meetings"])] for _, r in m.iterrows()]
    team_in_out = f"{num(tc['calls_in'])} / {num(tc['calls_out'])}"
    activity.append([team_label, num(n_team), team_in_out, num(tc["missed"]), num(team_not_back),
                     num(_per(n_team, metrics.working_days(ctx.period, ctx.as_of)), 1), num(team_meetings)])
    cols_a = [t("common.manager", lang), t("calls.mgr.calls", lang), t("calls.mgr.in_out", lang),
              t("calls.mgr.missed", lang), t("calls.mgr.not_back", lang), t("calls.mgr.per_day", lang),
              t("calls.mgr.meetings", lang)]
    shown_a = pd.DataFrame(activity, columns=cols_a)
    sec.table("managers", m, shown_a, numeric=set(cols_a[1:]))

    quality = [[r["manager"], pct(r["answered_share"]) if r["calls_total"] else fmt.DASH,
                _ci(r["answered_lo"], r["answered_hi"], pct),
                minutes(r["duration_avg_s"]) if r["answered"] else fmt.DASH,
                _ci(r["duration_lo"], r["duration_hi"], minutes), verdict(r)] for _, r in m.iterrows()]
    quality.append([team_label, pct(team_share) if n_team else fmt.DASH, _ci(lo, hi, pct),
                    minutes(team_avg) if n_answered else fmt.DASH, fmt.DASH, ""])
    cols_q = [t("common.manager", lang), t("calls.mgr.answered", lang), t("calls.mgr.ci", lang),
              t("calls.mgr.duration", lang), t("calls.mgr.ci", lang) + " ", t("calls.mgr.verdict", lang)]
    shown_q = pd.DataFrame(quality, columns=cols_q)
    sec.table("managers_quality", m, shown_q, numeric=set(cols_q[1:5]), publish=False)
    sec.note(t("calls.def.managers", lang, min=ctx.min_calls, hours=_hours(ctx)))
    return sec


def summary(ctx: CallsContext) -> Section:
    """The findings of every section, in one list."""
    sec = Section(ctx, "summary", t("calls.summary.title", ctx.lang))
    for f in ctx.findings:
        sec.text(f)
    return sec
