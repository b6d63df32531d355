"""Delivery of a pack by e-mail and Telegram: a real SMTP server (aiosmtpd) and a Bot API stand-in on loopback.

The fake pack is a few ``<period>/<report>/<scope>.json`` with figures and comparisons and tiny PDFs rendered by
WeasyPrint with Cyrillic text; the users are in a tiny DuckDB store.
"""

from __future__ import annotations

import email
import io
import json
import logging
import shutil
import socket
import threading
import zipfile
from email import policy
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from pypdf import PdfReader

from crmreports import store
from crmreports.delivery import channels, messages, recipients
from crmreports.delivery import log as delivery_log
from crmreports.delivery.channels import DeliveryError
from crmreports.delivery.deliver import deliver, notify_failure
from crmreports.delivery.settings import SettingsError, load_settings, parse_settings
from crmreports.sources.standin.telegram import TelegramStandIn

# the test server takes AUTH without TLS (loopback only): aiosmtpd warns about it each time
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")

PERIOD = "2026-11"
PASSWORD = "smtp-pa55-never-shown"
TOKEN = "123456:bot-token-never-shown-abcdefghijklmnop"
SMTP_USER = "robot"

USERS = pd.DataFrame(
    [
        (1, "Анна Смирнова", "a.smirnova@tehnosnab.ru", 11, "Отдел продаж 1", True),
        (2, "Дмитрий Козлов", "d.kozlov@tehnosnab.ru", 11, "Отдел продаж 1", True),
        (3, "Сергей Морозов", "s.morozov@tehnosnab.ru", 11, "Отдел продаж 1", False),
        (4, "Ольга Павлова", "o.pavlova@tehnosnab.ru", 12, "Отдел продаж 2", True),
        (5, "Пётр Орлов", None, 12, "Отдел продаж 2", True),
    ],
    columns=["id", "name", "email", "group_id", "group_name", "is_active"],
)
G1, G2 = "group-otdel-prodazh-1", "group-otdel-prodazh-2"
ANNA, DMITRY, OLGA, PETR = "anna-smirnova", "dmitriy-kozlov", "olga-pavlova", "petr-orlov"
SCOPES = {
    "team": "Вся команда",
    G1: "Отдел продаж 1",
    G2: "Отдел продаж 2",
    ANNA: "Анна Смирнова",
    DMITRY: "Дмитрий Козлов",
    OLGA: "Ольга Павлова",
    PETR: "Пётр Орлов",
}
REPORTS = {"sales_analysis": "Анализ продаж", "calls": "Звонки"}
HEAD = "boss@tehnosnab.ru"
ADMIN = "it@tehnosnab.ru"
HEAD_CHAT, ADMIN_CHAT, ANNA_CHAT = "-100500", "777", "4242"

FIGURES = {
    "sales_analysis": (
        {"revenue": 1_500_000.0, "won_deals": 12, "win_rate": 0.30, "average_check": 125_000.0},
        {"revenue": 1_000_000.0, "won_deals": 10.0, "win_rate": 0.24, "average_check": 125_000.0},
    ),
    "calls": (
        {
            "calls_total": 400,
            "calls_missed": 30,
            "calls_answered_share": 0.8,
            "calls_missed_not_called_back": 7,
            "callback_hours": 24.0,
        },
        {"calls_total": 500.0, "calls_missed": 10.0, "calls_answered_share": 0.9, "calls_missed_not_called_back": 4.0},
    ),
    "summary": ({}, {}),
}


def _pdf_text(title: str, scope_label: str) -> str:
    return (
        "<html><head><meta charset='utf-8'><style>body{font-family:'DejaVu Sans'}</style></head><body>"
        f"<h1>{title}</h1><p>Охват: {scope_label}</p><p>Ноябрь 2026, ТехноСнаб</p></body></html>"
    )


