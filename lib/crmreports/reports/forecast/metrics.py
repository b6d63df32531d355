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
- **time-series view**: ETS (:mod:`crmreports.ets`) on monthly won revenue (and won deals) up to ``D``:
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

Computation: the report's 13 forecasts (12 backtest origins and the origin) and its per-manager and
per-pipeline forecasts come from one :class:`Estimator`, which prepares once what does not depend on
the origin or the group (each snapshot row's group codes and its duration if it closes, the rows
sorted by (group, duration), tallies per (group, month start, closing month); the monthly series and
the wins per creation month) and estimates every group of a level at once. An origin only selects
its window's rows and the events before it, so each result is the same, to the last bit, as the
forecast computed on its own from the data known then (tests/test_forecast.py). The ETS models of all
origins (and of all groups) are fitted in one batch (:mod:`crmreports.ets`: a series gets the same
fit in any batch). The deals' arrays are built in a thread while the snapshots' are, and the groups'
forecasts (:meth:`Estimator.start_groups`) in a thread while the backtest runs: most of that work is
numpy and pandas sorting and counting, which leaves the interpreter free.

Won revenue of a month is the sum of ``price`` of deals won (status 142) with ``closed_at`` in the
month, as in :mod:`crmreports.sales`. Deal budgets are taken as they are now (the store keeps no
history of budget changes).
"""
from __future__ import annotations

import copy
import logging
import math
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import ets
from .ets import SeriesForecast  # noqa: F401  (part of this module's interface)

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
    ld = leads[leads["created_at"] < moment]
    later = ld["closed_at"].notna() & (ld["closed_at"] >= moment)
    # the last stage before the moment, looked up only for the deals closed later (the others keep theirs)
    mine = sc[sc["lead_id"].isin(ld.loc[later, "id"])] if later.any() else sc.iloc[:0]
    last = mine.sort_values(["lead_id", "at", "id"]).groupby("lead_id")["to_status_id"].last()
    return known_with_stages(leads, last, moment), sc


def known_with_stages(leads: pd.DataFrame, last: pd.Series, moment: pd.Timestamp) -> pd.DataFrame:
    """The deals of :func:`known_at` from ``last``: lead id → the stage (``to_status_id``) of the deal's
    last stage change with a stage before ``moment`` (by time, ties by change id), needed for the deals
    closed at or after the moment only; a deal without one gets -1."""
    moment = pd.Timestamp(moment)
    ld = leads[leads["created_at"] < moment].copy()
    later = ld["closed_at"].notna() & (ld["closed_at"] >= moment)
    ld.loc[later, "status_id"] = ld.loc[later, "id"].map(last).fillna(UNKNOWN_STAGE).astype("int64").values
    ld.loc[later, "closed_at"] = pd.NaT
    return ld


def _is_won(leads: pd.DataFrame) -> pd.Series:
    return (leads["status_id"] == WON) & leads["closed_at"].notna()


def _is_closed(leads: pd.DataFrame) -> pd.Series:
    return leads["status_id"].isin([WON, LOST]) & leads["closed_at"].notna()


SNAPSHOT_COLUMNS = ["moment", "lead_id", "pipeline_id", "status_id", "age_days", "price", "user_id", "closed_at",
                    "won"]


def _open_pairs(leads: pd.DataFrame, moments) -> tuple[pd.DatetimeIndex, pd.DataFrame | None]:
    """Every (moment, deal) with the deal open at the moment, sorted by moment and deal id, with the
    deal's columns (the stage not yet looked up); None when there is none."""
    moments = pd.DatetimeIndex(sorted(set(pd.Timestamp(m) for m in moments)))
    if leads.empty or len(moments) == 0:
        return moments, None
    created = leads["created_at"].values
    closed = leads["closed_at"].values
    closed_flag = _is_closed(leads).values
    m = moments.values
    # a deal is open at the moments after its creation up to its closing (created < m, not closed < m):
    # a range of moment indices per deal; the pairs moment by moment, deals by id
    first = np.searchsorted(m, created, side="right")
    end = np.where(closed_flag, np.searchsorted(m, closed, side="right"), len(m))
    count = np.maximum(end - first, 0)
    by_id = np.argsort(leads["id"].to_numpy(), kind="stable")        # the rows mostly come by id: cheap
    li = np.repeat(by_id, count[by_id])
    mi = np.arange(len(li)) - np.repeat(np.cumsum(count[by_id]) - count[by_id], count[by_id]) \
        + np.repeat(first[by_id], count[by_id])
    by_moment = np.argsort(mi.astype(np.int16) if len(m) < 2 ** 15 else mi, kind="stable")
    mi, li = mi[by_moment], li[by_moment]
    if len(mi) == 0:
        return moments, None
    snap = pd.DataFrame({
        "moment": m[mi], "lead_id": leads["id"].to_numpy()[li].astype("int64"),
        "age_days": (m[mi] - created[li]) / np.timedelta64(1, "D"),
        "price": leads["price"].fillna(0.0).astype(float).to_numpy()[li],
        "user_id": leads["responsible_user_id"].to_numpy()[li],
        "closed_at": np.where(closed_flag[li], closed[li], np.datetime64("NaT")),
        "won": _is_won(leads).to_numpy()[li], "lead_pipeline_id": leads["pipeline_id"].to_numpy()[li],
    })
    return moments, snap


def _with_stages(snap: pd.DataFrame, to_status, to_pipeline, in_order: bool = False) -> pd.DataFrame:
    """The snapshot rows with the stage found for each (``to_status`` / ``to_pipeline``: the last stage
    change before the moment; NaN without one), in :func:`snapshots`' form. ``in_order``: the rows are
    already sorted by moment and lead id."""
    status = np.asarray(to_status, dtype=float)
    # a closed status before an open moment (a reopened deal) or no history at all: stage unknown
    known = ~np.isnan(status) & (status != WON) & (status != LOST)
    stage = np.where(known, status, UNKNOWN_STAGE).astype("int64")
    snap["status_id"] = stage
    # the pipeline of that change; the deal's own without a stage or without a pipeline in the change
    own = snap["lead_pipeline_id"].to_numpy(dtype=float)
    pipeline = np.where(known, np.asarray(to_pipeline, dtype=float), own)
    snap["pipeline_id"] = pd.Series(np.where(np.isnan(pipeline), own, pipeline), index=snap.index).astype("int64")
    snap["closed_at"] = pd.to_datetime(snap["closed_at"])
    out = snap[SNAPSHOT_COLUMNS]
    return out.reset_index(drop=True) if in_order else out.sort_values(["moment", "lead_id"]).reset_index(drop=True)


