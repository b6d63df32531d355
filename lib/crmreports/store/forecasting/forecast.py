"""The forecast as of one origin: the pipeline view and the time-series view, and their combination."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .ets import SeriesForecast
from .months import add_months
from .probabilities import (
    PROBABILITY_COLUMNS,
    _age_band,
    _monthly_probabilities,
    _Snapshots,
    _weighted,
)
from .series import _Deals, ets_forecast
from .settings import HORIZONS, Z80, Settings


@dataclass
class Forecast:
    """The forecast made as of ``origin``: a ``status`` of "ok", "short_history" or "no_won"."""

    origin: pd.Timestamp
    status: str
    months: list  # the forecast month starts
    history_months: int = 0
    model: str = ""
    table: pd.DataFrame = field(default_factory=pd.DataFrame)  # one row per (month, measure)
    open_deals: pd.DataFrame = field(default_factory=pd.DataFrame)  # weighted open deals
    probabilities: pd.DataFrame = field(default_factory=pd.DataFrame)
    yields: pd.DataFrame = field(default_factory=pd.DataFrame)
    series: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def value(self, k: int, measure: str = "revenue", column: str = "combined") -> float:
        """The figure for forecast month ``k`` (1..3)."""
        if not self.ok:
            return float("nan")
        at = np.flatnonzero((self.table["k"].to_numpy() == k) & (self.table["measure"].to_numpy() == measure))[0]
        return float(self.table[column].to_numpy()[at])


TABLE_COLUMNS = [
    "k",
    "month",
    "measure",
    "open_deals",
    "new_deals",
    "pipeline",
    "pipeline_low",
    "pipeline_high",
    "ts",
    "ts_low",
    "ts_high",
    "combined",
    "sd",
    "low",
    "high",
]


def _combine(p, p_sd, ts: SeriesForecast, w: float) -> tuple[np.ndarray, np.ndarray]:
    """The combined mean and standard deviation of the two views."""
    ts_sd = (ts.high - ts.low) / (2 * Z80)
    c = w * p + (1 - w) * ts.mean
    sd = np.sqrt((w * p_sd + (1 - w) * ts_sd) ** 2 + (w * (1 - w)) * (p - ts.mean) ** 2)
    return c, sd


def _forecast(
    snaps: _Snapshots,
    deals: _Deals,
    origin: pd.Timestamp,
    settings: Settings,
    open_deals,
    table: bool = True,
    part: int = 0,
    ts_forecast=None,
) -> Forecast:
    """The forecast as of ``origin`` from the snapshot and deal arrays (group ``part`` of them);
    ``open_deals``: a function giving the snapshot rows open at the origin (positions in the
    snapshots, and the frame of them); ``table``: with the probability table (else left empty);
    ``ts_forecast``: gives a series' ETS forecast (default :func:`ets_forecast`)."""
    ts_forecast = ts_forecast or (lambda values: ets_forecast(values, settings))
    months = [add_months(origin, k) for k in range(HORIZONS)]
    series = deals.series(origin, part)
    fc = Forecast(origin, "ok", months, history_months=len(series), series=series)
    if len(series) < settings.min_months:
        fc.status = "short_history"
        return fc
    if not deals.any_win(origin, part):
        fc.status = "no_won"
        return fc
    at, frame = open_deals()
    probs = snaps.table(origin, part) if table else pd.DataFrame(columns=PROBABILITY_COLUMNS)
    level, values = snaps.weights(origin, at)
    weighted = (
        _weighted(frame.assign(band=_age_band(frame["age_days"], settings.age_bins)), level, values)
        if table
        else pd.DataFrame()
    )
    # the columns of the weighted open deals the sums read (see _weighted), each summed as a Series
    price = frame["price"].to_numpy(dtype=float)
    won_in = _monthly_probabilities(values)
    columns = {"price": price}
    for k in range(HORIZONS):
        columns[f"p_{k + 1}"] = won_in[k]
        columns[f"exp_{k + 1}"] = price * won_in[k]
    yields = deals.yields(origin, part)
    created = ts_forecast(series["created"].values)
    rows = []
    for measure, col, wcol, pcol in (
        ("revenue", "revenue", "exp_", "revenue_per_deal"),
        ("deals", "won_deals", "p_", "wins_per_deal"),
    ):
        ts = ts_forecast(series[col].values)
        open_mean = np.array([pd.Series(columns[f"{wcol}{k + 1}"]).sum() for k in range(HORIZONS)])
        if measure == "revenue":
            open_var = np.array([pd.Series(won_in[k] * (1 - won_in[k]) * price**2).sum() for k in range(HORIZONS)])
        else:
            open_var = np.array([pd.Series(won_in[k] * (1 - won_in[k])).sum() for k in range(HORIZONS)])
        # the yields by lag (rows 0..HORIZONS-1 are lags 0..HORIZONS-1), as arrays: the same float64 values
        per, wpd, psq = (yields[c].to_numpy(dtype=float) for c in (pcol, "wins_per_deal", "price_sq"))
        new_mean = np.array([sum(created.mean[j] * per[k - j] for j in range(k + 1)) for k in range(HORIZONS)])
        wins = np.array([sum(created.mean[j] * wpd[k - j] for j in range(k + 1)) for k in range(HORIZONS)])
        if measure == "revenue":
            sq = np.array(
                [sum(created.mean[j] * wpd[k - j] * psq[k - j] for j in range(k + 1)) for k in range(HORIZONS)]
            )
            new_var = sq
        else:
            new_var = wins
        p = open_mean + new_mean
        p_sd = np.sqrt(open_var + new_var)
        c, sd = _combine(p, p_sd, ts, settings.pipeline_weight)
        for k in range(HORIZONS):
            rows.append(
                {
                    "k": k + 1,
                    "month": months[k],
                    "measure": measure,
                    "open_deals": open_mean[k],
                    "new_deals": new_mean[k],
                    "pipeline": p[k],
                    "pipeline_low": max(0.0, p[k] - Z80 * p_sd[k]),
                    "pipeline_high": p[k] + Z80 * p_sd[k],
                    "ts": ts.mean[k],
                    "ts_low": ts.low[k],
                    "ts_high": ts.high[k],
                    "combined": c[k],
                    "sd": sd[k],
                    "low": max(0.0, c[k] - Z80 * sd[k]),
                    "high": c[k] + Z80 * sd[k],
                }
            )
        fc.model = ts.model
    fc.table = pd.DataFrame(rows, columns=TABLE_COLUMNS)
    fc.open_deals, fc.probabilities, fc.yields = weighted, probs, yields
    return fc
