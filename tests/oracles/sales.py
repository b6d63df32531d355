"""The sales analysis on the whole store: the reference the pushed-down read is compared with.

The report's sections read :class:`crmreports.reports.sales_analysis.query.SalesData`
(:func:`~crmreports.reports.sales_analysis.query.load_sales`): leads and stage changes reduced in SQL to the
rows each metric can see, the cohort's deals counted by the stages they entered, and the stays in a stage
counted by duration. Here every lead of the scope is read with its whole history
(:func:`oracles.open_full`, the way every report read before the pushdown) and the
same fields are what the metric functions see on the whole tables (:func:`reference_data`): the whole lead
table for every lead frame, the whole history for every change frame, the stage sets and the stays found in
pandas (:func:`funnel_sets`, :func:`stays`), and whether there is any history, any amount, who has one,
judged from the whole tables. :func:`full_context` is the report's context on that data.

The metric functions the sections ran on a full read before (the funnel of :func:`funnel`, the stage
skippers of :func:`skippers`, the time in stage of :func:`time_in_stage`) are here too, so that the
report's tables can be compared with them directly (:func:`assert_reference_tables`).
"""

from __future__ import annotations

import dataclasses

import pandas as pd

from crmreports import store
from crmreports.core.periods import Period
from crmreports.present.context import Context
from crmreports.reports.sales_analysis import metrics as sales
from crmreports.reports.sales_analysis import query
from crmreports.reports.sales_analysis import sections as view
from report_equality import frames_equal

from . import open_full


def has_history(data: store.StoreData) -> bool:
    """Whether the scope's deals have any stage-to-stage move."""
    sc = data.stage_changes
    return len(sc) > 0 and bool(sc["from_status_id"].notna().any())


def funnel_sets(leads: pd.DataFrame, stage_changes: pd.DataFrame, period: Period) -> pd.DataFrame:
    """The deals of the period's cohort counted by (pipeline_id, ``stages``: the sorted statuses a deal
    entered in that pipeline, ``outcome``: :func:`sales.deal_outcome`) in ``n``, from every stage each deal
    entered (:func:`sales.visited_stages`)."""
    cohort = leads[period.contains(leads["created_at"])]
    v = sales.visited_stages(cohort, stage_changes)
    sets = (
        v.sort_values("status_id")
        .groupby(["lead_id", "pipeline_id"])["status_id"]
        .agg(tuple)
        .rename("stages")
        .reset_index()
    )
    outcome = dict(zip(cohort["id"], sales.deal_outcome(cohort["status_id"])))
    sets["outcome"] = sets["lead_id"].map(outcome)
    out = sets.groupby(["pipeline_id", "stages", "outcome"]).size().rename("n").reset_index()
    return out.astype({"pipeline_id": "int64", "n": "int64"})


def stays(stage_changes: pd.DataFrame, statuses: pd.DataFrame, period: Period, as_of: pd.Timestamp) -> pd.DataFrame:
    """The stays in an open stage that began in the period (:func:`sales.stage_visits` on the whole history),
    counted by (pipeline_id, status_id, ``dur_us``: microseconds from entering to leaving, or to ``as_of``
    while still there; ``observed``) in ``n``."""
    v = sales.stage_visits(stage_changes, statuses, as_of)
    v = v[period.contains(v["entered"])].dropna(subset=["pipeline_id", "status_id"])
    dur = (v["left"].fillna(as_of) - v["entered"]).to_numpy().astype("timedelta64[us]").astype("int64")
    counted = (
        pd.DataFrame(
            {
                "pipeline_id": v["pipeline_id"].astype("int64").to_numpy(),
                "status_id": v["status_id"].astype("int64").to_numpy(),
                "dur_us": dur,
                "observed": v["observed"].to_numpy(dtype=bool),
            }
        )
        .groupby(["pipeline_id", "status_id", "dur_us", "observed"])
        .size()
        .rename("n")
        .reset_index()
    )
    return counted


def reference_data(data: store.StoreData, period: Period, as_of: pd.Timestamp) -> query.SalesData:
    """``data`` (the whole store for the scope) as the fields the report's sections read."""
    leads, sc = data.leads, data.stage_changes
    priced = leads.loc[leads["price"].notna(), "responsible_user_id"].dropna()
    base = {f.name: getattr(data, f.name) for f in dataclasses.fields(store.StoreData)}
    return query.SalesData(
        **base,
        won_leads=leads,
        cohort_leads=leads,
        open_leads=leads,
        loss_changes=sc,
        snapshot_changes=sc,
        funnel_sets=funnel_sets(leads, sc, period),
        stays=stays(sc, data.statuses, period, as_of),
        has_history=has_history(data),
        has_amounts=bool(leads["price"].notna().any()),
        priced_users=frozenset(int(u) for u in priced),
    )


def full_context(
    period: str = "", manager: str = "", pipeline: str = "", store_path: str = "", lang: str = "ru"
) -> Context:
    """The report's context with every row of the scope read (:func:`reference_data`)."""
    ctx = open_full(view.REPORT, period, manager, pipeline, str(store_path), lang)
    return dataclasses.replace(ctx, data=reference_data(ctx.data, ctx.period, ctx.as_of))


def funnel(ctx: Context) -> pd.DataFrame:
    """The cohort's funnel from every stage change (:func:`sales.funnel` on the whole tables)."""
    d = ctx.data
    return sales.funnel(d.leads, d.stage_changes, d.statuses, d.pipelines, ctx.period)


def skippers(ctx: Context) -> int:
    """Deals of the cohort whose furthest stage is beyond the stages they entered (skipped a stage)."""
    d = ctx.data
    cohort = d.leads[ctx.period.contains(d.leads["created_at"])]
    v = sales.visited_stages(cohort, d.stage_changes)
    n = 0
    for pid, g in v.groupby("pipeline_id"):
        order = sales.stage_order(d.statuses, pid)
        r = g.merge(order[["id", "rank"]], left_on="status_id", right_on="id")
        per = r.groupby("lead_id")["rank"].agg(["max", "nunique"])
        n += int((per["max"] + 1 > per["nunique"]).sum())
    return n


def time_in_stage(ctx: Context) -> pd.DataFrame:
    """Time in stage from every stay (:func:`sales.stage_visits` and :func:`sales.time_in_stage`)."""
    d = ctx.data
    return sales.time_in_stage(sales.stage_visits(d.stage_changes, d.statuses, ctx.as_of), d.statuses, ctx.period)


def assert_reference_tables(full: Context, push: Context) -> None:
    """The funnel, its skippers and the time in stage of the report read through ``push`` (after its
    sections ran) against the metric functions on the whole tables of ``full`` (a :func:`full_context`)."""
    if "funnel" in push.tables:
        frames_equal(funnel(full), push.tables["funnel"], "funnel (whole tables)")
        assert skippers(full) == sales.skippers_counted(push.data.funnel_sets, push.data.statuses)
    else:
        f = funnel(full)
        assert not has_history(full.data) or f.empty or f["cumulative"].max() == 0
    if "time_in_stage" in push.tables:
        frames_equal(time_in_stage(full), push.tables["time_in_stage"], "time_in_stage (whole tables)")
    elif has_history(full.data):
        assert time_in_stage(full).empty
