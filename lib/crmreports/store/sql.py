"""Public SQL helpers for the report queries: timestamps as DuckDB parameters, windows widened by
:data:`crmreports.core.localtime.MARGIN`, SELECTs read as frames in local time."""

from __future__ import annotations

from datetime import datetime

import duckdb
import pandas as pd
import pyarrow as pa

from ..core.localtime import MARGIN
from .access import to_local
from .schema import conform


def sql_ts(x) -> datetime:
    return pd.Timestamp(x).to_pydatetime()


def sql_windows(col: str, ranges: list[tuple]) -> tuple[str, list]:
    """``(col >= lo AND col < hi) OR ...`` over the ranges, each widened by MARGIN; merged when overlapping."""
    spans = sorted((sql_ts(lo) - MARGIN, sql_ts(hi) + MARGIN) for lo, hi in ranges)
    merged: list[list[datetime]] = []
    for lo, hi in spans:
        if merged and lo <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], hi)
        else:
            merged.append([lo, hi])
    sql = " OR ".join(f'("{col}" >= ? AND "{col}" < ?)' for _ in merged)
    return f"({sql})", [v for span in merged for v in span]


def read_frame(
    con: duckdb.DuckDBPyConnection, sql: str, params: list, table: str, columns: list[str], tz: str
) -> pd.DataFrame:
    """Like :func:`store.read_table` for an arbitrary SELECT of ``columns`` of ``table``."""
    df = con.execute(sql, params).df()
    if df.empty:
        df = conform(table, None)[columns]
    return to_local(df, table, tz)


def _nullable(t: pa.DataType):
    """The pandas dtype DuckDB's ``.df()`` gives an integer or boolean column with nulls (``Int64``, ``boolean``)."""
    if pa.types.is_boolean(t):
        return pd.BooleanDtype()
    return pd.api.types.pandas_dtype(str(t).replace("uint", "UInt").replace("int", "Int"))


def frame(table: pa.Table) -> pd.DataFrame:
    """An Arrow result as the DataFrame DuckDB's ``.df()`` gives (same dtypes: nullable integers and booleans
    where a column has nulls, an all-null text column as objects), several times faster for text columns."""
    cols = {}
    for name, col in zip(table.column_names, table.columns):
        t = col.type
        if col.null_count and (pa.types.is_integer(t) or pa.types.is_boolean(t)):
            cols[name] = col.to_pandas(types_mapper={t: _nullable(t)}.get)
        elif len(col) and col.null_count == len(col) and (pa.types.is_string(t) or pa.types.is_large_string(t)):
            cols[name] = pd.Series([None] * len(col), dtype=object)
        else:
            cols[name] = col.to_pandas()
    return pd.DataFrame(cols, columns=table.column_names)


def query_arrow(
    con, sql: str, params: list | None = None, frames: dict[str, pd.DataFrame] | None = None
) -> pd.DataFrame:
    """The result of ``sql`` through Arrow (:func:`frame`); ``frames`` are registered as views for the query."""
    cur = con.cursor()
    try:
        for name, df in (frames or {}).items():
            cur.register(name, df)
        return frame(cur.sql(sql, params=params or []).to_arrow_table())
    finally:
        cur.close()


def read_arrow(
    con, sql: str, params: list, table: str, columns: list[str], tz: str, frames: dict[str, pd.DataFrame] | None = None
) -> pd.DataFrame:
    """Like :func:`read_frame` (a SELECT of ``columns`` of ``table``, local timestamps), through
    Arrow (:func:`frame`); ``frames`` are registered as views for the query."""
    df = query_arrow(con, sql, params, frames)
    if df.empty:
        df = conform(table, None)[columns]
    return to_local(df, table, tz)
