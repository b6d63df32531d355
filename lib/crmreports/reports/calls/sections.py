"""Sections of the calls notebook («Звонки»): figures from :mod:`.metrics` on what :mod:`.query` counted in
DuckDB, charts, narrative, definitions. The meetings definition comes from :mod:`crmreports.store.meetings` (the
rule every report counts meetings by)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial

import numpy as np
import pandas as pd

from ...core import fmt
from ...core.labels import t
from ...present import kit
from ...present.context import Context, publish, title  # noqa: F401  (the notebook calls report.title and report.publish)
from ...present.section import Section
from ...store import (
    concepts,
    data_end,  # noqa: F401  (re-exported for notebooks)
)
from ...store import meetings as meeting_rules
from . import charts, metrics
from . import query as queries_calls

REPORT = __package__.rpartition(".")[2]  # the report is named after its folder (the registry checks)
NOT_CALLED_BACK_ROWS = 15  # rows of the list of missed calls nobody called back shown in the report


@dataclass
class CallsContext(Context):
    """The report context plus the calls report's parameters; ``data`` holds the scope's figures and, for one
    manager's report, the whole team's (:class:`.query.CallsData`)."""

    rule: meeting_rules.MeetingRule = meeting_rules.DEFAULT_RULE
    hours: float = metrics.CALLBACK_HOURS
    min_calls: int = metrics.MIN_CALLS
    _cache: dict = field(default_factory=dict)

    @property
    def team(self) -> queries_calls.CallsData:
        """The whole team's figures (the scope's own for a team report)."""
        return self.data.whole_team

    def callbacks(self, team: bool = False) -> pd.DataFrame:
        """:func:`.metrics.callbacks` of the scope's missed calls (of the period, the previous one and a year
        ago), or of the team's (of the period; the scope's for a team report), as the read found them."""
        return (self.team if team else self.data).callbacks


def _check(callback_hours: float) -> None:
    if not callback_hours or callback_hours <= 0:
        raise ValueError(f"bad callback_hours {callback_hours!r}; valid: a positive number of hours (default 24)")


def open(
    period: str = "",
    manager: str = "",
    pipeline: str = "",
    store: str = "data/crm.duckdb",
    lang: str = "ru",
    meetings: str | None = None,
    callback_hours: float = metrics.CALLBACK_HOURS,
    min_calls: int = metrics.MIN_CALLS,
) -> CallsContext:
    """Resolve the parameters, read the meetings definition (``params/meetings.yaml``), and count what the
    period's figures need in DuckDB: the scope's calls per day, missed calls and their callbacks, meetings and
    won deals, the whole team's for the comparison (:func:`.query.load_calls`)."""
    _check(callback_hours)
    rule = meeting_rules.read_meeting_rule(meetings)
    hours = float(callback_hours)
    return kit.open_report(
        REPORT,
        partial(queries_calls.load_calls, rule=rule, hours=hours),
        period,
        manager,
        pipeline,
        store,
        lang,
        context=CallsContext,
        rule=rule,
        hours=hours,
        min_calls=int(min_calls),
    )


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
    if key in metrics.RATE_KEYS:  # a share above 100 % is a data problem: said so in the row's label
        return fmt.percent(v, lang, 1)
    if key in metrics.DURATION_KEYS:
        return fmt.duration_hm(v, lang)
    if key in metrics.COUNT_KEYS:
        return fmt.number(v, lang)
    return fmt.number(v, lang, 1)


def _kpi_label(ctx: CallsContext, key: str, k: pd.DataFrame | None = None) -> str:
    """The row label of ``key``; a share above 100 % in any column of the headline table ``k`` is named a data
    problem here, in the label, which wraps (in the number's cell the note made the table wider than the page)."""
    label = (
        t(f"calls.kpi.{key}", ctx.lang, hours=_hours(ctx))
        if key == "calls_missed_not_called_back"
        else t(f"calls.kpi.{key}", ctx.lang)
    )
    if k is not None and key in metrics.RATE_KEYS:
        values = pd.to_numeric(k.loc[key, ["current", "previous", "year_ago"]], errors="coerce")
        if (values > 1).any():
            label = t("calls.rate_over_label", ctx.lang, label=label)
    return label


