"""The estimator: the forecast, its backtest and its breakdowns (per manager, per pipeline) from one
set of snapshots and the deals known at the origin."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd

from .backtest import BACKTEST_COLUMNS, _actual, _monthly_actuals, widen
from .forecast import Forecast, _forecast
from .months import add_months
from .probabilities import _Snapshots
from .series import _Deals, _SeriesForecasts
from .settings import DEFAULT, HORIZONS, Settings


class Estimator:
    """The forecast, its backtest and its breakdowns from one set of snapshots (:mod:`.history`) and the
    deals known at ``origin`` (:func:`known_with_stages`), with what does not depend on the forecast origin or on the
    group computed once: the snapshot rows' durations, groups and order, the monthly series and the
    new-deal wins. Every result equals the one computed from scratch for its origin or group
    (:func:`forecast_from`, :func:`backtest_from`, :func:`by_group_from` are built on this)."""

    def __init__(
        self,
        snaps: pd.DataFrame | None,
        known: pd.DataFrame,
        origin: pd.Timestamp,
        settings: Settings = DEFAULT,
        snaps_from=None,
    ):
        """``snaps``: the snapshots; or None and ``snaps_from``, a function that makes them."""
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
        self._groups: dict = {}  # column → the future of its groups' forecasts (start_groups)

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
            if len(moment) and moment.is_monotonic_increasing:  # as snapshots() sorts them: a slice
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
            past = fc.series.set_index("month") if fc.history_months else None  # the series as of o
            tk, tm = (fc.table["k"].to_numpy(), fc.table["measure"].to_numpy()) if fc.ok else (None, None)
            for k, m in enumerate(fc.months, start=1):
                if add_months(m, 1) > origin:
                    continue
                for measure, col in (("revenue", "revenue"), ("deals", "won_deals")):
                    row = {
                        "forecast_origin": o,
                        "k": k,
                        "month": m,
                        "measure": measure,
                        "actual": _actual(actual, m, measure),
                        "status": fc.status,
                    }
                    if fc.ok:
                        at = np.flatnonzero((tk == k) & (tm == measure))[0]
                        row.update(
                            {
                                c: float(fc.table[c].to_numpy()[at])
                                for c in ("pipeline", "ts", "combined", "sd", "low", "high")
                            }
                        )
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
        if self._deal_of_row is None:  # each snapshot row's deal (its row in known; -1: none), found once
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
            forecasts.append(
                _forecast(
                    panel,
                    deals,
                    origin,
                    settings,
                    lambda mine=mine: (at[mine], frame[mine]),
                    False,
                    p,
                    ts_forecast=self.ts,
                )
            )
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


def forecast_from(
    snaps: pd.DataFrame, leads: pd.DataFrame, origin: pd.Timestamp, settings: Settings = DEFAULT
) -> Forecast:
    """The forecast as of ``origin`` from precomputed snapshots (which must include the
    origin's moment). Only rows and outcomes known before the origin are used."""
    origin = pd.Timestamp(origin)
    return Estimator(snaps, leads, origin, settings).forecast()


def backtest_from(
    snaps: pd.DataFrame, known: pd.DataFrame, origin: pd.Timestamp, settings: Settings = DEFAULT
) -> pd.DataFrame:
    """The backtest (:meth:`Estimator.backtest`) from the deals known at ``origin`` and their snapshots
    at ``snapshot_moments(known, origin, lookback, lookback)`` (computed once, shared with the forecast)."""
    return Estimator(snaps, known, origin, settings).backtest()


def by_group_from(
    snaps: pd.DataFrame,
    known: pd.DataFrame,
    origin: pd.Timestamp,
    column: str,
    settings: Settings = DEFAULT,
    factors: dict | None = None,
) -> pd.DataFrame:
    """The breakdown (:meth:`Estimator.by_group`) from the deals known at ``origin`` and their snapshots
    at ``snapshot_moments(known, origin, lookback)`` (see :func:`snapshots_since`)."""
    return Estimator(snaps, known, origin, settings).by_group(column, factors)
