"""The CRM audit's planted findings in the demo account, and a second, smaller demo account.

:func:`plant` edits a generated demo dump (:func:`crmreports.sources.demo.generate`) in place so that every
finding the audit knows (:mod:`crmreports.reports.audit.metrics`) shows up with a known count in the **last full
month before as-of** (the audit's default period; the snapshot is as-of itself). The generator makes none of the
data-quality findings by itself, so their counts are exactly the planted ones; the process and speed findings
occur naturally too, and the planted cases come on top (``tests/test_audit_demo.py`` checks that the audit finds
exactly the planted count more than on the same dump unplanted).

Planted in the month before as-of (:data:`PLANTED`):

=================  =====  =================================================================================
finding            count  how
=================  =====  =================================================================================
won_no_amount          6  won deals closed in the month: amount removed (3) or set to 0 (3)
lost_no_reason         9  lost deals closed in the month: loss reason removed
no_source             12  deals created in the month (closed ones): source removed
no_contact             7  other deals created in the month (closed ones): contact and company removed
dup_contacts           8  new contacts copying an existing one's phone written as 8 (XXX) XXX-XX-XX (4),
                          its e-mail in capitals (2), or its name within its company (2)
dup_deals              4  open deals re-pointed at the contact of an older open deal in the same pipeline
moved_back             5  open deals untouched since before the month moved one open stage back in it
missed_calls           6  inbound calls from unknown numbers in the month, not answered, never called back
unused_stages          1  an open stage «Ожидание оплаты» at the end of «Повторные продажи», never used
skipped_stages         1  «Согласование условий» («Повторные продажи»): 3 of 4 deals of the last year that
                          went through it now skip it (moved from «КП отправлено» straight on)
idle_managers          1  4 open deals handed to the manager who left (Сергей Морозов: no calls, no tasks)
=================  =====  =================================================================================

Natural (not planted; on the default demo, 20,000 deals, as-of 2026-12-01, period 2026-11): open deals without a
task, overdue tasks, deals stuck beyond their stage's P75 or in the first stage, and the unsorted backlog — see
the README's audit section for the figures.

:func:`second_dump` is the second demo account «УралСнаб» (Asia/Yekaterinburg, amounts in KZT): the same
generator with another seed, 3,000 deals and 13 months, its ids moved out of the first account's ranges and its
managers renamed, so two clients can be shown side by side and never share a record.
"""

from __future__ import annotations

import copy
import datetime as dt

from . import demo

WON, LOST = demo.WON, demo.LOST

PLANTED = {
    "won_no_amount": 6,
    "lost_no_reason": 9,
    "no_source": 12,
    "no_contact": 7,
    "dup_contacts": 8,
    "dup_deals": 4,
    "moved_back": 5,
    "missed_calls": 6,
    "unused_stages": 1,
    "skipped_stages": 1,
    "idle_managers": 1,
}
IDLE_DEALS = 4
UNUSED_STAGE = ("Ожидание оплаты", 64815163)  # appended to the repeat pipeline's open stages
SKIPPED_STAGE = "Согласование условий"  # of the repeat pipeline
SKIP_EVERY = 4  # of the visits to it within the last year, all but every SKIP_EVERY-th are cut out


def _month_before(as_of: dt.date) -> tuple[int, int]:
    """The last full month before ``as_of`` as Unix seconds [start, end) (Moscow midnights)."""
    start = demo.first_of_month(as_of - dt.timedelta(days=1))
    return demo.moscow_midnight(start), demo.moscow_midnight(as_of)


def _status_event(lead_id: int, t: int, user: int, before: tuple[int, int], after: tuple[int, int]) -> dict:
    return {
        "id": f"audit{lead_id}x{t}",
        "type": "lead_status_changed",
        "entity_id": lead_id,
        "entity_type": "lead",
        "created_by": user,
        "created_at": t,
        "value_after": [{"lead_status": {"id": after[1], "pipeline_id": after[0]}}],
        "value_before": [{"lead_status": {"id": before[1], "pipeline_id": before[0]}}],
        "account_id": demo.ACCOUNT_ID,
    }


