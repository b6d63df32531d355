"""The four public data sets (../shared/datasets), each loaded through its shipped mapping in
``params/mappings/<name>.yaml`` plus the little code its shape needs.

- ``maven``: Maven Analytics CRM sales opportunities: one row per deal, current stage only
  (Prospecting → Engaging → Won/Lost). Agents from ``sales_teams.csv`` with their manager as group.
- ``olist``: Olist marketing funnel: 8,000 MQLs (leads, with origin) joined to the 842 won deals. Two
  stages, both timestamped: every lead is an MQL at first contact; a won deal moved MQL → won at
  ``won_date``. Lost is not recorded: the other leads stay open.
- ``enpal``: Enpal's Pipedrive change log: a real stage history (``stage_id`` events), owner changes,
  lost reasons; activities as tasks (all) and calls (the ones done).
- ``pwc``: PwC call-centre log: calls per agent; no deals.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import pandas as pd

from . import building
from .building import Account
from .contracts import Field, Issue, skip_rows, validate
from .mapping_file import Mapping, call_tables_from, deal_tables_from, load_mapping
from .parsing import normalize_text, parse_dates, to_utc
from .reading import read_file

log = logging.getLogger("crmreports.imports")

MAPPINGS = Path(__file__).resolve().parents[4] / "params" / "mappings"
DATASETS = ("maven", "olist", "enpal", "pwc")


class DatasetError(ValueError):
    """A data set's file is missing from the given paths."""


def mapping(name: str) -> Mapping:
    return load_mapping(MAPPINGS / f"{name}.yaml")


def find(paths: list[Path], filename: str, dataset: str, optional: bool = False) -> Path | None:
    """The file called ``filename`` among ``paths`` (files, or folders that hold it)."""
    for p in paths:
        if p.is_dir() and (p / filename).exists():
            return p / filename
        if p.name == filename and p.exists():
            return p
    if optional:
        return None
    raise DatasetError(
        f"{dataset}: {filename} not found in {', '.join(str(p) for p in paths)}; "
        f"pass the data set's folder or its files"
    )


def settings(name: str) -> dict:
    """The raw YAML of a shipped mapping (for the event-log data set, which is mapped in code)."""
    import yaml

    return yaml.safe_load((MAPPINGS / f"{name}.yaml").read_text(encoding="utf-8"))


def account_for(m: Mapping | dict, dataset: str, overrides: dict) -> Account:
    base = m.account if isinstance(m, Mapping) else dict(m.get("account") or {})
    acc = {**base, **{k: v for k, v in overrides.items() if v}}
    return Account(
        name=acc.get("name", dataset),
        timezone=acc.get("timezone", "UTC"),
        currency=acc.get("currency", "USD"),
        source=f"import:{dataset}",
    )


def maven(paths: list[Path], overrides: dict) -> tuple[dict, list[Issue], Account]:
    m = mapping("maven")
    account = account_for(m, "maven", overrides)
    pipeline = find(paths, "sales_pipeline.csv", "maven")
    teams_path = find(paths, "sales_teams.csv", "maven", optional=True)
    users = None
    if teams_path:
        teams = read_file(teams_path)
        names = normalize_text(teams["sales_agent"])
        groups = dict(zip(names, normalize_text(teams["manager"])))
        users, _ = building.users_table(names, groups)
    tables, issues = deal_tables_from([pipeline], m, account, users=users)
    return tables, issues, account


