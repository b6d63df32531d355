"""Sections of the sales-forecast notebook: the forecast (:mod:`.metrics`), charts, narrative, definitions.

The heavy work (forecast, backtest, interval calibration) runs once, on first use by any section, and is
kept on the context (:class:`ForecastContext`), so each section only reads it: one
:class:`.metrics.Estimator` gives the forecast, the backtest and the breakdowns. The sections read only
the pushed-down data of :func:`.query.load_forecast`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial

import numpy as np
import pandas as pd

from ... import store as store_lib
from ...core import fmt
from ...core.labels import t
from ...present import kit
from ...present.context import Context, publish, title  # noqa: F401  (the notebook calls report.title and report.publish)
from ...present.section import Section, html_table
from ...store import data_end
from . import charts
from . import metrics as fc_lib
from . import query as queries_forecast

REPORT = __package__.rpartition(".")[2]  # the report is named after its folder (the registry checks)
BREAKDOWN_COLUMNS = ("responsible_user_id", "pipeline_id")
HEADLINE_KEYS = [f"forecast_m{k}_{x}" for k in (1, 2, 3) for x in ("revenue", "low", "high", "deals")]


@dataclass
class ForecastContext(Context):
    """The run context plus the forecast's results, computed once."""

    results: dict = field(default_factory=dict)


def open(
    period: str = "", manager: str = "", pipeline: str = "", store: str = "data/crm.duckdb", lang: str = "ru"
) -> ForecastContext:
    """Resolve the parameters (see :func:`crmreports.present.context.validate`) and read what the forecast
    as of :func:`origin_of` the period needs (:func:`load`)."""
    return kit.open_report(REPORT, load, period, manager, pipeline, store, lang, context=ForecastContext)


def load(
    store: str, period, pipeline_ids: list[int] | None = None, user_ids: list[int] | None = None
) -> queries_forecast.ForecastData:
    """:func:`.query.load_forecast` as of the forecast origin of ``period`` (which depends on the end of
    the data: the account is read first), 24 month starts back (the backtest's and the forecast's)."""
    con = store_lib.connect(store, read_only=True)
    try:
        account = store_lib.read_account(con)
    finally:
        con.close()
    return queries_forecast.load_forecast(
        store,
        _origin(period, data_end(account)),
        2 * fc_lib.DEFAULT.lookback,
        pipeline_ids=pipeline_ids,
        user_ids=user_ids,
    )


def _origin(period, as_of: pd.Timestamp) -> pd.Timestamp:
    end = fc_lib.month_start(period.end_ts - pd.Timedelta(days=1)) + pd.offsets.MonthBegin(1)
    return min(pd.Timestamp(end), fc_lib.month_start(as_of))


def origin_of(ctx: Context) -> pd.Timestamp:
    """The forecast origin: the end of the period (a month start), or the last month start of the data."""
    return _origin(ctx.period, ctx.as_of)


def results(ctx: ForecastContext) -> dict:
    """Forecast, backtest, accuracy and calibration of the context's scope (computed on first call)."""
    if ctx.results:
        return ctx.results
    origin = origin_of(ctx)
    # the reduced read: each deal's last stage per month and its stage at the origin
    data = ctx.data
    if data.origin != origin:
        raise ValueError(f"the store was read for the forecast as of {data.origin}, not {origin}")
    known = fc_lib.known_with_stages(data.leads, data.origin_stages, origin)
    return results_from(ctx, known, partial(fc_lib.snapshots_from_months, known, data.month_stages))


