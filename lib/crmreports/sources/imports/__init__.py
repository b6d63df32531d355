"""Load CRM export files and the public data sets into the store that ``sync`` fills.

``import_files(paths, format, store_path, strict)`` reads the files, checks them against a table
contract (:mod:`.contracts`, pandera), maps them to store tables and writes the store with
:func:`crmreports.store.write_full`: atomically, *replacing* the store's whole content. Formats:

- ``amocrm``: amoCRM's own deal export (:mod:`.amocrm_export`);
- ``maven``, ``olist``, ``enpal``, ``pwc``: the public data sets (:mod:`.datasets`);
- a path to a ``.yaml`` mapping file (:mod:`.mapping_file`), for any other CRM's export.

Bad rows (unparseable date, negative or non-numeric amount, unknown stage, duplicate id, empty
required cell) are reported with file, row and column and skipped; ``strict=True`` refuses the whole
import instead. A missing required column always refuses it. A refused import writes nothing.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ... import store
from .building import Account, account_table
from .contracts import REASONS, WARNINGS, Issue
from .mapping_file import MappingError, call_tables_from, deal_tables_from, load_mapping
from .reading import FileFormatError

log = logging.getLogger("crmreports.imports")

FORMATS = ("amocrm", "maven", "olist", "enpal", "pwc")
DEFAULT_TIMEZONE = "Europe/Moscow"
DEFAULT_CURRENCY = "RUB"
SHOWN_ISSUES = 20
REFERENCE_TABLES = ("account", "users", "pipelines", "statuses", "loss_reasons", "sources")

__all__ = ["FORMATS", "ImportRefused", "ImportResult", "Issue", "build", "import_files"]


class ImportRefused(ValueError):
    """The import was refused; nothing was written. ``issues`` lists why."""

    def __init__(self, message: str, issues: list[Issue] | None = None):
        super().__init__(message)
        self.issues = list(issues or [])


@dataclass
class ImportResult:
    """What an import loaded and skipped."""

    format: str
    account: Account
    tables: dict[str, pd.DataFrame]
    issues: list[Issue] = field(default_factory=list)
    store_path: Path | None = None

    @property
    def skipped(self) -> list[Issue]:
        """Row-level problems that made a row be left out (one issue per row at most is counted)."""
        return [i for i in self.issues if i.reason not in WARNINGS and i.reason != "missing_column"]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.reason in WARNINGS]

    def skipped_rows(self) -> int:
        return len({(i.file, i.row) for i in self.skipped})

    def counts(self) -> dict[str, int]:
        return {name: len(df) for name, df in self.tables.items() if df is not None and name != "account"}

    def reasons(self) -> Counter:
        """reason -> number of skipped rows whose first problem it is."""
        first: dict = {}
        for i in self.skipped:
            first.setdefault((i.file, i.row), i.reason)
        return Counter(first.values())

    def summary(self) -> str:
        loaded = ", ".join(f"{k} {v}" for k, v in self.counts().items() if v)
        text = (
            f"imported {self.format} as «{self.account.name}» "
            f"({self.account.currency}, {self.account.timezone}): {loaded}"
        )
        n = self.skipped_rows()
        if n:
            why = ", ".join(f"{REASONS[r]} {c}" for r, c in self.reasons().most_common())
            text += f"; skipped {n} rows ({why})"
        else:
            text += "; skipped 0 rows"
        if self.warnings:
            w = Counter(i.reason for i in self.warnings)
            text += "; warnings: " + ", ".join(f"{REASONS[r]} {c}" for r, c in w.most_common())
        return text


def _issue_list(issues: list[Issue], limit: int = SHOWN_ISSUES) -> str:
    lines = [f"  {i}" for i in issues[:limit]]
    if len(issues) > limit:
        lines.append(f"  ... and {len(issues) - limit} more")
    return "\n".join(lines)


def build(
    paths, format: str, timezone: str | None = None, currency: str | None = None, name: str | None = None
) -> ImportResult:
    """Read and map the files without writing anything; missing required columns raise :class:`ImportRefused`."""
    from . import amocrm_export, datasets

    paths = [Path(p) for p in ([paths] if isinstance(paths, (str, Path)) else paths)]
    if not paths:
        raise ImportRefused("no files given")
    overrides = {"timezone": timezone, "currency": currency, "name": name}
    try:
        if format in datasets.LOADERS:
            tables, issues, account = datasets.LOADERS[format](paths, overrides)
        elif format == "amocrm":
            account = Account(
                name=name or paths[0].stem,
                timezone=timezone or DEFAULT_TIMEZONE,
                currency=currency or DEFAULT_CURRENCY,
                source="import:amocrm",
            )
            tables, issues = amocrm_export.tables(paths, account)
        elif format.lower().endswith((".yaml", ".yml")):
            m = load_mapping(format)
            acc = {**m.account, **{k: v for k, v in overrides.items() if v}}
            account = Account(
                name=acc.get("name") or paths[0].stem,
                timezone=acc.get("timezone") or DEFAULT_TIMEZONE,
                currency=acc.get("currency") or DEFAULT_CURRENCY,
                source=f"import:{Path(format).name}",
            )
            loader = deal_tables_from if m.format == "deals" else call_tables_from
            tables, issues = loader(paths, m, account)
        else:
            raise ImportRefused(f"unknown format {format!r}; valid: {', '.join(FORMATS)} or a mapping file (.yaml)")
    except (FileFormatError, MappingError, datasets.DatasetError) as exc:
        raise ImportRefused(str(exc)) from None
    missing = [i for i in issues if i.reason == "missing_column"]
    if missing:
        raise ImportRefused("the file lacks required columns, nothing was loaded:\n" + _issue_list(missing), missing)
    tables = {k: v for k, v in tables.items() if v is not None}
    tables["account"] = account_table(account, tables)
    return ImportResult(format=format, account=account, tables=tables, issues=issues)


def import_files(
    paths,
    format: str,
    store_path,
    strict: bool = False,
    timezone: str | None = None,
    currency: str | None = None,
    name: str | None = None,
) -> ImportResult:
    """Import files into the store at ``store_path``, replacing its content (atomically).

    Default: bad rows are skipped and reported. ``strict``: any bad row refuses the import. A refused
    import raises :class:`ImportRefused` and leaves the previous store untouched.
    """
    store.lock.check_writable(store_path)  # a directory, a text file, a read-only store: refuse before reading
    res = build(paths, format, timezone, currency, name)
    for i in res.issues:
        (log.warning if i.reason not in WARNINGS else log.info)("%s", i)
    if strict and res.skipped:
        raise ImportRefused(
            f"--strict: {res.skipped_rows()} rows have problems, nothing was loaded:\n" + _issue_list(res.skipped),
            res.skipped,
        )
    # reference lists (a mapping's stages make pipelines and statuses) are not rows of the file: a file whose every
    # row was skipped replaced the store with an empty account (found by the fuzz)
    if not any(len(df) for k, df in res.tables.items() if k not in REFERENCE_TABLES):
        raise ImportRefused(
            "no usable rows: nothing was loaded" + (":\n" + _issue_list(res.skipped) if res.skipped else ""),
            res.skipped,
        )
    res.store_path = store.write_full(store_path, res.tables, what="import")
    log.info("%s", res.summary())
    return res