def snapshots(leads: pd.DataFrame, stage_changes: pd.DataFrame, moments) -> pd.DataFrame:
    """Every deal open at each moment, with its stage then and its later outcome.

    Columns: moment, lead_id, pipeline_id, status_id (the stage at the moment: the last stage change
    before it; -1 when the history shows none), age_days, price, user_id, closed_at (NaT while open),
    won (closed as won). A deal is open at a moment if it was created before it and not closed before it.
    """
    moments, snap = _open_pairs(leads, moments)
    if snap is None:
        return pd.DataFrame(columns=SNAPSHOT_COLUMNS)
    sc = stage_changes[["lead_id", "at", "to_pipeline_id", "to_status_id"]].dropna(subset=["at"])
    sc = sc.assign(lead_id=sc["lead_id"].astype("int64")).sort_values("at", kind="stable")
    snap = snap.sort_values("moment", kind="stable")
    merged = pd.merge_asof(snap, sc, left_on="moment", right_on="at", by="lead_id", allow_exact_matches=False)
    return _with_stages(merged, merged["to_status_id"], merged["to_pipeline_id"])


def _months_since_1970(v: np.ndarray) -> np.ndarray:
    """``v.astype("datetime64[M]").astype(np.int64)`` of datetime64[ns] values (NaT: the int64 minimum),
    without numpy's per-element calendar conversion: each value's day, then the month of each distinct
    day of the range from a table."""
    ns = v.view(np.int64)
    nat = np.isnat(v)
    if nat.all():
        return v.astype("datetime64[M]").astype(np.int64)
    days = np.floor_divide(ns, 86_400 * 10 ** 9)
    lo, hi = int(days[~nat].min()), int(days[~nat].max())
    if hi - lo > 4 * len(v) + 1000:     # a sparse range: the table would cost more than it saves
        return v.astype("datetime64[M]").astype(np.int64)
    table = np.arange(lo, hi + 1).astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    out = table[np.clip(days - lo, 0, hi - lo)]
    out[nat] = np.iinfo(np.int64).min
    return out


def month_index(values) -> np.ndarray:
    """Months since year 0 (year × 12 + month − 1) of datetime64 values."""
    return _months_since_1970(np.asarray(values, dtype="datetime64[ns]")) + 1970 * 12


def snapshots_from_months(leads: pd.DataFrame, month_stages: pd.DataFrame, moments) -> pd.DataFrame:
    """:func:`snapshots` from each deal's last stage change of each calendar month instead of the whole
    change log (``month_stages``: lead_id, month (:func:`month_index` of the local month; earlier
    months may be merged into one, and months after the deal closed left out), to_pipeline_id,
    to_status_id). The last change before a month start is the last change of the latest month before
    it, so the rows are the same (see :mod:`crmreports.queries_forecast`)."""
    moments, snap = _open_pairs(leads, moments)
    if snap is None:
        return pd.DataFrame(columns=SNAPSHOT_COLUMNS)
    ms = month_stages
    lead = ms["lead_id"].to_numpy(dtype=np.int64)
    month = ms["month"].to_numpy(dtype=np.int64)
    want_lead = snap["lead_id"].to_numpy()
    want_month = month_index(snap["moment"].to_numpy())
    to_status = np.full(len(snap), np.nan)
    to_pipeline = np.full(len(snap), np.nan)
    if len(ms):
        # one integer per (deal, month) orders the months of each deal; the latest month before the
        # moment is the last key below the moment's own
        base = min(int(month.min()), int(want_month.min()))
        span = max(int(month.max()), int(want_month.max())) - base + 1
        key = lead * span + (month - base)
        order = np.argsort(key, kind="stable")
        key = key[order]
        pos = np.searchsorted(key, want_lead * span + (want_month - base), side="left") - 1
        hit = pos >= 0
        hit[hit] = lead[order[pos[hit]]] == want_lead[hit]
        rows = order[pos[hit]]
        to_status[hit] = ms["to_status_id"].to_numpy(dtype=float)[rows]
        to_pipeline[hit] = ms["to_pipeline_id"].to_numpy(dtype=float)[rows]
    return _with_stages(snap, to_status, to_pipeline, in_order=True)


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
    return _incidence_of(ut, at_risk, won_at, 1.0 - all_at / at_risk, times)


def _incidence_of(ut, at_risk, won_at, stay, times) -> tuple[np.ndarray, float]:
    """:func:`_incidence` from ``stay`` = 1 − all_at / at_risk at each event time."""
    surv = np.cumprod(stay)
    surv_before = np.concatenate([[1.0], surv[:-1]])
    cif = np.cumsum(surv_before * won_at / at_risk)
    idx = np.searchsorted(ut, times, side="right") - 1
    out = np.where(idx >= 0, cif[np.maximum(idx, 0)], 0.0)
    return out, float(cif[-1])


def horizon_days(origin: pd.Timestamp, horizons: int = HORIZONS) -> np.ndarray:
    """Days from the origin to the end of each forecast month."""
    return np.array([(add_months(origin, k) - origin) / DAY for k in range(1, horizons + 1)])


def _age_band(age_days, bins) -> np.ndarray:
    return np.digitize(np.asarray(age_days, dtype=float), bins[1:-1], right=False)


LEVELS = (("cell", ("pipeline_id", "status_id", "band")), ("stage", ("pipeline_id", "status_id")),
          ("pipeline", ("pipeline_id",)), ("all", ()))
PROBABILITY_COLUMNS = ["level", "pipeline_id", "status_id", "band", "n", "won", "lost", "censored", "p_win"] + \
    [f"cif_{k + 1}" for k in range(HORIZONS)]


