"""Benchmark of `crmreports sync` against the local amoCRM stand-in (not a test; prints figures).

    .venv/bin/python tests/bench/bench_sync.py [--deals 3000] [--months 25] [--rate 7]

1. Full sync of the demo account with the client's rate limit on: records/s as a fraction of the bound
   rate × 250 records/s (every request a full 250-record page). Events pages hold at most 100 records
   and the small reference lists fit one short page each, so the *effective* bound for this account is
   also printed: rate × records / (minimum number of requests the API allows for them).
2. Incremental sync after 1 % of the leads changed: requests and seconds as a fraction of the full sync.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import random
import tempfile
import time
from pathlib import Path

from crmreports.sources import demo
from crmreports.sources.amocrm import AmoCRMClient, StaticTokenAuth
from crmreports.sources.standin import AmoCRMServer
from crmreports.sources.sync import sync


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--deals", type=int, default=3000)
    ap.add_argument("--months", type=int, default=25)
    ap.add_argument("--rate", type=float, default=7.0)
    args = ap.parse_args()
    dump = demo.generate(seed=7, as_of=dt.date(2026, 11, 1), n_deals=args.deals, months=args.months)
    with tempfile.TemporaryDirectory() as tmp, AmoCRMServer(dump, rate_limit=args.rate) as srv:
        path = Path(tmp) / "crm.duckdb"
        client = AmoCRMClient(srv.base_url, StaticTokenAuth(srv.access_token), rate=args.rate)
        t0 = time.perf_counter()
        full = sync(client, path, progress=False)
        full_s = time.perf_counter() - t0
        full_req = srv.request_count
        records = sum(full.records.values())
        pages = {"events": 100}
        min_req = sum(max(1, math.ceil(n / pages.get(k, 250))) for k, n in full.records.items())
        bound = args.rate * 250
        eff_bound = args.rate * records / min_req
        print(
            f"account: {args.deals} deals, {args.months} months; records fetched: {records} "
            f"({', '.join(f'{k} {v}' for k, v in full.records.items())})"
        )
        print(
            f"full sync: {full_req} requests, {full.retries} retries, server-side 429s {srv.rate_limited}, "
            f"{full_s:.1f} s, {records / full_s:.0f} records/s, {full_req / full_s:.2f} requests/s"
        )
        print(f"  fraction of the bound {args.rate:g} x 250 = {bound:.0f} records/s: {records / full_s / bound:.1%}")
        print(
            f"  fraction of the effective bound ({min_req} requests minimum, {eff_bound:.0f} records/s): "
            f"{records / full_s / eff_bound:.1%}"
        )
        print(f"  requests/s as a fraction of the limit: {full_req / full_s / args.rate:.1%}")
        rng = random.Random(1)
        changed = rng.sample([d["id"] for d in srv.leads], max(1, len(srv.leads) // 100))
        for lid in changed:
            srv.update_lead(lid, price=rng.randint(1000, 90000))
        before = srv.request_count
        client = AmoCRMClient(srv.base_url, StaticTokenAuth(srv.access_token), rate=args.rate)
        time.sleep(1.1)  # start with an empty limiter window, as a later cron run would
        t0 = time.perf_counter()
        sync(client, path, progress=False)
        inc_s = time.perf_counter() - t0
        inc_req = srv.request_count - before
        print(
            f"incremental sync after {len(changed)} leads changed (1 %): {inc_req} requests "
            f"({inc_req / full_req:.1%} of full), {inc_s:.2f} s ({inc_s / full_s:.1%} of full)"
        )


if __name__ == "__main__":
    main()
