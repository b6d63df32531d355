"""Forecast metrics on the hand-built fixture (tests/fixtures_forecast.py, values worked out there), the
no-look-ahead property of the backtest on the demo account, and degenerate histories."""

import math

import numpy as np
import pandas as pd
import pytest

import fixtures_forecast as fx
from crmreports import store
from crmreports.reports.forecast import metrics as F
from crmreports.store.forecasting.probabilities import _age_band
from oracles import forecast as oracle

S1 = F.Settings(lookback=2, min_obs=1, age_bins=(0, math.inf))


@pytest.fixture(scope="module")
def snaps():
    return oracle.snapshots(fx.leads(), fx.stage_changes(), F.snapshot_moments(fx.leads(), fx.ORIGIN, 2))


def test_snapshots_stage_at_each_moment(snaps):
    s = snaps.set_index(["moment", "lead_id"])
    # 02-01: only L9 exists and is open, in A; 03-01: L1..L6 and L9 open; L5, L6 already in B
    assert list(s.loc[pd.Timestamp("2026-02-01")].index) == [9]
    mar = s.loc[pd.Timestamp("2026-03-01")]
    assert sorted(mar.index) == [1, 2, 3, 4, 5, 6, 9]
    assert mar.loc[5, "status_id"] == 2 and mar.loc[1, "status_id"] == 1
    assert mar.loc[9, "age_days"] == pytest.approx(50)  # created 01-10
    # at D: L3 (A), L7 (A, created after every earlier snapshot), L8 (B)
    d = s.loc[fx.ORIGIN]
    assert sorted(d.index) == [3, 7, 8] and d.loc[8, "status_id"] == 2


def test_cumulative_incidence_by_hand():
    # stage A rows: 5 lost, 10 won, 11 won, 20 won, 31 censored, 39 won
    cif, p = F.cumulative_incidence([39, 10, 5, 31, 20, 11], [1, 1, 2, 0, 1, 1], [4, 10, 11, 30, 61])
    assert cif == pytest.approx([0, 1 / 6, 1 / 3, 1 / 2, 5 / 6])
    assert p == pytest.approx(5 / 6)
    # censoring is not a loss: dropping the open deal would give 4/5 won among closed ones
    assert p != pytest.approx(4 / 5)


def test_stage_probabilities_by_hand(snaps):
    pr = F.stage_probabilities(snaps, fx.ORIGIN, S1)
    st = pr[pr["level"] == "stage"].set_index("status_id")
    assert st.loc[1, "n"] == 6 and (st.loc[1, "won"], st.loc[1, "lost"], st.loc[1, "censored"]) == (4, 1, 1)
    assert st.loc[1, "p_win"] == pytest.approx(5 / 6)
    assert [st.loc[1, f"cif_{k}"] for k in (1, 2, 3)] == pytest.approx([1 / 2, 5 / 6, 5 / 6])
    assert st.loc[2, "p_win"] == pytest.approx(1 / 2) and st.loc[2, "cif_1"] == pytest.approx(1 / 2)
    whole = pr[pr["level"] == "pipeline"].iloc[0]
    assert whole["n"] == 8 and whole["p_win"] == pytest.approx(3 / 4) and whole["cif_1"] == pytest.approx(1 / 2)


def test_horizon_days():
    assert list(F.horizon_days(fx.ORIGIN)) == [30, 61, 91]


def test_weighted_pipeline_by_hand(snaps):
    pr = F.stage_probabilities(snaps, fx.ORIGIN, S1)
    w = F.weight_open_deals(snaps[snaps["moment"] == fx.ORIGIN], pr, S1).set_index("lead_id")
    assert w.loc[7, "p_1"] == pytest.approx(1 / 2) and w.loc[7, "p_2"] == pytest.approx(1 / 3)
    assert w.loc[7, "p_3"] == pytest.approx(0)
    assert w["exp_1"].sum() == pytest.approx(900)  # 1 300 / 2 + 500 / 2
    assert w["exp_2"].sum() == pytest.approx(1300 / 3)
    wp = F.weighted_pipeline(w.reset_index(), fx.statuses()).set_index("stage")
    assert wp.loc["A", "open_deals"] == 2 and wp.loc["A", "amount"] == 1300
    assert wp.loc["A", "weighted"] == pytest.approx(1300 * 5 / 6)
    assert wp.loc["A", "expected_3m"] == pytest.approx(1300 * 5 / 6)
    assert wp.loc["B", "weighted"] == pytest.approx(250) and wp.loc["B", "expected_3m"] == pytest.approx(250)


