"""Local time in SQL, exactly as pandas converts it.

The store keeps timestamps as naive UTC; the reports cut periods in the account's local time, as
:func:`crmreports.store.to_local` (pandas) converts. The query modules push those cuts into DuckDB
with :func:`local_sql`: the column plus the zone's UTC offset, the offset switching at the zone's
transitions inside the span read (:func:`utc_offsets`, taken from pandas' own conversion, so the two
agree to the microsecond, summer time and half-hour zones included). DuckDB's own time zone support
(ICU) is not used: its tz database can differ from the one pandas uses.
"""

from __future__ import annotations

from datetime import timedelta
from functools import lru_cache
from itertools import pairwise

import numpy as np
import pandas as pd

MARGIN = timedelta(days=2)  # wider than any UTC offset (max 14 h): a UTC span this much wider holds every local one
_GRID = pd.Timedelta(minutes=15)  # finer than the shortest gap between two transitions of any zone
_DAY = pd.Timedelta(days=1)


def _offsets_us(ts: pd.DatetimeIndex, tz: str) -> np.ndarray:
    """UTC offsets (microseconds) of ``tz`` at the naive-UTC moments ``ts``, as pandas converts."""
    local = ts.tz_localize("UTC").tz_convert(tz).tz_localize(None)
    return (local - ts).to_numpy().astype("timedelta64[us]").astype("int64")


def utc_offsets(tz: str, lo, hi) -> tuple[tuple[pd.Timestamp | None, int], ...]:
    """The offsets of ``tz`` over the UTC span ``[lo, hi]`` (widened by a day each side):
    ``((None, offset), (since, offset), ...)``, each ``since`` the first microsecond (naive UTC) of its
    offset; offsets in microseconds."""
    return _utc_offsets(tz, pd.Timestamp(lo).floor("D") - _DAY, pd.Timestamp(hi).ceil("D") + _DAY)


@lru_cache(maxsize=64)
def _utc_offsets(tz: str, lo: pd.Timestamp, hi: pd.Timestamp) -> tuple[tuple[pd.Timestamp | None, int], ...]:
    grid = pd.date_range(lo, hi, freq=_GRID)
    off = _offsets_us(grid, tz)
    grid_us = grid.to_numpy().astype("datetime64[us]").astype("int64")
    out: list[tuple[pd.Timestamp | None, int]] = [(None, int(off[0]))]
    for i in np.flatnonzero(off[1:] != off[:-1]):
        a, b = int(grid_us[i]), int(grid_us[i + 1])  # microseconds; offset(a) != offset(b)
        while b - a > 1:  # the first microsecond with offset(b)
            mid = (a + b) // 2
            same = _offsets_us(pd.DatetimeIndex([pd.Timestamp(mid, unit="us")]), tz)[0] == off[i]
            a, b = (mid, b) if same else (a, mid)
        out.append((pd.Timestamp(b, unit="us"), int(off[i + 1])))
    return tuple(out)


def local_sql(col: str, tz: str, lo, hi) -> str:
    """SQL for the local time of the naive-UTC column ``col``, exact for values in ``[lo, hi]`` (UTC);
    outside the span the offset of its nearest end is used, so callers keep to the span they give."""
    parts = utc_offsets(tz, lo, hi)

    def plus(us: int) -> str:
        return f"{col} + to_microseconds({us})"

    if len(parts) == 1:
        return f"({plus(parts[0][1])})"
    whens = " ".join(
        f"WHEN {col} < TIMESTAMP '{since.isoformat(sep=' ')}' THEN {plus(prev)}"
        for (_, prev), (since, _) in pairwise(parts)
    )
    return f"(CASE {whens} ELSE {plus(parts[-1][1])} END)"
