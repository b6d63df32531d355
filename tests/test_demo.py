"""The embedded demo account: deterministic, API-shaped, and realistic enough for every report."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import duckdb
import pandas as pd
import pytest

from crmreports import store
from crmreports.sources import demo, demo_store, mapping

AS_OF = dt.date(2026, 5, 1)
END = pd.Timestamp("2026-04-30 21:00")  # as_of midnight in Moscow, as naive UTC
N_DEALS = 3000


def _digest(obj) -> str:
    return hashlib.sha256(json.dumps(obj, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


@pytest.fixture(scope="module")
def dump() -> dict:
    return demo.generate(seed=7, as_of=AS_OF, n_deals=N_DEALS)


@pytest.fixture(scope="module")
def tables(dump) -> dict[str, pd.DataFrame]:
    synced = dt.datetime(2026, 4, 30, 21, tzinfo=dt.UTC)
    return mapping.dump_to_tables(dump, synced_at=synced, source="demo")


@pytest.fixture(scope="module")
def leads(tables) -> pd.DataFrame:
    """Live (not deleted) leads with the kind of their current status and the manager's name."""
    st = tables["statuses"]
    kind = dict(zip(zip(st["pipeline_id"], st["id"]), st["kind"]))
    live = tables["leads"][~tables["leads"]["is_deleted"]].copy()
    live["kind"] = [kind.get((p, s)) for p, s in zip(live["pipeline_id"], live["status_id"])]
    return live


# ---- determinism and shape -------------------------------------------------------------------


def test_same_arguments_give_identical_dump(dump):
    assert _digest(demo.generate(seed=7, as_of=AS_OF, n_deals=N_DEALS)) == _digest(dump)
    assert _digest(demo.generate(seed=8, as_of=AS_OF, n_deals=300)) != _digest(
        demo.generate(seed=7, as_of=AS_OF, n_deals=300)
    )


def test_dump_has_the_documented_keys_and_sizes(dump):
    assert set(dump) == {
        "account",
        "users",
        "pipelines",
        "loss_reasons",
        "sources",
        "leads",
        "events",
        "notes",
        "tasks",
        "unsorted",
        "contacts",
        "companies",
    }
    assert set(dump["notes"]) >= {"leads", "contacts"}
    assert len(dump["leads"]) == N_DEALS
    assert 4 <= len(dump["events"]) / N_DEALS <= 6
    assert 2 <= sum(len(v) for v in dump["notes"].values()) / N_DEALS <= 4


def test_records_look_like_api_v4(dump):
    acc = dump["account"]
    assert acc["currency"] == "RUB"
    assert acc["_embedded"]["datetime_settings"]["timezone"] == "Europe/Moscow"
    types = {t["id"]: t for t in acc["_embedded"]["task_types"]}
    assert (types[1]["code"], types[2]["code"], types[3]["name"]) == ("FOLLOW_UP", "MEETING", "Звонок")
    assert len(acc["_embedded"]["users_groups"]) >= 2

    live = [d for d in dump["leads"] if not d.get("is_deleted")]
    for lead in live[:200]:
        assert lead["custom_fields_values"] is None
        emb = lead["_embedded"]
        assert emb["contacts"][0]["is_main"] is True
        assert set(emb["source"]) == {"id", "name"} and isinstance(emb["tags"], list)
        assert isinstance(emb["loss_reason"], list)
        assert isinstance(lead["created_at"], int) and isinstance(lead["price"], int)
    for e in dump["events"][:500]:
        assert isinstance(e["id"], str) and e["entity_type"] == "lead"
        if e["type"] == "lead_status_changed":
            assert set(e["value_before"][0]["lead_status"]) == {"id", "pipeline_id"}
        if e["type"] == "entity_responsible_changed":
            assert "id" in e["value_after"][0]["responsible_user"]
    for t in dump["tasks"]:
        assert t["result"] == [] if not t["is_completed"] else set(t["result"]) == {"text"}
        assert t["entity_type"] == "leads" and t["task_type_id"] in (1, 2, 3)
    for n in dump["notes"]["leads"][:300] + dump["notes"]["contacts"][:300]:
        assert n["note_type"] in ("call_in", "call_out")
        assert set(n["params"]) >= {"uniq", "duration", "source", "phone", "call_status"}
        assert 1 <= n["params"]["call_status"] <= 8
        assert (n["params"]["duration"] > 0) == (n["params"]["call_status"] == 4)
    for u in dump["unsorted"]:
        int(u["uid"], 16)
        assert u["category"] in ("sip", "mail", "forms", "chats")
        assert u["_embedded"]["leads"][0]["id"] and u["_embedded"]["contacts"][0]["id"]


