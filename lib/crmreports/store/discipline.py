"""Work discipline at a moment (issue #15): overdue tasks, open deals without an open task, stale deals.

Shared by every report that shows them (the managers scorecard, the summary, the audit). Pure functions
over the store's DataFrames (naive local timestamps, as :func:`crmreports.store.load` reads them).

- **open task at a moment**: created before the moment and not completed by then (``is_completed`` false,
  or completed at or after the moment).
- **overdue task** (amoCRM's «Просроченные задачи»): an open task whose due time (``complete_till``) is
  strictly before the moment. A task due exactly at the moment, or one second after, is not overdue yet;
  one due one second before is. Overdue age = moment − due time.
- **the deal a task is on**: a task on a deal (``entity`` ``lead``/``leads``) is on that deal. A task on a
  contact or a company is on none of them: amoCRM's «Сделки без задач» looks at the deal's own tasks, and so
  do we. :func:`open_deals_without_task` marks the deals whose contact or company has an open task
  (``contact_task``), so a report can say how many are covered that way.
- **open deal without a task**: an open deal (:func:`crmreports.store.concepts.open_deals_at`) with no
  open task of its own at the moment. A deal whose only tasks are completed is without a task.
- **stale deal**: an open deal that has been in its current stage longer than that stage's historical
  P75: the 75th percentile of the completed stays in that stage (pipeline, status) that ended in the
  :data:`LOOKBACK_DAYS` before the moment. A stage with fewer than :data:`MIN_STAYS` completed stays has no
  P75, and its deals are not called stale. A deal's stay in its stage began at its last stage change
  into that stage before the moment (or at its creation, without one).
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from .concepts import open_deals_at

LOOKBACK_DAYS = 365
MIN_STAYS = 10
STALE_QUANTILE = 0.75
DEAL_ENTITIES = ("lead", "leads")
CONTACT_ENTITIES = ("contact", "contacts")
COMPANY_ENTITIES = ("company", "companies")

TASK_COLUMNS = ["id", "responsible_user_id", "type", "task_type_id", "entity", "entity_id", "complete_till", "text"]


def _completed(tasks: pd.DataFrame) -> pd.Series:
    return tasks["is_completed"].astype("boolean").fillna(False).astype(bool)


def open_tasks_at(tasks: pd.DataFrame, moment: pd.Timestamp) -> pd.DataFrame:
    """Tasks open at ``moment`` (see the module docstring), with ``lead_id`` (the deal a task is on, else NaN)."""
    moment = pd.Timestamp(moment)
    done = _completed(tasks)
    done_by_then = done & (tasks["completed_at"].isna() | (tasks["completed_at"] < moment))
    created = tasks["created_at"].isna() | (tasks["created_at"] < moment)
    out = tasks[created & ~done_by_then].copy()
    on_deal = out["entity"].astype(str).str.lower().isin(DEAL_ENTITIES)
    out["lead_id"] = out["entity_id"].where(on_deal).astype("float64")
    return out.reset_index(drop=True)


def overdue_tasks(tasks: pd.DataFrame, moment: pd.Timestamp) -> pd.DataFrame:
    """Open tasks at ``moment`` due strictly before it, oldest first, with ``overdue_days`` (fractional days
    past the due time) and ``lead_id``."""
    moment = pd.Timestamp(moment)
    o = open_tasks_at(tasks, moment)
    o = o[o["complete_till"].notna() & (o["complete_till"] < moment)].copy()
    o["overdue_days"] = (moment - o["complete_till"]).dt.total_seconds() / 86400.0
    return o.sort_values(["complete_till", "id"]).reset_index(drop=True)


def open_deals_without_task(
    leads: pd.DataFrame,
    stage_changes: pd.DataFrame,
    statuses: pd.DataFrame,
    tasks: pd.DataFrame,
    moment: pd.Timestamp,
) -> pd.DataFrame:
    """Open deals at ``moment`` with no open task of their own: the columns of
    :func:`~crmreports.store.concepts.open_deals_at` plus ``has_task`` (False for every row returned),
    ``contact_task`` (an open task on the deal's contact or company) and ``had_tasks`` (the deal has tasks,
    all completed). Use :func:`open_deals_task_status` for every open deal with its flag."""
    s = open_deals_task_status(leads, stage_changes, statuses, tasks, moment)
    return s[~s["has_task"]].reset_index(drop=True)


def open_deals_task_status(
    leads: pd.DataFrame,
    stage_changes: pd.DataFrame,
    statuses: pd.DataFrame,
    tasks: pd.DataFrame,
    moment: pd.Timestamp,
) -> pd.DataFrame:
    """Every open deal at ``moment`` with ``responsible_user_id``, ``name``, ``has_task`` (an open task on the
    deal), ``contact_task`` (an open task on its contact or company) and ``had_tasks`` (any task on the deal
    created before the moment)."""
    moment = pd.Timestamp(moment)
    od = open_deals_at(leads, stage_changes, statuses, moment)
    extra = [c for c in ("responsible_user_id", "name", "contact_id", "company_id", "created_at") if c in leads]
    od = od.merge(leads[["id"] + extra], on="id", how="left")
    ot = open_tasks_at(tasks, moment)
    ent = ot["entity"].astype(str).str.lower()
    od["has_task"] = od["id"].isin(set(ot["lead_id"].dropna().astype("int64")))
    contacts = set(ot.loc[ent.isin(CONTACT_ENTITIES), "entity_id"].dropna().astype("int64"))
    companies = set(ot.loc[ent.isin(COMPANY_ENTITIES), "entity_id"].dropna().astype("int64"))
    via = pd.Series(False, index=od.index)
    if "contact_id" in od:
        via |= od["contact_id"].isin(contacts)
    if "company_id" in od:
        via |= od["company_id"].isin(companies)
    od["contact_task"] = via.astype(bool)
    before = tasks[tasks["created_at"].isna() | (tasks["created_at"] < moment)]
    on_deal = before["entity"].astype(str).str.lower().isin(DEAL_ENTITIES)
    od["had_tasks"] = od["id"].isin(set(before.loc[on_deal, "entity_id"].dropna().astype("int64")))
    return od


def stage_stays(leads: pd.DataFrame, stage_changes: pd.DataFrame) -> pd.DataFrame:
    """Every stay of a deal in a stage from the change log: ``lead_id``, ``pipeline_id``, ``status_id`` (the
    stage entered), ``entered``, ``left`` (the deal's next change; NaT for the last one)."""
    sc = stage_changes[stage_changes["lead_id"].isin(leads["id"]) & stage_changes["to_status_id"].notna()]
    sc = sc.sort_values(["lead_id", "at", "id"])
    nxt = sc.groupby("lead_id")["at"].shift(-1)
    return pd.DataFrame(
        {
            "lead_id": sc["lead_id"].to_numpy(),
            "pipeline_id": sc["to_pipeline_id"].to_numpy(),
            "status_id": sc["to_status_id"].to_numpy(),
            "entered": sc["at"].to_numpy(),
            "left": nxt.to_numpy(),
        }
    )


def stage_p75(
    leads: pd.DataFrame,
    stage_changes: pd.DataFrame,
    moment: pd.Timestamp,
    lookback_days: int = LOOKBACK_DAYS,
    min_stays: int = MIN_STAYS,
) -> pd.DataFrame:
    """Per stage (pipeline_id, status_id): ``stays`` (completed stays that ended in the lookback window before
    ``moment``) and ``p75_days`` (their 75th percentile in days; NaN below ``min_stays`` stays)."""
    moment = pd.Timestamp(moment)
    st = stage_stays(leads, stage_changes)
    done = st[st["left"].notna() & (st["left"] < moment) & (st["left"] >= moment - pd.Timedelta(days=lookback_days))]
    done = done.assign(days=(done["left"] - done["entered"]).dt.total_seconds() / 86400.0)
    g = done.groupby(["pipeline_id", "status_id"])["days"]
    out = pd.DataFrame({"stays": g.size(), "p75_days": g.quantile(STALE_QUANTILE)}).reset_index()
    out.loc[out["stays"] < min_stays, "p75_days"] = np.nan
    return out


def stale_deals(
    leads: pd.DataFrame,
    stage_changes: pd.DataFrame,
    statuses: pd.DataFrame,
    moment: pd.Timestamp,
    lookback_days: int = LOOKBACK_DAYS,
    min_stays: int = MIN_STAYS,
) -> pd.DataFrame:
    """Every open deal at ``moment`` with ``days_in_stage``, its stage's ``p75_days`` and ``stays``, and
    ``stale`` (``days_in_stage`` > ``p75_days``; False where the stage has no P75)."""
    moment = pd.Timestamp(moment)
    od = open_deals_at(leads, stage_changes, statuses, moment)
    extra = [c for c in ("responsible_user_id", "name", "created_at") if c in leads]
    od = od.merge(leads[["id"] + extra], on="id", how="left")
    sc = stage_changes[(stage_changes["at"] < moment) & stage_changes["lead_id"].isin(od["id"])]
    last = sc.sort_values(["lead_id", "at", "id"]).groupby("lead_id")["at"].last()
    return _staleness(od, last, stage_p75(leads, stage_changes, moment, lookback_days, min_stays), moment)


def _staleness(od: pd.DataFrame, last: pd.Series, p75: pd.DataFrame, moment: pd.Timestamp) -> pd.DataFrame:
    """``od`` with when each deal entered its stage (``last``: its last stage change's time by deal id, else its
    creation), ``days_in_stage``, its stage's ``p75_days`` and ``stays``, and ``stale``."""
    if od.empty or last.empty:  # pandas cannot map an empty id column onto datetimes (nor the reverse)
        entered = pd.Series(pd.NaT, index=od.index, dtype="datetime64[ns]")
    else:
        entered = od["id"].map(last)
    if "created_at" in od:
        entered = entered.fillna(od["created_at"])
    od["entered_stage"] = entered
    od["days_in_stage"] = (moment - pd.to_datetime(entered)).dt.total_seconds() / 86400.0
    od = od.merge(p75, on=["pipeline_id", "status_id"], how="left")
    od["stays"] = od["stays"].fillna(0).astype("int64")
    od["stale"] = (od["days_in_stage"] > od["p75_days"]).fillna(False).astype(bool)
    return od


# ---- pushed-down equivalents (DuckDB over the same frames; same rows, same values) ----------------------------
#
# The functions above are the definition (and what the tests on hand-built fixtures exercise). On a large account
# their sorts and group-bys over the whole stage-change log take tens of seconds; the ``*_fast`` functions below
# give the same frames with the two heavy steps done by DuckDB over the frames in memory (no copy, no sort):
# each deal's last stage change before a moment (``arg_max``), and the stage stays ending in the lookback window
# with their P75 (a window ``lead`` and ``quantile_cont``, the linear interpolation pandas uses).
# tests/test_discipline_pushdown.py checks that they equal the definitions on a fixture with edge cases.


@dataclass(frozen=True)
class StoreLog:
    """The stage-change log of the deals meeting ``where`` (a condition on ``leads``, e.g.
    :func:`crmreports.store.access.lead_filter`) left in the store at ``path``: what the ``*_fast`` functions
    accept instead of the log read whole, to read only their aggregates (local time ``tz``, as
    :func:`crmreports.store.load` converts it)."""

    path: str
    tz: str
    where: str = "true"
    params: tuple = ()


SC_COLUMNS = '"lead_id", "at", "id", "to_pipeline_id", "to_status_id"'


def _duck_query(sql: str, params: list, stage_changes, **frames: pd.DataFrame) -> pd.DataFrame:
    """``sql`` with ``{sc}`` the stage changes (lead_id, at, id, to_pipeline_id, to_status_id; local time): the
    frame ``stage_changes``, or the store's log (a :class:`StoreLog`); ``frames`` registered by name."""
    if isinstance(stage_changes, StoreLog):
        from .derived import _local
        from .files import connect

        con = connect(stage_changes.path, read_only=True)
        at = _local(con, stage_changes.tz)('"at"')
        sc = (
            f'(SELECT lead_id, {at} AS "at", id, to_pipeline_id, to_status_id FROM stage_changes '
            f"WHERE lead_id IN (SELECT id FROM leads WHERE {stage_changes.where}))"
        )
        params = [*stage_changes.params] * sql.count("{sc}") + list(params)
        # the log's parameters come first only if {sc} precedes every other placeholder: keep it so in the SQL
    else:
        con = duckdb.connect()
        sc = "_sc"
        frames = {"_sc": stage_changes[["lead_id", "at", "id", "to_pipeline_id", "to_status_id"]], **frames}
    cur = con.cursor()
    try:
        for name, df in frames.items():
            cur.register(name, df)
        return cur.execute(sql.replace("{sc}", sc), params).df()
    finally:
        cur.close()
        con.close()


def _last_changes(stage_changes: pd.DataFrame, lead_ids: pd.Series, moment: pd.Timestamp) -> pd.DataFrame:
    """Per deal of ``lead_ids`` with a stage change before ``moment``: ``at`` (the last change's time) and the last
    non-null ``to_pipeline_id`` / ``to_status_id`` in (at, id) order — what ``sort_values(["lead_id", "at", "id"])
    .groupby("lead_id").last()`` gives, indexed by ``lead_id``."""
    ids = pd.DataFrame({"id": pd.Series(lead_ids, dtype="float64").dropna().unique()})
    out = _duck_query(
        """
        SELECT sc.lead_id, max(sc."at") AS "at",
               arg_max(sc.to_pipeline_id, {'a': sc."at", 'b': sc.id}) FILTER (WHERE sc.to_pipeline_id IS NOT NULL)
                   AS to_pipeline_id,
               arg_max(sc.to_status_id, {'a': sc."at", 'b': sc.id}) FILTER (WHERE sc.to_status_id IS NOT NULL)
                   AS to_status_id
        FROM {sc} AS sc WHERE sc."at" < ? AND sc.lead_id IN (SELECT id FROM ids) GROUP BY sc.lead_id""",
        [pd.Timestamp(moment).to_pydatetime()],
        stage_changes,
        ids=ids,
    )
    return out.set_index("lead_id")


def last_changes(stage_changes, leads: pd.DataFrame, moment: pd.Timestamp) -> pd.DataFrame:
    """:func:`_last_changes` of the deals of ``leads`` that may be open at ``moment`` (created before it, not
    closed by then): what :func:`open_deals_at_fast` and :func:`stale_deals_fast` both need, read once."""
    moment = pd.Timestamp(moment)
    op = leads[(leads["created_at"] < moment) & (leads["closed_at"].isna() | (leads["closed_at"] >= moment))]
    return _last_changes(stage_changes, op["id"], moment)


def open_deals_at_fast(
    leads: pd.DataFrame,
    stage_changes: pd.DataFrame,
    statuses: pd.DataFrame,
    moment: pd.Timestamp,
    last: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """:func:`crmreports.store.concepts.open_deals_at` (the same frame), the stage history read by DuckDB.
    ``last``: :func:`_last_changes` of these deals at ``moment`` if the caller has it."""
    moment = pd.Timestamp(moment)
    op = leads[(leads["created_at"] < moment) & (leads["closed_at"].isna() | (leads["closed_at"] >= moment))]
    if last is None:
        last = _last_changes(stage_changes, op["id"], moment)
    cur = op.set_index("id")[["pipeline_id", "status_id"]]
    pipe = cur["pipeline_id"].copy()
    status = cur["status_id"].copy()
    has = last.index.intersection(cur.index)
    if len(has):
        pipe.loc[has] = last.loc[has, "to_pipeline_id"].values
        status.loc[has] = last.loc[has, "to_status_id"].values
    st = pd.DataFrame({"id": cur.index, "pipeline_id": pipe.values, "status_id": status.values})
    out = op[["id", "price"]].merge(st, on="id")
    is_open = statuses["kind"] == "open"
    open_ids = pd.MultiIndex.from_arrays([statuses.loc[is_open, "pipeline_id"], statuses.loc[is_open, "id"]])
    keep = pd.MultiIndex.from_arrays([out["pipeline_id"], out["status_id"]]).isin(open_ids)
    return out[pd.Series(keep, index=out.index, dtype=bool)].reset_index(drop=True)


def _open_tasks_mask(tasks: pd.DataFrame, moment: pd.Timestamp) -> pd.Series:
    done = _completed(tasks)
    done_by_then = done & (tasks["completed_at"].isna() | (tasks["completed_at"] < moment))
    created = tasks["created_at"].isna() | (tasks["created_at"] < moment)
    return created & ~done_by_then


def _entity(tasks: pd.DataFrame) -> pd.Series:
    """``entity`` lower-cased, computed once per distinct value (a few kinds over millions of tasks)."""
    e = tasks["entity"].astype("category")
    return (
        pd.Series(e.cat.rename_categories([str(c).lower() for c in e.cat.categories]), index=tasks.index)
        .astype(object)
        .where(e.notna(), "nan")
    )


def open_deals_task_status_fast(
    leads: pd.DataFrame,
    stage_changes: pd.DataFrame,
    statuses: pd.DataFrame,
    tasks: pd.DataFrame,
    moment: pd.Timestamp,
    open_deals: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """:func:`open_deals_task_status` (the same frame), faster on a large account. ``open_deals``:
    :func:`open_deals_at_fast` at ``moment`` if the caller has it."""
    moment = pd.Timestamp(moment)
    od = open_deals_at_fast(leads, stage_changes, statuses, moment) if open_deals is None else open_deals.copy()
    extra = [c for c in ("responsible_user_id", "name", "contact_id", "company_id", "created_at") if c in leads]
    od = od.merge(leads[["id"] + extra], on="id", how="left")
    ent = _entity(tasks)
    is_open = _open_tasks_mask(tasks, moment)
    on_deal = ent.isin(DEAL_ENTITIES)
    od["has_task"] = od["id"].isin(set(tasks.loc[is_open & on_deal, "entity_id"].dropna().astype("int64")))
    contacts = set(tasks.loc[is_open & ent.isin(CONTACT_ENTITIES), "entity_id"].dropna().astype("int64"))
    companies = set(tasks.loc[is_open & ent.isin(COMPANY_ENTITIES), "entity_id"].dropna().astype("int64"))
    via = pd.Series(False, index=od.index)
    if "contact_id" in od:
        via |= od["contact_id"].isin(contacts)
    if "company_id" in od:
        via |= od["company_id"].isin(companies)
    od["contact_task"] = via.astype(bool)
    before = tasks["created_at"].isna() | (tasks["created_at"] < moment)
    od["had_tasks"] = od["id"].isin(set(tasks.loc[before & on_deal, "entity_id"].dropna().astype("int64")))
    return od


def stage_p75_fast(
    leads: pd.DataFrame,
    stage_changes: pd.DataFrame,
    moment: pd.Timestamp,
    lookback_days: int = LOOKBACK_DAYS,
    min_stays: int = MIN_STAYS,
) -> pd.DataFrame:
    """:func:`stage_p75` (the same frame): the stays and their quantile computed by DuckDB. Only the deals with
    a stage change in the window can have a stay that ended in it, so only their histories are ordered."""
    moment = pd.Timestamp(moment)
    lo = moment - pd.Timedelta(days=lookback_days)
    ids = pd.DataFrame({"id": pd.Series(leads["id"], dtype="float64").dropna().unique()})
    out = _duck_query(
        """
        WITH s AS (
            SELECT to_pipeline_id AS pipeline_id, to_status_id AS status_id, "at" AS entered,
                   lead("at") OVER (PARTITION BY lead_id ORDER BY "at" ASC NULLS LAST, id ASC NULLS LAST) AS "left"
            FROM {sc}
            WHERE to_status_id IS NOT NULL AND lead_id IN (SELECT id FROM ids)
              AND lead_id IN (SELECT lead_id FROM {sc} WHERE to_status_id IS NOT NULL AND "at" >= ? AND "at" < ?))
        SELECT pipeline_id, status_id, count(*) AS stays,
               quantile_cont((epoch_ns("left") - epoch_ns(entered)) / 1e9 / 86400.0, ?) AS p75_days
        FROM s WHERE "left" < ? AND "left" >= ? AND pipeline_id IS NOT NULL
        GROUP BY pipeline_id, status_id ORDER BY pipeline_id, status_id""",
        [lo.to_pydatetime(), moment.to_pydatetime(), STALE_QUANTILE, moment.to_pydatetime(), lo.to_pydatetime()],
        stage_changes,
        ids=ids,
    )
    out["stays"] = out["stays"].astype("int64")
    out["p75_days"] = out["p75_days"].astype("float64")
    for c in ("pipeline_id", "status_id"):
        if not out[c].isna().any():
            out[c] = out[c].astype("int64")
    out.loc[out["stays"] < min_stays, "p75_days"] = np.nan
    return out


def stale_deals_fast(
    leads: pd.DataFrame,
    stage_changes: pd.DataFrame,
    statuses: pd.DataFrame,
    moment: pd.Timestamp,
    lookback_days: int = LOOKBACK_DAYS,
    min_stays: int = MIN_STAYS,
    open_deals: pd.DataFrame | None = None,
    last: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """:func:`stale_deals` (the same frame), faster on a large account. ``open_deals``: :func:`open_deals_at_fast`
    at ``moment`` and ``last``: :func:`last_changes` at ``moment`` (of these deals or more), if the caller has them."""
    moment = pd.Timestamp(moment)
    od = open_deals_at_fast(leads, stage_changes, statuses, moment) if open_deals is None else open_deals.copy()
    extra = [c for c in ("responsible_user_id", "name", "created_at") if c in leads]
    od = od.merge(leads[["id"] + extra], on="id", how="left")
    if last is None:
        last = _last_changes(stage_changes, od["id"], moment)
    last = last["at"]
    return _staleness(od, last, stage_p75_fast(leads, stage_changes, moment, lookback_days, min_stays), moment)
