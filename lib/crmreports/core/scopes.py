"""Report scopes (whole team or one manager), parameter validation and safe file-name slugs."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import pandas as pd

_TRANSLIT = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        [
            "a",
            "b",
            "v",
            "g",
            "d",
            "e",
            "e",
            "zh",
            "z",
            "i",
            "y",
            "k",
            "l",
            "m",
            "n",
            "o",
            "p",
            "r",
            "s",
            "t",
            "u",
            "f",
            "kh",
            "ts",
            "ch",
            "sh",
            "shch",
            "",
            "y",
            "",
            "e",
            "yu",
            "ya",
        ],
    )
)


class ParameterError(ValueError):
    """A report parameter that names nothing valid; the message lists what is valid."""


def slug(name: str, fallback: str = "item") -> str:
    """A safe file-name slug: Cyrillic transliterated, lowercase ``[a-z0-9-]`` only, never empty,
    never a path separator or ``..``."""
    s = "".join(_TRANSLIT.get(ch, ch) for ch in str(name).lower())
    s = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode()
    s = re.sub(r"[^a-z0-9]+", "-", s).strip("-")
    s = re.sub(r"-{2,}", "-", s)[:60].strip("-")
    return s or fallback


@dataclass(frozen=True)
class Scope:
    kind: str  # "team", "group" or "manager"
    slug: str  # "team", "group-<slug>" or the manager's slug (file names, JSON "scope")
    name: str | None  # the manager's or the group's name
    user_ids: tuple[int, ...]  # empty for the team

    @property
    def manager_parameter(self) -> str:
        """What the notebooks' ``manager`` parameter takes for this scope."""
        if self.kind == "group":
            return GROUP_PREFIX + str(self.name)
        return self.name or ""


TEAM = Scope("team", "team", None, ())


RESERVED_SLUG_PREFIX = "manager-"


def manager_slugs(users: pd.DataFrame) -> dict[int, str]:
    """A unique slug per user id (a numeric suffix separates namesakes).

    A manager's slug never takes the team's or a group's place: a name whose slug would be ``team`` or
    start with ``group-`` (a manager named "Team" or "Group 1") gets ``manager-`` in front."""
    out, seen = {}, {}
    for uid, name in sorted(zip(users["id"], users["name"])):
        s = slug(name, f"user-{uid}")
        if s == TEAM.slug or s.startswith("group-"):
            s = RESERVED_SLUG_PREFIX + s
        if s in seen:
            s = f"{s}-{uid}"
        seen[s] = uid
        out[int(uid)] = s
    return out


GROUP_PREFIX = "group:"


def group_scope(name: str, users: pd.DataFrame) -> Scope:
    """The scope of a group of managers (``group_name`` in the users table)."""
    members = users[users["group_name"].astype(str).str.casefold() == name.strip().casefold()]
    if members.empty:
        valid = ", ".join(sorted({str(g) for g in users["group_name"].dropna()}))
        raise ParameterError(f"unknown group {name.strip()!r}; valid: {valid}")
    real = str(members["group_name"].iloc[0])
    return Scope("group", "group-" + slug(real, "group"), real, tuple(sorted(int(u) for u in members["id"])))


def resolve_manager(manager: str | int | None, users: pd.DataFrame) -> Scope:
    """Find a manager by name (case-insensitive), slug or id, or a group as ``group:<name>``;
    empty (or ``team``, unless a manager has that very name) means the whole team."""
    if manager is None or str(manager).strip() == "":
        return TEAM
    key = str(manager).strip()
    if key.casefold().startswith(GROUP_PREFIX):
        return group_scope(key[len(GROUP_PREFIX) :], users)
    slugs = manager_slugs(users)
    # a name first: a manager named "Team" is that manager (the pack passes managers by name)
    for uid, name in zip(users["id"], users["name"]):
        if key.casefold() == str(name).casefold():
            return Scope("manager", slugs[int(uid)], str(name), (int(uid),))
    if key.casefold() == TEAM.slug:
        return TEAM
    for uid, name in zip(users["id"], users["name"]):
        if key.casefold() in (slugs[int(uid)], str(uid)):
            return Scope("manager", slugs[int(uid)], str(name), (int(uid),))
    valid = ", ".join(sorted(str(n) for n in users["name"]))
    raise ParameterError(f"unknown manager {key!r}; valid: {valid} (or empty for the whole team)")


def resolve_pipeline(pipeline: str | int | None, pipelines: pd.DataFrame) -> tuple[list[int], str | None]:
    """Pipeline ids to report on and the pipeline's name; empty means every pipeline."""
    if pipeline is None or str(pipeline).strip() == "":
        return [], None
    key = str(pipeline).strip()
    for pid, name in zip(pipelines["id"], pipelines["name"]):
        if key.casefold() in (str(name).casefold(), str(pid)):
            return [int(pid)], str(name)
    valid = ", ".join(str(n) for n in pipelines["name"])
    raise ParameterError(f"unknown pipeline {key!r}; valid: {valid} (or empty for all pipelines)")