def test_every_timestamp_is_before_as_of(dump):
    """Every *_at value (deadlines of open tasks excepted) lies before midnight Moscow of as_of."""
    end = demo.moscow_midnight(AS_OF)
    assert end == int(END.tz_localize("UTC").timestamp())
    found = []

    def walk(obj):
        if isinstance(obj, dict):
            for key, value in obj.items():
                if key.endswith("_at") and key != "closest_task_at" and isinstance(value, int):
                    found.append(value)
                walk(value)
        elif isinstance(obj, list):
            for value in obj:
                walk(value)

    walk(dump)
    assert len(found) > 10 * N_DEALS
    assert max(found) < end
    first_day = demo.moscow_midnight(dt.date(2024, 4, 1))  # 25 months before as_of
    created = [d["created_at"] for d in dump["leads"] if "created_at" in d]
    assert min(created) >= first_day and max(created) >= end - 7 * 86400


# ---- the account's people and pipelines ------------------------------------------------------


def test_managers_groups_and_roles(dump, tables, leads):
    users = tables["users"]
    assert 11 <= len(users) <= 12
    assert users["group_name"].nunique() == 2 and users["group_name"].notna().all()
    assert set(users["id"]) == set(leads["responsible_user_id"])  # every manager has deals
    inactive = users[~users["is_active"]]
    assert len(inactive) == 1
    left = leads[leads["responsible_user_id"] == inactive["id"].iloc[0]]
    assert len(left) > 20 and (left["kind"] == "open").sum() == 0
    assert left["created_at"].max() < END - pd.Timedelta(days=200)
    first_deal = leads.groupby("responsible_user_id")["created_at"].min()
    assert ((END - first_deal) < pd.Timedelta(days=130)).sum() == 1  # one joined recently

    closed = leads[leads["kind"].isin(["won", "lost"])]
    rates = closed.groupby("responsible_user_id")["kind"].apply(lambda s: (s == "won").mean())
    assert rates.max() - rates.min() > 0.12


def test_quiet_manager_has_very_few_recent_calls(tables):
    users = tables["users"]
    calls = tables["calls"]
    last = calls[calls["at"] >= END - pd.Timedelta(days=30)]
    per_user = last.groupby("user_id").size().reindex(users.loc[users["is_active"], "id"], fill_value=0)
    assert per_user.min() < 15
    assert per_user.median() > 3 * max(per_user.min(), 1)


def test_pipelines_and_statuses(tables, leads):
    pipes, st = tables["pipelines"], tables["statuses"]
    assert len(pipes) == 2 and pipes["is_main"].sum() == 1
    for pid in pipes["id"]:
        ids = set(st.loc[st["pipeline_id"] == pid, "id"])
        assert {142, 143} <= ids
        kinds = leads.loc[leads["pipeline_id"] == pid, "kind"]
        assert (kinds == "won").any() and (kinds == "lost").any()
    others = st[~st["id"].isin([142, 143])]
    assert others["id"].is_unique and others["id"].between(10_000_000, 99_999_999).all()
    main = pipes.loc[pipes["is_main"], "id"].iloc[0]
    assert (st.loc[st["kind"] == "unsorted", "pipeline_id"] == main).all()
    assert 6 <= (st.loc[st["pipeline_id"] == main, "kind"] == "open").sum() <= 8


def test_open_deals_remain_some_stale(leads):
    open_ = leads[leads["kind"] == "open"]
    assert 0.02 * N_DEALS < len(open_) < 0.10 * N_DEALS
    assert (open_["created_at"] < END - pd.Timedelta(days=180)).sum() >= 3


