"""Import of export files: amoCRM's deal export (CSV with BOM/cp1251, `;`/`,`, XLSX), generic YAML
mappings (a Pipedrive-like CSV, a calls log), validation issues, --strict, atomic writes, the CLI.

Expected values are read off the fixture files in tests/fixtures_imports by hand (see comments)."""

from pathlib import Path

import pandas as pd
import pytest

from crmreports import store
from crmreports.cli import main
from crmreports.sources.imports import ImportRefused, build, import_files
from crmreports.sources.imports.mapping_file import MappingError, parse_mapping
from crmreports.sources.imports.parsing import parse_amounts, parse_dates, parse_durations

FIX = Path(__file__).parent / "fixtures_imports"
ROOT = Path(__file__).resolve().parents[1]
MESSY = FIX / "amocrm_bom_semicolon.csv"


def by_id(tables, table="leads"):
    return tables[table].set_index("id")


# --- parsers -------------------------------------------------------------------------------------


def test_parse_dates_russian_iso_and_bad():
    s = pd.Series(
        [
            "24.11.2026 14:05:00",
            "24.11.2026 14:05",
            "24.11.2026",
            "2026-11-24",
            "2026-11-24T14:05:00",
            "32.10.2026",
            None,
        ]
    )
    out = parse_dates(s)
    assert list(out[:5]) == [
        pd.Timestamp("2026-11-24 14:05"),
        pd.Timestamp("2026-11-24 14:05"),
        pd.Timestamp("2026-11-24"),
        pd.Timestamp("2026-11-24"),
        pd.Timestamp("2026-11-24 14:05"),
    ]
    assert out[5:].isna().all()


def test_parse_amounts_and_durations():
    a = parse_amounts(pd.Series(["150 000", "1 500,50", "1,234.50", "12 000,00 ₽", "abc", "-100", None, 7]))
    assert a[:4].tolist() == [150000.0, 1500.5, 1234.5, 12000.0]
    assert pd.isna(a[4]) and a[5] == -100.0 and pd.isna(a[6]) and a[7] == 7.0
    d = parse_durations(pd.Series(["00:02:23", "1:05", "90", "x"]))
    assert d[:3].tolist() == [143.0, 65.0, 90.0] and pd.isna(d[3])


# --- amoCRM export -------------------------------------------------------------------------------


def test_amocrm_bom_semicolon_messy_rows():
    """The file (UTF-8 BOM, `;`, CRLF, a blank line, a quoted note spanning two lines):
    line 1 header; 101 line 2; blank line 3; 102 lines 4-5; 103 line 6; 104 line 7 (budget «abc»);
    105 line 8 (budget -100); 106 line 9 (date 32.10.2026); 102 again line 10; 107 line 11; 108 line 12.
    Loaded: 101, 102, 103, 107, 108; skipped: rows 7, 8, 9, 10, one reason each."""
    res = build([MESSY], "amocrm")
    skipped = {(i.row, i.column, i.reason) for i in res.skipped}
    assert skipped == {
        (7, "Бюджет", "bad_amount"),
        (8, "Бюджет", "negative_amount"),
        (9, "Дата создания", "bad_date"),
        (10, "ID", "duplicate_id"),
    }
    assert "row 10" in str(next(i for i in res.skipped if i.reason == "duplicate_id"))
    assert "first at row 4" in str(next(i for i in res.skipped if i.reason == "duplicate_id"))
    leads = by_id(res.tables)
    assert sorted(leads.index) == [101, 102, 103, 107, 108]
    # «150 000» and «1 500,50» (Russian thousands and decimal comma); 107 has an empty budget
    assert leads.loc[101, "price"] == 150000.0 and leads.loc[102, "price"] == 1500.5
    assert pd.isna(leads.loc[107, "price"])
    # won / lost / unsorted by amoCRM's system stage names
    assert leads.loc[102, "status_id"] == 142 and leads.loc[108, "status_id"] == 142
    assert leads.loc[103, "status_id"] == 143
    st = res.tables["statuses"].set_index(["pipeline_id", "id"])
    assert st.loc[(1, leads.loc[107, "status_id"]), "kind"] == "unsorted"
    assert st.loc[(1, leads.loc[101, "status_id"]), "name"] == "Переговоры"
    # two pipelines, Продажи and Сервис; 108 is in Сервис
    pipes = dict(zip(res.tables["pipelines"]["name"], res.tables["pipelines"]["id"]))
    assert set(pipes) == {"Продажи", "Сервис"} and leads.loc[108, "pipeline_id"] == pipes["Сервис"]
    # Moscow (UTC+3) to UTC: 01.10.2026 09:15 -> 06:15; close 15.10.2026 18:30 -> 15:30
    assert leads.loc[101, "created_at"] == pd.Timestamp("2026-10-01 06:15")
    assert leads.loc[102, "closed_at"] == pd.Timestamp("2026-10-15 15:30")
    # «Дорого» is 103's loss reason
    reasons = dict(zip(res.tables["loss_reasons"]["id"], res.tables["loss_reasons"]["name"]))
    assert reasons[leads.loc[103, "loss_reason_id"]] == "Дорого"
    assert res.summary().count("skipped 4 rows") == 1


