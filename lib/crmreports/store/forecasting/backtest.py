"""Backtest scoring: the actual won revenue and deals, the calibration of the intervals, the accuracy
against the naive baselines. (The backtest's forecasts come from :meth:`Estimator.backtest`.)"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .forecast import Forecast
from .history import _is_won
from .months import add_months
from .settings import Z80


def actual_monthly(leads: pd.DataFrame, months, until: pd.Timestamp) -> pd.DataFrame:
    """Actual won revenue and deals of each month (only months that ended by ``until``)."""
    g = _monthly_actuals(leads, until)
    rows = []
    for m in months:
        if add_months(m, 1) > until:
            continue
        p = pd.Timestamp(m).to_period("M")
        rows.append(
            {"month": pd.Timestamp(m), "revenue": float(g["sum"].get(p, 0.0)), "deals": int(g["count"].get(p, 0))}
        )
    return pd.DataFrame(rows, columns=["month", "revenue", "deals"])


BACKTEST_COLUMNS = [
    "forecast_origin",
    "k",
    "month",
    "measure",
    "actual",
    "pipeline",
    "ts",
    "combined",
    "sd",
    "low",
    "high",
    "last_month",
    "seasonal",
    "status",
]


def _monthly_actuals(leads: pd.DataFrame, until: pd.Timestamp) -> pd.DataFrame:
    """Won revenue (sum) and deals (count) per month of the deals won before ``until``, as
    :func:`actual_monthly` groups them."""
    won = leads[_is_won(leads) & (leads["closed_at"] < until)]
    return won.groupby(won["closed_at"].dt.to_period("M"))["price"].agg(["sum", "count"])


def _actual(g: pd.DataFrame, month: pd.Timestamp, measure: str):
    p = pd.Timestamp(month).to_period("M")
    return float(g["sum"].get(p, 0.0)) if measure == "revenue" else float(int(g["count"].get(p, 0)))


def calibration_factor(bt: pd.DataFrame, measure: str = "revenue") -> float:
    """How much the combined 80 % interval must be widened for it to have covered 80 % of the backtest's
    actuals: the 80th percentile of |actual − forecast| / sd over Z80, never below 1 (1 without data)."""
    b = bt[(bt["measure"] == measure) & (bt["status"] == "ok")].dropna(subset=["combined", "sd"])
    b = b[b["sd"] > 0]
    if len(b) < 5:
        return 1.0
    z = ((b["actual"] - b["combined"]).abs() / b["sd"]).to_numpy()
    return float(max(1.0, np.quantile(z, 0.8) / Z80))


def widen(fc: Forecast, factors: dict) -> Forecast:
    """A copy of ``fc`` whose 80 % intervals are widened by ``factors[measure]`` (see :func:`calibration_factor`)."""
    if not fc.ok:
        return fc
    tb = fc.table.copy()
    f = tb["measure"].map(factors).fillna(1.0)
    tb["low"] = (tb["combined"] - Z80 * tb["sd"] * f).clip(lower=0)
    tb["high"] = tb["combined"] + Z80 * tb["sd"] * f
    out = Forecast(**{k: getattr(fc, k) for k in fc.__dataclass_fields__})
    out.table = tb
    return out


METHODS = ("combined", "pipeline", "ts", "last_month", "seasonal")


def accuracy(bt: pd.DataFrame, measure: str = "revenue") -> pd.DataFrame:
    """WAPE and bias of each method over the backtest rows where every method has a forecast.

    Columns: method, k ("all" or 1..3), wape, bias, n (forecasts compared), coverage (share of actuals
    inside the 80 % interval; the combined method only).
    """
    b = bt[(bt["measure"] == measure) & (bt["status"] == "ok")].dropna(subset=list(METHODS))
    rows = []
    for k in ["all"] + sorted(b["k"].unique().tolist()):
        s = b if k == "all" else b[b["k"] == k]
        total = s["actual"].sum()
        for m in METHODS:
            err = s[m] - s["actual"]
            rows.append(
                {
                    "method": m,
                    "k": k,
                    "n": len(s),
                    "wape": float(err.abs().sum() / total) if total else float("nan"),
                    "bias": float(err.sum() / total) if total else float("nan"),
                    "coverage": float(((s["actual"] >= s["low"]) & (s["actual"] <= s["high"])).mean())
                    if m == "combined" and len(s)
                    else float("nan"),
                }
            )
    return pd.DataFrame(rows, columns=["method", "k", "n", "wape", "bias", "coverage"])