def _write_doc(root: Path, report: str, title: str, scope: str, version: str = "v1") -> None:
    import json

    import weasyprint

    folder = root / PERIOD / report
    folder.mkdir(parents=True, exist_ok=True)
    figures, previous = FIGURES[report]
    doc = {
        "report": report,
        "period": PERIOD,
        "scope": scope,
        "lang": "ru",
        "generated_at": "2026-12-01T06:00:00+00:00",
        # a new version of a document is one built from newer data (v1 from the sync of 30 November)
        "store_synced_at": "2026-11-30T21:00:00" if version == "v1" else f"2026-12-01T06:00:00 ({version})",
        "figures": figures,
        "comparisons": {"previous": previous, "year_ago": {}},
        "findings": [],
        "tables": {},
        "meta": {
            "report": report,
            "title": title,
            "scope_label": SCOPES[scope],
            "currency": "RUB",
            "account": "ТехноСнаб",
        },
        "cache_key": f"{report}-{scope}-{version}",
    }
    (folder / f"{scope}.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    # uncompressed, so that a zip of them is much smaller (the zip fallback is testable)
    weasyprint.HTML(string=_pdf_text(title, SCOPES[scope])).write_pdf(folder / f"{scope}.pdf", uncompressed_pdf=True)


@pytest.fixture(scope="module")
def built_pack(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("pack")
    for report, title in REPORTS.items():
        for scope in SCOPES:
            _write_doc(root, report, title, scope)
    _write_doc(root, "summary", "Сводный отчёт", "team")  # only for the team: it comes first there
    return root


@pytest.fixture
def pack(built_pack, tmp_path) -> Path:
    out = tmp_path / "reports"
    shutil.copytree(built_pack, out)
    return out


@pytest.fixture(scope="module")
def built_store(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("store") / "crm.duckdb"
    account = pd.DataFrame(
        [
            {
                "id": 1,
                "subdomain": "tehnosnab",
                "name": "ТехноСнаб",
                "timezone": "Europe/Moscow",
                "currency": "RUB",
                "synced_at": pd.Timestamp("2026-11-30 21:00"),
                "source": "demo",
            }
        ]
    )
    store.write_full(path, {"account": account, "users": USERS})
    return path


@pytest.fixture
def store_path(built_store, tmp_path) -> Path:
    path = tmp_path / "crm.duckdb"
    shutil.copy(built_store, path)
    return path


# ------------------------------------------------------------------------------------------- servers


class Collector:
    """aiosmtpd handler: keeps every message; ``reject_after``: answers 554 once that many were accepted."""

    def __init__(self):
        self.received: list[tuple[list[str], bytes]] = []
        self.reject_after: int | None = None
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            if self.reject_after is not None and len(self.received) >= self.reject_after:
                return "554 5.7.1 rejected by the test server"
            self.received.append((list(envelope.rcpt_tos), envelope.content))
        return "250 OK"

    def messages(self) -> list[email.message.EmailMessage]:
        with self.lock:
            return [email.message_from_bytes(c, policy=policy.default) for _, c in self.received]

    def by_address(self) -> dict[str, list[email.message.EmailMessage]]:
        out: dict[str, list] = {}
        for (rcpts, _), msg in zip(list(self.received), self.messages()):
            for r in rcpts:
                out.setdefault(r, []).append(msg)
        return out


def _authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        SMTP_USER.encode(),
        PASSWORD.encode(),
    )
    return AuthResult(success=ok, handled=False)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp():
    handler = Collector()
    controller = Controller(
        handler,
        hostname="127.0.0.1",
        port=_free_port(),
        authenticator=_authenticator,
        auth_require_tls=False,
        auth_required=True,
    )
    controller.start()
    handler.port = controller.port
    yield handler
    controller.stop()


@pytest.fixture
def bot():
    with TelegramStandIn(token=TOKEN) as server:
        yield server


def _env(smtp_port: int | None, bot_server: TelegramStandIn | None) -> dict:
    env = {}
    if smtp_port is not None:
        env.update(
            SMTP_HOST="127.0.0.1",
            SMTP_PORT=str(smtp_port),
            SMTP_USER=SMTP_USER,
            SMTP_PASSWORD=PASSWORD,
            SMTP_FROM="reports@tehnosnab.ru",
            SMTP_STARTTLS="false",
        )
    if bot_server is not None:
        env.update(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE=bot_server.base_url)
    return env


def _settings(smtp_port=None, bot_server=None, **yaml_values):
    data = {
        "head_of_sales": [HEAD],
        "group_heads": {"Отдел продаж 1": "Дмитрий Козлов"},
        "admin": ADMIN,
        "telegram": {"head_of_sales": int(HEAD_CHAT), "admin": int(ADMIN_CHAT), "Анна Смирнова": int(ANNA_CHAT)},
    }
    data.update(yaml_values)
    return parse_settings(data, _env(smtp_port, bot_server), source="params/delivery.yaml")


def _names(msg) -> list[str]:
    return [p.get_filename() for p in msg.iter_attachments()]


def _pdf_pages(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def _log_rows(path: Path) -> list[dict]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return delivery_log.rows(con)
    finally:
        con.close()


# ------------------------------------------------------------------------------------ who gets what (pure)


def test_plan_who_gets_what(pack):
    docs = recipients.pack_documents(pack, PERIOD)
    plan = {r.key + "|" + r.name: r for r in recipients.plan(USERS, _settings(), docs)}
    assert list(plan) == [
        "head_of_sales|boss@tehnosnab.ru",
        f"group_head:{G1}|Дмитрий Козлов",
        f"manager:{ANNA}|Анна Смирнова",
        f"manager:{DMITRY}|Дмитрий Козлов",
        f"manager:{OLGA}|Ольга Павлова",
        f"manager:{PETR}|Пётр Орлов",  # no e-mail, no chat: the run says so
    ]  # Сергей Морозов is inactive
    head = plan["head_of_sales|boss@tehnosnab.ru"]
    assert head.scopes == ("team", G1, G2, ANNA, DMITRY, OLGA, PETR)
    assert (head.email, head.chat) == (HEAD, HEAD_CHAT)
    assert plan[f"group_head:{G1}|Дмитрий Козлов"].scopes == (G1, ANNA, DMITRY)
    anna = plan[f"manager:{ANNA}|Анна Смирнова"]
    assert (anna.scopes, anna.email, anna.chat) == ((ANNA,), "a.smirnova@tehnosnab.ru", ANNA_CHAT)
    assert (plan[f"manager:{PETR}|Пётр Орлов"].email, plan[f"manager:{PETR}|Пётр Орлов"].chat) == (None, None)
    # the summary first, then the registry's order
    assert [d.report for d in recipients.documents_for(docs, "team")] == ["summary", "sales_analysis", "calls"]


def test_plan_exclude_and_email_overrides(pack):
    docs = recipients.pack_documents(pack, PERIOD)
    settings = _settings(exclude=["Ольга Павлова"], emails={"Пётр Орлов": "p.orlov@tehnosnab.ru"})
    plan = {r.key: r for r in recipients.plan(USERS, settings, docs)}
    assert f"manager:{OLGA}" not in plan  # excluded as a recipient ...
    assert OLGA in plan["head_of_sales"].scopes  # ... her documents still go to the head of sales
    assert plan[f"manager:{PETR}"].email == "p.orlov@tehnosnab.ru"


@pytest.mark.parametrize(
    ("values", "named"),
    [
        ({"group_heads": {"Отдел продаж 9": "Дмитрий Козлов"}}, "group_heads: unknown group 'Отдел продаж 9'"),
        ({"head_of_sales": ["Иван Иванов"]}, "head_of_sales: unknown user 'Иван Иванов'"),
        ({"telegram": {"Иван Иванов": 1}}, "telegram: unknown user 'Иван Иванов'"),
        ({"exclude": ["Иван Иванов"]}, "exclude: unknown user 'Иван Иванов'"),
    ],
)
def test_plan_names_unknown_people(pack, values, named):
    docs = recipients.pack_documents(pack, PERIOD)
    with pytest.raises(SettingsError) as err:
        recipients.plan(USERS, _settings(**values), docs)
    assert named in str(err.value) and "params/delivery.yaml" in str(err.value)
    assert "Анна Смирнова" in str(err.value) or "Отдел продаж 1" in str(err.value)  # what is valid


# ------------------------------------------------------------------------------------------ messages (pure)


def test_headline_and_three_biggest_changes(pack):
    docs = recipients.documents_for(recipients.pack_documents(pack, PERIOD), ANNA)
    changes = messages.biggest_changes(docs, "ru")
    assert [(c.key, c.current, c.previous) for c in changes] == [
        ("calls_missed", 30, 10),  # +200 %
        ("calls_missed_not_called_back", 7, 4),  # +75 %
        ("revenue", 1_500_000, 1_000_000),  # +50 %; average_check did not move, win_rate +25 %
    ]
    lines = [messages.change_line(c, "ru") for c in changes]
    assert lines[0] == "Пропущенные входящие (Звонки): 30 (+200\u00a0%, было 10)"
    assert lines[1] == "Не перезвонили (24 ч) (Звонки): 7 (+75\u00a0%, было 4)"
    assert (
        lines[2] == "Выручка (Анализ продаж): 1\u00a0500\u00a0000\u00a0₽ (+50\u00a0%, было 1\u00a0000\u00a0000\u00a0₽)"
    )
    assert messages.headline(docs[0], "ru") == (
        "Анализ продаж: Выручка 1\u00a0500\u00a0000\u00a0₽ · Успешные сделки 12 · Доля выигранных 30\u00a0%"
    )
    en = [messages.change_line(c, "en") for c in messages.biggest_changes(docs, "en")]
    assert en[2] == "Revenue (Sales analysis): ₽1,500,000 (+50%, was ₽1,000,000)"


def test_rates_change_in_points():
    docs = [
        recipients.Document(
            "sales_analysis",
            "team",
            Path("x.json"),
            None,
            {"figures": {"win_rate": 0.3}, "comparisons": {"previous": {"win_rate": 0.24}}},
        )
    ]
    (change,) = messages.biggest_changes(docs, "ru")
    assert (
        messages.change_line(change, "ru")
        == "Доля выигранных (Анализ продаж): 30\u00a0% (+6,0\u00a0п.п., было 24\u00a0%)"
    )


def test_a_plan_is_not_a_change():
    """The goals' plan and fact are of the plan's period (a quarter): not comparable with the previous month's."""
    data = {
        "figures": {"plan_metric": "revenue", "plan": 18_500_000.0, "fact": 9_638_500.0, "plan_done_share": 0.521},
        "comparisons": {"previous": {"plan": 6_000_000.0, "fact": 3_441_000.0, "plan_done_share": 0.5735}},
    }
    docs = [recipients.Document("goals", "team", Path("x.json"), None, data)]
    assert [c.key for c in messages.biggest_changes(docs, "ru")] == ["plan_done_share"]


def test_attachment_mode_boundaries():
    assert messages.attachment_mode(0, 100) == "none"
    assert messages.attachment_mode(100, 100) == "pdf"  # at the limit still attached
    assert messages.attachment_mode(101, 100) == "zip"
    assert messages.attachment_mode(101, 100, zipped=100) == "zip"
    assert messages.attachment_mode(101, 100, zipped=101) == "links"


# ----------------------------------------------------------------------------------------- real servers


def test_each_recipient_gets_exactly_their_documents(pack, store_path, smtp, bot):
    report = deliver(pack, PERIOD, store_path, _settings(smtp.port, bot))
    got = smtp.by_address()
    # not the inactive manager, not the one without an e-mail; Козлов as the group's head and as a manager
    assert {a: len(m) for a, m in got.items()} == {
        HEAD: 1,
        "d.kozlov@tehnosnab.ru": 2,
        "a.smirnova@tehnosnab.ru": 1,
        "o.pavlova@tehnosnab.ru": 1,
    }
    (head,) = got[HEAD]
    assert _names(head) == [f"{PERIOD}-{s}.pdf" for s in ("team", G1, G2, ANNA, DMITRY, OLGA, PETR)]
    kozlov = got["d.kozlov@tehnosnab.ru"]
    assert sorted(_names(m)[0] for m in kozlov) == [f"{PERIOD}-{DMITRY}.pdf", f"{PERIOD}-{G1}.pdf"]
    group_msg = next(m for m in kozlov if _names(m)[0] == f"{PERIOD}-{G1}.pdf")
    assert _names(group_msg) == [f"{PERIOD}-{G1}.pdf", f"{PERIOD}-{ANNA}.pdf", f"{PERIOD}-{DMITRY}.pdf"]
    (anna,) = got["a.smirnova@tehnosnab.ru"]
    assert _names(anna) == [f"{PERIOD}-{ANNA}.pdf"]  # one message, one combined PDF
    assert anna["Subject"] == "ТехноСнаб: отчёты за ноябрь 2026 — Анна Смирнова"
    assert "Анна Смирнова" in anna["To"] and anna["From"] == "reports@tehnosnab.ru"
    body = anna.get_body(("plain",)).get_content()
    assert "Здравствуйте, Анна Смирнова!" in body
    assert "Пропущенные входящие (Звонки): 30 (+200\u00a0%, было 10)" in body
    assert "Анализ продаж: Выручка 1\u00a0500\u00a0000\u00a0₽" in body

    # the combined PDF: each report's pages, in report order, with their Cyrillic text
    part = next(anna.iter_attachments())
    assert part.get_content_type() == "application/pdf"
    pages = _pdf_pages(part.get_content())
    assert len(pages) == 2
    assert "Анализ продаж" in pages[0] and "Анна Смирнова" in pages[0]
    assert "Звонки" in pages[1] and "Анна Смирнова" in pages[1]
    team_pages = _pdf_pages(next(head.iter_attachments()).get_content())
    assert ["Сводный" in p for p in team_pages] == [True, False, False]  # the summary first
    assert "Звонки" in team_pages[2] and "Вся команда" in team_pages[2]
    group_pages = _pdf_pages(list(group_msg.iter_attachments())[0].get_content())
    assert all("Отдел продаж 1" in p for p in group_pages) and "Ольга" not in "".join(group_pages)

    # Telegram: the head of sales' chat and Anna's: the text, then the documents
    assert [d["document"]["filename"] for d in bot.documents(ANNA_CHAT)] == [f"{PERIOD}-{ANNA}.pdf"]
    assert _pdf_pages(bot.documents(ANNA_CHAT)[0]["document"]["content"])[0].count("Анна Смирнова") >= 1
    assert len(bot.documents(HEAD_CHAT)) == 7
    (text,) = bot.texts(HEAD_CHAT)
    assert text.startswith("ТехноСнаб: отчёты за ноябрь 2026 — Вся команда")
    assert bot.texts(ADMIN_CHAT) == []  # nothing failed

    assert (report.sent, report.skipped, report.failed) == (7, 0, 0)  # 5 e-mails, 2 Telegram messages
    assert report.unreachable == 1  # Пётр Орлов
    assert any("Пётр Орлов" in line and "нет ни e-mail" in line for line in report.lines())
    rows = _log_rows(store_path)
    assert len(rows) == 7 and {r["status"] for r in rows} == {"sent"}
    assert {(r["channel"], r["address"]) for r in rows} >= {("telegram", ANNA_CHAT), ("email", HEAD)}


def test_dry_run_then_second_run_then_resend(pack, store_path, smtp, bot):
    settings = _settings(smtp.port, bot)
    dry = deliver(pack, PERIOD, store_path, settings, dry_run=True)
    assert (dry.would_send, dry.sent) == (7, 0)
    assert smtp.received == [] and bot.requests == []
    assert _log_rows(store_path) == []
    assert not (pack / PERIOD / messages.COMBINED).exists()  # writes nothing at all
    assert "было бы отправлено 7" in dry.summary()

    first = deliver(pack, PERIOD, store_path, settings)
    assert first.sent == 7 and len(smtp.received) == 5
    second = deliver(pack, PERIOD, store_path, settings)
    assert (second.sent, second.skipped) == (0, 7)
    assert len(smtp.received) == 5 and len(bot.texts()) == 2
    assert deliver(pack, PERIOD, store_path, settings, dry_run=True).would_send == 0
    again = deliver(pack, PERIOD, store_path, settings, resend=True)
    assert again.sent == 7 and len(smtp.received) == 10 and len(bot.texts()) == 4

    # a document rebuilt from the same data says the same: nothing goes again (the store file changes with
    # every delivery, since the log is in it, so a rerun rebuilds; the cache key changes, what it says does not)
    doc = pack / PERIOD / "calls" / f"{OLGA}.json"
    same = json.loads(doc.read_text(encoding="utf-8"))
    doc.write_text(json.dumps({**same, "cache_key": "rebuilt", "generated_at": "later"}), encoding="utf-8")
    assert deliver(pack, PERIOD, store_path, settings).sent == 0

    # a document built from newer data is a new version: only the messages that carry it go again
    _write_doc(pack, "calls", "Звонки", OLGA, version="v2")
    rebuilt = deliver(pack, PERIOD, store_path, settings)
    assert sorted(o.message_key for o in rebuilt.outcomes if o.status == "sent") == [
        "head_of_sales",
        "head_of_sales",
        f"manager:{OLGA}",
    ]


def test_crash_midway_then_rerun_delivers_each_message_once(pack, store_path, smtp, monkeypatch):
    settings = _settings(smtp.port)
    real = channels.SmtpChannel.send_message
    calls = {"n": 0}

    def crashing(self, address, name, message):
        if calls["n"] == 2:
            raise KeyboardInterrupt("the process was killed")
        calls["n"] += 1
        return real(self, address, name, message)

    monkeypatch.setattr(channels.SmtpChannel, "send_message", crashing)
    with pytest.raises(KeyboardInterrupt):
        deliver(pack, PERIOD, store_path, settings)
    assert len(smtp.received) == 2 and len(_log_rows(store_path)) == 2
    monkeypatch.setattr(channels.SmtpChannel, "send_message", real)
    rerun = deliver(pack, PERIOD, store_path, settings)
    assert (rerun.sent, rerun.skipped) == (3, 2)
    rcpts = [r for rs, _ in smtp.received for r in rs]
    assert len(rcpts) == 5
    # each message once: Козлов gets two different messages (group head and manager), each once
    keys = [(rs[0], m["Subject"]) for (rs, _), m in zip(smtp.received, smtp.messages())]
    assert len(keys) == len(set(keys))


def test_server_rejecting_midway_then_rerun_sends_the_rest(pack, store_path, smtp, bot):
    settings = _settings(smtp.port, bot)
    smtp.reject_after = 3
    first = deliver(pack, PERIOD, store_path, settings)
    assert (first.sent, first.failed) == (5, 2)  # 3 e-mails + 2 Telegram; 2 e-mails rejected
    assert all("554" in o.error and "127.0.0.1" in o.error for o in first.failures)
    rows = _log_rows(store_path)
    assert sum(r["status"] == "sent" for r in rows) == 5 and sum(r["status"] == "failed" for r in rows) == 2
    # the admin hears of it on Telegram (and by e-mail, which the server rejects too)
    (notice,) = bot.texts(ADMIN_CHAT)
    assert "сбой" in notice and "554" in notice
    smtp.reject_after = None
    second = deliver(pack, PERIOD, store_path, settings)
    assert (second.sent, second.skipped, second.failed) == (2, 5, 0)
    report_mails = [m for m in smtp.messages() if "сбой" not in m["Subject"]]
    keys = [(m["To"], m["Subject"]) for m in report_mails]
    assert len(keys) == 5 == len(set(keys))


def test_unreachable_smtp_is_a_clear_error_and_the_log_stays_consistent(pack, store_path, bot, caplog):
    port = _free_port()  # nothing listens there
    settings = _settings(port, bot)
    with pytest.raises(DeliveryError) as err:
        deliver(pack, PERIOD, store_path, settings)
    assert f"127.0.0.1:{port}" in str(err.value) and "cannot connect" in str(err.value)
    report = err.value.report
    assert (report.sent, report.failed) == (2, 5)  # Telegram went out; every e-mail failed without retrying
    rows = _log_rows(store_path)
    assert {(r["channel"], r["status"]) for r in rows} == {("telegram", "sent"), ("email", "failed")}
    assert report.notified == [f"telegram:{ADMIN_CHAT}"]
    (notice,) = bot.texts(ADMIN_CHAT)
    assert f"127.0.0.1:{port}" in notice
    # a rerun once the server is back sends the e-mails only
    assert PASSWORD not in caplog.text and PASSWORD not in str(err.value)


def test_telegram_chat_not_found_fails_that_message_only(pack, store_path, smtp):
    with TelegramStandIn(token=TOKEN, unknown_chats=(ANNA_CHAT,)) as server:
        report = deliver(pack, PERIOD, store_path, _settings(smtp.port, server))
        (failed,) = report.failures
        assert (failed.channel, failed.address) == ("telegram", ANNA_CHAT)
        assert "chat not found" in failed.error
        assert report.sent == 6 and len(server.documents(HEAD_CHAT)) == 7


def test_wrong_token_is_fatal_for_telegram_and_never_shown(pack, store_path, smtp, caplog, capsys):
    caplog.set_level(logging.DEBUG)
    with TelegramStandIn(token="999:another-token-xxxxxxxxxxxxxxxxxxxxxxxx") as server:
        with pytest.raises(DeliveryError) as err:
            deliver(pack, PERIOD, store_path, _settings(smtp.port, server))
    assert "401" in str(err.value) and "TELEGRAM_BOT_TOKEN" in str(err.value)
    assert err.value.report.sent == 5  # the e-mails went out
    _assert_no_secret(str(err.value), caplog.text, *capsys.readouterr(), repr(_log_rows(store_path)))
    assert err.value.__context__ is None and err.value.__cause__ is None


def _assert_no_secret(*texts: str) -> None:
    for text in texts:
        assert PASSWORD not in text
        assert TOKEN not in text and TOKEN.split(":")[1] not in text


@pytest.mark.reliability("R59")
def test_no_secret_in_logs_output_table_or_files(pack, store_path, smtp, bot, caplog, capsys):
    caplog.set_level(logging.DEBUG)
    settings = _settings(smtp.port, bot)
    assert PASSWORD not in repr(settings) and TOKEN not in repr(settings)
    report = deliver(pack, PERIOD, store_path, settings)
    assert report.sent == 7
    smtp.reject_after = 0
    deliver(pack, PERIOD, store_path, settings, resend=True)  # failures: logged, notified
    down = _settings(_free_port(), bot)
    with pytest.raises(DeliveryError) as err:
        deliver(pack, PERIOD, store_path, down, resend=True)
    notify_failure(down, f"pack failed; password was {PASSWORD}, token {TOKEN}")
    texts = [caplog.text, *capsys.readouterr(), str(err.value), repr(_log_rows(store_path))]
    texts += ["\n".join(err.value.report.lines()), err.value.report.summary()]
    texts += [r.get("text", "") for r in bot.requests] + [
        str(r.get("path", "")).replace(TOKEN, "") for r in bot.requests
    ]
    texts += [p.read_bytes().decode("latin-1") for p in pack.rglob("*") if p.is_file()]
    texts += [c.decode("latin-1") for _, c in smtp.received]
    _assert_no_secret(*texts)
    assert any("***" in t for t in bot.texts(ADMIN_CHAT))  # the notice's secrets were redacted


def test_size_limit_zips_then_links(pack, store_path, smtp):
    # the group head's PDFs are above the limit together, their zip below it
    docs = recipients.pack_documents(pack, PERIOD)
    plan = {r.key: r for r in recipients.plan(USERS, _settings(), docs)}
    group_head = plan[f"group_head:{G1}"]
    big = messages.prepare(group_head, docs, PERIOD, _settings(), pack, "ru")
    total = sum(a.size for a in big.attachments)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for a in big.attachments:
            zf.write(a.path, a.name)
    zipped = len(buf.getvalue())
    assert zipped < total / 2
    limit_mb = (zipped + total) / 2 / 2**20
    settings = _settings(smtp.port, attachment_limit_mb=limit_mb, link_base="https://reports.example.ru")
    deliver(pack, PERIOD, store_path, settings)
    got = smtp.by_address()
    group_msg = next(m for m in got["d.kozlov@tehnosnab.ru"] if "Отдел продаж 1" in m["Subject"])
    assert _names(group_msg) == [f"{PERIOD}-{G1}.zip"]
    with zipfile.ZipFile(io.BytesIO(next(group_msg.iter_attachments()).get_content())) as zf:
        assert zf.namelist() == [f"{PERIOD}-{G1}.pdf", f"{PERIOD}-{ANNA}.pdf", f"{PERIOD}-{DMITRY}.pdf"]
        assert "Отдел продаж 1" in _pdf_pages(zf.read(f"{PERIOD}-{G1}.pdf"))[0]
    assert "в архиве" in group_msg.get_body(("plain",)).get_content()
    (anna,) = got["a.smirnova@tehnosnab.ru"]
    assert _names(anna) == [f"{PERIOD}-{ANNA}.pdf"]  # small enough alone

    # even the zip above the limit: links to where reports/ is published
    tiny = _settings(smtp.port, attachment_limit_mb=0.001, link_base="https://reports.example.ru")
    deliver(pack, PERIOD, store_path, tiny, resend=True)
    latest = smtp.messages()[-4:]
    anna = next(m for m in latest if "Анна Смирнова" in m["To"])
    assert _names(anna) == []
    body = anna.get_body(("plain",)).get_content()
    assert "Файлы больше 0,001 МБ даже в архиве" in body
    assert f"https://reports.example.ru/{PERIOD}/combined/{PERIOD}-{ANNA}.pdf" in body
    assert f"https://reports.example.ru/{PERIOD}/index.html" in body
    assert (pack / PERIOD / "combined" / f"{PERIOD}-{ANNA}.pdf").is_file()  # the link's target exists


def test_smtp_login_refused_names_the_server_not_the_password(pack, store_path, smtp):
    env = _env(smtp.port, None) | {"SMTP_PASSWORD": "wrong-" + PASSWORD}
    settings = parse_settings({"head_of_sales": [HEAD]}, env)
    with pytest.raises(DeliveryError) as err:
        deliver(pack, PERIOD, store_path, settings)
    assert f"127.0.0.1:{smtp.port}" in str(err.value) and "SMTP_PASSWORD" in str(err.value)
    assert PASSWORD not in str(err.value) and smtp.received == []


def test_missing_pack_and_store_are_clear(pack, store_path, tmp_path):
    with pytest.raises(FileNotFoundError, match="2026-10"):
        deliver(pack, "2026-10", store_path, _settings())
    with pytest.raises(store.StoreError, match="does not exist"):
        deliver(pack, PERIOD, tmp_path / "none.duckdb", _settings())


def test_without_channels_nothing_is_sent_and_the_run_says_why(pack, store_path):
    report = deliver(pack, PERIOD, store_path, _settings())
    assert report.sent == 0 and report.failed == 0
    assert any("SMTP_HOST" in line for line in report.lines())
    assert any("TELEGRAM_BOT_TOKEN" in line for line in report.lines())


# --------------------------------------------------------------------------------------------- settings


def test_settings_from_the_environment():
    s = parse_settings({}, {"SMTP_HOST": "smtp.example.ru", "SMTP_USER": "bot@example.ru", "SMTP_PASSWORD": "x"})
    assert (s.smtp.port, s.smtp.starttls, s.smtp.ssl, s.smtp.sender) == (587, True, False, "bot@example.ru")
    s = parse_settings({}, {"SMTP_HOST": "h", "SMTP_SSL": "true", "SMTP_FROM": "r@example.ru"})
    assert (s.smtp.port, s.smtp.starttls, s.smtp.ssl) == (465, False, True)
    assert s.bot is None and parse_settings({}, {}).smtp is None
    with pytest.raises(SettingsError, match="SMTP_SSL and SMTP_STARTTLS"):
        parse_settings({}, {"SMTP_HOST": "h", "SMTP_SSL": "1", "SMTP_STARTTLS": "1", "SMTP_FROM": "r@example.ru"})
    with pytest.raises(SettingsError, match="SMTP_STARTTLS='maybe'; valid: true or false"):
        parse_settings({}, {"SMTP_HOST": "h", "SMTP_STARTTLS": "maybe", "SMTP_FROM": "r@example.ru"})
    with pytest.raises(SettingsError, match="SMTP_FROM is not set"):
        parse_settings({}, {"SMTP_HOST": "h", "SMTP_USER": "login"})
    t = parse_settings({}, {"TELEGRAM_BOT_TOKEN": TOKEN})
    assert t.bot.api_base == "https://api.telegram.org" and TOKEN not in repr(t)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("smtp_password: hunter2\n", "smtp_password"),
        ("telegram:\n  bot_token: abc\n", "telegram.bot_token"),
        ("head_of_sales: [a@b.ru]\npassword: x\n", "password"),
        (f"telegram:\n  admin: '{TOKEN.replace('bot-token-never-shown-', 'A' * 22)}'\n", "telegram.admin"),
        ("admin: a@b.ru\nSMTP_PASSWORD: x\n", "SMTP_PASSWORD"),
    ],
)
@pytest.mark.reliability("R59")
def test_a_secret_in_the_yaml_is_refused_naming_the_key(tmp_path, text, key):
    path = tmp_path / "delivery.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SettingsError) as err:
        load_settings(path, {})
    assert str(path) in str(err.value) and f": {key}:" in str(err.value)
    assert "hunter2" not in str(err.value) and "environment" in str(err.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("head_of_sales: [a@b.ru\n", "not valid YAML at line 2"),
        ("lang: de\n", "lang: 'de'; valid: ru, en"),
        ("attachment_limit_mb: -1\n", "attachment_limit_mb: -1; expected a positive number"),
        ("telegram: {admin: not-a-chat}\n", "telegram.admin: expected a chat id"),
        ("emails: {Анна Смирнова: nowhere}\n", "emails.Анна Смирнова: 'nowhere' is not an e-mail"),
        ("admin: [a@b.ru]\n", "admin: ['a@b.ru'] is not an e-mail address"),
        ("smtp:\n  host: x\n", "unknown key(s) smtp; valid: head_of_sales"),
        ("head_of_sales: {a: b}\n", "head_of_sales: expected a list"),
        ("link_base: ftp://x\n", "link_base: 'ftp://x'; expected an http(s) URL"),
        ("- a\n- b\n", "expected a mapping of settings"),
    ],
)
@pytest.mark.reliability("R48")
def test_bad_yaml_names_the_file_and_the_key(tmp_path, text, expected):
    path = tmp_path / "delivery.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SettingsError) as err:
        load_settings(path, {})
    assert str(path) in str(err.value) and expected in str(err.value)


