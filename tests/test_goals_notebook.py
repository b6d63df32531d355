"""Execute the goals notebook through the runner (papermill + nbconvert + WeasyPrint) with its default
as_of and goals parameters: team (ru) and one manager (en); check the JSON against the library and the
PDF text."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from crmreports import store
from crmreports.batch.run import Job, run_job
from crmreports.core.periods import parse_period
from crmreports.core.scopes import slug
from crmreports.reports.goals import metrics as goals
from crmreports.store import data_end, plans

pytestmark = pytest.mark.slow

MANAGER = "Анна Смирнова"  # has revenue and count plans for 2026-10 and a Q4 plan in params/goals.yaml
OCT = parse_period("2026-10")


def pdf_text(path) -> str:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed; `make setup` installs it")
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def expected(demo_store, manager=None):
    data = store.load(demo_store, user_ids=None)
    gf = plans.load_goals(plans.resolve_goals_path(), data.users)
    leads, sc = data.leads, data.stage_changes
    if manager:
        uid = int(data.users.loc[data.users["name"] == manager, "id"].iloc[0])
        leads = leads[leads["responsible_user_id"] == uid]
        sc = sc[sc["lead_id"].isin(leads["id"])]
    plan = gf.find(manager, OCT, "revenue")
    return goals.progress(plan, leads, sc, data.statuses, data_end(data.account)).figures()


@pytest.fixture(scope="module")
def team_run(demo_store, tmp_path_factory):
    res = run_job(Job("goals", "2026-10", "team", "", "", "ru", str(demo_store), str(tmp_path_factory.mktemp("g"))))
    assert res.ok, res.error
    return res


def test_team_json_matches_the_library(team_run, demo_store):
    doc = json.loads(Path(team_run.files["json"]).read_text(encoding="utf-8"))
    assert (doc["report"], doc["scope"], doc["lang"]) == ("goals", "team", "ru")
    exp = expected(demo_store)
    for key in ("plan", "fact", "plan_done_share", "plan_remaining", "projection", "working_days_left"):
        assert doc["figures"][key] == pytest.approx(exp[key]), key
    assert doc["figures"]["plan"] == 30_000_000 and doc["figures"]["fact"] > 0
    assert doc["figures"]["working_days_left"] == 0  # October is over by the data's end, 2026-11-01
    assert doc["comparisons"]["previous"]["plan"] == 29_000_000
    assert {"plans", "comparison", "managers"} <= set(doc["tables"])


def test_team_pdf_has_the_russian_sections(team_run):
    text = pdf_text(team_run.files["pdf"])
    for phrase in (
        "Цели",
        "Выполнение плана",
        "Динамика выполнения плана",
        "Сравнение с прошлыми периодами",
        "План по менеджерам",
        "Выводы",
        "октябрь 2026",
        "4 квартал 2026",
    ):
        assert phrase in text, phrase
    assert "\ufffd" not in text


def test_manager_run_in_english(demo_store, tmp_path):
    res = run_job(Job("goals", "2026-10", slug(MANAGER), MANAGER, "", "en", str(demo_store), str(tmp_path)))
    assert res.ok, res.error
    doc = json.loads(Path(res.files["json"]).read_text(encoding="utf-8"))
    exp = expected(demo_store, MANAGER)
    assert doc["scope"] == slug(MANAGER) and doc["figures"]["plan"] == 6_000_000
    for key in ("fact", "plan_done_share", "plan_remaining", "projection"):
        assert doc["figures"][key] == pytest.approx(exp[key]), key
    text = pdf_text(res.files["pdf"])
    assert "Goals" in text and "Plan progress" in text and MANAGER in text
    assert "Plans by manager" not in text
