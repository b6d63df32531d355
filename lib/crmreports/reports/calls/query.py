"""The calls report's figures counted in DuckDB.

``store.load`` reads every call, task and stage change of the account (and every lead of the scope):
on a million deals that is millions of rows for a report that looks at one period and compares it with two
others, and a year of calls is over a million rows even when only that year is read. :func:`load_calls`
counts in SQL what the call metrics (:mod:`crmreports.reports.calls.metrics`) count on rows, and reads rows only where
a figure needs them; the metrics' assembly functions (:func:`crmreports.reports.calls.metrics.figures`,
:func:`~crmreports.reports.calls.metrics.daily_table`, :func:`~crmreports.reports.calls.metrics.manager_table`) then
give exactly the figures and tables :func:`~crmreports.reports.calls.metrics.headline`,
:func:`~crmreports.reports.calls.metrics.daily` and :func:`~crmreports.reports.calls.metrics.by_manager` give on the
whole store. The periods looked at (*windows*) are the report's period, the previous one and the same period a year
ago (for the whole team of a one-manager report: the period only, as the comparison of managers looks at the period
alone).

``days``
    the scope's calls counted per local day and manager (:data:`crmreports.reports.calls.metrics.COUNT_COLUMNS` and the
    total duration): the headline counts and the calls per day are sums of these.
``callbacks`` (also ``tables["calls"]``)
    the scope's missed inbound calls of the windows, in the store's order (ties in the sorted list of calls
    nobody called back keep the order they have in the full read), each with its first callback
    (``callback_at``: the first outbound call by anyone in the account after it, to the same phone number
    (last 10 digits) or the same contact, before the data date; an ASOF join) and then ``delay_h`` and
    ``state`` (:func:`crmreports.reports.calls.metrics.callback_states`).
``windows``
    per window: the scope's deals won in it, its calls on those deals, its meetings (distinct tasks of the
    rule's type completed in it, or distinct deals entering the rule's stage in it).
``meetings_by_user``, ``durations``
    for the period: meetings per manager, and each manager's answered calls' durations in the order of the
    calls (the Student-t interval of the average sums them in that order).
``leads`` (only the columns the metrics use)
    the deals of the period's missed calls nobody called back (their names are listed).

Whether a meeting task of the rule's type exists in the account at all (the report says so when it does
not) is asked in SQL too.

The store keeps UTC and periods are in the account's local time: every read is cut by UTC windows widened by
:data:`crmreports.reports.sales_analysis.query.MARGIN` (so that DuckDB can skip row groups) and then exactly, in local
time computed in SQL by :func:`crmreports.core.localtime.local_sql` from the timezone's UTC offsets as pandas knows
them (the conversion of :func:`crmreports.store.to_local`, to the microsecond).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import timedelta

import numpy as np
import pandas as pd

from ... import store
from ...core.localtime import MARGIN, local_sql
from ...core.periods import Period
from ...store import WON
from ...store.meetings import MeetingRule, count_meetings, meetings_by_user, stage_ids
from ...store.sql import query_arrow, read_arrow, sql_ts, sql_windows
from . import metrics

LEAD_COLUMNS = ["id", "name", "pipeline_id", "status_id", "responsible_user_id", "created_at", "closed_at"]
CALLBACK_COLUMNS = ["id", "user_id", "lead_id", "phone", "at", "callback_at"]
DAY_COLUMNS = ["day", "user_id"] + metrics.COUNT_COLUMNS + ["duration_s"]

ANSWERED = "coalesce(is_answered, status = 'answered', false)"  # crmreports.reports.calls.metrics.prepare
MISSED = f"lower(direction) = 'in' AND NOT {ANSWERED}"
# the last 10 digits of a phone number written with digits and "+" only, else with anything removed but 0-9 (for an
# ASCII number, what crmreports.reports.calls.metrics.phone_key's \D removes); then its key as a number (faster to
# join on than text): a number of 7 to 10 digits d as int(d) + 10^10 × len(d) (so that leading zeros count)
DIGITS = (
    "right(CASE WHEN regexp_full_match(phone, '[0-9+]*') THEN replace(phone, '+', '') "
    "ELSE regexp_replace(phone, '[^0-9]', '', 'g') END, 10)"
)
PHONE_KEY = "CASE WHEN length(d) >= 7 THEN CAST(d AS BIGINT) + length(d) * 10000000000 END"
ASCII = "strlen(phone) = length(phone)"  # no character over one byte: Python's and RE2's digits agree


@dataclass(frozen=True)
class CallsData(store.StoreData):
    """:class:`store.StoreData` reduced to one period's calls report (see the module docstring)."""

    windows: list[Period] = field(default_factory=list)
    days: pd.DataFrame = field(default_factory=pd.DataFrame)
    callbacks: pd.DataFrame = field(default_factory=pd.DataFrame)
    per_window: dict = field(default_factory=dict)  # Period -> {won_deals, on_won}
    meetings: pd.DataFrame = field(default_factory=pd.DataFrame)  # key, at, user_id
    durations: dict = field(default_factory=dict)  # user id -> answered calls' durations (period)
    meeting_tasks_exist: bool = False  # the account has any task of the meeting rule's type
    team: CallsData | None = None  # the whole team's (one manager's report); None: this is the team's

    @property
    def whole_team(self) -> CallsData:
        """The whole team's figures (the comparison of managers): :attr:`team`, or these for a team report."""
        return self if self.team is None else self.team

    # ---- the metrics' figures, from what was counted ---------------------------------------------------------

    def counts(self, period: Period, by_user: bool = False):
        """:func:`crmreports.reports.calls.metrics.counts` of the period's calls
        (per manager: a frame indexed by user id)."""
        d = self.days[period.contains(self.days["day"])]
        cols = metrics.COUNT_COLUMNS + ["duration_s"]
        if by_user:
            return d.dropna(subset=["user_id"]).groupby("user_id")[cols].sum()
        return {c: (float(d[c].sum()) if c == "duration_s" else int(d[c].sum())) for c in cols}

    def period_callbacks(self, period: Period) -> pd.DataFrame:
        return self.callbacks[period.contains(self.callbacks["at"])].reset_index(drop=True)

    def headline(self, period: Period, as_of: pd.Timestamp) -> dict[str, float]:
        """:func:`crmreports.reports.calls.metrics.headline` of one of the windows."""
        w = self.per_window[period]
        return metrics.figures(
            self.counts(period),
            self.period_callbacks(period),
            count_meetings(self.meetings, period),
            w["on_won"],
            w["won_deals"],
            metrics.working_days(period, as_of),
        )

    def kpi_table(self, period: Period, as_of: pd.Timestamp) -> pd.DataFrame:
        """:func:`crmreports.reports.calls.metrics.kpi_table`."""
        return metrics.kpi_frame({name: self.headline(p, as_of) for name, p in metrics.compared(period)})

    def daily(self, period: Period, as_of: pd.Timestamp) -> pd.DataFrame:
        """:func:`crmreports.reports.calls.metrics.daily`."""
        d = self.days[period.contains(self.days["day"])]
        return metrics.daily_table(d.groupby("day")[metrics.COUNT_COLUMNS].sum(), period, as_of)

    def by_manager(
        self, period: Period, as_of: pd.Timestamp, min_calls: int = metrics.MIN_CALLS, user_ids: list[int] | None = None
    ) -> pd.DataFrame:
        """:func:`crmreports.reports.calls.metrics.by_manager` (the period must be the one read)."""
        per = self.counts(period, by_user=True)
        per = per[per["total"] > 0]
        ids = metrics.manager_ids(per.index.astype("int64").unique(), self.users, user_ids)
        zero = dict.fromkeys(metrics.COUNT_COLUMNS, 0) | {"duration_s": 0.0}
        per_user = {uid: (per.loc[uid] if uid in per.index else zero) for uid in ids}
        none = np.array([], dtype=float)
        durations = {uid: self.durations.get(int(uid), none) for uid in ids}
        cb = self.period_callbacks(period)
        ncb = cb[cb["state"] == "not_called_back"].groupby("user_id").size()
        mt = meetings_by_user(self.meetings, period)
        return metrics.manager_table(
            ids,
            per_user,
            durations,
            ncb,
            mt,
            self.counts(period),
            self.users,
            metrics.working_days(period, as_of),
            min_calls,
        )