def _ranks(col: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The sorted distinct values of ``col`` and each element's index among them (np.unique's values
    and inverse, by hashing instead of sorting)."""
    codes, uniq = pd.factorize(col, sort=True)
    return np.asarray(uniq), codes.astype(np.int64)


@dataclass
class _Level:
    """One level's estimates at one origin, indexed by group code: n, won, lost (observations and
    outcomes), p (p_win, cif_1..cif_k; NaN where not estimated)."""

    n: np.ndarray
    won: np.ndarray
    lost: np.ndarray
    p: np.ndarray


class _Snapshots:
    """:func:`snapshots` as arrays, for estimating the stage win probabilities at several origins (and
    for several groups of deals at once) without redoing what does not depend on the origin.

    Each row's group at each level (cell, stage, pipeline, all) is an integer code: the mixed-radix
    number of its (pipeline, stage, age band) ranks among all values, so codes sort as the keys do; a
    group number (``partitioned``) goes in front. An origin decides only which rows are in its window
    and which of them closed before it (events: closed in an earlier month, as origins are month
    starts) or are followed up to it (censored); a row's duration when it closed does not depend on
    the origin. So each level's closing rows are sorted by (code, duration) once, an origin's events
    are a subsequence of them, and its counts come from per-(code, moment, closing month) tallies.
    """

    def __init__(self, snaps: pd.DataFrame, settings: Settings = DEFAULT):
        self.settings = settings
        self.parts = 1
        self.rows = self.only = None        # all rows, any origin (see partitioned)
        self.empty = len(snaps) == 0
        self._sorted, self._tallies, self._estimates, self._origins, self._counts = {}, {}, {}, {}, {}
        if self.empty:
            return
        codes, moments = pd.factorize(snaps["moment"].to_numpy(), sort=True)
        self.moments = pd.DatetimeIndex(moments)
        self.mi = codes.astype(np.int64)
        closed_at = snaps["closed_at"]
        closed = closed_at.notna().to_numpy()
        self.won = snaps["won"].to_numpy(dtype=bool)
        # the duration of a row closed at closed_at, as cumulative_incidence is given it (NaN for the others)
        self.dur = ((closed_at - snaps["moment"]) / DAY).to_numpy(dtype=float)
        # the closing month, counted from the first moment's month (a row is open at its moment, so it
        # is not negative); rows that never close: a month after every other
        self.base = int(month_index(self.moments[:1])[0])
        months = month_index(closed_at.to_numpy()) - self.base
        self.never = int(months[closed].max()) + 1 if closed.any() else 0
        self.cm = np.where(closed, months, self.never)
        self.lost = closed & ~self.won
        ranks = {c: _ranks(v) for c, v in (("pipeline_id", snaps["pipeline_id"].to_numpy()),
                                            ("status_id", snaps["status_id"].to_numpy()),
                                            ("band", _age_band(snaps["age_days"], settings.age_bins)))}
        self.values = {c: v for c, (v, _) in ranks.items()}
        self.ranks = {c: r for c, (_, r) in ranks.items()}
        self.radix = [len(self.values[c]) for c in ("pipeline_id", "status_id", "band")]
        self._set_codes(np.zeros(len(snaps), dtype=np.int64), 1)
        # the closing rows by duration (ties in any order: only the counts at each duration matter)
        closing = np.flatnonzero(closed)
        self.by_duration = closing[np.argsort(self.dur[closing])]

    def _set_codes(self, part: np.ndarray, parts: int) -> None:
        self.parts, self.codes, self.sizes = parts, {}, {}
        for level, by in LEVELS:
            code, size = part.astype(np.int64), parts
            for c in by:
                code = code * len(self.values[c]) + self.ranks[c]
                size *= len(self.values[c])
            self.codes[level], self.sizes[level] = code, size

    def partitioned(self, part: np.ndarray, parts: int, origin: pd.Timestamp | None = None) -> _Snapshots:
        """The same snapshots with each row's group number (``part``, one of ``parts``) in front of its
        codes; for estimates at ``origin`` only, if given (only the rows of its window are kept)."""
        out = copy.copy(self)
        out._sorted, out._tallies, out._estimates, out._origins, out._counts = {}, {}, {}, {}, {}
        if self.empty:
            out.parts = parts
            return out
        out._set_codes(np.asarray(part), parts)
        if origin is not None:
            j0, j1, _, _ = out._origin(origin)
            inside = (self.mi >= j0) & (self.mi < j1)
            out.by_duration = self.by_duration[inside[self.by_duration]]
            out.rows, out.only = np.flatnonzero(inside), origin
        return out

    def _origin(self, origin: pd.Timestamp):
        """The origin's window of moments [j0, j1), its month (events closed before it) and the
        durations of the rows followed up to it (origin − moment, the latest moment first)."""
        if self.only is not None and origin != self.only:
            raise ValueError(f"these snapshots are kept for estimates at {self.only} only, not at {origin}")
        if origin not in self._origins:
            lo = add_months(origin, -self.settings.lookback)
            j0 = int(self.moments.searchsorted(lo, side="left"))
            j1 = int(self.moments.searchsorted(origin, side="left"))
            month = int(np.clip(month_index([origin])[0] - self.base, 0, self.never))
            slots = self.moments[j0:j1][::-1]
            cens_dur = ((pd.Series(pd.DatetimeIndex([origin] * len(slots))) - pd.Series(slots)) / DAY) \
                .to_numpy(dtype=float)
            self._origins[origin] = (j0, j1, month, cens_dur)
        return self._origins[origin]

    def _tally(self, level: str):
        """Rows per (code, moment), and won / lost rows per (code, moment) closed before each month."""
        if level not in self._tallies:
            code, size, nm, nk = self.codes[level], self.sizes[level], len(self.moments), self.never + 1
            at = self.rows if self.rows is not None else slice(None)
            cell = code[at] * nm + self.mi[at]
            rows = np.bincount(cell, minlength=size * nm).reshape(size, nm)
            out = [rows]
            for which in (self.won[at], self.lost[at]):
                t = np.bincount(cell[which] * nk + self.cm[at][which], minlength=size * nm * nk).reshape(size, nm, nk)
                out.append(np.concatenate([np.zeros((size, nm, 1), dtype=np.int64), np.cumsum(t, axis=2)], axis=2))
            self._tallies[level] = out
        return self._tallies[level]

    def counts(self, origin: pd.Timestamp, level: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Per code of ``level`` at ``origin``: observations, won, lost, and the censored rows per
        moment of the window (the latest first). Computed once per (origin, level); read only."""
        key = (origin, level)
        if key not in self._counts:
            j0, j1, month, _ = self._origin(origin)
            rows, won_before, lost_before = self._tally(level)
            rows, won, lost = rows[:, j0:j1], won_before[:, j0:j1, month], lost_before[:, j0:j1, month]
            self._counts[key] = (rows.sum(axis=1), won.sum(axis=1), lost.sum(axis=1), (rows - won - lost)[:, ::-1])
        return self._counts[key]

    def _by_code(self, level: str):
        """The closing rows sorted by (code, duration) (a stable sort by code of the rows by duration):
        code, moment and closing month of each, 2 × the (code, duration) block it belongs to + won, and
        each block's code and duration."""
        if level not in self._sorted:
            code, size = self.codes[level], self.sizes[level]
            c = code[self.by_duration]
            s = self.by_duration[np.argsort(c.astype(np.int16) if size < 2 ** 15 else c, kind="stable")]
            code_s, dur_s = code[s], self.dur[s]
            new = np.ones(len(s), dtype=bool)
            new[1:] = (code_s[1:] != code_s[:-1]) | (dur_s[1:] != dur_s[:-1])
            small = np.int16 if max(len(self.moments), self.never + 1) < 2 ** 15 else np.int64
            # the block and won in one integer (2 × block + won): one selection per origin gives both
            packed = 2 * (np.cumsum(new) - 1) + self.won[s]
            self._sorted[level] = (code_s, self.mi[s].astype(small), self.cm[s].astype(small),
                                   packed.astype(np.int32 if len(s) < 2 ** 30 else np.int64), code_s[new], dur_s[new])
        return self._sorted[level]

    def level(self, origin: pd.Timestamp, level: str, need: np.ndarray | None = None) -> _Level:
        """Aalen–Johansen estimates of each group of ``level`` at ``origin`` (at least of the groups
        where ``need`` is True, if given): the same integers as :func:`cumulative_incidence` on the
        group's rows, hence the same floating-point results.

        At risk at an event time u: the group's rows minus its events before u (they come sorted by
        duration) minus its censored rows with a duration below u (counted per moment: a censored
        row's duration is origin − moment)."""
        key = (origin, level)
        if key not in self._estimates:
            n, won, lost, _ = self.counts(origin, level)
            p = np.full((len(n), 1 + HORIZONS), np.nan)
            self._estimates[key] = (_Level(n, won, lost, p), np.zeros(len(n), dtype=bool))
        est, done = self._estimates[key]
        todo = est.n > 0 if need is None else (est.n > 0) & need
        todo &= ~done
        if todo.any():
            self._estimate(origin, level, todo, est.p)
            done |= todo
        return est

    def _estimate(self, origin: pd.Timestamp, level: str, todo: np.ndarray, p: np.ndarray) -> None:
        """Fill ``p`` (p_win, cif_1..cif_k per code) for the codes in ``todo``."""
        j0, j1, month, cens_dur = self._origin(origin)
        n, _, _, censored = self.counts(origin, level)
        code_s, mi_s, cm_s, packed_s, block_code, block_dur = self._by_code(level)
        # this origin's events of the wanted groups, by group then duration
        inc = (mi_s >= j0) & (mi_s < j1) & (cm_s < month)
        if not todo.all():
            inc &= todo[code_s]
        packed = packed_s[inc]
        if not len(packed):
            p[todo] = 0.0
            return
        b, w = packed >> 1, packed & 1
        new = np.ones(len(b), dtype=bool)
        new[1:] = b[1:] != b[:-1]
        starts = np.flatnonzero(new)
        block = b[starts]
        ut, rc = block_dur[block], block_code[block]
        all_at = np.diff(np.append(starts, len(b)))
        won_at = np.add.reduceat(w, starts).astype(np.int64)
        bounds = np.concatenate([[0], np.cumsum(np.bincount(rc, minlength=len(n)))])
        first = np.append(starts, len(b))[bounds[:-1]]          # each group's first event
        width = censored.shape[1] + 1
        cum_cens = np.concatenate([np.zeros((len(n), 1), dtype=np.int64), np.cumsum(censored, axis=1)], axis=1)
        # at risk: the group's rows − its events before (starts − first) − its censored rows below u
        at_risk = (n + first)[rc] - starts - cum_cens.ravel()[rc * width + np.searchsorted(cens_dur, ut, side="left")]
        stay = 1.0 - all_at / at_risk
        hd = horizon_days(origin)
        for g in np.flatnonzero(todo):
            a, z = bounds[g], bounds[g + 1]
            if a == z:
                p[g] = 0.0
                continue
            cif, pw = _incidence_of(ut[a:z], at_risk[a:z], won_at[a:z], stay[a:z], hd)
            p[g, 0] = pw
            p[g, 1:] = cif

    def table(self, origin: pd.Timestamp, part: int = 0) -> pd.DataFrame:
        """:func:`stage_probabilities` of the rows of group ``part``."""
        rows = []
        for level, by in LEVELS:
            if self.empty:
                est = None
            else:
                size = self.sizes[level] // self.parts
                lo = part * size
                need = np.zeros(self.sizes[level], dtype=bool)
                need[lo:lo + size] = True
                est = self.level(origin, level, need)
            if est is None or not est.n[lo:lo + size].any():
                if not by:      # no observations at all: one row without estimates
                    rows.append({"level": level, "pipeline_id": -1, "status_id": -2, "band": -1, "n": 0, "won": 0,
                                 "lost": 0, "censored": 0, "p_win": float("nan"),
                                 **{f"cif_{k + 1}": float("nan") for k in range(HORIZONS)}})
                continue
            radix = self.radix[:len(by)]
            for c in np.flatnonzero(est.n[lo:lo + size]):
                g = lo + c
                row = {"level": level, "pipeline_id": -1, "status_id": -2, "band": -1}
                if by:
                    row.update(zip(by, (self.values[col][k] for col, k in zip(by, np.unravel_index(c, radix)))))
                n, won, lost = int(est.n[g]), int(est.won[g]), int(est.lost[g])
                row.update(n=n, won=won, lost=lost, censored=n - won - lost, p_win=float(est.p[g, 0]),
                           **{f"cif_{k + 1}": est.p[g, 1 + k] for k in range(HORIZONS)})
                rows.append(row)
        return pd.DataFrame(rows, columns=PROBABILITY_COLUMNS)

    def weights(self, origin: pd.Timestamp, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The level and the probabilities (p_win, cif_1..cif_k) used for each of ``rows`` (open deals
        at the origin): the finest group with at least ``min_obs`` observations, as
        :func:`weight_open_deals` chooses them; NaN where none has."""
        level_of = np.full(len(rows), np.nan, dtype=object)
        values = np.full((len(rows), 1 + HORIZONS), np.nan)
        if self.empty or not len(rows):
            return level_of, values
        todo = np.arange(len(rows))
        for level, _ in LEVELS:
            code = self.codes[level][rows[todo]]
            n = self.counts(origin, level)[0]
            ok = (n >= self.settings.min_obs) & (n > 0)
            use = ok[code]
            if use.any():
                need = np.zeros(len(n), dtype=bool)
                need[code[use]] = True
                values[todo[use]] = self.level(origin, level, need).p[code[use]]
                level_of[todo[use]] = level
            todo = todo[~use]
            if not len(todo):
                break
        return level_of, values


def stage_probabilities(snaps: pd.DataFrame, origin: pd.Timestamp, settings: Settings = DEFAULT) -> pd.DataFrame:
    """Win probabilities per (pipeline, stage, age band), estimated from the snapshots of the
    ``lookback`` months before ``origin``, each followed up to the origin (won, lost, or censored).

    Columns: level (cell, stage, pipeline, all), pipeline_id, status_id, band, n (observations),
    won, lost, censored, p_win (won ever), cif_1..cif_3 (won within the end of forecast month k).
    Cells come in the order of their keys, as a sorted ``groupby`` gives them.
    """
    return _Snapshots(snaps, settings).table(pd.Timestamp(origin))


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
    return _weighted(od, level, values)


def _weighted(od: pd.DataFrame, level: np.ndarray, values: np.ndarray) -> pd.DataFrame:
    """The open deals (with their band) weighted by ``values`` (p_win, cif_1..cif_3 per deal, NaN: none)
    found at ``level``."""
    out = pd.DataFrame({"level": pd.Series(level, index=od.index, dtype=object)})
    for j, c in enumerate(["p_win", "cif_1", "cif_2", "cif_3"]):
        out[c] = np.where(np.isnan(values[:, j]), 0.0, values[:, j])
    od = od.join(out)
    p = _monthly_probabilities(values)
    for k in range(HORIZONS):
        od[f"p_{k + 1}"] = p[k]
        od[f"exp_{k + 1}"] = od["price"] * p[k]
    od["weighted"] = od["price"] * od["p_win"]
    return od.drop(columns=["cif_1", "cif_2", "cif_3"])


def _monthly_probabilities(values: np.ndarray) -> list[np.ndarray]:
    """P(won inside forecast month k) of each deal from its p_win, cif_1..cif_k (``values``, NaN: 0)."""
    cif = np.where(np.isnan(values[:, 1:]), 0.0, values[:, 1:])
    p = np.diff(np.concatenate([np.zeros((len(cif), 1)), cif], axis=1), axis=1)
    return [np.ascontiguousarray(p[:, k]) for k in range(p.shape[1])]


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
    months = _months_since_1970(v) + 1970 * 12     # year * 12 + month - 1
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


class _Deals:
    """The deals known at ``until`` (created before it) as arrays, for the monthly series, the new-deal
    yields and the "any win yet" test as of ``until`` and earlier origins, for all of them or for each
    group (:meth:`partitioned`).

    As of an earlier origin ``o`` the deals are those created before ``o``: the monthly series is the
    first months of the series as of ``until`` (each month's sums run over the same deals in the same
    order), and a win counted at lag L from its creation month c ≤ month(o) − 1 − L closed before ``o``.
    """

    def __init__(self, leads: pd.DataFrame, until: pd.Timestamp, lookback: int = DEFAULT.lookback):
        self.until, self.lookback = pd.Timestamp(until), lookback
        self.keep = (leads["created_at"] < self.until).to_numpy()
        known = self.known = leads[self.keep]
        self.cm = _month_index(known["created_at"])
        self.won = (_is_won(known) & (known["closed_at"] < self.until)).to_numpy()
        self.won_month = _month_index(known["closed_at"].where(self.won))
        lag_of = np.where(self.won, self.won_month - self.cm, -1)
        self.price = known["price"].fillna(0.0).to_numpy(dtype=float)
        self.lag_rows = [np.flatnonzero(lag_of == lag) for lag in range(HORIZONS)]
        # a win counts as of an origin after both its creation and its closing
        self.seen = np.maximum(known["created_at"].to_numpy(), known["closed_at"].to_numpy())[self.won]
        # a deal closed before it was created: its win may fall before an origin it was created after,
        # so the series as of an earlier origin is not the first months of this one
        self.prefix = not (self.won & (known["closed_at"] < known["created_at"]).to_numpy()).any()
        self.month0 = int(self.cm.min()) if len(self.cm) else 0
        self._set_groups(np.zeros(len(known), dtype=np.int64), 1)

    def partitioned(self, group: np.ndarray, groups: int) -> _Deals:
        """The same deals in ``groups`` groups (``group``: each deal's group number, for the rows of
        the deals given to the constructor)."""
        out = copy.copy(self)
        out._set_groups(np.asarray(group)[self.keep], groups)
        return out

    def _set_groups(self, group: np.ndarray, groups: int) -> None:
        self.group, self.groups = group, groups
        # the wins at each lag, in the deals' order: (group, creation month, price)
        self.wins = [(group[at], self.cm[at], self.price[at]) for at in self.lag_rows]
        # deals created per (group, month) from the first creation month, cumulated
        span = (int(self.cm.max()) - self.month0 + 1) if len(self.cm) else 1
        per = np.bincount(group * span + (self.cm - self.month0), minlength=groups * span).reshape(groups, span)
        self.created = np.concatenate([np.zeros((groups, 1), dtype=np.int64), np.cumsum(per, axis=1)], axis=1)
        first = pd.Series(self.seen).groupby(group[self.won]).min()
        self.first_win = [first.get(p) for p in range(groups)]
        self.full = [monthly_series(self.known, self.until)] if groups == 1 else self._grouped_series()

    def _created_up_to(self, p: int, month: int) -> int:
        """Deals of group ``p`` created in months up to ``month`` (a :func:`_month_index`)."""
        return int(self.created[p, int(np.clip(month - self.month0 + 1, 0, self.created.shape[1] - 1))])

    def _grouped_series(self) -> list:
        """:func:`monthly_series` of each group's deals as of ``until``, from one grouping by (group,
        month) (each (group, month) sum runs over the same deals in the same order)."""
        cols = ["month", "revenue", "won_deals", "created"]
        known, won, group = self.known, self.won, self.group
        sums = known.loc[won, "price"].groupby([group[won], self.won_month[won]]).agg(["sum", "count"])
        first = known["created_at"].groupby(group).min()
        out = []
        for p in range(self.groups):
            start = add_months(month_start(first[p]), 1) if pd.notna(first.get(p)) else None
            if start is None or start >= self.until:
                out.append(pd.DataFrame(columns=cols))
                continue
            idx = pd.period_range(start, add_months(self.until, -1), freq="M")
            months = _month_index(pd.Series(idx.to_timestamp()))
            g = (sums.loc[p] if p in sums.index.get_level_values(0) else sums.iloc[:0].droplevel(0)) \
                .reindex(months, fill_value=0)
            created = pd.Series([self._created_up_to(p, m) - self._created_up_to(p, m - 1) for m in months])
            out.append(pd.DataFrame({"month": idx.to_timestamp(), "revenue": g["sum"].astype(float).values,
                                     "won_deals": g["count"].astype(int).values,
                                     "created": created.astype(int).values}))
        return out

    def series(self, origin: pd.Timestamp, p: int = 0) -> pd.DataFrame:
        """:func:`monthly_series` of the group's deals created before ``origin``."""
        if not self.prefix and origin < self.until:
            part = self.known[self.group == p]
            return monthly_series(part[part["created_at"] < origin], origin)
        full = self.full[p]
        n = int((full["month"] < origin).sum()) if len(full) else 0
        if n == 0:
            return pd.DataFrame(columns=["month", "revenue", "won_deals", "created"])
        return full.iloc[:n]

    def any_win(self, origin: pd.Timestamp, p: int = 0) -> bool:
        """Some deal of the group was won before ``origin``."""
        return self.first_win[p] is not None and self.first_win[p] < np.datetime64(origin)

    def yields(self, origin: pd.Timestamp, p: int = 0) -> pd.DataFrame:
        """:func:`new_deal_yields` of the group's deals created before ``origin``."""
        last = _month_index(pd.Series([pd.Timestamp(origin)]))[0] - 1
        rows = []
        for lag in range(HORIZONS):
            hi, lo = last - lag, last - lag - self.lookback
            n = self._created_up_to(p, hi) - self._created_up_to(p, lo)
            g, cm, price = self.wins[lag]
            price = price[(cm <= hi) & (cm > lo) & (g == p)]
            rows.append({"lag": lag, "cohorts_created": n,
                         "revenue_per_deal": float(price.sum()) / n if n else 0.0,
                         "wins_per_deal": float(len(price)) / n if n else 0.0,
                         "price_sq": float((price ** 2).mean()) if len(price) else 0.0})
        return pd.DataFrame(rows)