def results_from(ctx: ForecastContext, known: pd.DataFrame, make_snapshots) -> dict:
    """:func:`results` from the deals ``known`` at the origin and ``make_snapshots`` (month starts → their
    snapshots of those deals): :func:`crmreports.store.forecasting.model_results`, the model the goals
    report projects with too; kept on the context."""
    groups = BREAKDOWN_COLUMNS if ctx.scope.kind == "team" else ()  # computed alongside the backtest
    r = fc_lib.model_results(known, make_snapshots, ctx.data.statuses, origin_of(ctx), fc_lib.DEFAULT, groups)
    # a scope (a manager) with no open deal and no win in the last three months is not forecast
    scope_inactive = ctx.scope.kind == "manager" and bool(
        fc_lib.inactive_keys(known.assign(_all=0), r["snapshots"], r["origin"], "_all")
    )
    r["inactive"] = scope_inactive
    if scope_inactive:
        for key in ("raw", "forecast"):
            fc = r[key]
            r[key] = fc_lib.Forecast(**{**{k: getattr(fc, k) for k in fc.__dataclass_fields__}, "status": "inactive"})
    ctx.results.update(r)
    return ctx.results


def _mname(m, lang: str, genitive: bool = False) -> str:
    m = pd.Timestamp(m)
    return f"{fmt.month_name(m.month, lang, genitive)} {m.year}"


def _plural_months(n: int, lang: str) -> str:
    return fmt.count(n, "fc_month", lang)


def _statement(ctx: ForecastContext, sec: Section) -> bool:
    """Add the clear statement for a degenerate history; True when there is no forecast."""
    fc = results(ctx)["forecast"]
    if fc.status == "short_history":
        sec.text(
            t(
                "forecast.short_history",
                ctx.lang,
                months=_plural_months(fc.history_months, ctx.lang),
                need=_plural_months(fc_lib.DEFAULT.min_months, ctx.lang),
            ),
            finding=True,
        )
        return True
    if fc.status == "no_won":
        sec.text(t("forecast.no_won", ctx.lang), finding=True)
        return True
    if fc.status == "inactive":
        sec.text(t("forecast.inactive", ctx.lang, months=fc_lib.INACTIVE_MONTHS), finding=True)
        return True
    return False


def headline(ctx: ForecastContext) -> Section:
    """The forecast for the next three months: central values, 80 % intervals, history + forecast chart."""
    lang = ctx.lang
    r = results(ctx)
    fc, origin = r["forecast"], r["origin"]
    sec = Section(ctx, "forecast", t("forecast.head.title", lang))
    for k in (1, 2, 3):
        ctx.figures[f"forecast_m{k}_revenue"] = fc.value(k)
        ctx.figures[f"forecast_m{k}_low"] = fc.value(k, column="low")
        ctx.figures[f"forecast_m{k}_high"] = fc.value(k, column="high")
        ctx.figures[f"forecast_m{k}_deals"] = fc.value(k, "deals")
    ctx.figures["forecast_origin"] = origin.date().isoformat()
    if origin < ctx.period.end_ts:
        sec.text(
            t(
                "forecast.head.origin_moved",
                lang,
                period=ctx.period_label,
                as_of=fmt.day(ctx.as_of, lang),
                origin=fmt.day(origin, lang),
            )
        )
    if _statement(ctx, sec):
        return sec
    names = [_mname(m, lang) for m in fc.months]
    rev = [fc.value(k) for k in (1, 2, 3)]
    deals = [fc.value(k, "deals") for k in (1, 2, 3)]
    months_label = f"{names[0]} — {names[2]}"
    sec.text(
        t(
            "forecast.head.sentence",
            lang,
            months=months_label,
            total=ctx.estimate(sum(rev)),
            m1=ctx.estimate(rev[0]),
            m2=ctx.estimate(rev[1]),
            m3=ctx.estimate(rev[2]),
            name1=names[0],
            name2=names[1],
            name3=names[2],
        ),
        finding=True,
    )
    sec.text(
        t(
            "forecast.head.deals",
            lang,
            deals=fmt.count(round(sum(deals)), "won_deal", lang),
            d1=fmt.number(deals[0], lang),
            name1=names[0],
        )
    )
    sec.text(
        t(
            "forecast.head.interval",
            lang,
            name1=names[0],
            low=ctx.estimate(fc.value(1, column="low")),
            high=ctx.estimate(fc.value(1, column="high")),
        ),
        finding=True,
    )
    tb = fc.table
    series = fc.series.set_index("month")
    rows = []
    for k, m in enumerate(fc.months, start=1):
        rv = tb[(tb["k"] == k) & (tb["measure"] == "revenue")].iloc[0]
        dl = tb[(tb["k"] == k) & (tb["measure"] == "deals")].iloc[0]
        ago = fc_lib.add_months(m, -12)
        rows.append(
            [
                names[k - 1],
                ctx.estimate(rv["combined"]),
                f"{ctx.estimate(rv['low'])} – {ctx.estimate(rv['high'])}",
                fmt.number(dl["combined"], lang),
                f"{fmt.number(dl['low'], lang)} – {fmt.number(dl['high'], lang)}",
                ctx.money(series["revenue"].get(ago)) if ago in series.index else fmt.DASH,
            ]
        )
    total = tb[tb["measure"] == "revenue"]["combined"].sum()
    rows.append([t("forecast.col.total", lang), ctx.estimate(total), "", fmt.number(sum(deals), lang), "", ""])
    cols = [
        t("forecast.col.month", lang),
        t("forecast.col.revenue", lang),
        t("forecast.col.interval", lang),
        t("forecast.col.deals", lang),
        t("forecast.col.interval", lang) + " ",
        t("forecast.col.year_ago", lang),
    ]
    sec.table("forecast", tb, pd.DataFrame(rows, columns=cols), numeric=set(cols[1:]))
    sec.tables["history"] = fc.series
    sec.figure(charts.history_forecast(fc.series, tb, lang, ctx.currency))
    sec.note(t("forecast.def.revenue", lang, origin=fmt.day(origin, lang), period=ctx.period_label))
    acc = r["accuracy"]
    cov = acc[(acc["method"] == "combined") & (acc["k"] == "all")]["coverage"]
    sec.note(
        t(
            "forecast.def.combined",
            lang,
            factor=fmt.number(r["factors"]["revenue"], lang, 2),
            coverage=fmt.percent(cov.iloc[0], lang) if len(cov) else fmt.DASH,
        )
    )
    return sec