# ---- reading ------------------------------------------------------------------------------------------------


def report_windows(period: Period) -> list[Period]:
    """The periods the report's figures look at: the period, the previous one, the same one a year ago."""
    return [period, period.previous(), period.year_ago()]


def _in(col: str, values: list) -> tuple[str, list]:
    return f'"{col}" IN ({", ".join("?" * len(values))})', list(values)


def _inside(col: str, windows: list[Period]) -> tuple[str, list]:
    """``col`` (local time) inside one of the windows, exactly."""
    sql = " OR ".join(f"({col} >= ? AND {col} < ?)" for _ in windows)
    return f"({sql})", [v for p in windows for v in (p.start_ts.to_pydatetime(), p.end_ts.to_pydatetime())]


@dataclass(frozen=True)
class _Scope:
    """One set of calls (the report's scope, or the whole team) and the windows it is counted in."""

    windows: list[Period]
    pipeline_ids: list[int] | None
    user_ids: list[int] | None

    def calls(self, alias: str = "") -> tuple[str, list]:
        """SQL condition on ``calls`` for the scope: by user; with a pipeline, the call's deal in the scope."""
        a = f"{alias}." if alias else ""
        cond, params = ["true"], []
        if self.user_ids:
            sql, p = _in("user_id", self.user_ids)
            cond.append(a + sql)
            params += p
        if self.pipeline_ids:
            sql, p = self.leads()
            cond.append(f"{a}lead_id IN (SELECT id FROM leads WHERE {sql})")
            params += p
        return " AND ".join(cond), params

    def leads(self) -> tuple[str, list]:
        return store.lead_filter(self.pipeline_ids, self.user_ids)

    def spans(self) -> list[tuple]:
        return [(p.start_ts, p.end_ts) for p in self.windows]


