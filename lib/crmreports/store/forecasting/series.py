"""Monthly series, new-deal yields and the time-series (ETS) view."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd

from . import ets
from .ets import SeriesForecast
from .history import _is_won
from .months import _month_index, add_months, month_start
from .settings import DEFAULT, HORIZONS, Settings


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
    months = _month_index(pd.Series(idx.to_timestamp()))  # the same months as integers: cheaper keys
    won = leads[_is_won(leads) & (leads["closed_at"] < origin)]
    g = won.groupby(_month_index(won["closed_at"]))["price"].agg(["sum", "count"]).reindex(months, fill_value=0)
    c = leads[leads["created_at"] < origin]
    created = c.groupby(_month_index(c["created_at"])).size().reindex(months, fill_value=0)
    return pd.DataFrame(
        {
            "month": idx.to_timestamp(),
            "revenue": g["sum"].astype(float).values,
            "won_deals": g["count"].astype(int).values,
            "created": created.astype(int).values,
        }
    )


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
        rows.append(
            {
                "lag": lag,
                "cohorts_created": n,
                "revenue_per_deal": float(price.sum()) / n if n else 0.0,
                "wins_per_deal": float(hit.sum()) / n if n else 0.0,
                "price_sq": float((price**2).mean()) if len(price) else 0.0,
            }
        )
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
            g = (sums.loc[p] if p in sums.index.get_level_values(0) else sums.iloc[:0].droplevel(0)).reindex(
                months, fill_value=0
            )
            created = pd.Series([self._created_up_to(p, m) - self._created_up_to(p, m - 1) for m in months])
            out.append(
                pd.DataFrame(
                    {
                        "month": idx.to_timestamp(),
                        "revenue": g["sum"].astype(float).values,
                        "won_deals": g["count"].astype(int).values,
                        "created": created.astype(int).values,
                    }
                )
            )
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
            rows.append(
                {
                    "lag": lag,
                    "cohorts_created": n,
                    "revenue_per_deal": float(price.sum()) / n if n else 0.0,
                    "wins_per_deal": float(len(price)) / n if n else 0.0,
                    "price_sq": float((price**2).mean()) if len(price) else 0.0,
                }
            )
        return pd.DataFrame(rows)


def ets_forecast(values, settings: Settings = DEFAULT, horizons: int = HORIZONS) -> SeriesForecast:
    """ETS forecast of one monthly series with an 80 % prediction interval (:mod:`.ets`);
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