def olist(paths: list[Path], overrides: dict) -> tuple[dict, list[Issue], Account]:
    m = mapping("olist")
    account = account_for(m, "olist", overrides)
    mql_path = find(paths, "olist_marketing_qualified_leads_dataset.csv", "olist")
    won_path = find(paths, "olist_closed_deals_dataset.csv", "olist")
    mql, won = read_file(mql_path), read_file(won_path)
    wfields = [
        Field("mql_id", "mql_id", "id", True),
        Field("won_date", "won_date", "date", True, False),
        Field("sr_id", "sr_id", "text", True),
    ]
    wframe, issues = validate(won, wfields)
    if any(i.reason == "missing_column" for i in issues):
        return {}, issues, account
    won = won.loc[skip_rows(wframe, issues).index]
    orphans = won[~won["mql_id"].isin(set(mql["mql_id"]))]
    issues += [
        Issue(
            won.attrs["file"],
            int(r),
            "mql_id",
            "unknown_value",
            f"won deal of lead {v!r}, which is not in {mql.attrs['file']}",
        )
        for r, v in zip(orphans.index, orphans["mql_id"])
    ]
    w = won[won["mql_id"].isin(set(mql["mql_id"]))].set_index("mql_id")
    merged = mql.copy()
    merged["won_date"] = merged["mql_id"].map(w["won_date"])
    # reps have only 32-hex ids: show a short, stable label
    merged["sales_rep"] = merged["mql_id"].map(w["sr_id"]).map(lambda v: f"SR {v[:6]}" if isinstance(v, str) else None)
    merged["stage"] = np.where(merged["won_date"].notna(), "won", "mql")
    merged.attrs.update(mql.attrs)
    tables, more = deal_tables_from([mql_path], m, account, raws=[merged])
    return tables, issues + more, account


def _label_options(fields_path: Path | None, key: str) -> dict[str, str]:
    if fields_path is None:
        return {}
    f = read_file(fields_path)
    row = f[f["FIELD_KEY"] == key]
    if row.empty or row["FIELD_VALUE_OPTIONS"].iloc[0] is None:
        return {}
    return {str(o["id"]): o["label"] for o in json.loads(row["FIELD_VALUE_OPTIONS"].iloc[0])}


