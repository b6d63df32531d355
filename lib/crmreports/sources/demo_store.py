"""The demo account in a store: :func:`load_demo` generates it (:mod:`.demo`), plants the audit's findings
(:mod:`.demo_audit`) and writes it like a live sync would. Kept apart from the generator so that the planting,
which builds on the generator's constants, does not make the two modules lean on each other."""

from __future__ import annotations

import datetime as dt
import logging
import time
from pathlib import Path

from .. import store
from . import demo, demo_audit, mapping

log = logging.getLogger("crmreports.demo")


def load_demo(
    store_path: str | Path, seed: int = 7, as_of: dt.date | None = None, n_deals: int = 20000, months: int = 25
) -> dict[str, int]:
    """Generate the demo account, map it like a live sync and write it to the store at ``store_path``.

    Returns
    -------
    dict[str, int]
        Row count per store table.
    """
    as_of = as_of or demo.default_as_of()
    started = time.perf_counter()
    dump = demo.generate(seed=seed, as_of=as_of, n_deals=n_deals, months=months)
    # the audit's findings, planted with known counts (documented in demo_audit)
    log.info("audit findings planted: %s", demo_audit.plant(dump, as_of))
    synced_at = dt.datetime.fromtimestamp(demo.moscow_midnight(as_of), tz=dt.UTC)
    tables = mapping.dump_to_tables(dump, synced_at=synced_at, source="demo")
    store.write_full(store_path, tables, what="demo")
    counts = {name: len(df) for name, df in tables.items()}
    log.info(
        "demo store written to %s in %.1f s: %s",
        store_path,
        time.perf_counter() - started,
        ", ".join(f"{k}={v}" for k, v in counts.items()),
    )
    return counts