def ets_forecast(values, settings: Settings = DEFAULT, horizons: int = HORIZONS) -> SeriesForecast:
    """ETS forecast of one monthly series with an 80 % prediction interval (:mod:`crmreports.ets`);
    negative values are clipped to 0.

    ≥ ``seasonal_months`` observations: ETS(A, Ad, A) with period 12; ≥ ``trend_months``: ETS(A, Ad, N);
    fewer: ETS(A, N, N). Initial states come from the heuristic of Hyndman et al. from 10 observations
    (estimated below that). The series is scaled by its mean for a well-conditioned fit.
    """
    return ets_forecasts([values], settings, horizons)[0]


def ets_forecasts(series: list, settings: Settings = DEFAULT, horizons: int = HORIZONS) -> list[SeriesForecast]:
    """:func:`ets_forecast` of each series, fitted together (each result is the one it gets alone)."""
    return ets.forecast_many(series, settings.seasonal_months, settings.trend_months, horizons)


class _SeriesForecasts:
    """ETS forecasts of monthly series, kept by the series' values: the series an estimator will need
    are fitted in one batch (:meth:`prepare`), and any other on its own when asked for."""

    def __init__(self, settings: Settings):
        self.settings, self.done = settings, {}

    @staticmethod
    def _key(values) -> tuple:
        v = np.asarray(values, dtype=float)
        return len(v), v.tobytes()

    def prepare(self, series: list) -> None:
        todo = {self._key(v): v for v in series}
        todo = {k: v for k, v in todo.items() if k not in self.done}
        if todo:
            self.done.update(zip(todo, ets_forecasts(list(todo.values()), self.settings)))

    def __call__(self, values) -> SeriesForecast:
        key = self._key(values)
        if key not in self.done:
            self.done[key] = ets_forecast(values, self.settings)
        return self.done[key]


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
        at = np.flatnonzero((self.table["k"].to_numpy() == k) & (self.table["measure"].to_numpy() == measure))[0]
        return float(self.table[column].to_numpy()[at])


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
    return Estimator(snaps, leads, origin, settings).forecast()