def enpal(paths: list[Path], overrides: dict) -> tuple[dict, list[Issue], Account]:
    """Map the change log fully: created, every stage move (from the previous stage), owner changes, lost."""
    spec = settings("enpal")
    pipe_name = str(spec.get("pipeline_name") or "Enpal")
    account = account_for(spec, "enpal", overrides)
    changes_path = find(paths, "deal_changes.csv", "enpal")
    stages_raw = read_file(find(paths, "stages.csv", "enpal"))
    stage_names = dict(zip(normalize_text(stages_raw["stage_id"]), normalize_text(stages_raw["stage_name"])))
    reasons = _label_options(find(paths, "fields.csv", "enpal", optional=True), "lost_reason")
    raw = read_file(changes_path)
    file = raw.attrs["file"]
    fields = [
        Field("deal_id", "deal_id", "text", True, False),
        Field("at", "change_time", "date", True, False),
        Field(
            "key", "changed_field_key", "choice", True, False, values=("add_time", "stage_id", "user_id", "lost_reason")
        ),
        Field("value", "new_value", "text", True, False),
    ]
    frame, issues = validate(raw, fields, file)
    if any(i.reason == "missing_column" for i in issues):
        return {}, issues, account
    ev = skip_rows(frame, issues).copy()
    ev["deal_id"] = normalize_text(ev["deal_id"])
    ev["value"] = normalize_text(ev["value"])
    ev["at"] = parse_dates(ev["at"])
    bad_stage = ev[(ev["key"] == "stage_id") & ~ev["value"].isin(stage_names)]
    issues += [
        Issue(
            file, int(r), "new_value", "unknown_stage", f"unknown stage {v!r}; stages.csv has: {', '.join(stage_names)}"
        )
        for r, v in zip(bad_stage.index, bad_stage["value"])
    ]
    ev = ev.drop(bad_stage.index)
    # a deal id with two add_time events is two deals sharing an id: their histories cannot be separated
    adds = ev[ev["key"] == "add_time"]
    twice = adds[adds.duplicated("deal_id", keep="first")]
    for d in pd.unique(twice["deal_id"]):
        created = ", ".join(str(int(r)) for r in adds.index[adds["deal_id"] == d])
        for r in ev.index[ev["deal_id"] == d]:
            issues.append(
                Issue(
                    file,
                    int(r),
                    "deal_id",
                    "duplicate_id",
                    f"deal id {d!r} is used by two deals (created at rows {created}); "
                    "their histories cannot be told apart, so every row of this id is skipped",
                )
            )
    ev = ev[~ev["deal_id"].isin(set(twice["deal_id"]))]
    no_add = set(ev["deal_id"]) - set(adds["deal_id"])
    for r in ev.index[ev["deal_id"].isin(no_add)]:
        issues.append(
            Issue(
                file,
                int(r),
                "changed_field_key",
                "missing_value",
                f"deal {ev.at[r, 'deal_id']!r} has no add_time (creation) event; its rows are skipped",
            )
        )
    ev = ev[~ev["deal_id"].isin(no_add)]
    ev = ev.assign(_row=ev.index.values).sort_values(["deal_id", "at", "_row"], kind="stable")

    order = [(pipe_name, stage_names[k], "open") for k in sorted(stage_names, key=int)]
    pipelines, statuses, sids = building.pipelines_and_statuses(order)
    pid = int(pipelines["id"].iloc[0])
    status_of = {k: sids[(pipe_name, n)][1] for k, n in stage_names.items()}
    users_raw = read_file(find(paths, "users.csv", "enpal"))
    users = pd.DataFrame(
        {
            "id": pd.to_numeric(users_raw["id"]).astype("int64"),
            "name": normalize_text(users_raw["name"]),
            "email": normalize_text(users_raw["email"]),
            "group_id": None,
            "group_name": None,
            "is_active": True,
        }
    )
    reason_ids = {k: int(k) for k in reasons}
    loss_reasons = pd.DataFrame(
        {"id": [int(k) for k in reasons], "name": list(reasons.values()), "sort": [int(k) * 10 for k in reasons]}
    )

    sc_rows, rc_rows, lead_rows = [], [], []
    for deal, g in ev.groupby("deal_id", sort=False):
        lid = int(deal)
        stage = owner = None
        created = closed = None
        reason = None
        n = 0
        for at, key, value in zip(g["at"], g["key"], g["value"]):
            n += 1
            eid = f"enpal-{deal}-{n}"
            if key == "add_time":
                created = at
                sc_rows.append((eid, lid, at, None, None, pid, None, owner))
            elif key == "stage_id":
                to = status_of[value]
                sc_rows.append((eid, lid, at, pid if stage else None, stage, pid, to, owner))
                stage = to
            elif key == "user_id":
                new = int(value)
                rc_rows.append((eid, lid, at, owner, new, None))
                owner = new
            elif key == "lost_reason":
                sc_rows.append((eid, lid, at, pid, stage, pid, building.LOST_STATUS_ID, owner))
                closed, reason = at, value
        lead_rows.append(
            {
                "id": lid,
                "name": f"Deal {deal}",
                "price": None,
                "pipeline_id": pid,
                "status_id": building.LOST_STATUS_ID
                if closed is not None
                else (stage or status_of[min(stage_names, key=int)]),
                "responsible_user_id": owner,
                "loss_reason_id": reason_ids.get(reason),
                "created_at": created,
                "updated_at": g["at"].max(),
                "closed_at": closed,
                "is_deleted": False,
            }
        )
    tz = account.timezone
    leads = pd.DataFrame(lead_rows)
    for c in ("created_at", "updated_at", "closed_at"):
        leads[c] = to_utc(pd.to_datetime(leads[c]), tz)
    sc = pd.DataFrame(
        sc_rows,
        columns=[
            "id",
            "lead_id",
            "at",
            "from_pipeline_id",
            "from_status_id",
            "to_pipeline_id",
            "to_status_id",
            "user_id",
        ],
    )
    sc["at"] = to_utc(sc["at"], tz)
    rc = pd.DataFrame(rc_rows, columns=["id", "lead_id", "at", "from_user_id", "to_user_id", "user_id"])
    rc["at"] = to_utc(rc["at"], tz)
    for df in (sc, rc):
        for c in df.columns:
            if c.endswith("_id") and c != "id":
                df[c] = pd.array(pd.to_numeric(df[c]), dtype="Int64")
    tasks, calls, more = _enpal_activities(paths, set(leads["id"]), tz)
    tables = {
        "users": users,
        "pipelines": pipelines,
        "statuses": statuses,
        "loss_reasons": loss_reasons,
        "leads": leads,
        "stage_changes": sc,
        "responsible_changes": rc,
        "tasks": tasks,
        "calls": calls,
    }
    return tables, issues + more, account


