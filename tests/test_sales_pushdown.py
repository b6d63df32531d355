"""The sales report's pushed-down loader (query.load_sales) gives exactly the figures, tables, narrative
and displayed tables that the metrics give on the whole store (store.load).

The comparison runs every section of the notebook, in its order, on two contexts for the same
parameters: the oracle's (`oracles.sales.full_context`: every row of the scope read, the fields the
sections read taken from the whole tables) and the report's own (`sections.open`: the reduced read); and
the report's funnel and time in stage against the metric functions on the whole tables. Periods: a month, a quarter, a
week, a range, a month a year back (so the trend, cohorts and snapshot differ from the end of the data), a whole year,
and a year with no data at all; scopes: the team, one manager, one pipeline. The same again on a copy of the demo
store in a zone with summer time and with the awkward histories the reduced read must still get right (changes at the
same moment, across the clock change, without a stage; see `dst_store`).
"""

import shutil

import duckdb
import pandas as pd
import pytest

from crmreports import store
from crmreports.core.periods import parse_period
from crmreports.reports.sales_analysis import metrics as sales
from crmreports.reports.sales_analysis import query as queries
from crmreports.reports.sales_analysis import sections as view
from crmreports.store import LOST, data_end, derived
from oracles import sales as oracle
from report_equality import assert_same_report

SECTIONS = ["kpis", "funnel", "losses", "time_in_stage", "cycle", "managers", "summary"]


CASES = [
    ("2026-10", "", ""),
    ("2026-Q3", "", ""),
    ("2026-W40", "", ""),
    ("2026-09-05..2026-10-12", "", ""),
    ("2025-10", "", ""),
    ("2026-10", "Анна Смирнова", ""),
    ("2026-Q2", "", "Повторные продажи"),
    ("2025", "", ""),
    ("2020", "", ""),
]


@pytest.mark.parametrize("period,manager,pipeline", CASES)
def test_pushed_down_loader_gives_the_same_report(demo_store, period, manager, pipeline):
    full = oracle.full_context(period, manager, pipeline, demo_store, "ru")
    push = view.open(period=period, manager=manager, pipeline=pipeline, store=str(demo_store), lang="ru")
    assert isinstance(push.data, queries.SalesData)
    # the reduced read really is smaller (except for an empty year, where both are the reference data)
    if period != "2020":
        changes = ("funnel_sets", "loss_changes", "snapshot_changes", "stays")
        assert sum(len(getattr(push.data, f)) for f in changes) < len(full.data.stage_changes)
        assert len(push.data.leads) + len(push.data.won_leads) + len(push.data.open_leads) < len(full.data.leads)
    assert_same_report(view, SECTIONS, full, push)
    oracle.assert_reference_tables(full, push)
    if period == "2026-10" and not manager:
        assert push.figures["won_deals"] > 0 and push.tables["funnel"]["cumulative"].sum() > 0


def test_headline_from_reduced_leads_matches_all_leads(demo_store):
    """The metric functions themselves, on the reduced and on the full lead table, for every window."""
    data = store.load(demo_store)
    for key in ("2026-10", "2026-Q3", "2026-W44", "2026-10-01..2026-10-15"):
        p = parse_period(key)
        reduced = queries.load_sales(demo_store, p)
        as_of = pd.Timestamp("2026-11-01")
        for w in (p, p.previous(), p.year_ago()):
            assert sales.headline(reduced.leads, w, as_of) == pytest.approx(
                sales.headline(data.leads, w, as_of), nan_ok=True
            ), (key, w.key)
        pd.testing.assert_frame_equal(sales.monthly_trend(reduced.won_leads, p), sales.monthly_trend(data.leads, p))
        assert sales.won_cycle(reduced.won_leads, p) == sales.won_cycle(data.leads, p)
        snapshot = min(p.end_ts, data_end(data.account))  # the moment open deals are read for
        cols = [c for c in reduced.open_leads.columns if c != "name"]  # names: only of possibly stale deals
        pd.testing.assert_frame_equal(
            sales.open_at(reduced.open_leads, snapshot)[cols].reset_index(drop=True),
            sales.open_at(data.leads, snapshot)[cols].reset_index(drop=True),
            check_dtype=False,
        )
        # and it reads a fraction of the rows
        assert len(reduced.leads) < len(data.leads)


