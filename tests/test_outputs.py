"""What a run writes next to the report (issue #20): no formula injection through CSV or XLSX (item 2), an XLSX
written for a Russian office, and a document in another language under its own file names (``--lang``)."""

import csv
import io
import json
import os
import re
from datetime import date, datetime
from pathlib import Path

import nbformat
import openpyxl
import pandas as pd
import pytest

from crmreports.batch import run
from crmreports.batch.index import write_index
from crmreports.batch.run import Job, Result, needs_apostrophe, safe_csv
from crmreports.batch.xlsx import workbook

HYPERLINK = '=HYPERLINK("http://x","y")'
CMD = "=cmd|' /C calc'!A0"
HOSTILE = [HYPERLINK, CMD, "+SUM(A1:A9)", "-2+3", "@SUM(1)", "\t=1", "-"]
HARMLESS = ["-5", "+79991234567", "-0.25", "1e-3", "Анна Смирнова", "", "a=b"]


def _csv(names: list[str]) -> str:
    return pd.DataFrame({"id": range(1, len(names) + 1), "name": names, "amount": [-1.5] * len(names)}).to_csv(
        index=False
    )


@pytest.mark.reliability("R04")
def test_csv_text_cells_that_look_like_formulas_get_an_apostrophe():
    text, changed = safe_csv(_csv(HOSTILE + HARMLESS))
    assert changed == len(HOSTILE)
    back = list(csv.DictReader(io.StringIO(text)))
    assert [r["name"] for r in back] == ["'" + h for h in HOSTILE] + HARMLESS
    assert {r["amount"] for r in back} == {"-1.5"}  # negative numbers stay numbers
    assert pd.read_csv(io.StringIO(text))["amount"].sum() == -1.5 * len(back)


@pytest.mark.reliability("R04")
def test_a_csv_without_such_cells_is_left_byte_for_byte():
    original = _csv(HARMLESS)
    assert safe_csv(original) == (original, 0)
    assert not any(needs_apostrophe(x) for x in HARMLESS)


MANAGERS = pd.DataFrame(
    {
        "manager": [HYPERLINK, CMD, "Анна Смирнова"],
        "group": ["Отдел продаж 1"] * 3,
        "revenue": [6197500.0, 4406000.0, 0.0],
        "won_deals": [45, 18, 0],
        "win_rate": [0.39823008849557523, 0.20689655172413793, None],
        "user_id": [8412031, 8412091, 8412092],
        "cycle_days": [18.253487654320985, 37.93687821502057, None],
    }
)
STALE = pd.DataFrame(
    {
        "id": [24810281],
        "name": [HYPERLINK],
        "price": [59000.0],
        "age_days": [755.4001041666667],
        "stage": ["Счёт выставлен"],
        "manager": [CMD],
        "created_at": ["2024-11-05 14:23:51"],
    }
)
KPIS = pd.DataFrame(
    {"metric": ["revenue", "win_rate"], "current": [30910000.0, 0.4], "previous": [31871000.0, 0.38], "year_ago": 1.0}
)


def _book(lang="ru") -> openpyxl.Workbook:
    tables = {"managers": MANAGERS.to_csv(index=False), "stale_deals": STALE.to_csv(index=False)}
    tables["kpis"] = KPIS.to_csv(index=False)
    return openpyxl.load_workbook(io.BytesIO(workbook(tables, lang, "RUB")))


@pytest.mark.reliability("R05")
def test_xlsx_cells_from_data_are_strings_never_formulas():
    wb = _book()
    cells = [c for ws in wb for row in ws.iter_rows() for c in row if c.value in (HYPERLINK, CMD)]
    assert len(cells) == 4
    assert all(c.data_type == "s" for c in cells), [(c.coordinate, c.data_type) for c in cells]