def test_sparse_cell_falls_back_to_the_pipeline(snaps):
    s3 = F.Settings(lookback=2, min_obs=3, age_bins=(0, math.inf))
    pr = F.stage_probabilities(snaps, fx.ORIGIN, s3)
    w = F.weight_open_deals(snaps[snaps["moment"] == fx.ORIGIN], pr, s3).set_index("lead_id")
    # stage B has 2 observations < 3: L8 takes the whole pipeline's curve
    assert w.loc[8, "level"] == "pipeline"
    assert w.loc[8, "weighted"] == pytest.approx(375)
    assert (w.loc[8, "exp_1"], w.loc[8, "exp_2"]) == pytest.approx((250, 125))
    assert w.loc[3, "level"] == "cell"


def test_known_at_hides_the_future():
    ld, sc = oracle.known_at(fx.leads(), fx.stage_changes(), pd.Timestamp("2026-03-01"))
    assert sorted(ld["id"]) == [1, 2, 3, 4, 5, 6, 9]  # L7, L8 created later
    assert ld.set_index("id").loc[5, "status_id"] == 2  # won 03-04: in B on 03-01
    assert ld["closed_at"].isna().all() and (sc["at"] < pd.Timestamp("2026-03-01")).all()


def test_new_deal_yields_by_hand():
    # creation months before 2026-04: Jan (L9), Feb (L1..L6), Mar (L7, L8)
    # lag 0 (cohorts up to Mar): won in the month of creation: none → 0
    # lag 1 (cohorts up to Feb, 7 deals): L9 was won in March, two months after January → not lag 1;
    #   L1, L4, L5 won in March, one month after February: 300 / 7
    # lag 2 (cohorts up to Jan, 1 deal): L9 won in March: 100 / 1
    y = F.new_deal_yields(fx.leads(), fx.ORIGIN, 12).set_index("lag")
    assert list(y["cohorts_created"]) == [9, 7, 1]
    assert y.loc[0, "revenue_per_deal"] == 0
    assert y.loc[1, "revenue_per_deal"] == pytest.approx(300 / 7) and y.loc[1, "wins_per_deal"] == pytest.approx(3 / 7)
    assert y.loc[2, "revenue_per_deal"] == pytest.approx(100)


def test_monthly_series_starts_after_the_first_month():
    s = F.monthly_series(fx.leads(), fx.ORIGIN)
    assert list(s["month"]) == [pd.Timestamp("2026-02-01"), pd.Timestamp("2026-03-01")]
    assert list(s["revenue"]) == [0, 400] and list(s["won_deals"]) == [0, 4] and list(s["created"]) == [6, 2]


def test_ets_model_choice_by_history_length():
    rng = np.random.default_rng(1)
    months = np.arange(36)
    y = 100 + 2 * months + 30 * np.sin(2 * np.pi * months / 12) + rng.normal(0, 3, 36)
    seasonal = F.ets_forecast(y)
    assert seasonal.model == "seasonal"
    # the seasonal model carries the cycle forward: months 36..38 are 172 + 30·sin(0, π/6, π/3) = 172, 189, 202
    assert seasonal.mean == pytest.approx([172, 189, 202], abs=12)
    assert np.all(seasonal.low < seasonal.mean) and np.all(seasonal.mean < seasonal.high)
    assert F.ets_forecast(y[:15]).model == "trend" and F.ets_forecast(y[:6]).model == "level"
    assert list(F.ets_forecast([5, 5, 5, 5]).mean) == [5, 5, 5]