def plant(dump: dict, as_of: dt.date) -> dict[str, int]:
    """Plant the audit's findings (:data:`PLANTED`) in ``dump`` (changed in place); returns what was planted
    (fewer than planned only when a small demo lacks candidates)."""
    lo, hi = _month_before(as_of)
    leads = [d for d in dump["leads"] if not d.get("is_deleted")]
    pipelines = {p["id"]: p for p in dump["pipelines"]}
    open_ids = {
        (p["id"], s["id"])
        for p in dump["pipelines"]
        for s in p["_embedded"]["statuses"]
        if s["type"] == 0 and s["id"] not in (WON, LOST)
    }
    used: set[int] = set()
    done: dict[str, int] = {}

    def take(cands, n: int) -> list[dict]:
        out = []
        for d in sorted(cands, key=lambda d: d["id"]):
            if len(out) == n:
                break
            if d["id"] not in used:
                used.add(d["id"])
                out.append(d)
        return out

    closed_in = lambda d, status: d["status_id"] == status and d.get("closed_at") and lo <= d["closed_at"] < hi  # noqa: E731
    # won deals without an amount, lost ones without a reason
    won = take([d for d in leads if closed_in(d, WON) and d.get("price")], PLANTED["won_no_amount"])
    for k, d in enumerate(won):
        d["price"] = None if k % 2 == 0 else 0
    done["won_no_amount"] = len(won)
    lost = take([d for d in leads if closed_in(d, LOST) and d.get("loss_reason_id")], PLANTED["lost_no_reason"])
    for d in lost:
        d["loss_reason_id"] = None
        d["_embedded"]["loss_reason"] = []
    done["lost_no_reason"] = len(lost)
    # deals created in the month without a source / without a contact (closed ones: no open-deal finding moves)
    created_closed = [d for d in leads if lo <= d["created_at"] < hi and d["status_id"] in (WON, LOST)]
    nosrc = take([d for d in created_closed if d.get("price")], PLANTED["no_source"])
    for d in nosrc:
        d["source_id"] = None
        d["_embedded"]["source"] = None
    done["no_source"] = len(nosrc)
    nocon = take(created_closed, PLANTED["no_contact"])
    for d in nocon:
        d["_embedded"]["contacts"] = []
        d["_embedded"]["companies"] = []
    done["no_contact"] = len(nocon)

    # open deals at as-of (the snapshot): their current stage is open
    opened = [d for d in leads if (d["pipeline_id"], d["status_id"]) in open_ids and not d.get("closed_at")]
    last_move: dict[int, int] = {}
    for e in dump["events"]:
        if e.get("type") in ("lead_status_changed", "lead_added"):
            last_move[e["entity_id"]] = max(last_move.get(e["entity_id"], 0), e["created_at"])
    contact_of = lambda d: (d["_embedded"].get("contacts") or [{}])[0].get("id")  # noqa: E731
    open_by_contact: dict[tuple, int] = {}
    for d in opened:
        key = (contact_of(d), d["pipeline_id"])
        open_by_contact[key] = open_by_contact.get(key, 0) + 1

    # deals moved one open stage back within the month
    def earlier(d):
        stages = sorted(
            (
                s
                for s in pipelines[d["pipeline_id"]]["_embedded"]["statuses"]
                if (d["pipeline_id"], s["id"]) in open_ids
            ),
            key=lambda s: s["sort"],
        )
        ids = [s["id"] for s in stages]
        k = ids.index(d["status_id"])
        return ids[k - 1] if k > 0 else None

    back = take([d for d in opened if last_move.get(d["id"], 0) < lo and earlier(d)], PLANTED["moved_back"])
    for k, d in enumerate(back):
        t = lo + (k + 1) * 3 * demo.DAY + 11 * demo.HOUR
        to = earlier(d)
        dump["events"].append(
            _status_event(
                d["id"], t, d["responsible_user_id"], (d["pipeline_id"], d["status_id"]), (d["pipeline_id"], to)
            )
        )
        d["status_id"] = to
        d["updated_at"] = max(d["updated_at"], t)
    done["moved_back"] = len(back)

    # duplicate open deals: a later open deal re-pointed at an older open deal's contact (both alone till now)
    alone = [d for d in opened if d["id"] not in used and open_by_contact.get((contact_of(d), d["pipeline_id"])) == 1]
    alone.sort(key=lambda d: (d["pipeline_id"], d["created_at"], d["id"]))
    pairs = []
    for a, b in zip(alone[0::2], alone[1::2]):
        if len(pairs) == PLANTED["dup_deals"]:
            break
        if a["pipeline_id"] == b["pipeline_id"] and contact_of(a) and contact_of(b):
            pairs.append((a, b))
    for a, b in pairs:
        used.update((a["id"], b["id"]))
        b["_embedded"]["contacts"] = [dict(a["_embedded"]["contacts"][0])]
        b["_embedded"]["companies"] = list(a["_embedded"].get("companies") or [])
    done["dup_deals"] = len(pairs)

    # an idle manager: open deals handed to the manager who left
    left = next((u for u in dump["users"] if not u["rights"]["is_active"]), None)
    if left is not None:
        idle = take([d for d in opened if d["pipeline_id"] == demo.MAIN.id], IDLE_DEALS)
        for d in idle:
            d["responsible_user_id"] = left["id"]
            d["group_id"] = left["rights"]["group_id"]
        done["idle_managers"] = 1 if idle else 0

    done["dup_contacts"] = _plant_contacts(dump, lo)
    done["missed_calls"] = _plant_missed_calls(dump, lo)
    done["unused_stages"] = _plant_unused_stage(dump)
    done["skipped_stages"] = _plant_skipped_stage(dump, hi)
    return done


