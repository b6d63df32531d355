"""Calendar months: month starts, month arithmetic and months as integers (year × 12 + month − 1)."""

from __future__ import annotations

import numpy as np
import pandas as pd


def month_start(ts) -> pd.Timestamp:
    ts = pd.Timestamp(ts)
    return ts.to_period("M").to_timestamp()


def add_months(ts: pd.Timestamp, n: int) -> pd.Timestamp:
    return (pd.Timestamp(ts).to_period("M") + n).to_timestamp()


def _months_since_1970(v: np.ndarray) -> np.ndarray:
    """``v.astype("datetime64[M]").astype(np.int64)`` of datetime64[ns] values (NaT: the int64 minimum),
    without numpy's per-element calendar conversion: each value's day, then the month of each distinct
    day of the range from a table."""
    ns = v.view(np.int64)
    nat = np.isnat(v)
    if nat.all():
        return v.astype("datetime64[M]").astype(np.int64)
    days = np.floor_divide(ns, 86_400 * 10**9)
    lo, hi = int(days[~nat].min()), int(days[~nat].max())
    if hi - lo > 4 * len(v) + 1000:  # a sparse range: the table would cost more than it saves
        return v.astype("datetime64[M]").astype(np.int64)
    table = np.arange(lo, hi + 1).astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    out = table[np.clip(days - lo, 0, hi - lo)]
    out[nat] = np.iinfo(np.int64).min
    return out


def month_index(values) -> np.ndarray:
    """Months since year 0 (year × 12 + month − 1) of datetime64 values."""
    return _months_since_1970(np.asarray(values, dtype="datetime64[ns]")) + 1970 * 12


def _month_index(s: pd.Series) -> np.ndarray:
    """Months since year 0 (NaT gives a large negative number)."""
    v = pd.to_datetime(s).to_numpy(dtype="datetime64[ns]")
    months = _months_since_1970(v) + 1970 * 12  # year * 12 + month - 1
    return np.where(np.isnat(v), -(10**6), months)