def test_settings_files(tmp_path, monkeypatch):
    with pytest.raises(SettingsError, match="no such delivery settings file"):
        load_settings(tmp_path / "missing.yaml", {})
    monkeypatch.chdir(tmp_path)  # the default file may be missing: managers only
    assert load_settings(None, {}).head_of_sales == ()
    empty = tmp_path / "empty.yaml"
    empty.write_text("# nothing yet\n")
    assert load_settings(empty, {}).lang == "ru"


def test_the_shipped_example_parses():
    root = Path(__file__).resolve().parents[1]
    s = load_settings(root / "params" / "delivery.yaml", {})
    assert s.head_of_sales and s.admin and s.telegram
    # its names are the demo account's users
    demo_users = pd.DataFrame(
        [
            (8412049, "Дмитрий Козлов", "d.kozlov@tehnosnab.ru", 1, "Отдел продаж 1", True),
            (8412169, "Ольга Павлова", "o.pavlova@tehnosnab.ru", 2, "Отдел продаж 2", True),
            (8412141, "Сергей Морозов", "s.morozov@tehnosnab.ru", 1, "Отдел продаж 1", False),
        ],
        columns=USERS.columns,
    )
    assert recipients.plan(demo_users, s, []) == []  # no document, no message


def test_notify_failure_reaches_the_admin_by_email_and_telegram(smtp, bot):
    settings = _settings(smtp.port, bot)
    went = notify_failure(settings, "pack: 2 documents failed (calls/anna-smirnova)", lang="en")
    assert went == [f"email:{ADMIN}", f"telegram:{ADMIN_CHAT}"]
    (mail,) = smtp.messages()
    assert mail["To"] == ADMIN and mail["Subject"] == "crmreports: the monthly run failed"
    assert "calls/anna-smirnova" in mail.get_body(("plain",)).get_content()
    assert "calls/anna-smirnova" in bot.texts(ADMIN_CHAT)[0]
    assert notify_failure(_settings(), "nothing configured") == []  # never raises


