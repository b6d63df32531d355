"""The sales report's pushed-down loader (crmreports.queries.load_sales) gives exactly the figures,
tables, narrative and displayed tables that the metrics give on the whole store (store.load).

The comparison runs every section of the notebook, in its order, on two contexts for the same
parameters: one built from everything (`report.open_context`, the loader every report had before)
and one from `views.sales.open` (the reduced read). Periods: a month, a quarter, a week, a range, a
month a year back (so the trend, cohorts and snapshot differ from the end of the data), and a year
with no data at all; scopes: the team, one manager, one pipeline.
"""

import pandas as pd
import pytest
from crmreports import queries, sales, store
from crmreports.periods import parse_period
from crmreports.report import open_context
from crmreports.views import sales as view
from report_equality import assert_same_report

SECTIONS = ["kpis", "funnel", "losses", "time_in_stage", "cycle", "managers", "summary"]


CASES = [("2026-10", "", ""), ("2026-Q3", "", ""), ("2026-W40", "", ""), ("2026-09-05..2026-10-12", "", ""),
         ("2025-10", "", ""), ("2026-10", "Анна Смирнова", ""), ("2026-Q2", "", "Повторные продажи"),
         ("2020", "", "")]


@pytest.mark.parametrize("period,manager,pipeline", CASES)
def test_pushed_down_loader_gives_the_same_report(demo_store, period, manager, pipeline):
    full = open_context(view.REPORT, period, manager, pipeline, str(demo_store), "ru")
    push = view.open(period=period, manager=manager, pipeline=pipeline, store=str(demo_store), lang="ru")
    assert isinstance(push.data, queries.SalesData)
    # the reduced read really is smaller (except for an empty year, where both are the reference data)
    if period != "2020":
        assert len(push.data.stage_changes) < len(full.data.stage_changes)
    assert_same_report(view, SECTIONS, full, push)
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
            assert sales.headline(reduced.leads, w, as_of) == pytest.approx(sales.headline(data.leads, w, as_of),
                                                                            nan_ok=True), (key, w.key)
        pd.testing.assert_frame_equal(sales.monthly_trend(reduced.leads, p), sales.monthly_trend(data.leads, p))
        assert sales.won_cycle(reduced.leads, p) == sales.won_cycle(data.leads, p)
        # and it reads a fraction of the rows
        assert len(reduced.leads) < len(data.leads)