def _plant_contacts(dump: dict, lo: int) -> int:
    """New contacts duplicating existing ones (by phone, e-mail, or name within a company)."""
    contacts = dump.get("contacts") or []
    if not contacts:
        return 0
    ordered = sorted(contacts, key=lambda c: c["id"])
    step = max(1, len(ordered) // 40)
    pool = ordered[::step]
    next_id = max(c["id"] for c in contacts) + 1000
    emails = [c for c in pool if _field(c, "EMAIL")]
    companies = [c for c in pool if (c["_embedded"].get("companies") or [])]
    picks: list[tuple[dict, str]] = []
    seen: set[int] = set()
    for kind, cands, n in (("phone", pool, 4), ("email", emails, 2), ("name", companies, 2)):
        for c in cands:
            if sum(1 for _, k in picks if k == kind) == n:
                break
            if c["id"] not in seen:
                seen.add(c["id"])
                picks.append((c, kind))
    for k, (orig, kind) in enumerate(picks):
        dup = copy.deepcopy(orig)
        dup["id"] = next_id + k
        dup["created_at"] = dup["updated_at"] = lo + k * demo.DAY + 10 * demo.HOUR
        dup["_links"] = {"self": {"href": f"{demo.BASE_URL}/api/v4/contacts/{dup['id']}"}}
        phone = _field(orig, "PHONE")
        fields = []
        if kind == "phone":
            d = "".join(ch for ch in phone if ch.isdigit())[-10:]
            fields.append(_multitext("PHONE", f"8 ({d[:3]}) {d[3:6]}-{d[6:8]}-{d[8:]}"))
            dup["name"] = f"{orig['first_name']} (дубль)"
            dup["_embedded"]["companies"] = []
        elif kind == "email":
            fields.append(_multitext("EMAIL", _field(orig, "EMAIL").upper()))
            dup["name"] = f"{orig['first_name']} {orig['last_name'][0]}."
            dup["_embedded"]["companies"] = []
        else:  # the same name in the same company, no phone or e-mail of its own
            dup["name"] = orig["name"].upper()
        dup["custom_fields_values"] = fields
        contacts.append(dup)
    return len(picks)


def _field(contact: dict, code: str) -> str | None:
    for f in contact.get("custom_fields_values") or []:
        if f.get("field_code") == code and f.get("values"):
            return str(f["values"][0]["value"])
    return None


def _multitext(code: str, value: str) -> dict:
    return {
        "field_id": 1_204_101 if code == "PHONE" else 1_204_103,
        "field_name": "Телефон" if code == "PHONE" else "Email",
        "field_code": code,
        "field_type": "multitext",
        "values": [{"value": value, "enum_id": 3_011_001}],
    }


def _plant_missed_calls(dump: dict, lo: int) -> int:
    """Missed inbound calls from numbers the account does not know (no deal, no contact), never called back."""
    notes = dump.setdefault("notes", {}).setdefault("contacts", [])
    user = next(u for u in dump["users"] if u["rights"]["is_active"])
    for k in range(PLANTED["missed_calls"]):
        t = lo + (2 + 4 * k) * demo.DAY + 15 * demo.HOUR
        note_id = 990_000_001 + k
        contact = 990_500_001 + k  # an unknown caller: amoCRM makes a contact for the number
        notes.append(
            {
                "id": note_id,
                "entity_id": contact,
                "created_by": user["id"],
                "updated_by": user["id"],
                "created_at": t,
                "updated_at": t,
                "responsible_user_id": user["id"],
                "group_id": user["rights"]["group_id"],
                "note_type": "call_in",
                "params": {
                    "uniq": f"audit-missed-{k}",
                    "duration": 0,
                    "source": "Mango Office",
                    "link": None,
                    "phone": f"+7999000{k:04d}",
                    "call_status": 6,
                    "call_result": "Не дозвонились",
                    "call_responsible": user["id"],
                },
                "account_id": demo.ACCOUNT_ID,
            }
        )
    return PLANTED["missed_calls"]


def _plant_unused_stage(dump: dict) -> int:
    """An open stage nobody uses, appended to the repeat pipeline's open stages."""
    pipe = next(p for p in dump["pipelines"] if p["id"] == demo.REPEAT.id)
    statuses = pipe["_embedded"]["statuses"]
    last_open = max(s["sort"] for s in statuses if s["id"] not in (WON, LOST))
    name, sid = UNUSED_STAGE
    statuses.append(
        {
            "id": sid,
            "name": name,
            "sort": last_open + 10,
            "is_editable": True,
            "pipeline_id": pipe["id"],
            "color": "#eb93ff",
            "type": 0,
            "account_id": demo.ACCOUNT_ID,
        }
    )
    statuses.sort(key=lambda s: s["sort"])
    return 1


def _plant_skipped_stage(dump: dict, hi: int) -> int:
    """Cut most visits to :data:`SKIPPED_STAGE` within the last year: the move into it disappears and the move
    out of it starts from the stage before."""
    pipe = next(p for p in dump["pipelines"] if p["id"] == demo.REPEAT.id)
    sid = next(s["id"] for s in pipe["_embedded"]["statuses"] if s["name"] == SKIPPED_STAGE)
    since = hi - 365 * demo.DAY
    into: dict[int, dict] = {}
    out_of: dict[int, dict] = {}
    for e in dump["events"]:
        if e.get("type") != "lead_status_changed":
            continue
        after = e["value_after"][0]["lead_status"]
        before = e["value_before"][0]["lead_status"]
        if after["id"] == sid and after["pipeline_id"] == pipe["id"] and e["created_at"] >= since:
            into[e["entity_id"]] = e
        elif before["id"] == sid and before["pipeline_id"] == pipe["id"]:
            out_of[e["entity_id"]] = e
    cut = set()
    for k, lid in enumerate(sorted(lid for lid in into if lid in out_of)):
        if k % SKIP_EVERY:
            e_in, e_out = into[lid], out_of[lid]
            e_out["value_before"] = copy.deepcopy(e_in["value_before"])
            cut.add(id(e_in))
    dump["events"] = [e for e in dump["events"] if id(e) not in cut]
    return 1 if cut else 0


# ---- the second demo account ---------------------------------------------------------------------------------

SECOND = {
    "name": "УралСнаб",
    "subdomain": "uralsnab",
    "account_id": 40211377,
    "timezone": "Asia/Yekaterinburg",
    "timezone_offset": "+05:00",
    "currency": "KZT",
    "currency_symbol": "₸",
    "price_factor": 5,  # roubles to tenge, roughly
    "seed": 11,
    "deals": 3000,
    "months": 13,
}
SECOND_MANAGERS = [
    "Айгуль Сейткали",
    "Руслан Хабибуллин",
    "Олеся Бажова",
    "Тимур Ахметов",
    "Ксения Мамина",
    "Василий Татищев",
    "Дина Нуриева",
    "Артём Демидов",
    "Алия Жумабаева",
    "Степан Уральцев",
    "Лариса Крылова",
    "Ерлан Сатпаев",
    "Нина Рябова",
]
ID_OFFSET = {"lead": 500_000_000, "contact": 500_000_000, "company": 500_000_000, "user": 50_000_000}


def second_dump(as_of: dt.date) -> dict:
    """The second demo account's dump: «УралСнаб», Yekaterinburg time, tenge, 3,000 deals over 13 months, with
    the audit's findings planted; no id, manager or deal name shared with the first account."""
    s = SECOND
    dump = demo.generate(seed=s["seed"], as_of=as_of, n_deals=s["deals"], months=s["months"])
    plant(dump, as_of)
    acc = dump["account"]
    acc.update(id=s["account_id"], name=s["name"], subdomain=s["subdomain"], currency=s["currency"])
    acc["currency_symbol"] = s["currency_symbol"]
    acc["_embedded"]["datetime_settings"].update(timezone=s["timezone"], timezone_offset=s["timezone_offset"])
    L, C, U = ID_OFFSET["lead"], ID_OFFSET["contact"], ID_OFFSET["user"]
    user = lambda v: v + U if v else v  # noqa: E731  (0: a robot)
    names = {}
    for k, u in enumerate(dump["users"]):
        names[u["id"]] = SECOND_MANAGERS[k % len(SECOND_MANAGERS)]
        u["id"] = user(u["id"])
        u["name"] = names[u["id"] - U]
        u["email"] = f"user{k + 1}@uralsnab.kz"
    acc["current_user_id"] = user(acc.get("current_user_id"))
    for d in dump["leads"]:
        d["id"] += L
        if d.get("is_deleted") and "name" not in d:
            continue
        d["name"] = str(d.get("name") or "").replace("ООО «", "ТОО «")
        if d.get("price"):
            d["price"] = int(d["price"]) * s["price_factor"]
        for key in ("responsible_user_id", "created_by", "updated_by"):
            d[key] = user(d.get(key))
        emb = d.get("_embedded") or {}
        for c in emb.get("contacts") or []:
            c["id"] += C
        for c in emb.get("companies") or []:
            c["id"] += C
    for e in dump["events"]:
        e["entity_id"] += L
        e["created_by"] = user(e.get("created_by"))
        e["id"] = f"u{e['id']}"
        for side in ("value_before", "value_after"):
            for v in e.get(side) or []:
                if "responsible_user" in v:
                    v["responsible_user"]["id"] = user(v["responsible_user"]["id"])
    for entity, items in dump["notes"].items():
        for n in items:
            n["id"] += L
            n["entity_id"] += L if entity == "leads" else C
            for key in ("created_by", "updated_by", "responsible_user_id"):
                n[key] = user(n.get(key))
            n["params"]["call_responsible"] = user(n["params"].get("call_responsible"))
    for t in dump["tasks"]:
        t["id"] += L
        t["entity_id"] += L
        for key in ("created_by", "updated_by", "responsible_user_id"):
            t[key] = user(t.get(key))
    for u in dump["unsorted"]:
        u["uid"] = f"u{u['uid'][1:]}"
        emb = u.get("_embedded") or {}
        for x in emb.get("leads") or []:
            x["id"] += L
        for x in (emb.get("contacts") or []) + (emb.get("companies") or []):
            x["id"] += C
        meta = u.get("metadata") or {}
        for key in ("accepted_by", "declined_by"):
            if meta.get(key):
                meta[key] = user(meta[key])
    for c in dump.get("contacts") or []:
        c["id"] += C
        for key in ("responsible_user_id", "created_by", "updated_by"):
            c[key] = user(c.get(key))
        for x in (c.get("_embedded") or {}).get("companies") or []:
            x["id"] += C
    for c in dump.get("companies") or []:
        c["id"] += C
        for key in ("responsible_user_id", "created_by", "updated_by"):
            c[key] = user(c.get(key))
    return dump


def load_second(store_path, as_of: dt.date | None = None) -> dict[str, int]:
    """Write the second demo account (:func:`second_dump`) to the store at ``store_path``."""
    from .. import store
    from . import mapping

    as_of = as_of or demo.default_as_of()
    dump = second_dump(as_of)
    synced_at = dt.datetime.fromtimestamp(demo.moscow_midnight(as_of), tz=dt.UTC)
    tables = mapping.dump_to_tables(dump, synced_at=synced_at, source="demo")
    store.write_full(store_path, tables, what="demo")
    return {name: len(df) for name, df in tables.items()}
