"""«По сотрудникам»: the manager scorecard — activity, results, discipline, velocity, losses, activity hours."""

from .. import IndexFigure, Report
from . import labels

REPORT = Report(
    name="managers",
    title={"ru": "По сотрудникам", "en": "Managers"},
    order=60,
    labels=labels.TEXT,
    index_figures=(
        IndexFigure("revenue", "money", "managers.index.revenue"),
        IndexFigure("overdue_tasks", "number", "managers.index.overdue_tasks"),
        IndexFigure("open_deals_without_task", "number", "managers.index.open_deals_without_task"),
        IndexFigure("velocity_per_day", "money", "managers.index.velocity_per_day"),
    ),
)