class _Reader:
    """The SQL of one report: connection, local-time expressions, data date."""

    def __init__(self, con, tz: str, as_of: pd.Timestamp, windows: list[Period], hours: float):
        self.con, self.tz, self.as_of = con, tz, as_of
        lo = min(p.start_ts for p in windows) - MARGIN  # every time read, UTC (see callbacks)
        hi = max([p.end_ts + pd.Timedelta(hours=hours) for p in windows] + [pd.Timestamp(as_of)]) + MARGIN
        self.span = (lo, hi)

    def local(self, col: str) -> str:
        return local_sql(col, self.tz, *self.span)

    def days(self, s: _Scope) -> pd.DataFrame:
        """The scope's calls per local day and manager in its windows (:data:`DAY_COLUMNS`)."""
        utc_sql, utc_p = sql_windows("at", s.spans())
        scope_sql, scope_p = s.calls()
        df = query_arrow(
            self.con,
            f"""
            SELECT CAST({self.local('"at"')} AS DATE) AS day, user_id,
                count(*) FILTER (WHERE lower(direction) = 'in') AS calls_in,
                count(*) FILTER (WHERE lower(direction) = 'out') AS calls_out,
                count(*) FILTER (WHERE {ANSWERED}) AS answered,
                count(*) FILTER (WHERE {MISSED}) AS missed,
                count(*) AS total, CAST(sum(coalesce(duration_s, 0)) AS BIGINT) AS duration_s
            FROM calls WHERE {utc_sql} AND {scope_sql} GROUP BY ALL ORDER BY day, user_id""",
            utc_p + scope_p,
        )
        if df.empty:
            df = pd.DataFrame({c: pd.Series(dtype="int64") for c in DAY_COLUMNS})
        df["day"] = pd.to_datetime(df["day"]).astype("datetime64[ns]")
        df["user_id"] = df["user_id"].astype("float64")
        return df[DAY_COLUMNS]

    def callbacks(self, scopes: list[_Scope], hours: float) -> list[pd.DataFrame]:
        """Each scope's missed calls in its windows with their first callback, state and delay (in the store's
        order), from one ASOF join for all the scopes.

        The outbound calls searched are those from the start of the report's period (every scope's first
        window) to the data date, and from the start of each other window to ``hours`` after its end: for the
        missed calls of the other windows only whether a callback came within ``hours`` counts (their state is
        exact; a later first callback is not looked for, and their ``callback_at`` and ``delay_h`` are left
        empty unless they were called back in time)."""
        at = self.local('"at"')
        flags, params = [], []
        for i, s in enumerate(scopes):
            utc_sql, utc_p = sql_windows("at", s.spans())
            scope_sql, scope_p = s.calls()
            local_sql_, local_p = _inside("lt", s.windows)
            flags.append(f"({utc_sql} AND {scope_sql} AND {local_sql_}) AS s{i}")
            params += utc_p + scope_p + local_p
        spans = [w for s in scopes for w in s.spans()]
        utc_sql, utc_p = sql_windows("at", spans)
        after = timedelta(hours=hours)
        searched = [(lo, max(sql_ts(self.as_of), sql_ts(lo))) for lo, _ in [s.spans()[0] for s in scopes]] + [
            (lo, sql_ts(hi) + after) for s in scopes for lo, hi in s.spans()[1:]
        ]
        out_sql, out_p = sql_windows("at", searched)
        key, join, key_frames = self._phone_key(sql_ts(min(lo for lo, _ in spans)) - MARGIN)
        flag_cols = ", ".join(f"s{i}" for i in range(len(scopes)))
        sql = f"""
            WITH m AS MATERIALIZED (
                SELECT * FROM (
                    SELECT rid, id, user_id, lead_id, contact_id, i.phone, lt, {key} AS pk, {flag_cols}
                    FROM (SELECT rid, id, user_id, lead_id, contact_id, phone, lt, {DIGITS} AS d, {", ".join(flags)}
                          FROM (SELECT rowid AS rid, *, {at} AS lt FROM calls WHERE {utc_sql} AND {MISSED})) i {join})
                WHERE {" OR ".join(f"s{i}" for i in range(len(scopes)))}),
            o AS MATERIALIZED (
                SELECT lt, {key} AS pk, contact_id FROM (
                    SELECT phone, contact_id, lt, {DIGITS} AS d FROM (
                        SELECT phone, contact_id, {at} AS lt FROM calls
                        WHERE lower(direction) = 'out' AND {out_sql})
                    WHERE lt < ?) i {join}),
            a AS (SELECT lt, pk FROM o WHERE pk IN (SELECT pk FROM m)),
            b AS (SELECT lt, contact_id FROM o WHERE contact_id IN (SELECT contact_id FROM m))
            SELECT m.id, m.user_id, m.lead_id, m.phone, m.lt AS "at", least(a.lt, b.lt) AS callback_at, {flag_cols}
            FROM m
            ASOF LEFT JOIN a ON m.pk = a.pk AND a.lt > m.lt
            ASOF LEFT JOIN b ON m.contact_id = b.contact_id AND b.lt > m.lt
            ORDER BY m.rid"""
        as_of = pd.Timestamp(self.as_of).to_pydatetime()
        df = query_arrow(self.con, sql, params + utc_p + out_p + [as_of], key_frames)
        out = []
        for i, s in enumerate(scopes):
            part = df.loc[df[f"s{i}"].astype(bool), CALLBACK_COLUMNS].reset_index(drop=True)
            part = metrics.callback_states(part, self.as_of, hours)
            other = ~s.windows[0].contains(part["at"]) & (part["state"] != "called_back")
            part.loc[other, "callback_at"] = pd.NaT
            part.loc[other, "delay_h"] = np.nan
            out.append(part)
        return out

    def _phone_key(self, lo) -> tuple[str, str, dict]:
        """The SQL of a call's phone key (:func:`crmreports.reports.calls.metrics.phone_key`) over a subquery ``i``
        with ``phone`` and the last 10 of its ASCII digits ``d``, the join it needs, and the frame that join reads:
        computed in SQL for a number of ASCII characters; the few numbers with others (where Python's and RE2's digits
        differ) get theirs from Python (a key of other digits than 0-9 as a negative number, one per key)."""
        odd = self.con.execute(f'SELECT DISTINCT phone FROM calls WHERE "at" >= ? AND NOT {ASCII}', [lo]).fetchall()
        if not odd:
            return PHONE_KEY, "", {}
        phones = pd.Series([p for (p,) in odd], dtype=object)
        text = metrics.phone_key(phones)
        other = {k: -1 - i for i, k in enumerate(sorted({k for k in text.dropna() if not k.isascii()}))}
        keys = pd.DataFrame(
            {
                "phone": phones,
                "pk": pd.array(
                    [None if pd.isna(k) else int(k) + len(k) * 10**10 if k.isascii() else other[k] for k in text],
                    dtype="Int64",
                ),
            }
        )
        return (
            f"CASE WHEN strlen(i.phone) = length(i.phone) THEN {PHONE_KEY} ELSE k.pk END",
            "LEFT JOIN _odd_phone_keys k ON k.phone = i.phone",
            {"_odd_phone_keys": keys},
        )

    def per_window(self, s: _Scope) -> dict:
        """Per window: the scope's deals won in it and its calls on them."""
        lead_sql, lead_p = s.leads()
        closed = self.local("l.closed_at")
        won_utc, won_p = sql_windows("closed_at", s.spans())
        call_utc, call_p = sql_windows("at", s.spans())
        scope_sql, scope_p = s.calls("c")
        values = ", ".join("(?, ?, ?)" for _ in s.windows)
        value_p = [
            v for k, p in enumerate(s.windows) for v in (k, p.start_ts.to_pydatetime(), p.end_ts.to_pydatetime())
        ]
        won = query_arrow(
            self.con,
            f"""
            WITH p(k, lo, hi) AS (VALUES {values}),
            w AS (SELECT p.k, l.id FROM leads l JOIN p ON {closed} >= p.lo AND {closed} < p.hi
                  WHERE {lead_sql} AND l.status_id = {WON} AND {won_utc.replace('"closed_at"', "l.closed_at")})
            SELECT k, (SELECT count(*) FROM w WHERE w.k = p.k) AS won_deals,
                (SELECT count(*) FROM calls c JOIN w ON c.lead_id = w.id
                 WHERE w.k = p.k AND {call_utc.replace('"at"', 'c."at"')} AND {scope_sql}
                   AND {self.local('c."at"')} >= p.lo AND {self.local('c."at"')} < p.hi) AS on_won
            FROM p ORDER BY k""",
            value_p + lead_p + won_p + call_p + scope_p,
        )
        return {
            p: {"won_deals": int(won["won_deals"].iloc[k]), "on_won": int(won["on_won"].iloc[k])}
            for k, p in enumerate(s.windows)
        }

    def meetings(self, s: _Scope, rule: MeetingRule, stages: pd.DataFrame | None) -> pd.DataFrame:
        """The scope's meetings in its windows (UTC-widened): ``key`` (the task, or the deal entering the stage: what
        is counted once per period), ``at`` (local), ``user_id`` (as
        :func:`crmreports.store.meetings.meeting_events`)."""
        lead_sql, lead_p = s.leads()
        if rule.kind == "task_type":
            done_sql, done_p = sql_windows("completed_at", s.spans())
            cond, params = [done_sql], list(done_p)
            if s.user_ids:
                sql, p = _in("responsible_user_id", s.user_ids)
                cond.append(sql)
                params += p
            if s.pipeline_ids:
                cond.append(f"entity = 'lead' AND entity_id IN (SELECT id FROM leads WHERE {lead_sql})")
                params += lead_p
            return query_arrow(
                self.con,
                f"""
                SELECT id AS key, {self.local("completed_at")} AS "at", responsible_user_id AS user_id FROM tasks
                WHERE task_type_id = ? AND coalesce(is_completed, false) AND completed_at IS NOT NULL
                  AND {" AND ".join(cond)}""",
                [rule.task_type_id] + params,
            )
        pairs = " OR ".join("(s.to_pipeline_id = ? AND s.to_status_id = ?)" for _ in range(len(stages)))
        pair_p = [int(v) for row in stages[["pipeline_id", "id"]].itertuples(index=False) for v in row]
        at_sql, at_p = sql_windows("at", s.spans())
        return query_arrow(
            self.con,
            f"""
            SELECT s.lead_id AS key, {self.local('s."at"')} AS "at", l.responsible_user_id AS user_id
            FROM stage_changes s JOIN (SELECT id, responsible_user_id FROM leads WHERE {lead_sql}) l ON l.id = s.lead_id
            WHERE ({pairs}) AND {at_sql.replace('"at"', 's."at"')}
              AND NOT coalesce(s.from_pipeline_id = s.to_pipeline_id AND s.from_status_id = s.to_status_id, false)""",
            lead_p + pair_p + at_p,
        )

    def durations(self, s: _Scope, period: Period) -> dict[int, np.ndarray]:
        """Each manager's answered calls of the period: their durations, in the store's order."""
        utc_sql, utc_p = sql_windows("at", [(period.start_ts, period.end_ts)])
        scope_sql, scope_p = s.calls()
        local_sql_, local_p = _inside(self.local('"at"'), [period])
        df = query_arrow(
            self.con,
            f"""
            SELECT user_id, CAST(coalesce(duration_s, 0) AS DOUBLE) AS d FROM calls
            WHERE {utc_sql} AND {scope_sql} AND {ANSWERED} AND user_id IS NOT NULL AND {local_sql_}
            ORDER BY user_id, rowid""",
            utc_p + scope_p + local_p,
        )
        users, d = df["user_id"].to_numpy(), df["d"].to_numpy()
        cuts = np.flatnonzero(users[1:] != users[:-1]) + 1
        starts, ends = np.r_[0, cuts], np.r_[cuts, len(users)]
        return {int(users[a]): d[a:b] for a, b in zip(starts, ends) if b > a}

    def leads(self, s: _Scope, ids: pd.Series) -> pd.DataFrame:
        """The scope's deals of ``ids`` (:data:`LEAD_COLUMNS`)."""
        lead_sql, lead_p = s.leads()
        ids = pd.DataFrame({"id": pd.to_numeric(ids, errors="coerce").dropna().astype("int64").unique()})
        cols = ", ".join(f'"{c}"' for c in LEAD_COLUMNS)
        return read_arrow(
            self.con,
            f"SELECT {cols} FROM leads WHERE {lead_sql} AND id IN (SELECT id FROM _call_lead_ids)",
            lead_p,
            "leads",
            LEAD_COLUMNS,
            self.tz,
            frames={"_call_lead_ids": ids},
        )


