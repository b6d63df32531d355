"""Charts of the sales-forecast report."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ...core import fmt
from ...core.labels import t
from ...present.theme import ACCENT, MUTED, money_axis, new_figure, wrap


def _month_labels(months, lang: str) -> list[str]:
    out = []
    for i, m in enumerate(months):
        m = pd.Timestamp(m)
        name = fmt.month_name(m.month, lang)[:3]
        out.append(f"{name}\n{m.year}" if (i == 0 or m.month == 1) else name)
    return out


def history_forecast(
    series: pd.DataFrame, table: pd.DataFrame, lang: str = "ru", currency: str = "RUB", months: int = 24
) -> Figure:
    """Monthly won revenue (last ``months`` months) and the forecast with its 80 % band and both views."""
    hist = series.tail(months)
    fc = table[table["measure"] == "revenue"]
    fig, (ax,) = new_figure(3.2)
    n = len(hist)
    x_h, x_f = np.arange(n), np.arange(n, n + len(fc))
    ax.bar(x_h, hist["revenue"], color="#bfdbfe", width=0.7, label=t("forecast.chart.actual", lang))
    xb = np.concatenate([[n - 1], x_f]) if n else x_f
    last = [hist["revenue"].iloc[-1]] if n else []
    ax.fill_between(
        xb,
        np.concatenate([last, fc["low"]]),
        np.concatenate([last, fc["high"]]),
        color=ACCENT,
        alpha=0.18,
        linewidth=0,
        label=t("forecast.chart.band", lang),
    )
    ax.plot(
        xb,
        np.concatenate([last, fc["combined"]]),
        color=ACCENT,
        marker="o",
        markersize=4,
        linewidth=2,
        label=t("forecast.chart.combined", lang),
    )
    ax.plot(
        x_f,
        fc["pipeline"],
        color="#f59e0b",
        linestyle="--",
        marker=".",
        linewidth=1,
        label=t("forecast.chart.pipeline", lang),
    )
    ax.plot(
        x_f, fc["ts"], color="#10b981", linestyle=":", marker=".", linewidth=1.2, label=t("forecast.chart.ts", lang)
    )
    ax.set_xticks(np.concatenate([x_h, x_f]), _month_labels(list(hist["month"]) + list(fc["month"]), lang))
    ax.tick_params(axis="x", labelsize=6.5)
    money_axis(ax, lang, currency)
    ax.set_title(t("forecast.chart.history", lang), loc="left")
    ax.legend(loc="upper left", fontsize=7, frameon=False, ncol=3)
    ax.set_ylim(0, max(1.0, float(max(hist["revenue"].max() if n else 0, fc["high"].max()))) * 1.25)
    ax.grid(axis="x", visible=False)
    return fig


def backtest(bt: pd.DataFrame, lang: str = "ru", currency: str = "RUB") -> Figure:
    """One-month-ahead forecasts of the backtest against the actuals, with the naive baselines."""
    d = bt[(bt["measure"] == "revenue") & (bt["k"] == 1) & (bt["status"] == "ok")].sort_values("month")
    fig, (ax,) = new_figure(2.9)
    x = np.arange(len(d))
    ax.bar(x, d["actual"], color="#e5e7eb", width=0.7, label=t("forecast.chart.actual", lang))
    ax.fill_between(x, d["low"], d["high"], color=ACCENT, alpha=0.15, linewidth=0, label=t("forecast.chart.band", lang))
    ax.plot(
        x, d["combined"], color=ACCENT, marker="o", markersize=4, linewidth=2, label=t("forecast.method.combined", lang)
    )
    ax.plot(x, d["last_month"], color=MUTED, linestyle="--", linewidth=1, label=t("forecast.method.last_month", lang))
    if d["seasonal"].notna().any():
        ax.plot(
            x, d["seasonal"], color="#f59e0b", linestyle=":", linewidth=1.2, label=t("forecast.method.seasonal", lang)
        )
    ax.set_xticks(x, _month_labels(d["month"], lang))
    ax.tick_params(axis="x", labelsize=7)
    money_axis(ax, lang, currency)
    top = max(1.0, float(np.nanmax(d[["actual", "high", "last_month", "seasonal"]].to_numpy()))) if len(d) else 1.0
    ax.set_ylim(0, top * 1.3)
    ax.set_title(t("forecast.chart.backtest", lang), loc="left")
    ax.legend(loc="upper left", fontsize=7, frameon=False, ncol=3)
    ax.grid(axis="x", visible=False)
    return fig


def weighted_pipeline(wp: pd.DataFrame, lang: str = "ru", currency: str = "RUB") -> Figure:
    """Open amount, weighted amount and the amount expected within three months, per stage."""
    d = wp.iloc[::-1]
    fig, (ax,) = new_figure(0.9 + 0.3 * max(len(d), 1))
    y = np.arange(len(d))
    ax.barh(y, d["amount"], color="#dbeafe", height=0.8, label=t("forecast.chart.amount", lang))
    ax.barh(y, d["weighted"], color="#93c5fd", height=0.55, label=t("forecast.chart.weighted", lang))
    ax.barh(y, d["expected_3m"], color=ACCENT, height=0.3, label=t("forecast.chart.expected", lang))
    for yi, a, p in zip(y, d["amount"], d["p_win"]):
        ax.text(a, yi, f" {fmt.money_short(a, lang, currency)} · {fmt.percent(p, lang)}", va="center", fontsize=7)
    ax.set_yticks(y, [wrap(s, 34) for s in d["label"]])
    ax.tick_params(axis="y", labelsize=7.5)
    ax.set_xlim(0, max(1.0, float(d["amount"].max())) * 1.4)
    money_axis(ax, lang, currency, axis="x")
    ax.set_title(t("forecast.chart.pipe", lang), loc="left")
    ax.legend(loc="lower right", fontsize=7, frameon=False)
    ax.grid(axis="y", visible=False)
    return fig
