"""Execute the forecast notebook through the runner: team (ru) and one manager (en) on the demo account,
then check the JSON figures against the library and the PDF text."""

import json
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from crmreports import store
from crmreports.batch.run import Job, run_job
from crmreports.core.scopes import slug
from crmreports.reports.forecast import metrics as F
from oracles import forecast as oracle

pytestmark = pytest.mark.slow
ORIGIN = pd.Timestamp("2026-11-01")


def pdf_text(path) -> str:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed; `make setup` installs it")
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def expected(leads, changes, statuses) -> tuple[F.Forecast, pd.DataFrame]:
    """The forecast as the report makes it: pending «Неразобранное» requests are not open deals."""
    bt = oracle.backtest(leads, changes, ORIGIN, statuses=statuses)
    factors = {m: F.calibration_factor(bt, m) for m in ("revenue", "deals")}
    fc = F.widen(oracle.forecast_as_of(leads, changes, ORIGIN, statuses=statuses), factors)
    return fc, F.accuracy(bt).query("k == 'all'").set_index("method")


@pytest.fixture(scope="module")
def team_run(demo_store, tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    res = run_job(Job("forecast", "2026-10", "team", "", "", "ru", str(demo_store), str(out)))
    assert res.ok, res.error
    return res


def test_team_json_matches_the_library(team_run, demo_store):
    doc = json.loads(Path(team_run.files["json"]).read_text(encoding="utf-8"))
    assert (doc["report"], doc["period"], doc["scope"]) == ("forecast", "2026-10", "team")
    fig = doc["figures"]
    data = store.load(demo_store)
    fc, acc = expected(data.leads, data.stage_changes, data.statuses)
    for k in (1, 2, 3):
        assert fig[f"forecast_m{k}_revenue"] == pytest.approx(fc.value(k))
        assert fig[f"forecast_m{k}_low"] == pytest.approx(fc.value(k, column="low"))
        assert fig[f"forecast_m{k}_high"] == pytest.approx(fc.value(k, column="high"))
        assert fig[f"forecast_m{k}_low"] < fig[f"forecast_m{k}_revenue"] < fig[f"forecast_m{k}_high"]
    assert fig["forecast_m1_deals"] == pytest.approx(fc.value(1, "deals"))
    assert fig["backtest_wape"] == pytest.approx(acc.loc["combined", "wape"])
    assert fig["backtest_bias"] == pytest.approx(acc.loc["combined", "bias"])
    assert fig["baseline_last_month_wape"] == pytest.approx(acc.loc["last_month", "wape"])
    assert fig["baseline_seasonal_wape"] == pytest.approx(acc.loc["seasonal", "wape"])
    assert fig["backtest_wape"] < min(fig["baseline_last_month_wape"], fig["baseline_seasonal_wape"])
    folder = Path(team_run.files["json"]).parent
    for name in ("forecast", "weighted_pipeline", "accuracy", "backtest", "by_manager", "by_pipeline"):
        assert (folder / doc["tables"][name]).exists(), name


def test_team_pdf_has_russian_sections(team_run):
    text = pdf_text(team_run.files["pdf"])
    for phrase in (
        "Прогноз продаж",
        "Прогноз на три месяца",
        "Два взгляда",
        "Взвешенная воронка по этапам",
        "Точность прогноза",
        "Прогноз по менеджерам и воронкам",
        "Интервал 80",
        "ноябрь 2026",
    ):
        assert phrase in text, phrase
    assert "\ufffd" not in text
    html = Path(team_run.files["html"]).read_text(encoding="utf-8")
    assert html.count('class="crm-chart"') >= 3 and "report.headline" not in html


def test_manager_run_in_english(demo_store, tmp_path, team_run):
    con = store.connect(demo_store)
    uid, name = con.execute(
        "SELECT u.id, u.name FROM users u JOIN leads l ON l.responsible_user_id = u.id "
        "GROUP BY u.id, u.name ORDER BY count(*) DESC LIMIT 1"
    ).fetchone()
    con.close()
    res = run_job(Job("forecast", "2026-10", slug(name), name, "", "en", str(demo_store), str(tmp_path)))
    assert res.ok, res.error
    doc = json.loads(Path(res.files["json"]).read_text(encoding="utf-8"))
    team = json.loads(Path(team_run.files["json"]).read_text(encoding="utf-8"))
    assert doc["scope"] == slug(name) and doc["lang"] == "en"
    data = store.load(demo_store, user_ids=[uid])
    fc, _ = expected(data.leads, data.stage_changes, data.statuses)
    assert doc["figures"]["forecast_m1_revenue"] == pytest.approx(fc.value(1))
    assert 0 < doc["figures"]["forecast_m1_revenue"] < team["figures"]["forecast_m1_revenue"]
    text = pdf_text(res.files["pdf"])
    assert "Sales forecast" in text and "Forecast for the next three months" in text and name in text
    assert "Forecast by manager and pipeline" not in text
