"""Bad inputs that used to end in a traceback, a silent wrong load or a lost store (issue #20, items 5, 7, 9, 12):
each is a real file or a real second process, and each must end in a clear error (naming the file, row,
field or parameter and what is valid) with nothing written."""

from __future__ import annotations

import hashlib
import logging
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from crmreports import store
from crmreports.cli import main
from crmreports.core.periods import PeriodError, after_data_warning, parse_period
from crmreports.present.context import validate
from crmreports.sources.imports import ImportRefused, build, import_files
from crmreports.sources.imports.parsing import parse_amounts, parse_durations
from crmreports.store import StoreError

FIX = Path(__file__).parent / "fixtures_imports"
MESSY = FIX / "amocrm_bom_semicolon.csv"
ROOT = Path(__file__).resolve().parents[1]

HEADER = "ID;Название сделки;Бюджет;Ответственный;Дата создания;Дата закрытия;Этап сделки;Воронка\n"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def amocrm_csv(path: Path, budgets: list[str]) -> Path:
    rows = [
        f"{i + 1};Сделка {i + 1};{b};Анна Петрова;01.10.2026 09:00:00;;Переговоры;Продажи\n"
        for i, b in enumerate(budgets)
    ]
    path.write_text(HEADER + "".join(rows), encoding="utf-8")
    return path


@pytest.fixture
def good_store(tmp_path) -> Path:
    path = tmp_path / "crm.duckdb"
    import_files([MESSY], "amocrm", path)
    return path


# --- item 5: import respects the store lock and what is at the path --------------------------------


HOLDER = textwrap.dedent(
    """
    import sys
    from crmreports.store.lock import writing
    with writing(sys.argv[1], "sync"):
        print("held", flush=True)
        sys.stdin.readline()
    """
)


@pytest.mark.reliability("R10")
def test_import_refuses_a_store_another_process_is_writing(good_store, capsys):
    before = digest(good_store)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(good_store)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        rc = main(["--store", str(good_store), "import", str(FIX / "amocrm_cp1251_comma.csv"), "--format", "amocrm"])
        err = capsys.readouterr().err
    finally:
        holder.communicate("\n", timeout=30)
    assert rc == 2
    assert "being written by sync" in err and f"process {holder.pid}" in err and "nothing was changed" in err
    assert digest(good_store) == before  # the sync's work is intact
    # once the holder is gone, the import goes through
    assert main(["--store", str(good_store), "import", str(MESSY), "--format", "amocrm"]) == 0


@pytest.mark.reliability("R10")
def test_the_lock_dies_with_its_holder(good_store):
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(good_store)], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    assert holder.stdout.readline().strip() == b"held"
    holder.kill()  # kill -9: the kernel releases the flock
    holder.wait(timeout=30)
    with store.lock.writing(good_store, "test"):
        pass


@pytest.mark.reliability("R11")
def test_import_refuses_a_text_file_as_store(tmp_path, capsys):
    text = tmp_path / "notes.txt"
    text.write_text("my notes\n")
    assert main(["--store", str(text), "import", str(MESSY), "--format", "amocrm"]) == 2
    assert "not a DuckDB store" in capsys.readouterr().err
    assert text.read_text() == "my notes\n"


@pytest.mark.reliability("R11")
def test_import_refuses_a_directory_as_store(tmp_path, capsys):
    folder = tmp_path / "stores"
    folder.mkdir()
    assert main(["--store", str(folder), "import", str(MESSY), "--format", "amocrm"]) == 2
    err = capsys.readouterr().err
    assert "is a directory" in err and "Traceback" not in err
    assert list(folder.iterdir()) == []


@pytest.mark.reliability("R11")
def test_import_refuses_a_read_only_store(good_store, capsys):
    before = digest(good_store)
    good_store.chmod(0o444)
    try:
        assert main(["--store", str(good_store), "import", str(MESSY), "--format", "amocrm"]) == 2
        assert "is read-only (mode 0o444)" in capsys.readouterr().err
        assert digest(good_store) == before
    finally:
        good_store.chmod(0o644)


