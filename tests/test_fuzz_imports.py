"""A bounded fuzz run of the CSV/XLSX importers (hypothesis): random bytes, CSV rows of odd cells under amoCRM's
and a mapping's headers, odd encodings, and XLSX workbooks of odd cells. Every case ends in one of two ways: an
import (bad rows skipped and reported by file, row and column) or :class:`ImportRefused` whose message names the
file. Any other exception is a crash the fuzz found. Each fix the fuzz led to has a regression example below.

The run is bounded (about 60 examples per kind, no deadline) so it takes seconds; the failing example hypothesis
finds is shrunk and printed. The cases that write a store use a real DuckDB file (tmp_path)."""

from __future__ import annotations

import datetime as dt
import io
import math
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from crmreports.sources.imports import ImportRefused, ImportResult, build, import_files
from crmreports.sources.imports.amocrm_export import HEADERS

ROOT = Path(__file__).resolve().parents[1]
PIPEDRIVE = str(ROOT / "params" / "mappings" / "pipedrive_example.yaml")
PWC = str(ROOT / "params" / "mappings" / "pwc.yaml")
FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large],
)

# cells an export may hold: plain and hostile text, numbers in every spelling, dates in several formats, blanks
odd_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), min_size=0, max_size=40
)
cells = st.one_of(
    odd_text,
    st.sampled_from(
        [
            "",
            " ",
            "0",
            "-1",
            "1e400",
            "inf",
            "-Infinity",
            "NaN",
            "١٢٣",
            "1_000",
            "99999999999999999999999",
            "-99999999999999999999",
            "9223372036854775808",
            "1 234,50 ₽",
            "$1,234.50",
            "12,5,6",
            '=HYPERLINK("http://x","y")',
            "@SUM(A1)",
            "24.11.2026 14:05:00",
            "31.02.2026",
            "0001-01-01",
            "9999-12-31 23:59:59",
            "1900-01-01",
            "2262-04-12",
            "29.02.2025",
            "Успешно реализовано",
            "Закрыто и не реализовано",
            "Неразобранное",
            "Won",
            "Lost",
            "Open",
            "Lead In",
            "‮evil",
            "a\nb",
            'a"b',
            "a;b,c\td",
            "x" * 2000,
        ]
    ),
    st.integers(-(2**70), 2**70).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)


def _csv_line(values, sep: str) -> str:
    out = []
    for v in values:
        v = str(v)
        if any(c in v for c in (sep, '"', "\n", "\r")):
            v = '"' + v.replace('"', '""') + '"'
        out.append(v)
    return sep.join(out)


@st.composite
def csv_files(draw, headers: list[str], required: list[str]):
    """CSV bytes: the required headers and some of the others in any order, up to 8 rows of odd cells, a separator,
    an encoding (UTF-8, with a BOM, Windows-1251, or one the importer does not read)."""
    optional = [h for h in headers if h not in required]
    cols = required + draw(st.lists(st.sampled_from(optional), unique=True, max_size=len(optional)))
    if draw(st.booleans()):
        cols = draw(st.permutations(cols))
    if draw(st.integers(0, 9)) == 0 and cols:  # now and then a required column is missing
        cols = cols[1:]
    rows = draw(st.lists(st.lists(cells, min_size=len(cols), max_size=len(cols) + 2), max_size=8))
    sep = draw(st.sampled_from([";", ",", "\t"]))
    text = "\n".join(_csv_line(r, sep) for r in [cols, *rows]) + draw(st.sampled_from(["", "\n", "\r\n", "\n\n"]))
    enc = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1251", "utf-16", "koi8-r", "latin-1"]))
    return text.encode(enc, errors="replace")


def _check(outcome, path: Path):
    """An import's outcome is a result whose issues name file, row and column, or a refusal naming the file."""
    if isinstance(outcome, ImportRefused):
        assert path.name in str(outcome) or str(outcome).startswith(("no usable rows", "no files")), str(outcome)
        for i in outcome.issues:
            assert i.file == path.name and (i.row is not None or i.reason == "missing_column"), i
        return
    assert isinstance(outcome, ImportResult)
    for i in outcome.issues:
        assert i.file == path.name and i.reason and i.detail, i
        assert i.row is not None or i.reason == "missing_column", i
        assert i.column, i
    leads = outcome.tables.get("leads")
    if leads is not None and len(leads):
        assert leads["id"].is_unique
        prices = leads["price"].dropna()
        assert all(math.isfinite(x) and x >= 0 for x in prices), prices.tolist()