@pytest.mark.reliability("R30")
def test_xlsx_is_written_for_a_russian_office():
    wb = _book()
    assert wb.sheetnames == ["Менеджеры", "Зависшие сделки", "Показатели"]
    ws = wb["Менеджеры"]
    assert [c.value for c in ws[1]] == [
        "Менеджер",
        "Отдел",
        "Выручка",
        "Успешные сделки",
        "Доля выигранных",
        "ID менеджера",
        "Цикл, дн.",
    ]
    assert ws.freeze_panes == "A2"
    revenue, deals, rate, uid, cycle = ws["C2"], ws["D2"], ws["E2"], ws["F2"], ws["G2"]
    assert revenue.value == 6197500 and revenue.data_type == "n" and revenue.number_format == '#,##0 "₽"'
    assert deals.value == 45 and deals.number_format == "#,##0"
    assert rate.value == pytest.approx(0.39823008849557523) and rate.number_format == "0.0%"
    assert uid.value == 8412031 and uid.number_format == "0"
    assert cycle.value == pytest.approx(18.253487654320985) and cycle.number_format == "#,##0.0"
    assert ws["E4"].value is None  # a missing rate is an empty cell, not "nan"
    assert ws.column_dimensions["A"].width >= len(CMD) and ws.column_dimensions["C"].width >= 9
    stale = wb["Зависшие сделки"]
    created, age = stale["G2"], stale["D2"]
    assert isinstance(created.value, datetime) and created.value == datetime(2024, 11, 5, 14, 23, 51)
    assert created.number_format == "DD.MM.YYYY HH:MM" and created.is_date
    assert age.number_format == "#,##0.0"
    kpis = wb["Показатели"]  # each row in its metric's format
    assert [kpis["A2"].value, kpis["B2"].number_format, kpis["B3"].number_format] == ["Выручка", '#,##0 "₽"', "0.0%"]


def test_xlsx_metric_labels_hold_no_unfilled_placeholder():
    # «Не перезвонили ({hours} ч)» needs the callback window, which a kpis table does not hold: the row is
    # labelled «Не перезвонили», never with a literal {hours}
    tables = {"kpis": "metric,current\ncalls_missed_not_called_back,6\ncalls_total,577\n"}
    for lang, label in (("ru", "Не перезвонили"), ("en", "Not called back")):
        ws = openpyxl.load_workbook(io.BytesIO(workbook(tables, lang))).worksheets[0]
        assert ws["A2"].value == label and ws["A3"].value in ("Звонки, всего", "Calls, total")


def test_xlsx_kpis_rows_of_every_report_have_labels():
    # every metric key a report publishes in its kpis table is a row label in words in the workbook (the calls
    # report's calls_answered, calls_missed_pending and working_days were shown as raw keys)
    from crmreports.reports.calls import metrics as calls_metrics

    keys = list(dict.fromkeys([*calls_metrics.HEADLINE_KEYS, *calls_metrics.EXTRA_KEYS]))
    tables = {"kpis": "metric,current\n" + "".join(f"{k},1\n" for k in keys)}
    for lang in ("ru", "en"):
        ws = openpyxl.load_workbook(io.BytesIO(workbook(tables, lang))).worksheets[0]
        labels = [ws.cell(row=i + 2, column=1).value for i in range(len(keys))]
        assert not set(labels) & set(keys), [k for k in labels if k in keys]
        assert {"ru": "Рабочие дни", "en": "Working days"}[lang] in labels


@pytest.mark.reliability("R30")
def test_xlsx_in_english_has_english_headers():
    wb = _book("en")
    assert wb.sheetnames == ["Managers", "Stale deals", "Headline figures"]
    assert [c.value for c in wb["Managers"][1]][:3] == ["Manager", "Group", "Revenue"]
    assert wb["Stale deals"]["G2"].number_format == "YYYY-MM-DD HH:MM"


