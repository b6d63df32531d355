"""A newcomer's first hour (issue #20): global options after the verb, "did you mean", help that lists the reports
and the group scope, a notebook's default store found from any folder, and Russian sentences right for any number."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from crmreports import cli
from crmreports.cli import app
from crmreports.core import fmt
from crmreports.core.labels import t
from crmreports.present.context import validate
from crmreports.store import StoreError, files

ROOT = Path(__file__).resolve().parents[1]


def parse(*argv):
    return app.build_parser().parse_args(list(argv))


# ---- global options before or after the verb --------------------------------------------------------------


@pytest.mark.parametrize(
    "argv, expected",
    [
        (["run", "calls"], ("ru", 0, files.DEFAULT_STORE, "")),
        (["run", "calls", "--lang", "en"], ("en", 0, files.DEFAULT_STORE, "")),
        (["--lang", "en", "run", "calls"], ("en", 0, files.DEFAULT_STORE, "")),
        (["--lang", "ru", "run", "calls", "--lang", "en"], ("en", 0, files.DEFAULT_STORE, "")),  # after wins
        (["--lang", "en", "run", "calls", "--lang=ru"], ("ru", 0, files.DEFAULT_STORE, "")),
        (["run", "calls", "--store", "a.duckdb", "-vv"], ("ru", 2, "a.duckdb", "")),
        (["--store", "a.duckdb", "-v", "pack", "--store", "b.duckdb"], ("ru", 1, "b.duckdb", "")),
        (["demo", "--account", "Техно"], ("ru", 0, files.DEFAULT_STORE, "Техно")),
        (["--account", "A", "sync", "--account", "B"], ("ru", 0, files.DEFAULT_STORE, "B")),
    ],
)
@pytest.mark.reliability("R27")
def test_global_options_work_after_the_verb_and_win_there(argv, expected, monkeypatch):
    monkeypatch.delenv("CRMREPORTS_STORE", raising=False)
    args = parse(*argv)
    assert (args.lang, args.verbose, args.store, args.account) == expected


@pytest.mark.reliability("R27")
def test_every_command_takes_the_global_options():
    parser = app.build_parser()
    commands = next(a for a in parser._actions if a.dest == "command").choices
    for name, command in commands.items():
        help_text = command.format_help()
        for option in ("--store", "--account", "--lang", "--verbose"):
            assert option in help_text, (name, option)
        assert "the one here wins" in help_text
    assert "the one after COMMAND wins" in parser.format_help()


def test_store_after_the_verb_reaches_the_command(tmp_path, capsys):
    missing = tmp_path / "after-the-verb.duckdb"
    assert cli.main(["run", "sales_analysis", "--period", "2026-10", "--store", str(missing)]) == 2
    assert str(missing) in capsys.readouterr().err


def test_lang_after_the_verb_reaches_the_command(fixture_store, monkeypatch):
    seen = {}
    from crmreports.cli.commands import run

    monkeypatch.setattr(run, "run", lambda args: seen.update(lang=args.lang, store=args.store) or 0)
    argv = ["run", "sales_analysis", "--period", "2026-11", "--lang", "en", "--store", str(fixture_store)]
    assert cli.main(argv) == 0
    assert seen == {"lang": "en", "store": str(fixture_store)}


@pytest.fixture
def accounts_file(tmp_path, monkeypatch, fixture_store):
    (tmp_path / "params").mkdir()
    (tmp_path / "params" / "accounts.yaml").write_text(
        f'accounts:\n  "ООО Ромашка":\n    store: {fixture_store}\n    token_env: ROMASHKA_TOKEN\n', encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)


def test_account_after_the_verb_behaves_as_before_it(accounts_file, fixture_store, monkeypatch, capsys):
    monkeypatch.setenv("ROMASHKA_TOKEN", "secret-token-of-romashka")
    monkeypatch.delenv("AMOCRM_ACCESS_TOKEN", raising=False)
    seen = {}
    from crmreports.cli.commands import monthly

    monkeypatch.setattr(monthly, "run", lambda args: seen.update(store=args.store, out=args.out) or 0)
    assert cli.main(["monthly", "--account", "ООО Ромашка"]) == 0
    assert seen == {"store": str(fixture_store), "out": "reports/ooo-romashka"}
    assert os.environ["AMOCRM_ACCESS_TOKEN"] == "secret-token-of-romashka"
    assert cli.main(["--account", "ООО Ромашка", "monthly", "--store", "x.duckdb"]) == 2
    assert "not both" in capsys.readouterr().err


# ---- help and "did you mean" ----------------------------------------------------------------------------------


@pytest.mark.reliability("R34")
def test_main_help_and_run_help_list_the_reports_and_the_group_scope():
    from crmreports import reports

    for argv in (["--help"], ["run", "--help"]):
        r = subprocess.run([sys.executable, "-m", "crmreports", *argv], capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stderr
        for name in reports.names():
            assert name in r.stdout
        assert "Анализ продаж" in r.stdout and 'group:Отдел продаж 1"' in r.stdout
        assert "2026-Q3" in r.stdout


@pytest.mark.parametrize(
    "argv, suggestion",
    [
        (["rnu", "calls"], "did you mean run?"),
        (["pakc"], "did you mean pack?"),
        (["--lang", "eng", "demo"], "did you mean en?"),
        (["run", "calls", "--lang", "eng"], "did you mean en?"),
    ],
)
@pytest.mark.reliability("R34")
def test_a_mistyped_choice_gets_did_you_mean(argv, suggestion, capsys):
    with pytest.raises(SystemExit) as exit_:
        parse(*argv)
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert suggestion in err and "invalid choice" in err


def test_nothing_close_gets_no_suggestion(capsys):
    with pytest.raises(SystemExit):
        parse("zzzzzz")
    err = capsys.readouterr().err
    assert "invalid choice: 'zzzzzz'" in err and "did you mean" not in err


@pytest.mark.reliability("R34")
def test_a_mistyped_report_gets_did_you_mean(fixture_store, capsys):
    assert cli.main(["run", "sales_analisys", "--store", str(fixture_store)]) == 2
    err = capsys.readouterr().err
    assert "unknown report 'sales_analisys'" in err and "did you mean sales_analysis?" in err


# ---- the notebook's default store, from any folder ---------------------------------------------------------


@pytest.fixture
def project(tmp_path, monkeypatch, fixture_store):
    """A project root of its own (pyproject.toml, data/crm.duckdb) and a working directory far from it."""
    root = tmp_path / "project"
    (root / "data").mkdir(parents=True)
    (root / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    shutil.copy(fixture_store, root / "data" / "crm.duckdb")
    elsewhere = tmp_path / "a" / "b" / "c" / "d" / "elsewhere"
    elsewhere.mkdir(parents=True)
    monkeypatch.setattr(files, "PROJECT_ROOT", root)
    monkeypatch.chdir(elsewhere)
    monkeypatch.delenv("CRMREPORTS_STORE", raising=False)
    return root


@pytest.mark.reliability("R29")
def test_the_default_store_is_found_in_the_project_root_from_another_folder(project):
    assert files.resolve_path("data/crm.duckdb") == project / "data" / "crm.duckdb"
    period, scope, _, _ = validate("data/crm.duckdb", "2026-10")
    assert (period.key, scope.slug) == ("2026-10", "team")


def test_crmreports_store_overrides_the_notebooks_default(project, fixture_store, monkeypatch):
    monkeypatch.setenv("CRMREPORTS_STORE", str(fixture_store))
    assert files.resolve_path("data/crm.duckdb") == fixture_store
    assert files.resolve_path(None) == fixture_store
    assert files.resolve_path(str(project / "data" / "crm.duckdb")) == project / "data" / "crm.duckdb"  # explicit


@pytest.mark.reliability("R29")
def test_a_missing_store_names_the_paths_tried_and_the_parameter(project):
    (project / "data" / "crm.duckdb").unlink()
    with pytest.raises(StoreError) as err:
        validate("data/crm.duckdb", "2026-10")
    message = str(err.value)
    assert str(Path.cwd() / "data" / "crm.duckdb") in message
    assert str(project / "data" / "crm.duckdb") in message
    assert "`store` parameter" in message and "CRMREPORTS_STORE" in message and "crmreports demo" in message


@pytest.mark.slow
@pytest.mark.reliability("R29")
def test_papermill_from_another_folder_with_the_default_store(fixture_store, tmp_path):
    """The notebook as shipped (store = "data/crm.duckdb"), run by papermill from a folder outside the project."""
    env = {**os.environ, "CRMREPORTS_STORE": str(fixture_store)}
    out = tmp_path / "out.ipynb"
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "papermill",
            str(ROOT / "notebooks" / "sales_analysis.ipynb"),
            str(out),
            "-p",
            "period",
            "2026-10",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr[-2000:]
    outputs = [o for c in json.loads(out.read_text())["cells"] for o in c.get("outputs", [])]
    assert outputs and not [o for o in outputs if o.get("output_type") == "error"]


@pytest.mark.slow
@pytest.mark.reliability("R27")
def test_run_with_lang_after_the_verb_builds_an_english_report(fixture_store, tmp_path):
    r = subprocess.run(
        [sys.executable, "-m", "crmreports", "run", "sales_analysis", "--period", "2026-10", "--format", "html"]
        + ["--out", str(tmp_path), "--store", str(fixture_store), "--lang", "en"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr[-2000:]
    json_path = next(line.split(": ", 1)[1] for line in r.stdout.splitlines() if line.startswith("json: "))
    assert json.loads(Path(json_path).read_text())["lang"] == "en"


# ---- Russian sentences right for every number ---------------------------------------------------------------

NUMBERS = (1, 2, 5, 21, 93, 1027)
DEAL = {1: "1 сделка", 2: "2 сделки", 5: "5 сделок", 21: "21 сделка", 93: "93 сделки", 1027: "1 027 сделок"}
OPEN_DEAL = {
    1: "1 открытая сделка",
    2: "2 открытые сделки",
    5: "5 открытых сделок",
    21: "21 открытая сделка",
    93: "93 открытые сделки",
    1027: "1 027 открытых сделок",
}


def _plain(text: str) -> str:
    return text.replace(fmt.NBSP, " ").replace("\u202f", " ")


@pytest.mark.parametrize("n", NUMBERS)
@pytest.mark.reliability("R32")
def test_created_deals_sentence_is_grammatical_for_any_number(n):
    from crmreports.reports import sales_analysis  # noqa: F401  (registers the labels)

    text = _plain(
        t(
            "sales.kpi.sentence_conv",
            "ru",
            created=fmt.count(n, "deal", "ru"),
            won_cohort="1",
            conv="10 %",
            win_rate="20 %",
        )
    )
    assert f"Создано в периоде: {DEAL[n]};" in text
    assert "Из " not in text  # «Из 93 сделки» was the bug: «из» needs the genitive


@pytest.mark.parametrize("n", NUMBERS)
@pytest.mark.reliability("R32")
def test_open_deals_sentence_does_not_repeat_open(n):
    from crmreports.reports import forecast  # noqa: F401

    text = _plain(
        t("forecast.pipe.sentence", "ru", n=fmt.count(n, "open_deal", "ru"), amount="1", weighted="1", expected="1")
    )
    assert f"В воронке сейчас {OPEN_DEAL[n]} на 1;" in text
    assert text.lower().count("откры") == 1  # «открыто 1 027 открытых сделок» was the bug


@pytest.mark.parametrize("n", NUMBERS)
def test_missed_calls_sentences_need_no_noun_after_the_number(n):
    from crmreports.reports import calls  # noqa: F401

    missed = _plain(t("calls.missed.sentence", "ru", missed="3", calls_in=fmt.number(n, "ru"), share="5 %"))
    assert missed == f"Пропущено входящих звонков: 3 из {_plain(fmt.number(n, 'ru'))} — 5 %."
    back = _plain(t("calls.missed.not_called_back", "ru", hours=24, n="3", decided=fmt.number(n, "ru"), share="5 %"))
    of = _plain(fmt.number(n, "ru"))
    assert back.startswith(f"Пропущенные, по которым не перезвонили в течение 24 ч: 3 из {of} —")


# ---- the index page on a phone ----------------------------------------------------------------------------------


def _index_like_page(css: str) -> str:
    """The index page's markup (a head with the viewport, one report's table: scope, three figures, links)."""
    links = (
        '<a href="a.html">HTML</a> <a href="a.pdf">PDF</a> <span class=\'data\'><a href="a.xlsx">XLSX</a> '
        '<a href="a.json">JSON</a> <a href="a.ipynb">IPYNB</a></span>'
    )
    row = (
        "<tr class='manager'><td>Константин Константинопольский</td><td class='num'>30 910 000 ₽</td>"
        f"<td class='num'>1 251</td><td class='num'>24,5 %</td><td class='links'>{links}</td></tr>"
    )
    return (
        '<!DOCTYPE html><html lang="ru"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<style>{css}</style></head><body><h1>Отчёты за ноябрь 2026</h1>"
        "<p class='meta'>Аккаунт: ТехноСнаб · Сформирован: 05.12.2026 17:40 · документов: 70 из 70</p>"
        "<nav><a href='#'>Анализ продаж</a> <a href='#'>Неразобранное</a> <a href='#'>Прогноз продаж</a></nav>"
        "<section><h2>Анализ продаж</h2><table><tr><th>Охват</th><th class='num'>Выручка</th>"
        "<th class='num'>Успешные сделки</th><th class='num'>Доля выигранных</th><th>Документы</th></tr>"
        f"{row * 5}</table></section></body></html>"
    )


@pytest.mark.slow
@pytest.mark.reliability("R35")
def test_the_index_page_fits_a_390px_phone(tmp_path):
    """Rendered by headless Chromium in a 390 px wide frame (a window cannot be narrower than 500 px)."""
    import html as html_

    from crmreports.batch.index import CSS

    browser = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if not browser:
        pytest.skip("no Chromium (apt-get install -y chromium)")
    page = _index_like_page(CSS)
    outer = tmp_path / "phone.html"
    outer.write_text(
        "<html><body style='margin:0'><iframe id=f style='width:390px;height:844px;border:0' "
        f'srcdoc="{html_.escape(page, quote=True)}"></iframe><script>'
        "document.getElementById('f').onload=function(){var d=this.contentDocument.documentElement;"
        "document.title='W='+d.scrollWidth+';V='+this.contentWindow.innerWidth};</script></body></html>",
        encoding="utf-8",
    )
    args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
    args += ["--window-size=390,844", "--virtual-time-budget=5000", "--dump-dom", outer.as_uri()]
    r = subprocess.run([browser, *args], capture_output=True, text=True, timeout=120)
    import re

    found = re.search(r"<title>W=(\d+);V=(\d+)</title>", r.stdout)
    assert found, r.stdout[-500:]
    width, viewport = int(found.group(1)), int(found.group(2))
    assert viewport == 390 and width <= viewport, (width, viewport)


# ---- the notebooks' narrative and the README --------------------------------------------------------------------


@pytest.mark.parametrize("path", sorted((ROOT / "notebooks").glob("*.py")), ids=lambda p: p.stem)
@pytest.mark.reliability("R35")
def test_notebook_headings_are_bilingual(path):
    import re

    import jupytext

    headings = [
        line
        for cell in jupytext.read(path).cells
        if cell.cell_type == "markdown"
        for line in cell.source.splitlines()
        if line.startswith("#")
    ]
    assert len(headings) >= 4  # the summary is a two-page report with four headings
    for heading in headings:
        assert re.search("[а-яё]", heading, re.I) and re.search("[a-z]", heading, re.I), heading


@pytest.mark.reliability("R36")
def test_readme_links_stay_in_the_repository():
    import re

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"[a-z]+://", target):
            continue
        resolved = (ROOT / target.split("#")[0]).resolve()
        assert resolved.is_relative_to(ROOT) and resolved.exists(), target
    assert not re.search(r"(?<![\w.])(/work|/tmp|/home|\.\./)", text)
    assert "--allow-root" in text and "make demo" in text and " MB" in text
