"""`crmreports demo`: load the embedded demo account into the store."""
from __future__ import annotations

from datetime import date

from ..cli import CLIError


def register(sub) -> None:
    p = sub.add_parser("demo", help="load the embedded demo account into the store",
                       description="Generate the deterministic demo account (amoCRM API-shaped records) and load "
                                   "it into the store through the same mapping a real sync uses.")
    p.add_argument("--seed", type=int, default=7, help="random seed (default: %(default)s)")
    p.add_argument("--as-of", default="", help="first day after the history, YYYY-MM-DD (default: 1st of this month)")
    p.add_argument("--deals", type=int, default=20000, help="number of deals (default: %(default)s)")
    p.add_argument("--months", type=int, default=25, help="months of history (default: %(default)s)")
    p.set_defaults(func=run)


def run(args) -> int:
    from .. import demo
    try:
        as_of = date.fromisoformat(args.as_of) if args.as_of else date.today().replace(day=1)
    except ValueError:
        raise CLIError(f"bad --as-of {args.as_of!r}; expected YYYY-MM-DD") from None
    if args.deals < 100:
        raise CLIError(f"--deals {args.deals}: at least 100 deals are needed for meaningful reports")
    counts = demo.load_demo(args.store, seed=args.seed, as_of=as_of, n_deals=args.deals, months=args.months)
    print(f"demo account loaded into {args.store}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    return 0
