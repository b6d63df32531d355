"""Report-specific reads with the period's filters pushed into DuckDB.

``store.load`` reads every lead of the scope and all their stage changes: fine for an account of a
few thousand deals, but on a million deals with twenty million stage changes that is gigabytes of
pandas frames for a report that looks at one month. :func:`load_sales` reads only the rows the
sales-analysis metrics (:mod:`crmreports.reports.sales_analysis.metrics`) can see for one period, one frame per use,
and the metrics give exactly the figures and tables they give on the whole store:

``leads`` (the columns the metrics use, without names)
    created or closed in the period, the previous period or the same period a year ago: headline
    figures, cohorts, losses, loss reasons, managers;
``cohort_leads``
    created in the months of the cohort matrix (the 12 months ending with the period's last month);
``won_leads``
    won in the period, the 13 months of the trend or the 12 months of the typical cycle;
``open_leads``
    open at the snapshot: open deals per manager, and stale deals (names only of the deals old enough
    to be stale: older than the typical cycle of the won deals read);
``funnel_sets``
    the deals of the period's cohort counted by pipeline and set of stages (statuses) entered in it
    (the current stage for a deal without history): the funnel only asks which stages a deal entered,
    not when or how often, and counts deals; each deal's sets are kept in the store
    (``lead_stage_sets``, :mod:`crmreports.store.derived`);
``loss_changes``
    for the deals lost in the period, their moves into lost and, where such a move does not tell the
    stage of loss, their last move into an open stage (and the last one with a pipeline);
``snapshot_changes``
    for the deals open at the snapshot, their last change before it (and the last with a stage, the last
    with a pipeline): their stage then, which tells the open deals (pending requests are not) and the
    stage of a stale deal;
``stays``
    the stays in an open stage that began in the period, with the moment each ended (the deal's next
    change before the end of the data): what :func:`sales.stage_visits` finds in the whole history,
    kept in the store with the moment each stay ended (``stage_stays``, :mod:`crmreports.store.derived`);
    read as counts of stays per stage and duration (in microseconds, to the end of the data while still
    there), all that time in stage takes.

Local time in SQL. The store keeps UTC and periods are in the account's local time. The reads convert
in SQL with the zone's UTC offsets over the data's time span, taken from pandas' own conversion
(:mod:`crmreports.core.localtime`), so every cut, "last change" and "next change" is made on exactly the local
times the metric functions see, and the frames come back in local time. A plain UTC filter widened by
:data:`MARGIN` is added to each cut so that DuckDB can still skip row groups.

Ordering ties. A deal's changes are ordered by time, then by the text event id. The reads order by
time alone (no need to read the ids), check whether any two rows of a deal share a time, and only then
read again ordered by event id. The stage-change frames carry an integer ``id``: the row's rank in that
order.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field

import duckdb
import numpy as np
import pandas as pd

from ... import store
from ...core.localtime import MARGIN, local_sql
from ...core.periods import Period
from ...store import LOST, WON, derived
from ...store.sql import sql_ts
from . import metrics as sales

SALES_LEAD_COLUMNS = [
    "id",
    "price",
    "pipeline_id",
    "status_id",
    "responsible_user_id",
    "loss_reason_id",
    "created_at",
    "closed_at",
]


COHORT_LEAD_COLUMNS = ["id", "status_id", "created_at", "closed_at"]


WON_LEAD_COLUMNS = ["id", "price", "status_id", "responsible_user_id", "created_at", "closed_at"]


OPEN_LEAD_COLUMNS = [
    "id",
    "name",
    "price",
    "pipeline_id",
    "status_id",
    "responsible_user_id",
    "created_at",
    "closed_at",
]


LOSS_CHANGE_COLUMNS = ["lead_id", "at", "from_pipeline_id", "from_status_id", "to_pipeline_id", "to_status_id"]


SNAPSHOT_CHANGE_COLUMNS = ["lead_id", "at", "to_pipeline_id", "to_status_id"]


@dataclass(frozen=True)
class SalesData(store.StoreData):
    """:class:`store.StoreData` reduced to one period's sales analysis (see the module docstring).

    ``stage_changes`` is left empty: each section reads its own reduced frame."""

    won_leads: pd.DataFrame = field(default_factory=pd.DataFrame)
    cohort_leads: pd.DataFrame = field(default_factory=pd.DataFrame)
    open_leads: pd.DataFrame = field(default_factory=pd.DataFrame)
    funnel_sets: pd.DataFrame = field(default_factory=pd.DataFrame)
    loss_changes: pd.DataFrame = field(default_factory=pd.DataFrame)
    snapshot_changes: pd.DataFrame = field(default_factory=pd.DataFrame)
    stays: pd.DataFrame = field(default_factory=pd.DataFrame)
    has_history: bool = False  # the scope's deals have any stage-to-stage move at all
    has_amounts: bool = False  # ... any deal amount
    priced_users: frozenset = frozenset()  # responsible users with any deal amount


def trend_window(period: Period, months: int = 13) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The calendar months shown by :func:`crmreports.reports.sales_analysis.metrics.monthly_trend` for the period."""
    last = (pd.Timestamp(period.end) - pd.Timedelta(days=1)).to_period("M")
    return (last - (months - 1)).to_timestamp(), (last + 1).to_timestamp()


