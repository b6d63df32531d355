"""The demo's planted audit findings and the second demo account: the audit finds exactly the planted count more
than on the same dump unplanted (sources/demo_audit.py documents the counts), and two accounts never mix."""

import copy
import datetime as dt

import pandas as pd
import pytest

from crmreports import cli, store
from crmreports.core.periods import resolve
from crmreports.reports.audit import metrics
from crmreports.reports.audit import sections as report
from crmreports.reports.audit.query import load_audit
from crmreports.sources import demo, demo_audit, mapping

AS_OF = dt.date(2026, 11, 1)
PERIOD = resolve("2026-10")


def _findings(dump, path):
    synced = dt.datetime.fromtimestamp(demo.moscow_midnight(AS_OF), tz=dt.UTC)
    store.write_full(path, mapping.dump_to_tables(dump, synced_at=synced, source="demo"))
    data = load_audit(path, PERIOD)
    as_of = store.data_end(data.account)
    return metrics.findings(data, PERIOD, min(PERIOD.end_ts, as_of), as_of)


def test_the_demo_plants_each_finding_with_its_documented_count(tmp_path):
    dump = demo.generate(seed=7, as_of=AS_OF, n_deals=2000)
    planted = copy.deepcopy(dump)
    assert demo_audit.plant(planted, AS_OF) == demo_audit.PLANTED  # every planned case found a candidate
    plain, found = _findings(dump, tmp_path / "plain.duckdb"), _findings(planted, tmp_path / "planted.duckdb")
    for key in metrics.FINDINGS:
        assert found[key].count - plain[key].count == demo_audit.PLANTED.get(key, 0), key
    # the data-quality findings the generator never makes: exactly the planted count
    for key in ("won_no_amount", "lost_no_reason", "no_source", "no_contact", "dup_contacts", "unused_stages"):
        assert (plain[key].count, found[key].count) == (0, demo_audit.PLANTED[key]), key
    assert found["idle_managers"].records["manager"].tolist() == ["Сергей Морозов"]
    assert found["unused_stages"].records["name"].tolist() == [demo_audit.UNUSED_STAGE[0]]
    assert found["skipped_stages"].records["name"].tolist() == [demo_audit.SKIPPED_STAGE]


@pytest.fixture(scope="module")
def two_accounts(tmp_path_factory, demo_store):
    folder = tmp_path_factory.mktemp("two")
    second = folder / "second.duckdb"
    demo_audit.load_second(second, as_of=AS_OF)
    return demo_store, second


def test_the_second_account_has_its_own_timezone_currency_and_ids(two_accounts):
    first, second = two_accounts
    con = store.connect(second)
    try:
        acc = store.read_account(con)
        ids = {t: set(con.execute(f"SELECT id FROM {t}").df()["id"]) for t in ("leads", "users", "contacts")}
    finally:
        con.close()
    assert (acc["name"], acc["timezone"], acc["currency"]) == ("УралСнаб", "Asia/Yekaterinburg", "KZT")
    con = store.connect(first)
    try:
        for table, theirs in ids.items():
            mine = set(con.execute(f"SELECT id FROM {table}").df()["id"])
            assert not mine & theirs, f"{table}: ids shared by the two accounts"
    finally:
        con.close()


def _everything_shown(path) -> tuple[str, set[int], set[str]]:
    """The audit of one account: its HTML, every lead id and manager name of its published tables."""
    ctx = report.open(period="2026-10", store=str(path), lang="ru")
    html = "".join(f(ctx).to_html() for f in (report.summary, report.process, report.speed, report.data_quality))
    leads, managers = set(), set()
    for df in ctx.tables.values():
        if "lead_id" in df:
            leads |= set(pd.to_numeric(df["lead_id"], errors="coerce").dropna().astype("int64"))
        if "manager" in df:
            managers |= set(df["manager"].dropna().astype(str))
    return html, leads, managers


def test_a_report_of_one_account_contains_no_record_of_the_other(two_accounts):
    first, second = two_accounts
    html1, leads1, managers1 = _everything_shown(first)
    html2, leads2, managers2 = _everything_shown(second)
    assert leads1 and leads2 and managers1 and managers2
    assert not leads1 & leads2 and not managers1 & managers2
    for name in managers2:
        assert name not in html1
    for name in managers1:
        assert name not in html2
    assert "KZT" in html2 and "KZT" not in html1 and "₽" in html1 and "₽" not in html2


def test_accounts_lists_both_demo_accounts_with_their_data_time(two_accounts, tmp_path, monkeypatch, capsys):
    first, second = two_accounts
    (tmp_path / "params").mkdir()
    (tmp_path / "params" / "accounts.yaml").write_text(
        f'accounts:\n  "ТехноСнаб (демо)":\n    store: {first}\n    demo: main\n'
        f'  "УралСнаб (демо)":\n    store: {second}\n    demo: second\n    timezone: Asia/Yekaterinburg\n'
        f"    currency: kzt\n    token_env: URALSNAB_TOKEN\n"
        f'  "Новый клиент":\n    store: {tmp_path}/new.duckdb\n',
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("URALSNAB_TOKEN", "secret-value-never-shown")
    assert cli.main(["accounts"]) == 0
    out = capsys.readouterr().out
    lines = {line.split("  ")[0]: line for line in out.splitlines()[1:]}
    # both demo stores end at 2026-11-01 00:00 Moscow time: 00:00 in Moscow, 02:00 in Yekaterinburg
    assert "2026-11-01 00:00 (demo)" in lines["ТехноСнаб (демо)"] and "Europe/Moscow" in lines["ТехноСнаб (демо)"]
    assert "2026-11-01 02:00 (demo)" in lines["УралСнаб (демо)"]
    assert "Asia/Yekaterinburg" in lines["УралСнаб (демо)"] and "KZT" in lines["УралСнаб (демо)"]
    con = store.connect(second)
    try:  # the deals column counts the deals not deleted (3,000 lead records less the declined and duplicates)
        deals = con.execute("SELECT count(*) FROM leads WHERE NOT is_deleted").fetchone()[0]
    finally:
        con.close()
    assert 2500 < deals < 3000 and f"  {deals}  " in lines["УралСнаб (демо)"]
    assert "URALSNAB_TOKEN (set)" in lines["УралСнаб (демо)"]
    assert "no store yet" in lines["Новый клиент"]
    assert "secret-value-never-shown" not in out