def _enpal_activities(paths: list[Path], lead_ids: set, tz: str):
    """activity.csv: every activity is a call task; the done ones are also held calls (no duration known)."""
    path = find(paths, "activity.csv", "enpal", optional=True)
    if path is None:
        return None, None, []
    raw = read_file(path)
    types_path = find(paths, "activity_types.csv", "enpal", optional=True)
    type_ids, type_names = {}, {}
    if types_path:
        t = read_file(types_path)
        type_ids = dict(zip(t["type"], pd.to_numeric(t["id"]).astype(int)))
        type_names = dict(zip(t["type"], t["name"]))
    done_values = {"True": True, "False": False, "true": True, "false": False}
    fields = [
        Field("id", "activity_id", "id", True),
        Field("type", "type", "text", True, False),
        Field("user", "assigned_to_user", "text", True, False),
        Field("deal", "deal_id", "text"),
        Field("done", "done", "choice", True, False, values=tuple(done_values)),
        Field("due", "due_to", "date", True, False),
    ]
    frame, issues = validate(raw, fields)
    if any(i.reason == "missing_column" for i in issues):
        return None, None, issues
    a = skip_rows(frame, issues)
    deal = pd.to_numeric(normalize_text(a["deal"]), errors="coerce")
    due = to_utc(parse_dates(a["due"]), tz)
    done = a["done"].map(done_values).astype(bool)
    ids = pd.to_numeric(a["id"]).astype("int64")
    users = pd.to_numeric(a["user"]).astype("int64")
    lead = deal.where(deal.isin(lead_ids))
    tasks = pd.DataFrame(
        {
            "id": ids.values,
            "type": "call",
            "task_type_id": a["type"].map(type_ids).values,
            "responsible_user_id": users.values,
            "entity": np.where(lead.notna(), "lead", None),
            "entity_id": pd.array(lead.values, dtype="Int64"),
            "created_at": None,
            "complete_till": due.values,
            "is_completed": done.values,
            "completed_at": None,
            "text": a["type"].map(type_names).fillna(a["type"]).values,
        }
    )
    held = done.values
    calls = pd.DataFrame(
        {
            "id": ids.values[held],
            "direction": "out",
            "user_id": users.values[held],
            "lead_id": pd.array(lead.values[held], dtype="Int64"),
            "contact_id": None,
            "duration_s": pd.array([pd.NA] * int(held.sum()), dtype="Int64"),
            "status": "answered",
            "is_answered": True,
            "phone": None,
            "at": due.values[held],
        }
    )
    return tasks, calls, issues


def pwc(paths: list[Path], overrides: dict) -> tuple[dict, list[Issue], Account]:
    m = mapping("pwc")
    account = account_for(m, "pwc", overrides)
    path = find(paths, "call_center_dataset.csv", "pwc", optional=True) or find(
        paths, "01 Call-Center-Dataset.xlsx", "pwc"
    )
    tables, issues = call_tables_from([path], m, account)
    return tables, issues, account


LOADERS = {"maven": maven, "olist": olist, "enpal": enpal, "pwc": pwc}
