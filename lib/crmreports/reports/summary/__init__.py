"""«Сводный отчёт»: the head of sales' first page — the state now, the period in six numbers, five things to act on."""

from .. import IndexFigure, Report
from . import labels

REPORT = Report(
    name="summary",
    title={"ru": "Сводный отчёт", "en": "Summary"},
    order=5,  # the pack's index links it first
    labels=labels.TEXT,
    index_figures=(
        IndexFigure("revenue", "money", "summary.index.revenue"),
        IndexFigure("open_pipeline", "money", "summary.index.open_pipeline"),
        IndexFigure("top_action_money", "money", "summary.index.top_action_money"),
    ),
    scopes=("team",),
)
