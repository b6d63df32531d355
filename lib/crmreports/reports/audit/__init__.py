"""«Аудит CRM»: how the CRM is used — process, speed and data-quality findings with their rules, the money at
stake, example records linking to amoCRM, recommendations, and 0–100 scores per area. A team report only."""

from .. import IndexFigure, Report
from . import labels

REPORT = Report(
    name="audit",
    title={"ru": "Аудит CRM", "en": "CRM audit"},
    order=90,
    labels=labels.TEXT,
    index_figures=(
        IndexFigure("score_overall", "number", "audit.area.overall"),
        IndexFigure("score_process", "number", "audit.area.process"),
        IndexFigure("score_data", "number", "audit.area.data"),
    ),
    scopes=("team",),
)
