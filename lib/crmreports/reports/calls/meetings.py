"""What counts as a meeting: the rule of ``params/meetings.yaml``, found, read and validated.

Valid: ``{kind: task_type, task_type_id: 2}`` (completed tasks of one type) or
``{kind: stage, stage: "Встреча назначена"}`` (deals entering one stage). Without the file the rule is
:data:`.metrics.DEFAULT_RULE` (completed tasks of type 2, «Встреча»). Errors
(:class:`.metrics.MeetingsConfigError`) name the file, the key and what is valid.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from .metrics import DEFAULT_RULE, MeetingRule, MeetingsConfigError

PROJECT_ROOT = Path(__file__).resolve().parents[4]
MEETINGS_FILE = "params/meetings.yaml"

log = logging.getLogger("crmreports.calls")

__all__ = [
    "MEETINGS_FILE",
    "PROJECT_ROOT",
    "MeetingsConfigError",
    "meetings_file",
    "parse_meeting_rule",
    "read_meeting_rule",
]


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


def parse_meeting_rule(obj: Any, source: str = "params/meetings.yaml") -> MeetingRule:
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
