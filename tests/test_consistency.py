"""One definition per concept (issue #14): for one month of the demo account, the same concept has the same
value in every report's figures (the ``figures`` of each report's JSON are its context's ``figures``, which
``publish`` writes as they are):

- won revenue and won deals: sales analysis, goals, calls;
- open deals at the end of the month (pending «Неразобранное» requests are not deals): goals, forecast,
  sales analysis;
- working days of the month (production calendar): calls, goals;
- the expected revenue of a window: goals' projection of the rest of its running quarter and the forecast
  report's months for the same window (one model for both reports).

Each report runs the sections its notebook calls, in the notebook's order (read from notebooks/<name>.py),
on the session's demo store (2,000 deals, data to 2026-10-31).
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pandas as pd
import pytest

from conftest import DEMO_AS_OF

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
PERIOD = "2026-10"
SKIP = {"open", "title", "summary", "publish"}


def run_report(name: str, store_path, manager: str = ""):
    """The report's context after every section its notebook calls (the figures its JSON would hold)."""
    view = importlib.import_module(f"crmreports.reports.{name}.sections")
    source = (NOTEBOOKS / f"{name}.py").read_text(encoding="utf-8")
    steps = [s for s in dict.fromkeys(re.findall(r"report\.(\w+)\(ctx\)", source)) if s not in SKIP]
    ctx = view.open(period=PERIOD, manager=manager, store=str(store_path), lang="ru")
    for step in steps:
        getattr(view, step)(ctx)
    return ctx


@pytest.fixture(scope="module")
def reports(demo_store):
    return {name: run_report(name, demo_store) for name in ("sales_analysis", "goals", "calls", "forecast")}


def sales_open_deals(ctx) -> int:
    """The sales report's open deals: its headline figure once it has one, else its managers' table total."""
    if "open_deals" in ctx.figures:
        return int(ctx.figures["open_deals"])
    return int(ctx.tables["managers"]["open_deals"].sum())


def test_won_revenue_and_won_deals_agree(reports):
    sales, goals, calls = reports["sales_analysis"].figures, reports["goals"].figures, reports["calls"].figures
    assert sales["won_deals"] > 0 and sales["revenue"] > 0  # not a degenerate comparison
    assert goals["revenue"] == pytest.approx(sales["revenue"])
    assert goals["won_deals"] == sales["won_deals"] == calls["won_deals"]


def test_open_deals_agree(reports):
    goals, forecast = reports["goals"].figures, reports["forecast"].figures
    assert goals["as_of"] == DEMO_AS_OF  # the end of October: the forecast's origin too
    assert forecast["forecast_origin"] == DEMO_AS_OF
    assert goals["open_deals"] > 50
    assert goals["open_deals"] == forecast["pipeline_open_deals"]
    assert sales_open_deals(reports["sales_analysis"]) == goals["open_deals"]


def test_working_days_agree(reports):
    # October 2026: 22 working days by the production calendar (no holiday in October)
    assert reports["calls"].figures["working_days"] == reports["goals"].figures["working_days"] == 22


def test_goals_projects_the_forecasts_expected_revenue(reports):
    """The running Q4 plan at 1 November: its rest (November and December) is the forecast's months 1 and 2."""
    goals, forecast = reports["goals"], reports["forecast"].figures
    q4 = next(p for p in goals.progresses if p.plan.period.key == "2026-Q4" and p.plan.metric == "revenue")
    assert q4.status == "in_progress" and q4.window_shares == pytest.approx((1, 1, 0))
    expected = forecast["forecast_m1_revenue"] + forecast["forecast_m2_revenue"]
    assert q4.projection - q4.fact == pytest.approx(expected, rel=1e-9)
    assert q4.projection_low <= q4.projection <= q4.projection_high
    # the interval: the two months' standard deviations added (fully correlated)
    z = 1.2815515655446004
    sd = sum((forecast[f"forecast_m{k}_high"] - forecast[f"forecast_m{k}_revenue"]) / z for k in (1, 2))
    assert q4.projection_high - q4.fact == pytest.approx(expected + z * sd, rel=1e-9)


def test_one_manager_agrees_too(demo_store):
    """The same concepts for one manager's scope."""
    name = "Анна Смирнова"
    sales, goals, calls, forecast = (
        run_report(r, demo_store, name).figures for r in ("sales_analysis", "goals", "calls", "forecast")
    )
    assert goals["revenue"] == pytest.approx(sales["revenue"]) and sales["won_deals"] > 0
    assert goals["won_deals"] == sales["won_deals"] == calls["won_deals"]
    assert goals["open_deals"] == forecast["pipeline_open_deals"] > 0
    assert calls["working_days"] == goals["working_days"]
    assert not pd.isna(forecast["forecast_m1_revenue"])