def test_degenerate_histories_are_statements():
    short = oracle.forecast_as_of(fx.leads(), fx.stage_changes(), fx.ORIGIN)
    assert short.status == "short_history" and short.history_months == 2
    assert math.isnan(short.value(1))
    t = fx.no_won_tables()
    none = oracle.forecast_as_of(t["leads"], t["stage_changes"], pd.Timestamp("2026-07-01"))
    assert none.status == "no_won"
    bt = oracle.backtest(t["leads"], t["stage_changes"], pd.Timestamp("2026-07-01"))
    assert set(bt["status"]) <= {"short_history", "no_won"}
    assert F.accuracy(bt)["n"].eq(0).all()
    empty = oracle.forecast_as_of(t["leads"].iloc[:0], t["stage_changes"].iloc[:0], pd.Timestamp("2026-07-01"))
    assert empty.status == "short_history"


def test_origin_must_be_a_month_start():
    with pytest.raises(ValueError, match="first moment of a month"):
        oracle.forecast_as_of(fx.leads(), fx.stage_changes(), pd.Timestamp("2026-04-15"))


@pytest.mark.parametrize("builder", ["tables", "no_won_tables"])
def test_report_sections_state_why_there_is_no_forecast(tmp_path, builder):
    from crmreports.reports.forecast import sections as report

    path = tmp_path / "crm.duckdb"
    store.write_full(path, getattr(fx, builder)())
    period = "2026-03" if builder == "tables" else "2026-06"
    for lang in ("ru", "en"):
        ctx = report.open(period=period, store=str(path), lang=lang)
        html = "".join(
            f(ctx).to_html()
            for f in (report.headline, report.views, report.pipeline, report.accuracy, report.breakdown)
        )
        word = {"ru": "Прогноз не построен", "en": "No forecast"}[lang]
        assert word in html
        assert ctx.figures["forecast_m1_revenue"] != ctx.figures["forecast_m1_revenue"]  # NaN, not 0


# --- the demo account ------------------------------------------------------------------------------


def _delete_after(leads, changes, d):
    """The store as it was at ``d``: later deals and events deleted, later closes undone."""
    leads = leads[leads["created_at"] < d].copy()
    changes = changes[changes["at"] < d]
    stage = changes.sort_values("at").groupby("lead_id")["to_status_id"].last()
    later = leads["closed_at"] >= d
    leads.loc[later, "status_id"] = leads.loc[later, "id"].map(stage).values
    leads.loc[later, "closed_at"] = pd.NaT
    return leads, changes


@pytest.fixture(scope="module")
def demo(demo_store):
    return store.load(demo_store)


def test_no_look_ahead(demo):
    d = pd.Timestamp("2026-06-01")
    full = oracle.forecast_as_of(demo.leads, demo.stage_changes, d)
    cut = oracle.forecast_as_of(*_delete_after(demo.leads, demo.stage_changes, d), d)
    assert full.ok
    pd.testing.assert_frame_equal(full.table, cut.table)
    # the later data really differs: the full store knows more deals and more wins
    assert len(demo.leads) > len(_delete_after(demo.leads, demo.stage_changes, d)[0])
    # the backtest's forecast as of D equals the forecast from the truncated store
    bt = oracle.backtest(demo.leads, demo.stage_changes, pd.Timestamp("2026-11-01"))
    row = bt[(bt["forecast_origin"] == d) & (bt["measure"] == "revenue")].set_index("k")
    for k in (1, 2, 3):
        assert row.loc[k, "combined"] == pytest.approx(cut.value(k))


def test_backtest_on_demo_beats_both_baselines(demo):
    bt = oracle.backtest(demo.leads, demo.stage_changes, pd.Timestamp("2026-11-01"))
    acc = F.accuracy(bt).query("k == 'all'").set_index("method")
    assert acc.loc["combined", "n"] >= 30  # 12 + 11 + 10 origin × horizon pairs
    assert acc.loc["combined", "wape"] < acc.loc["last_month", "wape"]
    assert acc.loc["combined", "wape"] < acc.loc["seasonal", "wape"]
    assert F.calibration_factor(bt) >= 1