def load_calls(
    path: str | os.PathLike,
    period: Period,
    rule: MeetingRule,
    hours: float,
    pipeline_ids: list[int] | None = None,
    user_ids: list[int] | None = None,
) -> CallsData:
    """What the calls report needs for ``period``: the scope's figures, with the whole team's in its ``team``
    (for a one-manager report; a team report's are the team's), counted in SQL (see the module docstring).

    ``rule`` is the meetings definition; ``hours`` the callback window. Scope filters are those of
    :func:`store.load`; a stage rule naming no stage of the account is a
    :class:`crmreports.store.meetings.MeetingsConfigError`.
    """
    from ...store import data_end

    con = store.connect(path, read_only=True)
    try:
        account = store.read_account(con)
        tz = str(account.get("timezone") or "UTC")
        ref = {name: store.read_table(con, name, tz=tz) for name in ("users", "pipelines", "statuses", "loss_reasons")}
        stages = stage_ids(rule, ref["statuses"]) if rule.kind == "stage" else None
        windows = report_windows(period)
        as_of = data_end(account)
        r = _Reader(con, tz, as_of, windows, hours)
        exist = rule.kind == "task_type" and bool(
            con.execute("SELECT EXISTS (SELECT 1 FROM tasks WHERE task_type_id = ?)", [rule.task_type_id]).fetchall()[
                0
            ][0]
        )
        scope = _Scope(windows, pipeline_ids, user_ids or None)
        team = scope if not user_ids else _Scope([period], pipeline_ids, None)
        found = r.callbacks([scope] if team is scope else [scope, team], hours)
        empty = store.conform("tasks", None), store.conform("stage_changes", None)

        def data(
            s: _Scope, cb: pd.DataFrame, headline: bool, managers: bool, team_data: CallsData | None = None
        ) -> CallsData:
            """The figures of the headline table (the scope), of the comparison of managers (the team), or both."""
            mine = cb[period.contains(cb["at"]) & (cb["state"] == "not_called_back")]
            leads = r.leads(s, mine["lead_id"])
            tables = dict(ref, leads=leads, stage_changes=empty[1], calls=cb, tasks=empty[0])
            more = {}
            if headline:
                more["per_window"] = r.per_window(s)
            if managers:
                more["durations"] = r.durations(s, period)
            return CallsData(
                account=account,
                users=ref["users"],
                pipelines=ref["pipelines"],
                statuses=ref["statuses"],
                leads=leads,
                stage_changes=empty[1],
                loss_reasons=ref["loss_reasons"],
                tables=tables,
                windows=s.windows,
                days=r.days(s),
                callbacks=cb,
                meetings=r.meetings(s, rule, stages),
                meeting_tasks_exist=exist,
                team=team_data,
                **more,
            )

        if team is scope:
            scope_data = data(scope, found[0], True, True)
        else:
            scope_data = data(scope, found[0], True, False, team_data=data(team, found[1], False, True))
    finally:
        con.close()
    return scope_data
