"""Sales-forecast metrics: pure functions from store DataFrames (local timestamps) to DataFrames.

The forecast is made *as of an origin* ``D`` (a month start, naive local time): it uses only what the
store would have held at ``D`` and forecasts won revenue and won deals for the three calendar months
after ``D``. Two views are computed side by side and then combined:

- **pipeline view** = open deals + new deals.
  *Open deals*: every deal open at ``D`` (created before ``D``, not closed before ``D``; its stage at
  ``D`` is the last stage change before ``D``) is weighted by the probability that a deal at its stage
  and age is won within each forecast month. Those probabilities come from history: deals open at
  each of the past ``lookback`` month starts ("snapshots") are followed up to ``D``; a deal is won,
  lost, or still open at ``D`` (censored). The Aalen–Johansen estimator of the cumulative incidence
  of "won" (lost is a competing outcome, still-open deals are censored, not dropped and not counted
  as lost) gives ``P(won within t days)``; its value at the longest follow-up is the stage win
  probability, and ``CIF(t) / CIF(∞)`` is the time-to-close distribution of deals that will be won.
  A (pipeline, stage, age band) cell with fewer than ``min_obs`` observations falls back to
  (pipeline, stage), then to the pipeline, then to all deals.
  *New deals*: deals created after ``D`` and won inside the horizon = forecast number of deals
  created per month (ETS) × the revenue (and wins) per created deal won in the month of creation,
  one month later, two months later (from the last ``lookback`` cohorts fully observed at ``D``).
- **time-series view**: statsmodels' ETS on monthly won revenue (and won deals) up to ``D``:
  damped additive trend with additive seasonality (period 12) from 24 months of history; a
  non-seasonal damped trend below that; simple exponential smoothing below 12 months. The series
  starts with the month after the first deal was created (the first month is a ramp-up).
- **combined** = the mean of the two views. 80 % intervals: the pipeline view from the variance of
  a sum of independent Bernoulli outcomes (open deals) and a Poisson number of new wins; the ETS
  view from the model's prediction interval; the combination takes the mean of the two standard
  deviations (fully correlated errors, the cautious case) plus half the disagreement of the views.

Backtest: the whole forecast is rerun as of each of the 12 month starts before the origin with data
known then, and compared with the actual won revenue; WAPE = Σ|F − A| / ΣA, bias = Σ(F − A) / ΣA,
against two naive baselines: the last full month, and the same month a year earlier.

Won revenue of a month is the sum of ``price`` of deals won (status 142) with ``closed_at`` in the
month, as in :mod:`crmreports.sales`. Deal budgets are taken as they are now (the store keeps no
history of budget changes).
"""
from __future__ import annotations

import contextlib
import logging
import math
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

log = logging.getLogger("crmreports.forecast")

WON, LOST = 142, 143
UNKNOWN_STAGE = -1
HORIZONS = 3
Z80 = 1.2815515655446004          # the 90th percentile of the standard normal: a central 80 % interval
DAY = pd.Timedelta(days=1)


@dataclass(frozen=True)
class Settings:
    """Knobs of the forecast; the defaults are what the report uses."""

    lookback: int = 12                                  # months of snapshots / cohorts / backtest origins
    min_obs: int = 30                                   # observations a probability cell needs
    age_bins: tuple[float, ...] = (0, 14, 42, 90, math.inf)   # deal age bands, days
    seasonal_months: int = 24                           # history needed for a seasonal model
    trend_months: int = 12                              # history needed for a (damped) trend
    min_months: int = 3                                 # below this: no forecast, a clear statement
    pipeline_weight: float = 0.5                        # weight of the pipeline view in the combination


DEFAULT = Settings()


# --------------------------------------------------------------------------------------------------
# Reconstructing the past
# --------------------------------------------------------------------------------------------------

def month_start(ts) -> pd.Timestamp:
    ts = pd.Timestamp(ts)
    return ts.to_period("M").to_timestamp()


def add_months(ts: pd.Timestamp, n: int) -> pd.Timestamp:
    return (pd.Timestamp(ts).to_period("M") + n).to_timestamp()


def known_at(leads: pd.DataFrame, stage_changes: pd.DataFrame, moment: pd.Timestamp) -> tuple[pd.DataFrame, pd.DataFrame]:
    """What the store would have held at ``moment``: deals created before it, stage changes before it,
    and deals closed later shown open (status = their stage at ``moment``, no ``closed_at``)."""
    moment = pd.Timestamp(moment)
    sc = stage_changes[stage_changes["at"] < moment]
    ld = leads[leads["created_at"] < moment].copy()
    later = ld["closed_at"].notna() & (ld["closed_at"] >= moment)
    # the last stage before the moment, looked up only for the deals closed later (the others keep theirs)
    mine = sc[sc["lead_id"].isin(ld.loc[later, "id"])] if later.any() else sc.iloc[:0]
    last = mine.sort_values(["lead_id", "at", "id"]).groupby("lead_id")["to_status_id"].last()
    ld.loc[later, "status_id"] = ld.loc[later, "id"].map(last).fillna(UNKNOWN_STAGE).astype("int64").values
    ld.loc[later, "closed_at"] = pd.NaT
    return ld, sc


