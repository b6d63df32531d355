"""The store's clients: ``contacts`` and ``companies`` from the API mapping, the sync through the stand-in
(full and incremental), the demo account (repeat purchases of the same contact/company) and importers
(which have no such data and leave both tables empty)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from crmreports import store
from crmreports.sources import demo, mapping
from crmreports.sources.amocrm import AmoCRMClient, StaticTokenAuth
from crmreports.sources.imports import import_files
from crmreports.sources.standin import AmoCRMServer
from crmreports.sources.sync import sync
from sync_helpers import assert_store_equals, tiny_dump

FAST = dict(rate=1000, backoff_factor=0.01, backoff_jitter=0.01, backoff_min_429=0.01, timeout=(2, 2))
T0 = 1_760_000_000  # 2025-10-09 08:53:20 UTC


def _contact(cid: int, name: str, phones=(), emails=(), company=None, **kw) -> dict:
    fields = []
    if phones:
        fields.append({"field_code": "PHONE", "field_name": "Телефон", "values": [{"value": p} for p in phones]})
    if emails:
        fields.append({"field_code": "EMAIL", "field_name": "Email", "values": [{"value": e} for e in emails]})
    return {
        "id": cid,
        "name": name,
        "responsible_user_id": 1,
        "created_by": 1,
        "created_at": T0 + cid,
        "updated_at": T0 + cid,
        "is_deleted": False,
        "custom_fields_values": fields or None,
        "_embedded": {"tags": [], "companies": [{"id": company}] if company else []},
        **kw,
    }


def _company(cid: int, name: str) -> dict:
    return {"id": cid, "name": name, "responsible_user_id": 1, "created_at": T0, "updated_at": T0 + 5}


def test_map_contacts_takes_the_first_phone_email_and_company():
    recs = [
        _contact(
            1001, "Иван Петров", phones=("", "+7 900 111-22-33", "+7 900 000-00-00"), emails=("i@p.ru",), company=7
        ),
        {"id": 1002, "first_name": "Ольга", "last_name": "Ли", "is_deleted": True, "created_at": str(T0)},
    ]
    df = mapping.map_contacts(recs).set_index("id")
    # the empty first phone is skipped: the first real one is kept
    assert df.at[1001, "phone"] == "+7 900 111-22-33" and df.at[1001, "email"] == "i@p.ru"
    assert df.at[1001, "company_id"] == 7 and df.at[1001, "name"] == "Иван Петров"
    assert df.at[1001, "created_at"] == pd.Timestamp("2025-10-09 09:10:01")  # T0 + 1001 s, UTC
    # no name: first + last name; no custom fields: no phone, no e-mail; the record's deleted flag is kept
    assert df.at[1002, "name"] == "Ольга Ли" and pd.isna(df.at[1002, "phone"]) and bool(df.at[1002, "is_deleted"])
    assert pd.isna(df.at[1002, "company_id"])
    comp = mapping.map_companies([_company(7, "ООО «Ромашка»")]).set_index("id")
    assert comp.at[7, "name"] == "ООО «Ромашка»" and not comp.at[7, "is_deleted"]


def _read(path, table):
    con = store.connect(path)
    try:
        return store.read_table(con, table).set_index("id").sort_index()
    finally:
        con.close()


def test_sync_fills_contacts_and_companies_full_and_incremental(tmp_path):
    dump = tiny_dump(3)
    dump["contacts"] = [
        _contact(1001, "Иван Петров", phones=("+79001112233",), company=7),
        _contact(1002, "Ольга Ли", emails=("o@li.ru",)),
    ]
    dump["companies"] = [_company(7, "ООО «Ромашка»")]
    path = tmp_path / "crm.duckdb"
    with AmoCRMServer(dump) as srv:
        with AmoCRMClient(srv.base_url, StaticTokenAuth(srv.access_token), **FAST) as c:
            first = sync(c, path, progress=False)
        assert first.records["contacts"] == 2 and first.records["companies"] == 1
        assert_store_equals(path, srv.expected_dump(), tmp_path)
        contacts = _read(path, "contacts")
        assert list(contacts.index) == [1001, 1002]
        assert contacts.at[1001, "company_id"] == 7 and contacts.at[1002, "email"] == "o@li.ru"
        # a changed contact and a new company come with the next (incremental) sync
        srv.upsert_client("companies", _company(8, "ИП Ли"))
        srv.upsert_client("contacts", _contact(1002, "Ольга Ли", phones=("+79005556677",), company=8))
        with AmoCRMClient(srv.base_url, StaticTokenAuth(srv.access_token), **FAST) as c:
            second = sync(c, path, progress=False)
        assert not second.full_remap
        # only what changed, and what sits on the (inclusive) high-water mark: contact 1001 (T0 + 1001) is
        # below the contacts' mark T0 + 1002 and not read again; company 7 (T0 + 5) is the companies' mark
        assert second.records["contacts"] == 1 and second.records["companies"] == 2
        assert_store_equals(path, srv.expected_dump(), tmp_path)
        contacts, companies = _read(path, "contacts"), _read(path, "companies")
        assert contacts.at[1002, "phone"] == "+79005556677" and contacts.at[1002, "company_id"] == 8
        assert pd.isna(contacts.at[1002, "email"])  # the new record has no e-mail any more
        assert list(companies["name"]) == ["ООО «Ромашка»", "ИП Ли"]


@pytest.fixture(scope="module")
def demo_tables():
    dump = demo.generate(seed=7, as_of=dt.date(2026, 11, 1), n_deals=3000, months=14)
    return mapping.dump_to_tables(dump, source="demo")


def test_demo_has_every_client_and_repeat_purchases(demo_tables):
    leads, contacts, companies = demo_tables["leads"], demo_tables["contacts"], demo_tables["companies"]
    # every deal's contact and company is a record of its own (deleted deals are id-only stubs: their
    # contacts exist too, so the contacts are a superset)
    assert set(leads["contact_id"].dropna()) <= set(contacts["id"])
    assert set(leads["company_id"].dropna()) <= set(companies["id"]) == set(contacts["company_id"].dropna())
    assert contacts["id"].is_unique and companies["id"].is_unique
    assert contacts["phone"].str.match(r"^\+79\d{9}$").all() and contacts["name"].str.contains(" ").all()
    # a contact exists from its first deal on (a deleted first deal is a stub without a date: then earlier)
    first_deal = leads.groupby("contact_id")["created_at"].min()
    created = contacts.set_index("id")["created_at"].reindex(first_deal.index)
    assert (created <= first_deal).all() and (created == first_deal).mean() > 0.95
    # repeat purchases: contacts (and companies) with two, three and more won deals
    won = leads[(leads["status_id"] == 142) & ~leads["is_deleted"]]
    per_contact = won.groupby("contact_id").size()
    per_company = won.dropna(subset=["company_id"]).groupby("company_id").size()
    assert (per_contact >= 3).sum() >= 20 and (per_company >= 3).sum() >= 10


def test_importers_leave_contacts_and_companies_empty(tmp_path):
    path = tmp_path / "imp.duckdb"
    import_files(
        [__import__("pathlib").Path(__file__).parent / "fixtures_imports" / "amocrm_cp1251_comma.csv"], "amocrm", path
    )
    assert _read(path, "contacts").empty and _read(path, "companies").empty
