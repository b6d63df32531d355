"""The amoCRM API stand-in: HAL shapes, pagination edges, 204, clamping, filters, OAuth2 endpoint."""

from __future__ import annotations

import pytest
import requests

from crmreports.sources.standin import AmoCRMServer
from sync_helpers import tiny_dump


@pytest.fixture
def srv():
    with AmoCRMServer(tiny_dump(3)) as s:
        yield s


def _get(srv, path, params=None, token=None):
    return requests.get(
        srv.base_url + path, params=params, headers={"Authorization": f"Bearer {token or srv.access_token}"}, timeout=5
    )


def test_hal_shape_and_next_link_on_last_page(srv):
    r = _get(srv, "/api/v4/leads", {"limit": 3, "page": 1})
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/hal+json"
    body = r.json()
    assert body["_page"] == 1 and len(body["_embedded"]["leads"]) == 3
    assert "page=2" in body["_links"]["next"]["href"]  # next even on the full last page
    r2 = requests.get(body["_links"]["next"]["href"], headers={"Authorization": f"Bearer {srv.access_token}"})
    assert r2.status_code == 204 and r2.content == b""


def test_limit_is_clamped_like_amocrm():
    with AmoCRMServer(tiny_dump(120)) as s:
        assert len(_get(s, "/api/v4/leads", {"limit": 500}).json()["_embedded"]["leads"]) == 50
        assert len(_get(s, "/api/v4/leads", {"limit": 250}).json()["_embedded"]["leads"]) == 120
        assert len(_get(s, "/api/v4/events", {"limit": 250}).json()["_embedded"]["events"]) == 50
        assert len(_get(s, "/api/v4/events", {"limit": 100}).json()["_embedded"]["events"]) == 100
        assert len(_get(s, "/api/v4/leads").json()["_embedded"]["leads"]) == 50  # default


def test_bad_token_is_401_problem_json(srv):
    r = _get(srv, "/api/v4/leads", token="nope")
    assert r.status_code == 401 and r.headers["Content-Type"] == "application/problem+json"
    assert r.json()["status"] == 401
    srv.expire_tokens()
    assert _get(srv, "/api/v4/account").status_code == 401


def test_filters_order_and_deleted(srv):
    srv.update_lead(2, price=7)
    t = srv.leads[1]["updated_at"]
    body = _get(srv, "/api/v4/leads", {"filter[updated_at][from]": t, "limit": 250}).json()
    assert [d["id"] for d in body["_embedded"]["leads"]] == [2]
    body = _get(srv, "/api/v4/leads", {"order[updated_at]": "desc", "limit": 250}).json()
    assert [d["id"] for d in body["_embedded"]["leads"]] == [2, 3, 1]
    srv.delete_lead(3)
    active = _get(srv, "/api/v4/leads", {"limit": 250}).json()["_embedded"]["leads"]
    assert [d["id"] for d in active] == [1, 2]
    deleted = _get(srv, "/api/v4/leads", {"with": "only_deleted"}).json()["_embedded"]["leads"]
    assert deleted == [{"id": 3, "updated_at": deleted[0]["updated_at"], "is_deleted": True}]
    ev = _get(srv, "/api/v4/events", [("filter[type]", "lead_deleted")]).json()["_embedded"]["events"]
    assert [(e["type"], e["entity_id"]) for e in ev] == [("lead_deleted", 3)]
    assert _get(srv, "/api/v4/events", {"filter[type]": "incoming_call"}).status_code == 204
    notes = _get(srv, "/api/v4/leads/notes", [("filter[note_type][]", "call_in")]).json()["_embedded"]["notes"]
    assert len(notes) == 3
    assert _get(srv, "/api/v4/leads/notes", [("filter[note_type][]", "call_out")]).status_code == 204
    assert _get(srv, "/api/v4/contacts/notes").status_code == 204


def test_reference_lists_and_summary(srv):
    assert _get(srv, "/api/v4/account").json()["id"] == 1
    assert _get(srv, "/api/v4/users").json()["_page_count"] == 1
    assert _get(srv, "/api/v4/leads/pipelines").json()["_embedded"]["pipelines"][0]["id"] == 10
    assert _get(srv, "/api/v4/leads/unsorted").status_code == 204
    assert _get(srv, "/api/v4/leads/unsorted/summary").json()["total"] == 0