def _is_won(leads: pd.DataFrame) -> pd.Series:
    return (leads["status_id"] == WON) & leads["closed_at"].notna()


def _is_closed(leads: pd.DataFrame) -> pd.Series:
    return leads["status_id"].isin([WON, LOST]) & leads["closed_at"].notna()


def snapshots(leads: pd.DataFrame, stage_changes: pd.DataFrame, moments) -> pd.DataFrame:
    """Every deal open at each moment, with its stage then and its later outcome.

    Columns: moment, lead_id, pipeline_id, status_id (the stage at the moment: the last stage change
    before it; -1 when the history shows none), age_days, price, user_id, closed_at (NaT while open),
    won (closed as won). A deal is open at a moment if it was created before it and not closed before it.
    """
    moments = pd.DatetimeIndex(sorted(set(pd.Timestamp(m) for m in moments)))
    cols = ["moment", "lead_id", "pipeline_id", "status_id", "age_days", "price", "user_id", "closed_at", "won"]
    if leads.empty or len(moments) == 0:
        return pd.DataFrame(columns=cols)
    created = leads["created_at"].values
    closed = leads["closed_at"].values
    closed_flag = _is_closed(leads).values
    m = moments.values
    open_mask = (created[None, :] < m[:, None]) & ~(closed_flag[None, :] & (closed[None, :] < m[:, None]))
    mi, li = np.nonzero(open_mask)
    if len(mi) == 0:
        return pd.DataFrame(columns=cols)
    sub = leads.iloc[li]
    snap = pd.DataFrame({
        "moment": m[mi], "lead_id": sub["id"].astype("int64").values,
        "age_days": (m[mi] - created[li]) / np.timedelta64(1, "D"),
        "price": sub["price"].fillna(0.0).astype(float).values,
        "user_id": sub["responsible_user_id"].values,
        "closed_at": np.where(closed_flag[li], closed[li], np.datetime64("NaT")),
        "won": _is_won(leads).values[li], "lead_pipeline_id": sub["pipeline_id"].values,
    })
    sc = stage_changes[["lead_id", "at", "to_pipeline_id", "to_status_id"]].dropna(subset=["at"])
    sc = sc.assign(lead_id=sc["lead_id"].astype("int64")).sort_values("at", kind="stable")
    snap = snap.sort_values("moment", kind="stable")
    merged = pd.merge_asof(snap, sc, left_on="moment", right_on="at", by="lead_id", allow_exact_matches=False)
    stage = merged["to_status_id"]
    # a closed status before an open moment (a reopened deal) or no history at all: stage unknown
    stage = stage.where(stage.notna() & ~stage.isin([WON, LOST]), UNKNOWN_STAGE).astype("int64")
    merged["status_id"] = stage.values
    merged["pipeline_id"] = merged["to_pipeline_id"].where(stage != UNKNOWN_STAGE, merged["lead_pipeline_id"]) \
        .fillna(merged["lead_pipeline_id"]).astype("int64")
    merged["closed_at"] = pd.to_datetime(merged["closed_at"])
    return merged[cols].sort_values(["moment", "lead_id"]).reset_index(drop=True)


# --------------------------------------------------------------------------------------------------
# Stage win probabilities (Aalen–Johansen) and the weighted pipeline
# --------------------------------------------------------------------------------------------------

def cumulative_incidence(durations, events, times) -> tuple[np.ndarray, float]:
    """Aalen–Johansen cumulative incidence of event 1 (won) with event 2 (lost) competing and 0 censored.

    Returns ``CIF(t)`` at each of ``times`` and its value at the longest follow-up (the probability of
    ever being won, as far as the data can tell). Censored spells count as at risk at their own time.
    """
    d = np.asarray(durations, dtype=float)
    e = np.asarray(events, dtype=int)
    times = np.asarray(times, dtype=float)
    if d.size == 0:
        return np.full(times.shape, np.nan), float("nan")
    ut = np.unique(d[e > 0])
    if ut.size == 0:
        return np.zeros(times.shape), 0.0
    ds = np.sort(d)
    at_risk = d.size - np.searchsorted(ds, ut, side="left")
    won_at = np.bincount(np.searchsorted(ut, d[e == 1]), minlength=ut.size)[: ut.size]
    all_at = np.bincount(np.searchsorted(ut, d[e > 0]), minlength=ut.size)[: ut.size]
    return _incidence(ut, at_risk, won_at, all_at, times)


def _incidence(ut, at_risk, won_at, all_at, times) -> tuple[np.ndarray, float]:
    """The Aalen–Johansen arithmetic from the event times ``ut`` (sorted, unique), the number at risk and
    the wins and all events at each of them (integer arrays)."""
    surv = np.cumprod(1.0 - all_at / at_risk)
    surv_before = np.concatenate([[1.0], surv[:-1]])
    cif = np.cumsum(surv_before * won_at / at_risk)
    idx = np.searchsorted(ut, times, side="right") - 1
    out = np.where(idx >= 0, cif[np.clip(idx, 0, None)], 0.0)
    return out, float(cif[-1])