def _build(path: Path, fmt: str):
    try:
        return build([path], fmt)
    except ImportRefused as exc:
        return exc


def _import(path: Path, fmt: str, store_path: Path):
    try:
        return import_files([path], fmt, store_path)
    except ImportRefused as exc:
        return exc


# ---- random bytes ---------------------------------------------------------------------------------------------


@FUZZ
@given(data=st.binary(max_size=400), suffix=st.sampled_from([".csv", ".xlsx", ".tsv"]))
@example(data=b"\xef\xbb\xbf\xcf\xf0\xe8", suffix=".csv")  # a BOM followed by cp1251 bytes
@example(data=b"PK\x03\x04not really a zip", suffix=".xlsx")
@example(data=b"", suffix=".csv")
@pytest.mark.reliability("R60")
def test_random_bytes_import_or_refuse_clearly(tmp_path, data, suffix):
    path = tmp_path / f"export{suffix}"
    path.write_bytes(data)
    _check(_build(path, "amocrm"), path)


# ---- amoCRM's export and a mapping file, as CSV ------------------------------------------------------------------

AMO_HEADERS = [aliases[0] for aliases in HEADERS.values()]
AMO_REQUIRED = ["ID", "Этап сделки", "Дата создания сделки"]


@FUZZ
@given(data=csv_files(AMO_HEADERS, AMO_REQUIRED))
@example(data="ID;Этап сделки;Дата создания сделки;Бюджет\n99999999999999999999;Новая;01.10.2026;1\n".encode())
@example(data="ID;Этап сделки;Дата создания сделки\n1;Новая;0001-01-01\n".encode())
@example(data="ID;Этап сделки;Дата создания сделки\n1;Новая;01.10.2026\n1.5;Новая;01.10.2026\n".encode())
@example(data="ID;Этап сделки;Дата создания сделки;Ответственный\n1;Новая;01.10.2026;12\n".encode())
@pytest.mark.reliability("R60")
def test_amocrm_csv_imports_or_refuses_clearly(tmp_path, data):
    path = tmp_path / "deals.csv"
    path.write_bytes(data)
    _check(_build(path, "amocrm"), path)


PIPEDRIVE_HEADERS = [
    "Deal - ID",
    "Deal - Title",
    "Deal - Value",
    "Deal - Pipeline",
    "Deal - Stage",
    "Deal - Status",
    "Deal - Owner",
    "Deal - Deal created",
    "Deal - Deal closed on",
    "Deal - Source channel",
    "Deal - Lost reason",
    "Deal - Label",
]


@FUZZ
@given(data=csv_files(PIPEDRIVE_HEADERS, ["Deal - ID", "Deal - Stage", "Deal - Deal created"]))
# found by the fuzz: every row skipped left an empty text column ("str" in pandas 3) whose blank-cell mask broke
@example(data=b"Deal - Deal created,Deal - Stage,Deal - ID,Deal - Value,Deal - Pipeline\n0,,,,")
@pytest.mark.reliability("R60")
def test_mapped_csv_imports_or_refuses_clearly(tmp_path, data):
    path = tmp_path / "pipedrive.csv"
    path.write_bytes(data)
    _check(_build(path, PIPEDRIVE), path)


@settings(FUZZ, max_examples=25)
@given(data=csv_files(AMO_HEADERS, AMO_REQUIRED))
@example(data="ID;Этап сделки;Дата создания сделки;Бюджет\n99999999999999999999;Новая;01.10.2026;1\n".encode())
@example(data="ID;Этап сделки;Дата создания сделки;Бюджет\n1;Новая;01.10.2026;1e300\n".encode())
@pytest.mark.reliability("R60")
def test_amocrm_csv_into_a_real_store(tmp_path_factory, data):
    """The whole import, writing a DuckDB store: the store takes every row the importer accepted."""
    tmp = tmp_path_factory.mktemp("fuzz")
    path = tmp / "deals.csv"
    path.write_bytes(data)
    outcome = _import(path, "amocrm", tmp / "crm.duckdb")
    _check(outcome, path)
    if isinstance(outcome, ImportResult):
        import duckdb

        con = duckdb.connect(str(tmp / "crm.duckdb"), read_only=True)
        try:
            assert con.execute("SELECT count(*) FROM leads").fetchone()[0] == len(outcome.tables["leads"])
        finally:
            con.close()


