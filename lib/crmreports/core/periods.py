"""Report periods: parsing period strings, comparable previous period, same period a year earlier.

Bounds are naive local dates in the account's timezone; ``end`` is exclusive.
Valid forms: ``2026-10`` (month), ``2026-Q3`` (quarter), ``2026-W44`` (ISO week), ``2026`` (year),
``2026-10-01..2026-10-15`` (inclusive range of days).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pandas as pd

VALID_FORMS = "2026-10 (month), 2026-Q3 (quarter), 2026-W44 (ISO week), 2026 (year), 2026-10-01..2026-10-15 (range)"
# Years a report period may lie in: the comparisons reach a year back, and pandas timestamps end in 2262.
MIN_YEAR, MAX_YEAR = 1900, 2200


class PeriodError(ValueError):
    """A period string that cannot be parsed; the message lists the valid forms."""


@dataclass(frozen=True)
class Period:
    kind: str  # month | quarter | week | year | range
    start: date  # first day
    end: date  # day after the last day (exclusive)
    key: str  # canonical string, e.g. "2026-10"

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    @property
    def start_ts(self) -> pd.Timestamp:
        return pd.Timestamp(self.start)

    @property
    def end_ts(self) -> pd.Timestamp:
        return pd.Timestamp(self.end)

    def contains(self, s: pd.Series) -> pd.Series:
        """Boolean mask of timestamps (naive local) inside the period."""
        return (s >= self.start_ts) & (s < self.end_ts)

    def previous(self) -> Period:
        """The previous period of the same kind and length."""
        if self.kind == "month":
            y, m = (self.start.year, self.start.month - 1) if self.start.month > 1 else (self.start.year - 1, 12)
            return _parse(f"{y}-{m:02d}")
        if self.kind == "quarter":
            q = (self.start.month - 1) // 3 + 1
            y, q = (self.start.year, q - 1) if q > 1 else (self.start.year - 1, 4)
            return _parse(f"{y}-Q{q}")
        if self.kind == "week":
            d = self.start - timedelta(days=7)
            iso = d.isocalendar()
            return _parse(f"{iso.year}-W{iso.week:02d}")
        if self.kind == "year":
            return _parse(str(self.start.year - 1))
        start = self.start - timedelta(days=self.days)
        return _range(start, self.start)

    def year_ago(self) -> Period:
        """The same period one year earlier (same ISO week number for weeks)."""
        if self.kind == "month":
            return _parse(f"{self.start.year - 1}-{self.start.month:02d}")
        if self.kind == "quarter":
            return _parse(f"{self.start.year - 1}-Q{(self.start.month - 1) // 3 + 1}")
        if self.kind == "week":
            iso = self.start.isocalendar()
            week = min(iso.week, date(iso.year - 1, 12, 28).isocalendar().week)
            return _parse(f"{iso.year - 1}-W{week:02d}")
        if self.kind == "year":
            return _parse(str(self.start.year - 1))
        # the same first and last days a year earlier (a last day of 28 February in a leap year stays 28 February:
        # moving the exclusive end, 29 February, would drop it)
        return _range(_minus_year(self.start), _minus_year(self.last_day) + timedelta(days=1))

    def __str__(self) -> str:
        return self.key


def _minus_year(d: date) -> date:
    try:
        return d.replace(year=d.year - 1)
    except ValueError:  # 29 February
        return d.replace(year=d.year - 1, day=28)


def _range(start: date, end_exclusive: date) -> Period:
    last = end_exclusive - timedelta(days=1)
    return Period("range", start, end_exclusive, f"{start.isoformat()}..{last.isoformat()}")


def _bad(text: str, why: str = "") -> PeriodError:
    return PeriodError(f"bad period {text!r}{': ' + why if why else ''}; valid forms: {VALID_FORMS}")


def parse_period(text: str) -> Period:
    """Parse a period string (see module docstring); raise :class:`PeriodError` listing valid forms.
    Years outside :data:`MIN_YEAR`..:data:`MAX_YEAR` are refused (``0001-01``, ``9999-12-01..9999-12-31``)."""
    p = _parse(text)
    if p.start.year < MIN_YEAR or p.last_day.year > MAX_YEAR:
        raise _bad(text, f"years must be within {MIN_YEAR}..{MAX_YEAR}")
    return p


def _parse(text: str) -> Period:
    """:func:`parse_period` without the year bounds (the comparison periods of a bounded one)."""
    if not isinstance(text, str):
        raise _bad(str(text), "not a string")
    s = text.strip()
    try:
        if m := re.fullmatch(r"(\d{4})-(\d{2})", s):
            y, mo = int(m[1]), int(m[2])
            if not 1 <= mo <= 12:
                raise _bad(text, "month must be 01..12")
            start = date(y, mo, 1)
            end = date(y + (mo == 12), mo % 12 + 1, 1)
            return Period("month", start, end, f"{y}-{mo:02d}")
        if m := re.fullmatch(r"(\d{4})-[Qq]([1-4])", s):
            y, q = int(m[1]), int(m[2])
            start = date(y, 3 * q - 2, 1)
            end = date(y + (q == 4), (3 * q) % 12 + 1, 1)
            return Period("quarter", start, end, f"{y}-Q{q}")
        if m := re.fullmatch(r"(\d{4})-[Ww](\d{1,2})", s):
            y, w = int(m[1]), int(m[2])
            try:
                start = date.fromisocalendar(y, w, 1)
            except ValueError:
                raise _bad(text, f"{y} has no ISO week {w}") from None
            return Period("week", start, start + timedelta(days=7), f"{y}-W{w:02d}")
        if m := re.fullmatch(r"(\d{4})", s):
            y = int(m[1])
            return Period("year", date(y, 1, 1), date(y + 1, 1, 1), str(y))
        if m := re.fullmatch(r"(\d{4}-\d{2}-\d{2})\s*\.\.\s*(\d{4}-\d{2}-\d{2})", s):
            a, b = date.fromisoformat(m[1]), date.fromisoformat(m[2])
            if b < a:
                raise _bad(text, "the range ends before it starts")
            return _range(a, b + timedelta(days=1))
    except PeriodError:
        raise
    except (ValueError, OverflowError) as exc:
        raise _bad(
            text, f"years must be within {MIN_YEAR}..{MAX_YEAR}" if isinstance(exc, OverflowError) else str(exc)
        ) from None
    raise _bad(text)


def last_full_month(today: date | None = None) -> Period:
    """The last calendar month that has fully ended before ``today``."""
    today = today or date.today()
    first = today.replace(day=1)
    prev = first - timedelta(days=1)
    return parse_period(f"{prev.year}-{prev.month:02d}")


def resolve(text: str, today: date | None = None) -> Period:
    """Like :func:`parse_period`, also accepting ``last`` (the last full month) and an empty string."""
    if text is None or str(text).strip().lower() in ("", "last", "last-month"):
        return last_full_month(today)
    return parse_period(str(text))


def as_of_for(period: Period, data_end: datetime | pd.Timestamp | None) -> pd.Timestamp:
    """The moment figures are evaluated at: the end of the period, or the end of data if earlier."""
    end = period.end_ts
    if data_end is None or pd.isna(data_end):
        return end
    return min(end, pd.Timestamp(data_end))


def after_data_warning(period: Period, data_end: datetime | pd.Timestamp | None) -> str | None:
    """A warning when ``period`` starts after the end of the data (a report of it would be empty), else None."""
    if data_end is None or pd.isna(data_end):
        return None
    end = pd.Timestamp(data_end)
    if period.start_ts <= end:
        return None
    return (
        f"period {period.key} starts after the end of the data ({end:%Y-%m-%d %H:%M}): the report will "
        "show no deals; sync or import newer data, or choose an earlier period"
    )