def test_history_has_seasonality_and_growth(leads):
    month = leads["created_at"].dt.month
    year_ago = END - pd.Timedelta(days=365)
    recent = (leads["created_at"] >= year_ago).sum()
    before = ((leads["created_at"] < year_ago) & (leads["created_at"] >= year_ago - pd.Timedelta(days=365))).sum()
    assert 1.1 < recent / before < 1.5
    by_month = leads.groupby(month).size()
    assert by_month[1] < 0.8 * by_month[3] and by_month[5] < 0.85 * by_month[11]


# ---- stage history ---------------------------------------------------------------------------


def test_stage_changes_include_skips_back_moves_and_pipeline_switches(tables):
    sc, st = tables["stage_changes"], tables["statuses"]
    sort = dict(zip(zip(st["pipeline_id"], st["id"]), st["sort"]))
    moves = sc.dropna(subset=["from_status_id"])
    f = pd.Series([sort.get(k) for k in zip(moves["from_pipeline_id"], moves["from_status_id"])], index=moves.index)
    t = pd.Series([sort.get(k) for k in zip(moves["to_pipeline_id"], moves["to_status_id"])], index=moves.index)
    same = (moves["from_pipeline_id"] == moves["to_pipeline_id"]) & (t < 10000)
    assert (same & (t - f > 10)).sum() > 0  # a jump over a stage
    assert (same & (t < f)).sum() > 0  # a move back
    assert (moves["from_pipeline_id"] != moves["to_pipeline_id"]).sum() > 0
    assert f.notna().all() and t.notna().all()
    added = sc[sc["from_status_id"].isna()]
    assert len(added) == N_DEALS


def test_closed_at_is_the_move_to_won_or_lost(tables, leads):
    sc = tables["stage_changes"]
    final = sc[sc["to_status_id"].isin([142, 143])].groupby("lead_id")["at"].max()
    closed = leads[leads["kind"].isin(["won", "lost"])].set_index("id")
    assert (closed["closed_at"] == final.reindex(closed.index)).all()
    assert leads.loc[leads["kind"] == "open", "closed_at"].isna().all()
    lost = leads[leads["kind"] == "lost"]
    assert lost["loss_reason_id"].notna().all() and lost["loss_reason_id"].nunique() >= 6
    assert leads.loc[leads["kind"] != "lost", "loss_reason_id"].isna().all()


def test_losses_happen_mostly_early(tables, leads):
    sc, st = tables["stage_changes"], tables["statuses"]
    main = tables["pipelines"].loc[tables["pipelines"]["is_main"], "id"].iloc[0]
    to_lost = sc[(sc["to_status_id"] == 143) & (sc["to_pipeline_id"] == main)]
    sort = dict(zip(st.loc[st["pipeline_id"] == main, "id"], st.loc[st["pipeline_id"] == main, "sort"]))
    stage_sort = to_lost["from_status_id"].map(sort)
    assert stage_sort.nunique() >= 6
    assert (stage_sort <= 30).mean() > 0.4


def test_handovers_and_deleted_leads(dump, tables):
    assert len(tables["responsible_changes"]) > 5
    deleted = tables["leads"][tables["leads"]["is_deleted"]]
    events = {e["entity_id"] for e in dump["events"] if e["type"] == "lead_deleted"}
    assert len(deleted) > 10 and set(deleted["id"]) == events


# ---- sources, contacts, unsorted -------------------------------------------------------------


def test_sources_differ_in_volume_and_win_rate(tables, leads):
    assert set(tables["sources"]["name"]) >= {
        "Сайт",
        "Яндекс Директ",
        "Входящий звонок",
        "Рекомендация",
        "Авито",
        "VK Реклама",
        "Выставка",
    }
    assert leads["source"].notna().all()
    closed = leads[leads["kind"].isin(["won", "lost"])]
    rates = closed.groupby("source")["kind"].apply(lambda s: (s == "won").mean())
    assert rates["Рекомендация"] > 2 * rates["Авито"]
    assert leads["tags"].str.contains("VIP", na=False).any()