def test_token_endpoint_rotates_single_use_refresh_tokens(srv):
    url = srv.base_url + "/oauth2/access_token"
    base = {"client_id": srv.client_id, "client_secret": srv.client_secret, "redirect_uri": srv.redirect_uri}
    r = requests.post(url, json={**base, "grant_type": "authorization_code", "code": srv.auth_code})
    assert r.status_code == 200
    first = r.json()
    assert _get(srv, "/api/v4/account", token=first["access_token"]).status_code == 200
    # the code is single-use
    assert (
        requests.post(url, json={**base, "grant_type": "authorization_code", "code": srv.auth_code}).status_code == 401
    )
    r = requests.post(url, json={**base, "grant_type": "refresh_token", "refresh_token": first["refresh_token"]})
    assert r.status_code == 200 and r.json()["refresh_token"] != first["refresh_token"]
    again = requests.post(url, json={**base, "grant_type": "refresh_token", "refresh_token": first["refresh_token"]})
    assert again.status_code == 401 and again.json()["hint"] == "Token has been revoked"
    bad = requests.post(
        url,
        json={**base, "client_secret": "x", "grant_type": "refresh_token", "refresh_token": r.json()["refresh_token"]},
    )
    assert bad.status_code == 401


@pytest.mark.parametrize("kind,status", [("429", 429), ("500", 500), ("502", 502), ("503", 503), ("403", 403)])
def test_fault_injection_statuses(srv, kind, status):
    srv.inject(kind, times=2)
    for _ in range(2):
        r = _get(srv, "/api/v4/account")
        assert r.status_code == status
        assert r.headers["Content-Type"] == "text/html"
    assert _get(srv, "/api/v4/account").status_code == 200
    assert srv.request_count == 3


@pytest.mark.reliability("R52")
def test_fault_injection_body_and_connection(srv):
    srv.inject("malformed")
    with pytest.raises(ValueError):
        _get(srv, "/api/v4/leads").json()
    srv.inject("drop")
    with pytest.raises(requests.ConnectionError):
        _get(srv, "/api/v4/leads")
    srv.inject("429", path="/api/v4/events")
    assert _get(srv, "/api/v4/leads").status_code == 200
    assert _get(srv, "/api/v4/events").status_code == 429


def test_server_side_rate_limit():
    with AmoCRMServer(tiny_dump(1), rate_limit=3) as s:
        codes = [_get(s, "/api/v4/account").status_code for _ in range(5)]
    assert codes[:3] == [200] * 3 and 429 in codes[3:] and s.rate_limited >= 1


def test_repeated_page_and_ignored_only_deleted():
    with AmoCRMServer(tiny_dump(6)) as s:
        ids = lambda r: [d["id"] for d in r.json()["_embedded"]["leads"]]  # noqa: E731
        s.repeat_page(2, times=1)
        q = {"limit": 2, "page": 2, "order[updated_at]": "asc"}
        first = _get(s, "/api/v4/leads", q)
        assert ids(first) == [1, 2] and first.json()["_page"] == 2 and "page=3" in first.text  # page 1's records
        assert ids(_get(s, "/api/v4/leads", q)) == [3, 4]  # once only
        s.delete_lead(5)
        assert ids(_get(s, "/api/v4/leads", {"with": "only_deleted"})) == [5]
        s.ignore_only_deleted = True
        assert ids(_get(s, "/api/v4/leads", {"with": "only_deleted"})) == [1, 2, 3, 4, 6]


def test_max_per_second_is_a_sliding_window():
    with AmoCRMServer(tiny_dump(1)) as s:
        s.arrival_times = [0.0, 0.5, 0.99, 1.0, 1.2, 1.3, 1.98, 3.0]
        assert s.max_per_second() == 5  # 0.99, 1.0, 1.2, 1.3, 1.98
        assert s.max_per_second(0.5) == 4  # 0.99, 1.0, 1.2, 1.3
