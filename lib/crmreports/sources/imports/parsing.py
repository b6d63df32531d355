"""Vectorised parsers for the raw cells of an export: dates, amounts, durations, yes/no values.

Each parser returns NaN/NaT where a non-blank cell cannot be parsed, so a contract can tell a blank
cell (allowed or "missing value") from a bad one ("unparseable date", "not a number").
"""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd

# Tried in order; the first that parses a cell wins. Russian exports write 24.11.2026 14:05:00.
DATE_FORMATS = (
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d",
    "%Y-%m-%d %H:%M:%S.%f",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y",
)


def _mask(s: pd.Series, test) -> pd.Series:
    """A boolean mask of ``test`` over the cells; also for an empty column of any type (whose ``map`` keeps its
    type, e.g. an empty "str" column: a mask of that type broke ``&`` and ``|``; found by the fuzz)."""
    return pd.Series([bool(test(v)) for v in s], index=s.index, dtype=bool)


def blank(s: pd.Series) -> pd.Series:
    """True where the cell is empty (None, NaN or whitespace)."""
    return s.isna().astype(bool) | _mask(s, lambda v: isinstance(v, str) and not v.strip())


# Dates an import takes: the years a report period may lie in (crmreports.core.periods). 0001-01-01 or
# 9999-12-31 in an export are placeholders, not dates; outside pandas' nanosecond range they also crashed the
# import (found by the fuzz). They are reported as dates that cannot be read.
FIRST_DATE, END_DATE = pd.Timestamp("1900-01-01"), pd.Timestamp("2201-01-01")


def _in_range(parsed: pd.Series) -> pd.Series:
    """True where ``parsed`` (any datetime resolution) is a date within FIRST_DATE..END_DATE."""
    return parsed.notna() & (parsed >= FIRST_DATE) & (parsed < END_DATE)


def parse_dates(s: pd.Series, formats: tuple[str, ...] | list[str] | None = None) -> pd.Series:
    """Naive timestamps from strings in any of ``formats`` (or spreadsheet date cells) within the years 1900-2200;
    NaT otherwise."""
    out = pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]")
    is_cell = _mask(
        s,
        lambda v: (
            isinstance(v, (dt.datetime, dt.date, pd.Timestamp))
            and not pd.isna(v)
            and FIRST_DATE.year <= v.year < END_DATE.year
        ),
    )
    if is_cell.any():
        out[is_cell] = pd.to_datetime(s[is_cell].map(pd.Timestamp)).astype("datetime64[ns]")
    is_date = _mask(s, lambda v: isinstance(v, (dt.datetime, dt.date, pd.Timestamp)))  # out of range: not text
    text = s[~is_date & ~blank(s)].astype(str).str.strip()
    for f in formats or DATE_FORMATS:
        if text.empty:
            break
        parsed = pd.to_datetime(text, format=f, errors="coerce")
        ok = _in_range(parsed)
        parsed = parsed.where(ok).astype("datetime64[ns]")
        out[ok[ok].index] = parsed[ok]
        text = text[~ok]
    return out


_SPACES = re.compile(r"[\s\u00a0\u202f']")
_CURRENCY = re.compile(r"(руб\.?|р\.|₽|\$|€|R\$|USD|EUR|RUB|BRL)", re.IGNORECASE)


# A plain decimal number in ASCII digits: Python's float() also takes inf, nan, 1_000 and non-ASCII
# digits (١٢٣), which no export means as an amount.
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?", re.ASCII)


def _finite(x: float) -> float:
    return x if np.isfinite(x) else np.nan


def _number(text: str) -> float:
    """``text`` as a finite float if it is a plain ASCII decimal number, else NaN."""
    if not _NUMBER.fullmatch(text):
        return np.nan
    return _finite(float(text))


def _amount(v) -> float:
    if isinstance(v, bool):
        return np.nan
    if isinstance(v, (int, float, np.integer, np.floating)):
        return _finite(float(v))
    text = _CURRENCY.sub("", _SPACES.sub("", str(v)))
    if text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")  # 1234,50 (Russian decimal comma)
    elif "," in text and "." in text:
        text = text.replace(",", "")  # 1,234.50
    return _number(text)


def parse_amounts(s: pd.Series) -> pd.Series:
    """Floats from ``1 234,50 ₽``, ``1234.5``, ``$1,234.50`` or numeric cells; NaN if not a number or blank."""
    out = pd.Series(np.nan, index=s.index, dtype=float)
    filled = ~blank(s)
    out[filled] = s[filled].map(_amount).astype(float)
    return out


def parse_durations(s: pd.Series) -> pd.Series:
    """Seconds from ``HH:MM:SS`` / ``MM:SS`` text, time cells or plain numbers of seconds; NaN otherwise."""

    def one(v):
        if isinstance(v, dt.time):
            return float(v.hour * 3600 + v.minute * 60 + v.second)
        if isinstance(v, dt.timedelta):
            return v.total_seconds()
        if isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool):
            return _finite(float(v))
        text = str(v).strip()
        if re.fullmatch(r"\d+(:\d{1,2}){1,2}", text):
            parts = [int(p) for p in text.split(":")]
            parts = [0] * (3 - len(parts)) + parts
            return float(parts[0] * 3600 + parts[1] * 60 + parts[2])
        return _number(text.replace(",", "."))

    out = pd.Series(np.nan, index=s.index, dtype=float)
    filled = ~blank(s)
    out[filled] = s[filled].map(one).astype(float)
    return out


def combine_date_time(dates: pd.Series, times: pd.Series) -> pd.Series:
    """``Date`` + ``Time`` columns as one naive timestamp (time cells, ``HH:MM[:SS]`` text or blank = 00:00)."""
    secs = parse_durations(times).fillna(0)
    return parse_dates(dates) + pd.to_timedelta(secs, unit="s")


def normalize_text(s: pd.Series) -> pd.Series:
    """Strings with surrounding whitespace removed; blanks become None. Numbers that are whole become '12'."""

    def one(v):
        if v is None or (isinstance(v, float) and np.isnan(v)):
            return None
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        text = str(v).strip()
        return text or None

    return s.map(one).astype(object)


def to_utc(local: pd.Series, tz: str) -> pd.Series:
    """Naive local timestamps in ``tz`` to naive UTC (DST gaps shift forward, repeated hours read as standard time)."""
    if local.empty or local.isna().all():
        return pd.to_datetime(local)
    s = pd.to_datetime(local)
    aware = s.dt.tz_localize(tz, ambiguous=np.zeros(len(s), dtype=bool), nonexistent="shift_forward")
    return aware.dt.tz_convert("UTC").dt.tz_localize(None)
