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
    from ...batch.pack import build_pack
    from ...core.periods import PeriodError
    from ...core.scopes import ParameterError
    from ...store import StoreError

    try:
        done = build_pack(
            args.store,
            args.period,
            args.pack,
            args.out,
            args.lang,
            args.jobs,
            args.force,
            warm=not args.fresh_kernels,
            cell_timeout=CELL_TIMEOUT if args.cell_timeout is None else args.cell_timeout or None,
        )
    except (ParameterError, PeriodError, StoreError, ValueError) as exc:
        raise CLIError(str(exc)) from None
    print(done.summary())
    for r in done.failed:
        print(f"FAILED {r.job.report}/{r.job.scope}: {r.error} ({r.files.get('ipynb')})")
    return 1 if done.failed else 0