def test_group_forecasts_add_up_roughly(demo):
    o = pd.Timestamp("2026-11-01")
    team = oracle.forecast_as_of(demo.leads, demo.stage_changes, o)
    g = oracle.by_group(demo.leads, demo.stage_changes, o, "pipeline_id")
    assert len(g) == 2 and (g["status"] == "ok").all()
    assert g["revenue_1"].sum() == pytest.approx(team.value(1), rel=0.2)
    one = demo.leads[demo.leads["pipeline_id"] == g.loc[0, "key"]]
    alone = oracle.forecast_as_of(one, demo.stage_changes[demo.stage_changes["lead_id"].isin(one["id"])], o)
    assert g.loc[0, "revenue_1"] == pytest.approx(alone.value(1))


# --- one estimator for every origin and group: the same numbers as each computed on its own -----------


def _naive_probabilities(snaps, origin, settings=F.DEFAULT):
    """The definition: the training rows of ``origin``, grouped per level, each group's cumulative
    incidence (won) from its durations and outcomes."""
    lo = F.add_months(origin, -settings.lookback)
    tr = snaps[(snaps["moment"] < origin) & (snaps["moment"] >= lo)]
    done = tr["closed_at"].notna() & (tr["closed_at"] < origin)
    tr = tr.assign(
        duration=(tr["closed_at"].where(done, origin) - tr["moment"]) / F.DAY,
        event=np.where(done, np.where(tr["won"], 1, 2), 0),
        band=_age_band(tr["age_days"], settings.age_bins),
    )
    hd = F.horizon_days(origin)
    rows = []
    for level, by in F.LEVELS:
        for key, g in tr.groupby(list(by)) if by else [((), tr)]:
            if by and not len(tr):
                continue
            cif, p = F.cumulative_incidence(g["duration"], g["event"], hd)
            rows.append(
                {
                    "level": level,
                    "pipeline_id": -1,
                    "status_id": -2,
                    "band": -1,
                    **dict(zip(by, key if isinstance(key, tuple) else (key,))),
                    "n": len(g),
                    "won": int((g["event"] == 1).sum()),
                    "lost": int((g["event"] == 2).sum()),
                    "censored": int((g["event"] == 0).sum()),
                    "p_win": p,
                    **{f"cif_{k + 1}": cif[k] for k in range(len(hd))},
                }
            )
    return pd.DataFrame(rows, columns=F.PROBABILITY_COLUMNS)


@pytest.fixture(scope="module")
def demo_snapshots(demo):
    o = pd.Timestamp("2026-11-01")
    known, sc = oracle.known_at(demo.leads, demo.stage_changes, o)
    return known, oracle.snapshots(known, sc, F.snapshot_moments(known, o, 12, 12))


@pytest.mark.parametrize("origin", ["2026-11-01", "2026-06-01", "2025-12-01", "2025-11-01"])
def test_stage_probabilities_are_each_groups_cumulative_incidence(demo_snapshots, origin):
    """Estimated for every group at once from rows sorted once: exactly the per-group definition."""
    o = pd.Timestamp(origin)
    _, snaps = demo_snapshots
    fast, naive = F.stage_probabilities(snaps, o), _naive_probabilities(snaps, o)
    assert len(fast) > 10
    pd.testing.assert_frame_equal(fast, naive, check_exact=True, check_dtype=False)


@pytest.mark.parametrize("batched", [False, True], ids=["fitted-one-by-one", "fitted-in-the-backtest-batch"])
def test_one_estimator_gives_each_origins_own_forecast(demo, demo_snapshots, batched):
    """The estimator built once as of the last origin gives, for each earlier origin, the forecast
    computed from scratch with only the data known then (its own snapshots and deals); also when its
    ETS models were fitted in the backtest's batch of every origin."""
    known, snaps = demo_snapshots
    est = F.Estimator(snaps, known, pd.Timestamp("2026-11-01"))
    if batched:
        est.backtest()
        assert len(est.ts.done) >= 3 * 13 - 3  # every origin's three series (a few may coincide)
    for origin in ("2026-11-01", "2026-08-01", "2026-01-01", "2025-11-01"):
        o = pd.Timestamp(origin)
        own = oracle.forecast_as_of(demo.leads, demo.stage_changes, o)
        shared = est.forecast(o)
        assert (own.status, own.model, own.history_months) == (shared.status, shared.model, shared.history_months)
        for part in ("table", "open_deals", "probabilities", "yields", "series"):
            a, b = getattr(own, part).reset_index(drop=True), getattr(shared, part).reset_index(drop=True)
            if part == "open_deals":  # the later snapshots know how the open deals ended; nothing uses it
                a, b = a.drop(columns=["closed_at", "won"]), b.drop(columns=["closed_at", "won"])
            pd.testing.assert_frame_equal(a, b, check_exact=True, obj=part)
        # the weighted open deals equal weight_open_deals on the probability table
        od = snaps[snaps["moment"] == o]
        pd.testing.assert_frame_equal(
            F.weight_open_deals(od, shared.probabilities), shared.open_deals, check_exact=True
        )


