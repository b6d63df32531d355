"""The API client: pagination edges, retries on every fault kind, the rate limiter, OAuth2 refresh and
rotation, secrets kept out of logs and exceptions."""

from __future__ import annotations

import json
import logging
import os
import stat
import time

import pytest

from crmreports.sources.amocrm import (
    AmoCRMClient,
    AmoCRMError,
    AuthError,
    BlockedError,
    OAuth2Auth,
    RateLimiter,
    StaticTokenAuth,
    TokenStore,
    base_url_for,
)
from crmreports.sources.standin import AmoCRMServer
from sync_helpers import tiny_dump

FAST = dict(rate=1000, backoff_factor=0.01, backoff_jitter=0.01, backoff_min_429=0.01, timeout=(2, 2))


def client_for(srv, auth=None, **kw):
    return AmoCRMClient(srv.base_url, auth or StaticTokenAuth(srv.access_token), **{**FAST, **kw})


@pytest.fixture
def srv():
    with AmoCRMServer(tiny_dump(3), slow_seconds=0.6) as s:
        yield s


@pytest.mark.parametrize("n,requests_made", [(0, 1), (1, 1), (250, 2), (251, 2), (500, 3)])
def test_pagination_edges(n, requests_made):
    with AmoCRMServer(tiny_dump(n)) as s, client_for(s) as c:
        got = [d["id"] for p in c.pages("/api/v4/leads", "leads") for d in p.items]
        assert got == list(range(1, n + 1))
        assert s.request_count == requests_made  # 250: page 2 answers 204; 251: page 2 is short


def test_events_page_size_and_next_links():
    with AmoCRMServer(tiny_dump(230)) as s, client_for(s) as c:
        pages = list(c.pages("/api/v4/events", "events", {"filter[type]": "lead_added"}, limit=100))
        assert [len(p.items) for p in pages] == [100, 100, 30] and [p.number for p in pages] == [1, 2, 3]
        assert all(q == ("GET", "/api/v4/events") for q in s.request_log)


def test_204_is_an_empty_list(srv):
    with client_for(srv) as c:
        assert c.get("/api/v4/contacts/notes") is None
        assert list(c.pages("/api/v4/contacts/notes", "notes")) == []


@pytest.mark.parametrize("kind", ["429", "500", "502", "503", "504", "slow", "drop", "malformed", "truncated"])
@pytest.mark.reliability("R50")
def test_each_fault_is_retried(srv, kind):
    srv.inject(kind, times=2)
    with client_for(srv, timeout=(2, 0.3)) as c:
        items = [d["id"] for p in c.pages("/api/v4/leads", "leads") for d in p.items]
        assert items == [1, 2, 3]
        assert c.stats.retries == 2
    assert srv.pending_faults() == 0


@pytest.mark.reliability("R51")
def test_persistent_5xx_gives_up_with_clear_error(srv):
    srv.inject("503", times=100)
    with client_for(srv, retries=2) as c, pytest.raises(AmoCRMError, match="503"):
        c.get("/api/v4/leads")
    assert srv.request_count == 3


@pytest.mark.reliability("R51")
def test_403_block_is_not_retried(srv):
    srv.inject("403", times=5)
    with client_for(srv) as c, pytest.raises(BlockedError, match="blocked"):
        c.get("/api/v4/leads")
    assert srv.request_count == 1


def test_rate_limiter_sliding_window():
    lim = RateLimiter(rate=10)
    stamps = []
    for _ in range(25):
        lim.acquire()
        stamps.append(time.monotonic())
    for i in range(len(stamps) - 10):  # no 1-second window holds more than 10 acquisitions
        assert stamps[i + 10] - stamps[i] >= 1.0


@pytest.mark.reliability("R17")
def test_limiter_holds_with_retries_against_server_limit():
    with AmoCRMServer(tiny_dump(1), rate_limit=10) as s:
        s.inject("500", times=4)
        with client_for(s, rate=8) as c:
            for _ in range(12):
                assert c.get("/api/v4/account")["id"] == 1
        assert s.rate_limited == 0 and c.stats.retries == 4


