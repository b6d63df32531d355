"""Charts of the goals (sales plan) report."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.dates import DateFormatter
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from ...core import fmt
from ...core.labels import t
from ...present.theme import ACCENT, MUTED, money_axis, new_figure


def _value_axis(ax, metric: str, lang: str, currency: str) -> None:
    if metric == "revenue":
        money_axis(ax, lang, currency)
    else:
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))


def cumulative(daily: pd.DataFrame, progress, title: str, lang: str = "ru", currency: str = "RUB") -> Figure:
    """Cumulative actual (line) against the plan line spread over working days, the run-rate projection
    from the as-of moment to the period's end (dashed) and the open-deal band at the end (bar)."""
    fig, (ax,) = new_figure(3.0)
    days = daily["day"]
    end = days.iloc[-1] + pd.Timedelta(days=1)
    plan_x = pd.concat([pd.Series([days.iloc[0]]), days + pd.Timedelta(days=1)], ignore_index=True)
    plan_y = np.concatenate([[0.0], daily["plan_line"].to_numpy()])
    ax.plot(plan_x, plan_y, color=MUTED, linewidth=1.5, label=t("goals.chart.plan", lang))
    known = daily.dropna(subset=["cumulative"])
    if len(known):
        fx = pd.concat([pd.Series([days.iloc[0]]), known["day"] + pd.Timedelta(days=1)], ignore_index=True)
        fy = np.concatenate([[0.0], known["cumulative"].to_numpy()])
        if progress.status == "in_progress":
            fx.iloc[-1] = min(fx.iloc[-1], progress.as_of)
        ax.step(fx, fy, where="post", color=ACCENT, linewidth=2, label=t("goals.chart.fact", lang))
    if progress.status == "in_progress":
        ax.axvline(progress.as_of, color="#6b7280", linewidth=0.8, linestyle=":")
        if not math.isnan(progress.projection):
            ax.plot(
                [progress.as_of, end],
                [progress.fact, progress.projection],
                color=ACCENT,
                linestyle="--",
                linewidth=1.3,
                label=t("goals.chart.projection", lang),
            )
        if not math.isnan(progress.projection_low):
            ax.errorbar(
                [end],
                [(progress.projection_low + progress.projection_high) / 2],
                yerr=[[(progress.projection_high - progress.projection_low) / 2]] * 2,
                fmt="none",
                ecolor="#f59e0b",
                elinewidth=5,
                capsize=0,
                label=t("goals.chart.band", lang),
            )
    ax.axhline(progress.target, color="#ef4444", linewidth=0.8, linestyle="-", alpha=0.6)
    ax.set_xlim(days.iloc[0], end + pd.Timedelta(days=max(1, len(days) // 30)))
    top = np.nanmax(
        [
            progress.target,
            progress.fact,
            progress.projection if not math.isnan(progress.projection) else 0,
            progress.projection_high if not math.isnan(progress.projection_high) else 0,
        ]
    )
    ax.set_ylim(0, top * 1.12 if top > 0 else 1)
    ax.xaxis.set_major_formatter(DateFormatter("%d.%m" if lang == "ru" else "%d %b"))
    _value_axis(ax, progress.plan.metric, lang, currency)
    ax.set_title(title, loc="left")
    ax.legend(loc="upper left", fontsize=7.5, frameon=False)
    return fig


def managers(df: pd.DataFrame, lang: str = "ru") -> Figure:
    """% of plan done per manager (bars) with the run-rate projection (marker) and the 100 % line."""
    d = df.sort_values("done_share").tail(20)
    fig, (ax,) = new_figure(0.9 + 0.3 * max(len(d), 1))
    y = np.arange(len(d))
    labels = [
        f"{m} · {t('goals.metric.' + k, lang).lower()}" if df["metric"].nunique() > 1 else m
        for m, k in zip(d["manager"], d["metric"])
    ]
    ax.barh(y, d["done_share"], color=ACCENT, height=0.55, label=t("goals.chart.fact", lang))
    proj = d["projected_share"].to_numpy(dtype=float)
    ax.plot(proj, y, "D", color="#f59e0b", markersize=4, label=t("goals.chart.projection", lang))
    ax.axvline(1.0, color="#ef4444", linewidth=0.9)
    for yi, v in zip(y, d["done_share"]):
        ax.text(v, yi, " " + fmt.percent(v, lang), va="center", fontsize=7.5)
    ax.set_yticks(y, labels)
    hi = np.nanmax(np.concatenate([d["done_share"].to_numpy(dtype=float), proj, [1.0]]))
    ax.set_xlim(0, hi * 1.2)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt.percent(v, lang)))
    ax.set_title(t("goals.chart.managers", lang), loc="left")
    ax.legend(loc="lower right", fontsize=7.5, frameon=False)
    ax.grid(axis="y", visible=False)
    return fig
