"""crmreports.store.forecasting.ets: exponential smoothing fitted to many series at once.

Hand-worked values for the initial states and the forecast arithmetic; statsmodels' ETSModel (a test
dependency) as the reference for the recursions, the likelihood and the fit; a batch gives each series
the fit it gets alone, to the last bit.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from crmreports.store.forecasting import ets

sm_ets = pytest.importorskip(
    "statsmodels.tsa.exponential_smoothing.ets",
    reason="statsmodels (pip install -e '.[dev]') is the reference these tests compare with",
)


def _series(seed: int, n: int, poisson: bool = False) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    if poisson:
        return rng.poisson(3, n).astype(float)
    level, slope = rng.uniform(50, 200), rng.uniform(-3, 3)  # drawn in this order: the series are fixed
    seasonal = rng.uniform(0, 40) * np.sin(2 * np.pi * t / 12 + rng.uniform(0, 6))
    return level + slope * t + seasonal + rng.normal(0, rng.uniform(1, 30), n)


def _statsmodels(y: np.ndarray, kind: str):
    kw = {
        "seasonal": dict(
            trend="add", damped_trend=True, seasonal="add", seasonal_periods=12, initialization_method="heuristic"
        ),
        "trend": dict(trend="add", damped_trend=True, initialization_method="heuristic"),
        "level": dict(trend=None, initialization_method="estimated" if len(y) < 10 else "heuristic"),
    }[kind]
    return sm_ets.ETSModel(pd.Series(y), error="add", **kw)


# --- hand-worked ------------------------------------------------------------------------------------


def test_heuristic_states_of_a_straight_line():
    # y = 5 + 2t, t = 1..12: the regression on the first 10 points has intercept 5 and slope 2
    y = 5 + 2 * np.arange(1, 13, dtype=float)
    level, trend, season = ets.heuristic_states(y, trend=True, seasonal=False)
    assert level == pytest.approx(5) and trend == pytest.approx(2) and not season.any()


def test_heuristic_states_of_a_pure_seasonal_pattern():
    # 10 + (+3, −3, +3, …) over 24 months: the 2×12 moving average is 10 everywhere it is defined, so the
    # detrended months are exactly ±3, the level 10 and the trend 0
    y = 10 + np.tile([3.0, -3.0], 12)
    level, trend, season = ets.heuristic_states(y, trend=True, seasonal=True)
    assert level == pytest.approx(10) and trend == pytest.approx(0, abs=1e-12)
    assert season == pytest.approx(np.tile([3.0, -3.0], 6))


def test_forecast_and_interval_arithmetic_by_hand():
    # l = 100, b = 10, φ = 0.9, next seasonal terms 5, −5, 0; α = 0.5, β = 0.1; SSE 40 over 10 months: σ² = 4
    f = ets.Fit(
        "seasonal",
        alpha=0.5,
        beta=0.1,
        gamma=0.2,
        phi=0.9,
        sse=40.0,
        n=10,
        level=100.0,
        trend=10.0,
        seasonal=np.array([5.0, -5.0, 0.0] + [0.0] * 9),
    )
    mean, sd = ets.predict(f, 3)
    # ŷ1 = 100 + 0.9·10 + 5 = 114;  ŷ2 = 100 + 1.71·10 − 5 = 112.1;  ŷ3 = 100 + 2.439·10 + 0 = 124.39
    assert mean == pytest.approx([114, 112.1, 124.39])
    # c1 = 0.5 + 0.1·0.9 = 0.59, c2 = 0.5 + 0.1·1.71 = 0.671 (γ enters only at multiples of 12)
    # var = 4·(1, 1 + 0.59², 1 + 0.59² + 0.671²) = 4·(1, 1.3481, 1.798341)
    assert sd == pytest.approx(2 * np.sqrt([1, 1.3481, 1.798341]))


def test_model_by_history_length_and_constant_series():
    assert [ets.model_kind(n) for n in (3, 11, 12, 23, 24, 60)] == [
        "level",
        "level",
        "trend",
        "trend",
        "seasonal",
        "seasonal",
    ]
    flat = ets.forecast_many([[5, 5, 5, 5]])[0]
    assert list(flat.mean) == [5, 5, 5] and list(flat.low) == [5, 5, 5] and flat.model == "level"


def test_bad_input_names_the_minimum():
    with pytest.raises(ValueError, match="at least 10 observations, not 7"):
        ets.heuristic_states(np.arange(7.0), trend=True, seasonal=False)
    with pytest.raises(ValueError, match="at least 24 observations, not 20"):
        ets.heuristic_states(np.arange(20.0), trend=True, seasonal=True)


# --- against statsmodels ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "n,kind", [(30, "seasonal"), (47, "seasonal"), (24, "seasonal"), (15, "trend"), (12, "level"), (10, "level")]
)
def test_initial_states_are_statsmodels_heuristic(n, kind):
    from statsmodels.tsa.exponential_smoothing.initialization import _initialization_heuristic

    y = _series(n, n)
    level, trend, season = _initialization_heuristic(
        y, trend="add" if kind != "level" else None, seasonal="add" if kind == "seasonal" else None, seasonal_periods=12
    )
    ours = ets.heuristic_states(y, trend=kind != "level", seasonal=kind == "seasonal")
    assert ours[0] == pytest.approx(level, rel=1e-12)
    if kind != "level":
        assert ours[1] == pytest.approx(trend, rel=1e-9, abs=1e-12)
    if kind == "seasonal":
        assert ours[2] == pytest.approx(season, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("seed,n", [(1, 36), (2, 26), (3, 18), (4, 12), (5, 8), (6, 40)])
def test_recursions_likelihood_and_interval_equal_statsmodels_at_its_estimate(seed, n):
    """At statsmodels' own parameter estimate our recursions give its SSE, and our forecast and 80 %
    interval are its prediction and interval."""
    y = _series(seed, n)
    y = y / np.mean(np.abs(y))
    kind = ets.model_kind(n)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = _statsmodels(y, kind).fit(disp=False)
        pred = res.get_prediction(start=n, end=n + 2)
        interval = np.asarray(pred.pred_int(alpha=0.2))
    p = dict(zip(res.model.param_names, res.params))
    batch = ets._Batch([y], kind)
    if kind == "level" and n < 10:
        batch.l0[:] = p["initial_level"]
        batch.estimated[:] = False
    alpha = p["smoothing_level"]
    params = {
        "alpha": np.array([[alpha]]),
        "beta": np.array([[p.get("smoothing_trend", 0.0) / alpha]]),
        "gamma": np.array([[p.get("smoothing_seasonal", 0.0) / (1 - alpha)]]),
        "phi": np.array([[p.get("damping_trend", 1.0)]]),
    }
    sse, final, _ = batch.run(params, record=True)
    assert sse[0, 0] == pytest.approx(res.mse * n, rel=1e-9)
    lvl, trend, season = final[0]
    fit = ets.Fit(
        kind,
        alpha,
        p.get("smoothing_trend", 0.0),
        p.get("smoothing_seasonal", 0.0),
        p.get("damping_trend", 1.0),
        float(sse[0, 0]),
        n,
        lvl,
        trend,
        season,
    )
    mean, sd = ets.predict(fit, 3)
    assert mean == pytest.approx(np.asarray(pred.predicted_mean), rel=1e-9, abs=1e-12)
    assert mean - ets.Z80 * sd == pytest.approx(interval[:, 0], rel=1e-9, abs=1e-12)
    assert mean + ets.Z80 * sd == pytest.approx(interval[:, 1], rel=1e-9, abs=1e-12)


def test_the_fit_is_as_good_as_statsmodels():
    """On 40 series of every model (3 to 47 months, smooth and Poisson counts) our estimate's SSE is at
    most 0.1 % above statsmodels' L-BFGS optimum, and on some series far below it (statsmodels stops
    in a local optimum)."""
    ratios = []
    for seed in range(40):
        n = 3 + (seed * 7) % 45
        y = _series(100 + seed, n, poisson=seed % 5 == 0)
        y = y / (np.mean(np.abs(y)) or 1)
        if np.all(y == y[0]):
            continue
        kind = ets.model_kind(n)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            theirs = _statsmodels(y, kind).fit(disp=False).mse * n
        ours = ets.fit_many([y], [kind])[0].sse
        ratios.append(ours / theirs)
    assert len(ratios) >= 35
    assert max(ratios) <= 1.001, sorted(ratios)[-3:]
    assert min(ratios) < 0.99


def test_a_series_gets_the_same_fit_in_any_batch():
    ys = [_series(s, n) for s, n in ((1, 36), (2, 30), (3, 40), (4, 15), (5, 20), (6, 6), (7, 11))]
    together = ets.forecast_many(ys)
    reversed_ = ets.forecast_many(ys[::-1])[::-1]
    for i, y in enumerate(ys):
        alone = ets.forecast_many([y])[0]
        for other in (together[i], reversed_[i]):
            assert other.model == alone.model
            for part in ("mean", "low", "high"):
                assert np.array_equal(getattr(other, part), getattr(alone, part)), (i, part)


def test_forecast_clips_at_zero_and_scales_back():
    # a falling series of counts: the forecast is not negative, and scaling the series scales the forecast
    y = np.array([9, 8, 8, 7, 6, 6, 5, 4, 4, 3, 2, 2, 1, 1, 0, 0], dtype=float)
    a, b = ets.forecast_many([y, 1000 * y])
    assert (a.mean >= 0).all() and (a.low >= 0).all()
    assert b.mean == pytest.approx(1000 * a.mean) and b.high == pytest.approx(1000 * a.high)
