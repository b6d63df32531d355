"""Execute the sales-analysis notebook through the runner: team (ru) and one manager (en), real
papermill + nbconvert + WeasyPrint, then check the JSON, the HTML and the PDF text."""

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from crmreports import store
from crmreports.batch.run import Job, run_job
from crmreports.core.periods import parse_period
from crmreports.reports.sales_analysis import metrics as sales
from crmreports.store import data_end

pytestmark = pytest.mark.slow


def pdf_text(path) -> str:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed; `make setup` installs it")
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module")
def team_run(demo_store, tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    res = run_job(Job("sales_analysis", "2026-10", "team", "", "", "ru", str(demo_store), str(out)))
    assert res.ok, res.error
    return res


def test_team_json_matches_the_library(team_run, demo_store):
    doc = json.loads(Path(team_run.files["json"]).read_text(encoding="utf-8"))
    assert (doc["report"], doc["period"], doc["scope"], doc["lang"]) == ("sales_analysis", "2026-10", "team", "ru")
    data = store.load(demo_store)
    expected = sales.headline(data.leads, parse_period("2026-10"), data_end(data.account))
    for key in ("revenue", "won_deals", "lost_deals", "created_deals", "win_rate", "lead_to_won_conversion"):
        assert doc["figures"][key] == pytest.approx(expected[key]), key
    assert doc["figures"]["won_deals"] > 0
    folder = Path(team_run.files["json"]).parent
    for name, rel in doc["tables"].items():
        assert (folder / rel).exists(), name
    assert "funnel" in doc["tables"] and "managers" in doc["tables"]


def test_html_has_no_code_or_parameters(team_run):
    html = Path(team_run.files["html"]).read_text(encoding="utf-8")
    assert "Анализ продаж" in html and "Воронка и конверсия по этапам" in html
    for leaked in ("report.kpis", "import ", "tags=", "injected-parameters", "crm.duckdb", "published "):
        assert leaked not in html, leaked
    assert html.count('class="crm-chart"') >= 4  # trend, funnel, losses, time in stage, managers


def test_pdf_renders_russian_text(team_run):
    text = pdf_text(team_run.files["pdf"])
    for phrase in (
        "Анализ продаж",
        "Главные показатели",
        "Воронка и конверсия",
        "Потери по этапам",
        "Время на этапах",
        "Менеджеры",
        "октябрь 2026",
    ):
        assert phrase in text, phrase
    assert "\ufffd" not in text
    assert re.search(r"\d+\s*/\s*\d+\n", text)  # page numbers "n / total"


def test_manager_run_in_english(demo_store, tmp_path, team_run):
    con = store.connect(demo_store)
    name = con.execute(
        "SELECT u.name FROM users u JOIN leads l ON l.responsible_user_id = u.id "
        "GROUP BY u.name ORDER BY count(*) DESC LIMIT 1"
    ).fetchone()[0]
    con.close()
    from crmreports.core.scopes import slug

    res = run_job(Job("sales_analysis", "2026-10", slug(name), name, "", "en", str(demo_store), str(tmp_path)))
    assert res.ok, res.error
    doc = json.loads(Path(res.files["json"]).read_text(encoding="utf-8"))
    team = json.loads(Path(team_run.files["json"]).read_text(encoding="utf-8"))
    assert doc["scope"] == slug(name) and doc["lang"] == "en"
    assert 0 < doc["figures"]["revenue"] < team["figures"]["revenue"]
    text = pdf_text(res.files["pdf"])
    assert "Sales analysis" in text and "Headline figures" in text and name in text
    assert "Managers" not in text.split("Contents")[-1].split("Headline figures")[0]  # no team table


def test_failed_run_keeps_the_executed_notebook(tmp_path, demo_store):
    broken = tmp_path / "broken.duckdb"
    broken.write_bytes(b"not a duckdb file")
    res = run_job(Job("sales_analysis", "2026-10", "team", "", "", "ru", str(broken), str(tmp_path / "out")))
    assert not res.ok and "broken.duckdb" in res.error
    assert Path(res.files["ipynb"]).exists()
    assert not list((tmp_path / "out").rglob("*.html"))