def _sorted_incidence(ds: np.ndarray, es: np.ndarray, times: np.ndarray) -> tuple[np.ndarray, float]:
    """:func:`cumulative_incidence` of durations already sorted ascending (the same integers, hence
    the same floating-point result, without sorting again)."""
    if ds.size == 0:
        return np.full(times.shape, np.nan), float("nan")
    hit = es > 0
    evd = ds[hit]
    if evd.size == 0:
        return np.zeros(times.shape), 0.0
    new = np.empty(evd.size, dtype=bool)
    new[0] = True
    np.not_equal(evd[1:], evd[:-1], out=new[1:])
    ut = evd[new]
    pos = np.cumsum(new) - 1                     # each event's index in ut
    at_risk = ds.size - np.searchsorted(ds, ut, side="left")
    won_at = np.bincount(pos[es[hit] == 1], minlength=ut.size)
    all_at = np.bincount(pos, minlength=ut.size)
    return _incidence(ut, at_risk, won_at, all_at, times)


def horizon_days(origin: pd.Timestamp, horizons: int = HORIZONS) -> np.ndarray:
    """Days from the origin to the end of each forecast month."""
    return np.array([(add_months(origin, k) - origin) / DAY for k in range(1, horizons + 1)])


def _age_band(age_days, bins) -> np.ndarray:
    return np.digitize(np.asarray(age_days, dtype=float), bins[1:-1], right=False)


def _training(snaps: pd.DataFrame, origin: pd.Timestamp, lookback: int) -> pd.DataFrame:
    """Snapshots of the ``lookback`` months before the origin, followed up to the origin."""
    lo = add_months(origin, -lookback)
    tr = snaps[(snaps["moment"] < origin) & (snaps["moment"] >= lo)]
    done = tr["closed_at"].notna() & (tr["closed_at"] < origin)
    end = tr["closed_at"].where(done, origin)
    return tr.assign(duration=(end - tr["moment"]) / DAY,
                     event=np.where(done, np.where(tr["won"], 1, 2), 0))


