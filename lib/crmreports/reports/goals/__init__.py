"""«Цели»: plan vs fact, pace per working day, projection with a pipeline band."""

from .. import IndexFigure, Report
from . import labels

REPORT = Report(
    name="goals",
    title={"ru": "Цели", "en": "Goals"},
    order=40,
    labels=labels.TEXT,
    index_figures=(
        IndexFigure("plan", "plan", "goals.index.plan"),
        IndexFigure("fact", "plan", "goals.index.fact"),
        IndexFigure("plan_done_share", "done", "goals.index.plan_done_share"),
    ),
)
