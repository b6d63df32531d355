"""The forecast's pushed-down loader (crmreports.reports.forecast.query.load_forecast: each deal's last stage
per month instead of the change log) and its once-per-run snapshots and estimator give exactly the figures,
tables, narrative and displayed tables that the forecast gives on the whole store (the oracle,
tests/oracles/forecast.py: store.load, the snapshots rebuilt from the whole change log).

The comparison runs every section of the notebook, in its order, on two contexts for the same
parameters: one built from everything (`oracle.full_context`) and one from `sections.open` (the reduced
read). Origins: the end of the data (2026-10), earlier months
(so that deals closed after the origin are shown open at their stage then), a quarter, a short history
and an empty one; scopes: the team, one manager, one pipeline. The library functions are also checked
directly: the snapshots from the month stages against those from the whole change log, and the
backtest, the forecast and the breakdown from the shared snapshots against the oracle's self-contained
`backtest`, `forecast_as_of` and `by_group` on the whole store.
"""

import pandas as pd
import pytest

from crmreports import store
from crmreports.reports.forecast import metrics as F
from crmreports.reports.forecast import query as queries_forecast
from crmreports.reports.forecast import sections as view
from crmreports.store import derived
from oracles import forecast as oracle
from report_equality import assert_same_published, assert_same_sections, frames_equal

SECTIONS = ["headline", "views", "pipeline", "accuracy", "breakdown", "summary"]


CASES = [
    ("2026-10", "", ""),
    ("2026-06", "", ""),
    ("2025-12", "", ""),
    ("2026-Q2", "", ""),
    ("2026-10", "Анна Смирнова", ""),
    ("2026-08", "Анна Смирнова", ""),
    ("2026-10", "", "Повторные продажи"),
    ("2025-03", "", ""),
    ("2020", "", ""),
]


@pytest.mark.parametrize("period,manager,pipeline", CASES)
def test_pushed_down_loader_gives_the_same_report(demo_store, period, manager, pipeline):
    full = oracle.full_context(period, manager, pipeline, str(demo_store), "ru")
    push = view.open(period=period, manager=manager, pipeline=pipeline, store=str(demo_store), lang="ru")
    # the reduced read really is smaller
    if period != "2020":
        assert len(push.data.stage_changes) < len(full.data.stage_changes)
    assert_same_sections(view, SECTIONS, full, push, exact=True)
    assert_same_published(full, push, exact=True)
    for key in ("raw", "forecast"):
        f, p = full.results[key], push.results[key]
        assert (f.status, f.model, f.history_months) == (p.status, p.model, p.history_months)
        for part in ("table", "open_deals", "probabilities", "yields", "series"):
            frames_equal(getattr(f, part), getattr(p, part), f"{key}.{part}", exact=True)
    frames_equal(full.results["backtest"], push.results["backtest"], "backtest", exact=True)
    if period == "2026-10" and not manager and not pipeline:
        assert push.results["forecast"].ok and push.figures["backtest_forecasts"] >= 30


def _reduced(path, o):
    """The reduced read as of ``o``, the deals known then and their snapshots (24 month starts back)."""
    reduced = queries_forecast.load_forecast(path, o, 24)
    known = F.known_with_stages(reduced.leads, reduced.origin_stages, o)
    return reduced, known, F.snapshots_from_months(known, reduced.month_stages, F.snapshot_moments(known, o, 12, 12))


