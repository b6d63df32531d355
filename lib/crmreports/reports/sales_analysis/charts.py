"""Charts of the sales-analysis report."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from ...core import fmt
from ...core.labels import t
from ...present.theme import ACCENT, money_axis, new_figure
from ...present.theme import wrap as _wrap


def monthly_revenue(trend: pd.DataFrame, lang: str = "ru", currency: str = "RUB") -> Figure:
    """Won revenue per month (bars), the report period highlighted, won deals as a line."""
    fig, (ax,) = new_figure(3.0)
    x = np.arange(len(trend))
    colors = [ACCENT if p else "#bfdbfe" for p in trend["in_period"]]
    ax.bar(x, trend["revenue"], color=colors, width=0.7)
    labels = [
        f"{fmt.month_name(m.month, lang)[:3]}\n{m.year}"
        if (i == 0 or m.month == 1)
        else fmt.month_name(m.month, lang)[:3]
        for i, m in enumerate(trend["month"])
    ]
    ax.set_xticks(x, labels)
    money_axis(ax, lang, currency)
    ax.set_title(t("sales.chart.trend", lang), loc="left")
    ax2 = ax.twinx()
    ax2.plot(x, trend["won_deals"], color="#f59e0b", marker="o", markersize=3, linewidth=1.5)
    ax2.set_ylim(0, max(1, trend["won_deals"].max()) * 1.25)
    ax2.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax2.grid(False)
    ax2.spines["top"].set_visible(False)
    ax2.tick_params(labelsize=8, colors="#b45309")
    ax2.set_ylabel(t("sales.kpi.won_deals", lang), color="#b45309", fontsize=8)
    return fig


def funnel(funnel_df: pd.DataFrame, lang: str = "ru") -> Figure:
    """Horizontal funnel per pipeline: cumulative (light) and passed-only (dark) counts per stage, with the
    step's conversion among decided deals next to each bar."""
    pipes = list(dict.fromkeys(funnel_df["pipeline"]))
    n_rows = max(len(funnel_df[funnel_df["pipeline"] == p]) for p in pipes) if pipes else 1
    fig, axes = new_figure(0.9 + 0.32 * n_rows, ncols=max(1, len(pipes)))
    for ax, p in zip(axes, pipes):
        d = funnel_df[funnel_df["pipeline"] == p].iloc[::-1]
        y = np.arange(len(d))
        ax.barh(y, d["cumulative"], color="#bfdbfe", label=t("sales.funnel.cumulative_short", lang))
        ax.barh(y, d["passed"], color=ACCENT, height=0.45, label=t("sales.funnel.passed_short", lang))
        ax.set_yticks(y, [_wrap(s, 22) for s in d["stage"]])
        conv_col = "conv_decided" if "conv_decided" in d else "conv_cumulative"
        for yi, c, conv in zip(y, d["cumulative"], d[conv_col]):
            txt = fmt.number(c, lang) + ("" if pd.isna(conv) else f"  ({fmt.percent(conv, lang)})")
            ax.text(c, yi, " " + txt, va="center", fontsize=7.5)
        ax.set_xlim(0, max(1, d["cumulative"].max()) * 1.35)
        ax.set_title(p, loc="left", fontsize=10)
        ax.grid(axis="y", visible=False)
    handles, labels = axes[0].get_legend_handles_labels()
    if "conv_decided" in funnel_df:  # what the percentages next to the bars are
        handles.append(Patch(color="none"))
        labels.append(t("sales.chart.funnel_pct", lang))
    fig.legend(handles, labels, loc="outside lower center", ncols=len(handles), fontsize=7.5, frameon=False)
    return fig


