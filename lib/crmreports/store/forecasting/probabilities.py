"""Stage win probabilities (Aalen–Johansen) from the snapshots, the weighted open deals and the
weighted pipeline."""

from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .months import add_months, month_index
from .settings import DAY, DEFAULT, HORIZONS, Settings


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


LEVELS = (
    ("cell", ("pipeline_id", "status_id", "band")),
    ("stage", ("pipeline_id", "status_id")),
    ("pipeline", ("pipeline_id",)),
    ("all", ()),
)
PROBABILITY_COLUMNS = ["level", "pipeline_id", "status_id", "band", "n", "won", "lost", "censored", "p_win"] + [
    f"cif_{k + 1}" for k in range(HORIZONS)
]


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
    """The snapshots as arrays, for estimating the stage win probabilities at several origins (and
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
        self.rows = self.only = None  # all rows, any origin (see partitioned)
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
        ranks = {
            c: _ranks(v)
            for c, v in (
                ("pipeline_id", snaps["pipeline_id"].to_numpy()),
                ("status_id", snaps["status_id"].to_numpy()),
                ("band", _age_band(snaps["age_days"], settings.age_bins)),
            )
        }
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
            cens_dur = ((pd.Series(pd.DatetimeIndex([origin] * len(slots))) - pd.Series(slots)) / DAY).to_numpy(
                dtype=float
            )
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
            s = self.by_duration[np.argsort(c.astype(np.int16) if size < 2**15 else c, kind="stable")]
            code_s, dur_s = code[s], self.dur[s]
            new = np.ones(len(s), dtype=bool)
            new[1:] = (code_s[1:] != code_s[:-1]) | (dur_s[1:] != dur_s[:-1])
            small = np.int16 if max(len(self.moments), self.never + 1) < 2**15 else np.int64
            # the block and won in one integer (2 × block + won): one selection per origin gives both
            packed = 2 * (np.cumsum(new) - 1) + self.won[s]
            self._sorted[level] = (
                code_s,
                self.mi[s].astype(small),
                self.cm[s].astype(small),
                packed.astype(np.int32 if len(s) < 2**30 else np.int64),
                code_s[new],
                dur_s[new],
            )
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
        first = np.append(starts, len(b))[bounds[:-1]]  # each group's first event
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
                need[lo : lo + size] = True
                est = self.level(origin, level, need)
            if est is None or not est.n[lo : lo + size].any():
                if not by:  # no observations at all: one row without estimates
                    rows.append(
                        {
                            "level": level,
                            "pipeline_id": -1,
                            "status_id": -2,
                            "band": -1,
                            "n": 0,
                            "won": 0,
                            "lost": 0,
                            "censored": 0,
                            "p_win": float("nan"),
                            **{f"cif_{k + 1}": float("nan") for k in range(HORIZONS)},
                        }
                    )
                continue
            radix = self.radix[: len(by)]
            for c in np.flatnonzero(est.n[lo : lo + size]):
                g = lo + c
                row = {"level": level, "pipeline_id": -1, "status_id": -2, "band": -1}
                if by:
                    row.update(zip(by, (self.values[col][k] for col, k in zip(by, np.unravel_index(c, radix)))))
                n, won, lost = int(est.n[g]), int(est.won[g]), int(est.lost[g])
                row.update(
                    n=n,
                    won=won,
                    lost=lost,
                    censored=n - won - lost,
                    p_win=float(est.p[g, 0]),
                    **{f"cif_{k + 1}": est.p[g, 1 + k] for k in range(HORIZONS)},
                )
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
    for name, by in (
        ("cell", ["pipeline_id", "status_id", "band"]),
        ("stage", ["pipeline_id", "status_id"]),
        ("pipeline", ["pipeline_id"]),
        ("all", []),
    ):
        lv = ok[ok["level"] == name]
        todo = np.flatnonzero(pd.isna(level))
        if lv.empty or not len(todo):
            continue
        if by:
            m = od[by].iloc[todo].merge(lv[by + pcols], on=by, how="left")  # a left merge keeps the row order
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
        return pd.DataFrame(
            columns=[
                "pipeline_id",
                "status_id",
                "stage",
                "sort",
                "open_deals",
                "amount",
                "p_win",
                "weighted",
                "expected_3m",
                "expected_deals_3m",
            ]
        )
    w = weighted.assign(
        exp3=weighted[["exp_1", "exp_2", "exp_3"]].sum(axis=1), p3=weighted[["p_1", "p_2", "p_3"]].sum(axis=1)
    )
    g = (
        w.groupby(["pipeline_id", "status_id"])
        .agg(
            open_deals=("lead_id", "size"),
            amount=("price", "sum"),
            p_win=("p_win", "mean"),
            weighted=("weighted", "sum"),
            expected_3m=("exp3", "sum"),
            expected_deals_3m=("p3", "sum"),
        )
        .reset_index()
    )
    st = statuses[["pipeline_id", "id", "name", "sort"]].rename(columns={"id": "status_id", "name": "stage"})
    g = g.merge(st, on=["pipeline_id", "status_id"], how="left")
    g["sort"] = g["sort"].fillna(-1)
    return g.sort_values(["pipeline_id", "sort"]).reset_index(drop=True)[
        [
            "pipeline_id",
            "status_id",
            "stage",
            "sort",
            "open_deals",
            "amount",
            "p_win",
            "weighted",
            "expected_3m",
            "expected_deals_3m",
        ]
    ]