def _ranks(col: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The sorted distinct values of ``col`` and each element's index among them (np.unique's values
    and inverse, by hashing instead of sorting)."""
    codes, uniq = pd.factorize(col, sort=True)
    return np.asarray(uniq), codes.astype(np.int64)


def stage_probabilities(snaps: pd.DataFrame, origin: pd.Timestamp, settings: Settings = DEFAULT) -> pd.DataFrame:
    """Win probabilities per (pipeline, stage, age band), estimated from the snapshots before ``origin``.

    Columns: level (cell, stage, pipeline, all), pipeline_id, status_id, band, n (observations),
    won, lost, censored, p_win (won ever), cif_1..cif_3 (won within the end of forecast month k).
    Cells come in the order of their keys, as a sorted ``groupby`` gives them.
    """
    tr = _training(snaps, origin, settings.lookback)
    hd = horizon_days(origin)
    dur = tr["duration"].to_numpy(dtype=float)
    ev = tr["event"].to_numpy()
    ranks = {c: _ranks(v) for c, v in (("pipeline_id", tr["pipeline_id"].to_numpy()),
                                        ("status_id", tr["status_id"].to_numpy()),
                                        ("band", _age_band(tr["age_days"], settings.age_bins)))}
    by_duration = np.argsort(dur)       # sorted once; each group keeps this order (ties may come in any order)
    keys = {"cell": ["pipeline_id", "status_id", "band"], "stage": ["pipeline_id", "status_id"],
            "pipeline": ["pipeline_id"], "all": []}
    rows = []
    for level, by in keys.items():
        if by:
            if not len(tr):
                continue
            # the groups in sorted key order: a mixed-radix code of each column's rank among its values
            values, code = [], np.zeros(len(tr), dtype=np.int64)
            for c in by:
                v, r = ranks[c]
                values.append(v)
                code = code * len(v) + r
            counts = np.bincount(code)
            present = np.flatnonzero(counts)
            inv = (np.cumsum(counts > 0) - 1)[code]
            small = inv.astype(np.int16) if len(present) < 2 ** 15 else inv   # a radix sort for few groups
            order = by_duration[np.argsort(small[by_duration], kind="stable")]
            bounds = np.concatenate([[0], np.cumsum(counts[present])])
            keys_of = np.array(np.unravel_index(present, [len(v) for v in values])).T
            groups = [(tuple(values[j][k] for j, k in enumerate(keys_of[i])), order[bounds[i]:bounds[i + 1]])
                      for i in range(len(present))]
        else:
            groups = [((), by_duration)]
        for key, idx in groups:
            e = ev[idx]
            cif, p = _sorted_incidence(dur[idx], e, hd)
            row = {"level": level, "pipeline_id": -1, "status_id": -2, "band": -1}
            row.update(dict(zip(by, key)))
            row.update(n=len(idx), won=int((e == 1).sum()), lost=int((e == 2).sum()), censored=int((e == 0).sum()),
                       p_win=p, **{f"cif_{k + 1}": cif[k] for k in range(len(hd))})
            rows.append(row)
    cols = ["level", "pipeline_id", "status_id", "band", "n", "won", "lost", "censored", "p_win"] + \
        [f"cif_{k + 1}" for k in range(len(hd))]
    return pd.DataFrame(rows, columns=cols)


def weight_open_deals(open_deals: pd.DataFrame, probs: pd.DataFrame, settings: Settings = DEFAULT) -> pd.DataFrame:
    """Each open deal with the probability used for it (the finest cell with enough observations).

    Adds: band, level, p_win, p_1..p_3 (won inside forecast month k), exp_1..exp_3 (price × p_k),
    weighted (price × p_win).
    """
    od = open_deals.assign(band=_age_band(open_deals["age_days"], settings.age_bins))
    ok = probs[probs["n"] >= settings.min_obs]
    pcols = ["p_win", "cif_1", "cif_2", "cif_3"]
    level = np.full(len(od), np.nan, dtype=object)
    values = np.full((len(od), len(pcols)), np.nan)
    for name, by in (("cell", ["pipeline_id", "status_id", "band"]), ("stage", ["pipeline_id", "status_id"]),
                     ("pipeline", ["pipeline_id"]), ("all", [])):
        lv = ok[ok["level"] == name]
        todo = np.flatnonzero(pd.isna(level))
        if lv.empty or not len(todo):
            continue
        if by:
            m = od[by].iloc[todo].merge(lv[by + pcols], on=by, how="left")   # a left merge keeps the row order
            found = m[pcols].to_numpy(dtype=float)
        else:
            found = np.tile(lv[pcols].iloc[0].to_numpy(dtype=float), (len(todo), 1))
        hit = ~np.isnan(found[:, 0])
        values[todo[hit]] = found[hit]
        level[todo[hit]] = name
    out = pd.DataFrame({"level": pd.Series(level, index=od.index, dtype=object)})
    for j, c in enumerate(pcols):
        out[c] = np.where(np.isnan(values[:, j]), 0.0, values[:, j])
    od = od.join(out)
    cif = od[["cif_1", "cif_2", "cif_3"]].values
    p = np.diff(np.concatenate([np.zeros((len(od), 1)), cif], axis=1), axis=1)
    for k in range(HORIZONS):
        od[f"p_{k + 1}"] = p[:, k]
        od[f"exp_{k + 1}"] = od["price"] * p[:, k]
    od["weighted"] = od["price"] * od["p_win"]
    return od.drop(columns=["cif_1", "cif_2", "cif_3"])


def weighted_pipeline(weighted: pd.DataFrame, statuses: pd.DataFrame) -> pd.DataFrame:
    """The weighted pipeline by stage: open deals, their amount, the win probability and the expected
    wins within the three forecast months.

    Columns: pipeline_id, status_id, stage, sort, open_deals, amount, p_win (deal-weighted mean),
    weighted (Σ price × p_win), expected_3m (Σ price × P(won within 3 months)), expected_deals_3m.
    """
    if weighted.empty:
        return pd.DataFrame(columns=["pipeline_id", "status_id", "stage", "sort", "open_deals", "amount", "p_win",
                                     "weighted", "expected_3m", "expected_deals_3m"])
    w = weighted.assign(exp3=weighted[["exp_1", "exp_2", "exp_3"]].sum(axis=1),
                        p3=weighted[["p_1", "p_2", "p_3"]].sum(axis=1))
    g = w.groupby(["pipeline_id", "status_id"]).agg(
        open_deals=("lead_id", "size"), amount=("price", "sum"), p_win=("p_win", "mean"),
        weighted=("weighted", "sum"), expected_3m=("exp3", "sum"), expected_deals_3m=("p3", "sum")).reset_index()
    st = statuses[["pipeline_id", "id", "name", "sort"]].rename(columns={"id": "status_id", "name": "stage"})
    g = g.merge(st, on=["pipeline_id", "status_id"], how="left")
    g["sort"] = g["sort"].fillna(-1)
    return g.sort_values(["pipeline_id", "sort"]).reset_index(drop=True)[
        ["pipeline_id", "status_id", "stage", "sort", "open_deals", "amount", "p_win", "weighted", "expected_3m",
         "expected_deals_3m"]]


# --------------------------------------------------------------------------------------------------
# Monthly series, new-deal yields and the ETS view
# --------------------------------------------------------------------------------------------------

def _month_index(s: pd.Series) -> np.ndarray:
    """Months since year 0 (NaT gives a large negative number)."""
    v = pd.to_datetime(s).to_numpy(dtype="datetime64[ns]")
    months = v.astype("datetime64[M]").astype(np.int64) + 1970 * 12     # year * 12 + month - 1
    return np.where(np.isnat(v), -10 ** 6, months)


def history_start(leads: pd.DataFrame) -> pd.Timestamp | None:
    """The first month of the forecastable history: the month after the first deal was created."""
    if leads.empty or leads["created_at"].isna().all():
        return None
    return add_months(month_start(leads["created_at"].min()), 1)


def monthly_series(leads: pd.DataFrame, origin: pd.Timestamp) -> pd.DataFrame:
    """Won revenue, won deals and created deals per month, from :func:`history_start` to the month
    before the origin (complete months only). Columns: month, revenue, won_deals, created."""
    start = history_start(leads)
    cols = ["month", "revenue", "won_deals", "created"]
    if start is None or start >= origin:
        return pd.DataFrame(columns=cols)
    idx = pd.period_range(start, add_months(origin, -1), freq="M")
    months = _month_index(pd.Series(idx.to_timestamp()))       # the same months as integers: cheaper keys
    won = leads[_is_won(leads) & (leads["closed_at"] < origin)]
    g = won.groupby(_month_index(won["closed_at"]))["price"].agg(["sum", "count"]).reindex(months, fill_value=0)
    c = leads[leads["created_at"] < origin]
    created = c.groupby(_month_index(c["created_at"])).size().reindex(months, fill_value=0)
    return pd.DataFrame({"month": idx.to_timestamp(), "revenue": g["sum"].astype(float).values,
                         "won_deals": g["count"].astype(int).values, "created": created.astype(int).values})


def new_deal_yields(leads: pd.DataFrame, origin: pd.Timestamp, lookback: int = 12) -> pd.DataFrame:
    """Revenue and wins per created deal by the lag (0, 1, 2 months) between creation and win.

    For lag L the cohorts are the ``lookback`` creation months whose month c + L ended by the origin.
    Columns: lag, cohorts_created, revenue_per_deal, wins_per_deal, price_sq (mean squared budget of those wins).
    """
    rows = []
    cm = _month_index(leads["created_at"])
    won = (_is_won(leads) & (leads["closed_at"] < origin)).values
    lag_of = np.where(won, _month_index(leads["closed_at"].where(won)) - cm, -1)
    last = _month_index(pd.Series([pd.Timestamp(origin)]))[0] - 1
    price_all = leads["price"].fillna(0.0).to_numpy(dtype=float)
    for lag in range(HORIZONS):
        inc = (cm <= last - lag) & (cm > last - lag - lookback)
        n = int(inc.sum())
        hit = inc & (lag_of == lag)
        price = price_all[hit]
        rows.append({"lag": lag, "cohorts_created": n,
                     "revenue_per_deal": float(price.sum()) / n if n else 0.0,
                     "wins_per_deal": float(hit.sum()) / n if n else 0.0,
                     "price_sq": float((price ** 2).mean()) if len(price) else 0.0})
    return pd.DataFrame(rows)


_BLAS_THREADS: list | None = None


def _blas_thread_controls() -> list:
    """(get, set) thread-count functions of every OpenBLAS loaded in this process (numpy's and scipy's
    bundle one each), found once; empty where that cannot be done (not Linux, another BLAS)."""
    global _BLAS_THREADS
    if _BLAS_THREADS is None:
        import ctypes
        found = []
        try:
            with open("/proc/self/maps", encoding="utf-8") as maps:
                paths = sorted({ln.split()[-1] for ln in maps if "openblas" in ln.lower() and ".so" in ln})
            for path in paths:
                lib = ctypes.CDLL(path)
                for suffix in ("64_", ""):
                    for prefix in ("scipy_openblas", "openblas"):
                        get = getattr(lib, f"{prefix}_get_num_threads{suffix}", None)
                        put = getattr(lib, f"{prefix}_set_num_threads{suffix}", None)
                        if get is not None and put is not None:
                            found.append((get, put))
                            break
                    else:
                        continue
                    break
        except OSError as exc:
            log.debug("cannot control BLAS threads: %s", exc)
        _BLAS_THREADS = found
    return _BLAS_THREADS


@contextlib.contextmanager
def one_blas_thread():
    """Run the block with OpenBLAS on one thread, then restore the thread counts. An ETS fit is a few
    dozen L-BFGS steps on matrices of a handful of rows: handing each step to BLAS threads costs
    milliseconds (far more on a busy machine) and gains nothing; the numbers do not change."""
    controls = _blas_thread_controls()
    before = [get() for get, _ in controls]
    for _, put in controls:
        put(1)
    try:
        yield
    finally:
        for (_, put), n in zip(controls, before):
            put(n)


@dataclass(frozen=True)
class SeriesForecast:
    mean: np.ndarray
    low: np.ndarray
    high: np.ndarray
    model: str          # "seasonal", "trend", "level"


def ets_forecast(values, settings: Settings = DEFAULT, horizons: int = HORIZONS) -> SeriesForecast:
    """statsmodels ETS forecast with an 80 % prediction interval; negative values are clipped to 0.

    ≥ ``seasonal_months`` observations: ETS(A, Ad, A) with period 12; ≥ ``trend_months``: ETS(A, Ad, N);
    fewer: ETS(A, N, N). Initial states come from the heuristic of Hyndman et al. from 10 observations
    (estimated below that). The series is scaled by its mean for a well-conditioned fit.
    """
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel
    y = np.asarray(values, dtype=float)
    n = len(y)
    scale = float(np.mean(np.abs(y))) or 1.0
    if n >= settings.seasonal_months:
        kind, kw = "seasonal", dict(trend="add", damped_trend=True, seasonal="add", seasonal_periods=12,
                                    initialization_method="heuristic")
    elif n >= settings.trend_months:
        kind, kw = "trend", dict(trend="add", damped_trend=True, initialization_method="heuristic")
    else:
        kind, kw = "level", dict(trend=None, initialization_method="estimated" if n < 10 else "heuristic")
    if np.all(y == y[0]):
        flat = np.full(horizons, y[0])
        return SeriesForecast(flat, flat.copy(), flat.copy(), kind)
    with warnings.catch_warnings(), one_blas_thread():
        warnings.simplefilter("ignore")
        res = ETSModel(pd.Series(y / scale), error="add", **kw).fit(disp=False)
        frame = res.get_prediction(start=n, end=n + horizons - 1).summary_frame(alpha=0.2)
    mean = np.clip(frame["mean"].to_numpy() * scale, 0, None)
    low = np.clip(frame["pi_lower"].to_numpy() * scale, 0, None)
    high = np.clip(frame["pi_upper"].to_numpy() * scale, 0, None)
    return SeriesForecast(mean, low, high, kind)


# --------------------------------------------------------------------------------------------------
# The forecast as of an origin
# --------------------------------------------------------------------------------------------------

@dataclass
class Forecast:
    """The forecast made as of ``origin``: a ``status`` of "ok", "short_history" or "no_won"."""

    origin: pd.Timestamp
    status: str
    months: list                                             # the forecast month starts
    history_months: int = 0
    model: str = ""
    table: pd.DataFrame = field(default_factory=pd.DataFrame)       # one row per (month, measure)
    open_deals: pd.DataFrame = field(default_factory=pd.DataFrame)  # weighted open deals
    probabilities: pd.DataFrame = field(default_factory=pd.DataFrame)
    yields: pd.DataFrame = field(default_factory=pd.DataFrame)
    series: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def value(self, k: int, measure: str = "revenue", column: str = "combined") -> float:
        """The figure for forecast month ``k`` (1..3)."""
        if not self.ok:
            return float("nan")
        r = self.table[(self.table["k"] == k) & (self.table["measure"] == measure)]
        return float(r[column].iloc[0])


TABLE_COLUMNS = ["k", "month", "measure", "open_deals", "new_deals", "pipeline", "pipeline_low", "pipeline_high",
                 "ts", "ts_low", "ts_high", "combined", "sd", "low", "high"]


def _combine(p, p_sd, ts: SeriesForecast, w: float) -> tuple[np.ndarray, np.ndarray]:
    """The combined mean and standard deviation of the two views."""
    ts_sd = (ts.high - ts.low) / (2 * Z80)
    c = w * p + (1 - w) * ts.mean
    sd = np.sqrt((w * p_sd + (1 - w) * ts_sd) ** 2 + (w * (1 - w)) * (p - ts.mean) ** 2)
    return c, sd


def forecast_from(snaps: pd.DataFrame, leads: pd.DataFrame, origin: pd.Timestamp,
                  settings: Settings = DEFAULT) -> Forecast:
    """The forecast as of ``origin`` from precomputed :func:`snapshots` (which must include the
    origin's moment). Only rows and outcomes known before the origin are used."""
    origin = pd.Timestamp(origin)
    months = [add_months(origin, k) for k in range(HORIZONS)]
    known = leads[leads["created_at"] < origin]
    series = monthly_series(known, origin)
    fc = Forecast(origin, "ok", months, history_months=len(series), series=series)
    if len(series) < settings.min_months:
        fc.status = "short_history"
        return fc
    if not (_is_won(known) & (known["closed_at"] < origin)).any():
        fc.status = "no_won"
        return fc
    probs = stage_probabilities(snaps, origin, settings)
    open_deals = snaps[snaps["moment"] == origin]
    weighted = weight_open_deals(open_deals, probs, settings)
    yields = new_deal_yields(known, origin, settings.lookback)
    created = ets_forecast(series["created"].values, settings)
    rows = []
    for measure, col, wcol, pcol in (("revenue", "revenue", "exp_", "revenue_per_deal"),
                                     ("deals", "won_deals", "p_", "wins_per_deal")):
        ts = ets_forecast(series[col].values, settings)
        open_mean = np.array([weighted[f"{wcol}{k + 1}"].sum() for k in range(HORIZONS)])
        if measure == "revenue":
            open_var = np.array([(weighted[f"p_{k + 1}"] * (1 - weighted[f"p_{k + 1}"]) * weighted["price"] ** 2).sum()
                                 for k in range(HORIZONS)])
        else:
            open_var = np.array([(weighted[f"p_{k + 1}"] * (1 - weighted[f"p_{k + 1}"])).sum() for k in range(HORIZONS)])
        y = yields.set_index("lag")
        new_mean = np.array([sum(created.mean[j] * y.loc[k - j, pcol] for j in range(k + 1)) for k in range(HORIZONS)])
        wins = np.array([sum(created.mean[j] * y.loc[k - j, "wins_per_deal"] for j in range(k + 1))
                         for k in range(HORIZONS)])
        if measure == "revenue":
            sq = np.array([sum(created.mean[j] * y.loc[k - j, "wins_per_deal"] * y.loc[k - j, "price_sq"]
                               for j in range(k + 1)) for k in range(HORIZONS)])
            new_var = sq
        else:
            new_var = wins
        p = open_mean + new_mean
        p_sd = np.sqrt(open_var + new_var)
        c, sd = _combine(p, p_sd, ts, settings.pipeline_weight)
        for k in range(HORIZONS):
            rows.append({"k": k + 1, "month": months[k], "measure": measure, "open_deals": open_mean[k],
                         "new_deals": new_mean[k], "pipeline": p[k],
                         "pipeline_low": max(0.0, p[k] - Z80 * p_sd[k]), "pipeline_high": p[k] + Z80 * p_sd[k],
                         "ts": ts.mean[k], "ts_low": ts.low[k], "ts_high": ts.high[k],
                         "combined": c[k], "sd": sd[k], "low": max(0.0, c[k] - Z80 * sd[k]),
                         "high": c[k] + Z80 * sd[k]})
        fc.model = ts.model
    fc.table = pd.DataFrame(rows, columns=TABLE_COLUMNS)
    fc.open_deals, fc.probabilities, fc.yields = weighted, probs, yields
    return fc


def snapshot_moments(leads: pd.DataFrame, origin: pd.Timestamp, lookback: int = DEFAULT.lookback,
                     backtest: int = 0) -> list[pd.Timestamp]:
    """Month starts needed for a forecast as of ``origin`` (and ``backtest`` earlier origins)."""
    start = month_start(leads["created_at"].min()) if len(leads) else origin
    first = max(start, add_months(origin, -(lookback + backtest)))
    return list(pd.date_range(first, origin, freq="MS"))


def snapshots_since(snaps: pd.DataFrame, first: pd.Timestamp) -> pd.DataFrame:
    """The rows of :func:`snapshots` at moments from ``first`` on, as :func:`snapshots` returns them when
    asked for those moments only (each moment's rows depend on that moment alone). Empty: None, since an
    empty :func:`snapshots` result has no column types; compute it directly then."""
    out = snaps[snaps["moment"] >= pd.Timestamp(first)].reset_index(drop=True)
    return out if len(out) else None


def forecast_as_of(leads: pd.DataFrame, stage_changes: pd.DataFrame, origin: pd.Timestamp,
                   settings: Settings = DEFAULT) -> Forecast:
    """The forecast as of ``origin`` (a month start) from the data known then."""
    origin = pd.Timestamp(origin)
    if origin != month_start(origin):
        raise ValueError(f"forecast origin {origin} must be the first moment of a month")
    known, sc = known_at(leads, stage_changes, origin)
    snaps = snapshots(known, sc, snapshot_moments(known, origin, settings.lookback))
    return forecast_from(snaps, known, origin, settings)


# --------------------------------------------------------------------------------------------------
# Backtest
# --------------------------------------------------------------------------------------------------

def actual_monthly(leads: pd.DataFrame, months, until: pd.Timestamp) -> pd.DataFrame:
    """Actual won revenue and deals of each month (only months that ended by ``until``)."""
    won = leads[_is_won(leads) & (leads["closed_at"] < until)]
    per = won["closed_at"].dt.to_period("M")
    g = won.groupby(per)["price"].agg(["sum", "count"])
    rows = []
    for m in months:
        if add_months(m, 1) > until:
            continue
        p = pd.Timestamp(m).to_period("M")
        rows.append({"month": pd.Timestamp(m), "revenue": float(g["sum"].get(p, 0.0)),
                     "deals": int(g["count"].get(p, 0))})
    return pd.DataFrame(rows, columns=["month", "revenue", "deals"])


def backtest(leads: pd.DataFrame, stage_changes: pd.DataFrame, origin: pd.Timestamp,
             settings: Settings = DEFAULT) -> pd.DataFrame:
    """Rolling-origin backtest: the forecast as of each of the ``lookback`` month starts before ``origin``
    (with data known then) against the actual won revenue and deals known at ``origin``.

    One row per (origin, k, measure) whose target month ended by ``origin``: forecast_origin, k, month,
    measure, actual, pipeline, ts, combined, low, high, last_month, seasonal (the baselines; NaN
    when history is too short), status.
    """
    origin = pd.Timestamp(origin)
    known, sc = known_at(leads, stage_changes, origin)
    snaps = snapshots(known, sc, snapshot_moments(known, origin, settings.lookback, settings.lookback))
    return backtest_from(snaps, known, origin, settings)


def backtest_from(snaps: pd.DataFrame, known: pd.DataFrame, origin: pd.Timestamp,
                  settings: Settings = DEFAULT) -> pd.DataFrame:
    """:func:`backtest` from the deals known at ``origin`` (:func:`known_at`) and their :func:`snapshots`
    at ``snapshot_moments(known, origin, lookback, lookback)`` (computed once, shared with the forecast)."""
    origin = pd.Timestamp(origin)
    rows = []
    for i in range(settings.lookback, 0, -1):
        o = add_months(origin, -i)
        fc = forecast_from(snaps[snaps["moment"] <= o], known, o, settings)
        actual = actual_monthly(known, fc.months, origin).set_index("month")
        past = fc.series.set_index("month") if fc.history_months else None    # monthly_series of the deals known at o
        for k, m in enumerate(fc.months, start=1):
            if m not in actual.index:
                continue
            for measure, col in (("revenue", "revenue"), ("deals", "won_deals")):
                row = {"forecast_origin": o, "k": k, "month": m, "measure": measure,
                       "actual": float(actual.loc[m, measure]), "status": fc.status}
                if fc.ok:
                    r = fc.table[(fc.table["k"] == k) & (fc.table["measure"] == measure)].iloc[0]
                    row.update({c: float(r[c]) for c in ("pipeline", "ts", "combined", "sd", "low", "high")})
                    last = add_months(o, -1)
                    row["last_month"] = float(past[col].get(last, np.nan))
                    row["seasonal"] = float(past[col].get(add_months(m, -12), np.nan))
                rows.append(row)
    cols = ["forecast_origin", "k", "month", "measure", "actual", "pipeline", "ts", "combined", "sd", "low", "high",
            "last_month", "seasonal", "status"]
    return pd.DataFrame(rows, columns=cols)


def calibration_factor(bt: pd.DataFrame, measure: str = "revenue") -> float:
    """How much the combined 80 % interval must be widened for it to have covered 80 % of the backtest's
    actuals: the 80th percentile of |actual − forecast| / sd over Z80, never below 1 (1 without data)."""
    b = bt[(bt["measure"] == measure) & (bt["status"] == "ok")].dropna(subset=["combined", "sd"])
    b = b[b["sd"] > 0]
    if len(b) < 5:
        return 1.0
    z = ((b["actual"] - b["combined"]).abs() / b["sd"]).to_numpy()
    return float(max(1.0, np.quantile(z, 0.8) / Z80))


def widen(fc: Forecast, factors: dict) -> Forecast:
    """A copy of ``fc`` whose 80 % intervals are widened by ``factors[measure]`` (see :func:`calibration_factor`)."""
    if not fc.ok:
        return fc
    tb = fc.table.copy()
    f = tb["measure"].map(factors).fillna(1.0)
    tb["low"] = (tb["combined"] - Z80 * tb["sd"] * f).clip(lower=0)
    tb["high"] = tb["combined"] + Z80 * tb["sd"] * f
    out = Forecast(**{k: getattr(fc, k) for k in fc.__dataclass_fields__})
    out.table = tb
    return out


METHODS = ("combined", "pipeline", "ts", "last_month", "seasonal")


def accuracy(bt: pd.DataFrame, measure: str = "revenue") -> pd.DataFrame:
    """WAPE and bias of each method over the backtest rows where every method has a forecast.

    Columns: method, k ("all" or 1..3), wape, bias, n (forecasts compared), coverage (share of actuals
    inside the 80 % interval; the combined method only).
    """
    b = bt[(bt["measure"] == measure) & (bt["status"] == "ok")].dropna(subset=list(METHODS))
    rows = []
    for k in ["all"] + sorted(b["k"].unique().tolist()):
        s = b if k == "all" else b[b["k"] == k]
        total = s["actual"].sum()
        for m in METHODS:
            err = s[m] - s["actual"]
            rows.append({"method": m, "k": k, "n": len(s),
                         "wape": float(err.abs().sum() / total) if total else float("nan"),
                         "bias": float(err.sum() / total) if total else float("nan"),
                         "coverage": float(((s["actual"] >= s["low"]) & (s["actual"] <= s["high"])).mean())
                         if m == "combined" and len(s) else float("nan")})
    return pd.DataFrame(rows, columns=["method", "k", "n", "wape", "bias", "coverage"])


# --------------------------------------------------------------------------------------------------
# Breakdowns
# --------------------------------------------------------------------------------------------------

def by_group(leads: pd.DataFrame, stage_changes: pd.DataFrame, origin: pd.Timestamp, column: str,
             settings: Settings = DEFAULT, factors: dict | None = None) -> pd.DataFrame:
    """The combined forecast for each value of ``column`` (``responsible_user_id`` or ``pipeline_id``),
    each forecast from that group's own deals; intervals widened by ``factors`` (see :func:`widen`).

    Columns: key, status, open_deals (count at the origin), revenue_1..3, low_1..3, high_1..3,
    deals_1..3, revenue_3m (sum of the three months).
    """
    origin = pd.Timestamp(origin)
    known, sc = known_at(leads, stage_changes, origin)
    snaps = snapshots(known, sc, snapshot_moments(known, origin, settings.lookback))
    return by_group_from(snaps, known, origin, column, settings, factors)


def by_group_from(snaps: pd.DataFrame, known: pd.DataFrame, origin: pd.Timestamp, column: str,
                  settings: Settings = DEFAULT, factors: dict | None = None) -> pd.DataFrame:
    """:func:`by_group` from the deals known at ``origin`` and their :func:`snapshots` at
    ``snapshot_moments(known, origin, lookback)`` (see :func:`snapshots_since`)."""
    origin = pd.Timestamp(origin)
    rows = []
    lead_group = known.set_index("id")[column]
    snap_group = snaps["lead_id"].map(lead_group)
    for key, g in known.groupby(column):
        fc = widen(forecast_from(snaps[snap_group == key], g, origin, settings), factors or {})
        row = {"key": key, "status": fc.status,
               "open_deals": int(((snaps["moment"] == origin) & (snap_group == key)).sum())}
        for k in range(1, HORIZONS + 1):
            row[f"revenue_{k}"] = fc.value(k)
            row[f"low_{k}"] = fc.value(k, column="low")
            row[f"high_{k}"] = fc.value(k, column="high")
            row[f"deals_{k}"] = fc.value(k, "deals")
        row["revenue_3m"] = sum(row[f"revenue_{k}"] for k in range(1, HORIZONS + 1))
        rows.append(row)
    return pd.DataFrame(rows).sort_values("revenue_3m", ascending=False, na_position="last").reset_index(drop=True)