@pytest.mark.reliability("R11")
def test_import_into_a_read_only_directory(tmp_path, capsys):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        assert main(["--store", str(folder / "crm.duckdb"), "import", str(MESSY), "--format", "amocrm"]) == 2
        err = capsys.readouterr().err
        assert "folder" in err and "read-only" in err and "Traceback" not in err
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o755)


@pytest.mark.reliability("R11")
def test_demo_refuses_a_text_file_as_store(tmp_path, capsys):
    text = tmp_path / "crm.duckdb"
    text.write_text("not a store")
    assert main(["--store", str(text), "demo", "--deals", "100", "--months", "1"]) == 2
    assert "not a DuckDB store" in capsys.readouterr().err
    assert text.read_text() == "not a store"


# --- item 9: tracebacks instead of clear errors ----------------------------------------------------


@pytest.mark.parametrize("text", ["9999-12-01..9999-12-31", "0001-01", "0001", "1899-12", "9999-W01", "2201-Q1"])
@pytest.mark.reliability("R19")
def test_periods_outside_the_supported_years_are_clear_errors(text):
    with pytest.raises(PeriodError, match=r"years must be within 1900\.\.2200.*valid forms"):
        parse_period(text)


@pytest.mark.reliability("R19")
def test_edge_years_still_compare_with_earlier_periods():
    p = parse_period("1900-01")
    assert p.previous().key == "1899-12" and p.year_ago().key == "1899-01"
    assert parse_period("2200-12-01..2200-12-31").days == 31


@pytest.mark.reliability("R19")
def test_cli_refuses_period_0001_01_before_the_kernel(good_store, tmp_path, capsys):
    out = tmp_path / "reports"
    rc = main(["--store", str(good_store), "run", "sales_analysis", "--period", "0001-01", "--out", str(out)])
    assert rc == 2
    assert "years must be within" in capsys.readouterr().err
    assert not (out / "1-01").exists()


@pytest.mark.reliability("R20")
def test_a_period_after_the_data_warns(good_store, caplog):
    con = store.connect(good_store)
    end = store.data_end(store.read_account(con))
    con.close()
    later = parse_period(f"{end.year + 1}-01")
    assert "starts after the end of the data" in after_data_warning(later, end)
    assert after_data_warning(parse_period(f"{end.year}-{end.month:02d}"), end) is None
    with caplog.at_level(logging.WARNING, logger="crmreports.periods"):
        validate(str(good_store), later.key)
    assert any("starts after the end of the data" in r.getMessage() for r in caplog.records)


@pytest.mark.reliability("R21")
def test_a_duckdb_file_with_no_tables(tmp_path):
    path = tmp_path / "empty.duckdb"
    duckdb.connect(str(path)).close()
    with pytest.raises(StoreError, match="not a crmreports store"):
        store.load(path)


@pytest.mark.reliability("R21")
def test_store_pointing_to_a_directory_on_read(tmp_path):
    with pytest.raises(StoreError, match="is a directory"):
        store.connect(tmp_path)


