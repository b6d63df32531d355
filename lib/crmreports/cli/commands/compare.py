"""`crmreports compare OLD NEW`: are two pack folders' figures and tables the same?"""

from __future__ import annotations

import sys


def register(sub) -> None:
    p = sub.add_parser(
        "compare",
        help="compare the figures and tables of two pack folders",
        description="Compare every JSON figure, comparison and finding and every table CSV row of "
        "two pack folders (e.g. reports/ built before and after a change). Numbers are "
        "equal within --rtol; the exit code is 1 when anything differs.",
    )
    p.add_argument("old", help="the reference pack folder")
    p.add_argument("new", help="the pack folder to check")
    p.add_argument("--rtol", type=float, default=1e-9, help="relative tolerance for numbers (default: %(default)s)")
    p.add_argument(
        "--common", action="store_true", help="compare only the files both folders have (e.g. a few documents rebuilt)"
    )
    p.add_argument("--show", type=int, default=20, help="differences to print (default: %(default)s)")
    p.set_defaults(func=run)


def run(args) -> int:
    from ...batch.compare import compare_packs

    result = compare_packs(args.old, args.new, args.rtol, args.common)
    for line in result.differences[: args.show]:
        print(line, file=sys.stdout)
    if len(result.differences) > args.show:
        print(f"... and {len(result.differences) - args.show} more")
    print(result.summary())
    return 0 if result.same else 1