def _forecast(snaps: _Snapshots, deals: _Deals, origin: pd.Timestamp, settings: Settings, open_deals,
              table: bool = True, part: int = 0, ts_forecast=None) -> Forecast:
    """The forecast as of ``origin`` from the snapshot and deal arrays (group ``part`` of them);
    ``open_deals``: a function giving the snapshot rows open at the origin (positions in the
    snapshots, and the frame of them); ``table``: with the probability table (else left empty);
    ``ts_forecast``: gives a series' ETS forecast (default :func:`ets_forecast`)."""
    ts_forecast = ts_forecast or (lambda values: ets_forecast(values, settings))
    months = [add_months(origin, k) for k in range(HORIZONS)]
    series = deals.series(origin, part)
    fc = Forecast(origin, "ok", months, history_months=len(series), series=series)
    if len(series) < settings.min_months:
        fc.status = "short_history"
        return fc
    if not deals.any_win(origin, part):
        fc.status = "no_won"
        return fc
    at, frame = open_deals()
    probs = snaps.table(origin, part) if table else pd.DataFrame(columns=PROBABILITY_COLUMNS)
    level, values = snaps.weights(origin, at)
    weighted = _weighted(frame.assign(band=_age_band(frame["age_days"], settings.age_bins)), level, values) \
        if table else pd.DataFrame()
    # the columns of the weighted open deals the sums read (see _weighted), each summed as a Series
    price = frame["price"].to_numpy(dtype=float)
    won_in = _monthly_probabilities(values)
    columns = {"price": price}
    for k in range(HORIZONS):
        columns[f"p_{k + 1}"] = won_in[k]
        columns[f"exp_{k + 1}"] = price * won_in[k]
    yields = deals.yields(origin, part)
    created = ts_forecast(series["created"].values)
    rows = []
    for measure, col, wcol, pcol in (("revenue", "revenue", "exp_", "revenue_per_deal"),
                                     ("deals", "won_deals", "p_", "wins_per_deal")):
        ts = ts_forecast(series[col].values)
        open_mean = np.array([pd.Series(columns[f"{wcol}{k + 1}"]).sum() for k in range(HORIZONS)])
        if measure == "revenue":
            open_var = np.array([pd.Series(won_in[k] * (1 - won_in[k]) * price ** 2).sum() for k in range(HORIZONS)])
        else:
            open_var = np.array([pd.Series(won_in[k] * (1 - won_in[k])).sum() for k in range(HORIZONS)])
        # the yields by lag (rows 0..HORIZONS-1 are lags 0..HORIZONS-1), as arrays: the same float64 values
        per, wpd, psq = (yields[c].to_numpy(dtype=float) for c in (pcol, "wins_per_deal", "price_sq"))
        new_mean = np.array([sum(created.mean[j] * per[k - j] for j in range(k + 1)) for k in range(HORIZONS)])
        wins = np.array([sum(created.mean[j] * wpd[k - j] for j in range(k + 1)) for k in range(HORIZONS)])
        if measure == "revenue":
            sq = np.array([sum(created.mean[j] * wpd[k - j] * psq[k - j] for j in range(k + 1))
                           for k in range(HORIZONS)])
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


