"""`crmreports run REPORT --period P [--manager NAME]`: build one report."""

from __future__ import annotations

import difflib
import logging
import re
from datetime import date, timedelta
from pathlib import Path

from ..errors import CLIError

log = logging.getLogger("crmreports.run")


def register(sub) -> None:
    import argparse

    from ... import reports
    from ..app import reports_epilog

    p = sub.add_parser(
        "run",
        help="build one report for one period and scope",
        description="Execute a report notebook for a period and a scope (the team, a group or one manager) and "
        "write ipynb, HTML, PDF, JSON figures and CSV tables.",
        epilog=reports_epilog()
        + '\n\nexample: crmreports run calls --period 2026-Q3 --manager "group:Отдел продаж 1" --lang en',
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )

    p.add_argument("report", metavar="REPORT", help=f"the report: {', '.join(reports.names())}")
    p.add_argument(
        "--period",
        default="last",
        help="2026-10, 2026-Q3, 2026-W44, 2026, 2026-10-01..2026-10-15 or 'last' (last full month; default)",
    )
    p.add_argument(
        "--manager", default="", help="a manager's name, or group:NAME for a group (default: the whole team)"
    )
    p.add_argument("--pipeline", default="", help="pipeline name (default: all pipelines)")
    p.add_argument("--format", default="html,pdf", help="comma-separated: html, pdf (default: %(default)s)")
    p.add_argument("--out", default="reports", help="output folder (default: %(default)s)")
    p.add_argument(
        "-p",
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a report-specific notebook parameter, e.g. -p as_of=2026-10-15 for goals (repeatable)",
    )
    p.set_defaults(func=run)


# ``crmreports run`` starts its kernel before anything else (see :func:`start_early`): the kernel's start and the
# report library's import (1.2 s) then overlap the command's own imports and checks instead of following them.
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
_early: list = []  # the kernel pool start_early made, for run() to use (at most one)


def _sniffed(argv: list[str]) -> tuple[str, dict[str, str]] | None:
    """The REPORT and the valued options of a ``crmreports [options] run [options] REPORT ...`` command line,
    read without the parser; None for any other command, or for help. A wrong guess only costs a kernel started
    for nothing, stopped when the command ends."""
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


def _sniffed_report(argv: list[str]) -> str | None:
    found = _sniffed(argv)
    return found[0] if found else None


_PERIOD_KEY = re.compile(r"\d{4}(-\d{2}|-Q[1-4]|-W\d{2})?")


def _built_before(report: str, options: dict[str, str]) -> bool:
    """True when the report's folder for the period already holds documents (``<out>/<period>/<report>/*.json``):
    the run is probably up to date and needs no kernel. Then the command starts one only after its checks, and
    only if this very document was never built (the way it did before it started kernels early)."""
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
    is even parsed. The main module calls this first and :func:`end_early` last; :func:`run` takes the pool and
    closes it when the command ends, whatever happens."""
    end_early()
    found = _sniffed(argv)
    # an --account's reports folder is known only after parsing: its run starts the kernel early in any case
    if found is not None and ("--account" in found[1] or not _built_before(*found)):
        _early.append(_prestarted(found[0]))


def end_early() -> None:
    """Close the kernel :func:`start_early` made if the command did not take it (a parse error, ``--help``)."""
    while _early:
        _early.pop().close()


def _prestarted(report: str):
    """A one-kernel pool whose kernel starts now, in the background, and imports the report's library (an
    ad-hoc notebook of CRMREPORTS_NOTEBOOKS: the layers every report uses)."""
    from ...batch.kernels import CELL_TIMEOUT, KernelPool
    from ...batch.locations import KERNEL, PROJECT_ROOT

    sections = Path(__file__).resolve().parents[2] / "reports" / report / "sections.py"
    known = report.isidentifier() and sections.is_file()
    pool = KernelPool(1, KERNEL, PROJECT_ROOT, CELL_TIMEOUT, reuse=False)
    pool.prestart(f"import crmreports.reports.{report}.sections" if known else "import crmreports.present.kit")
    return pool


def run(args) -> int:
    pools: list = _early[:1]  # the kernel started ahead, if any: closed (never left running) whatever happens
    _early.clear()
    try:
        return _run(args, pools)
    finally:
        for pool in pools:
            pool.close()


def _run(args, pools: list) -> int:
    from ...batch.run import (
        STANDARD_PARAMETERS,
        Job,
        check_parameters,
        notebook_path,
        parse_formats,
        reports,
        run_job,
    )
    from ...core.periods import PeriodError
    from ...core.scopes import ParameterError
    from ...present.context import validate
    from ...store import StoreError, derived

    try:
        known = reports()
        if args.report not in known:
            close = difflib.get_close_matches(args.report, known, n=3, cutoff=0.6)
            hint = f"; did you mean {' or '.join(close)}?" if close else ""
            raise ParameterError(f"unknown report {args.report!r}; valid: {', '.join(known)}{hint}")
        notebook_path(args.report)
        formats = parse_formats(args.format)
        period, scope, _, _ = validate(args.store, args.period, args.manager, args.pipeline, args.lang)
        extra = []
        for item in args.param:
            name, sep, value = item.partition("=")
            if not sep or not name.strip():
                raise ParameterError(f"bad --param {item!r}; expected NAME=VALUE")
            if name.strip() in STANDARD_PARAMETERS:
                raise ParameterError(f"--param {name.strip()}: use the --{name.strip()} option instead")
            extra.append((name.strip(), value))
        job = Job(
            args.report,
            period.key,
            scope.slug,
            scope.manager_parameter,
            args.pipeline,
            args.lang,
            args.store,
            args.out,
            formats,
            tuple(extra),
        )
        if not pools and not Path(f"{job.folder / job.stem}.json").exists():  # never built here: needs a kernel
            pools.append(_prestarted(args.report))
        check_parameters(args.report, job.parameters)
    except (ParameterError, PeriodError, StoreError, ValueError) as exc:
        raise CLIError(str(exc)) from None
    derived.ensure(args.store)
    res = run_job(job, kernels=pools[0] if pools else None)
    if not res.ok:
        raise CLIError(
            f"{args.report}/{scope.slug} failed: {res.error}; the executed notebook is {res.files.get('ipynb')}"
        )
    for kind, path in res.files.items():
        print(f"{kind}: {path}")
    log.info("done in %.1f s", res.seconds)
    return 0