def test_amocrm_synthesized_history_is_minimal():
    """5 lead_added rows + 3 close moves (102, 103, 108), none with a known from-stage."""
    sc = build([MESSY], "amocrm").tables["stage_changes"]
    assert len(sc) == 8
    assert sc["from_status_id"].isna().all()
    closes = sc[sc["to_status_id"].isin([142, 143])]
    assert sorted(closes["lead_id"]) == [102, 103, 108]
    added = sc[sc["id"].str.startswith("import-added")].set_index("lead_id")
    assert pd.isna(added.loc[102, "to_status_id"])  # a closed deal's first stage is unknown
    assert added.loc[101, "to_status_id"] == 1001  # an open deal: its current stage


def test_amocrm_cp1251_comma():
    res = build([FIX / "amocrm_cp1251_comma.csv"], "amocrm")
    leads = by_id(res.tables)
    assert leads.loc[201, "price"] == 12000.0 and leads.loc[202, "status_id"] == 142
    # 24.11.2026 14:05:00 Moscow = 11:05 UTC
    assert leads.loc[202, "closed_at"] == pd.Timestamp("2026-11-24 11:05")
    assert res.tables["users"]["name"].tolist() == ["Ольга Ким"]
    assert res.tables["pipelines"]["name"].tolist() == ["Воронка"]  # no «Воронка» column: one default pipeline
    assert not res.issues


def test_amocrm_xlsx_cells_and_text_dates():
    """Row 3 of the sheet is blank; 302's created date is text, the others are date cells."""
    res = build([FIX / "amocrm_export.xlsx"], "amocrm", timezone="UTC", currency="usd")
    leads = by_id(res.tables)
    assert sorted(leads.index) == [301, 302, 303]
    assert leads.loc[302, "created_at"] == pd.Timestamp("2026-11-24 14:05")
    assert leads.loc[301, "price"] == 45000.0 and leads.loc[302, "price"] == 1200.5
    assert leads.loc[303, "status_id"] == 143
    assert res.tables["users"]["name"].tolist() == ["Мария Лис", "Пётр Орлов"]
    # synced_at = the latest timestamp in the data (302 closed 2026-11-25 09:00) + 1 s
    assert res.tables["account"].loc[0, "synced_at"] == pd.Timestamp("2026-11-25 09:00:01")


def test_missing_required_column_refuses_and_names_it():
    with pytest.raises(ImportRefused) as exc:
        build([FIX / "amocrm_missing_stage.csv"], "amocrm")
    assert "amocrm_missing_stage.csv" in str(exc.value) and "«Этап сделки»" in str(exc.value)


# --- store writes, --strict ----------------------------------------------------------------------


def test_import_writes_store_and_strict_refuses_without_touching_it(tmp_path):
    path = tmp_path / "crm.duckdb"
    res = import_files([FIX / "amocrm_cp1251_comma.csv"], "amocrm", path)
    assert res.counts()["leads"] == 2
    before = path.read_bytes()
    with pytest.raises(ImportRefused) as exc:
        import_files([MESSY], "amocrm", path, strict=True)
    assert "4 rows" in str(exc.value) and "row 9" in str(exc.value)
    assert path.read_bytes() == before  # the refused import wrote nothing
    assert not list(tmp_path.glob("*.tmp"))
    # the default loads the good rows and replaces the store's content
    import_files([MESSY], "amocrm", path, name="Окна и двери")
    data = store.load(path)
    assert sorted(data.leads["id"]) == [101, 102, 103, 107, 108]
    assert data.account["name"] == "Окна и двери" and data.account["currency"] == "RUB"
    assert data.timezone == "Europe/Moscow"
    # local time again when read: 101 was created 01.10.2026 09:15 Moscow time
    assert data.leads.set_index("id").loc[101, "created_at"] == pd.Timestamp("2026-10-01 09:15")


