"""Compare two pack folders figure by figure: every JSON document's figures, comparisons, findings, table
list and meta (except when and from which code it was generated), the index's figures, and every row of
every table CSV. Numbers are equal when within a relative tolerance (default 1e-9); text must be identical.

Run it before and after a refactor or a speed-up: figures must not change unless an issue asks.
``crmreports compare OLD NEW`` prints what it compared and every difference, and exits 1 on any.
"""

from __future__ import annotations

import csv
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

IGNORED_KEYS = {"generated_at", "cache_key"}  # when and from which code; not what the figures say
IGNORED_INDEX_KEYS = {"seconds", "files", "timing"}  # how long each phase took is not a figure


@dataclass
class Comparison:
    documents: int = 0
    values: int = 0
    tables: int = 0
    rows: int = 0
    differences: list[str] = field(default_factory=list)

    @property
    def same(self) -> bool:
        return not self.differences

    def summary(self) -> str:
        verdict = "identical" if self.same else f"{len(self.differences)} difference(s)"
        return (
            f"{self.documents} JSON documents ({self.values} values), {self.tables} table CSVs "
            f"({self.rows} rows): {verdict}"
        )


def _number(x) -> float | None:
    if isinstance(x, bool):
        return None
    if isinstance(x, (int, float)):
        return float(x)
    if isinstance(x, str):
        try:
            return float(x)
        except ValueError:
            return None
    return None


def _equal(a, b, rtol: float) -> bool:
    na, nb = _number(a), _number(b)
    if na is not None and nb is not None:
        if math.isnan(na) or math.isnan(nb):
            return math.isnan(na) and math.isnan(nb)
        return na == nb or abs(na - nb) <= rtol * max(abs(na), abs(nb))
    return a == b


def _walk(a, b, where: str, out: Comparison, rtol: float, ignored: set[str]) -> None:
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b), key=str):
            if k in ignored:
                continue
            if k not in a or k not in b:
                out.differences.append(f"{where}.{k}: only in {'new' if k not in a else 'old'}")
                continue
            _walk(a[k], b[k], f"{where}.{k}", out, rtol, ignored)
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            out.differences.append(f"{where}: {len(a)} items vs {len(b)}")
        for i, (x, y) in enumerate(zip(a, b)):
            _walk(x, y, f"{where}[{i}]", out, rtol, ignored)
    else:
        out.values += 1
        if not _equal(a, b, rtol):
            out.differences.append(f"{where}: {a!r} vs {b!r}")


def _rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def _compare_csv(a: Path, b: Path, name: str, out: Comparison, rtol: float) -> None:
    ra, rb = _rows(a), _rows(b)
    out.tables += 1
    out.rows += max(len(ra) - 1, 0)
    if len(ra) != len(rb):
        out.differences.append(f"{name}: {len(ra) - 1} rows vs {len(rb) - 1}")
        return
    for i, (x, y) in enumerate(zip(ra, rb)):
        if len(x) != len(y) or not all(_equal(u, v, rtol) if (u and v) else u == v for u, v in zip(x, y)):
            out.differences.append(f"{name} row {i}: {x} vs {y}")


def compare_packs(old: str | Path, new: str | Path, rtol: float = 1e-9, common: bool = False) -> Comparison:
    """Compare every JSON and CSV under ``old`` with the same file under ``new``; ``common``: only the files
    both have (e.g. a few documents rebuilt against a whole pack), a file in one only is not a difference."""
    old, new = Path(old), Path(new)
    out = Comparison()
    files = {p.relative_to(old) for p in old.rglob("*") if p.suffix in (".json", ".csv")}
    files_new = {p.relative_to(new) for p in new.rglob("*") if p.suffix in (".json", ".csv")}
    for missing in [] if common else sorted(files ^ files_new):
        out.differences.append(f"{missing}: only in {'old' if missing in files else 'new'}")
    for rel in sorted(files & files_new):
        if rel.suffix == ".csv":
            _compare_csv(old / rel, new / rel, str(rel), out, rtol)
            continue
        a = json.loads((old / rel).read_text(encoding="utf-8"))
        b = json.loads((new / rel).read_text(encoding="utf-8"))
        out.documents += 1
        _walk(a, b, str(rel), out, rtol, IGNORED_INDEX_KEYS if rel.name == "index.json" else IGNORED_KEYS)
    if not files & files_new:
        out.differences.append(f"{old} and {new}: no JSON or CSV files in common")
    return out