def losses(loss_df: pd.DataFrame, lang: str = "ru", currency: str = "RUB") -> Figure:
    """Lost deals by the stage they were lost at: count (bars) with money lost in the labels."""
    d = loss_df.iloc[::-1]
    fig, (ax,) = new_figure(0.8 + 0.3 * max(len(d), 1))
    y = np.arange(len(d))
    ax.barh(y, d["lost"], color="#ef4444")
    ax.set_yticks(y, [_wrap(s, 30) for s in d["label"]])
    for yi, n, a in zip(y, d["lost"], d["amount"]):
        ax.text(n, yi, f" {fmt.number(n, lang)} · {fmt.money_short(a, lang, currency)}", va="center", fontsize=7.5)
    ax.set_xlim(0, max(1, d["lost"].max()) * 1.4)
    ax.set_title(t("sales.chart.losses", lang), loc="left")
    ax.grid(axis="y", visible=False)
    return fig


def time_in_stage(tis: pd.DataFrame, lang: str = "ru") -> Figure:
    """Median with a P75–P90 whisker per stage, in days."""
    d = tis.iloc[::-1]
    fig, (ax,) = new_figure(0.8 + 0.3 * max(len(d), 1))
    y = np.arange(len(d))
    ax.barh(y, d["median_days"].fillna(0), color=ACCENT, height=0.5, label=t("sales.tis.median", lang))
    ax.hlines(y, d["p75_days"], d["p90_days"], color="#1e3a8a", linewidth=2, label="P75–P90")
    ax.plot(d["p75_days"], y, "|", color="#1e3a8a", markersize=8)
    ax.set_yticks(y, [_wrap(s, 30) for s in d["label"]])
    ax.set_xlabel(t("common.days", lang))
    ax.set_title(t("sales.chart.tis", lang), loc="left")
    ax.legend(loc="lower right", fontsize=7.5, frameon=False)
    ax.grid(axis="y", visible=False)
    return fig


def managers_revenue(mgr: pd.DataFrame, lang: str = "ru", currency: str = "RUB") -> Figure:
    """Revenue per manager (bars) with the win rate in the label."""
    d = mgr.sort_values("revenue").tail(20)
    fig, (ax,) = new_figure(0.8 + 0.28 * max(len(d), 1))
    y = np.arange(len(d))
    ax.barh(y, d["revenue"], color=ACCENT)
    ax.set_yticks(y, d["manager"])
    for yi, r, w in zip(y, d["revenue"], d["win_rate"]):
        ax.text(r, yi, f" {fmt.money_short(r, lang, currency)} · {fmt.percent(w, lang)}", va="center", fontsize=7.5)
    ax.set_xlim(0, max(1, d["revenue"].max()) * 1.35)
    money_axis(ax, lang, currency, axis="x")
    ax.set_title(t("sales.chart.managers", lang), loc="left")
    ax.grid(axis="y", visible=False)
    return fig


def cohort_matrix(m: pd.DataFrame, lang: str = "ru") -> Figure:
    """Heat map of the cohort matrix: one row per month of creation (newest at the bottom), one column per
    month since creation, the cumulative share won in each cell; empty where the cohort is not that old yet."""
    ages = [c for c in m.columns if c.startswith("m") and c[1:].isdigit()]
    values = m[ages].to_numpy(dtype=float)
    fig, (ax,) = new_figure(0.9 + 0.27 * max(len(m), 1))
    masked = np.ma.masked_invalid(values)
    top = max(float(np.nanmax(values)) if np.isfinite(values).any() else 0.0, 0.01)
    ax.imshow(masked, aspect="auto", cmap="Blues", vmin=0, vmax=top * 1.15)
    for i in range(values.shape[0]):
        for j in range(values.shape[1]):
            v = values[i, j]
            if np.isfinite(v):
                color = "white" if v > top * 0.65 else "#111827"
                ax.text(j, i, fmt.percent(v, lang), ha="center", va="center", fontsize=6.5, color=color)
    rows = [
        f"{fmt.month_name(d.month, lang)[:3]} {d.year} · {fmt.number(n, lang)}"
        for d, n in zip(m["cohort"], m["created"])
    ]
    ax.set_yticks(np.arange(len(m)), rows)
    ax.set_xticks(np.arange(len(ages)), [f"+{a[1:]}" for a in ages])
    ax.set_xlabel(t("sales.chart.cohorts_x", lang), fontsize=8)
    ax.set_title(t("sales.chart.cohorts", lang), loc="left")
    ax.grid(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_visible(False)
    return fig
