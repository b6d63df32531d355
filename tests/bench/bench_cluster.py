"""Benchmark (not a test): many accounts' monthly packs on the local pool vs a Dask LocalCluster.

N demo-sized accounts (different seeds) are generated into a scratch folder, then every account's pack is
built twice with ``--force``: once by the local process pool (``build_packs`` without a scheduler), once
on a ``distributed.LocalCluster`` of W worker processes started by this script. Prints wall time, jobs
per second, the per-job cost, the projected time for 500 accounts on M machines from that cost, and
checks that both ways wrote the same JSON figures and table CSVs (the pack comparison script).

    .venv/bin/python tests/bench/bench_cluster.py [--accounts 20] [--deals 20000] [--workers 2]
        [--pack monthly] [--formats html,pdf] [--period 2026-11] [--as-of 2026-12-01]

The projection is linear in machines (each job is independent; the store read and the notebook run on
the worker), which holds while the shared folder keeps up: on a network file system the store read is
the first thing to measure.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "lib"))

from crmreports.batch.compare import compare_packs  # noqa: E402
from crmreports.batch.pack import build_packs  # noqa: E402
from crmreports.sources import demo_store  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--accounts", type=int, default=20)
    ap.add_argument("--deals", type=int, default=20000, help="deals per demo account (default: the demo's 20,000)")
    ap.add_argument("--workers", type=int, default=2, help="worker processes of the LocalCluster")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2, help="local pool size")
    ap.add_argument("--pack", default="monthly")
    ap.add_argument("--period", default="2026-11")
    ap.add_argument("--as-of", default="2026-12-01")
    ap.add_argument("--work", help="scratch folder (default: a temporary one)")
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("distributed").setLevel(logging.ERROR)

    work = Path(args.work or tempfile.mkdtemp(prefix="bench-cluster-"))
    work.mkdir(parents=True, exist_ok=True)
    t = time.monotonic()
    stores = []
    for i in range(args.accounts):
        path = work / f"account{i:02d}.duckdb"
        if not path.exists():
            demo_store.load_demo(path, seed=100 + i, as_of=date.fromisoformat(args.as_of), n_deals=args.deals)
        stores.append(str(path))
    print(f"{args.accounts} demo accounts of {args.deals:,} deals ready in {time.monotonic() - t:.0f} s ({work})")

    def accounts(where: str):
        return [(s, str(work / where / Path(s).stem)) for s in stores]

    t = time.monotonic()
    local = build_packs(accounts("local"), args.period, args.pack, workers=args.jobs, force=True, progress=True)
    local_s = time.monotonic() - t

    from distributed import Client, LocalCluster

    cluster = LocalCluster(
        n_workers=args.workers,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        silence_logs=logging.ERROR,
    )
    client = Client(cluster)
    t = time.monotonic()
    remote = build_packs(accounts("cluster"), args.period, args.pack, force=True, progress=True, client=client)
    cluster_s = time.monotonic() - t
    client.close()
    cluster.close()

    docs = sum(len(r.results) for r in local)
    failed = sum(len(r.failed) for r in (*local, *remote))
    print()
    print(f"documents: {docs} ({docs // max(1, args.accounts)} per account), failed: {failed}")
    for name, s, size in (("local pool", local_s, args.jobs), ("LocalCluster", cluster_s, args.workers)):
        print(f"{name:13s} ({size} slots): {s:7.1f} s  {docs / s:5.2f} jobs/s  {s / docs:5.2f} s/doc")
    print(f"cluster / local: {cluster_s / local_s:.2f}")
    # projection: per-job cost on one slot of this machine × 500 accounts' documents ÷ the slots of M machines
    per_job_slot = cluster_s * args.workers / docs
    per_account = docs / max(1, args.accounts)
    cores = os.cpu_count() or 2
    for machines in (1, 4, 16, 64):
        hours = per_job_slot * per_account * 500 / (machines * cores) / 3600
        print(f"projected: 500 accounts on {machines:2d} machine(s) of {cores} cores: {hours:6.2f} h")
    same = all(compare_packs(work / "local" / Path(s).stem, work / "cluster" / Path(s).stem).same for s in stores)
    print(f"same JSON figures and table CSVs either way: {'yes' if same else 'NO'}")


if __name__ == "__main__":
    main()
