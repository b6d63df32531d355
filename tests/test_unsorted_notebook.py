"""Execute the unsorted-leads notebook through the runner on the demo account: team (ru) and one manager
(en), real papermill + nbconvert + WeasyPrint; check the JSON figures against the library computed
directly and the PDF text."""

import json
import math
import shutil
import subprocess
from pathlib import Path

import pytest

from crmreports import store
from crmreports.batch.run import Job, run_job
from crmreports.core.periods import parse_period
from crmreports.core.scopes import slug
from crmreports.reports.unsorted_leads import metrics as unsorted
from crmreports.store import data_end
from oracles import unsorted as oracle

pytestmark = pytest.mark.slow

PERIOD = "2026-10"
RU_TITLES = (
    "Неразобранное",
    "Входящие заявки и конверсия в сделки",
    "Источники и каналы заявок",
    "Скорость обработки заявок",
    "Неразобранные заявки на конец периода",
    "Динамика по неделям",
    "Выводы",
)


def pdf_text(path) -> str:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed; `make setup` installs it")
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def expected(demo_store, user_ids=()):
    d = store.load(demo_store, tables=oracle.TABLES, user_ids=list(user_ids) or None)
    items = unsorted.prepare(
        d["unsorted"], d.leads, d.stage_changes, d["calls"], d["tasks"], d.statuses, data_end(d.account)
    )
    return unsorted.headline(unsorted.in_scope(items, tuple(user_ids)), parse_period(PERIOD))


def check_figures(doc, want):
    for key in unsorted.HEADLINE_KEYS:
        got = doc["figures"][key]
        if want[key] is None or (isinstance(want[key], float) and math.isnan(want[key])):
            assert got is None, key
        else:
            assert got == pytest.approx(want[key]), key


@pytest.fixture(scope="module")
def team_run(demo_store, tmp_path_factory):
    res = run_job(
        Job("unsorted_leads", PERIOD, "team", "", "", "ru", str(demo_store), str(tmp_path_factory.mktemp("reports")))
    )
    assert res.ok, res.error
    return res


@pytest.fixture(scope="module")
def manager(demo_store):
    """The manager with the most incoming leads whose deal is theirs in October."""
    con = store.connect(demo_store)
    row = con.execute(
        "SELECT u.id, u.name FROM unsorted s JOIN leads l ON l.id = s.lead_id "
        "JOIN users u ON u.id = l.responsible_user_id "
        "WHERE s.created_at >= '2026-09-30' AND s.created_at < '2026-11-01' GROUP BY u.id, u.name "
        "ORDER BY count(*) DESC, u.id LIMIT 1"
    ).fetchone()
    con.close()
    return int(row[0]), row[1]


def test_team_json_matches_the_library(team_run, demo_store):
    doc = json.loads(Path(team_run.files["json"]).read_text(encoding="utf-8"))
    assert (doc["report"], doc["period"], doc["scope"], doc["lang"]) == ("unsorted_leads", PERIOD, "team", "ru")
    want = expected(demo_store)
    check_figures(doc, want)
    f = doc["figures"]
    assert f["unsorted_total"] > 0 and f["unsorted_accepted"] > 0 and 0 < f["unsorted_to_deals_share"] <= 1
    assert f["unsorted_total"] == f["unsorted_accepted"] + f["unsorted_declined"] + f["unsorted_pending"]
    assert f["unsorted_to_won"] <= f["unsorted_to_deals"] <= f["unsorted_accepted"]
    assert f["speed_to_accept_median_min"] > 0
    folder = Path(team_run.files["json"]).parent
    for name in ("kpis", "by_source", "by_category", "speed", "speed_by_manager", "weekly"):
        assert (folder / doc["tables"][name]).exists(), name
    assert set(doc["comparisons"]) == {"previous", "year_ago"}


def test_team_pdf_has_the_russian_sections(team_run, demo_store):
    text = pdf_text(team_run.files["pdf"])
    flat = " ".join(text.split())
    for phrase in RU_TITLES + ("октябрь 2026",):
        assert phrase in flat, phrase
    assert "\ufffd" not in text
    doc = json.loads(Path(team_run.files["json"]).read_text(encoding="utf-8"))
    f = doc["figures"]
    assert f"{f['unsorted_to_deals']} из {f['unsorted_total']}" in flat  # the seed sentence, from the figures
    html = Path(team_run.files["html"]).read_text(encoding="utf-8")
    for leaked in ("report.kpis", "import ", "injected-parameters", "crm.duckdb", "published "):
        assert leaked not in html, leaked
    assert html.count('class="crm-chart"') >= 3  # sources, speed by manager, weekly trend


def test_manager_run_in_english(demo_store, tmp_path, team_run, manager):
    uid, name = manager
    res = run_job(Job("unsorted_leads", PERIOD, slug(name), name, "", "en", str(demo_store), str(tmp_path)))
    assert res.ok, res.error
    doc = json.loads(Path(res.files["json"]).read_text(encoding="utf-8"))
    assert (doc["scope"], doc["lang"]) == (slug(name), "en")
    check_figures(doc, expected(demo_store, (uid,)))
    team = json.loads(Path(team_run.files["json"]).read_text(encoding="utf-8"))
    assert 0 < doc["figures"]["unsorted_total"] < team["figures"]["unsorted_total"]
    text = " ".join(pdf_text(res.files["pdf"]).split())
    for phrase in ("Unsorted leads", "Incoming leads and conversion to deals", "Speed to lead", "Weekly trend", name):
        assert phrase in text, phrase
    assert "1st action, median" not in text  # the per-manager table is a team-only view
