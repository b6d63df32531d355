"""`crmreports demo`: load the embedded demo account into the store (or, with --scale, a large synthetic one)."""

from __future__ import annotations

from datetime import date

from ..errors import CLIError

SCALE_DEALS = 1_000_000


def register(sub) -> None:
    p = sub.add_parser(
        "demo",
        help="load the embedded demo account into the store",
        description="Generate the deterministic demo account (amoCRM API-shaped records) and load "
        "it into the store through the same mapping a real sync uses. With --scale, "
        "write a large synthetic store directly instead (for benchmarks).",
    )
    p.add_argument("--seed", type=int, default=7, help="random seed (default: %(default)s)")
    p.add_argument("--as-of", default="", help="first day after the history, YYYY-MM-DD (default: 1st of this month)")
    p.add_argument(
        "--deals", type=int, default=None, help=f"number of deals (default: 20000; {SCALE_DEALS:,} with --scale)"
    )
    p.add_argument("--months", type=int, default=25, help="months of history (default: %(default)s)")
    p.add_argument(
        "--scale",
        action="store_true",
        help="build a large synthetic store (vectorized, ~20 stage changes per deal) for benchmarks",
    )
    p.add_argument(
        "--events-per-deal",
        type=int,
        default=20,
        help="with --scale: average stage changes per deal (default: %(default)s)",
    )
    p.add_argument(
        "--variant",
        choices=["main", "second"],
        default="",
        help="which demo account: main (ТехноСнаб, Moscow, RUB; default) or second (УралСнаб, Yekaterinburg, KZT, "
        "3,000 deals: a second client for side-by-side runs); the account's 'demo' in params/accounts.yaml",
    )
    p.set_defaults(func=run)


def run(args) -> int:
    from ...store import StoreError

    try:
        return _run(args)
    except StoreError as exc:
        raise CLIError(str(exc)) from None


def _run(args) -> int:
    try:
        as_of = date.fromisoformat(args.as_of) if args.as_of else date.today().replace(day=1)
    except ValueError:
        raise CLIError(f"bad --as-of {args.as_of!r}; expected YYYY-MM-DD") from None
    deals = args.deals if args.deals is not None else (SCALE_DEALS if args.scale else 20000)
    if deals < 100:
        raise CLIError(f"--deals {deals}: at least 100 deals are needed for meaningful reports")
    if args.months < 1:
        raise CLIError(f"--months {args.months}: at least 1 month of history is needed")
    if args.scale:
        if args.events_per_deal < 2:
            raise CLIError(f"--events-per-deal {args.events_per_deal}: at least 2 are needed")
        from ...sources import scale

        counts = scale.build_scale_store(
            args.store,
            n_deals=deals,
            events_per_deal=args.events_per_deal,
            seed=args.seed,
            as_of=as_of,
            months=args.months,
        )
        print(f"scale store written to {args.store}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
        return 0
    from ...sources import demo_store

    if args.variant == "second":
        from ...sources import demo_audit

        counts = demo_audit.load_second(args.store, as_of=as_of)
        print(f"second demo account loaded into {args.store}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
        return 0
    counts = demo_store.load_demo(args.store, seed=args.seed, as_of=as_of, n_deals=deals, months=args.months)
    print(f"demo account loaded into {args.store}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    return 0