@pytest.mark.parametrize("origin", ["2026-11-01", "2026-05-01", "2025-09-01"])
def test_shared_snapshots_give_the_self_contained_results(demo_store, origin):
    """backtest_from / forecast_from / by_group_from on one set of snapshots of the reduced read equal
    backtest / forecast_as_of / by_group on the whole store."""
    o = pd.Timestamp(origin)
    data = store.load(demo_store)
    reduced, known, snaps = _reduced(demo_store, o)
    recent = F.snapshots_since(snaps, F.snapshot_moments(known, o, 12)[0])
    frames_equal(
        oracle.backtest(data.leads, data.stage_changes, o), F.backtest_from(snaps, known, o), "backtest", exact=True
    )
    full = oracle.forecast_as_of(data.leads, data.stage_changes, o)
    push = F.forecast_from(recent, known, o)
    frames_equal(full.table, push.table, "forecast", exact=True)
    frames_equal(full.open_deals, push.open_deals, "open deals", exact=True)
    for column in ("pipeline_id", "responsible_user_id"):
        frames_equal(
            oracle.by_group(data.leads, data.stage_changes, o, column),
            F.by_group_from(recent, known, o, column),
            column,
            exact=True,
        )
    # the stage of every deal at every month start, and the deals known at the origin, are the same
    full_known, full_sc = oracle.known_at(data.leads, data.stage_changes, o)
    full_snaps = oracle.snapshots(full_known, full_sc, F.snapshot_moments(full_known, o, 12, 12))
    pd.testing.assert_frame_equal(full_snaps, snaps, check_exact=True)
    cols = queries_forecast.FORECAST_LEAD_COLUMNS
    pd.testing.assert_frame_equal(
        full_known[cols].reset_index(drop=True), known[cols].reset_index(drop=True), check_exact=True
    )
    assert len(reduced.month_stages) < len(data.stage_changes) / 2 and reduced.stage_changes.empty


def test_deals_closed_after_the_origin_keep_their_stage_then(demo_store):
    """Deals open at the origin and closed later are shown at their stage at the origin (known_at)."""
    o = pd.Timestamp("2026-06-01")
    reduced, push_known, _ = _reduced(demo_store, o)
    data = store.load(demo_store)
    later = data.leads[(data.leads["created_at"] < o) & (data.leads["closed_at"] >= o)]
    assert len(later) > 10 and len(reduced.origin_stages) >= len(later)
    full_known = oracle.known_at(data.leads, data.stage_changes, o)[0].set_index("id")
    push_known = push_known.set_index("id")
    pd.testing.assert_series_equal(full_known.loc[later["id"], "status_id"], push_known.loc[later["id"], "status_id"])
    assert push_known.loc[later["id"], "closed_at"].isna().all()


def _edited(con, how: str) -> None:
    """After editing a store by hand: rebuild its derived tables, or leave them stale so that the reads
    derive them from the change log (as for a store from an older version)."""
    if how == "derived":
        derived.refresh(con)
    else:
        con.execute(f"UPDATE {derived.STATE} SET version = version - 1")
    assert derived.current(con) == (how == "derived")


@pytest.mark.parametrize("how", ["derived", "fallback"])
def test_changes_at_the_same_moment(demo_store, tmp_path, how):
    """Two changes of a deal at the same time: the month stages keep the one the whole change log's
    snapshots take (the later row), the origin stage the one known_at takes (the larger change id,
    here the earlier row); a change without a stage is skipped at the origin, not in the snapshots."""
    import shutil

    path = tmp_path / "ties.duckdb"
    shutil.copy(demo_store, path)
    con = store.connect(path, read_only=False)
    # the last change before 2026-06-01 of some deals closed later, and of some open at month starts,
    # doubled at the same moment with another stage; some also without a stage (the store is in UTC,
    # the account in Moscow time: 21:00 UTC is the local midnight)
    con.execute("""
        CREATE TEMP TABLE picked AS
        SELECT s.* FROM stage_changes s JOIN leads l ON l.id = s.lead_id
        WHERE s."at" < TIMESTAMP '2026-05-31 21:00' AND l.closed_at >= TIMESTAMP '2026-06-02'
        QUALIFY row_number() OVER (PARTITION BY s.lead_id ORDER BY s."at" DESC) = 1 LIMIT 20""")
    con.execute("""INSERT INTO stage_changes SELECT '!' || id, lead_id, "at", from_pipeline_id, from_status_id,
                   to_pipeline_id, to_status_id + 1, user_id FROM picked""")
    con.execute("""INSERT INTO stage_changes SELECT id || '-c', lead_id, "at", from_pipeline_id, from_status_id,
                   to_pipeline_id, NULL, user_id FROM picked ORDER BY lead_id LIMIT 5""")
    picked = con.execute("SELECT lead_id, to_status_id FROM picked ORDER BY lead_id").df()
    _edited(con, how)
    con.close()
    o = pd.Timestamp("2026-06-01")
    data = store.load(path)
    _, known, snaps = _reduced(path, o)
    full_known, full_sc = oracle.known_at(data.leads, data.stage_changes, o)
    full_snaps = oracle.snapshots(full_known, full_sc, F.snapshot_moments(full_known, o, 12, 12))
    pd.testing.assert_frame_equal(full_snaps, snaps, check_exact=True)
    cols = queries_forecast.FORECAST_LEAD_COLUMNS
    pd.testing.assert_frame_equal(
        full_known[cols].reset_index(drop=True), known[cols].reset_index(drop=True), check_exact=True
    )
    # the cases are there: at the origin the snapshots show the later row's stage (none for the first
    # five), the known deals the original change's
    at = snaps[snaps["moment"] == o].set_index("lead_id")["status_id"]
    stage = picked.set_index("lead_id")["to_status_id"]
    assert (at.loc[stage.index[:5]] == F.UNKNOWN_STAGE).all()
    assert (at.loc[stage.index[5:]] == stage.iloc[5:] + 1).all()
    assert (known.set_index("id").loc[stage.index, "status_id"] == stage).all()


