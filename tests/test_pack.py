"""Packs through the real CLI: parallel jobs, a failing job isolated, caching, --force, bad pack files,
hostile manager names, groups, and no token in any output file."""

import html
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pandas as pd
import pytest

import fixtures
import reliability
from crmreports import store
from crmreports.batch.pack import build_jobs, load_pack
from crmreports.batch.run import check_parameters
from crmreports.core import fmt
from crmreports.core.scopes import ParameterError

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]
TOKEN = "tok-3f9c2e71-SECRET-do-not-leak"


def crm(*args, store_path, env=None):
    e = dict(os.environ, AMOCRM_ACCESS_TOKEN=TOKEN, **(env or {}))
    return subprocess.run(
        [sys.executable, "-m", "crmreports", "--store", str(store_path), *args],
        capture_output=True,
        text=True,
        timeout=600,
        env=e,
        cwd=ROOT,
    )


@pytest.fixture(scope="module")
def workspace(tmp_path_factory, fixture_store):
    """A notebooks folder with the real sales notebook and one that fails for the team scope."""
    ws = tmp_path_factory.mktemp("pack")
    nbs = ws / "notebooks"
    nbs.mkdir()
    shutil.copy(ROOT / "notebooks" / "sales_analysis.ipynb", nbs)
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell(
        'period: str = ""\nmanager: str = ""\npipeline: str = ""\nstore: str = ""\nlang: str = "ru"'
    )
    params.metadata["tags"] = ["parameters"]
    nb.cells = [
        params,
        nbformat.v4.new_code_cell('if not manager:\n    raise RuntimeError("deliberate failure for the team scope")'),
    ]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, nbs / "failing.ipynb")
    (ws / "pack.yaml").write_text(
        "reports: [sales_analysis, failing]\nscopes: [team, managers]\nformats: [html, pdf]\n"
    )
    return ws


@pytest.fixture(scope="module")
def first_run(workspace, fixture_store):
    out = workspace / "reports"
    r = crm(
        "pack",
        "--period",
        "2026-10",
        "--pack",
        str(workspace / "pack.yaml"),
        "--out",
        str(out),
        "--jobs",
        "2",
        store_path=fixture_store,
        env={"CRMREPORTS_NOTEBOOKS": str(workspace / "notebooks")},
    )
    return r, out


@pytest.mark.reliability("R57")
def test_failing_job_is_isolated_and_reported(first_run):
    r, out = first_run
    assert r.returncode == 1, r.stderr
    assert "FAILED failing/team" in r.stdout and "deliberate failure" in r.stdout
    assert "5 built, 0 up to date, 1 failed of 6" in r.stdout  # 2 reports × (team + 2 managers)
    folder = out / "2026-10"
    assert (folder / "failing" / "team.error.ipynb").exists()
    for scope in ("team", "anna-ivanova", "boris-petrov"):
        for ext in ("html", "pdf", "json", "xlsx", "ipynb"):
            assert (folder / "sales_analysis" / f"{scope}.{ext}").exists(), (scope, ext)
    index = (folder / "index.html").read_text(encoding="utf-8")
    assert "Не сформированы: 1" in index and "deliberate failure" in index
    assert "Анна Иванова" in index and "sales_analysis/team.pdf" in index
    # one section per report, a column per headline figure, the team's revenue as the report shows it
    assert "<h2>Анализ продаж</h2>" in index and "<th class='num'>Выручка</th>" in index
    team = json.loads((folder / "sales_analysis" / "team.json").read_text(encoding="utf-8"))
    shown = fmt.money(team["figures"]["revenue"], "ru")
    assert f"<tr class='team'><td>Вся команда</td><td class='num'>{html.escape(shown)}</td>" in index
    entries = json.loads((folder / "index.json").read_text(encoding="utf-8"))
    assert len(entries) == 6 and sum(not e["ok"] for e in entries) == 1
    assert (
        next(e for e in entries if e["report"] == "sales_analysis" and e["scope"] == "team")["figures"]["revenue"]
        == team["figures"]["revenue"]
    )
    xlsx = pd.ExcelFile(folder / "sales_analysis" / "team.xlsx")
    assert {"Показатели", "Воронка", "Менеджеры"} <= set(xlsx.sheet_names)  # readable sheet names (issue #20)


@pytest.mark.reliability("R57")
def test_rerun_does_nothing_and_force_rebuilds(first_run, workspace, fixture_store):
    _, out = first_run
    pdf = out / "2026-10" / "sales_analysis" / "team.pdf"
    before = pdf.stat().st_mtime_ns
    env = {"CRMREPORTS_NOTEBOOKS": str(workspace / "notebooks")}
    args = ("pack", "--period", "2026-10", "--pack", str(workspace / "pack.yaml"), "--out", str(out))
    r = crm(*args, store_path=fixture_store, env=env)
    assert "0 built, 5 up to date, 1 failed" in r.stdout, r.stdout + r.stderr
    assert pdf.stat().st_mtime_ns == before
    r = crm(*args, "--force", store_path=fixture_store, env=env)
    assert "5 built, 0 up to date, 1 failed" in r.stdout
    assert pdf.stat().st_mtime_ns != before


