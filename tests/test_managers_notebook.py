"""Execute the managers and summary notebooks through the runner: team in Russian and one manager in English
(managers), team in Russian and English (summary); check the JSON figures against the shared definitions, the
PDF text, the summary's page count and that the pack index lists both reports, the summary first."""

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from crmreports import store
from crmreports.batch.index import write_index
from crmreports.batch.run import Job, run_job
from crmreports.core.scopes import slug
from crmreports.store import data_end, discipline

pytestmark = pytest.mark.slow

PERIOD = "2026-10"
FIGURES = (
    "overdue_tasks",
    "open_deals",
    "open_deals_without_task",
    "stale_deals",
    "calls_out",
    "meetings",
    "won_deals",
    "revenue",
    "win_rate",
    "velocity_per_day",
)


def pdf_text(path) -> str:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed; `make setup` installs it")
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(out.replace("\u00a0", " ").split())


def pages(path) -> int:
    if not shutil.which("pdfinfo"):
        pytest.skip("pdfinfo (poppler-utils) is not installed")
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", out).group(1))


@pytest.fixture(scope="module")
def manager_name(demo_store):
    con = store.connect(demo_store)
    try:
        return con.execute(
            "SELECT u.name FROM users u JOIN leads l ON l.responsible_user_id = u.id WHERE l.closed_at IS NULL "
            "GROUP BY u.name ORDER BY count(*) DESC, u.name LIMIT 1"
        ).fetchone()[0]
    finally:
        con.close()


@pytest.fixture(scope="module")
def runs(demo_store, manager_name, tmp_path_factory):
    out = tmp_path_factory.mktemp("managers_reports")
    jobs = [
        Job("managers", PERIOD, "team", "", "", "ru", str(demo_store), str(out)),
        Job("managers", PERIOD, slug(manager_name), manager_name, "", "en", str(demo_store), str(out)),
        Job("summary", PERIOD, "team", "", "", "ru", str(demo_store), str(out)),
        Job("summary", PERIOD, "team", "", "", "en", str(demo_store), str(out)),
    ]
    res = [run_job(j) for j in jobs]
    for r in res:
        assert r.ok, r.error
    return out, res


def _doc(res):
    return json.loads(Path(res.files["json"]).read_text(encoding="utf-8"))


def test_managers_team_json_has_every_figure_and_matches_discipline(runs, demo_store):
    _, (team, *_rest) = runs
    doc = _doc(team)
    assert (doc["report"], doc["scope"], doc["lang"]) == ("managers", "team", "ru")
    for key in FIGURES:
        assert doc["figures"].get(key) is not None, key
    d = store.load(demo_store, tables=("leads", "stage_changes", "tasks"))
    moment = data_end(d.account)
    assert doc["figures"]["overdue_tasks"] == len(discipline.overdue_tasks(d["tasks"], moment))
    nt = discipline.open_deals_without_task(d.leads, d.stage_changes, d.statuses, d["tasks"], moment)
    assert doc["figures"]["open_deals_without_task"] == len(nt) > 0
    assert doc["figures"]["overdue_tasks"] > 0
    # the per-manager table: one row per manager and the team's
    csv = (Path(team.files["json"]).parent / doc["tables"]["managers"]).read_text(encoding="utf-8")
    assert csv.count("\n") >= 3 and "Вся команда" in csv


def test_managers_pdf_text(runs):
    _, (team, mgr, *_rest) = runs
    text = pdf_text(team.files["pdf"])
    for phrase in ("По сотрудникам", "Дисциплина на", "95 % ДИ", "Опер", "Сделка без задачи", "LMDI"):
        assert phrase in text, phrase
    en = pdf_text(mgr.files["pdf"])
    for phrase in ("Managers", "What to act on now", "Overdue tasks", "95% CI"):
        assert phrase in en, phrase
    assert "\ufffd" not in text + en


def test_manager_page_is_personal(runs, manager_name):
    _, (team, mgr, *_rest) = runs
    doc = _doc(mgr)
    assert doc["scope"] == slug(manager_name) and doc["lang"] == "en"
    assert doc["figures"]["open_deals"] < _doc(team)["figures"]["open_deals"]
    html = Path(mgr.files["html"]).read_text(encoding="utf-8")
    assert "The team: win rate" in html
    assert "leads/detail" not in html  # the demo account has no CRM address: no links


def test_summary_is_two_pages_and_links_to_the_explaining_pages(runs):
    _, (*_m, ru, en) = runs
    for r in (ru, en):
        assert pages(r.files["pdf"]) <= 2
    text = pdf_text(ru.files["pdf"])
    for phrase in ("Сводный отчёт", "Состояние на", "в шести цифрах", "Пять дел на этот месяц"):
        assert phrase in text, phrase
    html = Path(ru.files["html"]).read_text(encoding="utf-8")
    assert 'href="../managers/team.html#actions"' in html
    assert 'href="../managers/team.en.html#' in Path(en.files["html"]).read_text(encoding="utf-8")
    doc = _doc(ru)
    assert doc["figures"]["top_action_money"] > 0 and len(doc["tables"]) >= 3


def test_index_lists_both_reports_summary_first(runs):
    out, res = runs
    ru = [r for r in res if r.job.lang == "ru"]
    index = write_index(PERIOD, list(reversed(ru)), str(out), "ru").read_text(encoding="utf-8")
    assert "id='summary'" in index and "id='managers'" in index
    assert index.index("id='summary'") < index.index("id='managers'")