# ---- XLSX ---------------------------------------------------------------------------------------------------------

xlsx_cells = st.one_of(
    cells,
    st.none(),
    st.booleans(),
    st.integers(-(2**63), 2**63 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
    st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(9999, 12, 31)),
    st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(9999, 12, 31)),
    st.times(),
)


def _xlsx(rows) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for r in rows:
        ws.append([v if not isinstance(v, str) else v[:1000] for v in r])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


_ILLEGAL = {chr(c) for c in range(32) if chr(c) not in "\t\n\r"}  # openpyxl refuses to write these


@FUZZ
@given(
    cols=st.lists(st.sampled_from(AMO_HEADERS), unique=True, min_size=1, max_size=8),
    rows=st.lists(st.lists(xlsx_cells, min_size=1, max_size=9), max_size=6),
)
@example(cols=["ID", "Этап сделки", "Дата создания сделки"], rows=[[2**62, "Новая", dt.datetime(2026, 10, 1)]])
@example(cols=["ID", "Этап сделки", "Дата создания сделки"], rows=[[1.5, "Новая", dt.time(10, 0)]])
@example(cols=["ID", "Этап сделки", "Дата создания сделки", "Бюджет"], rows=[[1, True, dt.date(2026, 10, 1), True]])
@pytest.mark.reliability("R60")
def test_xlsx_imports_or_refuses_clearly(tmp_path, cols, rows):
    rows = [[v for v in r if not (isinstance(v, str) and set(v) & _ILLEGAL)] for r in rows]
    path = tmp_path / "deals.xlsx"
    path.write_bytes(_xlsx([cols, *rows]))
    _check(_build(path, "amocrm"), path)


# ---- a calls log (durations, yes/no values) ----------------------------------------------------------------------


@FUZZ
@given(data=st.data())
@example(data=None)  # the fuzz's find, replayed below: b"Call Id;Agent;Date\n;;\n;;0"
@pytest.mark.reliability("R60")
def test_calls_log_imports_or_refuses_clearly(tmp_path, data):
    import yaml

    spec = yaml.safe_load(Path(PWC).read_text(encoding="utf-8"))
    columns = [c for c in (spec.get("columns") or {}).values() if isinstance(c, str)]
    required = columns[:3]
    raw = b"Call Id;Agent;Date\n;;\n;;0" if data is None else data.draw(csv_files(columns, required))
    path = tmp_path / "calls.csv"
    path.write_bytes(raw)
    _check(_build(path, PWC), path)


@pytest.mark.reliability("R60")
def test_a_placeholder_date_is_a_bad_date_naming_file_row_and_column(tmp_path):
    """Found by the fuzz: 0001-01-01 (and 9999-12-31) crashed the import (outside pandas' nanosecond range). Now: a
    date outside 1900..2200 is reported like any unreadable date and its row skipped; the others load."""
    path = tmp_path / "deals.csv"
    path.write_text(
        "ID;Этап сделки;Дата создания сделки\n1;Новая;0001-01-01\n2;Новая;9999-12-31 23:59:59\n3;Новая;01.10.2026\n",
        encoding="utf-8",
    )
    res = build([path], "amocrm")
    assert [(i.file, i.row, i.column, i.reason) for i in res.skipped] == [
        ("deals.csv", 2, "Дата создания сделки", "bad_date"),
        ("deals.csv", 3, "Дата создания сделки", "bad_date"),
    ]
    assert "from 1900 to 2200" in str(res.skipped[0])
    assert res.tables["leads"]["created_at"].astype(str).tolist() == ["2026-09-30 21:00:00"]  # 01.10 00:00 MSK


@pytest.mark.reliability("R60")
def test_a_file_whose_rows_are_all_skipped_is_refused_not_a_crash(tmp_path):
    """Found by the fuzz: when every row was skipped, the empty text column ("str" in pandas 3) broke the parsers'
    masks with a TypeError. Now: the import is refused, saying why and naming the file, row and column."""
    path = tmp_path / "pipedrive.csv"
    path.write_text("Deal - Deal created,Deal - Stage,Deal - ID\n0,,\n", encoding="utf-8")
    with pytest.raises(ImportRefused) as exc:
        import_files([path], PIPEDRIVE, tmp_path / "crm.duckdb")
    assert "no usable rows" in str(exc.value) and "pipedrive.csv, row 2" in str(exc.value)
    assert not (tmp_path / "crm.duckdb").exists()
