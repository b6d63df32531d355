"""«Неразобранное»: incoming leads by source and channel, outcomes, speed to lead, backlog."""

from .. import IndexFigure, Report
from . import labels

REPORT = Report(
    name="unsorted_leads",
    title={"ru": "Неразобранное", "en": "Unsorted leads"},
    order=20,
    labels=labels.TEXT,
    index_figures=(
        IndexFigure("unsorted_total", "number", "unsorted.kpi.unsorted_total"),
        IndexFigure("unsorted_to_deals_share", "percent", "unsorted.kpi.unsorted_to_deals_share"),
    ),
)