@pytest.mark.reliability("R22")
def test_bom_followed_by_cp1251_bytes(tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_bytes(b"\xef\xbb\xbf" + (HEADER + "1;Окна;100;Анна;01.10.2026;;Переговоры;Продажи\n").encode("cp1251"))
    with pytest.raises(ImportRefused, match=r"mixed\.csv, line 1: byte 0x[0-9a-f]{2} is not valid UTF-8"):
        build([path], "amocrm")


def _mapping(tmp_path, encoding: str) -> Path:
    spec = (ROOT / "params/mappings/pipedrive_example.yaml").read_text(encoding="utf-8")
    spec = spec.replace('  separator: ","', f'  separator: ","\n  encoding: {encoding}')
    path = tmp_path / "mapping.yaml"
    path.write_text(spec, encoding="utf-8")
    return path


@pytest.mark.reliability("R22")
def test_mapping_with_an_unknown_encoding(tmp_path):
    with pytest.raises(ImportRefused, match=r"mapping\.yaml: read\.encoding: unknown encoding 'utf-99'"):
        build([FIX / "pipedrive_deals.csv"], str(_mapping(tmp_path, "utf-99")))


@pytest.mark.reliability("R22")
def test_mapping_encoding_that_does_not_fit_the_file(tmp_path):
    data = tmp_path / "deals.csv"
    data.write_bytes(
        (FIX / "pipedrive_deals.csv").read_bytes() + "9,Ü,1,Sales,Lead In,Open,Jörg,2026-09-01,,,,\n".encode()
    )
    with pytest.raises(ImportRefused, match=r"deals\.csv, line \d+: byte 0x[0-9a-f]{2} is not valid ascii"):
        build([data], str(_mapping(tmp_path, "ascii")))


# --- item 7: non-finite or odd amounts --------------------------------------------------------------


ODD = ["inf", "Infinity", "-inf", "nan", "1e400", "١٢٣", "1_000", "0x10", "１２３"]


@pytest.mark.reliability("R16")
def test_odd_amounts_are_not_numbers():
    out = parse_amounts(pd.Series([*ODD, float("inf"), "1e3", "1 234,50 ₽"]))
    assert out[: len(ODD) + 1].isna().all()
    assert out[len(ODD) + 1 :].tolist() == [1000.0, 1234.5]
    assert (
        parse_durations(pd.Series(["inf", "1_0", "١٢", "90"])).tolist()[:3]
        == [pytest.approx(float("nan"), nan_ok=True)] * 3
    )


@pytest.mark.reliability("R16")
def test_odd_amounts_are_rejected_naming_file_row_and_column(tmp_path):
    path = amocrm_csv(tmp_path / "odd.csv", ["100", *ODD[:7]])
    res = build([path], "amocrm")
    bad = [i for i in res.issues if i.reason == "bad_amount"]
    assert [(i.file, i.row, i.column) for i in bad] == [("odd.csv", r, "Бюджет") for r in range(3, 10)]
    assert "'1e400' is not a finite number" in str(bad[4])
    assert res.tables["leads"]["price"].tolist() == [100.0]
    with pytest.raises(ImportRefused, match=r"odd\.csv, row 3, column «Бюджет»: 'inf' is not a finite number"):
        import_files([path], "amocrm", tmp_path / "crm.duckdb", strict=True)
    assert not (tmp_path / "crm.duckdb").exists()


# --- item 12: a mapping's group column ----------------------------------------------------------------


@pytest.mark.reliability("R26")
def test_mapping_group_column_fills_user_groups(tmp_path):
    csv = tmp_path / "deals.csv"
    csv.write_text(
        "id,stage,created,owner,team\n"
        "1,Lead In,2026-09-01,Max Weber,Nord\n"
        "2,Lead In,2026-09-02,Eva Braun,Süd\n"
        "3,Lead In,2026-09-03,Max Weber,Nord\n"
        "4,Lead In,2026-09-04,Ole Lund,\n",
        encoding="utf-8",
    )
    mapping = tmp_path / "m.yaml"
    mapping.write_text(
        "format: deals\ncolumns: {id: id, stage: stage, created_at: created, responsible: owner, group: team}\n"
        "stages: {Lead In: open}\n",
        encoding="utf-8",
    )
    path = tmp_path / "crm.duckdb"
    import_files([csv], str(mapping), path)
    con = store.connect(path)
    users = store.read_table(con, "users").set_index("name")
    leads = store.read_table(con, "leads")
    con.close()
    assert users.loc["Max Weber", "group_name"] == "Nord" and users.loc["Eva Braun", "group_name"] == "Süd"
    assert pd.isna(users.loc["Ole Lund", "group_name"])
    assert users.loc["Max Weber", "group_id"] != users.loc["Eva Braun", "group_id"]
    assert leads["group_id"].notna().sum() == 3
    # the group scope of a pack finds its managers
    from crmreports.core.scopes import resolve_manager

    assert resolve_manager("group:Nord", store.read_table(store.connect(path), "users")).user_ids == (
        int(users.loc["Max Weber", "id"]),
    )


@pytest.mark.reliability("R11")
def test_read_only_check_also_holds_for_root(tmp_path):
    """Root may write anything; a store whose mode has no write bit is still refused (the user's intent)."""
    path = tmp_path / "crm.duckdb"
    import_files([MESSY], "amocrm", path)
    os.chmod(path, 0o400)
    try:
        with pytest.raises(StoreError, match="read-only"):
            store.lock.check_writable(path)
    finally:
        os.chmod(path, 0o644)