@pytest.mark.reliability("R59")
def test_no_token_in_any_output(first_run):
    _, out = first_run
    files = [p for p in out.rglob("*") if p.is_file()]
    assert len(files) > 20
    assert reliability.scan(files, [TOKEN]) == []  # counted in the reliability tally


def test_outputs_are_readable_like_any_file_the_user_creates(first_run):
    # mkstemp makes 0600 files; a web server or a colleague could not read the reports
    _, out = first_run
    mask = os.umask(0o022)
    os.umask(mask)
    files = [p for p in out.rglob("*") if p.is_file()]
    assert {p.suffix for p in files} >= {".html", ".pdf", ".json", ".xlsx", ".ipynb", ".csv"}
    assert any(p.name.endswith(".error.ipynb") for p in files)
    for p in files:
        assert p.stat().st_mode & 0o777 == 0o666 & ~mask, (p, oct(p.stat().st_mode))


@pytest.mark.parametrize(
    "content,message",
    [
        (
            "reports: [sales_analysis]\nscopes: [everyone]\n",
            "unknown scopes ['everyone']; valid: team, groups, managers",
        ),
        ("reports: [nope]\n", "unknown report 'nope'"),
        ("reports: [sales_analysis]\ncolour: red\n", "unknown keys ['colour']"),
        ("reports: [sales_analysis]\nformats: [docx]\n", "valid: html, pdf"),
        ("reports: [sales_analysis\n", "not valid YAML"),
        ("reports: []\n", "non-empty list"),
    ],
)
@pytest.mark.reliability("R48")
def test_bad_pack_definition(tmp_path, fixture_store, content, message):
    f = tmp_path / "bad.yaml"
    f.write_text(content)
    with pytest.raises(ParameterError, match=None) as exc:
        load_pack(str(f))
    assert message in str(exc.value) and str(f) in str(exc.value) or message in str(exc.value)
    r = crm("pack", "--period", "2026-10", "--pack", str(f), "--out", str(tmp_path / "o"), store_path=fixture_store)
    assert r.returncode == 2 and message in r.stderr


def test_unknown_pack_lists_packs(fixture_store, tmp_path):
    r = crm("pack", "--period", "2026-10", "--pack", "nosuch", "--out", str(tmp_path), store_path=fixture_store)
    assert r.returncode == 2 and "monthly" in r.stderr


def test_unknown_parameters_are_refused():
    with pytest.raises(ParameterError, match="no parameter.*colour.*valid: lang, manager, period, pipeline, store"):
        check_parameters("sales_analysis", {"period": "2026-10", "colour": "red"})


@pytest.mark.reliability("R47")
def test_hostile_manager_names_stay_inside_the_output_folder(tmp_path):
    tables = fixtures.tables()
    tables["users"] = tables["users"].assign(
        name=["../../etc/passwd", "Анна/..\\Иванова"], group_name=["../grp", "../grp"]
    )
    path = store.write_full(tmp_path / "hostile.duckdb", tables)
    out = tmp_path / "out"
    jobs = build_jobs(
        "2026-10", ["sales_analysis"], ["team", "groups", "managers"], str(path), "ru", str(out), ("html",)
    )
    scopes = sorted(j.scope for j in jobs)
    assert scopes == ["anna-ivanova", "etc-passwd", "group-grp", "team"]
    r = crm("pack", "--period", "2026-10", "--pack", str(_pack(tmp_path)), "--out", str(out), store_path=path)
    assert r.returncode == 0, r.stdout + r.stderr
    for p in out.rglob("*"):
        assert out.resolve() in p.resolve().parents
    doc = json.loads((out / "2026-10" / "sales_analysis" / "group-grp.json").read_text(encoding="utf-8"))
    assert doc["figures"]["revenue"] == 600  # the group holds both managers: the whole fixture


def _pack(tmp_path):
    f = tmp_path / "p.yaml"
    f.write_text("reports: [sales_analysis]\nscopes: [team, groups, managers]\nformats: [html]\n")
    return f


@pytest.mark.parametrize("value", ["-1", "soon", "inf", "nan"])
def test_bad_cell_timeout_is_refused(fixture_store, tmp_path, value):
    r = crm("pack", "--period", "2026-10", "--cell-timeout", value, "--out", str(tmp_path), store_path=fixture_store)
    assert r.returncode == 2 and "--cell-timeout" in r.stderr and "number of seconds" in r.stderr, r.stderr
