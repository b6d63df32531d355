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
    if od.empty or last.empty:  # pandas cannot map an empty id column onto datetimes (nor the reverse)
        entered = pd.Series(pd.NaT, index=od.index, dtype="datetime64[ns]")
    else:
        entered = od["id"].map(last)
    if "created_at" in od:
        entered = entered.fillna(od["created_at"])
    od["entered_stage"] = entered
    od["days_in_stage"] = (moment - pd.to_datetime(entered)).dt.total_seconds() / 86400.0
    p75 = stage_p75(leads, stage_changes, moment, lookback_days, min_stays)
    od = od.merge(p75, on=["pipeline_id", "status_id"], how="left")
    od["stays"] = od["stays"].fillna(0).astype("int64")
    od["stale"] = (od["days_in_stage"] > od["p75_days"]).fillna(False).astype(bool)
    return od
