"""The synthetic large store of the benchmarks (sources/scale.py), built small: it must load and every report must
open on it, so a change that breaks the benchmark store fails here and not only when someone runs bench_scale."""

import duckdb
import pytest

from crmreports import reports
from crmreports.sources.scale import build_scale_store


@pytest.fixture(scope="module")
def scale_store(tmp_path_factory):
    path = tmp_path_factory.mktemp("scale") / "scale.duckdb"
    counts = build_scale_store(path, n_deals=400, events_per_deal=4, months=14)
    return path, counts


def test_scale_store_has_what_was_asked(scale_store):
    path, counts = scale_store
    assert counts["leads"] == 400
    con = duckdb.connect(str(path), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM leads").fetchone()[0] == 400
        changes = con.execute("SELECT count(*) FROM stage_changes").fetchone()[0]
        assert changes == counts["stage_changes"] and changes >= 400  # at least each deal's creation
        assert con.execute("SELECT count(*) FROM stage_stays").fetchone()[0] > 0  # derived tables stored
    finally:
        con.close()


@pytest.mark.parametrize("name", ["sales_analysis", "unsorted_leads", "calls", "forecast"])
def test_every_report_opens_on_the_scale_store(scale_store, name):
    import importlib

    path, _ = scale_store
    sections = importlib.import_module(f"crmreports.reports.{name}.sections")
    ctx = sections.open(period="2026-10", store=str(path))
    assert ctx.report == reports.get(name).name
    assert ctx.period.key == "2026-10"
