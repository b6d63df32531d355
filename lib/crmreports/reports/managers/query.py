"""The managers report's read: every deal of the pipelines shown (the team's, whatever the scope: a manager's
personal page compares them with the team), their stage changes, every call and every task; and the sales
forecast's read (:func:`crmreports.store.forecasting.read.load_forecast`) as of the forecast origin of the
as-of moment (its month start), from which the weighted pipeline takes the forecast's win probabilities.

The scorecard compares each manager with the team in the period, the previous period and a year ago, and
takes the discipline lists at the as-of moment, so it reads the team's rows whole (with the pipeline filter
pushed into SQL) and cuts by scope in :mod:`.metrics`. The demo account (20,000 deals) reads in well under a
second.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import pandas as pd

from ... import store
from ...core.periods import Period
from ...store import data_end
from ...store import forecasting as model_lib
from ...store.forecasting.read import ForecastData, load_forecast

TABLES = ("leads", "stage_changes", "calls", "tasks")


@dataclass(frozen=True)
class ManagersData(store.StoreData):
    """:class:`store.StoreData` plus the forecast's read as of :func:`forecast_origin` (the team's deals of the
    pipelines shown)."""

    forecast: ForecastData | None = None


def forecast_origin(as_of: pd.Timestamp) -> pd.Timestamp:
    """The forecast origin the weighted pipeline's probabilities are estimated as of: the last month start at or
    before the as-of moment (the forecast report's origin for the period that ends there)."""
    return model_lib.month_start(pd.Timestamp(as_of))


def load_managers(
    path: str | os.PathLike,
    period: Period,
    pipeline_ids: list[int] | None = None,
    user_ids: list[int] | None = None,
) -> ManagersData:
    """The team's deals (pipelines ``pipeline_ids``), their stage changes, calls and tasks, and the forecast's
    read of the same deals as of :func:`forecast_origin` of the data's end (``lookback`` month starts back).
    ``user_ids`` (the scope) is applied by the metrics, not here: the personal page needs the team beside the
    manager."""
    del period, user_ids  # every window is cut from the same rows
    d = store.load(path, tables=TABLES, pipeline_ids=pipeline_ids)
    origin = forecast_origin(data_end(d.account))
    fc = load_forecast(path, origin, model_lib.DEFAULT.lookback, pipeline_ids=pipeline_ids)
    fields = {f: getattr(d, f) for f in ("account", "users", "pipelines", "statuses", "leads", "stage_changes")}
    return ManagersData(**fields, loss_reasons=d.loss_reasons, tables=d.tables, forecast=fc)