def _oauth(srv, tmp_path, code=None):
    return OAuth2Auth(
        srv.client_id, srv.client_secret, srv.redirect_uri, TokenStore(tmp_path / "tok.json"), auth_code=code
    )


def test_oauth_code_exchange_refresh_and_rotation(srv, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    auth = _oauth(srv, tmp_path, code=srv.auth_code)
    with client_for(srv, auth) as c:
        assert c.get("/api/v4/account")["id"] == 1
        path = tmp_path / "tok.json"
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
        first = json.loads(path.read_text())
        srv.expire_tokens()  # 401 -> one refresh -> retry
        assert c.get("/api/v4/account")["id"] == 1
        second = json.loads(path.read_text())
        assert second["refresh_token"] != first["refresh_token"] and c.stats.refreshes == 1
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
        assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    # a second process starts from the token file only
    with client_for(srv, _oauth(srv, tmp_path)) as c2:
        srv.expire_tokens()
        assert c2.get("/api/v4/users")["_embedded"]["users"][0]["id"] == 1
    third = json.loads((tmp_path / "tok.json").read_text())
    assert third["refresh_token"] != second["refresh_token"]
    for secret in srv.issued:
        assert secret not in caplog.text


@pytest.mark.reliability("R53")
def test_failed_refresh_is_a_clear_error_without_secrets(srv, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    auth = _oauth(srv, tmp_path, code=srv.auth_code)
    with client_for(srv, auth) as c:
        c.get("/api/v4/account")
        tokens = json.loads((tmp_path / "tok.json").read_text())
        # someone used our refresh token elsewhere: it is revoked now
        srv.token_endpoint(
            {
                "client_id": srv.client_id,
                "client_secret": srv.client_secret,
                "grant_type": "refresh_token",
                "refresh_token": tokens["refresh_token"],
                "redirect_uri": srv.redirect_uri,
            }
        )
        srv.expire_tokens()
        with pytest.raises(AuthError) as err:
            c.get("/api/v4/account")
    msg = str(err.value)
    assert "--auth-code" in msg and "revoked" in msg
    for secret in srv.issued:
        assert secret not in msg and secret not in caplog.text


@pytest.mark.reliability("R53")
def test_missing_tokens_and_static_token_401(srv, tmp_path):
    with client_for(srv, _oauth(srv, tmp_path)) as c, pytest.raises(AuthError, match="--auth-code"):
        c.get("/api/v4/account")
    srv.expire_tokens()
    with client_for(srv) as c, pytest.raises(AuthError, match="AMOCRM_ACCESS_TOKEN") as err:
        c.get("/api/v4/account")
    assert srv.access_token not in str(err.value)


def test_base_url_for():
    assert base_url_for("MyCompany", "kommo.com") == "https://mycompany.kommo.com"
    with pytest.raises(ValueError):
        base_url_for("x.amocrm.ru")


@pytest.mark.reliability("R17")
def test_default_limiter_keeps_a_margin_under_the_servers_7_per_second():
    """Measured by the stand-in: the most requests that arrived in any sliding second (issue #20, item 8)."""
    with AmoCRMServer(tiny_dump(1)) as s:
        with client_for(s, rate=7) as c:  # the default rate: amoCRM's 7 requests/s
            for _ in range(9):
                c.get("/api/v4/account")
        assert s.request_count == 9
        assert s.max_per_second() <= 6  # one request of headroom for requests delayed on their way


@pytest.mark.reliability("R18")
def test_limiter_window_survives_a_restart():
    lim = RateLimiter(rate=7)
    kept = []
    lim.on_acquire = kept.append
    for _ in range(6):
        lim.acquire()
    assert len(kept[-1]) == 6 and kept[-1][-1] == pytest.approx(time.time(), abs=0.5)
    again = RateLimiter(rate=7)  # a new process
    again.restore(kept[-1])
    t0 = time.monotonic()
    again.acquire()
    assert time.monotonic() - t0 >= 0.9  # it waited for the earlier process's window to pass
    stale = RateLimiter(rate=7)
    stale.restore([time.time() - 5] * 6)  # acquisitions long gone do not count
    t0 = time.monotonic()
    stale.acquire()
    assert time.monotonic() - t0 < 0.05
