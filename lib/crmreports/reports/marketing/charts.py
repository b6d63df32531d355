"""Charts of the marketing report: revenue and ROMI by source, new vs repeat revenue, the cohort table."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from ...core import fmt
from ...core.labels import t
from ...present.theme import ACCENT, MUTED, PALETTE, money_axis, new_figure, shorten


def sources(rows: pd.DataFrame, names: list[str], lang: str = "ru", currency: str = "RUB") -> Figure:
    """Horizontal bars: revenue per source (left) and ROMI of the sources with spend (right, each bar labelled;
    "no spend" where none is given); revenue alone when no source has spend (a manager's report)."""
    romi = rows["romi"].to_numpy(dtype=float)
    has = ~np.isnan(romi)
    ncols = 2 if has.any() else 1
    fig, axes = new_figure(max(2.4, 0.32 * len(rows) + 1.0), ncols=ncols)
    ax = axes[0]
    y = np.arange(len(rows))[::-1]
    labels = [shorten(n, 28) for n in names]
    ax.barh(y, rows["revenue"].fillna(0).to_numpy(), color=ACCENT)
    ax.set_yticks(y, labels)
    money_axis(ax, lang, currency, axis="x")
    ax.set_title(t("mkt.chart.revenue", lang), loc="left")
    if ncols == 1:
        return fig
    ax2 = axes[1]
    ax2.barh(y[has], romi[has] * 100, color=[PALETTE[2] if v >= 0 else PALETTE[3] for v in romi[has]])
    ax2.axvline(0, color=MUTED, lw=0.8)
    ax2.set_yticks(y, [""] * len(y))
    ax2.xaxis.set_major_formatter(lambda v, _: fmt.percent(v / 100, lang))
    ax2.xaxis.set_major_locator(MaxNLocator(nbins=4))
    lo, hi = min(0.0, np.nanmin(romi[has]) * 100), max(0.0, np.nanmax(romi[has]) * 100)
    ax2.set_xlim(lo * 1.05, hi + 0.3 * (hi - lo or 100))  # room on the right for the labels
    for yi, v, ok in zip(y, romi, has):
        if ok:  # the value right of the bar (of the zero line for a loss)
            ax2.text(max(v * 100, 0), yi, " " + fmt.percent(v, lang), va="center", ha="left", fontsize=7)
        else:
            ax2.text(0, yi, " " + t("mkt.chart.no_spend", lang), va="center", ha="left", fontsize=7, color=MUTED)
    ax2.set_title(t("mkt.chart.romi", lang), loc="left")
    return fig


def new_repeat(nr: pd.DataFrame, lang: str = "ru", currency: str = "RUB") -> Figure:
    """Stacked monthly bars: revenue from first purchases and from repeat purchases."""
    fig, (ax,) = new_figure(2.8)
    x = np.arange(len(nr))
    ax.bar(x, nr["new_revenue"], color=ACCENT, label=t("mkt.chart.new", lang))
    ax.bar(x, nr["repeat_revenue"], bottom=nr["new_revenue"], color=PALETTE[1], label=t("mkt.chart.repeat", lang))
    ax.set_xticks(x, [f"{fmt.month_name(m.month, lang)[:3]} {str(m.year)[2:]}" for m in nr["month"]], fontsize=7)
    money_axis(ax, lang, currency)
    ax.set_title(t("mkt.chart.new_repeat", lang), loc="left")
    # the legend on its own line above the bars, never over them
    ax.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), ncols=2, fontsize=7.5, frameon=False)
    ax.grid(axis="x", visible=False)
    return fig


def cohort_table(coh: pd.DataFrame, lang: str = "ru", currency: str = "RUB") -> Figure:
    """Heat map: first-purchase month (rows) × months since the first purchase (columns), revenue."""
    cols = [c for c in coh.columns if c.startswith("m") and c[1:].isdigit()]
    grid = coh[cols].to_numpy(dtype=float)
    fig, (ax,) = new_figure(max(2.4, 0.26 * len(coh) + 1.0))
    masked = np.ma.masked_invalid(grid)
    ax.imshow(masked, aspect="auto", cmap="Blues")
    ax.set_xticks(np.arange(len(cols)), [c[1:] for c in cols], fontsize=7)
    ax.set_yticks(
        np.arange(len(coh)),
        [f"{fmt.month_name(m.month, lang)[:3]} {m.year}" for m in coh["cohort"]],
        fontsize=7,
    )
    top = np.nanmax(grid) if np.isfinite(grid).any() else 0
    for i in range(grid.shape[0]):
        for j in range(grid.shape[1]):
            v = grid[i, j]
            if np.isfinite(v) and v > 0:
                ax.text(
                    j,
                    i,
                    fmt.number(v / 1000, lang),
                    ha="center",
                    va="center",
                    fontsize=5.5,
                    color="white" if v > top * 0.6 else "black",
                )
    ax.grid(False)
    symbol = fmt.money(0, lang, currency).replace("0", "").strip()  # ₽
    ax.set_title(t("mkt.chart.cohorts", lang, currency=symbol), loc="left")
    return fig
