"""Generic column mappings (YAML): any CRM's CSV/XLSX export to store tables, without code.

A mapping says which file column feeds which store field, how stage values (and an optional won/lost
status column) translate to pipeline stages, and what the account is. The format is documented in
``params/mappings/README.md``; ``params/mappings/*.yaml`` are working examples. Two kinds of file:

- ``format: deals``: one row per deal with its *current* stage (Bitrix24, Pipedrive, HubSpot,
  amoCRM exports). Stage history is synthesized minimally (see :mod:`.building`).
- ``format: calls``: one row per call (a telephony or call-centre log).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from . import building
from .building import Account
from .contracts import Field, Issue, skip_rows, validate
from .parsing import combine_date_time, normalize_text, parse_amounts, parse_dates, parse_durations, to_utc
from .reading import FileFormatError, check_encoding, read_file

log = logging.getLogger("crmreports.imports")

DEAL_FIELDS = {  # field -> contract kind
    "id": "id",
    "name": "text",
    "price": "amount",
    "pipeline": "text",
    "stage": "choice",
    "status": "choice",
    "responsible": "text",
    "group": "text",
    "created_at": "date",
    "closed_at": "date",
    "updated_at": "date",
    "source": "text",
    "loss_reason": "text",
    "tags": "text",
    "company": "text",
    "contact": "text",
}
CALL_FIELDS = {
    "id": "id",
    "user": "text",
    "date": "date",
    "time": "text",
    "answered": "choice",
    "duration": "duration",
    "direction": "choice",
    "phone": "text",
}
DEFAULT_REQUIRED = {"deals": ("id", "stage", "created_at"), "calls": ("id", "date")}
TRUE = {"true", "yes", "y", "да", "1", "answered", "отвечен"}


class MappingError(ValueError):
    """The mapping file itself is wrong (unknown field, bad kind, missing section)."""


@dataclass
class Mapping:
    """A parsed mapping file (see ``params/mappings/README.md``)."""

    format: str = "deals"
    name: str = "mapping"
    account: dict = field(default_factory=dict)  # name, currency, timezone
    columns: dict = field(default_factory=dict)  # store field -> file column
    required: tuple = ()
    constants: dict = field(default_factory=dict)  # store field -> value for every row
    stages: dict | None = None  # file value -> (stage name, kind); None = any value
    stage_kind: Any = None  # callable(value) -> kind when stages is None
    status_values: dict | None = None  # file value -> open | won | lost
    answered_values: dict | None = None  # file value -> bool
    direction_values: dict | None = None  # file value -> in | out
    date_formats: tuple = ()
    read: dict = field(default_factory=dict)  # sheet, separator, encoding
    history: str = "none"
    default_pipeline: str = "Основная воронка"
    zero_price_unknown: tuple = ()  # kinds whose price 0 means "not recorded" (e.g. lost)

    def stage_list(self) -> list[tuple[str, str]]:
        """(stage name, kind) in funnel order, each once."""
        seen = {}
        for name, kind in (self.stages or {}).values():
            seen.setdefault(name, kind)
        return list(seen.items())


def _kind(v, where: str) -> str:
    if v not in building.KINDS:
        raise MappingError(f"{where}: kind {v!r}; valid: {', '.join(building.KINDS)}")
    return v


def parse_mapping(spec: dict, name: str = "mapping") -> Mapping:
    """A :class:`Mapping` from the YAML structure, with clear errors for a wrong mapping file."""
    if not isinstance(spec, dict):
        raise MappingError(f"{name}: expected a YAML mapping at the top level")
    fmt = spec.get("format", "deals")
    if fmt not in ("deals", "calls"):
        raise MappingError(f"{name}: format {fmt!r}; valid: deals, calls")
    valid = DEAL_FIELDS if fmt == "deals" else CALL_FIELDS
    columns = {k: v for k, v in (spec.get("columns") or {}).items() if v is not None}
    constants = dict(spec.get("constants") or {})
    for k in list(columns) + list(constants):
        if k not in valid:
            raise MappingError(f"{name}: unknown field {k!r} in columns/constants; valid: {', '.join(valid)}")
    required = tuple(spec.get("required") or [f for f in DEFAULT_REQUIRED[fmt] if f not in constants])
    missing = [f for f in required if f not in columns and f not in constants]
    if missing:
        raise MappingError(f"{name}: required field(s) {', '.join(missing)} have no column under 'columns'")
    stages = None
    if fmt == "deals":
        raw = spec.get("stages")
        if not raw and "stage" not in constants:
            raise MappingError(f"{name}: 'stages' (file value -> open/won/lost/unsorted) is required")
        stages = {}
        for value, target in (raw or {}).items():
            if isinstance(target, dict):
                stages[str(value)] = (
                    str(target.get("name", value)),
                    _kind(target.get("kind", "open"), f"{name}: stage {value!r}"),
                )
            else:
                stages[str(value)] = (str(value), _kind(target, f"{name}: stage {value!r}"))
    status_values = spec.get("status_values")
    if status_values:
        status_values = {str(k): _kind(v, f"{name}: status value {k!r}") for k, v in status_values.items()}
    acc = dict(spec.get("account") or {})
    history = spec.get("history", "none")
    if history not in ("none", "first_stage"):
        raise MappingError(f"{name}: history {history!r}; valid: none, first_stage")
    if history == "first_stage" and sum(k == "open" for _, k in (stages or {}).values()) != 1:
        raise MappingError(f"{name}: history: first_stage needs exactly one open stage (else it would invent moves)")
    return Mapping(
        format=fmt,
        name=name,
        account=acc,
        columns=columns,
        required=required,
        constants=constants,
        stages=stages,
        status_values=status_values,
        answered_values={str(k): bool(v) for k, v in (spec.get("answered_values") or {}).items()} or None,
        direction_values={str(k): str(v) for k, v in (spec.get("direction_values") or {}).items()} or None,
        date_formats=tuple(spec.get("date_formats") or ()),
        read=dict(spec.get("read") or {}),
        history=history,
        zero_price_unknown=tuple(_kind(k, f"{name}: zero_price_unknown") for k in spec.get("zero_price_unknown") or ()),
        default_pipeline=str(spec.get("pipeline_name") or constants.get("pipeline") or "Основная воронка"),
    )


def load_mapping(path: str | Path) -> Mapping:
    path = Path(path)
    if not path.exists():
        raise MappingError(f"{path}: no such mapping file")
    try:
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise MappingError(f"{path.name}: not valid YAML ({exc})") from None
    m = parse_mapping(spec, path.name)
    if m.read.get("encoding") is not None:
        try:
            check_encoding(m.read["encoding"], f"{path.name}: read.encoding")
        except FileFormatError as exc:
            raise MappingError(str(exc)) from None
    return m


def contract(m: Mapping) -> list[Field]:
    """The pandera contract for the file columns this mapping reads."""
    kinds = DEAL_FIELDS if m.format == "deals" else CALL_FIELDS
    out = []
    for fname, column in m.columns.items():
        kind, values, reason = kinds[fname], (), "unknown_value"
        if fname == "stage":
            if m.stages is None:
                kind = "text"
            else:
                values, reason = tuple(m.stages), "unknown_stage"
        elif fname == "status":
            values = tuple(m.status_values or ())
            kind = "choice" if values else "text"
        elif fname == "answered":
            values = tuple(m.answered_values or ())
            kind = "choice" if values else "text"
        elif fname == "direction":
            values = tuple(m.direction_values or ())
            kind = "choice" if values else "text"
        req = fname in m.required
        out.append(
            Field(
                fname,
                str(column),
                kind,
                required=req,
                nullable=not req,
                values=values,
                formats=m.date_formats if kind == "date" else (),
                reason=reason,
            )
        )
    return out


def read_rows(path: str | Path, m: Mapping, raw: pd.DataFrame | None = None) -> tuple[pd.DataFrame, list[Issue]]:
    """Validate one file against the mapping; return the good rows (field names, raw values) and the issues."""
    raw = read_file(path, m.read.get("sheet"), m.read.get("separator"), m.read.get("encoding")) if raw is None else raw
    frame, issues = validate(raw, contract(m), raw.attrs.get("file"))
    if any(i.reason == "missing_column" for i in issues):
        return frame.iloc[0:0], issues
    good = skip_rows(frame, issues)
    log.info("%s: %d rows read, %d with problems", raw.attrs.get("file"), len(frame), len(frame) - len(good))
    return good, issues


def parse_deals(rows: pd.DataFrame, m: Mapping) -> tuple[pd.DataFrame, list[Issue]]:
    """Typed deal rows (``building.DEAL_FIELDS``) from validated raw rows; warnings for odd dates."""
    file = rows.attrs.get("file", "?")
    out = pd.DataFrame(index=rows.index)
    for fname, kind in DEAL_FIELDS.items():
        if fname in m.constants:
            out[fname] = m.constants[fname]
        elif fname not in rows.columns:
            out[fname] = None
        elif kind == "date":
            out[fname] = parse_dates(rows[fname], m.date_formats or None)
        elif kind == "amount":
            out[fname] = parse_amounts(rows[fname])
        else:
            out[fname] = normalize_text(rows[fname])
    out["pipeline"] = out["pipeline"].fillna(m.default_pipeline)
    stage_value = out["stage"].astype(str)
    if m.stages is not None:
        out["stage"] = stage_value.map(lambda v: m.stages[v][0])
        out["kind"] = stage_value.map(lambda v: m.stages[v][1])
    else:
        out["kind"] = stage_value.map(m.stage_kind)
    if m.status_values and "status" in rows.columns:
        st = out["status"].map(lambda v: m.status_values.get(str(v)) if v is not None else None)
        out["kind"] = st.where(st.isin(["won", "lost"]), out["kind"].where(~out["kind"].isin(["won", "lost"]), "open"))
    for c in ("created_at", "closed_at", "updated_at"):
        out[c] = pd.to_datetime(out[c])
    if m.zero_price_unknown:
        out.loc[out["kind"].isin(m.zero_price_unknown) & (out["price"] == 0), "price"] = np.nan
    issues = []
    closed = out["kind"].isin(["won", "lost"])
    for r in out.index[closed & out["closed_at"].isna()]:
        issues.append(
            Issue(
                file,
                int(r),
                m.columns.get("closed_at"),
                "no_close_date",
                "a won/lost deal without a close date: it counts in no period's won/lost figures",
            )
        )
    for r in out.index[closed & (out["closed_at"] < out["created_at"])]:
        issues.append(
            Issue(
                file,
                int(r),
                m.columns.get("closed_at"),
                "closed_before_created",
                f"closed {out.at[r, 'closed_at']} before it was created {out.at[r, 'created_at']}",
            )
        )
    out.loc[~closed, "closed_at"] = pd.NaT
    out.attrs["file"] = file
    return out, issues


def dedupe_across(frames: list[pd.DataFrame], id_column: str = "id") -> tuple[list[pd.DataFrame], list[Issue]]:
    """Drop rows whose id already appeared in an earlier file, with an issue naming both places."""
    seen: dict[str, tuple[str, int]] = {}
    issues, out = [], []
    for f in frames:
        file = f.attrs.get("file", "?")
        keep = []
        for r, v in zip(f.index, f[id_column].astype(str)):
            if v in seen and seen[v][0] != file:
                issues.append(
                    Issue(
                        file,
                        int(r),
                        None,
                        "duplicate_id",
                        f"id {v!r} already loaded from {seen[v][0]}, row {seen[v][1]}",
                    )
                )
                keep.append(False)
            else:
                seen.setdefault(v, (file, int(r)))
                keep.append(True)
        g = f[np.array(keep, dtype=bool)]
        g.attrs.update(f.attrs)
        out.append(g)
    return out, issues


def deal_tables_from(
    paths: list[Path],
    m: Mapping,
    account: Account,
    raws: list[pd.DataFrame] | None = None,
    users: pd.DataFrame | None = None,
) -> tuple[dict[str, pd.DataFrame], list[Issue]]:
    issues: list[Issue] = []
    parsed = []
    for i, p in enumerate(paths):
        rows, iss = read_rows(p, m, raws[i] if raws else None)
        issues += iss
        if any(x.reason == "missing_column" for x in iss):
            continue
        deals, warn = parse_deals(rows, m)
        issues += warn
        parsed.append(deals)
    parsed, dup = dedupe_across(parsed)
    issues += dup
    deals = pd.concat(parsed) if parsed else pd.DataFrame(columns=building.DEAL_FIELDS)
    stages = [
        (pipe, name, kind)
        for pipe in (pd.unique(deals["pipeline"]) if len(deals) else [m.default_pipeline])
        for name, kind in m.stage_list()
    ]
    groups = user_groups(deals) if users is None else None
    tables = building.deal_tables(
        deals.reset_index(drop=True), stages, account, history=m.history, users=users, user_groups=groups
    )
    return tables, issues


def user_groups(deals: pd.DataFrame) -> dict[str, str] | None:
    """Manager -> group from the deals' ``group`` column (a mapped column or a constant): the group of
    the manager's latest deal when the file gives several. None when the file names no group."""
    if "group" not in deals or deals["group"].isna().all():
        return None
    d = deals.dropna(subset=["responsible", "group"])
    if "created_at" in d:
        d = d.sort_values("created_at", kind="stable", na_position="first")
    out = {str(r): str(g) for r, g in zip(d["responsible"], d["group"])}
    several = d.groupby("responsible")["group"].nunique()
    for name in several[several > 1].index:
        log.warning("manager %r appears in several groups; using the latest deal's: %r", name, out[str(name)])
    return out