def views(ctx: ForecastContext) -> Section:
    """The pipeline view and the time-series view side by side, and what drives the forecast."""
    lang = ctx.lang
    r = results(ctx)
    fc = r["forecast"]
    sec = Section(ctx, "views", t("forecast.views.title", lang))
    if _statement(ctx, sec):
        return sec
    names = [_mname(m, lang) for m in fc.months]
    tb = fc.table
    rv = tb[tb["measure"] == "revenue"].reset_index(drop=True)
    if rv.loc[0, "pipeline"] > 0:
        share = rv["open_deals"] / rv["pipeline"].where(rv["pipeline"] > 0)
        sec.text(
            t(
                "forecast.views.open_share",
                lang,
                name1=names[0],
                share=fmt.percent(share[0], lang),
                open=ctx.estimate(rv.loc[0, "open_deals"]),
                new=ctx.estimate(rv.loc[0, "new_deals"]),
                name3=names[2],
                share3=fmt.percent(share[2], lang),
            ),
            finding=True,
        )
    p3, ts3 = rv["pipeline"].sum(), rv["ts"].sum()
    gap = fmt.change(p3, ts3, lang)
    key = "forecast.views.agree" if ts3 and abs(p3 / ts3 - 1) <= 0.1 else "forecast.views.disagree"
    sec.text(t(key, lang, p=ctx.estimate(p3), ts=ctx.estimate(ts3), diff=gap))
    _seasonality(ctx, sec, fc, names)
    if fc.model == "trend":
        sec.text(t("forecast.views.nonseasonal", lang, months=_plural_months(fc.history_months, lang)), finding=True)
    elif fc.model == "level":
        sec.text(t("forecast.views.level_only", lang, months=_plural_months(fc.history_months, lang)), finding=True)
    rows = []
    for _, x in tb.iterrows():
        show = ctx.estimate if x["measure"] == "revenue" else (lambda v: fmt.number(v, lang))
        rows.append(
            [
                names[int(x["k"]) - 1],
                t(f"forecast.measure.{x['measure']}", lang),
                show(x["open_deals"]),
                show(x["new_deals"]),
                show(x["pipeline"]),
                show(x["ts"]),
                show(x["combined"]),
            ]
        )
    cols = [
        t("forecast.col.month", lang),
        t("forecast.col.measure", lang),
        t("forecast.col.open", lang),
        t("forecast.col.new", lang),
        t("forecast.col.pipeline", lang),
        t("forecast.col.ts", lang),
        t("forecast.col.combined", lang),
    ]
    sec.parts.append(("html", html_table(pd.DataFrame(rows, columns=cols), set(cols[2:]))))
    sec.tables["probabilities"] = fc.probabilities
    sec.tables["yields"] = fc.yields
    sec.note(t("forecast.def.pipeline", lang, origin=fmt.day(fc.origin, lang), min_obs=fc_lib.DEFAULT.min_obs))
    start = fc.series["month"].iloc[0] if len(fc.series) else fc.origin
    sec.note(
        t(
            "forecast.def.ts",
            lang,
            start=_mname(start, lang, genitive=True),
            model=t(f"forecast.model.{fc.model}", lang),
        )
    )
    return sec


