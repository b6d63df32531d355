"""Charts: functions that take metric results and return a matplotlib Figure (never shown or saved).

``base`` holds the theme and helpers; each report has its own module (``charts.sales``, ...).
Figures use the object API (``matplotlib.figure.Figure``), so nothing depends on pyplot's global
state and charts are safe to build in threads.
"""
from .base import ACCENT, GRID, MUTED, PALETTE, money_axis, new_figure, to_svg, wrap  # noqa: F401
