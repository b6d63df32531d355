"""«Маркетинг и клиенты»: lead sources, spend, CAC, ROMI, repeat sales, CLTV, client ABC/XYZ, lapsed clients."""

from .. import IndexFigure, Report
from . import labels

REPORT = Report(
    name="marketing",
    title={"ru": "Маркетинг и клиенты", "en": "Marketing and clients"},
    order=70,
    labels=labels.TEXT,
    index_figures=(
        IndexFigure("leads", "number", "mkt.kpi.leads"),
        IndexFigure("revenue", "money", "mkt.kpi.revenue"),
        IndexFigure("new_clients", "number", "mkt.kpi.new_clients"),
    ),
)