def test_xlsx_dates_and_unknown_columns():
    tables = {
        "weekly": "week,label,custom\n2026-09-14,2026-W38,x\n",
        "my table/with:bad*chars?" + "x" * 40: "a\n1\n",
    }
    wb = openpyxl.load_workbook(io.BytesIO(workbook(tables, "ru")))
    ws = wb["По неделям"]
    assert ws["A2"].value == datetime(2026, 9, 14) and ws["A2"].number_format == "DD.MM.YYYY"
    assert ws["C1"].value == "custom"  # an undeclared column keeps its key
    assert len(wb.sheetnames[1]) <= 31 and not re.search(r"[\[\]:*?/\\]", wb.sheetnames[1])
    assert date(2026, 9, 14) == ws["A2"].value.date()


def test_xlsx_parts_are_well_formed_and_hold_what_the_csv_holds():
    # the workbook's SpreadsheetML is written by hand (crmreports.batch.xlsx._Book): every part parses as XML,
    # markup and control characters in the data stay text, a cell keeps at most Excel's 32,767 characters, and a
    # number is the CSV's double to the last bit
    import xml.etree.ElementTree as ET
    import zipfile

    long = "ж" * 40_000
    tables = {
        "stale_deals": f'name,price,complete\n"<b>&amp; ""Ко"" \x01</b>",14000.000000000002,True\n{long},,False\n',
        "kpis": "metric,current\nwin_rate,0.1\n",
    }
    data = workbook(tables, "ru", "RUB")
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = z.namelist()
        for name in names:
            ET.fromstring(z.read(name))  # raises on malformed XML
        types = z.read("[Content_Types].xml").decode()
    assert {"xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml", "xl/styles.xml", "xl/workbook.xml"} <= set(names)
    assert all(f"/{n}" in types for n in names if n.startswith("xl/") and not n.startswith("xl/_rels"))
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb["Зависшие сделки"]
    assert ws["A2"].value == '<b>&amp; "Ко" \ufffd</b>' and ws["A2"].data_type == "s"
    assert ws["B2"].value == 14000.000000000002 and ws["B2"].number_format == '#,##0 "₽"'
    assert ws["C2"].value is True and ws["C3"].value is False
    assert ws["A3"].value == long[:32767] and ws["B3"].value is None
    assert [c.font.b for c in ws[1]] == [True, True, True] and not ws["A2"].font.b
    assert wb["Показатели"]["B2"].number_format == "0.0%"
    empty = openpyxl.load_workbook(io.BytesIO(workbook({}, "ru")))
    assert empty.sheetnames == ["-"] and empty["-"].max_row == 1 and empty["-"]["A1"].value is None


# ---- languages never overwrite each other ---------------------------------------------------------------------


@pytest.mark.reliability("R28")
def test_another_language_has_its_own_file_names(tmp_path):
    ru = Job("calls", "2026-11", "team", out=str(tmp_path))
    en = Job("calls", "2026-11", "team", lang="en", out=str(tmp_path))
    assert (ru.stem, en.stem) == ("team", "team.en")
    assert run.output_stem("anna-smirnova", "en") == "anna-smirnova.en"


@pytest.mark.reliability("R28")
def test_the_index_of_another_language_links_its_documents(tmp_path):
    def result(lang):
        job = Job("calls", "2026-11", "team", lang=lang, out=str(tmp_path))
        base = job.folder / job.stem
        files = {k: f"{base}.{k}" for k in ("html", "pdf", "json", "xlsx", "ipynb")}
        return Result(job, True, 1.0, files, {}, {"currency": "RUB"})

    ru = write_index("2026-11", [result("ru")], str(tmp_path), "ru")
    en = write_index("2026-11", [result("en")], str(tmp_path), "en")
    assert (ru.name, en.name) == ("index.html", "index.en.html")
    assert 'href="calls/team.html"' in ru.read_text("utf-8") and "team.en" not in ru.read_text("utf-8")
    assert 'href="calls/team.en.html"' in en.read_text("utf-8")
    assert json.loads((tmp_path / "2026-11" / "index.en.json").read_text("utf-8"))[0]["files"]["pdf"].endswith(
        "team.en.pdf"
    )


