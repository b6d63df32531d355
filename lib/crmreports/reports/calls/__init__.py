"""«Звонки»: in/out/missed calls, call-backs, per manager with intervals, meetings."""

from .. import IndexFigure, Report
from . import labels

REPORT = Report(
    name="calls",
    title={"ru": "Звонки", "en": "Calls"},
    order=30,
    labels=labels.TEXT,
    index_figures=(
        IndexFigure("calls_total", "number", "calls.kpi.calls_total"),
        IndexFigure("calls_missed", "number", "calls.kpi.calls_missed"),
        IndexFigure("calls_answered_share", "percent", "calls.kpi.calls_answered_share"),
    ),
)
