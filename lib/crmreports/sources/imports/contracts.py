"""Table contracts for imported files (pandera), and the issues they raise, named by file, row and column.

A contract is a list of :class:`Field`: which file column feeds which store field and what the
cells must look like. :func:`validate` runs the pandera schema lazily (every failure, not just the
first) and turns each failure into an :class:`Issue`. Row-level issues make the import skip the row
(or refuse the file with ``--strict``); a missing required column always refuses the file.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import pandera.pandas as pa

from .parsing import blank, parse_amounts, parse_dates, parse_durations

# reason code -> short text used in summaries ("skipped 3 rows: unparseable date 2, ...")
REASONS = {
    "missing_column": "missing required column",
    "missing_value": "empty required cell",
    "bad_date": "unparseable date",
    "bad_amount": "non-numeric amount",
    "negative_amount": "negative amount",
    "bad_duration": "unparseable duration",
    "unknown_stage": "stage not in the value map",
    "unknown_value": "value not in the value map",
    "duplicate_id": "duplicate id",
    "closed_before_created": "closed before created (loaded)",
    "no_close_date": "closed deal without a close date (loaded)",
}
# reasons that are reported but do not skip the row
WARNINGS = {"closed_before_created", "no_close_date"}


@dataclass(frozen=True)
class Issue:
    """One problem in one cell (or one missing column) of one file."""

    file: str
    row: int | None
    column: str | None
    reason: str
    detail: str

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column «{self.column}»")
        return f"{', '.join(where)}: {self.detail}"


@dataclass(frozen=True)
class Field:
    """A store field fed by one file column, and what its cells must be.

    kind: ``id`` (unique, required), ``text``, ``date``, ``amount`` (number >= 0), ``duration``
    (seconds or HH:MM:SS), ``choice`` (one of ``values``; ``reason`` names the failure).
    """

    name: str
    column: str
    kind: str = "text"
    required: bool = False  # the column must exist in the file
    nullable: bool = True  # blank cells are allowed
    values: tuple = ()
    formats: tuple = ()
    reason: str = "unknown_value"


def _checks(f: Field) -> list[pa.Check]:
    fmts = f.formats or None
    if f.kind == "date":
        return [pa.Check(lambda s: blank(s) | parse_dates(s, fmts).notna(), error="bad_date")]
    if f.kind == "amount":
        return [
            pa.Check(lambda s: blank(s) | parse_amounts(s).notna(), error="bad_amount"),
            pa.Check(lambda s: ~(parse_amounts(s) < 0), error="negative_amount"),
        ]
    if f.kind == "duration":
        return [pa.Check(lambda s: blank(s) | (parse_durations(s) >= 0), error="bad_duration")]
    if f.kind == "choice":
        allowed = set(f.values)
        return [pa.Check(lambda s: blank(s) | s.map(lambda v: str(v).strip() in allowed), error=f.reason)]
    return []


def schema(fields: list[Field]) -> pa.DataFrameSchema:
    """The pandera schema of a contract, over columns named by store field."""
    cols = {}
    for f in fields:
        cols[f.name] = pa.Column(
            None,
            checks=_checks(f),
            required=f.required,
            nullable=f.nullable and f.kind != "id",
            unique=f.kind == "id",
            report_duplicates="exclude_first",
        )
    return pa.DataFrameSchema(cols, strict=False, coerce=False)


def _detail(reason: str, value, f: Field, first_row: int | None, present: list[str]) -> str:
    if reason == "missing_column":
        return f"required column «{f.column}» is missing; the file has: {', '.join(present)}"
    if reason == "missing_value":
        return f"empty cell; «{f.column}» is required"
    if reason == "bad_date":
        return (
            f"cannot read the date {value!r}; expected a date from 1900 to 2200, e.g. 24.11.2026 14:05:00, "
            "24.11.2026 or 2026-11-24"
        )
    if reason == "bad_amount":
        return f"{value!r} is not a finite number in ASCII digits; expected e.g. 1234,50 or 1 234,50 ₽"
    if reason == "negative_amount":
        return f"negative amount {value!r}"
    if reason == "bad_duration":
        return f"cannot read the duration {value!r}; expected seconds or HH:MM:SS"
    if reason in ("unknown_stage", "unknown_value"):
        shown = ", ".join(f"«{v}»" for v in f.values[:12]) + (", ..." if len(f.values) > 12 else "")
        what = "stage" if reason == "unknown_stage" else "value"
        return f"unknown {what} {value!r}; add it to the mapping's value map (known: {shown})"
    if reason == "duplicate_id":
        return f"id {value!r} appears again (first at row {first_row})" if first_row else f"id {value!r} repeated"
    return str(value)


def validate(raw: pd.DataFrame, fields: list[Field], file: str | None = None) -> tuple[pd.DataFrame, list[Issue]]:
    """Check ``raw`` (file columns, index = row numbers) against ``fields``.

    Returns the frame renamed to field names (only the contract's columns, every row) and the issues.
    """
    file = file or raw.attrs.get("file", "?")
    present = [f for f in fields if f.column in raw.columns]
    frame = pd.DataFrame({f.name: raw[f.column] for f in present}, index=raw.index)
    frame.attrs.update(raw.attrs)
    by_name = {f.name: f for f in fields}
    issues: list[Issue] = []
    try:
        schema(fields).validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        fc = exc.failure_cases
        for rec in fc.itertuples(index=False):
            check = str(rec.check)
            if check == "column_in_dataframe":
                f = by_name[str(rec.failure_case)]
                issues.append(
                    Issue(
                        file,
                        None,
                        f.column,
                        "missing_column",
                        _detail("missing_column", None, f, None, list(raw.columns)),
                    )
                )
                continue
            f = by_name.get(str(rec.column))
            if f is None:
                continue
            reason = {"not_nullable": "missing_value", "field_uniqueness": "duplicate_id"}.get(check, check)
            if reason not in REASONS:
                reason = "unknown_value"
            row = None if pd.isna(rec.index) else int(rec.index)
            first = None
            if reason == "duplicate_id":
                same = frame.index[frame[f.name].astype(str) == str(rec.failure_case)]
                first = int(same[0]) if len(same) else None
            issues.append(
                Issue(file, row, f.column, reason, _detail(reason, rec.failure_case, f, first, list(raw.columns)))
            )
    issues.sort(key=lambda i: (i.row is not None, i.row or 0, i.column or ""))
    return frame, issues


def skip_rows(frame: pd.DataFrame, issues: list[Issue]) -> pd.DataFrame:
    """``frame`` without the rows that have a row-level, non-warning issue."""
    bad = {i.row for i in issues if i.row is not None and i.reason not in WARNINGS}
    return frame[~frame.index.isin(bad)]
