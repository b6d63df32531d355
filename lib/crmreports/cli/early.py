"""``crmreports run`` starts the document's kernel before anything else: before the command line is parsed and
before the heavy imports (pandas, DuckDB), so the kernel's start and the report library's import (1.1 s) overlap
the command's own imports and checks instead of following them.

:func:`start_early` reads the command line without the parser (a wrong guess only costs a kernel started for
nothing); the ``run`` command :func:`take` s the pool and closes it when it ends; :func:`end_early` closes one
no command took (a parse error, ``--help``). This module imports nothing of the command line's own, so the main
module and the ``run`` command can both use it.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

# Options of the main parser and of ``run`` that take a value, for reading the command line before it is parsed.
_VALUED = {
    "--store",
    "--account",
    "--lang",
    "--period",
    "--manager",
    "--pipeline",
    "--format",
    "--out",
    "-p",
    "--param",
}
_early: list = []  # the kernel pool start_early made, for the run command to take (at most one)


def _sniffed(argv: list[str]) -> tuple[str, dict[str, str]] | None:
    """The REPORT and the valued options of a ``crmreports [options] run [options] REPORT ...`` command line,
    read without the parser; None for any other command, or for help."""
    positional: list[str] = []
    options: dict[str, str] = {}
    name = None
    for token in argv:
        if name is not None:
            options[name], name = token, None
        elif token in ("-h", "--help", "--version"):
            return None
        elif token in _VALUED:
            name = token
        elif token.startswith("--") and "=" in token:
            key, _, value = token.partition("=")
            options[key] = value
        elif not token.startswith("-") or token == "-":
            positional.append(token)
    if len(positional) < 2 or positional[0] != "run":
        return None
    return positional[1], options


_PERIOD_KEY = re.compile(r"\d{4}(-\d{2}|-Q[1-4]|-W\d{2})?")


def _built_before(report: str, options: dict[str, str]) -> bool:
    """True when the report's folder for the period already holds documents (``<out>/<period>/<report>/*.json``):
    the run is probably up to date and needs no kernel. Then the command starts one only after its checks, and
    only if this very document was never built."""
    period = options.get("--period", "last").strip()
    if period.lower() in ("", "last", "last-month"):
        key = f"{date.today().replace(day=1) - timedelta(days=1):%Y-%m}"
    elif _PERIOD_KEY.fullmatch(period):
        key = period
    else:
        return False
    return any((Path(options.get("--out", "reports")) / key / report).glob("*.json"))


def start_early(argv: list[str]) -> None:
    """For a ``run`` command line: start the kernel now, importing the report's library, before the command line
    is even parsed."""
    end_early()
    found = _sniffed(argv)
    # an --account's reports folder is known only after parsing: its run starts the kernel early in any case
    if found is not None and ("--account" in found[1] or not _built_before(*found)):
        _early.append(prestarted(found[0]))


def take():
    """The pool :func:`start_early` made (the caller closes it), or None."""
    return _early.pop() if _early else None


def end_early() -> None:
    """Close the kernel :func:`start_early` made if no command took it (a parse error, ``--help``)."""
    while _early:
        _early.pop().close()


def prestarted(report: str):
    """A one-kernel pool whose kernel starts now, in the background, and imports the report's library (an
    ad-hoc notebook of CRMREPORTS_NOTEBOOKS: the layers every report uses)."""
    from ..batch.launch import launch_early
    from ..batch.locations import KERNEL, PROJECT_ROOT

    early = launch_early(KERNEL, PROJECT_ROOT)  # the process first: jupyter_client's import takes 0.1 s
    try:
        from ..batch.kernels import CELL_TIMEOUT, KernelPool

        sections = Path(__file__).resolve().parents[1] / "reports" / report / "sections.py"
        known = report.isidentifier() and sections.is_file()
        pool = KernelPool(1, KERNEL, PROJECT_ROOT, CELL_TIMEOUT, reuse=False)
    except BaseException:
        if early is not None:
            early.stop()
        raise
    pool.prestart(f"import crmreports.reports.{report}.sections" if known else "import crmreports.present.kit", early)
    return pool
