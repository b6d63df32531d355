"""Local time in SQL (crmreports.core.localtime) against pandas' conversion, which every report uses."""

import duckdb
import pandas as pd
import pytest

from crmreports import store
from crmreports.core.localtime import local_sql, utc_offsets

ZONES = ["Europe/Berlin", "Europe/Moscow", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu", "UTC"]


@pytest.mark.parametrize("tz", ZONES)
def test_local_time_in_sql_is_what_pandas_gives(tz):
    """To the microsecond, also right before, at and after every change to and from summer time
    (Lord Howe shifts by half an hour, Kathmandu is +5:45, Moscow has had one offset since 2014)."""
    lo, hi = pd.Timestamp("2024-01-01"), pd.Timestamp("2026-12-31")
    changes = [since for since, _ in utc_offsets(tz, lo, hi)[1:]]
    if tz in ("Europe/Berlin", "America/New_York", "Australia/Lord_Howe"):
        assert sum(lo <= c <= hi for c in changes) == 6  # two a year
    else:
        assert changes == []
    us = pd.Timedelta(microseconds=1)
    probes = [c + d for c in changes for d in (-pd.Timedelta(minutes=15), -us, pd.Timedelta(0), us)]
    ts = pd.Series(list(pd.date_range(lo, hi, freq="37min13s")) + probes, dtype="datetime64[us]")
    con = duckdb.connect()
    con.register("t", pd.DataFrame({"at": ts}))
    got = con.sql(f'SELECT {local_sql(chr(34) + "at" + chr(34), tz, lo, hi)} AS "at" FROM t').df()["at"]
    want = store.to_local(pd.DataFrame({"at": ts}), "stage_changes", tz)["at"]
    assert (pd.to_datetime(got).to_numpy() == pd.to_datetime(want).to_numpy()).all()


@pytest.mark.reliability("R44")
def test_berlin_changes_are_the_known_moments():
    # EU rules: summer time from 01:00 UTC on the last Sunday of March to 01:00 UTC on the last Sunday of October
    parts = utc_offsets("Europe/Berlin", pd.Timestamp("2026-01-01"), pd.Timestamp("2026-12-31"))
    hour = 3600 * 10**6
    assert [(str(s), o // hour) for s, o in parts if s is not None and s.year == 2026] == [
        ("2026-03-29 01:00:00", 2),
        ("2026-10-25 01:00:00", 1),
    ]
    assert parts[0] == (None, hour)


def test_a_change_off_the_quarter_hour_is_found_to_the_microsecond():
    # Liberia moved from UTC−0:44:30 to UTC at 00:44:30 UTC on 7 January 1972: between two points of the
    # 15-minute scan, so the moment is found by halving
    lo, hi = pd.Timestamp("1972-01-01"), pd.Timestamp("1972-01-31")
    assert utc_offsets("Africa/Monrovia", lo, hi) == (
        (None, -(44 * 60 + 30) * 10**6),
        (pd.Timestamp("1972-01-07 00:44:30"), 0),
    )
    edge = pd.Timestamp("1972-01-07 00:44:30")
    ts = pd.Series([edge - pd.Timedelta(microseconds=1), edge], dtype="datetime64[us]")
    con = duckdb.connect()
    con.register("t", pd.DataFrame({"at": ts}))
    got = con.sql(f"SELECT {local_sql(chr(34) + 'at' + chr(34), 'Africa/Monrovia', lo, hi)} AS l FROM t").df()["l"]
    assert [str(v) for v in got] == ["1972-01-06 23:59:59.999999", "1972-01-07 00:44:30"]