def test_repeat_customers(leads):
    per_contact = leads.groupby("contact_id").size()
    assert (per_contact >= 2).sum() > 0.03 * N_DEALS
    won = leads[leads["kind"] == "won"].groupby("contact_id").size()
    assert (won >= 2).sum() > 20


def test_unsorted_outcomes(tables):
    un, st = tables["unsorted"], tables["statuses"]
    assert 0.25 <= len(un) / N_DEALS <= 0.35
    counts = un["outcome"].value_counts()
    assert counts.get("accepted", 0) > 0 and counts.get("pending", 0) > 0
    assert 0.08 <= counts.get("declined", 0) / len(un) <= 0.18
    assert set(un["category"]) == {"sip", "mail", "forms", "chats"}
    leads = tables["leads"].set_index("id")
    assert leads.loc[un.loc[un["outcome"] == "declined", "lead_id"], "is_deleted"].all()
    unsorted_id = st.loc[st["kind"] == "unsorted", "id"].iloc[0]
    assert (leads.loc[un.loc[un["outcome"] == "pending", "lead_id"], "status_id"] == unsorted_id).all()
    acc = un[un["outcome"] == "accepted"]
    delay = (acc["decided_at"] - acc["created_at"]).dt.total_seconds()
    assert (delay > 0).all() and (delay > 86400).any() and (delay < 3600).mean() > 0.3
    per_user = delay.groupby(acc["decided_by"]).median()
    assert per_user.max() > 5 * per_user.min()


# ---- calls and tasks -------------------------------------------------------------------------


def test_calls_on_contacts_are_attributed_to_deals(dump, tables):
    calls = tables["calls"]
    on_contacts = calls[calls["id"].isin([n["id"] for n in dump["notes"]["contacts"]])]
    assert 0.3 < len(on_contacts) / len(calls) < 0.5
    assert on_contacts["lead_id"].notna().mean() > 0.97
    assert set(calls["direction"]) == {"in", "out"}
    assert {"answered", "no_answer", "busy", "not_available"} <= set(calls["status"])
    assert (calls.loc[~calls["is_answered"], "duration_s"] == 0).all()


def test_tasks_have_types_results_and_overdue(tables, leads):
    tasks = tables["tasks"]
    assert set(tasks["type"]) == {"follow_up", "meeting", "call"}
    done = tasks[tasks["is_completed"]]
    assert (done["completed_at"] >= done["created_at"]).all() and (done["completed_at"] < END).all()
    open_tasks = tasks[~tasks["is_completed"]]
    assert (open_tasks["complete_till"] < END).sum() > 0 and (open_tasks["complete_till"] >= END).sum() > 0
    open_deals = leads.loc[leads["kind"] == "open", "id"]
    without = ~open_deals.isin(open_tasks["entity_id"])
    assert 0.05 < without.mean() < 0.6


# ---- the store -------------------------------------------------------------------------------


def test_load_demo_writes_the_store(tmp_path, dump):
    path = tmp_path / "demo.duckdb"
    counts = demo_store.load_demo(path, seed=7, as_of=AS_OF, n_deals=N_DEALS)
    expected = {
        "account",
        "users",
        "pipelines",
        "statuses",
        "loss_reasons",
        "sources",
        "leads",
        "stage_changes",
        "responsible_changes",
        "calls",
        "tasks",
        "unsorted",
        "contacts",
        "companies",
    }
    assert set(counts) == expected and all(counts[t] > 0 for t in expected)
    con = duckdb.connect(str(path), read_only=True)
    try:
        for table in expected:
            assert con.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] == counts[table]
        assert counts["leads"] == len(dump["leads"]) == N_DEALS
        source, synced = con.execute("SELECT source, synced_at FROM account").fetchone()
        assert source == "demo" and pd.Timestamp(synced) == END
    finally:
        con.close()
    data = store.load(path, tables=("leads", "stage_changes", "calls"))
    assert data.timezone == "Europe/Moscow" and len(data.leads) > 0.9 * N_DEALS
    assert data.leads["created_at"].max() < pd.Timestamp("2026-05-01")
