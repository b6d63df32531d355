"""`crmreports pack --period P [--pack NAME]`: build a whole pack of reports with an index page."""

from __future__ import annotations

import logging
import os

from ..errors import CLIError

log = logging.getLogger("crmreports.pack")


def register(sub) -> None:
    p = sub.add_parser(
        "pack",
        help="build every report of a pack for the team and each manager",
        description="Run every (report × scope) job of a pack definition (params/packs/NAME.yaml) in "
        "parallel, render HTML and PDF, and write reports/<period>/index.html. A failing "
        "job never stops the others; the exit code is non-zero if any failed.",
    )
    p.add_argument("--period", default="last", help="period (default: last full month)")
    p.add_argument("--pack", default="monthly", help="pack name in params/packs or a YAML path (default: %(default)s)")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 2, help="parallel jobs (default: cores = %(default)s)")
    p.add_argument("--out", default="reports", help="output folder (default: %(default)s)")
    p.add_argument("--force", action="store_true", help="rebuild even if outputs are up to date")
    p.add_argument(
        "--fresh-kernels",
        action="store_true",
        help="start a new kernel for every document instead of reusing one warm kernel per job "
        "slot (slower; for notebooks that leave state behind)",
    )
    p.add_argument(
        "--cell-timeout",
        type=_seconds,
        metavar="SECONDS",
        help="fail a document whose cell runs longer than this; its kernel is replaced and the other "
        "documents go on (default: 600; 0: no limit)",
    )
    p.add_argument(
        "--all-accounts",
        action="store_true",
        help="build the pack of every account of params/accounts.yaml (each into its own reports folder), "
        "all jobs in one fan-out",
    )
    p.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="run the jobs on this Dask distributed scheduler (e.g. tcp://10.0.0.5:8786) instead of local "
        "processes; stores and outputs must be on a folder every worker sees",
    )
    p.set_defaults(func=run)


def _seconds(text: str) -> float:
    import argparse
    import math

    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds (0 or more; 0: no limit)")
    return value


def run(args) -> int:
    from ...batch.kernels import CELL_TIMEOUT
    from ...batch.pack import build_packs
    from ...core.periods import PeriodError
    from ...core.scopes import ParameterError
    from ...store import StoreError

    if args.all_accounts:
        from ...sources.accounts import load_accounts

        if getattr(args, "account", None):
            raise CLIError("give --account or --all-accounts, not both")
        try:
            accounts = [(a.store, a.out or f"reports/{a.slug}", a.base_url) for a in load_accounts().values()]
        except ParameterError as exc:
            raise CLIError(str(exc)) from None
    else:
        accounts = [(args.store, args.out, getattr(args, "deal_links", ""))]
    try:
        runs = build_packs(
            accounts,
            args.period,
            args.pack,
            args.lang,
            args.jobs,
            args.force,
            warm=not args.fresh_kernels,
            cell_timeout=CELL_TIMEOUT if args.cell_timeout is None else args.cell_timeout or None,
            scheduler=args.scheduler,
        )
    except (ParameterError, PeriodError, StoreError, ValueError) as exc:
        raise CLIError(str(exc)) from None
    failed = 0
    for done in runs:
        print(done.summary())
        for r in done.failed:
            print(f"FAILED {r.job.report}/{r.job.scope}: {r.error} ({r.files.get('ipynb')})")
        failed += len(done.failed)
    return 1 if failed else 0
