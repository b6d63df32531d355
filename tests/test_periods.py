from datetime import date

import pytest

from crmreports.core.periods import PeriodError, last_full_month, parse_period, resolve


@pytest.mark.parametrize(
    "text,kind,start,end",
    [
        ("2026-10", "month", date(2026, 10, 1), date(2026, 11, 1)),
        ("2026-12", "month", date(2026, 12, 1), date(2027, 1, 1)),
        ("2026-Q3", "quarter", date(2026, 7, 1), date(2026, 10, 1)),
        ("2026-q4", "quarter", date(2026, 10, 1), date(2027, 1, 1)),
        ("2026-W44", "week", date(2026, 10, 26), date(2026, 11, 2)),
        ("2026-W01", "week", date(2025, 12, 29), date(2026, 1, 5)),
        ("2026", "year", date(2026, 1, 1), date(2027, 1, 1)),
        ("2026-10-01..2026-10-15", "range", date(2026, 10, 1), date(2026, 10, 16)),
    ],
)
def test_parse(text, kind, start, end):
    p = parse_period(text)
    assert (p.kind, p.start, p.end) == (kind, start, end)


@pytest.mark.parametrize(
    "text,prev,year_ago",
    [
        ("2026-10", "2026-09", "2025-10"),
        ("2026-01", "2025-12", "2025-01"),
        ("2026-Q1", "2025-Q4", "2025-Q1"),
        ("2026-W01", "2025-W52", "2025-W01"),
        ("2026-W44", "2026-W43", "2025-W44"),
        ("2026", "2025", "2025"),
        ("2026-10-01..2026-10-15", "2026-09-16..2026-09-30", "2025-10-01..2025-10-15"),
    ],
)
def test_previous_and_year_ago(text, prev, year_ago):
    p = parse_period(text)
    assert p.previous().key == prev
    assert p.year_ago().key == year_ago
    assert p.previous().days == p.days or p.kind in ("month", "quarter", "year")


def test_week_53_year_ago_falls_back_to_52():
    assert parse_period("2026-W53").year_ago().key == "2025-W52"  # 2026 has 53 ISO weeks, 2025 has 52


@pytest.mark.reliability("R62")
def test_leap_day_range_year_ago():
    # 29 Feb has no twin: the range starts on 28 Feb and still ends on 1 Mar
    assert parse_period("2028-02-29..2028-03-01").year_ago().key == "2027-02-28..2027-03-01"


@pytest.mark.parametrize("bad", ["2026-13", "2026-Q5", "2026-W60", "октябрь", "2026-10-15..2026-10-01", "", "26-10"])
@pytest.mark.reliability("R39")
def test_bad_period_lists_valid_forms(bad):
    with pytest.raises(PeriodError) as exc:
        parse_period(bad)
    assert "2026-Q3" in str(exc.value) and "ISO week" in str(exc.value)


def test_last_full_month_and_resolve():
    assert last_full_month(date(2026, 11, 25)).key == "2026-10"
    assert last_full_month(date(2027, 1, 1)).key == "2026-12"
    assert resolve("last", date(2026, 11, 25)).key == "2026-10"
    assert resolve("2026-Q2").key == "2026-Q2"
