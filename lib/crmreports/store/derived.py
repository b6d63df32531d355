"""Tables the store derives from its stage-change log when it is written, so that reports read a few
columns of them instead of sorting and grouping the whole log on every run.

Every writer of the store (:func:`store.write_full`: the demo and the importers; the API sync, in full
or for the deals it touched; the scale generator) calls :func:`refresh` in the transaction that writes
the change log, so the derived tables always describe the log beside them. They are in the account's
local time (converted as :func:`crmreports.core.localtime.local_sql` does, exactly as pandas), and
``derived_state`` records the version of their definitions and the time zone they were cut in. A reader
uses a derived table only if that record matches (:func:`source`); otherwise (a store written by an
older version, or by hand) it reads the same definition as a subquery of the change log: slower, the
same rows. ``crmreports run`` and ``pack`` store them first in that case (:func:`ensure`).

``stage_stays``
    every stage change with a stage and a time of a deal in ``leads`` and not deleted (so that the whole
    team's time in stage needs no join with the deals): ``lead_id``, ``t`` (local time), ``pipeline_id``,
    ``status_id`` (the stage entered), ``t_next`` (local time of the deal's next change with a time,
    in (local time, event id) order: when that stay ended; NULL for the last one). Stored in order of
    ``t``, so that a period's stays are a range of row groups. Time in stage
    (:func:`crmreports.reports.sales_analysis.query.load_sales`).
``lead_stage_sets``
    per deal and pipeline, the sorted distinct stages its changes entered (both set); a deal whose
    changes never name both: one row with NULL pipeline and stages (it has a history, without a stage
    to show). The funnel.
``lead_months``
    per deal and local calendar month, its last change of the month by (UTC time, row position in the
    log): ``month`` (year × 12 + month − 1), that change's ``key`` (the order key, for merging months)
    and its ``to_pipeline_id`` / ``to_status_id``. The forecast's month-start snapshots
    (:mod:`crmreports.reports.forecast.query`).
"""

from __future__ import annotations

import logging
import time

import duckdb
import pandas as pd

from ..core.localtime import MARGIN, local_sql
from .files import connect, resolve_path

log = logging.getLogger("crmreports.derived")

VERSION = 1
TABLES = ("stage_stays", "lead_stage_sets", "lead_months")
STATE = "derived_state"
LIVE = "(SELECT id FROM leads WHERE NOT coalesce(is_deleted, false))"  # the deals any report may show
# a change's place in the log: its UTC time, then its row position (an integer pair in one HUGEINT)
ORDER_KEY = '(epoch_us("at")::HUGEINT * 4294967296 + rowid)'


def _timezone(con: duckdb.DuckDBPyConnection) -> str:
    row = con.execute("SELECT timezone FROM account LIMIT 1").fetchone()
    return str(row[0]) if row and row[0] else "UTC"


def _local(con: duckdb.DuckDBPyConnection, tz: str):
    """:func:`local_sql` over the time span of the change log."""
    lo, hi = con.execute('SELECT min("at"), max("at") FROM stage_changes').fetchone()
    if lo is None:
        lo = hi = pd.Timestamp("2000-01-01")
    lo, hi = pd.Timestamp(lo) - MARGIN, pd.Timestamp(hi) + MARGIN
    return lambda col: local_sql(col, tz, lo, hi)


def definitions(con: duckdb.DuckDBPyConnection, tz: str, where: str = "true") -> dict[str, str]:
    """The SELECT of each derived table from the change log (rows of the deals meeting ``where``, a
    condition on ``lead_id``), in the zone ``tz``."""
    local = _local(con, tz)
    t = local('"at"')
    month = f"(year({t}) * 12 + month({t}) - 1)"
    return {
        "stage_stays": f"""
            SELECT lead_id, t, pipeline_id, status_id, t_next FROM (
                SELECT lead_id, t, to_pipeline_id AS pipeline_id, to_status_id AS status_id,
                       lead(t) OVER (PARTITION BY lead_id ORDER BY t, id) AS t_next
                FROM (SELECT lead_id, {t} AS t, id, to_pipeline_id, to_status_id FROM stage_changes
                      WHERE "at" IS NOT NULL AND ({where}) AND lead_id IN {LIVE}))
            WHERE status_id IS NOT NULL""",
        "lead_stage_sets": f"""
            SELECT lead_id, to_pipeline_id AS pipeline_id,
                   list(DISTINCT to_status_id ORDER BY to_status_id) AS stages
            FROM stage_changes WHERE to_pipeline_id IS NOT NULL AND to_status_id IS NOT NULL AND ({where})
            GROUP BY lead_id, to_pipeline_id
            UNION ALL
            SELECT lead_id, NULL::BIGINT, NULL::BIGINT[] FROM stage_changes WHERE {where} GROUP BY lead_id
            HAVING NOT bool_or(to_pipeline_id IS NOT NULL AND to_status_id IS NOT NULL)""",
        "lead_months": f"""
            SELECT lead_id, {month} AS month, max({ORDER_KEY}) AS "key",
                   arg_max_null(to_pipeline_id, {ORDER_KEY}) AS to_pipeline_id,
                   arg_max_null(to_status_id, {ORDER_KEY}) AS to_status_id
            FROM stage_changes WHERE "at" IS NOT NULL AND ({where}) GROUP BY ALL""",
    }


