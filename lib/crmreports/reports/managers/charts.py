"""Charts of the managers scorecard («По сотрудникам»)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ...core import fmt
from ...core.labels import t
from ...present.theme import ACCENT, MUTED, new_figure, plain, shorten, wrap

UP, DOWN = "#10b981", "#ef4444"


def win_rates(table: pd.DataFrame, team_rate: float, lang: str = "ru") -> Figure:
    """Each manager's win rate with its 95 % Wilson interval (line), the shrunk rate (dot) and the team's rate
    (dashed line); ``table`` has ``manager``, ``win_rate``, ``win_rate_lo``, ``win_rate_hi``, ``win_rate_shrunk``."""
    d = table.dropna(subset=["win_rate"]).reset_index(drop=True)
    fig, (ax,) = new_figure(0.8 + 0.28 * max(len(d), 1))
    y = np.arange(len(d))[::-1]
    for yi, (_, r) in zip(y, d.iterrows()):
        ax.plot([r["win_rate_lo"], r["win_rate_hi"]], [yi, yi], color=MUTED, linewidth=2)
        ax.plot(r["win_rate"], yi, "o", color=MUTED, markersize=3)
        ax.plot(r["win_rate_shrunk"], yi, "D", color=ACCENT, markersize=4)
    if team_rate == team_rate:
        ax.axvline(team_rate, color="#111827", linestyle="--", linewidth=1)
    ax.set_yticks(y, [shorten(plain(m), 28, 1) for m in d["manager"]])
    ax.xaxis.set_major_formatter(lambda v, _: fmt.percent(v, lang))
    ax.set_xlim(0, 1)
    ax.set_title(t("managers.chart.win_rates", lang), loc="left")
    ax.grid(axis="y", visible=False)
    return fig


def velocity_bridge(parts: dict, previous: float, current: float, lang: str, currency: str) -> Figure:
    """A bridge from the previous period's velocity to this one's through the four levers (money per day)."""
    labels = [t("managers.chart.v_previous", lang)] + [t(f"managers.lever.{k}", lang) for k in parts]
    labels.append(t("managers.chart.v_current", lang))
    fig, (ax,) = new_figure(2.6)
    x = np.arange(len(labels))
    ax.bar(x[0], previous, color=MUTED, width=0.6)
    top = max(previous, current, 0)
    short = lambda v: fmt.money_short(v, lang, currency)  # noqa: E731
    ax.text(x[0], previous, short(previous), ha="center", va="bottom", fontsize=7.5)
    level = previous
    for i, v in enumerate(parts.values(), start=1):
        ax.bar(x[i], v, bottom=level, color=UP if v >= 0 else DOWN, width=0.6)
        # each lever's effect written above its step: the steps are small next to the level
        sign = "+" if v >= 0 else "−"
        ax.text(x[i], max(level, level + v), sign + short(abs(v)), ha="center", va="bottom", fontsize=7.5)
        level += v
        top = max(top, level)
    ax.bar(x[-1], current, color=ACCENT, width=0.6)
    ax.text(x[-1], current, short(current), ha="center", va="bottom", fontsize=7.5)
    ax.set_ylim(top=top * 1.12 if top > 0 else None)
    ax.set_xticks(x, [shorten(s, 16, 2) for s in labels], fontsize=7.5)
    ax.yaxis.set_major_formatter(lambda v, _: fmt.money_short(v, lang, currency))
    ax.set_title(t("managers.chart.velocity", lang), loc="left")
    ax.grid(axis="x", visible=False)
    return fig


def heatmap(grid: pd.DataFrame, title: str, lang: str, money: bool = False, currency: str = "RUB") -> Figure:
    """A heatmap of ``grid`` (rows × columns of non-negative values), each cell labelled when it fits."""
    rows, cols = grid.shape
    fig, (ax,) = new_figure(0.9 + 0.26 * max(rows, 1))
    vals = grid.to_numpy(dtype=float)
    ax.imshow(vals, aspect="auto", cmap="Blues", vmin=0, vmax=max(vals.max() if vals.size else 0, 1))
    ax.set_yticks(range(rows), [shorten(plain(r), 26, 1) for r in grid.index], fontsize=7)
    # long stage names wrap at word boundaries over up to three lines (one line each would run into the next)
    width = 24 if cols <= 4 else 16 if cols <= 6 else 12
    ax.set_xticks(range(cols), [wrap(plain(c), width, 3) for c in grid.columns], fontsize=5.8 if cols > 6 else 6.5)
    if cols <= 14:
        top = vals.max() if vals.size else 0
        for i in range(rows):
            for j in range(cols):
                v = vals[i, j]
                if v:
                    text = fmt.money_short(v, lang, currency) if money else fmt.number(v, lang)
                    ax.text(
                        j,
                        i,
                        text,
                        ha="center",
                        va="center",
                        fontsize=5.5,
                        color="white" if v > 0.6 * top else "#111827",
                    )
    ax.set_title(title, loc="left")
    ax.grid(False)
    return fig
