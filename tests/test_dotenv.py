"""The CLI loads the git-ignored .env (working directory, then project root) without overriding the environment."""

import logging
import os

import pytest

from crmreports.cli import app

SECRET = "s3cr3t-value-never-logged"


@pytest.fixture
def env_dir(tmp_path, monkeypatch):
    monkeypatch.delenv("CRMREPORTS_DOTENV")  # conftest turns the .env files off for the other tests
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(app, "PROJECT_ROOT", tmp_path / "no-project")  # only the working directory's .env
    for name in ("CRMREPORTS_STORE", "AMOCRM_ACCESS_TOKEN", "AMOCRM_CLIENT_ID", "AMOCRM_CLIENT_SECRET"):
        monkeypatch.delenv(name, raising=False)
    yield tmp_path
    for name in ("CRMREPORTS_STORE", "AMOCRM_ACCESS_TOKEN", "AMOCRM_CLIENT_ID", "AMOCRM_CLIENT_SECRET"):
        os.environ.pop(name, None)  # set by the code under test, not by monkeypatch


def test_env_file_in_the_working_directory_is_honoured(env_dir):
    (env_dir / ".env").write_text(
        f"CRMREPORTS_STORE={env_dir / 'from-dotenv.duckdb'}\nAMOCRM_ACCESS_TOKEN={SECRET}\nAMOCRM_CLIENT_ID=\n"
    )
    app.load_env_files()
    assert os.environ["CRMREPORTS_STORE"] == str(env_dir / "from-dotenv.duckdb")
    assert os.environ["AMOCRM_ACCESS_TOKEN"] == SECRET
    assert "AMOCRM_CLIENT_ID" not in os.environ  # a blank is not a value
    assert app.build_parser().parse_args(["demo"]).store == str(env_dir / "from-dotenv.duckdb")


def test_a_variable_already_set_wins(env_dir, monkeypatch):
    (env_dir / ".env").write_text("CRMREPORTS_STORE=from-dotenv.duckdb\nAMOCRM_ACCESS_TOKEN=from-dotenv\n")
    monkeypatch.setenv("CRMREPORTS_STORE", "from-environment.duckdb")
    monkeypatch.setenv("AMOCRM_ACCESS_TOKEN", "from-environment")
    loaded = app.load_env_files()
    assert os.environ["CRMREPORTS_STORE"] == "from-environment.duckdb"
    assert os.environ["AMOCRM_ACCESS_TOKEN"] == "from-environment"
    assert loaded == [(env_dir / ".env", [])]


def test_working_directory_before_project_root(env_dir, monkeypatch):
    root = env_dir / "project"
    root.mkdir()
    (root / "pyproject.toml").write_text("")
    (root / ".env").write_text("CRMREPORTS_STORE=root.duckdb\nAMOCRM_CLIENT_ID=root-id\n")
    (env_dir / ".env").write_text("CRMREPORTS_STORE=cwd.duckdb\n")
    monkeypatch.setattr(app, "PROJECT_ROOT", root)
    app.load_env_files()
    assert os.environ["CRMREPORTS_STORE"] == "cwd.duckdb"
    assert os.environ["AMOCRM_CLIENT_ID"] == "root-id"


def test_no_value_is_logged(env_dir, caplog, capsys):
    (env_dir / ".env").write_text(f"AMOCRM_ACCESS_TOKEN={SECRET}\nAMOCRM_CLIENT_SECRET={SECRET}-2\n")
    caplog.set_level(logging.DEBUG)
    app.main(["-vv", "--store", str(env_dir / "none.duckdb"), "run", "sales_analysis", "--period", "2026-10"])
    out = capsys.readouterr()
    assert "crmreports demo" in out.err  # the command ran (and failed: no store)
    assert "AMOCRM_ACCESS_TOKEN" in caplog.text  # the name, for debugging
    assert SECRET not in caplog.text + out.out + out.err


def test_turned_off(env_dir, monkeypatch):
    (env_dir / ".env").write_text("CRMREPORTS_STORE=from-dotenv.duckdb\n")
    monkeypatch.setenv("CRMREPORTS_DOTENV", "0")
    assert app.load_env_files() == []
    assert "CRMREPORTS_STORE" not in os.environ