def _local_time(con: duckdb.DuckDBPyConnection, tz: str, as_of: pd.Timestamp) -> Callable[[str], str]:
    """:func:`local_sql` for the zone over every timestamp the sales reads convert."""
    bounds = [pd.Timestamp(as_of)] + [
        pd.Timestamp(v)
        for v in (
            con.execute("SELECT min(created_at), max(created_at), min(closed_at), max(closed_at) FROM leads").fetchone()
            + con.execute('SELECT min("at"), max("at") FROM stage_changes').fetchone()
        )
        if v is not None
    ]
    lo, hi = min(bounds) - MARGIN, max(bounds) + MARGIN
    return lambda col: local_sql(col, tz, lo, hi)


def _in(local, col: str, lo, hi=None) -> tuple[str, list]:
    """``lo <= local(col) < hi`` (``hi`` None: no upper bound), with the widened UTC filter in front."""
    q = f'"{col}"'
    if hi is None:
        return f"({q} >= ? AND {local(q)} >= ?)", [sql_ts(lo) - MARGIN, sql_ts(lo)]
    return (
        f"({q} >= ? AND {q} < ? AND {local(q)} >= ? AND {local(q)} < ?)",
        [sql_ts(lo) - MARGIN, sql_ts(hi) + MARGIN, sql_ts(lo), sql_ts(hi)],
    )


def _before(local, col: str, moment) -> tuple[str, list]:
    """``local(col) < moment``, with the widened UTC filter in front."""
    q = f'"{col}"'
    return f"({q} < ? AND {local(q)} < ?)", [sql_ts(moment) + MARGIN, sql_ts(moment)]


def _any(conds: list[tuple[str, list]]) -> tuple[str, list]:
    return "(" + " OR ".join(c for c, _ in conds) + ")", [v for _, p in conds for v in p]


def _frame(con, sql: str, params: list, table: str, columns: list[str]) -> pd.DataFrame:
    """A SELECT of ``columns`` (timestamps already local) as a frame; an empty one with the store's types."""
    df = con.execute(sql, params).df()
    return df if len(df) else store.conform(table, None)[columns]


def _tied(df: pd.DataFrame) -> bool:
    """Whether two consecutive rows belong to the same deal and share a time."""
    lead, t = df["lead_id"].to_numpy(), df["at"]
    same_t = (t.to_numpy()[1:] == t.to_numpy()[:-1]) | (t.isna().to_numpy()[1:] & t.isna().to_numpy()[:-1])
    return bool(((lead[1:] == lead[:-1]) & same_t).any())


def _event_order(con, sql: str, params: list, columns: list[str]) -> pd.DataFrame:
    """Rows of stage changes in (deal, time, event id) order, numbered by ``id``: ``sql`` orders by its
    ``{order}`` placeholder: nothing first (time alone orders them unless there are ties), and the
    event id if there are."""
    df = _frame(con, sql.format(order="NULL"), params, "stage_changes", columns)
    if len(df) > 1 and _tied(df):
        df = _frame(con, sql.format(order="s.id"), params, "stage_changes", columns)
    df.insert(0, "id", np.arange(len(df), dtype="int64"))
    return df


def _cols(columns: list[str], local=None, alias: str = "", exprs: dict[str, str] | None = None) -> str:
    """Column list (``alias`` prefixed); timestamp columns through ``local`` when given; ``exprs``: columns
    read as other expressions."""
    out = []
    for c in columns:
        q = f'{alias}"{c}"'
        if exprs and c in exprs:
            out.append(f'{exprs[c]} AS "{c}"')
        elif local is not None and c in ("at", "created_at", "closed_at"):
            out.append(f'{local(q)} AS "{c}"')
        else:
            out.append(q)
    return ", ".join(out)


def _leads_of(scope_sql: str, cond: str) -> str:
    """Ids of the scope's leads meeting ``cond``, for a semi join."""
    return f"(SELECT id FROM leads WHERE {scope_sql} AND {cond})"


