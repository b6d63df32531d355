"""Execute the marketing notebook through the runner: the demo team (ru) and one manager (en); the Olist
marketing funnel (its `origin` is the source, no spend) and the Maven data set (accounts are companies with
repeat deals) from ../shared/datasets (skipped when absent). JSON figures are checked against the library."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from crmreports import store
from crmreports.batch.run import Job, run_job
from crmreports.core.periods import parse_period
from crmreports.core.scopes import slug
from crmreports.reports.marketing import metrics, query
from crmreports.sources.imports import import_files

pytestmark = [pytest.mark.slow, pytest.mark.heavy]

PERIOD = "2026-10"
DATA = Path(__file__).resolve().parents[2] / "shared" / "datasets"


def pdf_text(path) -> str:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(out.replace("\u00a0", " ").split())


def expected(store_path, period, user_ids=None) -> dict:
    data = query.load_marketing(str(store_path), parse_period(period), user_ids=user_ids)
    as_of = store.data_end(data.account)
    return metrics.kpi_table(data.leads, data.spend.spend, parse_period(period), as_of)["current"].to_dict()


def _run(report_store, out, period=PERIOD, manager="", lang="ru"):
    scope = slug(manager) if manager else "team"
    res = run_job(Job("marketing", period, scope, manager, "", lang, str(report_store), str(out)))
    assert res.ok, res.error
    return res, json.loads(Path(res.files["json"]).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def team_run(demo_store, tmp_path_factory):
    return _run(demo_store, tmp_path_factory.mktemp("mkt_team"))


def test_team_ru(team_run, demo_store):
    res, doc = team_run
    want = expected(demo_store, PERIOD)
    for key in ("leads", "created_deals", "won_deals", "revenue", "new_clients", "spend", "cac", "romi"):
        assert doc["figures"][key] == pytest.approx(want[key]), key
    assert doc["figures"]["spend"] > 0 and doc["figures"]["repeat_revenue"] > 0
    text = pdf_text(res.files["pdf"])
    for phrase in (
        "Маркетинг и клиенты",
        "Источники заявок",
        "Новые и повторные продажи",
        "Когорты клиентов",
        "ABC/XYZ",
        "Ушедшие клиенты",
        "Яндекс Директ",
        "ROMI",
        "params/spend/demo.csv",
    ):
        assert phrase in text, phrase
    assert "\ufffd" not in text
    html = Path(res.files["html"]).read_text(encoding="utf-8")
    assert html.count('class="crm-chart"') >= 3
    folder = Path(res.files["json"]).parent
    for name in ("kpis", "sources", "new_vs_repeat", "repeat_rates", "cohorts", "clients_abc", "lapsed"):
        assert (folder / doc["tables"][name]).exists(), name


def test_manager_en(demo_store, tmp_path):
    con = store.connect(demo_store)
    try:
        uid, name = con.execute(
            "SELECT u.id, u.name FROM users u JOIN leads l ON l.responsible_user_id = u.id WHERE l.status_id = 142 "
            "GROUP BY 1, 2 ORDER BY count(*) DESC, 2 LIMIT 1"
        ).fetchone()
    finally:
        con.close()
    res, doc = _run(demo_store, tmp_path, manager=name, lang="en")
    want = expected(demo_store, PERIOD, [uid])
    for key in ("leads", "won_deals", "revenue", "new_clients"):
        assert doc["figures"][key] == pytest.approx(want[key]), key
    # the account's spend is not set against one manager's revenue: no cost figures, and the report says why
    assert doc["figures"]["spend"] is None and doc["figures"]["cac"] is None and doc["figures"]["romi"] is None
    text = pdf_text(res.files["pdf"])
    assert "cost per lead, CAC and ROMI are shown in the whole team's report only" in text
    for phrase in ("Marketing and clients", "Lead sources", "New and repeat sales", "Lapsed clients", name):
        assert phrase in text, phrase


def _dataset(name: str, tmp_path) -> Path:
    folder = DATA / name
    if not folder.is_dir():
        pytest.skip(f"data set folder {folder} is absent (it lives in ../shared/datasets)")
    return folder


def test_olist_origin_is_the_source_and_there_is_no_spend(tmp_path):
    path = tmp_path / "olist.duckdb"
    import_files([_dataset("olist-marketing-funnel", tmp_path)], "olist", path)
    res, doc = _run(path, tmp_path / "out", period="2018-03")
    want = expected(path, "2018-03")
    assert doc["figures"]["leads"] == want["leads"] > 0 and doc["figures"]["spend"] is None
    text = pdf_text(res.files["pdf"])
    assert "Расходов на рекламу для этого аккаунта нет" in text and "paid_search" in text


def test_maven_companies_repeat(tmp_path):
    path = tmp_path / "maven.duckdb"
    import_files([_dataset("maven-crm-sales-opportunities", tmp_path)], "maven", path)
    con = store.connect(path)
    try:
        assert con.execute("SELECT count(*) FROM companies").fetchone()[0] == 85
    finally:
        con.close()
    res, doc = _run(path, tmp_path / "out", period="2017-Q4")
    # accounts buy again and again: most of the revenue is repeat revenue
    assert doc["figures"]["won_deals"] > 0 and doc["figures"]["repeat_revenue_share"] > 0.5
    assert "(источник не указан)" in pdf_text(res.files["pdf"])