class Estimator:
    """The forecast, its backtest and its breakdowns from one set of :func:`snapshots` and the deals
    known at ``origin`` (:func:`known_at`), with what does not depend on the forecast origin or on the
    group computed once: the snapshot rows' durations, groups and order, the monthly series and the
    new-deal wins. Every result equals the one computed from scratch for its origin or group
    (:func:`forecast_from`, :func:`backtest_from`, :func:`by_group_from` are built on this)."""

    def __init__(self, snaps: pd.DataFrame | None, known: pd.DataFrame, origin: pd.Timestamp,
                 settings: Settings = DEFAULT, snaps_from=None):
        """``snaps``: the :func:`snapshots`; or None and ``snaps_from``, a function that makes them."""
        self.known, self.origin, self.settings = known, pd.Timestamp(origin), settings
        # the deals' arrays are built in a thread while the snapshots are (both mostly numpy and pandas
        # work that leaves the interpreter free); each is built as it would be alone
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="crmreports-forecast-deals") as pool:
            deals = pool.submit(_Deals, known, self.origin, settings.lookback)
            self.snaps = snaps if snaps is not None else snaps_from()
            self.panel = _Snapshots(self.snaps, settings)
            self.deals = deals.result()
        self.ts = _SeriesForecasts(settings)
        self._deal_of_row: np.ndarray | None = None
        self._groups: dict = {}         # column → the future of its groups' forecasts (start_groups)

    def _prepare_series(self, deals: _Deals, cases) -> None:
        """Fit in one batch the ETS models of the forecasts of ``cases`` ((origin, group) pairs)."""
        series = []
        for o, p in cases:
            s = deals.series(o, p)
            if len(s) >= self.settings.min_months and deals.any_win(o, p):
                series += [s[c].to_numpy() for c in ("created", "revenue", "won_deals")]
        self.ts.prepare(series)

    def _open(self, origin: pd.Timestamp):
        """A function giving the snapshot rows open at ``origin`` (positions, and the frame of them)."""
        def rows():
            moment = self.snaps["moment"]
            if len(moment) and moment.is_monotonic_increasing:     # as snapshots() sorts them: a slice
                a, b = moment.searchsorted(origin, side="left"), moment.searchsorted(origin, side="right")
                return np.arange(a, b), self.snaps.iloc[a:b]
            at = (moment == origin).to_numpy()
            return np.flatnonzero(at), self.snaps[at]
        return rows

    def forecast(self, origin: pd.Timestamp | None = None, table: bool = True) -> Forecast:
        """The forecast as of ``origin`` (default: the estimator's origin; an earlier month start sees
        only what was known then)."""
        o = self.origin if origin is None else pd.Timestamp(origin)
        return _forecast(self.panel, self.deals, o, self.settings, self._open(o), table, ts_forecast=self.ts)

    def backtest(self) -> pd.DataFrame:
        """:func:`backtest_from`: the forecast as of each of the ``lookback`` month starts before the origin."""
        origin, settings = self.origin, self.settings
        actual = _monthly_actuals(self.known, origin)
        # the series of every backtest origin and of the origin itself, fitted in one batch
        self._prepare_series(self.deals, [(add_months(origin, -i), 0) for i in range(settings.lookback, -1, -1)])
        rows = []
        for i in range(settings.lookback, 0, -1):
            o = add_months(origin, -i)
            fc = self.forecast(o, table=False)
            past = fc.series.set_index("month") if fc.history_months else None    # the series as of o
            tk, tm = (fc.table["k"].to_numpy(), fc.table["measure"].to_numpy()) if fc.ok else (None, None)
            for k, m in enumerate(fc.months, start=1):
                if add_months(m, 1) > origin:
                    continue
                for measure, col in (("revenue", "revenue"), ("deals", "won_deals")):
                    row = {"forecast_origin": o, "k": k, "month": m, "measure": measure,
                           "actual": _actual(actual, m, measure), "status": fc.status}
                    if fc.ok:
                        at = np.flatnonzero((tk == k) & (tm == measure))[0]
                        row.update({c: float(fc.table[c].to_numpy()[at])
                                    for c in ("pipeline", "ts", "combined", "sd", "low", "high")})
                        last = add_months(o, -1)
                        row["last_month"] = float(past[col].get(last, np.nan))
                        row["seasonal"] = float(past[col].get(add_months(m, -12), np.nan))
                    rows.append(row)
        return pd.DataFrame(rows, columns=BACKTEST_COLUMNS)

    def start_groups(self, columns) -> None:
        """Start computing the forecasts of each group of each of ``columns`` in a background thread
        (:meth:`by_group` then waits for them): most of the work is numpy sorting and counting that
        leaves the interpreter free, so it overlaps the backtest on another core. The results are the
        same as computed on the spot."""
        todo = [c for c in columns if c not in self._groups]
        if not todo:
            return
        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="crmreports-forecast-groups")
        for c in todo:
            self._groups[c] = pool.submit(self._group_forecasts, c)
        pool.shutdown(wait=False)

    def _group_forecasts(self, column: str) -> tuple[np.ndarray, list, np.ndarray]:
        """Each group's key, its forecast (intervals not widened) and its deals open at the origin."""
        origin, settings, known, snaps = self.origin, self.settings, self.known, self.snaps
        keys = np.sort(known[column].dropna().unique())
        if not len(keys):
            return keys, [], np.zeros(0, dtype=np.int64)
        # each deal's and each snapshot row's group number; deals without a key in one more group
        lead_part = pd.Index(keys).get_indexer(known[column])
        if self._deal_of_row is None:       # each snapshot row's deal (its row in known; -1: none), found once
            self._deal_of_row = pd.Index(known["id"]).get_indexer(snaps["lead_id"])
        deal_of_row = self._deal_of_row
        snap_part = np.where(deal_of_row >= 0, lead_part[deal_of_row], -1)
        has = snap_part >= 0
        panel = self.panel.partitioned(np.where(has, snap_part, len(keys)), len(keys) + 1, origin)
        deals = self.deals.partitioned(np.where(lead_part >= 0, lead_part, len(keys)), len(keys) + 1)
        # the rows open at the origin, by group; their probabilities estimated for all groups at once
        at = np.flatnonzero((snaps["moment"] == origin).to_numpy())
        at_part = snap_part[at]
        frame = snaps.iloc[at]
        panel.weights(origin, at)
        self._prepare_series(deals, [(origin, p) for p in range(len(keys))])
        forecasts, open_deals = [], np.zeros(len(keys), dtype=np.int64)
        for p in range(len(keys)):
            mine = at_part == p
            forecasts.append(_forecast(panel, deals, origin, settings, lambda mine=mine: (at[mine], frame[mine]), False,
                                       p, ts_forecast=self.ts))
            open_deals[p] = int(mine.sum())
        return keys, forecasts, open_deals

    def by_group(self, column: str, factors: dict | None = None) -> pd.DataFrame:
        """:func:`by_group_from`: the forecast of each group of deals (by ``column``) from its own deals."""
        job = self._groups.get(column)
        keys, forecasts, open_deals = job.result() if job is not None else self._group_forecasts(column)
        if not len(keys):
            return pd.DataFrame()
        rows = []
        for key, raw, n_open in zip(keys, forecasts, open_deals):
            fc = widen(raw, factors or {})
            row = {"key": key, "status": fc.status, "open_deals": int(n_open)}
            for k in range(1, HORIZONS + 1):
                row[f"revenue_{k}"] = fc.value(k)
                row[f"low_{k}"] = fc.value(k, column="low")
                row[f"high_{k}"] = fc.value(k, column="high")
                row[f"deals_{k}"] = fc.value(k, "deals")
            row["revenue_3m"] = sum(row[f"revenue_{k}"] for k in range(1, HORIZONS + 1))
            rows.append(row)
        return pd.DataFrame(rows).sort_values("revenue_3m", ascending=False, na_position="last").reset_index(drop=True)


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
    g = _monthly_actuals(leads, until)
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