def test_several_files_and_duplicates_across_files(tmp_path):
    part2 = tmp_path / "part2.csv"
    part2.write_bytes((FIX / "amocrm_cp1251_comma.csv").read_bytes())
    res = build([FIX / "amocrm_cp1251_comma.csv", part2], "amocrm")
    dups = [i for i in res.skipped if i.reason == "duplicate_id"]
    assert (
        len(dups) == 2
        and dups[0].file == "part2.csv"
        and "already loaded from amocrm_cp1251_comma.csv, row 2" in str(dups[0])
    )
    assert len(res.tables["leads"]) == 2


# --- generic mapping files -----------------------------------------------------------------------


def test_pipedrive_mapping():
    """4 rows; row 5 (Delta) has stage «Qualified», not in the value map: skipped.
    Beta won (status column) for 2500.50; Gamma lost «Too expensive» at stage «Negotiations»."""
    res = build([FIX / "pipedrive_deals.csv"], str(ROOT / "params/mappings/pipedrive_example.yaml"))
    assert [(i.row, i.column, i.reason) for i in res.skipped] == [(5, "Deal - Stage", "unknown_stage")]
    leads = by_id(res.tables)
    assert sorted(leads.index) == [1, 2, 3]
    assert leads.loc[2, "status_id"] == 142 and leads.loc[2, "price"] == 2500.5 and leads.loc[2, "name"] == "Beta, GmbH"
    assert leads.loc[3, "status_id"] == 143 and leads.loc[1, "source"] == "Web"
    st = res.tables["statuses"]
    opens = st[st["kind"] == "open"].sort_values("sort")["name"].tolist()
    assert opens == ["Lead In", "Contact Made", "Demo Scheduled", "Proposal Made", "Negotiations"]
    assert res.account.currency == "EUR"


def test_calls_mapping_tab_separated():
    """Diane: 2 answered calls of 143 s and 60 s; Becky: 1 missed (0 s); row 5 «Maybe» is skipped."""
    res = build([FIX / "calls_tab.tsv"], str(ROOT / "params/mappings/pwc.yaml"))
    assert [(i.row, i.reason) for i in res.skipped] == [(5, "unknown_value")]
    calls = res.tables["calls"]
    users = dict(zip(res.tables["users"]["id"], res.tables["users"]["name"]))
    per = (
        calls.assign(agent=calls["user_id"].map(users))
        .groupby("agent")
        .agg(n=("id", "size"), answered=("is_answered", "sum"), talk=("duration_s", "sum"))
    )
    assert per.loc["Diane"].tolist() == [2, 2, 203] and per.loc["Becky"].tolist() == [1, 0, 0]
    assert set(calls["direction"]) == {"in"}


def test_bad_mapping_files_are_clear():
    with pytest.raises(MappingError, match="unknown field 'amount'"):
        parse_mapping({"columns": {"id": "a", "amount": "b"}, "stages": {"x": "open"}})
    with pytest.raises(MappingError, match="kind 'done'"):
        parse_mapping({"columns": {"id": "a", "stage": "s", "created_at": "c"}, "stages": {"x": "done"}})
    with pytest.raises(MappingError, match="first_stage needs exactly one open stage"):
        parse_mapping(
            {
                "columns": {"id": "a", "stage": "s", "created_at": "c"},
                "history": "first_stage",
                "stages": {"a": "open", "b": "open", "w": "won"},
            }
        )


# --- CLI -----------------------------------------------------------------------------------------


def test_cli_import_summary_and_errors(tmp_path, capsys):
    path = tmp_path / "crm.duckdb"
    assert main(["--store", str(path), "import", str(MESSY), "--format", "amocrm", "--currency", "eur"]) == 0
    out = capsys.readouterr().out
    assert "leads 5" in out and "skipped 4 rows" in out and "unparseable date 1" in out
    assert store.load(path).account["currency"] == "EUR"
    assert main(["--store", str(path), "import", str(MESSY), "--format", "amocrm", "--strict"]) == 2
    err = capsys.readouterr().err
    assert "--strict" in err and "amocrm_bom_semicolon.csv, row 7, column «Бюджет»" in err
    assert main(["--store", str(path), "import", str(MESSY), "--format", "bitrix"]) == 2
    assert "valid: amocrm, maven, olist, enpal, pwc" in capsys.readouterr().err
    assert main(["--store", str(path), "import", str(MESSY), "--format", "amocrm", "--timezone", "Mars/Base"]) == 2