def current(con: duckdb.DuckDBPyConnection, tz: str | None = None) -> bool:
    """Whether the store's derived tables are those of this version, cut in ``tz`` (default: the
    account's zone)."""
    try:
        row = con.execute(f"SELECT version, timezone FROM {STATE}").fetchone()
    except duckdb.CatalogException:
        return False
    return row is not None and row[0] == VERSION and row[1] == (tz or _timezone(con))


def refresh(con: duckdb.DuckDBPyConnection, lead_ids: list[int] | None = None) -> None:
    """Rebuild the derived tables from the change log (inside the caller's transaction); only the rows
    of ``lead_ids`` if given and the tables are current (else all of them)."""
    started = time.perf_counter()
    tz = _timezone(con)
    con.execute("SET enable_progress_bar = false")  # a writer's own progress is its business
    if lead_ids is not None and current(con, tz):
        con.execute("CREATE OR REPLACE TEMP TABLE _derived_ids AS SELECT unnest(?::BIGINT[]) AS id", [sorted(lead_ids)])
        where = "lead_id IN (SELECT id FROM _derived_ids)"
        for name, sql in definitions(con, tz, where).items():
            con.execute(f"DELETE FROM {name} WHERE {where}")
            con.execute(f"INSERT INTO {name} {sql}")
        con.execute("DROP TABLE _derived_ids")
        log.debug("derived tables refreshed for %d deals in %.2f s", len(lead_ids), time.perf_counter() - started)
        return
    for name, sql in definitions(con, tz).items():
        order = " ORDER BY t" if name == "stage_stays" else " ORDER BY lead_id"
        con.execute(f"CREATE OR REPLACE TABLE {name} AS {sql}{order}")
    con.execute(f"CREATE OR REPLACE TABLE {STATE} (version INTEGER, timezone VARCHAR)")
    con.execute(f"INSERT INTO {STATE} VALUES (?, ?)", [VERSION, tz])
    log.info("derived tables rebuilt in %.1f s", time.perf_counter() - started)


def ensure(path) -> bool:
    """Make the derived tables of the store at ``path`` current if they are not (a store written by an
    older version): rebuild them in one transaction. True if it did. For the commands that build
    reports, before they start. A store another process holds open cannot be written: a warning, and
    the reports derive the tables as they read (:func:`source`)."""
    path = resolve_path(path)
    con = connect(path, read_only=True)
    try:
        if current(con):
            return False
    finally:
        con.close()
    try:
        con = duckdb.connect(str(path))
        try:
            con.execute("BEGIN")
            refresh(con)
            con.execute("COMMIT")
        finally:
            con.close()  # uncommitted: rolled back
    except duckdb.Error as exc:
        log.warning(
            "cannot store the derived tables of %s now (%s); the reports derive them as they read",
            path,
            str(exc).splitlines()[0],
        )
        return False
    log.info("stored the derived tables of %s (written by an older version)", path)
    return True


def source(con: duckdb.DuckDBPyConnection, name: str, tz: str) -> str:
    """What a query reads derived table ``name`` from: the table when it is current, else its
    definition over the change log as a subquery (a store from an older version or edited by hand)."""
    if current(con, tz):
        return name
    if not _warned:
        _warned.append(name)
        log.warning(
            "the store has no current derived tables (written by an older version, or edited by hand): "
            "reports derive them from the change log on every run, which is slow on a large account; "
            "`crmreports run` or `pack` stores them when no other process holds the store open, as do "
            "sync, import and demo"
        )
    return f"({definitions(con, tz)[name]})"


_warned: list[str] = []  # the warning above, once per process