def test_delivery_labels_have_both_languages_and_every_key_used_exists():
    import re
    import string

    from crmreports.core import labels
    from crmreports.delivery import labels as delivery_labels

    for key, value in delivery_labels.TEXT.items():
        assert set(value) == set(labels.LANGS) and all(v.strip() for v in value.values()), key
        fields = [{n for _, n, _, _ in string.Formatter().parse(v) if n} for v in value.values()]
        assert fields[0] == fields[1], f"{key}: ru and en take different placeholders"
    package = Path(delivery_labels.__file__).parent
    used = set()
    for module in ("deliver.py", "messages.py", "recipients.py"):
        used |= set(re.findall(r'"(delivery\.[a-z_.]+[a-z_])"', (package / module).read_text("utf-8")))
    assert used and used <= set(delivery_labels.TEXT), used - set(delivery_labels.TEXT)


def test_pack_documents_of_each_language(tmp_path):
    """A pack built in English (``team.en.*``) is delivered from its own files; the Russian one from its own."""
    from crmreports.delivery.recipients import pack_documents

    folder = tmp_path / PERIOD / "sales_analysis"
    folder.mkdir(parents=True)
    for stem, lang in (("team", "ru"), ("team.en", "en"), ("anna-smirnova", "ru")):
        (folder / f"{stem}.json").write_text(json.dumps({"report": "sales_analysis", "lang": lang}), encoding="utf-8")
        (folder / f"{stem}.pdf").write_bytes(b"%PDF-1.4")
    ru = pack_documents(tmp_path, PERIOD)
    en = pack_documents(tmp_path, PERIOD, "en")
    assert [(d.scope, d.json_path.name, d.pdf.name) for d in ru] == [
        ("anna-smirnova", "anna-smirnova.json", "anna-smirnova.pdf"),
        ("team", "team.json", "team.pdf"),
    ]
    assert [(d.scope, d.json_path.name, d.pdf.name, d.data["lang"]) for d in en] == [
        ("team", "team.en.json", "team.en.pdf", "en")
    ]
