"""The reports: one package per report under ``crmreports/reports/<name>/``, each declaring itself once.

A report's package holds ``metrics.py`` (pure functions, DataFrames in and out), ``query.py`` (the DuckDB
read with filters pushed down), ``sections.py`` (what the notebook calls), ``charts.py``, ``labels.py``
(ru/en) and an ``__init__.py`` whose ``REPORT = Report(...)`` declares the name, title, notebook, the
headline figures the pack's index shows and the default scopes. This registry finds every package that
declares a ``REPORT``; the runner, the pack, the index page, the CLI's choices and the label checks read
it, so adding a report is one folder and one notebook.
"""

from __future__ import annotations

import importlib
import pkgutil
import threading
from dataclasses import dataclass, field

from ..core import labels as _labels
from ..core.scopes import ParameterError

SCOPES = ("team", "groups", "managers")
FIGURE_KINDS = ("money", "number", "percent", "plan", "estimate", "done")


@dataclass(frozen=True)
class IndexFigure:
    """A headline figure shown in the pack's index: the JSON figure key, how to format it, its label key."""

    key: str
    # money, number, percent, plan (money, or a count for a plan by deals), estimate (a forecast: money to 3
    # significant figures) or done (a plan's done share: never rounded up to 100 %)
    kind: str
    label: str

    def __post_init__(self):
        if self.kind not in FIGURE_KINDS:
            raise ValueError(f"index figure {self.key!r}: bad kind {self.kind!r}; valid: {', '.join(FIGURE_KINDS)}")


@dataclass(frozen=True)
class Report:
    """One report's declaration. Creating it registers the report's labels and its title (``report.<name>``)."""

    name: str
    title: dict[str, str]  # {"ru": ..., "en": ...}
    order: int  # place in packs, the index and listings
    labels: dict = field(default_factory=dict, repr=False)
    index_figures: tuple[IndexFigure, ...] = ()
    scopes: tuple[str, ...] = SCOPES  # the scopes a pack builds by default
    notebook: str = ""  # notebooks/<notebook>.ipynb; default: the name

    def __post_init__(self):
        if not self.notebook:
            object.__setattr__(self, "notebook", self.name)
        bad = [s for s in self.scopes if s not in SCOPES]
        if bad:
            raise ValueError(f"report {self.name!r}: unknown scopes {bad}; valid: {', '.join(SCOPES)}")
        _labels.register(self.name, {**self.labels, f"report.{self.name}": dict(self.title)})


_LOCK = threading.Lock()
_FOUND: dict[str, Report] = {}


def registry() -> dict[str, Report]:
    """Every declared report by name, in their declared order."""
    if not _FOUND:
        with _LOCK:
            if not _FOUND:
                found = []
                for info in pkgutil.iter_modules(__path__):
                    if info.ispkg:
                        declared = getattr(importlib.import_module(f"{__name__}.{info.name}"), "REPORT", None)
                        if isinstance(declared, Report):
                            if declared.name != info.name:
                                raise ValueError(
                                    f"reports/{info.name}/ declares the report {declared.name!r}; "
                                    f"the folder and the name must agree"
                                )
                            found.append(declared)
                _FOUND.update((r.name, r) for r in sorted(found, key=lambda r: (r.order, r.name)))
    return dict(_FOUND)


def names() -> list[str]:
    return list(registry())


def get(name: str) -> Report:
    """The report called ``name``; an unknown name is a :class:`ParameterError` listing the valid ones."""
    found = registry().get(name)
    if found is None:
        raise ParameterError(f"unknown report {name!r}; valid: {', '.join(names())}")
    return found
