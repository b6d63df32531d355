"""The Russian production calendar (производственный календарь) for a five-day week: which days are
working days, and how many working days lie in a span of dates.

A day is a working day when it is a Monday–Friday that is not a public holiday and not a day off
moved there by a transfer, or when it is a weekend day the government made a working day.

Sources:
- public holidays: Labour Code of the Russian Federation (Трудовой кодекс РФ), art. 112: 1–6 and 8 January
  (Новогодние каникулы), 7 January, 23 February, 8 March, 1 May, 9 May, 12 June, 4 November. A holiday
  that falls on a weekend moves to the next working day, except the January ones, which the government
  moves by decree;
- transfers (перенос выходных дней), one government decree (постановление Правительства РФ) a year:
  2024 — № 1314 of 10.08.2023; 2025 — № 1335 of 04.10.2024; 2026 — the decree of 24.09.2025.
  Checks: 248 working days in 2024, 247 in 2025, 247 in 2026 (as the official calendars state).
- 2027: the decree was not yet published when this table was written; only the automatic art. 112
  moves are in it (1 May → 3 May, 9 May → 10 May, 12 June → 14 June), the transfers of 2 and 3 January
  are not, so 2027 is marked provisional (:data:`PROVISIONAL_YEARS`) and reports say so.

THIS TABLE MUST BE UPDATED EVERY YEAR when the government publishes the next year's decree (usually in
August–October): add the year to :data:`TRANSFERS` and take it out of :data:`PROVISIONAL_YEARS`.
Years outside the table use the art. 112 rule alone and are provisional as well.

Shortened pre-holiday days (one hour shorter) count as full working days. Nothing here uses the network.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

# (month, day) of the non-working public holidays, Labour Code art. 112.
HOLIDAYS: tuple[tuple[int, int], ...] = (
    (1, 1),
    (1, 2),
    (1, 3),
    (1, 4),
    (1, 5),
    (1, 6),
    (1, 7),
    (1, 8),
    (2, 23),
    (3, 8),
    (5, 1),
    (5, 9),
    (6, 12),
    (11, 4),
)
JANUARY_HOLIDAYS = {(1, d) for d in range(1, 9)}


@dataclass(frozen=True)
class YearTransfers:
    """Weekdays that are days off besides the holidays themselves, and weekend days that are working."""

    days_off: tuple[date, ...]
    working_weekends: tuple[date, ...] = ()
    source: str = ""


D = date
TRANSFERS: dict[int, YearTransfers] = {
    2024: YearTransfers(
        # 6 Jan (Sat) -> 10 May, 7 Jan (Sun) -> 31 Dec, 27 Apr (Sat) -> 29 Apr, 2 Nov (Sat) -> 30 Apr,
        # 28 Dec (Sat) -> 30 Dec
        days_off=(D(2024, 4, 29), D(2024, 4, 30), D(2024, 5, 10), D(2024, 12, 30), D(2024, 12, 31)),
        working_weekends=(D(2024, 4, 27), D(2024, 11, 2), D(2024, 12, 28)),
        source="постановление Правительства РФ от 10.08.2023 № 1314",
    ),
    2025: YearTransfers(
        # 4 Jan (Sat) -> 2 May, 5 Jan (Sun) -> 31 Dec, 23 Feb (Sun) -> 8 May, 8 Mar (Sat) -> 13 Jun,
        # 1 Nov (Sat) -> 3 Nov
        days_off=(D(2025, 5, 2), D(2025, 5, 8), D(2025, 6, 13), D(2025, 11, 3), D(2025, 12, 31)),
        working_weekends=(D(2025, 11, 1),),
        source="постановление Правительства РФ от 04.10.2024 № 1335",
    ),
    2026: YearTransfers(
        # 3 Jan (Sat) -> 9 Jan, 4 Jan (Sun) -> 31 Dec; art. 112: 8 Mar (Sun) -> 9 Mar, 9 May (Sat) -> 11 May
        days_off=(D(2026, 1, 9), D(2026, 3, 9), D(2026, 5, 11), D(2026, 12, 31)),
        source="постановление Правительства РФ от 24.09.2025",
    ),
    2027: YearTransfers(
        # art. 112 only: 1 May (Sat) -> 3 May, 9 May (Sun) -> 10 May, 12 Jun (Sat) -> 14 Jun.
        # The decree moving 2 and 3 January is not in the table yet.
        days_off=(D(2027, 5, 3), D(2027, 5, 10), D(2027, 6, 14)),
        source="ТК РФ ст. 112 (постановление о переносе на 2027 год ещё не учтено)",
    ),
}
PROVISIONAL_YEARS = frozenset({2027})


def is_provisional(year: int) -> bool:
    """True when the year's transfers are not (fully) known: reports footnote it."""
    return year in PROVISIONAL_YEARS or year not in TRANSFERS


def _art112_moves(year: int) -> set[date]:
    """Days off created by the Labour Code rule: a non-January holiday on a weekend moves to the next
    working day (used for years without a decree in the table)."""
    fixed = {date(year, m, d) for m, d in HOLIDAYS}
    out: set[date] = set()
    for m, d in HOLIDAYS:
        if (m, d) in JANUARY_HOLIDAYS:
            continue
        day = date(year, m, d)
        if day.weekday() < 5:
            continue
        nxt = day + timedelta(days=1)
        while nxt.weekday() >= 5 or nxt in fixed or nxt in out:
            nxt += timedelta(days=1)
        out.add(nxt)
    return out


@cache
def _year(year: int) -> tuple[frozenset, frozenset]:
    """(non-working dates that would otherwise be working, working dates that would otherwise not be)."""
    holidays = {date(year, m, d) for m, d in HOLIDAYS}
    tr = TRANSFERS.get(year)
    extra_off = set(tr.days_off) if tr else _art112_moves(year)
    working = set(tr.working_weekends) if tr else set()
    return frozenset(holidays | extra_off), frozenset(working)


def is_working_day(d: date) -> bool:
    """True for a working day of the five-day week in Russia."""
    off, working = _year(d.year)
    if d in working:
        return True
    return d.weekday() < 5 and d not in off


def working_days(start: date, end: date) -> int:
    """How many working days lie in ``[start, end)`` (0 when ``end <= start``)."""
    n, d = 0, start
    while d < end:
        n += is_working_day(d)
        d += timedelta(days=1)
    return n


def working_day_dates(start: date, end: date) -> list[date]:
    """The working days in ``[start, end)``, in order."""
    out, d = [], start
    while d < end:
        if is_working_day(d):
            out.append(d)
        d += timedelta(days=1)
    return out


def after_working_days(start: date, end: date, n: int) -> date:
    """The day after the ``n``-th working day counted from ``start`` (``start`` itself when ``n`` is 0),
    never later than ``end``: the moment by which ``n`` working days of ``[start, end)`` have passed."""
    if n <= 0:
        return start
    days = working_day_dates(start, end)
    if n >= len(days):
        return end
    return days[n - 1] + timedelta(days=1)


def sources(years) -> list[str]:
    """The decrees behind the given years (for footnotes)."""
    return [f"{y}: {TRANSFERS[y].source}" for y in sorted(set(years)) if y in TRANSFERS]
