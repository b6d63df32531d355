"""`crmreports run REPORT --period P [--manager NAME]`: build one report."""

from __future__ import annotations

import difflib
import logging
from pathlib import Path

from ..early import prestarted, take
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


def run(args) -> int:
    started = take()  # the kernel started ahead, if any: closed (never left running) whatever happens
    pools: list = [started] if started is not None else []
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
            pools.append(prestarted(args.report))
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
