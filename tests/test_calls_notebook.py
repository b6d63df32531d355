"""Execute the calls notebook through the runner: team (ru) and one manager (en), real papermill + nbconvert +
WeasyPrint; check the JSON figures against the library computed directly and the PDF text."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from crmreports import store
from crmreports.batch.run import Job, run_job
from crmreports.core.periods import parse_period
from crmreports.core.scopes import slug
from crmreports.reports.calls import metrics as calls
from crmreports.store import data_end
from crmreports.store import meetings as meeting_rules
from oracles.calls import TABLES

pytestmark = pytest.mark.slow

PERIOD = "2026-10"
RU_TITLES = (
    "Звонки",
    "Главные показатели звонков",
    "Звонки по дням",
    "Пропущенные звонки и перезвоны",
    "Встречи и звонки на сделку",
    "Менеджеры в сравнении с командой",
    "Выводы",
    "октябрь 2026",
)
COMPARED = (
    "calls_total",
    "calls_in",
    "calls_out",
    "calls_missed",
    "calls_answered_share",
    "calls_duration_total_s",
    "calls_duration_avg_s",
    "calls_missed_not_called_back",
    "meetings",
    "call_to_meeting_conversion",
    "calls_per_won_deal",
)


def pdf_text(path) -> str:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed; `make setup` installs it")
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(out.replace("\u00a0", " ").split())


def expected(demo_store, user_ids=None) -> dict:
    """The headline figures computed directly with the library (no notebook, no view)."""
    team = store.load(demo_store, tables=TABLES)
    data = store.load(demo_store, tables=TABLES, user_ids=user_ids) if user_ids else team
    rule = meeting_rules.read_meeting_rule()
    meetings = meeting_rules.meeting_events(rule, data["tasks"], data.stage_changes, data.statuses, data.leads)
    return calls.headline(
        data["calls"], team["calls"], data.leads, meetings, parse_period(PERIOD), data_end(data.account)
    )


@pytest.fixture(scope="module")
def team_run(demo_store, tmp_path_factory):
    out = tmp_path_factory.mktemp("calls_reports")
    res = run_job(Job("calls", PERIOD, "team", "", "", "ru", str(demo_store), str(out)))
    assert res.ok, res.error
    return res


@pytest.fixture(scope="module")
def busiest_manager(demo_store):
    con = store.connect(demo_store)
    try:
        return con.execute(
            "SELECT u.id, u.name FROM users u JOIN calls c ON c.user_id = u.id "
            "WHERE c.at >= '2026-10-01' AND c.at < '2026-11-01' "
            "GROUP BY u.id, u.name ORDER BY count(*) DESC, u.name LIMIT 1"
        ).fetchone()
    finally:
        con.close()


@pytest.fixture(scope="module")
def manager_run(demo_store, busiest_manager, tmp_path_factory):
    _, name = busiest_manager
    out = tmp_path_factory.mktemp("calls_reports_mgr")
    res = run_job(Job("calls", PERIOD, slug(name), name, "", "en", str(demo_store), str(out)))
    assert res.ok, res.error
    return res


def test_team_json_matches_the_library(team_run, demo_store):
    doc = json.loads(Path(team_run.files["json"]).read_text(encoding="utf-8"))
    assert (doc["report"], doc["period"], doc["scope"], doc["lang"]) == ("calls", PERIOD, "team", "ru")
    want = expected(demo_store)
    for key in COMPARED:
        assert doc["figures"][key] == pytest.approx(want[key]), key
    assert doc["figures"]["calls_total"] > 100 and doc["figures"]["meetings"] > 0
    assert doc["figures"]["meetings_rule"] == "task_type:2"
    assert set(doc["comparisons"]) == {"previous", "year_ago"}
    folder = Path(team_run.files["json"]).parent
    for name in ("kpis", "daily", "managers"):
        assert (folder / doc["tables"][name]).exists(), name


def test_team_pdf_has_the_russian_section_titles(team_run):
    text = pdf_text(team_run.files["pdf"])
    for phrase in RU_TITLES:
        assert phrase in text, phrase
    assert "Встреча — выполненная задача типа «Встреча» (id 2)" in text  # the meetings definition is stated
    assert "95 % ДИ" in text
    assert "\ufffd" not in text


def test_team_html_has_charts_and_no_code(team_run):
    html = Path(team_run.files["html"]).read_text(encoding="utf-8")
    assert html.count('class="crm-chart"') >= 2  # calls per day, managers with intervals
    for leaked in ("report.kpis", "import ", "crm.duckdb", "published "):
        assert leaked not in html, leaked


def test_manager_run_in_english(manager_run, team_run, demo_store, busiest_manager):
    uid, name = busiest_manager
    doc = json.loads(Path(manager_run.files["json"]).read_text(encoding="utf-8"))
    team = json.loads(Path(team_run.files["json"]).read_text(encoding="utf-8"))
    assert (doc["scope"], doc["lang"]) == (slug(name), "en")
    want = expected(demo_store, [uid])
    for key in COMPARED:
        assert doc["figures"][key] == pytest.approx(want[key], nan_ok=True), key
    assert 0 < doc["figures"]["calls_total"] < team["figures"]["calls_total"]
    text = pdf_text(manager_run.files["pdf"])
    for phrase in ("Calls", "Headline call figures", "Calls per day", "Managers against the team", name, "Whole team"):
        assert phrase in text, phrase