@pytest.mark.parametrize("background", [False, True], ids=["on-the-spot", "in-a-thread-during-the-backtest"])
@pytest.mark.parametrize("column", ["responsible_user_id", "pipeline_id"])
def test_groups_at_once_equal_each_group_alone(demo_snapshots, column, background):
    known, snaps = demo_snapshots
    o = pd.Timestamp("2026-11-01")
    est = F.Estimator(snaps, known, o)
    if background:
        est.start_groups(["responsible_user_id", "pipeline_id"])
        est.backtest()
    together = est.by_group(column, {"revenue": 1.3})
    group = snaps["lead_id"].map(known.set_index("id")[column])
    for _, row in together.iterrows():
        alone = F.widen(
            F.forecast_from(snaps[group == row["key"]], known[known[column] == row["key"]], o), {"revenue": 1.3}
        )
        assert row["status"] == alone.status
        for k in (1, 2, 3):
            assert same(row[f"revenue_{k}"], alone.value(k)) and same(row[f"high_{k}"], alone.value(k, column="high"))
            assert same(row[f"deals_{k}"], alone.value(k, "deals"))


def same(a, b):
    return (math.isnan(a) and math.isnan(b)) or a == b


def test_a_failure_in_the_background_groups_surfaces_where_they_are_read(demo_snapshots):
    known, snaps = demo_snapshots
    est = F.Estimator(snaps, known, pd.Timestamp("2026-11-01"))
    est.start_groups(["no_such_column"])
    est.backtest()  # the rest of the report goes on
    with pytest.raises(KeyError, match="no_such_column"):
        est.by_group("no_such_column")


def test_each_section_runs_alone(demo_store):
    """A section needs only `open`: run alone on a fresh context it gives what it gives after the sections
    before it (text, tables, charts, notes, its figures and findings)."""
    from crmreports.reports.forecast import sections as report
    from report_equality import frames_equal, run_sections, same

    names = ["headline", "views", "pipeline", "accuracy", "breakdown"]
    args = {"period": "2026-10", "store": str(demo_store), "lang": "ru"}
    in_order = report.open(**args)
    together = run_sections(report, names, in_order)
    for name, expected in zip(names, together):
        ctx = report.open(**args)
        alone = run_sections(report, [name], ctx)[0]
        assert alone[:5] == expected[:5], name
        assert alone[5].keys() == expected[5].keys(), name
        for t in alone[5]:
            frames_equal(alone[5][t], expected[5][t], f"{name}.{t}", exact=True)
        assert all(same(v, in_order.figures[k]) for k, v in ctx.figures.items()), name
        assert all(v == in_order.section_findings[k] for k, v in ctx.section_findings.items()), name


def test_forecast_money_in_the_text_has_three_significant_figures(demo_store):
    """Every amount the headline section writes is a model's estimate: at most 3 significant digits."""
    import re

    from crmreports.reports.forecast import sections

    ctx = sections.open(period="2026-10", store=str(demo_store))
    sec = sections.headline(ctx)
    amounts = re.findall(r"(\d[\d\u00a0\u202f ]*)\u00a0₽", " ".join(p for k, p in sec.parts if k == "text"))
    assert amounts
    for a in amounts:
        digits = re.sub(r"\D", "", a).rstrip("0")
        assert len(digits) <= 3, a
