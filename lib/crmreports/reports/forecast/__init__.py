"""«Прогноз продаж»: 1–3 months ahead, pipeline × time-series views, a published backtest."""

from .. import IndexFigure, Report
from . import labels

REPORT = Report(
    name="forecast",
    title={"ru": "Прогноз продаж", "en": "Sales forecast"},
    order=50,
    labels=labels.TEXT,
    index_figures=(
        IndexFigure("forecast_m1_revenue", "estimate", "forecast.index.forecast_m1"),
        IndexFigure("backtest_wape", "percent", "forecast.index.wape"),
    ),
)