def call_tables_from(
    paths: list[Path], m: Mapping, account: Account, raws: list[pd.DataFrame] | None = None
) -> tuple[dict[str, pd.DataFrame], list[Issue]]:
    """Users and calls from call logs. A call is answered per ``answered_values`` (or duration > 0)."""
    issues: list[Issue] = []
    parts = []
    for i, p in enumerate(paths):
        rows, iss = read_rows(p, m, raws[i] if raws else None)
        issues += iss
        if any(x.reason == "missing_column" for x in iss):
            continue
        c = pd.DataFrame(index=rows.index)
        c["id"] = normalize_text(rows["id"])
        c["user"] = normalize_text(rows["user"]) if "user" in rows else m.constants.get("user")
        times = rows["time"] if "time" in rows else pd.Series(None, index=rows.index, dtype=object)
        c["at"] = combine_date_time(rows["date"], times)
        dur = parse_durations(rows["duration"]) if "duration" in rows else pd.Series(np.nan, index=rows.index)
        if "answered" in rows:
            vals = m.answered_values or {}
            # B023 is a false positive: map() runs the lambda at once, in this iteration, with the current vals
            c["answered"] = rows["answered"].map(
                lambda v: None if v is None else vals.get(str(v).strip(), str(v).strip().lower() in TRUE)  # noqa: B023
            )
        else:
            c["answered"] = dur > 0
        c["duration_s"] = dur.where(dur.notna(), np.where(c["answered"] == False, 0, np.nan))  # noqa: E712
        if "direction" in rows:
            c["direction"] = rows["direction"].map(lambda v: (m.direction_values or {}).get(str(v).strip(), v))
        else:
            c["direction"] = m.constants.get("direction", "in")
        c["phone"] = normalize_text(rows["phone"]) if "phone" in rows else None
        c.attrs["file"] = rows.attrs.get("file")
        parts.append(c)
    parts, dup = dedupe_across(parts)
    issues += dup
    calls = (
        pd.concat(parts)
        if parts
        else pd.DataFrame(columns=["id", "user", "at", "answered", "duration_s", "direction", "phone"])
    )
    users, uids = building.users_table(calls["user"])
    ids = building.id_map(
        calls["id"].str.replace(r"^\D+", "", regex=True)
        if calls["id"].astype(str).str.fullmatch(r"\D*\d+").all()
        else calls["id"]
    )
    key = (
        calls["id"].str.replace(r"^\D+", "", regex=True)
        if calls["id"].astype(str).str.fullmatch(r"\D*\d+").all()
        else calls["id"]
    )
    answered = calls["answered"].astype(bool)
    table = pd.DataFrame(
        {
            "id": key.astype(str).map(ids).astype("int64"),
            "direction": calls["direction"],
            "user_id": calls["user"].map(uids),
            "lead_id": None,
            "contact_id": None,
            "duration_s": pd.array(calls["duration_s"].round(), dtype="Int64"),
            "status": np.where(answered, "answered", "missed"),
            "is_answered": answered.values,
            "phone": calls["phone"],
            "at": to_utc(calls["at"], account.timezone),
        }
    ).reset_index(drop=True)
    return {"users": users, "calls": table}, issues