def _funnel_sets(con, tz: str, scope, cohort) -> pd.DataFrame:
    """The cohort's deals counted by (pipeline_id, ``stages``: the sorted statuses a deal entered in that
    pipeline, ``outcome``: open, won or lost by its status, :func:`sales.deal_outcome`) in ``n``: what
    :func:`sales.visited_stages` gives, one row per set instead of per deal and stage (a deal without any
    change: its current stage), from ``lead_stage_sets`` (:mod:`derived`)."""
    sets = derived.source(con, "lead_stage_sets", tz)
    df = con.execute(
        f"""
        WITH c AS MATERIALIZED (
            SELECT id, pipeline_id, status_id,
                   CASE status_id WHEN {WON} THEN 'won' WHEN {LOST} THEN 'lost' ELSE 'open' END AS outcome
            FROM leads WHERE {scope[0]} AND {cohort[0]}),
        v AS (
            SELECT s.pipeline_id, s.stages, c.outcome FROM {sets} s JOIN c ON s.lead_id = c.id
            WHERE s.pipeline_id IS NOT NULL
            UNION ALL
            SELECT c.pipeline_id, [c.status_id], c.outcome FROM c ANTI JOIN {sets} s ON c.id = s.lead_id)
        SELECT pipeline_id::BIGINT AS pipeline_id, stages::BIGINT[] AS stages, outcome, count(*) AS n FROM v
        GROUP BY ALL ORDER BY ALL""",
        scope[1] + cohort[1],
    ).df()
    return (
        df
        if len(df)
        else pd.DataFrame(
            {
                "pipeline_id": pd.Series(dtype="int64"),
                "stages": pd.Series(dtype=object),
                "outcome": pd.Series(dtype=object),
                "n": pd.Series(dtype="int64"),
            }
        )
    )


def _loss_changes(con, local, scope, lost, open_ids: list[int]) -> pd.DataFrame:
    """For the deals lost in the period: every move into lost and, for the deals whose stage of loss that
    move does not tell (not exactly one move, from an open stage and pipeline), the last moves into an
    open stage (the last, and the last with a pipeline; with their ties): what :func:`sales.loss_stage`
    takes."""
    cols, ids = _cols(LOSS_CHANGE_COLUMNS, local, "s."), _list(open_ids)
    return _event_order(
        con,
        f"""
        WITH lost AS MATERIALIZED {_leads_of(scope[0], lost[0])},
        il AS MATERIALIZED (
            SELECT {{order}} AS r, {cols} FROM stage_changes s SEMI JOIN lost l ON s.lead_id = l.id
            WHERE s.to_status_id = {LOST}),
        told AS (
            SELECT lead_id FROM il GROUP BY lead_id
            HAVING count(*) = 1 AND bool_and(coalesce(list_contains({ids}, from_status_id), false))
                   AND bool_and(from_pipeline_id IS NOT NULL)),
        sub AS MATERIALIZED (
            SELECT {{order}} AS r, {cols} FROM stage_changes s
            SEMI JOIN (SELECT id FROM lost ANTI JOIN told ON lost.id = told.lead_id) n ON s.lead_id = n.id
            WHERE list_contains({ids}, s.to_status_id)),
        lim AS (
            SELECT lead_id, max("at") AS a, max("at") FILTER (WHERE to_pipeline_id IS NOT NULL) AS b
            FROM sub GROUP BY lead_id)
        SELECT {_cols(LOSS_CHANGE_COLUMNS)} FROM (
            SELECT r, {_cols(LOSS_CHANGE_COLUMNS)} FROM il
            UNION ALL
            SELECT r, {_cols(LOSS_CHANGE_COLUMNS, alias="sub.")} FROM sub JOIN lim ON sub.lead_id = lim.lead_id
            WHERE "at" IS NULL OR "at" = a OR (to_pipeline_id IS NOT NULL AND "at" = b))
        ORDER BY lead_id, "at", r""",
        scope[1] + lost[1],
        LOSS_CHANGE_COLUMNS,
    )


