"""What counts as a meeting, for every report (the calls report's call → meeting conversion, the managers
scorecard's meetings): the rule of ``params/meetings.yaml``, found, read and validated, and the meetings it
recognises in the store's frames (naive local timestamps).

Valid rules: ``{kind: task_type, task_type_id: 2}`` (completed tasks of one type, counted by completion time,
for the task's responsible user) or ``{kind: stage, stage: "Встреча назначена"}`` (deals entering one stage, by
stage name in any pipeline, each deal counted once per period, for the deal's responsible user). Without the
file the rule is :data:`DEFAULT_RULE` (completed tasks of type 2, amoCRM's built-in «Встреча»). Errors
(:class:`MeetingsConfigError`) name the file, the key and what is valid.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from ..core.periods import Period
from .files import PROJECT_ROOT

MEETINGS_FILE = "params/meetings.yaml"

log = logging.getLogger("crmreports.meetings")

__all__ = [
    "DEFAULT_RULE",
    "MEETINGS_FILE",
    "PROJECT_ROOT",
    "MeetingRule",
    "MeetingsConfigError",
    "count_meetings",
    "meeting_events",
    "meetings_by_user",
    "meetings_file",
    "parse_meeting_rule",
    "read_meeting_rule",
    "rule_key",
    "stage_ids",
]


class MeetingsConfigError(ValueError):
    """``params/meetings.yaml`` is malformed or names no stage of the account; the message names the file, the
    key and what is valid."""


@dataclass(frozen=True)
class MeetingRule:
    kind: str  # "task_type" or "stage"
    task_type_id: int | None = None
    stage: str | None = None
    source: str = ""  # where the rule came from (file name, or "default")


DEFAULT_RULE = MeetingRule("task_type", task_type_id=2, source="default")


def rule_key(rule: MeetingRule) -> str:
    """The rule for machines (JSON figures): ``task_type:2`` or ``stage:Встреча назначена``."""
    return f"task_type:{rule.task_type_id}" if rule.kind == "task_type" else f"stage:{rule.stage}"


# ---- the rule file ------------------------------------------------------------------------------------------


def meetings_file(path: str | os.PathLike | None = None) -> tuple[Path, bool]:
    """The meetings definition file and whether it was named explicitly."""
    if path:
        return Path(path), True
    p = Path(MEETINGS_FILE)
    return (p if p.exists() else PROJECT_ROOT / MEETINGS_FILE), False


def read_meeting_rule(path: str | os.PathLike | None = None) -> MeetingRule:
    """Read and validate ``params/meetings.yaml``; without the file, the default rule (task type 2)."""
    p, explicit = meetings_file(path)
    if not p.exists():
        if explicit:
            raise MeetingsConfigError(
                f"{p}: file not found; create it with "
                "{kind: task_type, task_type_id: 2} or {kind: stage, stage: <name>}"
            )
        log.warning("%s not found; meetings are completed tasks of type 2", p)
        return DEFAULT_RULE
    try:
        obj = yaml.safe_load(p.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise MeetingsConfigError(f"{p}: not valid YAML: {exc}") from None
    name = MEETINGS_FILE if p.resolve() == (PROJECT_ROOT / MEETINGS_FILE).resolve() else str(p)
    return parse_meeting_rule(obj, source=name)


_RULE_KEYS = {"task_type": {"kind", "task_type_id"}, "stage": {"kind", "stage"}}


def parse_meeting_rule(obj: Any, source: str = MEETINGS_FILE) -> MeetingRule:
    """Validate the parsed YAML of ``params/meetings.yaml``.

    Valid: ``{kind: task_type, task_type_id: 2}`` or ``{kind: stage, stage: "Встреча назначена"}``.
    """
    valid = "{kind: task_type, task_type_id: <positive integer>} or {kind: stage, stage: <stage name>}"
    if not isinstance(obj, Mapping):
        raise MeetingsConfigError(f"{source}: expected a mapping, got {type(obj).__name__}; valid: {valid}")
    kind = obj.get("kind")
    if kind not in _RULE_KEYS:
        raise MeetingsConfigError(f"{source}: key 'kind' is {kind!r}; valid: task_type, stage ({valid})")
    unknown = sorted(set(map(str, obj)) - _RULE_KEYS[kind])
    if unknown:
        raise MeetingsConfigError(
            f"{source}: unknown key(s) {unknown} for kind {kind}; valid keys: {sorted(_RULE_KEYS[kind])}"
        )
    if kind == "task_type":
        tt = obj.get("task_type_id")
        if isinstance(tt, bool) or not isinstance(tt, int) or tt <= 0:
            raise MeetingsConfigError(
                f"{source}: key 'task_type_id' is {tt!r}; valid: a positive integer "
                "(amoCRM task type id, 2 = «Встреча»)"
            )
        return MeetingRule("task_type", task_type_id=tt, source=source)
    stage = obj.get("stage")
    if not isinstance(stage, str) or not stage.strip():
        raise MeetingsConfigError(
            f"{source}: key 'stage' is {stage!r}; valid: a non-empty stage name, e.g. \"Встреча назначена\""
        )
    return MeetingRule("stage", stage=stage.strip(), source=source)


# ---- counting -------------------------------------------------------------------------------------------------


def stage_ids(rule: MeetingRule, statuses: pd.DataFrame) -> pd.DataFrame:
    """(pipeline_id, id) of the stages a stage rule names (case-insensitive); a clear error if none."""
    names = statuses["name"].astype(str)
    hit = statuses[names.str.casefold() == str(rule.stage).casefold()]
    if hit.empty:
        valid = ", ".join(sorted(set(names[statuses["kind"] == "open"]))) if "kind" in statuses else ", ".join(names)
        raise MeetingsConfigError(
            f"{rule.source}: key 'stage' is {rule.stage!r}, which is not a stage of this account; valid: {valid}"
        )
    return hit[["pipeline_id", "id"]]


def meeting_events(
    rule: MeetingRule, tasks: pd.DataFrame, stage_changes: pd.DataFrame, statuses: pd.DataFrame, leads: pd.DataFrame
) -> pd.DataFrame:
    """Every meeting the rule recognises, at any time: columns ``key`` (what is counted once per period),
    ``at``, ``lead_id``, ``user_id`` (task's responsible, or the deal's responsible for stage entries)."""
    cols = ["key", "at", "lead_id", "user_id"]
    if rule.kind == "task_type":
        t = tasks[
            (tasks["task_type_id"] == rule.task_type_id)
            & tasks["is_completed"].astype("boolean").fillna(False)
            & tasks["completed_at"].notna()
        ]
        lead = t["entity_id"].where(t["entity"] == "lead")
        out = pd.DataFrame(
            {
                "key": "task-" + t["id"].astype(str),
                "at": t["completed_at"],
                "lead_id": lead,
                "user_id": t["responsible_user_id"],
            }
        )
        return out.reset_index(drop=True)[cols]
    ids = stage_ids(rule, statuses)
    sc = stage_changes.merge(
        ids, left_on=["to_pipeline_id", "to_status_id"], right_on=["pipeline_id", "id"], suffixes=("", "_st")
    )
    # a change from the stage to itself is no entry; one with no "from" (a deal created into the stage) is. Nullable
    # columns give <NA> for the comparison with a missing "from": counted, as the calls report's SQL counts it
    same = (sc["from_pipeline_id"] == sc["to_pipeline_id"]) & (sc["from_status_id"] == sc["to_status_id"])
    sc = sc[~same.astype("boolean").fillna(False).astype(bool)]
    owner = dict(zip(leads["id"], leads["responsible_user_id"]))
    out = pd.DataFrame(
        {
            "key": "lead-" + sc["lead_id"].astype(str),
            "at": sc["at"],
            "lead_id": sc["lead_id"],
            "user_id": sc["lead_id"].map(owner),
        }
    )
    return out.reset_index(drop=True)[cols]


def count_meetings(events: pd.DataFrame, period: Period) -> int:
    """Meetings in the period: distinct ``key`` among events inside it (a deal counts once per period)."""
    return int(events.loc[period.contains(events["at"]), "key"].nunique())


def meetings_by_user(events: pd.DataFrame, period: Period) -> pd.Series:
    """Meetings in the period per ``user_id``: distinct ``key`` per user among the events inside it."""
    return events[period.contains(events["at"])].groupby("user_id")["key"].nunique()
