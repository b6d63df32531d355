"""«Анализ продаж»: headline figures, funnel, losses, time in stage, cycle, managers."""

from .. import IndexFigure, Report
from . import labels

REPORT = Report(
    name="sales_analysis",
    title={"ru": "Анализ продаж", "en": "Sales analysis"},
    order=10,
    labels=labels.TEXT,
    index_figures=(
        IndexFigure("revenue", "money", "sales.kpi.revenue"),
        IndexFigure("won_deals", "number", "sales.kpi.won_deals"),
        IndexFigure("win_rate", "percent", "sales.kpi.win_rate"),
    ),
)
