"""The forecast report's metrics: the sales-forecast model of :mod:`crmreports.store.forecasting`, shared
with the goals report (one model for both, issue #14), re-exported under the report's usual name."""

from ...store.forecasting import *  # noqa: F403
from ...store.forecasting import __all__  # noqa: F401
