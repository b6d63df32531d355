"""Charts of the CRM audit: the scores per area as traffic-light bars."""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure

from ...core.labels import t
from ...present.theme import new_figure

LIGHT_COLORS = {"green": "#16a34a", "yellow": "#eab308", "red": "#dc2626", "grey": "#9ca3af"}


def scores(areas: pd.DataFrame, lang: str = "ru") -> Figure:
    """One horizontal bar per area and overall (0–100), coloured by its traffic light, the score at its end."""
    fig, (ax,) = new_figure(1.9)
    a = areas.iloc[::-1].reset_index(drop=True)
    labels = [t(f"audit.area.{k}", lang) for k in a["area"]]
    values = [0 if pd.isna(v) else float(v) for v in a["score"]]
    ax.barh(labels, values, color=[LIGHT_COLORS[x] for x in a["light"]], height=0.6)
    for y, (v, raw) in enumerate(zip(values, a["score"])):
        ax.text(v + 1.5, y, "—" if pd.isna(raw) else f"{int(raw)}", va="center", fontsize=9)
    ax.set_xlim(0, 108)
    ax.set_xticks([0, 50, 80, 100])
    for x in (50, 80):
        ax.axvline(x, color="#9ca3af", linewidth=0.7, linestyle=":")
    ax.grid(False)
    return fig