def _snapshot_changes(con, local, scope, candidates, moment) -> pd.DataFrame:
    """For the deals open at ``moment`` (``candidates``): the last change before it (and the last with a
    stage, the last with a pipeline; with their ties): what :func:`sales.open_deals` and
    :func:`sales.stale_deals` take."""
    m = sql_ts(moment)
    return _event_order(
        con,
        f"""
        WITH sub AS MATERIALIZED (
            SELECT {{order}} AS r, {_cols(SNAPSHOT_CHANGE_COLUMNS, local, "s.")}
            FROM stage_changes s SEMI JOIN {_leads_of(scope[0], candidates[0])} l ON s.lead_id = l.id),
        lim AS (
            SELECT lead_id, max("at") FILTER (WHERE "at" < ?) AS a,
                   max("at") FILTER (WHERE "at" < ? AND to_status_id IS NOT NULL) AS b,
                   max("at") FILTER (WHERE "at" < ? AND to_pipeline_id IS NOT NULL) AS c
            FROM sub GROUP BY lead_id)
        SELECT {_cols(SNAPSHOT_CHANGE_COLUMNS, alias="sub.")} FROM sub JOIN lim ON sub.lead_id = lim.lead_id
        WHERE "at" < ? AND ("at" = a OR (to_status_id IS NOT NULL AND "at" = b)
                            OR (to_pipeline_id IS NOT NULL AND "at" = c))
        ORDER BY sub.lead_id, "at", r""",
        scope[1] + candidates[1] + [m, m, m, m],
        SNAPSHOT_CHANGE_COLUMNS,
    )


def _stays(
    con, tz: str, scope, period: Period, as_of: pd.Timestamp, open_ids: list[int], team: bool = False
) -> pd.DataFrame:
    """The stays in an open stage that began in the period, counted by stage and duration: ``dur_us``
    (microseconds from entering to leaving: the deal's next change before ``as_of`` in (time, event id)
    order, as in :func:`sales.stage_visits`; to ``as_of`` while still there), ``observed`` (left before
    ``as_of``) and ``n`` stays. Read from ``stage_stays`` (:mod:`derived`): a next change at or after
    ``as_of`` is not seen; it holds the live deals only, so ``team`` (a scope of all of them) needs no
    join with the deals. The Kaplan–Meier quantiles of time in stage only need each stay's duration,
    not its row: counts keep them exact (:func:`sales.time_in_stage_counted`)."""
    stays = derived.source(con, "stage_stays", tz)
    end = min(sql_ts(period.end_ts), sql_ts(as_of))
    df = con.execute(
        f"""
        SELECT pipeline_id, status_id,
               epoch_us(coalesce(CASE WHEN t_next < ? THEN t_next END, ?::TIMESTAMP)) - epoch_us(t) AS dur_us,
               coalesce(t_next < ?, false) AS observed, count(*) AS n
        FROM {stays} WHERE t >= ? AND t < ? AND list_contains({_list(open_ids)}, status_id)
          {"" if team else f"AND lead_id IN {_leads_of(scope[0], 'true')}"}
        GROUP BY ALL ORDER BY pipeline_id, status_id, dur_us""",
        [sql_ts(as_of)] * 3 + [sql_ts(period.start_ts), end] + ([] if team else scope[1]),
    ).df()
    return df  # the quantiles do not depend on the order; sorted, their sorts find the work done


def _status_ids(statuses: pd.DataFrame, kinds: tuple[str, ...]) -> list[int]:
    """The ids of the statuses of the given kinds."""
    return sorted({int(i) for i in statuses.loc[statuses["kind"].isin(kinds), "id"]})


def _list(ids: list[int]) -> str:
    """A SQL list literal of ids (typed, so that an empty one works)."""
    return f"[{', '.join(str(i) for i in ids)}]::BIGINT[]"