def _kpis(ctx: CallsContext) -> pd.DataFrame:
    """The headline table (:func:`.metrics.kpi_table`), made once for the sections that show its figures."""
    if "kpis" not in ctx._cache:
        ctx._cache["kpis"] = ctx.data.kpi_table(ctx.period, ctx.as_of)
    return ctx._cache["kpis"]


def _compare_note(ctx: CallsContext) -> str:
    return t(
        "calls.def.compare",
        ctx.lang,
        previous=fmt.period_label(ctx.period.previous(), ctx.lang),
        year_ago=fmt.period_label(ctx.period.year_ago(), ctx.lang),
    )


# ---- sections -----------------------------------------------------------------------------------------------


def kpis(ctx: CallsContext) -> Section:
    """Headline figures against the previous period and a year ago."""
    lang = ctx.lang
    k = _kpis(ctx)
    cur = {key: (_int(v) if key in metrics.COUNT_KEYS else float(v)) for key, v in k["current"].items()}
    ctx.figures.update(cur)
    ctx.figures.update(callback_hours=ctx.hours, meetings_rule=meeting_rules.rule_key(ctx.rule))
    ctx.comparisons.update(previous=k["previous"].to_dict(), year_ago=k["year_ago"].to_dict())
    sec = Section(ctx, "kpis", t("calls.kpi.title", lang))
    if cur["calls_total"] == 0:
        who = t("calls.kpi.none_who", lang, name=ctx.scope.name) if ctx.scope.kind == "manager" else ""
        sec.text(
            t("calls.kpi.none", lang, period=ctx.period_label, who=who, as_of=fmt.datetime_(ctx.as_of, lang)),
            finding=True,
        )
        prev, year = k.loc["calls_total", "previous"], k.loc["calls_total", "year_ago"]
        if prev or year:
            sec.text(
                t(
                    "calls.kpi.none_compare",
                    lang,
                    prev=fmt.count(prev, "call", lang),
                    year=fmt.count(year, "call", lang),
                )
            )
        else:
            return sec
    else:
        sec.text(
            t(
                "calls.kpi.sentence",
                lang,
                period=ctx.period_label,
                calls=fmt.count(cur["calls_total"], "call", lang),
                calls_in=fmt.count(cur["calls_in"], "calls_in", lang),
                calls_out=fmt.count(cur["calls_out"], "calls_out", lang),
                d_prev=fmt.change(cur["calls_total"], k.loc["calls_total", "previous"], lang),
                d_year=fmt.change(cur["calls_total"], k.loc["calls_total", "year_ago"], lang),
                per_day=_count1(cur["calls_per_working_day"], "call", lang),
            ),
            finding=True,
        )
        sec.text(
            t(
                "calls.kpi.sentence_talk",
                lang,
                answered_share=fmt.percent(cur["calls_answered_share"], lang),
                answered=fmt.count(cur["calls_answered"], "calls_answered", lang),
                total=fmt.duration_hm(cur["calls_duration_total_s"], lang),
                avg=fmt.duration_hm(cur["calls_duration_avg_s"], lang),
            )
        )
    kit.kpi_comparison(
        ctx,
        sec,
        k,
        metrics.HEADLINE_KEYS + ["calls_per_working_day"],
        partial(_kpi_label, ctx, k=k),
        partial(_show, ctx),
        metrics.RATE_KEYS,
        prefix="calls",
    )
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
    d = ctx.data.daily(ctx.period, ctx.as_of)
    total = int(d["total"].sum()) if len(d) else 0
    if total == 0:
        return sec.text(t("common.no_data", lang))
    k = _kpis(ctx)["current"]
    busiest = d.sort_values(["total", "day"], ascending=[False, True]).iloc[0]
    sec.text(
        t(
            "calls.daily.sentence",
            lang,
            per_day=_count1(k["calls_per_working_day"], "call", lang),
            days=fmt.count(k["working_days"], "calls_working_day", lang),
            day=fmt.day(busiest["day"], lang),
            max=fmt.count(busiest["total"], "call", lang),
        )
    )
    weekend = int(d.loc[~d["working"], "total"].sum())
    if weekend:
        sec.text(
            t(
                "calls.daily.weekend",
                lang,
                n=fmt.count(weekend, "call", lang),
                share=fmt.percent(weekend / total, lang, 1 if weekend / total < 0.01 else 0),
            )
        )
    sec.tables["daily"] = d
    sec.figure(charts.daily(d, lang, by_week=len(d) > 62))
    ctx.tables["daily"] = d
    sec.note(t("calls.def.daily", lang))
    return sec


