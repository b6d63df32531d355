"""The sales-forecast model, shared by the forecast report and the goals report (issue #14: one model
for both): pure functions from store DataFrames (local timestamps) to DataFrames, and the store read
they need (:mod:`.read`). A report may not import another report, so the model lives here, below the
reports; :mod:`crmreports.reports.forecast.metrics` and ``.query`` re-export it.

The forecast is made *as of an origin* ``D`` (a month start, naive local time): it uses only what the
store would have held at ``D`` and forecasts won revenue and won deals for the three calendar months
after ``D``. Two views are computed side by side and then combined:

- **pipeline view** = open deals + new deals.
  *Open deals*: every deal open at ``D`` (created before ``D``, not closed before ``D``; its stage at
  ``D`` is the last stage change before ``D``) is weighted by the probability that a deal at its stage
  and age is won within each forecast month. Those probabilities come from history: deals open at
  each of the past ``lookback`` month starts ("snapshots") are followed up to ``D``; a deal is won,
  lost, or still open at ``D`` (censored). The Aalen–Johansen estimator of the cumulative incidence
  of "won" (lost is a competing outcome, still-open deals are censored, not dropped and not counted
  as lost) gives ``P(won within t days)``; its value at the longest follow-up is the stage win
  probability, and ``CIF(t) / CIF(∞)`` is the time-to-close distribution of deals that will be won.
  A (pipeline, stage, age band) cell with fewer than ``min_obs`` observations falls back to
  (pipeline, stage), then to the pipeline, then to all deals.
  *New deals*: deals created after ``D`` and won inside the horizon = forecast number of deals
  created per month (ETS) × the revenue (and wins) per created deal won in the month of creation,
  one month later, two months later (from the last ``lookback`` cohorts fully observed at ``D``).
- **time-series view**: ETS (:mod:`.ets`) on monthly won revenue (and won deals) up to ``D``:
  damped additive trend with additive seasonality (period 12) from 24 months of history; a
  non-seasonal damped trend below that; simple exponential smoothing below 12 months. The series
  starts with the month after the first deal was created (the first month is a ramp-up).
- **combined** = the mean of the two views. 80 % intervals: the pipeline view from the variance of
  a sum of independent Bernoulli outcomes (open deals) and a Poisson number of new wins; the ETS
  view from the model's prediction interval; the combination takes the mean of the two standard
  deviations (fully correlated errors, the cautious case) plus half the disagreement of the views.

Backtest: the whole forecast is rerun as of each of the 12 month starts before the origin with data
known then, and compared with the actual won revenue; WAPE = Σ|F − A| / ΣA, bias = Σ(F − A) / ΣA,
against two naive baselines: the last full month, and the same month a year earlier.

Computation: the report's 13 forecasts (12 backtest origins and the origin) and its per-manager and
per-pipeline forecasts come from one :class:`Estimator`, which prepares once what does not depend on
the origin or the group (each snapshot row's group codes and its duration if it closes, the rows
sorted by (group, duration), tallies per (group, month start, closing month); the monthly series and
the wins per creation month) and estimates every group of a level at once. An origin only selects
its window's rows and the events before it, so each result is the same, to the last bit, as the
forecast computed on its own from the data known then (tests/test_forecast.py). The ETS models of all
origins (and of all groups) are fitted in one batch (:mod:`.ets`: a series gets the same
fit in any batch). The deals' arrays are built in a thread while the snapshots' are, and the groups'
forecasts (:meth:`Estimator.start_groups`) in a thread while the backtest runs: most of that work is
numpy and pandas sorting and counting, which leaves the interpreter free.

Won revenue of a month is the sum of ``price`` of deals won (status 142) with ``closed_at`` in the
month, as in the sales analysis. Deal budgets are taken as they are now (the store keeps no
history of budget changes).

Modules, in the order they build on each other (no module imports a later one):

- :mod:`.settings`: :class:`Settings`, :data:`DEFAULT` and the constants;
- :mod:`.months`: month starts, month arithmetic, months as integers;
- :mod:`.history`: the deals known at a moment and the month-start snapshots of the open deals;
- :mod:`.probabilities`: the stage win probabilities, the weighted open deals and pipeline;
- :mod:`.series`: the monthly series, the new-deal yields and the ETS view;
- :mod:`.forecast`: the forecast as of one origin (:class:`Forecast`), the two views combined;
- :mod:`.backtest`: the actuals, the calibration of the intervals and the accuracy of the backtest;
- :mod:`.estimator`: :class:`Estimator`, which gives the forecast, the backtest and the breakdowns
  (per manager, per pipeline) from one set of snapshots;
- :mod:`.run`: the forecast as both reports run it (:func:`model_results`), the expected won revenue
  (or deals) of a window of forecast months (:func:`window`), as the goals report projects the rest
  of a plan period, and the managers not forecast (:func:`inactive_keys`);
- :mod:`.read`: the pushed-down store read (:func:`load_forecast`).

The reference implementations on the whole change log (the deals known at a moment and the snapshots
rebuilt from every stage change, and the self-contained forecast, backtest and breakdown on them) are
in tests/oracles/forecast.py: the pushed-down read (:mod:`.read`) is checked against them.
"""

from .backtest import (
    BACKTEST_COLUMNS,
    METHODS,
    accuracy,
    actual_monthly,
    calibration_factor,
    widen,
)
from .estimator import Estimator, backtest_from, by_group_from, forecast_from
from .ets import SeriesForecast
from .forecast import TABLE_COLUMNS, Forecast
from .history import (
    SNAPSHOT_COLUMNS,
    known_with_stages,
    snapshot_moments,
    snapshots_from_months,
    snapshots_since,
    without_requests,
)
from .months import add_months, month_index, month_start
from .probabilities import (
    LEVELS,
    PROBABILITY_COLUMNS,
    cumulative_incidence,
    horizon_days,
    stage_probabilities,
    weight_open_deals,
    weighted_pipeline,
)
from .run import (
    INACTIVE_MONTHS,
    Window,
    group_table,
    inactive_keys,
    model_results,
    month_shares,
    open_deals_in_window,
    window,
)
from .series import (
    ets_forecast,
    ets_forecasts,
    history_start,
    monthly_series,
    new_deal_yields,
)
from .settings import DAY, DEFAULT, HORIZONS, UNKNOWN_STAGE, Z80, Settings

__all__ = [
    "INACTIVE_MONTHS",
    "Window",
    "group_table",
    "inactive_keys",
    "model_results",
    "month_shares",
    "open_deals_in_window",
    "window",
    "BACKTEST_COLUMNS",
    "DAY",
    "DEFAULT",
    "HORIZONS",
    "LEVELS",
    "METHODS",
    "PROBABILITY_COLUMNS",
    "SNAPSHOT_COLUMNS",
    "TABLE_COLUMNS",
    "UNKNOWN_STAGE",
    "Z80",
    "Estimator",
    "Forecast",
    "SeriesForecast",
    "Settings",
    "accuracy",
    "actual_monthly",
    "add_months",
    "backtest_from",
    "by_group_from",
    "calibration_factor",
    "cumulative_incidence",
    "ets_forecast",
    "ets_forecasts",
    "forecast_from",
    "history_start",
    "horizon_days",
    "known_with_stages",
    "month_index",
    "month_start",
    "monthly_series",
    "new_deal_yields",
    "snapshot_moments",
    "snapshots_from_months",
    "snapshots_since",
    "stage_probabilities",
    "weight_open_deals",
    "weighted_pipeline",
    "widen",
    "without_requests",
]
