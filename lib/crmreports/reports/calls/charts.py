"""Charts of the calls report («Звонки»)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator

from ...core import fmt
from ...core.labels import t
from ...present.theme import ACCENT, MUTED, new_figure

IN_COLOR, MISSED_COLOR, OUT_COLOR = "#10b981", "#ef4444", ACCENT


def weekly(daily: pd.DataFrame) -> pd.DataFrame:
    """Daily counts summed by week starting Monday (``day`` = the Monday)."""
    d = daily.assign(day=daily["day"] - pd.to_timedelta(daily["day"].dt.day_of_week, unit="D"))
    g = d.groupby("day")[["calls_in", "calls_out", "answered", "missed", "total"]].sum().reset_index()
    return g.assign(working=True)


def daily(daily_df: pd.DataFrame, lang: str = "ru", by_week: bool = False) -> Figure:
    """Stacked bars per day (or week): inbound answered, inbound missed, outbound; weekends lighter."""
    d = weekly(daily_df) if by_week else daily_df
    fig, (ax,) = new_figure(2.9)
    x = np.arange(len(d))
    alpha = np.where(d["working"], 1.0, 0.45)
    in_ans = (d["calls_in"] - d["missed"]).to_numpy()
    missed = d["missed"].to_numpy()
    out = d["calls_out"].to_numpy()
    for i in range(len(d)):
        ax.bar(x[i], in_ans[i], color=IN_COLOR, alpha=alpha[i], width=0.8)
        ax.bar(x[i], missed[i], bottom=in_ans[i], color=MISSED_COLOR, alpha=alpha[i], width=0.8)
        ax.bar(x[i], out[i], bottom=in_ans[i] + missed[i], color=OUT_COLOR, alpha=alpha[i], width=0.8)
    handles = [
        Patch(color=c, label=t(key, lang))
        for c, key in (
            (IN_COLOR, "calls.chart.in_answered"),
            (MISSED_COLOR, "calls.chart.missed"),
            (OUT_COLOR, "calls.chart.out"),
        )
    ]
    step = max(1, int(np.ceil(len(d) / 16)))
    ticks = x[::step]
    ax.set_xticks(
        ticks,
        [fmt.day(v, lang)[:5] if lang == "ru" else pd.Timestamp(v).strftime("%d %b") for v in d["day"].iloc[::step]],
        rotation=0,
    )
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylim(0, max(1, int(d["total"].max())) * 1.15)
    ax.set_title(t("calls.chart.weekly" if by_week else "calls.chart.daily", lang), loc="left")
    ax.legend(handles=handles, loc="upper center", fontsize=7.5, frameon=False, ncols=3, bbox_to_anchor=(0.5, -0.1))
    ax.grid(axis="x", visible=False)
    return fig


def managers(mgr: pd.DataFrame, team_share: float, team_avg_s: float, lang: str = "ru") -> Figure:
    """Answered share and average call per manager with 95 % intervals and the team's value as a line;
    managers with too few calls are grey, managers without calls are left out."""
    d = mgr[mgr["calls_total"] > 0].sort_values("calls_total").tail(25)
    fig, axes = new_figure(0.9 + 0.3 * max(len(d), 1), ncols=2)
    y = np.arange(len(d))
    few = d["answered_flag"].isin(["few", "none"]).to_numpy()
    colors = {"above": "#059669", "below": "#dc2626", "within": ACCENT}
    panels = [
        (
            axes[0],
            d["answered_share"],
            d["answered_lo"],
            d["answered_hi"],
            team_share,
            d["answered_flag"],
            "calls.chart.answered",
            lambda v, _: fmt.percent(v, lang),
        ),
        (
            axes[1],
            d["duration_avg_s"] / 60,
            d["duration_lo"] / 60,
            d["duration_hi"] / 60,
            team_avg_s / 60,
            d["duration_flag"],
            "calls.chart.duration",
            lambda v, _: fmt.number(v, lang, 1),
        ),
    ]
    for ax, val, lo, hi, team, flags, title, f in panels:
        c = [MUTED if k else colors.get(fl, ACCENT) for k, fl in zip(few, flags)]
        ax.hlines(y, lo, hi, color=c, linewidth=2.2)
        ax.scatter(val, y, color=c, s=22, zorder=3)
        if not np.isnan(team):
            ax.axvline(team, color="#111827", linestyle="--", linewidth=1)
            ax.text(team, len(d) - 0.4, " " + t("calls.chart.team", lang), fontsize=7, va="bottom")
        ax.xaxis.set_major_formatter(FuncFormatter(f))
        ax.set_title(t(title, lang), loc="left", fontsize=9.5)
        ax.grid(axis="y", visible=False)
        ax.set_ylim(-0.6, len(d) - 0.1 + 0.6)
    axes[0].set_yticks(y, [f"{m} ({n})" for m, n in zip(d["manager"], d["calls_total"])])
    axes[1].set_yticks(y, [""] * len(d))
    axes[0].set_xlim(0, 1)
    if few.any():
        fig.text(0.01, 0.0, t("calls.chart.few", lang), fontsize=7, color=MUTED)
    return fig