def load_sales(
    path: str | os.PathLike,
    period: Period,
    as_of: pd.Timestamp | None = None,
    pipeline_ids: list[int] | None = None,
    user_ids: list[int] | None = None,
) -> SalesData:
    """What the sales-analysis report needs for ``period``, read with its filters pushed into SQL.

    ``as_of`` is the end of the data in local time (default: the account's sync time); the snapshot of
    open deals is taken at ``min(period end, as_of)``. Scope filters are those of :func:`store.load`.
    """
    from ...store import data_end

    con = store.connect(path, read_only=True)
    try:
        account = store.read_account(con)
        tz = str(account.get("timezone") or "UTC")
        as_of = pd.Timestamp(as_of if as_of is not None else data_end(account))
        snapshot = min(period.end_ts, as_of)
        ref = {name: store.read_table(con, name, tz=tz) for name in ("users", "pipelines", "statuses", "loss_reasons")}
        scope = store.lead_filter(pipeline_ids, user_ids)
        local = _local_time(con, tz, as_of)

        # leads: the three compared periods; won deals of the trend and cycle windows; open at the snapshot
        spans = [(p.start_ts, p.end_ts) for p in (period, period.previous(), period.year_ago())]
        cond = _any([_in(local, c, lo, hi) for c in ("created_at", "closed_at") for lo, hi in spans])
        leads = _frame(
            con,
            f"SELECT {_cols(SALES_LEAD_COLUMNS, local)} FROM leads WHERE {scope[0]} AND {cond[0]}",
            scope[1] + cond[1],
            "leads",
            SALES_LEAD_COLUMNS,
        )
        year = (period.end_ts - pd.DateOffset(years=1), period.end_ts)
        cond = _any(
            [
                _in(local, "closed_at", lo, hi)
                for lo, hi in [(period.start_ts, period.end_ts), trend_window(period), year]
            ]
        )
        won_leads = _frame(
            con,
            f"SELECT {_cols(WON_LEAD_COLUMNS, local)} FROM leads WHERE {scope[0]} AND status_id = {WON} AND {cond[0]}",
            scope[1] + cond[1],
            "leads",
            WON_LEAD_COLUMNS,
        )
        # open at the snapshot; the stale-deal candidates among them (older than the typical cycle, with a
        # day's slack) with their names: the only open deals the report lists
        created, closed = _before(local, "created_at", snapshot), _in(local, "closed_at", snapshot)
        is_open = f'({created[0]} AND ("closed_at" IS NULL OR {closed[0]}))', created[1] + closed[1]
        typical = sales.won_cycle(won_leads, period).typical_days
        old = (
            ("false", [])
            if np.isnan(typical)
            else _before(local, "created_at", (snapshot - pd.Timedelta(days=typical - 1)).ceil("s"))
        )
        cols = _cols(OPEN_LEAD_COLUMNS, local, exprs={"name": f'CASE WHEN {old[0]} THEN "name" END'})
        open_leads = _frame(
            con,
            f"SELECT {cols} FROM leads WHERE {scope[0]} AND {is_open[0]}",
            old[1] + scope[1] + is_open[1],
            "leads",
            OPEN_LEAD_COLUMNS,
        )

        # the deals created in the months of the cohort matrix
        made = _in(local, "created_at", *sales.cohort_window(period))
        cohort_leads = _frame(
            con,
            f"SELECT {_cols(COHORT_LEAD_COLUMNS, local)} FROM leads WHERE {scope[0]} AND {made[0]}",
            scope[1] + made[1],
            "leads",
            COHORT_LEAD_COLUMNS,
        )

        # stage changes, one reduced frame per use
        funnel_sets = _funnel_sets(con, tz, scope, _in(local, "created_at", period.start_ts, period.end_ts))
        p_closed = _in(local, "closed_at", period.start_ts, period.end_ts)
        loss_changes = _loss_changes(
            con,
            local,
            scope,
            (f"status_id = {LOST} AND {p_closed[0]}", p_closed[1]),
            _status_ids(ref["statuses"], ("open", "unsorted")),
        )
        snapshot_changes = _snapshot_changes(con, local, scope, is_open, snapshot)
        stays = _stays(
            con, tz, scope, period, as_of, _status_ids(ref["statuses"], ("open",)), team=not (pipeline_ids or user_ids)
        )

        # "the data has stage history at all": known from the rows read, else asked of the whole scope
        has_history = bool(loss_changes["from_status_id"].notna().any()) or bool(
            con.execute(
                f"SELECT EXISTS (SELECT 1 FROM stage_changes WHERE from_status_id IS NOT NULL "
                f"AND lead_id IN (SELECT id FROM leads WHERE {scope[0]}))",
                scope[1],
            ).fetchone()[0]
        )
        has_amounts = bool(
            con.execute(
                f"SELECT EXISTS (SELECT 1 FROM leads WHERE {scope[0]} AND price IS NOT NULL)", scope[1]
            ).fetchone()[0]
        )
        priced_users = frozenset(
            int(u)
            for (u,) in con.execute(
                f"SELECT DISTINCT responsible_user_id FROM leads WHERE {scope[0]} AND price IS NOT NULL "
                "AND responsible_user_id IS NOT NULL",
                scope[1],
            ).fetchall()
        )
    finally:
        con.close()
    parts = {
        "cohort_leads": cohort_leads,
        "won_leads": won_leads,
        "open_leads": open_leads,
        "funnel_sets": funnel_sets,
        "loss_changes": loss_changes,
        "snapshot_changes": snapshot_changes,
        "stays": stays,
    }
    stage_changes = store.conform("stage_changes", None)
    tables = dict(ref, leads=leads, stage_changes=stage_changes, **parts)
    return SalesData(
        account=account,
        users=ref["users"],
        pipelines=ref["pipelines"],
        statuses=ref["statuses"],
        leads=leads,
        stage_changes=stage_changes,
        loss_reasons=ref["loss_reasons"],
        tables=tables,
        has_history=has_history,
        has_amounts=has_amounts,
        priced_users=priced_users,
        **parts,
    )