def season_kind(a: float, b: float, year_a: float, year_b: float) -> str:
    """How to word the forecast's move from ``a`` to ``b`` given the same two months a year earlier
    (``year_a`` → ``year_b``): "dip" (a fall of more than 5 % that last year's same months also fell),
    "season" (last year's same months moved the same way: seasonality) or "not_season" (they moved the
    other way, or one of the moves is flat: not seasonality, whatever the model)."""
    if b < a * 0.95 and year_b < year_a:
        return "dip"
    if b != a and year_b != year_a and (b > a) == (year_b > year_a):
        return "season"
    return "not_season"


def _seasonality(ctx: ForecastContext, sec: Section, fc, names) -> None:
    """The largest month-to-month move of the forecast, set against the same move a year earlier."""
    lang = ctx.lang
    months = [fc_lib.add_months(fc.origin, -1)] + list(fc.months)
    series = fc.series.set_index("month")["revenue"]
    values = [series.get(months[0], np.nan)] + [fc.value(k) for k in (1, 2, 3)]
    moves = []
    for i in range(1, len(months)):
        a, b = values[i - 1], values[i]
        ya, yb = series.get(fc_lib.add_months(months[i - 1], -12)), series.get(fc_lib.add_months(months[i], -12))
        if a and not np.isnan(a) and ya and yb is not None:
            moves.append((abs(b / a - 1), i, a, b, ya, yb))
    if not moves or fc.model != "seasonal":
        return
    _, i, a, b, ya, yb = max(moves)
    from_name = _mname(months[i - 1], lang) if i > 1 else _mname(months[0], lang)
    to_name = _mname(months[i], lang)
    kind = season_kind(a, b, ya, yb)
    if kind == "dip":
        sec.text(
            t(
                "forecast.views.season_dip",
                lang,
                from_name=from_name,
                to_name=to_name,
                drop=fmt.percent(1 - b / a, lang),
                change_ago=fmt.change(yb, ya, lang),
            ),
            finding=True,
        )
    elif kind == "not_season":
        sec.text(
            t(
                "forecast.views.not_season",
                lang,
                from_name=from_name,
                to_name=to_name,
                change=fmt.change(b, a, lang),
                change_ago=fmt.change(yb, ya, lang),
            ),
            finding=True,
        )
    else:
        sec.text(
            t(
                "forecast.views.season",
                lang,
                from_name=from_name,
                to_name=to_name,
                change=fmt.change(b, a, lang),
                change_ago=fmt.change(yb, ya, lang),
            ),
            finding=True,
        )


def _stage_labels(ctx: Context, wp: pd.DataFrame) -> pd.Series:
    names = dict(zip(ctx.data.pipelines["id"], ctx.data.pipelines["name"]))
    stage = wp["stage"].where(wp["status_id"] != fc_lib.UNKNOWN_STAGE, t("forecast.stage_unknown", ctx.lang))
    stage = stage.fillna(t("forecast.stage_unknown", ctx.lang))
    if wp["pipeline_id"].nunique() > 1:
        return wp["pipeline_id"].map(names).fillna("?") + ": " + stage
    return stage