BACKTEST_COLUMNS = ["forecast_origin", "k", "month", "measure", "actual", "pipeline", "ts", "combined", "sd", "low",
                    "high", "last_month", "seasonal", "status"]


def backtest_from(snaps: pd.DataFrame, known: pd.DataFrame, origin: pd.Timestamp,
                  settings: Settings = DEFAULT) -> pd.DataFrame:
    """:func:`backtest` from the deals known at ``origin`` (:func:`known_at`) and their :func:`snapshots`
    at ``snapshot_moments(known, origin, lookback, lookback)`` (computed once, shared with the forecast)."""
    return Estimator(snaps, known, origin, settings).backtest()


def _monthly_actuals(leads: pd.DataFrame, until: pd.Timestamp) -> pd.DataFrame:
    """Won revenue (sum) and deals (count) per month of the deals won before ``until``, as
    :func:`actual_monthly` groups them."""
    won = leads[_is_won(leads) & (leads["closed_at"] < until)]
    return won.groupby(won["closed_at"].dt.to_period("M"))["price"].agg(["sum", "count"])


def _actual(g: pd.DataFrame, month: pd.Timestamp, measure: str):
    p = pd.Timestamp(month).to_period("M")
    return float(g["sum"].get(p, 0.0)) if measure == "revenue" else float(int(g["count"].get(p, 0)))


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
    return Estimator(snaps, known, origin, settings).by_group(column, factors)
