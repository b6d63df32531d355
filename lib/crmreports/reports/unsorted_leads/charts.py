"""Charts of the unsorted-leads («Неразобранное») report."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, PercentFormatter

from ...core import fmt
from ...core.labels import t
from ...present.theme import ACCENT, PALETTE, new_figure, wrap
from .metrics import CATEGORIES


def weekly_trend(trend: pd.DataFrame, lang: str = "ru") -> Figure:
    """Incoming per ISO week, stacked by channel; the accepted share as a line; weeks outside the period pale."""
    fig, (ax,) = new_figure(3.1)
    x = np.arange(len(trend))
    bottom = np.zeros(len(trend))
    for cat, color in zip(CATEGORIES, PALETTE):
        vals = trend[cat].to_numpy(dtype=float)
        alphas = np.where(trend["in_period"], 1.0, 0.4)
        bars = ax.bar(x, vals, bottom=bottom, color=color, width=0.72, label=t(f"unsorted.category.{cat}", lang))
        for b, a in zip(bars, alphas):
            b.set_alpha(a)
        bottom += vals
    step = max(1, int(np.ceil(len(trend) / 14)))
    labels = [f"W{w.isocalendar().week}" if i % step == 0 else "" for i, w in enumerate(trend["week"])]
    ax.set_xticks(x, labels)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylim(0, max(1, bottom.max()) * 1.35)
    ax.set_title(t("unsorted.chart.trend", lang), loc="left")
    ax.legend(loc="upper left", fontsize=7.5, frameon=False, ncol=4)
    ax2 = ax.twinx()
    ax2.plot(x, trend["accepted_share"], color="#111827", marker="o", markersize=3, linewidth=1.3)
    ax2.set_ylim(0, 1.35)
    ax2.set_yticks([0, 0.25, 0.5, 0.75, 1.0])
    ax2.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax2.grid(False)
    ax2.spines["top"].set_visible(False)
    ax2.tick_params(labelsize=8)
    ax2.set_ylabel(t("unsorted.trend.accepted_share", lang), fontsize=8)
    return fig


def sources(by_source: pd.DataFrame, lang: str = "ru", max_rows: int = 12) -> Figure:
    """Incoming per source (light bars) and those that became deals (dark), conversion in the label."""
    d = by_source.head(max_rows).iloc[::-1]
    fig, (ax,) = new_figure(0.9 + 0.3 * max(len(d), 1))
    y = np.arange(len(d))
    ax.barh(y, d["total"], color="#bfdbfe", label=t("unsorted.chart.arrived", lang))
    ax.barh(y, d["to_deals"], color=ACCENT, height=0.45, label=t("unsorted.chart.deals", lang))
    ax.set_yticks(y, [wrap(s, 28) for s in d["label"]])
    for yi, n, conv in zip(y, d["total"], d["to_deals_share"]):
        ax.text(n, yi, f" {fmt.number(n, lang)} · {fmt.percent(conv, lang)}", va="center", fontsize=7.5)
    ax.set_xlim(0, max(1, d["total"].max()) * 1.3)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title(t("unsorted.chart.sources", lang), loc="left")
    ax.legend(loc="lower right", fontsize=7.5, frameon=False)
    ax.grid(axis="y", visible=False)
    return fig


def speed_by_manager(speed: pd.DataFrame, lang: str = "ru") -> Figure:
    """Hours to the first action per manager: median (bar) and P90 (tick)."""
    d = speed.dropna(subset=["first_action_median_min"]).iloc[::-1]
    fig, (ax,) = new_figure(0.9 + 0.3 * max(len(d), 1))
    y = np.arange(len(d))
    med = d["first_action_median_min"].to_numpy(dtype=float) / 60
    p90 = d["first_action_p90_min"].to_numpy(dtype=float) / 60
    ax.barh(y, med, color=ACCENT, height=0.5, label=t("unsorted.speed.median", lang))
    ax.hlines(y, med, p90, color="#1e3a8a", linewidth=1.5, label="P90")
    ax.plot(p90, y, "|", color="#1e3a8a", markersize=9)
    ax.set_yticks(y, [wrap(s, 28) for s in d["label"]])
    ax.set_xlabel(t("unsorted.unit.h", lang))
    ax.set_title(t("unsorted.chart.speed", lang), loc="left")
    ax.legend(loc="lower right", fontsize=7.5, frameon=False)
    ax.grid(axis="y", visible=False)
    return fig