PIPELINE_COLUMNS = [
    kit.Column("common.stage", "label", "text"),
    kit.Column("forecast.col.open_deals", "open_deals", "number"),
    kit.Column("forecast.col.amount", "amount", "money"),
    kit.Column("forecast.col.p_win", "p_win", "percent"),
    kit.Column("forecast.col.weighted", "weighted", "estimate"),
    kit.Column("forecast.col.expected", "expected_3m", "estimate"),
]


def pipeline(ctx: ForecastContext) -> Section:
    """The weighted pipeline by stage at the forecast origin."""
    lang = ctx.lang
    r = results(ctx)
    fc = r["forecast"]
    sec = Section(ctx, "pipeline", t("forecast.pipe.title", lang))
    if _statement(ctx, sec):
        return sec
    wp = fc_lib.weighted_pipeline(fc.open_deals, ctx.data.statuses)
    ctx.figures["pipeline_open_deals"] = int(wp["open_deals"].sum()) if len(wp) else 0
    ctx.figures["pipeline_amount"] = float(wp["amount"].sum()) if len(wp) else 0.0
    ctx.figures["pipeline_weighted"] = float(wp["weighted"].sum()) if len(wp) else 0.0
    if wp.empty:
        return sec.text(t("forecast.pipe.none", lang))
    wp = wp.assign(label=_stage_labels(ctx, wp))
    sec.text(
        t(
            "forecast.pipe.sentence",
            lang,
            n=fmt.count(wp["open_deals"].sum(), "open_deal", lang),
            amount=ctx.money(wp["amount"].sum()),
            weighted=ctx.estimate(wp["weighted"].sum()),
            expected=ctx.estimate(wp["expected_3m"].sum()),
        )
    )
    top = wp.sort_values("expected_3m", ascending=False).iloc[0]
    sec.text(
        t(
            "forecast.pipe.top",
            lang,
            stage=top["label"],
            expected=ctx.estimate(top["expected_3m"]),
            amount=ctx.money(top["amount"]),
            p=fmt.percent(top["p_win"], lang),
        ),
        finding=True,
    )
    sec.figure(charts.weighted_pipeline(wp, lang, ctx.currency))
    kit.table(sec, "weighted_pipeline", wp.drop(columns="label"), PIPELINE_COLUMNS, shown_rows=wp)
    sec.note(t("forecast.def.weighted", lang))
    sec.note(t("forecast.def.concepts", lang, months=fc_lib.INACTIVE_MONTHS))
    return sec


