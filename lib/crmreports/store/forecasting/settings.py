"""The forecast's settings and constants."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

UNKNOWN_STAGE = -1
HORIZONS = 3
Z80 = 1.2815515655446004  # the 90th percentile of the standard normal: a central 80 % interval
DAY = pd.Timedelta(days=1)


@dataclass(frozen=True)
class Settings:
    """Knobs of the forecast; the defaults are what the report uses."""

    lookback: int = 12  # months of snapshots / cohorts / backtest origins
    min_obs: int = 30  # observations a probability cell needs
    age_bins: tuple[float, ...] = (0, 14, 42, 90, math.inf)  # deal age bands, days
    seasonal_months: int = 24  # history needed for a seasonal model
    trend_months: int = 12  # history needed for a (damped) trend
    min_months: int = 3  # below this: no forecast, a clear statement
    pipeline_weight: float = 0.5  # weight of the pipeline view in the combination


DEFAULT = Settings()