def _delay(v, lang: str) -> str:
    """The delay of a callback (hours), or "never"."""
    return t("calls.missed.never", lang) if pd.isna(v) else fmt.duration_hm(v * 3600, lang)


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
    sec.text(
        t(
            "calls.missed.sentence",
            lang,
            missed=fmt.number(n_missed, lang),
            calls_in=fmt.number(n_in, lang),
            share=fmt.percent(n_missed / n_in, lang),
        )
    )
    not_back = int((cb["state"] == "not_called_back").sum())
    pending = int((cb["state"] == "pending").sum())
    decided = n_missed - pending
    if not_back:
        sec.text(
            t(
                "calls.missed.not_called_back",
                lang,
                hours=hours,
                n=fmt.number(not_back, lang),
                decided=fmt.number(decided, lang),
                share=fmt.percent(not_back / decided, lang),
            ),
            finding=True,
        )
    elif decided:
        sec.text(t("calls.missed.all_back", lang, hours=hours))
    if pending:
        sec.text(t("calls.missed.pending", lang, n=fmt.count(pending, "calls_missed", lang), hours=hours))
    delays = cb.loc[cb["state"] == "called_back", "delay_h"]
    if len(delays):
        sec.text(t("calls.missed.delay", lang, median=fmt.duration_hm(float(delays.median()) * 3600, lang)))
    lst = metrics.not_called_back_list(cb, ctx.team.users, ctx.team.leads)
    if len(lst):
        # only the rows shown are formatted; the rest only count
        kit.table(
            sec,
            "not_called_back",
            lst,
            [
                kit.Column("calls.missed.at", "at", fmt.datetime_),
                kit.Column("common.manager", lambda df: df["manager"].fillna(t("common.unknown", lang)), "text"),
                kit.Column(
                    "calls.missed.phone", lambda df: df["phone"].fillna(fmt.DASH), "text", right=True
                ),  # unbroken
                kit.Column("calls.missed.lead", lambda df: df["lead"].fillna(t("calls.missed.no_lead", lang)), "text"),
                kit.Column("calls.missed.delay_col", "delay_h", _delay, right=True),
            ],
            shown_rows=lst.head(NOT_CALLED_BACK_ROWS),
            max_rows=NOT_CALLED_BACK_ROWS,
        )
    sec.note(t("calls.def.callback", lang, hours=hours, as_of=fmt.datetime_(ctx.as_of, lang)))
    return sec


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
    if ctx.rule.kind == "task_type" and not ctx.team.meeting_tasks_exist:  # any in the account at all?
        sec.text(t("calls.meet.no_such_tasks", lang, id=ctx.rule.task_type_id), finding=True)
    n_calls, n_meet = _int(cur["calls_total"]), _int(cur["meetings"])
    if n_meet > n_calls:
        # a conversion above 100 % is not a result: meetings are logged, calls are not (a logging gap)
        sec.text(
            t(
                "calls.meet.over_data",
                lang,
                meetings=fmt.number(n_meet, lang),
                calls=fmt.number(n_calls, lang),
                conv=fmt.percent(cur["call_to_meeting_conversion"], lang, 1),
                per_day=fmt.number(cur["calls_per_working_day"], lang, 1),
            ),
            finding=True,
        )
    elif n_meet:
        sec.text(
            t(
                "calls.meet.sentence",
                lang,
                meetings=fmt.count(n_meet, "calls_meeting", lang),
                conv=fmt.percent(cur["call_to_meeting_conversion"], lang, 1),
                d_prev=fmt.change(
                    cur["call_to_meeting_conversion"], prev["call_to_meeting_conversion"], lang, "points"
                ),
            ),
            finding=True,
        )
        if n_calls:
            sec.text(t("calls.meet.per_meeting", lang, n=_count1(n_calls / n_meet, "call", lang)))
    else:
        sec.text(t("calls.meet.none", lang))
    won = _int(cur["won_deals"])
    if won:
        on_won = round(cur["calls_per_won_deal"] * won)
        sec.text(
            t(
                "calls.meet.won",
                lang,
                per_deal=fmt.number(cur["calls_per_won_deal"], lang, 1),
                calls=fmt.count(on_won, "call", lang),
                won=fmt.count(won, "won_deal", lang),
            )
        )
    else:
        sec.text(t("calls.meet.no_won", lang))
    keys = ["meetings", "call_to_meeting_conversion", "calls_per_won_deal"]
    ctx.figures.update({key: (_int(cur[key]) if key in metrics.COUNT_KEYS else float(cur[key])) for key in keys})
    ctx.figures["meetings_rule"] = meeting_rules.rule_key(ctx.rule)
    shown = pd.DataFrame(
        {
            t("common.metric", lang): [_kpi_label(ctx, key, k) for key in keys],
            ctx.period_label: [_show(ctx, key, cur[key]) for key in keys],
            fmt.period_label(ctx.period.previous(), lang): [_show(ctx, key, prev[key]) for key in keys],
            fmt.period_label(ctx.period.year_ago(), lang): [_show(ctx, key, k.loc[key, "year_ago"]) for key in keys],
        }
    )
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
    team = ctx.team
    m = team.by_manager(ctx.period, ctx.as_of, min_calls=ctx.min_calls, user_ids=list(ctx.scope.user_ids))
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
            sec.text(
                t("calls.mgr.one_few", lang, name=r["manager"], calls=fmt.count(r["calls_total"], "call", lang)),
                finding=True,
            )
        else:
            sec.text(
                t(
                    "calls.mgr.one",
                    lang,
                    name=r["manager"],
                    share=pct(r["answered_share"]),
                    lo=pct(r["answered_lo"]),
                    hi=pct(r["answered_hi"]),
                    team=pct(team_share),
                    flag=t(f"calls.mgr.flag.{r['answered_flag']}", lang),
                    avg=dur(r["duration_avg_s"]),
                    team_avg=dur(team_avg),
                ),
                finding=True,
            )
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
                    names = ", ".join(  # the counts the share rests on: answered of all calls
                        t(
                            "calls.mgr.ranked_share",
                            lang,
                            name=n,
                            share=pct(s),
                            lo=pct(lo),
                            hi=pct(hi),
                            answered=fmt.number(a, lang),
                            calls=fmt.count(c, "call", lang),
                        )
                        for n, s, lo, hi, a, c in zip(
                            g["manager"],
                            g["answered_share"],
                            g["answered_lo"],
                            g["answered_hi"],
                            g["answered"],
                            g["calls_total"],
                        )
                    )
                    sec.text(t(key, lang, team=pct(team_share), names=names), finding=True)
            if ranked["answered_flag"].eq("within").all():
                sec.text(t("calls.mgr.answered_within", lang, team=pct(team_share)))
            for flag, key in (("above", "calls.mgr.dur_above"), ("below", "calls.mgr.dur_below")):
                g = ranked[ranked["duration_flag"] == flag].sort_values("duration_avg_s", ascending=flag == "below")
                if len(g):
                    names = ", ".join(  # the answered calls the mean rests on
                        t(
                            "calls.mgr.ranked_duration",
                            lang,
                            name=n,
                            avg=dur(a),
                            lo=dur(lo),
                            hi=dur(hi),
                            calls=fmt.count(k, "call", lang),
                        )
                        for n, a, lo, hi, k in zip(
                            g["manager"], g["duration_avg_s"], g["duration_lo"], g["duration_hi"], g["answered"]
                        )
                    )
                    sec.text(t(key, lang, team=dur(team_avg), names=names), finding=True)
            if ranked["duration_flag"].eq("within").all():
                sec.text(t("calls.mgr.duration_within", lang, team=dur(team_avg)))
        few = m[m["answered_flag"] == "few"]
        if len(few):
            sec.text(
                t(
                    "calls.mgr.few",
                    lang,
                    min=ctx.min_calls,
                    names=", ".join(
                        f"{n} ({fmt.count(c, 'call', lang)})" for n, c in zip(few["manager"], few["calls_total"])
                    ),
                ),
                finding=True,
            )
        none = m[m["answered_flag"] == "none"]
        if len(none):
            sec.text(t("calls.mgr.none", lang, names=", ".join(none["manager"])))
        sec.figure(charts.managers(m, team_share, team_avg, lang))

    def verdict(r) -> str:
        if r["answered_flag"] in ("few", "none"):
            return t(f"calls.mgr.flag.{r['answered_flag']}", lang)
        parts = [
            t(key, lang, flag=t(f"calls.mgr.flag.{r[col]}", lang))
            for col, key in (("answered_flag", "calls.mgr.v_answered"), ("duration_flag", "calls.mgr.v_duration"))
            if r[col] in ("above", "below")
        ]
        return "; ".join(parts) or t("calls.mgr.flag.within", lang)

    def minutes(v, lang_=lang) -> str:
        return fmt.number(v / 60, lang_, 1)

    def interval(lo: str, hi: str, f):
        return lambda df: pd.Series([_ci(a, b, f) for a, b in zip(df[lo], df[hi])], index=df.index, dtype=object)

    def in_out(df):
        return pd.Series(
            [f"{fmt.number(a, lang)} / {fmt.number(b, lang)}" for a, b in zip(df["calls_in"], df["calls_out"])],
            index=df.index,
            dtype=object,
        )

    # the managers' rows and the team's (every call of the period, with a manager or not)
    tc = team.counts(ctx.period)
    n_team, n_answered = tc["total"], tc["answered"]
    lo, hi = concepts.wilson_interval(n_answered, n_team)
    team_cb = ctx.callbacks(team=True)
    nan = float("nan")
    team_row = {
        "manager": t("calls.mgr.team_row", lang),
        "calls_total": n_team,
        "calls_in": tc["calls_in"],
        "calls_out": tc["calls_out"],
        "calls_missed": tc["missed"],
        "not_called_back": int((team_cb.loc[ctx.period.contains(team_cb["at"]), "state"] == "not_called_back").sum()),
        "calls_per_working_day": _per(n_team, metrics.working_days(ctx.period, ctx.as_of)),
        "meetings": meeting_rules.count_meetings(team.meetings, ctx.period),
        "answered": n_answered,
        "answered_share": team_share,
        "answered_lo": lo,
        "answered_hi": hi,
        "duration_avg_s": team_avg,
        "duration_lo": nan,
        "duration_hi": nan,
        "verdict": "",
    }
    rows = pd.concat(
        [m.assign(verdict=[verdict(r) for _, r in m.iterrows()]), pd.DataFrame([team_row])], ignore_index=True
    )

    shown, numeric = kit.shown_table(
        ctx,
        rows,
        [
            kit.Column("common.manager", "manager", "text"),
            kit.Column("calls.mgr.calls", "calls_total"),
            kit.Column("calls.mgr.in_out", in_out, "text", right=True),
            kit.Column("calls.mgr.missed", "calls_missed"),
            kit.Column("calls.mgr.not_back", "not_called_back"),
            kit.Column(
                "calls.mgr.per_day", "calls_per_working_day", lambda v, lang_: fmt.number(v, lang_, 1), right=True
            ),
            kit.Column("calls.mgr.meetings", "meetings"),
        ],
    )
    sec.table("managers", m, shown, numeric=numeric)

    shown, numeric = kit.shown_table(
        ctx,
        rows,
        [
            kit.Column("common.manager", "manager", "text"),
            kit.Column("calls.mgr.answered", lambda df: df["answered_share"].where(df["calls_total"] > 0), "percent"),
            kit.Column("calls.mgr.ci", interval("answered_lo", "answered_hi", pct), "text", right=True),
            kit.Column(
                "calls.mgr.duration", lambda df: df["duration_avg_s"].where(df["answered"] > 0), minutes, right=True
            ),
            kit.Column(
                t("calls.mgr.ci", lang) + " ", interval("duration_lo", "duration_hi", minutes), "text", right=True
            ),
            kit.Column("calls.mgr.verdict", "verdict", "text"),
        ],
    )
    sec.table("managers_quality", m, shown, numeric=numeric, publish=False)
    sec.note(t("calls.def.managers", lang, min=ctx.min_calls, hours=_hours(ctx)))
    return sec


def summary(ctx: CallsContext) -> Section:
    """The findings of every section, in one list."""
    return kit.takeaways(ctx, "calls.summary.title")