def accuracy(ctx: ForecastContext) -> Section:
    """The rolling-origin backtest: WAPE and bias against the naive baselines, forecast vs actual."""
    lang = ctx.lang
    r = results(ctx)
    acc, bt = r["accuracy"], r["backtest"]
    sec = Section(ctx, "accuracy", t("forecast.bt.title", lang))
    ok = acc[acc["k"] == "all"].set_index("method") if len(acc) else pd.DataFrame()
    n = int(ok["n"].iloc[0]) if len(ok) else 0
    keys = {
        "backtest_wape": ("combined", "wape"),
        "backtest_bias": ("combined", "bias"),
        "baseline_last_month_wape": ("last_month", "wape"),
        "baseline_seasonal_wape": ("seasonal", "wape"),
        "backtest_pipeline_wape": ("pipeline", "wape"),
        "backtest_ts_wape": ("ts", "wape"),
        "backtest_coverage": ("combined", "coverage"),
    }
    for key, (m, col) in keys.items():
        ctx.figures[key] = float(ok.loc[m, col]) if n else float("nan")
    ctx.figures["backtest_forecasts"] = n
    ctx.figures["interval_widening"] = r["factors"]["revenue"]
    if not n:
        # without the seasonal baseline (under 13 months), compare with last month only
        b = bt[(bt["measure"] == "revenue") & (bt["status"] == "ok")].dropna(subset=["combined", "last_month"])
        if len(b) and b["actual"].sum():
            w = float((b["combined"] - b["actual"]).abs().sum() / b["actual"].sum())
            wl = float((b["last_month"] - b["actual"]).abs().sum() / b["actual"].sum())
            ctx.figures.update(
                backtest_wape=w,
                baseline_last_month_wape=wl,
                backtest_bias=float((b["combined"] - b["actual"]).sum() / b["actual"].sum()),
            )
            sec.text(
                t(
                    "forecast.bt.sentence",
                    lang,
                    wape=fmt.percent(w, lang),
                    n=fmt.count(len(b), "fc_forecast", lang),
                    bias=fmt.change(1 + ctx.figures["backtest_bias"], 1, lang),
                )
            )
            sec.text(t("forecast.bt.no_seasonal", lang, last=fmt.percent(wl, lang)), finding=True)
            sec.figure(charts.backtest(bt, lang, ctx.currency))
            sec.tables["backtest"] = bt
            ctx.tables["backtest"] = bt
        else:
            sec.text(t("forecast.bt.none", lang), finding=True)
        sec.note(t("forecast.def.backtest", lang, origin=fmt.day(r["origin"], lang)))
        return sec
    w, wl, ws = ok.loc["combined", "wape"], ok.loc["last_month", "wape"], ok.loc["seasonal", "wape"]
    sec.text(
        t(
            "forecast.bt.sentence",
            lang,
            wape=fmt.percent(w, lang),
            n=fmt.count(n, "fc_forecast", lang),
            bias=fmt.change(1 + ok.loc["combined", "bias"], 1, lang),
        ),
        finding=True,
    )
    if w < wl and w < ws:
        sec.text(
            t(
                "forecast.bt.beats",
                lang,
                last=fmt.percent(wl, lang),
                seasonal=fmt.percent(ws, lang),
                d_last=fmt.change(w, wl, lang, "points").replace("−", ""),
                d_seasonal=fmt.change(w, ws, lang, "points").replace("−", ""),
            ),
            finding=True,
        )
    else:
        sec.text(
            t("forecast.bt.not_beats", lang, last=fmt.percent(wl, lang), seasonal=fmt.percent(ws, lang)), finding=True
        )
    cov, factor = ok.loc["combined", "coverage"], r["factors"]["revenue"]
    if factor > 1.0:
        sec.text(t("forecast.bt.coverage", lang, coverage=fmt.percent(cov, lang), factor=fmt.number(factor, lang, 2)))
    else:
        sec.text(t("forecast.bt.coverage_ok", lang, coverage=fmt.percent(cov, lang)))
    sec.figure(charts.backtest(bt, lang, ctx.currency))
    ks = [k for k in acc["k"].unique()]
    rows = []
    for m in fc_lib.METHODS:
        a = acc[acc["method"] == m].set_index("k")
        rows.append(
            [t(f"forecast.method.{m}", lang)]
            + [fmt.percent(a.loc[k, "wape"], lang, 1) for k in ks]
            + [fmt.change(1 + a.loc["all", "bias"], 1, lang)]
        )
    cols = (
        [t("forecast.col.method", lang)]
        + [t("forecast.col.horizon_all", lang) if k == "all" else t("forecast.col.horizon", lang, k=k) for k in ks]
        + [t("forecast.col.bias", lang)]
    )
    sec.table("accuracy", acc, pd.DataFrame(rows, columns=cols), numeric=set(cols[1:]))
    sec.tables["backtest"] = bt
    ctx.tables["backtest"] = bt
    sec.note(t("forecast.def.backtest", lang, origin=fmt.day(r["origin"], lang)))
    return sec