# ---- a real run: CSV, XLSX, HTML and two languages -----------------------------------------------------------

NOTEBOOK_CODE = (
    f"""
HYPERLINK, CMD = {HYPERLINK!r}, {CMD!r}
"""
    + """
import warnings, sys
import pandas as pd
from IPython.display import display
warnings.warn("deprecated thing in /srv/secret/path.py")
print("written to stderr by a library", file=sys.stderr)
df = pd.DataFrame({"name": [HYPERLINK, CMD, "Анна"], "revenue": [1.0, -2.0, 3.0]})
meta = {"report": "hostile_names", "title": "T", "lang": lang, "currency": "RUB", "scope": "team",
        "period_label": period, "scope_label": "team"}
display({"application/vnd.crmreports.figures+json": {"meta": meta, "figures": {"n": 3}, "comparisons": {},
         "findings": [], "tables": {"managers": df.to_csv(index=False)}}, "text/plain": "published"}, raw=True)
display({"text/html": "<p>Отчёт на языке " + lang + "</p>"}, raw=True)
"""
)


@pytest.fixture
def adhoc_report(tmp_path, monkeypatch):
    """An ad-hoc notebook (no store needed) that publishes a table of hostile names and writes to stderr."""
    nbs = tmp_path / "notebooks"
    nbs.mkdir()
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell(
        'period: str = ""\nmanager: str = ""\npipeline: str = ""\nstore: str = ""\nlang: str = "ru"'
    )
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell(NOTEBOOK_CODE)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, nbs / "hostile_names.ipynb")
    monkeypatch.setattr(run, "NOTEBOOKS", nbs)
    store = tmp_path / "store.duckdb"
    store.write_bytes(b"not opened by this notebook")
    return tmp_path, str(store)


@pytest.mark.slow
def test_a_run_writes_safe_csv_xlsx_html_in_both_languages(adhoc_report):
    tmp, store = adhoc_report
    out = tmp / "reports"
    results = {}
    for lang in ("ru", "en"):
        job = Job("hostile_names", "2026-11", "team", lang=lang, store=store, out=str(out), formats=("html",))
        results[lang] = run.run_job(job, force=True)
        assert results[lang].ok, results[lang].error
    folder = out / "2026-11" / "hostile_names"
    names = sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))
    assert names == sorted(
        ["team", "team.en"] + [f"team{x}.{k}" for x in ("", ".en") for k in ("html", "ipynb", "json", "xlsx")]
    )
    assert 'lang="ru"' in (folder / "team.html").read_text("utf-8")
    assert 'lang="en"' in (folder / "team.en.html").read_text("utf-8")  # the Russian one was not overwritten
    for stem in ("team", "team.en"):
        rows = list(csv.DictReader(open(folder / stem / "managers.csv", encoding="utf-8")))
        assert [r["name"] for r in rows] == ["'" + HYPERLINK, "'" + CMD, "Анна"]
        assert [r["revenue"] for r in rows] == ["1.0", "-2.0", "3.0"]
        doc = json.loads((folder / f"{stem}.json").read_text("utf-8"))
        assert doc["tables"] == {"managers": f"{stem}/managers.csv"} and doc["scope"] == "team"
        ws = openpyxl.load_workbook(folder / f"{stem}.xlsx").active
        assert (ws["A2"].value, ws["A2"].data_type) == (HYPERLINK, "s")
        html = (folder / f"{stem}.html").read_text("utf-8")
        assert "/srv/secret" not in html and "UserWarning" not in html and "stderr by a library" not in html
        assert "Отчёт на языке" in html
    # the analyst's notebook keeps the warning
    assert "/srv/secret" in (folder / "team.ipynb").read_text("utf-8")
    assert os.path.exists(results["en"].files["xlsx"]) and Path(results["en"].files["html"]).name == "team.en.html"
