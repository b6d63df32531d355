"""The forecast report's read of the store: :mod:`crmreports.store.forecasting.read` (shared with the goals
report, which projects the rest of a plan period with the same model), re-exported under the report's
usual name."""

from ...store.forecasting.read import FORECAST_LEAD_COLUMNS, ForecastData, first_bucket, load_forecast

__all__ = ["FORECAST_LEAD_COLUMNS", "ForecastData", "first_bucket", "load_forecast"]
