"""Sync of the demo account through the stand-in: full and incremental runs equal the direct load,
kill-and-resume, deleted leads, CLI, and no secret in any file or log."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time

import pytest

import reliability
from crmreports import cli, store
from crmreports.sources.amocrm import AmoCRMClient, StaticTokenAuth
from crmreports.sources.standin import AmoCRMServer
from crmreports.sources.sync import sync
from sync_helpers import assert_store_equals, demo_dump, tiny_dump

N_DEALS = 1500
FAST = dict(rate=1000, backoff_factor=0.01, backoff_jitter=0.01, backoff_min_429=0.01, timeout=(2, 2))


def run_sync(srv, path, **kw):
    with AmoCRMClient(srv.base_url, StaticTokenAuth(srv.access_token), **FAST) as c:
        return sync(c, path, progress=False, **kw)


@pytest.fixture(scope="module")
def synced(tmp_path_factory):
    """The demo account synced once through the stand-in (server kept running for the module)."""
    tmp = tmp_path_factory.mktemp("sync")
    srv = AmoCRMServer(demo_dump(N_DEALS)).start()
    path = tmp / "crm.duckdb"
    result = run_sync(srv, path)
    yield srv, path, result, tmp
    srv.stop()


def test_full_sync_equals_direct_load(synced):
    srv, path, result, tmp = synced
    assert_store_equals(path, srv.expected_dump(), tmp)
    assert result.full_remap and result.records["leads"] > 0 and result.records["events"] > 0
    con = store.connect(path)
    try:
        state = dict(con.execute("SELECT entity, status FROM sync_state").fetchall())
    finally:
        con.close()
    assert state["leads"] == "done" and state["events"] == "done" and state["materialize"] == "done"


def test_incremental_sync_changed_new_deleted(synced):
    srv, path, _, tmp = synced
    active = [d for d in srv.leads if d.get("status_id") not in (142, 143)]
    srv.update_lead(active[0]["id"], price=123456, name="changed")
    srv.move_lead(active[1]["id"], 142)
    gone = srv.leads[5]
    srv.delete_lead(gone["id"])
    new = srv.add_lead(price=999)
    contact = next(d for d in srv.leads if (d.get("_embedded") or {}).get("contacts"))
    srv.add_note(
        "contacts",
        {
            "id": 9_000_000_001,
            "entity_id": contact["_embedded"]["contacts"][0]["id"],
            "note_type": "call_out",
            "responsible_user_id": contact["responsible_user_id"],
            "params": {"duration": 42, "call_status": 4, "phone": "+7000"},
        },
    )
    before = srv.request_count
    result = run_sync(srv, path)
    assert not result.full_remap
    assert srv.request_count - before <= 20
    assert result.records["leads"] < 20
    assert_store_equals(path, srv.expected_dump(), tmp)
    con = store.connect(path)
    try:
        row = con.execute("SELECT is_deleted, name, price FROM leads WHERE id = ?", [gone["id"]]).fetchone()
        assert row == (True, gone["name"], gone["price"])  # marked, not lost
        assert con.execute("SELECT price FROM leads WHERE id = ?", [new["id"]]).fetchone() == (999,)
    finally:
        con.close()
    # nothing changed: nothing to write, the store stays equal
    result = run_sync(srv, path)
    assert result.records["leads"] <= 2
    assert_store_equals(path, srv.expected_dump(), tmp)


def test_full_resync_is_idempotent(synced):
    srv, path, _, tmp = synced
    result = run_sync(srv, path, full=True)
    assert result.full_remap
    assert_store_equals(path, srv.expected_dump(), tmp)


@pytest.mark.reliability("R50", "R52")
def test_sync_survives_faults(tmp_path):
    with AmoCRMServer(demo_dump(300, 6), slow_seconds=0.5) as srv:
        plan = [
            ("429", "/api/v4/account"),
            ("500", "/api/v4/users"),
            ("502", "/api/v4/leads/pipelines"),
            ("503", "/api/v4/leads/loss_reasons"),
            ("drop", "/api/v4/leads"),
            ("malformed", "/api/v4/events"),
            ("truncated", "/api/v4/leads/notes"),
            ("429", "/api/v4/tasks"),
        ]
        for kind, path in plan:
            srv.inject(kind, times=2, path=path)
        srv.inject("slow", times=2, path="/api/v4/contacts/notes")
        with AmoCRMClient(srv.base_url, StaticTokenAuth(srv.access_token), **{**FAST, "timeout": (2, 0.3)}) as c:
            result = sync(c, tmp_path / "crm.duckdb", progress=False)
        assert result.retries == 18 and srv.pending_faults() == 0
        assert_store_equals(tmp_path / "crm.duckdb", srv.expected_dump(), tmp_path)


@pytest.mark.reliability("R55")
def test_interrupted_store_update_is_redone(tmp_path, monkeypatch):
    """A failure inside the final store transaction (as a kill there would) leaves the raw pages and
    marks committed and the store tables untouched; the next run redoes the update."""
    from crmreports.sources import sync as sync_mod

    with AmoCRMServer(demo_dump(300, 6)) as srv:
        path = tmp_path / "crm.duckdb"
        real = sync_mod.store.upsert

        def broken(con, table, df):
            if table == "calls":
                raise KeyboardInterrupt("simulated kill")
            return real(con, table, df)

        monkeypatch.setattr(sync_mod.store, "upsert", broken)
        with pytest.raises(KeyboardInterrupt):
            run_sync(srv, path)
        monkeypatch.setattr(sync_mod.store, "upsert", real)
        run_sync(srv, path)
        assert_store_equals(path, srv.expected_dump(), tmp_path)
        # the same in an incremental run
        srv.update_lead(srv.leads[0]["id"], price=1)
        srv.delete_lead(srv.leads[1]["id"])
        monkeypatch.setattr(sync_mod.store, "upsert", broken)
        with pytest.raises(KeyboardInterrupt):
            run_sync(srv, path)
        monkeypatch.setattr(sync_mod.store, "upsert", real)
        assert not run_sync(srv, path).full_remap
        assert_store_equals(path, srv.expected_dump(), tmp_path)


def _cli_env(srv, **extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AMOCRM_")}
    env.update({"AMOCRM_ACCESS_TOKEN": srv.access_token, "PYTHONUNBUFFERED": "1", **extra})
    return env


@pytest.mark.parametrize("kill_after", [0.15, 0.55, 0.97])
@pytest.mark.reliability("R55")
def test_kill_and_resume(tmp_path, kill_after):
    dump = demo_dump(600, 8)
    with AmoCRMServer(dump) as clean_srv:
        total = None
        clean = tmp_path / "clean.duckdb"
        run_sync(clean_srv, clean)
        total = clean_srv.request_count
    with AmoCRMServer(dump, access_token=clean_srv.access_token) as srv:
        path = tmp_path / "killed.duckdb"
        cmd = [
            sys.executable,
            "-m",
            "crmreports",
            "--store",
            str(path),
            "sync",
            "--base-url",
            srv.base_url,
            "--rate",
            "150",
            "--no-progress",
        ]
        proc = subprocess.Popen(cmd, env=_cli_env(srv), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        target = max(1, int(total * kill_after))
        deadline = time.monotonic() + 60
        while srv.request_count < target and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert proc.returncode == -signal.SIGKILL, "the sync finished before it could be killed"
        run_sync(srv, path)  # resume
        assert_store_equals(path, srv.expected_dump(), tmp_path)
        assert_store_equals(clean, srv.expected_dump(), tmp_path)


@pytest.mark.reliability("R59")
def test_cli_oauth_flow_and_no_secret_in_files_or_logs(tmp_path, caplog, monkeypatch):
    caplog.set_level(logging.DEBUG)
    with AmoCRMServer(tiny_dump(5)) as srv:
        for k in list(os.environ):
            if k.startswith("AMOCRM_"):
                monkeypatch.delenv(k)
        monkeypatch.setenv("AMOCRM_CLIENT_ID", srv.client_id)
        monkeypatch.setenv("AMOCRM_CLIENT_SECRET", srv.client_secret)
        monkeypatch.setenv("AMOCRM_REDIRECT_URI", srv.redirect_uri)
        st, tok = tmp_path / "crm.duckdb", tmp_path / "tokens" / "amo.json"
        base = [
            "--store",
            str(st),
            "sync",
            "--base-url",
            srv.base_url,
            "--token-file",
            str(tok),
            "--no-progress",
            "--rate",
            "1000",
        ]
        assert cli.main(base + ["--auth-code", srv.auth_code]) == 0
        assert (os.stat(tok).st_mode & 0o777) == 0o600
        srv.expire_tokens()
        srv.update_lead(2, price=5)
        assert cli.main(base) == 0  # 401 -> refresh -> continue
        assert_store_equals(st, srv.expected_dump(), tmp_path)
        srv.inject("403", times=1)
        assert cli.main(base) == 2
        written = [p for p in tmp_path.rglob("*") if p.is_file() and p != tok]
        assert written
        assert reliability.scan([*written, caplog.text], srv.issued) == []  # counted in the reliability tally


def test_cli_without_credentials_is_a_clear_error(tmp_path, monkeypatch, capsys):
    for k in list(os.environ):
        if k.startswith("AMOCRM_"):
            monkeypatch.delenv(k)
    assert cli.main(["--store", str(tmp_path / "x.duckdb"), "sync", "--subdomain", "mycompany"]) == 2
    err = capsys.readouterr().err
    assert "AMOCRM_ACCESS_TOKEN" in err and "AMOCRM_CLIENT_ID" in err


# --- issue #20 items 3 and 4: trust the record, not the endpoint; pages that repeat ---------------------


@pytest.mark.reliability("R06")
def test_server_ignoring_only_deleted_marks_nothing_deleted(tmp_path, caplog):
    """A server that ignores with=only_deleted lists active leads there: their own is_deleted (false) wins."""
    with AmoCRMServer(tiny_dump(5)) as srv:
        srv.ignore_only_deleted = True
        with caplog.at_level(logging.WARNING, logger="crmreports.sync"):
            run_sync(srv, tmp_path / "crm.duckdb")
        assert_store_equals(tmp_path / "crm.duckdb", srv.expected_dump(), tmp_path)
    con = store.connect(tmp_path / "crm.duckdb")
    try:
        assert con.execute("SELECT count(*) FILTER (WHERE is_deleted), count(*) FROM leads").fetchone() == (0, 5)
    finally:
        con.close()
    assert "listed 5 leads under with=only_deleted whose own is_deleted is not true" in caplog.text


@pytest.mark.reliability("R06")
def test_a_deleted_lead_is_still_marked_deleted(tmp_path):
    with AmoCRMServer(tiny_dump(5)) as srv:
        path = tmp_path / "crm.duckdb"
        run_sync(srv, path)
        srv.delete_lead(3)
        run_sync(srv, path)
        assert_store_equals(path, srv.expected_dump(), tmp_path)
    con = store.connect(path)
    try:
        assert con.execute("SELECT list(id) FROM leads WHERE is_deleted").fetchone()[0] == [3]
    finally:
        con.close()


@pytest.mark.reliability("R07")
def test_a_page_repeating_the_previous_one_is_read_again(tmp_path):
    with AmoCRMServer(tiny_dump(700)) as srv:  # leads come in pages of 250: 250, 250, 200
        srv.repeat_page(2, times=1)
        result = run_sync(srv, tmp_path / "crm.duckdb")
        assert_store_equals(tmp_path / "crm.duckdb", srv.expected_dump(), tmp_path)
    assert result.records["leads"] == 700 and result.rereads == 1 and result.windows == 0


@pytest.mark.reliability("R08")
def test_offset_paging_that_keeps_repeating_falls_back_to_a_time_window(tmp_path, caplog):
    with AmoCRMServer(tiny_dump(700)) as srv:
        srv.repeat_page(2, times=10**6)  # every page 2 of the leads list repeats page 1
        with caplog.at_level(logging.WARNING, logger="crmreports.sync"):
            result = run_sync(srv, tmp_path / "crm.duckdb")
        assert_store_equals(tmp_path / "crm.duckdb", srv.expected_dump(), tmp_path)
    assert result.records["leads"] == 700 and result.windows >= 1
    assert "going on with a window on updated_at" in caplog.text


@pytest.mark.reliability("R09")
def test_a_repeat_that_no_window_can_get_past_fails_loudly_and_loses_nothing(tmp_path, capsys, monkeypatch):
    dump = tiny_dump(700)
    for d in dump["leads"]:
        d["updated_at"] = 1_760_000_000  # 700 leads with one stamp: a window cannot split them
    path = tmp_path / "crm.duckdb"
    with AmoCRMServer(dump) as srv:
        srv.repeat_page(2, times=10**6)
        monkeypatch.setenv("AMOCRM_ACCESS_TOKEN", srv.access_token)
        rc = cli.main(["--store", str(path), "sync", "--base-url", srv.base_url, "--rate", "1000", "--no-progress"])
        assert rc == 2
        assert "cannot all be read; the sync stops rather than lose records" in capsys.readouterr().err
        srv.repeat_page(2, times=0)
        run_sync(srv, path)  # the marks did not move past the records that were not read
        assert_store_equals(path, srv.expected_dump(), tmp_path)


# --- issue #20 item 8: one sync of a store at a time; the rate limiter survives a kill ------------------


def _cli_sync(srv, path, rate):
    cmd = [sys.executable, "-m", "crmreports", "--store", str(path), "sync", "--base-url", srv.base_url]
    return subprocess.Popen(
        cmd + ["--rate", str(rate), "--no-progress"],
        env=_cli_env(srv),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for_requests(srv, proc, n, seconds=60):
    deadline = time.monotonic() + seconds
    while srv.request_count < n and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.002)


@pytest.mark.reliability("R18")
def test_a_second_sync_of_the_same_store_or_account_is_refused(tmp_path, capsys, monkeypatch):
    with AmoCRMServer(tiny_dump(5), slow_seconds=3) as srv:
        srv.inject("slow", times=1, path="/api/v4/account")
        path = tmp_path / "crm.duckdb"
        first = _cli_sync(srv, path, 1000)
        _wait_for_requests(srv, first, 1)
        time.sleep(0.2)  # the first sync holds the lock while its first request is slow
        monkeypatch.setenv("AMOCRM_ACCESS_TOKEN", srv.access_token)
        rc = cli.main(["--store", str(path), "sync", "--base-url", srv.base_url, "--no-progress"])
        err = capsys.readouterr().err
        other = tmp_path / "other.duckdb"  # another store of the same account: its requests would add up
        rc_other = cli.main(["--store", str(other), "sync", "--base-url", srv.base_url, "--no-progress"])
        err_other = capsys.readouterr().err
        requests_while_held = srv.request_count
        assert first.wait(timeout=60) == 0, first.stderr.read()
        assert rc == 2 and "is being written by sync" in err and f"process {first.pid}" in err
        assert rc_other == 2 and "is being synced by sync" in err_other and f"process {first.pid}" in err_other
        assert requests_while_held == 1 and not other.exists()
        assert_store_equals(path, srv.expected_dump(), tmp_path)


@pytest.mark.reliability("R18")
def test_rate_limit_holds_across_a_kill_and_restart(tmp_path):
    """A sync killed mid-run and restarted at once: the stand-in measures every sliding second."""
    rate = 20  # 19 requests in any 1.1 s; a sync of this dump makes about 40 requests
    with AmoCRMServer(tiny_dump(1200)) as srv:
        path = tmp_path / "crm.duckdb"
        proc = _cli_sync(srv, path, rate)
        _wait_for_requests(srv, proc, 12)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert proc.returncode == -signal.SIGKILL, "the sync finished before it could be killed"
        killed_at = srv.request_count
        with AmoCRMClient(srv.base_url, StaticTokenAuth(srv.access_token), **{**FAST, "rate": rate}) as c:
            sync(c, path, progress=False)
        assert_store_equals(path, srv.expected_dump(), tmp_path)
        assert srv.request_count > killed_at + rate  # the restart alone would have gone over the rate
        assert srv.max_per_second() <= rate - 1
