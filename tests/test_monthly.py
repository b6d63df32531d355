"""`crmreports monthly` end to end through the real CLI in a subprocess: a real pack built from the hand-built
fixture store (notebooks run, PDFs printed), the archive, an alert, and delivery to a real SMTP server (aiosmtpd)
and a stand-in Telegram Bot API on loopback. A second run sends nothing; --dry-run sends nothing; --print-cron."""

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from test_delivery import ADMIN_CHAT, PASSWORD, TOKEN, _env, bot, smtp  # noqa: F401  (fixtures)

ROOT = Path(__file__).resolve().parents[1]
# the test server takes AUTH without TLS (loopback only): aiosmtpd warns about it each time
pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")]

# The fixture store (tests/fixtures.py): users a@example.org and b@example.org (managers Анна and Борис of
# «Отдел 1»); the head of sales and the admin are outside the CRM.
HEAD = "head@example.org"
ADMIN = "admin@example.org"


@pytest.fixture(scope="module")
def workspace(tmp_path_factory, fixture_store):
    ws = tmp_path_factory.mktemp("monthly")
    (ws / "pack.yaml").write_text(
        "reports: [sales_analysis, calls]\nscopes: [team, managers]\nformats: [html, pdf]\n", encoding="utf-8"
    )
    (ws / "delivery.yaml").write_text(
        f"head_of_sales: [{HEAD}]\nadmin: {ADMIN}\ntelegram:\n  admin: {ADMIN_CHAT}\n", encoding="utf-8"
    )
    # fires for the team when the period's revenue is at or above 1 rouble (the fixture's October has revenue)
    (ws / "alerts.yaml").write_text(
        "rules:\n  - id: any_revenue\n    title: {ru: Выручка, en: Revenue}\n    report: sales_analysis\n"
        "    figure: revenue\n    above: 1\n    section: kpis\n",
        encoding="utf-8",
    )
    store = ws / "crm.duckdb"
    store.write_bytes(Path(fixture_store).read_bytes())
    return ws


def monthly(ws: Path, env: dict, *extra: str) -> subprocess.CompletedProcess:
    e = {k: v for k, v in os.environ.items() if not k.startswith(("SMTP_", "TELEGRAM_"))}
    e.update(env, CRMREPORTS_DOTENV="0")
    cmd = [
        sys.executable,
        "-m",
        "crmreports",
        "--store",
        str(ws / "crm.duckdb"),
        "monthly",
        "--period",
        "2026-10",
        "--pack",
        str(ws / "pack.yaml"),
        "--out",
        str(ws / "reports"),
        "--jobs",
        "2",
        "--delivery",
        str(ws / "delivery.yaml"),
        "--alerts",
        str(ws / "alerts.yaml"),
        *extra,
    ]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=900, env=e, cwd=ROOT)


def test_monthly_builds_archives_alerts_and_delivers_once(workspace, smtp, bot):  # noqa: F811
    env = _env(smtp.port, bot)
    dry = monthly(workspace, env, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "sync: skipped" in dry.stdout
    assert smtp.messages() == [] and bot.requests == []  # the dry run sends nothing

    first = monthly(workspace, env)
    assert first.returncode == 0, first.stdout + first.stderr
    lines = first.stdout.splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "sync",
        "pack",
        "archive",
        "alerts",
        "delivery",
        "alerts delivery",
    ]
    by = smtp.by_address()
    assert set(by) == {HEAD, "a@example.org", "b@example.org"}
    # the head: the team's documents and both managers'; each manager: one message with their own combined PDF
    # the head: the pack and the team's alert; each manager: their own pack only (the alert is on the team)
    assert {a: len(msgs) for a, msgs in by.items()} == {HEAD: 2, "a@example.org": 1, "b@example.org": 1}
    for address in ("a@example.org", "b@example.org"):
        (message,) = by[address]
        pdfs = [p.get_filename() for p in message.iter_attachments() if p.get_content_type() == "application/pdf"]
        assert len(pdfs) == 1, pdfs  # one combined PDF of their two reports
    alert = next(m for m in by[HEAD] if not list(m.iter_attachments()))
    assert "2026-10/sales_analysis/team.html#kpis" in alert.get_content()
    reports = workspace / "reports"
    assert (reports / "index.html").exists() and (reports / "2026-10" / "changes.html").exists()
    assert "changes.html" in (reports / "2026-10" / "index.html").read_text(encoding="utf-8")
    con = duckdb.connect(str(workspace / "crm.duckdb"), read_only=True)
    try:
        sent = con.execute("SELECT count(*) FROM delivery_log WHERE status = 'sent'").fetchone()[0]
    finally:
        con.close()
    assert sent == len(smtp.received)

    again = monthly(workspace, env)  # nothing new to send
    assert again.returncode == 0, again.stderr
    assert len(smtp.received) == sent
    for secret in (PASSWORD, TOKEN):
        assert secret not in first.stdout + first.stderr + again.stdout + again.stderr


def test_unreachable_smtp_fails_the_run_naming_the_server(workspace, bot):  # noqa: F811
    env = _env(1, bot)  # port 1: nothing listens there
    r = monthly(workspace, env, "--resend")
    assert r.returncode == 1
    assert "127.0.0.1:1" in r.stderr and "FAILED" in r.stderr
    assert PASSWORD not in r.stdout + r.stderr and TOKEN not in r.stdout + r.stderr
    assert any(req["chat_id"] == str(ADMIN_CHAT) for req in bot.requests)  # the admin was told


def test_print_cron_names_the_store_and_the_schedule(workspace):
    r = monthly(workspace, {}, "--print-cron")
    assert r.returncode == 0
    assert "0 7 1 * *" in r.stdout and "OnCalendar=*-*-01 07:00:00" in r.stdout
    assert str(workspace / "crm.duckdb") in r.stdout