def breakdown(ctx: ForecastContext) -> Section:
    """The combined forecast per manager and per pipeline (team scope only)."""
    lang = ctx.lang
    sec = Section(ctx, "breakdown", t("forecast.by.title", lang))
    if ctx.scope.kind != "team":
        sec.hidden = True
        return sec
    r = results(ctx)
    if _statement(ctx, sec):
        return sec
    names = [_mname(m, lang) for m in r["forecast"].months]
    users = dict(zip(ctx.data.users["id"], ctx.data.users["name"]))
    pipes = dict(zip(ctx.data.pipelines["id"], ctx.data.pipelines["name"]))
    for table, column, label, ref in (
        ("by_manager", "responsible_user_id", "common.manager", users),
        ("by_pipeline", "pipeline_id", "common.pipeline", pipes),
    ):
        g = r["estimator"].by_group(column, r["factors"])
        if g.empty:
            continue
        g.insert(1, "name", g["key"].map(ref).fillna(g["key"].astype(str)))
        if table == "by_manager":
            # no open deal and no win in the last three months: listed as inactive, not forecast
            off = g["key"].isin(fc_lib.inactive_keys(r["known"], r["snapshots"], r["origin"], column))
            values = [c for c in g.columns if c[-2:] in ("_1", "_2", "_3") or c == "revenue_3m"]
            g.loc[off, values] = np.nan
            g.loc[off, "status"] = "inactive"
            g = pd.concat([g[~off], g[off]]).reset_index(drop=True)
            if off.any():
                sec.text(
                    t(
                        "forecast.by.inactive",
                        lang,
                        names=", ".join(g.loc[g["status"] == "inactive", "name"].astype(str)),
                        months=fc_lib.INACTIVE_MONTHS,
                    )
                )
            top = g.dropna(subset=["revenue_3m"]).head(1)
            for _, x in top.iterrows():
                sec.text(
                    t("forecast.by.top", lang, name=x["name"], revenue=ctx.estimate(x["revenue_3m"])), finding=True
                )
        kit.table(sec, table, g, _breakdown_columns(ctx, label, names, g["revenue_1"].max()))
    sec.text(t("forecast.by.cell_note", lang))
    sec.note(t("forecast.def.by", lang))
    return sec


def _breakdown_columns(ctx: ForecastContext, label: str, names: list[str], largest: float) -> list[kit.Column]:
    """The displayed columns of a breakdown: the group's name, each month's forecast and interval
    (:func:`_cell`, in millions when the largest first-month forecast reaches a million, else in
    thousands), and the three months' total (or why there is none)."""
    lang = ctx.lang
    unit, key = (1e6, "forecast.by.unit_m") if largest >= 1e6 else (1e3, "forecast.by.unit_k")

    def month(k: int):
        return lambda g: pd.Series([_cell(lang, x, k, unit) for _, x in g.iterrows()], index=g.index)

    def total(g: pd.DataFrame) -> pd.Series:
        return pd.Series(
            [ctx.estimate(v) if not np.isnan(v) else _status(lang, s) for v, s in zip(g["revenue_3m"], g["status"])],
            index=g.index,
        )

    return (
        [kit.Column(label, "name", "text")]
        + [kit.Column(t(key, lang, month=names[k - 1]), month(k), "text", right=True) for k in (1, 2, 3)]
        + [kit.Column("forecast.col.total", total, "text", right=True)]
    )


def _status(lang: str, status: str) -> str:
    if status == "inactive":
        return t("forecast.by.inactive_cell", lang)
    return t("forecast.by.short", lang) if status == "short_history" else t("forecast.by.no_won", lang)


def _cell(lang: str, x, k: int, unit: float) -> str:
    """``5,7 (2,8–8,7)``: the forecast and its interval in the column's unit."""
    if x["status"] != "ok":
        return fmt.DASH
    d = 1 if unit == 1e6 else 0
    v = [fmt.number(x[f"{c}_{k}"] / unit, lang, d) for c in ("revenue", "low", "high")]
    return f"{v[0]} ({v[1]}–{v[2]})"


def summary(ctx: Context) -> Section:
    """The findings of every section run so far, in one list."""
    return kit.takeaways(ctx, "forecast.summary.title")
