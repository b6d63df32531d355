"""`crmreports pack --period P [--pack NAME]`: build a whole pack of reports with an index page."""

from __future__ import annotations

import logging
import os
import time

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
    p.set_defaults(func=run)


def run(args) -> int:
    from ...batch.index import write_index
    from ...batch.pack import build_jobs, load_pack, run_jobs
    from ...core.periods import PeriodError
    from ...core.scopes import ParameterError
    from ...present.context import validate
    from ...store import StoreError, derived

    try:
        spec = load_pack(args.pack)
        period, _, _, _ = validate(args.store, args.period, "", "", args.lang)
        lang = spec.get("lang") or args.lang
        jobs = build_jobs(period.key, spec["reports"], spec["scopes"], args.store, lang, args.out, spec["formats"])
    except (ParameterError, PeriodError, StoreError, ValueError) as exc:
        raise CLIError(str(exc)) from None
    started = time.monotonic()
    derived.ensure(args.store)
    results = run_jobs(jobs, args.jobs, force=args.force, warm=not args.fresh_kernels)
    index = write_index(period.key, results, args.out, lang)
    failed = [r for r in results if not r.ok]
    built = sum(1 for r in results if r.ok and not r.cached)
    cached = sum(1 for r in results if r.cached)
    print(
        f"{built} built, {cached} up to date, {len(failed)} failed of {len(results)} documents "
        f"in {time.monotonic() - started:.0f} s; index: {index}"
    )
    if failed:
        for r in failed:
            print(f"FAILED {r.job.report}/{r.job.scope}: {r.error} ({r.files.get('ipynb')})")
        return 1
    return 0
