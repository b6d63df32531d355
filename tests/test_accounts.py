"""Client accounts (params/accounts.yaml) and the global --account option."""

import pytest

from crmreports import cli
from crmreports.core.scopes import ParameterError
from crmreports.sources.accounts import get_account, load_accounts

FILE = """accounts:
  "ООО Ромашка":
    store: {store}
    token_env: ROMASHKA_TOKEN
    delivery: params/delivery-romashka.yaml
  Техно:
    store: data/techno.duckdb
    out: reports/techno-out
"""


@pytest.fixture
def accounts_file(tmp_path, monkeypatch, fixture_store):
    (tmp_path / "params").mkdir()
    (tmp_path / "params" / "accounts.yaml").write_text(FILE.format(store=fixture_store), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path / "params" / "accounts.yaml"


def test_accounts_are_read_with_their_defaults(accounts_file):
    accounts = load_accounts()
    assert list(accounts) == ["ООО Ромашка", "Техно"]
    romashka = get_account("ооо ромашка")
    assert (romashka.token_env, romashka.slug, romashka.out) == ("ROMASHKA_TOKEN", "ooo-romashka", "")
    with pytest.raises(ParameterError, match="unknown account 'Лютик'; valid: ООО Ромашка, Техно"):
        get_account("Лютик")


@pytest.mark.parametrize(
    "text, message",
    [
        ("accounts:\n  A:\n    out: x\n", "account 'A': 'store' is required"),
        ("accounts:\n  A:\n    store: a.duckdb\n    token: abc\n", "unknown key\\(s\\) token; valid: store"),
        ("accounts:\n  A:\n    store: a.duckdb\n    token_env: 'abc-123:xyz'\n", "must name an environment variable"),
        ("accounts: [1, 2]\n", "expected 'accounts:'"),
    ],
)
def test_a_bad_accounts_file_names_the_account_and_the_key(tmp_path, text, message):
    path = tmp_path / "accounts.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ParameterError, match=message):
        load_accounts(path)


def test_global_account_points_a_command_at_its_store_and_folders(accounts_file, monkeypatch, capsys):
    monkeypatch.setenv("ROMASHKA_TOKEN", "secret-token-of-romashka")
    monkeypatch.delenv("AMOCRM_ACCESS_TOKEN", raising=False)
    seen = {}

    def fake_run(args):
        seen.update(store=args.store, out=args.out, delivery=args.delivery)
        return 0

    from crmreports.cli.commands import monthly

    monkeypatch.setattr(monthly, "run", fake_run)
    assert cli.main(["--account", "ООО Ромашка", "monthly"]) == 0
    assert seen["out"] == "reports/ooo-romashka" and seen["delivery"] == "params/delivery-romashka.yaml"
    assert seen["store"].endswith("crm.duckdb")
    import os

    assert os.environ["AMOCRM_ACCESS_TOKEN"] == "secret-token-of-romashka"
    assert cli.main(["--account", "ООО Ромашка", "--store", "x.duckdb", "monthly"]) == 2
    assert "not both" in capsys.readouterr().err
    assert cli.main(["--account", "Лютик", "monthly"]) == 2
    assert "valid: ООО Ромашка, Техно" in capsys.readouterr().err


@pytest.mark.parametrize(
    "text, message",
    [
        ("accounts:\n  A:\n    store: a.duckdb\n    timezone: Mars/Olympus\n", "unknown timezone 'Mars/Olympus'"),
        ("accounts:\n  A:\n    store: a.duckdb\n    currency: RUBL\n", "bad currency 'RUBL'"),
        ("accounts:\n  A:\n    store: a.duckdb\n    demo: third\n", "unknown demo 'third'; valid: main, second"),
    ],
)
def test_timezone_currency_and_demo_are_checked(tmp_path, text, message):
    path = tmp_path / "accounts.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ParameterError, match=message):
        load_accounts(path)


def test_an_accounts_timezone_currency_and_name_go_to_import_and_its_demo_to_demo(tmp_path, monkeypatch):
    (tmp_path / "params").mkdir()
    (tmp_path / "params" / "accounts.yaml").write_text(
        "accounts:\n  УралСнаб:\n    store: data/ural.duckdb\n    timezone: Asia/Yekaterinburg\n"
        "    currency: kzt\n    demo: second\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    seen = {}
    from crmreports.cli.commands import demo, imports

    monkeypatch.setattr(imports, "run", lambda args: seen.update(imp=(args.timezone, args.currency, args.name)))
    monkeypatch.setattr(demo, "run", lambda args: seen.update(demo=(args.variant, args.store)))
    assert cli.main(["--account", "УралСнаб", "import", "x.csv", "--format", "amocrm"]) == 0
    assert seen["imp"] == ("Asia/Yekaterinburg", "KZT", "УралСнаб")
    assert cli.main(["--account", "УралСнаб", "import", "x.csv", "--format", "amocrm", "--currency", "USD"]) == 0
    assert seen["imp"] == ("Asia/Yekaterinburg", "USD", "УралСнаб")  # the command line wins
    assert cli.main(["--account", "УралСнаб", "demo"]) == 0
    assert seen["demo"] == ("second", "data/ural.duckdb")
