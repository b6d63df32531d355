"""Exponential smoothing (ETS) with additive errors, fitted to many short monthly series at once.

The forecast's time-series view fits one model per monthly series: won revenue, won deals and deals
created, for the origin, for each of the 12 backtest origins and for each manager and pipeline: some
80 series of 3 to 60 months per report. statsmodels' ``ETSModel`` fits one series at a time (about
8 ms each, after a second of importing it); here every series of a batch is fitted in the same numpy
operations, so a batch costs about what one fit does.

The models are statsmodels' ``ETSModel(error="add", ...)`` with the same parametrisation, bounds,
initial states and prediction intervals:

- ``seasonal``: ETS(A, Ad, A), period ``m`` = 12;  ``trend``: ETS(A, Ad, N);  ``level``: ETS(A, N, N).
  With state ``l`` (level), ``b`` (trend), ``s`` (seasonal)::

      ŷ_t = l_{t-1} + φ b_{t-1} + s_{t-m}          e_t = y_t − ŷ_t
      l_t = l_{t-1} + φ b_{t-1} + α e_t          b_t = φ b_{t-1} + β e_t          s_t = s_{t-m} + γ e_t

- parameters α ∈ [1e-4, 1 − 1e-4], β = β*·α and γ = γ*·(1 − α) with β*, γ* in the same interval,
  φ ∈ [0.8, 0.98] (statsmodels' default bounds, Hyndman et al. 2008, §10.2);
- initial states from the heuristic of Hyndman et al. (statsmodels' ``initialization_method=
  "heuristic"``, :func:`heuristic_states`); below 10 observations the initial level is estimated
  with the smoothing parameter (for each α it has a closed form: the residuals are linear in it);
- the estimate minimises the sum of squared one-step errors (the concentrated Gaussian likelihood):
  a grid over the parameter box, then a pattern search around each series' best grid point (all
  3^d neighbours, the step halved when none is better), a fixed number of rounds;
- forecast ``ŷ_{n+h} = l_n + (φ + … + φ^h) b_n + s_{n+h−m}``; its variance ``σ² (1 + Σ_{j<h} c_j²)``,
  ``c_j = α + β (φ + … + φ^j) + γ [j mod m = 0]``, ``σ²`` the mean squared one-step error
  (statsmodels' "exact" prediction variance of these models).

Each series' arithmetic is elementwise in arrays whose other rows are the other series, so a series
gets the same estimate, to the last bit, whichever batch it is fitted in (the forecast's backtest
and breakdowns rely on this). tests/test_ets.py checks the states, likelihood and intervals against
statsmodels, and that the estimate fits at least as well as statsmodels' own.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

Z80 = 1.2815515655446004  # the 90th percentile of the standard normal: a central 80 % interval
PERIOD = 12
LOW, HIGH = 1e-4, 1 - 1e-4
PHI_LOW, PHI_HIGH = 0.8, 0.98
HEURISTIC_MIN = 10  # observations the heuristic initial states need
ROUNDS = 40  # pattern-search rounds after the grid

# the grid over (α, β*, γ*, φ) and each dimension's first pattern-search step
GRID = {
    "alpha": (LOW, 0.01, 0.03, 0.07, 0.15, 0.3, 0.5, 0.7, 0.9, HIGH),
    "beta": (LOW, 0.05, 0.2, 0.5, HIGH),
    "gamma": (LOW, 0.05, 0.2, 0.5, HIGH),
    "phi": (PHI_LOW, 0.86, 0.92, PHI_HIGH),
}
STEP = {"alpha": 0.01, "beta": 0.05, "gamma": 0.05, "phi": 0.03}
BOUNDS = {"alpha": (LOW, HIGH), "beta": (LOW, HIGH), "gamma": (LOW, HIGH), "phi": (PHI_LOW, PHI_HIGH)}
DIMS = {"seasonal": ("alpha", "beta", "gamma", "phi"), "trend": ("alpha", "beta", "phi"), "level": ("alpha",)}


@dataclass(frozen=True)
class SeriesForecast:
    mean: np.ndarray
    low: np.ndarray
    high: np.ndarray
    model: str  # "seasonal", "trend", "level"


@dataclass(frozen=True)
class Fit:
    """The estimate of one series (on the scale it was given): parameters, SSE, final states."""

    kind: str
    alpha: float
    beta: float
    gamma: float
    phi: float
    sse: float
    n: int
    level: float
    trend: float
    seasonal: np.ndarray  # s_{n+1-m}, …, s_n: the seasonal terms of months n+1, …, n+m

    @property
    def mse(self) -> float:
        return self.sse / self.n


def model_kind(n: int, seasonal_months: int = 24, trend_months: int = 12) -> str:
    """The model for a series of ``n`` months."""
    if n >= seasonal_months:
        return "seasonal"
    if n >= trend_months:
        return "trend"
    return "level"


def heuristic_states(y: np.ndarray, trend: bool, seasonal: bool, m: int = PERIOD) -> tuple[float, float, np.ndarray]:
    """Initial level, trend and seasonal terms (``s_{1-m}``…``s_0``, i.e. those of months 1..m) by the
    heuristic of Hyndman et al. (2008, §2.6.1), as statsmodels computes it: for a seasonal model, a
    centred 2×m moving average of the first (2..5) cycles, the mean detrended value of each month of
    the cycle (normalised to sum 0), and the level and trend from a regression on the first 10 points
    of the moving average; otherwise from a regression on the first 10 observations."""
    y = np.asarray(y, dtype=float)
    n = len(y)
    if n < HEURISTIC_MIN:
        raise ValueError(f"the heuristic initial states need at least {HEURISTIC_MIN} observations, not {n}")
    season = np.zeros(m)
    base = y
    if seasonal:
        need = HEURISTIC_MIN + 2 * (m // 2)
        if n < max(2 * m, need):
            raise ValueError(f"seasonal initial states need at least {max(2 * m, need)} observations, not {n}")
        cycles = max(min(5, n // m), int(np.ceil(need / m)))
        x = y[: m * cycles]
        # centred moving average of window m (for an even m, the mean of two neighbouring windows)
        ma = np.full(len(x), np.nan)
        sums = np.convolve(x, np.ones(m), "valid") / m  # window ending at i + m - 1
        if m % 2 == 0:
            # pandas: rolling(m, center=True) puts the window [i - m/2, i + m/2 - 1] at i; then
            # shift(-1).rolling(2) averages the windows at i and i + 1
            centred = np.full(len(x), np.nan)
            centred[m // 2 : m // 2 + len(sums)] = sums
            nxt = np.append(centred[1:], np.nan)
            ma = (centred + nxt) / 2
        else:
            ma[m // 2 : m // 2 + len(sums)] = sums
        detrended = x - ma
        cols = detrended.reshape(cycles, m)
        with np.errstate(invalid="ignore"):
            season = np.nanmean(cols, axis=0)
        season = season - season.mean()
        base = ma[~np.isnan(ma)]
    exog = np.c_[np.ones(HEURISTIC_MIN), np.arange(HEURISTIC_MIN) + 1]
    coef = np.linalg.pinv(exog).dot(base[:HEURISTIC_MIN])
    return float(coef[0]), float(coef[1]) if trend else 0.0, season


class _Batch:
    """Series of one model kind, padded to one length, with their initial states."""

    def __init__(self, ys: list[np.ndarray], kind: str, m: int = PERIOD):
        self.kind, self.m = kind, m
        self.S = len(ys)
        self.n = np.array([len(y) for y in ys])
        self.T = int(self.n.max())
        self.y = np.zeros((self.S, self.T))
        for i, y in enumerate(ys):
            self.y[i, : len(y)] = y
        self.trend, self.seasonal = kind != "level", kind == "seasonal"
        self.l0 = np.zeros(self.S)
        self.b0 = np.zeros(self.S)
        self.s0 = np.zeros((self.S, m))
        # below the heuristic's minimum (only for the level model) the initial level is estimated
        self.estimated = self.n < HEURISTIC_MIN
        for i, y in enumerate(ys):
            if not self.estimated[i]:
                self.l0[i], self.b0[i], self.s0[i] = heuristic_states(y, self.trend, self.seasonal, m)

    def run(self, p: dict, record: bool = False):
        """One pass of the recursions with parameters ``p`` (arrays of shape (S, G)): the SSE per
        (series, point); each series' final states when ``record`` (G = 1); and the estimated initial
        level per (series, point) where it is estimated (else 0)."""
        S, G = p["alpha"].shape
        alpha = p["alpha"]
        beta = p["beta"] * alpha if self.trend else None
        gamma = p["gamma"] * (1 - alpha) if self.seasonal else None
        phi = p["phi"] if self.trend else None
        est = self.estimated[:, None]
        level = np.where(est, 0.0, self.l0[:, None]) * np.ones((1, G))
        trend = self.b0[:, None] * np.ones((1, G)) if self.trend else None
        season = [self.s0[:, j, None] * np.ones((1, G)) for j in range(self.m)] if self.seasonal else None
        sse = np.zeros((S, G))
        # the estimated initial level: e_t = a_t − (1 − α)^t l0 with a_t the residual for l0 = 0
        sac, scc, c = np.zeros((S, G)), np.zeros((S, G)), np.ones((S, G))
        final = {}
        for t in range(self.T):
            valid = (t < self.n)[:, None]
            damped = phi * trend if self.trend else 0.0
            yhat = level + damped
            if self.seasonal:
                yhat = yhat + season[t % self.m]
            e = self.y[:, t, None] - yhat
            sse += np.where(valid, e * e, 0.0)
            if self.estimated.any():
                sac += np.where(valid, e * c, 0.0)
                scc += np.where(valid, c * c, 0.0)
                c = c * (1 - alpha)
            level = level + damped + alpha * e
            if self.trend:
                trend = damped + beta * e
            if self.seasonal:
                season[t % self.m] = season[t % self.m] + gamma * e
            if record:
                ends = self.n - 1 == t
                if ends.any():
                    for i in np.flatnonzero(ends):
                        final[i] = (
                            level[i, 0],
                            trend[i, 0] if self.trend else 0.0,
                            np.array([season[(t + 1 + k) % self.m][i, 0] for k in range(self.m)])
                            if self.seasonal
                            else np.zeros(self.m),
                        )
        l0_hat = np.zeros((S, G))
        if self.estimated.any():
            # the SSE at the best l0 = Σac / Σc²:  Σa² − (Σac)² / Σc²
            safe = np.where(scc > 0, scc, 1.0)
            sse = np.where(est, sse - np.where(scc > 0, sac * sac / safe, 0.0), sse)
            l0_hat = np.where(est & (scc > 0), sac / safe, 0.0)
        return sse, final, l0_hat

    def fit(self) -> list[Fit]:
        dims = DIMS[self.kind]
        fixed = {"alpha": 0.0, "beta": 0.0, "gamma": 0.0, "phi": 1.0}
        # the grid: every combination, the same for every series
        grid = np.array(list(itertools.product(*(GRID[d] for d in dims))))  # (G, d)
        sse, _, _ = self.run(
            {d: np.broadcast_to(grid[:, k], (self.S, len(grid))) for k, d in enumerate(dims)}
            | {d: np.full((self.S, len(grid)), v) for d, v in fixed.items() if d not in dims}
        )
        best = grid[np.argmin(sse, axis=1)]  # (S, d)
        best_sse = sse[np.arange(self.S), np.argmin(sse, axis=1)]
        step = np.tile([STEP[d] for d in dims], (self.S, 1))
        lo = np.array([BOUNDS[d][0] for d in dims])
        hi = np.array([BOUNDS[d][1] for d in dims])
        moves = np.array([mv for mv in itertools.product((-1, 0, 1), repeat=len(dims)) if any(mv)])  # (K, d)
        for _ in range(ROUNDS):
            cand = np.clip(best[:, None, :] + moves[None, :, :] * step[:, None, :], lo, hi)  # (S, K, d)
            sse, _, _ = self.run(
                {d: cand[:, :, k] for k, d in enumerate(dims)}
                | {d: np.full(cand.shape[:2], v) for d, v in fixed.items() if d not in dims}
            )
            at = np.argmin(sse, axis=1)
            new = sse[np.arange(self.S), at]
            better = new < best_sse
            best = np.where(better[:, None], cand[np.arange(self.S), at], best)
            best_sse = np.where(better, new, best_sse)
            step = np.where(better[:, None], step, step / 2)
        p = {d: best[:, k, None] for k, d in enumerate(dims)} | {
            d: np.full((self.S, 1), v) for d, v in fixed.items() if d not in dims
        }
        if self.estimated.any():  # the states from the estimated initial level
            l0_hat = self.run(p)[2][:, 0]
            self.l0 = np.where(self.estimated, l0_hat, self.l0)
            self.estimated = np.zeros(self.S, dtype=bool)
        sse, final, _ = self.run(p, record=True)
        out = []
        for i in range(self.S):
            a = float(p["alpha"][i, 0])
            out.append(
                Fit(
                    self.kind,
                    a,
                    float(p["beta"][i, 0] * a) if self.trend else 0.0,
                    float(p["gamma"][i, 0] * (1 - a)) if self.seasonal else 0.0,
                    float(p["phi"][i, 0]) if self.trend else 1.0,
                    float(sse[i, 0]),
                    int(self.n[i]),
                    float(final[i][0]),
                    float(final[i][1]),
                    final[i][2],
                )
            )
        return out


def fit_many(ys: list[np.ndarray], kinds: list[str]) -> list[Fit]:
    """The estimate of each series (``kinds``: each one's model), one batch per model kind."""
    out: list[Fit | None] = [None] * len(ys)
    for kind in ("seasonal", "trend", "level"):
        at = [i for i, k in enumerate(kinds) if k == kind]
        if at:
            for i, f in zip(at, _Batch([np.asarray(ys[i], dtype=float) for i in at], kind).fit()):
                out[i] = f
    return out


def predict(f: Fit, horizons: int) -> tuple[np.ndarray, np.ndarray]:
    """The forecast mean and standard deviation for months n+1..n+``horizons``."""
    h = np.arange(1, horizons + 1)
    phis = np.cumsum(f.phi**h) if f.kind != "level" else np.zeros(horizons)
    mean = f.level + phis * f.trend + (f.seasonal[(h - 1) % PERIOD] if f.kind == "seasonal" else 0.0)
    c = f.alpha + f.beta * phis + f.gamma * ((h % PERIOD) == 0)  # c_j for j = 1..horizons
    rel = 1 + np.concatenate([[0.0], np.cumsum(c[:-1] ** 2)])  # 1 + Σ_{j<h} c_j²
    return mean, np.sqrt(f.mse * rel)


def forecast_many(
    series: list, seasonal_months: int = 24, trend_months: int = 12, horizons: int = 3
) -> list[SeriesForecast]:
    """The ETS forecast of each series with an 80 % prediction interval, negative values clipped to 0.
    Each series is scaled by its mean absolute value for the fit; a constant series is its own forecast."""
    ys = [np.asarray(v, dtype=float) for v in series]
    kinds = [model_kind(len(y), seasonal_months, trend_months) for y in ys]
    scales = [float(np.mean(np.abs(y))) or 1.0 for y in ys]
    todo = [i for i, y in enumerate(ys) if not np.all(y == y[0])]
    fits = fit_many([ys[i] / scales[i] for i in todo], [kinds[i] for i in todo])
    out = []
    by_index = dict(zip(todo, fits))
    for i, y in enumerate(ys):
        if i not in by_index:
            flat = np.full(horizons, y[0])
            out.append(SeriesForecast(flat, flat.copy(), flat.copy(), kinds[i]))
            continue
        mean, sd = predict(by_index[i], horizons)
        s = scales[i]
        out.append(
            SeriesForecast(
                np.clip(mean * s, 0, None),
                np.clip((mean - Z80 * sd) * s, 0, None),
                np.clip((mean + Z80 * sd) * s, 0, None),
                kinds[i],
            )
        )
    return out
