"""The goals report's pushed-down loader (crmreports.reports.goals.query.load_goals_data) gives exactly the
figures, tables, narrative and displayed tables that the metrics give on the whole store (store.load).

The comparison runs every section of the notebook, in its order, on two contexts for the same
parameters: one from the oracle (`oracles.goals.full_open`: every lead and every stage change of the
scope, the forecast's model from snapshots rebuilt from the whole change log) and one from
`sections.open` (the reduced read and the forecast's pushed-down read). Periods: the demo's month
(plans closed, the quarter plan running), the
same month mid-way (as_of), a quarter, a week and a range inside it, the previous month, a month a year
back, a month not started yet, and a year with no data; scopes: the team, one manager, one pipeline; and
the demo store moved to a zone with daylight saving time (the SQL turns UTC to local time itself there).
"""

import shutil

import duckdb
import pandas as pd
import pytest

from crmreports.reports.goals import query as queries_goals
from crmreports.reports.goals import sections as view
from oracles.goals import full_open
from report_equality import (
    assert_same_published,
    assert_same_sections,
    run_sections,
    same,
)

SECTIONS = ["plan", "progress", "pipeline", "compare", "managers", "summary"]


def _assert_same_report(full, push):
    assert_same_sections(view, SECTIONS, full, push)
    assert_same_published(full, push)
    assert full.comparisons.keys() == push.comparisons.keys()
    for which in full.comparisons:
        f, p = full.comparisons[which], push.comparisons[which]
        assert f.keys() == p.keys() and all(same(f[k], p[k]) for k in f), which
    for a, b in zip(full.progresses, push.progresses):
        pd.testing.assert_frame_equal(
            a.pipeline.reset_index(drop=True), b.pipeline.reset_index(drop=True), check_dtype=False
        )


CASES = [
    ("2026-10", "", "", ""),
    ("2026-10", "", "", "2026-10-15"),
    ("2026-Q4", "", "", "2026-12-01"),
    ("2026-W42", "", "", "2026-10-16"),
    ("2026-10-05..2026-10-20", "", "", "2026-10-12"),
    ("2026-09", "", "", "2026-09-20"),
    ("2025-10", "", "", ""),
    ("2026-11", "", "", ""),
    ("2026-10", "Анна Смирнова", "", "2026-10-20"),
    ("2026-10", "Анна Смирнова", "", ""),
    ("2026-10", "", "Повторные продажи", "2026-10-09"),
    ("2020", "", "", ""),
]


@pytest.mark.parametrize("period,manager,pipeline,as_of", CASES)
def test_pushed_down_loader_gives_the_same_report(demo_store, period, manager, pipeline, as_of):
    full = full_open(period, manager, pipeline, str(demo_store), "ru", as_of)
    push = view.open(period=period, manager=manager, pipeline=pipeline, store=str(demo_store), lang="ru", as_of=as_of)
    assert isinstance(push.data, queries_goals.GoalsData)
    # the reduced read really is smaller
    assert len(push.data.leads) < len(full.data.leads)
    assert len(push.data.stage_changes) < len(full.data.stage_changes)
    _assert_same_report(full, push)
    if (period, manager, as_of) == ("2026-10", "", "2026-10-15"):
        # not a degenerate comparison: plans running, open deals weighted, managers' plans evaluated
        assert push.figures["fact"] > 0 and push.figures["weighted_pipeline"] > 0
        assert push.data.forecast is not None and push.figures["forecast_origin"] == "2026-10-01"
        assert push.tables["managers"]["fact"].sum() > 0 and push.tables["managers"]["projection"].notna().any()


def test_same_report_in_a_zone_with_daylight_saving(demo_store, tmp_path):
    """Europe/Berlin: the year window of the band and the deals' times cross DST changes."""
    path = tmp_path / "berlin.duckdb"
    shutil.copy(demo_store, path)
    con = duckdb.connect(str(path))
    con.execute("UPDATE account SET timezone = 'Europe/Berlin'")
    con.close()
    for period, as_of in (("2026-10", "2026-10-26"), ("2026-Q1", "2026-03-29"), ("2026-10", "")):
        full = full_open(period, "", "", str(path), "en", as_of)
        push = view.open(period=period, store=str(path), lang="en", as_of=as_of)
        assert push.data.timezone == "Europe/Berlin"
        _assert_same_report(full, push)


@pytest.mark.parametrize("period,manager,as_of", [("2026-10", "", "2026-10-15"), ("2026-10", "Анна Смирнова", "")])
def test_each_section_alone_gives_what_it_gives_after_the_others(demo_store, period, manager, as_of):
    """No section depends on another having run first (the summary lists what ran before it)."""
    kw = {"period": period, "manager": manager, "store": str(demo_store), "lang": "ru", "as_of": as_of}
    for i, name in enumerate(SECTIONS[:-1]):
        after_others = view.open(**kw)
        run_sections(view, SECTIONS[:i], after_others)
        assert_same_sections(view, [name], after_others, view.open(**kw))