def test_month_buckets_in_local_time():
    assert queries_forecast.first_bucket(pd.Timestamp("2026-11-01"), 24) == pd.Timestamp("2024-11-01")


@pytest.mark.parametrize("how", ["derived", "fallback"])
def test_timezone_with_daylight_saving(demo_store, tmp_path, how):
    """A timezone whose offset changes (Berlin) takes the exact local-time bucketing (localtime.local_sql): the same
    results as the whole store, here with month starts that fall in summer and in winter time."""
    import shutil

    path = tmp_path / "berlin.duckdb"
    shutil.copy(demo_store, path)
    con = store.connect(path, read_only=False)
    con.execute("UPDATE account SET timezone = 'Europe/Berlin'")
    # a move of an open deal at 22:30 UTC on 31 March 2026: 00:30 on 1 April in Berlin summer time
    # (23:30 on 31 March with the winter offset), and the deal's only change after February
    lead = con.execute("""SELECT l.id FROM leads l JOIN stage_changes s ON s.lead_id = l.id
                          WHERE l.closed_at IS NULL AND NOT coalesce(l.is_deleted, false)
                            AND l.created_at < TIMESTAMP '2026-01-01'
                          GROUP BY l.id HAVING max(s."at") < TIMESTAMP '2026-03-01'
                          ORDER BY l.id LIMIT 1""").fetchone()[0]
    con.execute(
        """INSERT INTO stage_changes SELECT * REPLACE (TIMESTAMP '2026-03-31 22:30:00' AS "at", id || '-dst' AS id)
                   FROM stage_changes WHERE lead_id = ? ORDER BY "at" DESC LIMIT 1""",
        [lead],
    )
    _edited(con, how)
    con.close()
    months = queries_forecast.load_forecast(path, pd.Timestamp("2026-11-01"), 24).month_stages
    assert months.loc[months["lead_id"] == lead, "month"].max() == 2026 * 12 + 3  # April, not March
    for origin in ("2026-11-01", "2026-04-01"):
        o = pd.Timestamp(origin)
        data = store.load(path)
        reduced, known, snaps = _reduced(path, o)
        full_known, full_sc = oracle.known_at(data.leads, data.stage_changes, o)
        frames_equal(
            oracle.snapshots(full_known, full_sc, F.snapshot_moments(full_known, o, 12, 12)), snaps, origin, exact=True
        )
        frames_equal(
            oracle.backtest(data.leads, data.stage_changes, o), F.backtest_from(snaps, known, o), origin, exact=True
        )
        assert len(reduced.month_stages) < len(data.stage_changes) / 2