@pytest.fixture(scope="module", params=["derived", "fallback"])
def dst_store(demo_store, tmp_path_factory, request):
    """The demo store in a zone with summer time, with changes of a deal at the same moment, with gaps
    in the history (moves without a stage or a pipeline, deals lost twice or from nowhere), and with
    changes around the autumn clock change whose local order differs from their UTC order (and two
    that fall on the same local time), stored against event-id order: the cases where the reduced read
    orders and cuts by local time and event id in SQL. Edited by hand, the store's derived tables are
    then rebuilt ("derived") or left stale, so that the reads derive them from the change log
    ("fallback", as for a store from an older version)."""
    path = tmp_path_factory.mktemp("dst") / "crm.duckdb"
    shutil.copy(demo_store, path)
    con = duckdb.connect(str(path))
    try:
        con.execute("UPDATE account SET timezone = 'Europe/Berlin'")
        # every 5th change of a deal moved onto the moment of the deal's previous change
        con.execute("""
            UPDATE stage_changes SET "at" = p.prev FROM (
                SELECT id AS cid, lag("at") OVER (PARTITION BY lead_id ORDER BY "at", id) AS prev,
                       row_number() OVER (PARTITION BY lead_id ORDER BY "at", id) AS k FROM stage_changes) p
            WHERE stage_changes.id = p.cid AND p.k % 5 = 0""")
        # 2025-10-26: 00:00-01:00 UTC is 02:00-03:00 summer time, 01:00-02:00 UTC is 02:00-03:00 winter time
        moments = ["2025-10-26 00:40:00", "2025-10-26 01:10:00", "2025-10-26 00:30:00", "2025-10-26 01:30:00"]
        leads = [
            r[0]
            for r in con.execute("""SELECT lead_id FROM stage_changes GROUP BY lead_id
                                                 HAVING count(*) >= 6 ORDER BY lead_id LIMIT 40""").fetchall()
        ]
        for lead in leads:
            ids = [
                r[0]
                for r in con.execute(
                    'SELECT id FROM stage_changes WHERE lead_id = ? ORDER BY "at", id LIMIT 4', [lead]
                ).fetchall()
            ]
            for cid, at in zip(ids, moments):
                con.execute('UPDATE stage_changes SET "at" = ? WHERE id = ?', [at, cid])
        # moves into lost that do not tell the stage of loss (no stage or pipeline left, or lost twice), and
        # changes without a stage or a pipeline (the metrics then take the last one known)
        con.execute(f"UPDATE stage_changes SET from_status_id = NULL WHERE to_status_id = {LOST} AND lead_id % 4 = 0")
        con.execute(f"UPDATE stage_changes SET from_pipeline_id = NULL WHERE to_status_id = {LOST} AND lead_id % 4 = 1")
        con.execute(f"""INSERT INTO stage_changes SELECT id || '-again', lead_id, "at" + INTERVAL 1 HOUR,
                       to_pipeline_id, to_status_id, to_pipeline_id, to_status_id, user_id FROM stage_changes
                       WHERE to_status_id = {LOST} AND lead_id % 4 = 2""")
        con.execute(f"""UPDATE stage_changes SET to_pipeline_id = NULL WHERE id IN (
                       SELECT arg_max(id, "at") FROM stage_changes WHERE to_status_id <> {LOST} AND lead_id % 4 = 1
                       GROUP BY lead_id)""")
        con.execute(f"""UPDATE leads SET pipeline_id = (SELECT max(id) FROM pipelines WHERE id <> leads.pipeline_id)
                       WHERE status_id = {LOST} AND id % 4 = 1""")  # the pipeline a history without one falls back to
        con.execute(f"UPDATE stage_changes SET to_pipeline_id = NULL WHERE hash(id) % 9 = 0 AND to_status_id <> {LOST}")
        con.execute(f"UPDATE stage_changes SET to_status_id = NULL WHERE hash(id) % 9 = 1 AND to_status_id <> {LOST}")
        # rows stored against event-id order, so that the table position never breaks a tie as the id does
        con.execute("CREATE TABLE reversed AS SELECT * FROM stage_changes ORDER BY id DESC")
        con.execute("DROP TABLE stage_changes")
        con.execute("ALTER TABLE reversed RENAME TO stage_changes")
        if request.param == "derived":
            derived.refresh(con)
        assert derived.current(con) == (request.param == "derived")
    finally:
        con.close()
    return path


@pytest.mark.parametrize(
    "period,manager",
    [("2025-10", ""), ("2025-Q4", ""), ("2026-03", ""), ("2026-10", ""), ("2025-10", "Анна Смирнова"), ("2025", "")],
)
@pytest.mark.reliability("R44")
def test_same_report_in_a_zone_with_summer_time_and_ties(dst_store, period, manager):
    full = oracle.full_context(period, manager, "", dst_store, "ru")
    push = view.open(period=period, manager=manager, store=str(dst_store), lang="ru")
    assert_same_report(view, SECTIONS, full, push)
    oracle.assert_reference_tables(full, push)
