"""Read a CSV or XLSX export into a frame of raw cell values, remembering each record's row number.

CSV files are read the way spreadsheet programs and CRMs write them: UTF-8 with or without a BOM, or
Windows-1251; ``;``, ``,`` or tab separators (sniffed from the header line); quoted fields that hold
separators or newlines; blank lines skipped. The frame's index is the row number a user finds the
record at: the line the record starts on for CSV, the sheet row for XLSX (the header is row 1 when it
is on the first line). ``frame.attrs["file"]`` holds the file's name for error messages.
"""

from __future__ import annotations

import csv
import io
import logging
from pathlib import Path

import pandas as pd

log = logging.getLogger("crmreports.imports")

SEPARATORS = (";", ",", "\t")


class FileFormatError(ValueError):
    """The file cannot be read as a table (unknown type, undecodable text, no header)."""


def decode(data: bytes, name: str) -> str:
    """Text of a CSV file: UTF-8 (BOM or not), else Windows-1251."""
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8")
        except UnicodeDecodeError as exc:
            raise FileFormatError(
                _undecodable(name, data, exc.start + 3, "UTF-8 (the file starts with a UTF-8 BOM)")
            ) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1251")
    except UnicodeDecodeError:
        raise FileFormatError(f"{name}: not UTF-8 and not Windows-1251 text; save the CSV as UTF-8") from None
    log.info("%s: read as Windows-1251", name)
    return text


def _undecodable(name: str, data: bytes, at: int, encoding: str) -> str:
    line = data.count(b"\n", 0, at) + 1
    return (
        f"{name}, line {line}: byte 0x{data[at]:02x} is not valid {encoding}; the file mixes encodings. "
        "Save it again as UTF-8 (or as Windows-1251 without a BOM)"
    )


def check_encoding(encoding: str, where: str) -> str:
    """The codec name of ``encoding``, or a :class:`FileFormatError` naming ``where`` and valid examples."""
    import codecs

    try:
        return codecs.lookup(str(encoding)).name
    except (LookupError, TypeError):
        raise FileFormatError(
            f"{where}: unknown encoding {encoding!r}; valid e.g. utf-8, utf-8-sig, cp1251, koi8-r, latin-1"
        ) from None


def sniff_separator(text: str) -> str:
    """The separator used in the header line (the first non-blank line)."""
    header = next((line for line in text.splitlines() if line.strip()), "")
    counts = {sep: header.count(sep) for sep in SEPARATORS}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _frame(header: list, rows: list[tuple[int, list]], name: str) -> pd.DataFrame:
    names = [str(h).strip().lstrip("\ufeff") if h is not None else "" for h in header]
    if not any(names):
        raise FileFormatError(f"{name}: no header row")
    seen: dict[str, int] = {}
    for i, n in enumerate(names):  # blank or repeated headers get a suffix, like pandas does
        n = n or f"column {i + 1}"
        seen[n] = seen.get(n, 0) + 1
        names[i] = n if seen[n] == 1 else f"{n}.{seen[n] - 1}"
    width = len(names)
    data = [(cells + [None] * width)[:width] for _, cells in rows]
    df = pd.DataFrame(data, columns=names, index=pd.Index([r for r, _ in rows], name="row"), dtype=object)
    df = df.map(lambda v: None if isinstance(v, str) and not v.strip() else (v.strip() if isinstance(v, str) else v))
    # raw cells stay Python objects: DataFrame.map infers a column's type again (pandas 3: a text column becomes
    # "str", a column of dates datetime64), and an empty column of those types broke the parsers' masks (fuzz)
    df = df.astype(object)
    df.attrs["file"] = name
    return df


def _blank(cells) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def read_csv_text(text: str, name: str, sep: str | None = None) -> pd.DataFrame:
    sep = sep or sniff_separator(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    header, rows, start = None, [], 1
    for cells in reader:
        if not _blank(cells):
            if header is None:
                header = cells
            else:
                rows.append((start, cells))
        start = reader.line_num + 1
    if header is None:
        raise FileFormatError(f"{name}: the file is empty")
    return _frame(header, rows, name)


def read_xlsx(path: Path, sheet: str | int | None = None) -> pd.DataFrame:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several unrelated types for a damaged file
        raise FileFormatError(f"{path.name}: not a readable XLSX workbook ({exc})") from None
    try:
        if sheet is None:
            ws = wb.worksheets[0]
        elif isinstance(sheet, int):
            ws = wb.worksheets[sheet]
        else:
            if sheet not in wb.sheetnames:
                raise FileFormatError(f"{path.name}: no sheet {sheet!r}; sheets: {', '.join(wb.sheetnames)}")
            ws = wb[sheet]
        header, rows = None, []
        for r, cells in enumerate(ws.iter_rows(values_only=True), start=1):
            cells = list(cells)
            if _blank(cells):
                continue
            if header is None:
                header = cells
            else:
                rows.append((r, cells))
    finally:
        wb.close()
    if header is None:
        raise FileFormatError(f"{path.name}: the sheet is empty")
    return _frame(header, rows, path.name)


def read_file(
    path: str | Path, sheet: str | int | None = None, sep: str | None = None, encoding: str | None = None
) -> pd.DataFrame:
    """A CSV or XLSX file as a frame of raw values (strings for CSV; cell values for XLSX)."""
    path = Path(path)
    if not path.exists():
        raise FileFormatError(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return read_xlsx(path, sheet)
    if suffix in (".csv", ".txt", ".tsv"):
        data = path.read_bytes()
        if encoding:
            codec = check_encoding(encoding, f"{path.name}: the mapping's read.encoding")
            try:
                text = data.decode(codec)
            except UnicodeDecodeError as exc:
                raise FileFormatError(
                    _undecodable(path.name, data, exc.start, f"{encoding} (the mapping's encoding)")
                ) from None
        else:
            text = decode(data, path.name)
        return read_csv_text(text, path.name, sep)
    raise FileFormatError(f"{path.name}: unknown file type {suffix or '(none)'}; valid: .csv, .xlsx")
