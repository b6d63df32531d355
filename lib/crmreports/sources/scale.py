"""A large synthetic store for scale benchmarks (1,000,000 deals / 20,000,000 stage changes by default).

The demo generator (:mod:`crmreports.sources.demo`) builds API-shaped records one deal at a time and maps them
like a live sync: right for a realistic demo account, far too slow for millions of rows. This module
writes the store tables directly: per-deal parameters are drawn with numpy (one vectorized draw per
column), and the big tables (stage changes, calls, tasks) are expanded from them inside DuckDB with
``unnest(range(n))``. The reference data (account, users, pipelines, stages, loss reasons, sources) is
the demo account's, so every report's parameters (managers, pipelines) work on the scale store too.

What the data looks like, per deal:

- created at a working hour of a day in the ``months`` months before ``as_of`` (volume grows ~25 % a
  year); 83 % in the main pipeline, 17 % in the repeat-sales pipeline;
- a cycle (log-normal, median ~20 days, longer for some managers); a deal whose cycle ends before
  ``as_of`` is closed, won with the manager's win probability, otherwise lost at a stage drawn with
  the demo's stage-of-loss weights; the rest are still open at the stage their age has reached;
- its stage history walks forward through the open stages, with back-and-forth moves (returns to the
  previous stage and forward again) so that a deal has ``events_per_deal`` stage changes on average;
- about 30 % of main-pipeline deals arrive as unsorted (form, chat, call, mail) and are accepted,
  declined (the deal is deleted) or still pending;
- calls (≈3.4 per deal, a quarter inbound, a third unanswered) and tasks (≈1.9 per deal).

The result is deterministic for the same arguments.
"""

from __future__ import annotations

import logging
import os
import time
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from .. import store
from . import demo, mapping

log = logging.getLogger(__name__)

WON, LOST = mapping.WON_STATUS_ID, mapping.LOST_STATUS_ID
REF_TABLES = ("account", "users", "pipelines", "statuses", "loss_reasons", "sources")
PRODUCTS = [
    "Поставка оборудования",
    "Монтаж и пусконаладка",
    "Сервисный договор",
    "Запчасти",
    "Модернизация линии",
    "Расходные материалы",
    "Обучение персонала",
    "Аренда техники",
]
CALL_STATUSES = [
    ("answered", 0.62, True),
    ("no_answer", 0.20, False),
    ("busy", 0.07, False),
    ("not_available", 0.05, False),
    ("voicemail", 0.03, False),
    ("callback_later", 0.02, False),
    ("wrong_number", 0.01, False),
]
TASK_TYPES = [("follow_up", 1, 0.5), ("call", 3, 0.27), ("meeting", 2, 0.23)]
UNSORTED_CATEGORY = {
    "Сайт": "forms",
    "Яндекс Директ": "forms",
    "Входящий звонок": "sip",
    "Рекомендация": "mail",
    "Авито": "chats",
    "VK Реклама": "chats",
}


def _epoch(d: date) -> int:
    """Unix seconds of midnight Moscow time at ``d`` (the demo account's day boundary)."""
    return int(datetime(d.year, d.month, d.day, tzinfo=UTC).timestamp()) - demo.MSK_OFFSET


def _reference(seed: int, as_of: date, months: int) -> dict[str, pd.DataFrame]:
    """The demo account's reference tables (a 200-deal demo run: under a second)."""
    dump = demo.generate(seed=seed, as_of=as_of, n_deals=200, months=months)
    synced = datetime.fromtimestamp(_epoch(as_of), tz=UTC)
    tables = mapping.dump_to_tables(dump, synced_at=synced, source="scale")
    tables["account"] = tables["account"].assign(source="scale")
    return {name: tables[name] for name in REF_TABLES}


def _stage_lists(statuses: pd.DataFrame, pipelines: pd.DataFrame) -> dict[int, list[int]]:
    """Open stage ids of each pipeline in funnel order."""
    out = {}
    for pid in pipelines["id"]:
        s = statuses[(statuses["pipeline_id"] == pid) & (statuses["kind"] == "open")].sort_values(["sort", "id"])
        out[int(pid)] = [int(x) for x in s["id"]]
    return out


def _plan(
    rng: np.random.Generator, ref: dict[str, pd.DataFrame], n: int, events_per_deal: int, as_of: date, months: int
) -> pd.DataFrame:
    """One row per deal with everything the expansion into events, calls and tasks needs."""
    end_s = _epoch(as_of)
    start_s = _epoch(demo.add_months(demo.first_of_month(as_of), -months))
    span_days = (end_s - start_s) // 86400
    # creation day: density growing 25 % a year (inverse CDF of an exponential density)
    a = np.log(demo.YEARLY_GROWTH) / 365.0
    day = np.floor(np.log1p(rng.random(n) * np.expm1(a * span_days)) / a).astype(np.int64)
    created = start_s + day * 86400 + (9 * 3600 + rng.random(n) * 10 * 3600).astype(np.int64)  # 9:00-19:00 MSK
    created = np.minimum(np.sort(created), end_s - 3600)

    users = ref["users"].reset_index(drop=True)
    specs = {m.name: m for m in demo.MANAGERS}
    share = np.array([specs[nm].share if nm in specs else 1.0 for nm in users["name"]])
    win = np.array([specs[nm].win if nm in specs else 0.2 for nm in users["name"]])
    cyc = np.array([specs[nm].cycle_days if nm in specs else 20.0 for nm in users["name"]])
    u_idx = rng.choice(len(users), size=n, p=share / share.sum())
    # deactivated managers stop getting deals half a year before the end of history
    inactive = ~users["is_active"].fillna(True).to_numpy(bool)
    late = created > end_s - 183 * 86400
    moved = inactive[u_idx] & late
    u_idx[moved] = (u_idx[moved] + 1) % len(users)

    pipes = ref["pipelines"].sort_values("sort").reset_index(drop=True)
    is_repeat = (rng.random(n) < demo.REPEAT_SHARE) & (len(pipes) > 1)
    p_idx = is_repeat.astype(np.int64)
    spec = [demo.MAIN, demo.REPEAT]
    n_stages = np.array([len(s.stages) for s in spec])[p_idx]

    sources = ref["sources"].reset_index(drop=True)
    src_w = np.array([next((s.volume for s in demo.SOURCES if s.name == nm), 0.05) for nm in sources["name"]])
    s_idx = rng.choice(len(sources), size=n, p=src_w / src_w.sum())
    median_price = np.array([s.median_price for s in spec])[p_idx]
    price = np.round(median_price * np.exp(rng.normal(0, 0.6, n)) / 500) * 500

    # incoming unsorted: main pipeline, sources with an inbox
    cats = np.array([UNSORTED_CATEGORY.get(nm, "") for nm in sources["name"]], dtype=object)
    category = cats[s_idx]
    has_unsorted = (~is_repeat) & (category != "") & (rng.random(n) < 0.45)
    u_out = rng.random(n)
    declined = has_unsorted & (u_out < demo.DECLINE_SHARE)
    pending = has_unsorted & ~declined & (created > end_s - 2 * 86400) & (u_out > 0.8)

    # outcome: a deal whose cycle ends before the end of history is closed
    cycle = (
        np.maximum(0.5, cyc[u_idx] * np.array([s.cycle_mult for s in spec])[p_idx] * np.exp(rng.normal(0, 0.8, n)))
        * 86400
    )
    close = created + cycle.astype(np.int64)
    closed = (close < end_s) & ~declined & ~pending
    won = closed & (rng.random(n) < np.clip(win[u_idx] * np.array([s.win_mult for s in spec])[p_idx] * 1.15, 0, 0.95))
    lost = closed & ~won
    # furthest open stage reached (0-based rank)
    k = np.zeros(n, dtype=np.int64)
    k[won] = n_stages[won] - 1
    for pi, s in enumerate(spec):
        sel = lost & (p_idx == pi)
        w = np.asarray(s.loss_weights, dtype=float)
        k[sel] = rng.choice(len(w), size=int(sel.sum()), p=w / w.sum())
    still_open = ~closed & ~declined & ~pending
    frac = (end_s - created) / cycle
    k[still_open] = np.minimum(n_stages[still_open] - 1, np.floor(frac[still_open] * n_stages[still_open])).astype(
        np.int64
    )
    # back-and-forth moves: b returns to the previous stage around stage c, mean filling events_per_deal
    target = np.maximum(0.0, (events_per_deal - 1 - k - closed - has_unsorted) / 2.0 + 0.45)  # +: deleted deals have 1
    b = np.floor(rng.random(n) * (2 * target + 1)).astype(np.int64)
    b[declined | pending] = 0
    k[declined | pending] = 0
    c = np.floor(rng.random(n) * np.maximum(k, 1)).astype(np.int64)
    c = np.minimum(c, np.maximum(k - 1, 0))
    # the last open-stage entry: before the close, or some time before the end of history
    end_open = np.where(closed, close, created + ((end_s - created) * (0.3 + 0.7 * rng.random(n))).astype(np.int64))
    last_open = created + ((end_open - created) * 0.9).astype(np.int64)

    status = np.full(n, -1, dtype=np.int64)
    status[won], status[lost] = WON, LOST
    lost_reason = ref["loss_reasons"]["id"].to_numpy(np.int64)
    reason = lost_reason[rng.integers(0, len(lost_reason), n)]

    return pd.DataFrame(
        {
            "lead_id": 30_000_001 + np.arange(n, dtype=np.int64),
            "p_idx": p_idx,
            "pipeline_id": pipes["id"].to_numpy(np.int64)[p_idx],
            "user_id": users["id"].to_numpy(np.int64)[u_idx],
            "group_id": users["group_id"].to_numpy(np.int64)[u_idx],
            "source_id": sources["id"].to_numpy(np.int64)[s_idx],
            "source": sources["name"].to_numpy(object)[s_idx],
            "price": price,
            "created_s": created,
            "close_s": np.where(closed, close, 0),
            "closed": closed,
            "final_status": status,
            "loss_reason_id": np.where(lost, reason, 0),
            "k": k,
            "b": b,
            "c": c,
            "last_open_s": last_open,
            "has_unsorted": has_unsorted,
            "declined": declined,
            "pending": pending,
            "category": np.where(has_unsorted, category, None),
            "contact_id": 40_000_001 + rng.integers(0, max(1, int(n * 0.85)), n),
            "company_id": np.where(rng.random(n) < 0.55, 50_000_001 + rng.integers(0, max(1, n // 3), n), 0),
            "vip": rng.random(n) < 0.03,
            "n_calls": rng.poisson(3.4, n),
            "n_tasks": rng.poisson(1.9, n),
            "seed": rng.integers(0, 2**31, n),
        }
    )


def _ts(expr: str) -> str:
    """SQL: Unix seconds to a naive UTC TIMESTAMP."""
    return f"make_timestamp(({expr})::BIGINT * 1000000)"


def _rank_sql(j: str) -> str:
    """SQL: the open-stage rank of a deal's j-th open-stage entry (forward walk with b returns at stage c)."""
    return f"CASE WHEN {j} <= c THEN {j} WHEN {j} <= c + 2 * b THEN c + (({j} - c) % 2) ELSE {j} - 2 * b END"


def _stage_sql(rank: str, lists: dict[int, list[int]], pipes: list[int]) -> str:
    arms = " ".join(f"WHEN pipeline_id = {pid} THEN {lists[pid]}[{rank} + 1]" for pid in pipes)
    return f"(CASE {arms} END)"


def _uniform(*parts: str) -> str:
    """SQL: a deterministic uniform [0, 1) number from a hash of ``parts``."""
    return f"((hash({', '.join(parts)}) >> 11)::DOUBLE / 9007199254740992.0)"


def build_scale_store(
    path: str | os.PathLike,
    n_deals: int = 1_000_000,
    events_per_deal: int = 20,
    seed: int = 7,
    as_of: date = date(2026, 11, 1),
    months: int = 25,
    memory_limit: str = "4GB",
) -> dict[str, int]:
    """Write a synthetic store of ``n_deals`` deals with ``events_per_deal`` stage changes each on average.

    The store is built in a temporary file next to ``path`` and moved over it when complete. Returns the
    row count per table.
    """
    if n_deals < 100 or events_per_deal < 2 or months < 1:
        raise ValueError(
            f"need n_deals >= 100, events_per_deal >= 2, months >= 1; got n_deals={n_deals}, "
            f"events_per_deal={events_per_deal}, months={months}"
        )
    started = time.perf_counter()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    ref = _reference(seed, as_of, months)
    plan = _plan(rng, ref, n_deals, events_per_deal, as_of, months)
    log.info("scale plan for %d deals drawn in %.1f s", n_deals, time.perf_counter() - started)
    lists = _stage_lists(ref["statuses"], ref["pipelines"])
    pipes = [int(p) for p in ref["pipelines"].sort_values("sort")["id"]]
    unsorted_id = ref["statuses"].loc[ref["statuses"]["kind"] == "unsorted", ["pipeline_id", "id"]]
    unsorted_sid = int(unsorted_id["id"].iloc[0]) if len(unsorted_id) else lists[pipes[0]][0]
    end_s = _epoch(as_of)
    with store.building(path, "demo --scale") as con:
        con.execute(f"SET memory_limit = '{memory_limit}'")
        con.execute("SET preserve_insertion_order = false")
        con.execute("SET enable_progress_bar = false")
        for name, df in ref.items():
            store.insert(con, name, df)
        con.register("plan_df", plan)
        con.execute("CREATE TEMP TABLE plan AS SELECT * FROM plan_df")
        con.unregister("plan_df")
        del plan
        counts = _write_big_tables(con, lists, pipes, unsorted_sid, end_s)
    counts = {**{name: len(df) for name, df in ref.items()}, **counts}
    log.info(
        "scale store written to %s in %.1f s (%.0f MB): %s",
        path,
        time.perf_counter() - started,
        path.stat().st_size / 2**20,
        ", ".join(f"{k}={v}" for k, v in counts.items()),
    )
    return counts


def _write_big_tables(
    con: duckdb.DuckDBPyConnection, lists: dict[int, list[int]], pipes: list[int], unsorted_sid: int, end_s: int
) -> dict[str, int]:
    main = pipes[0]
    products = str(PRODUCTS)
    t0 = time.perf_counter()
    updated = _ts("CASE WHEN closed THEN close_s WHEN declined OR pending THEN created_s + 600 ELSE last_open_s END")
    # leads: the current stage of an open deal is the last open-stage entry (rank k)
    con.execute(f"""
        INSERT INTO leads
        SELECT lead_id, {products}[(lead_id % {len(PRODUCTS)}) + 1] || ' — сделка ' || lead_id::VARCHAR,
               price, pipeline_id,
               CASE WHEN declined THEN NULL WHEN final_status > 0 THEN final_status
                    WHEN pending THEN {unsorted_sid} ELSE {_stage_sql("k", lists, pipes)} END,
               user_id, group_id, source_id, source, nullif(loss_reason_id, 0),
               CASE WHEN vip THEN 'VIP' END, contact_id, nullif(company_id, 0),
               CASE WHEN has_unsorted THEN 0 ELSE user_id END,
               {_ts("created_s")},
               {updated},
               CASE WHEN closed THEN {_ts("close_s")} END, declined
        FROM plan""")
    log.info("leads written in %.1f s", time.perf_counter() - t0)
    # stage changes: [unsorted entry] + (k + 2b + 1) open-stage entries + [close]
    t0 = time.perf_counter()
    con.execute("""
        CREATE TEMP TABLE ev AS
        SELECT lead_id, pipeline_id, user_id, created_s, last_open_s, close_s, closed, final_status, k, b, c,
               has_unsorted::INT AS us, declined, pending,
               unnest(range(0, CASE WHEN declined OR pending THEN 1
                                    ELSE has_unsorted::INT + k + 2 * b + 1 + closed::INT END)) AS e
        FROM plan""")
    n_open = "(us + k + 2 * b)"  # index of the last open-stage entry
    j, prev_j = "(e - us)", "(e - us - 1)"
    at = (
        f"CASE WHEN e = 0 THEN created_s WHEN closed AND e = {n_open} + 1 THEN close_s "
        f"ELSE created_s + floor((last_open_s - created_s) * e / greatest({n_open}, 1))::BIGINT END"
    )
    to_status = (
        f"CASE WHEN declined OR pending OR (us = 1 AND e = 0) THEN {unsorted_sid} "
        f"WHEN closed AND e = {n_open} + 1 THEN final_status ELSE {_stage_sql(_rank_sql(j), lists, pipes)} END"
    )
    from_status = (
        f"CASE WHEN e = 0 THEN NULL WHEN us = 1 AND e = 1 THEN {unsorted_sid} "
        f"ELSE {_stage_sql(_rank_sql(prev_j), lists, pipes)} END"
    )
    con.execute(f"""
        INSERT INTO stage_changes
        SELECT 'sc' || lead_id::VARCHAR || '-' || e::VARCHAR, lead_id, {_ts(at)},
               CASE WHEN e > 0 THEN CASE WHEN us = 1 AND e = 1 THEN {main} ELSE pipeline_id END END,
               {from_status}, CASE WHEN us = 1 AND e = 0 THEN {main} ELSE pipeline_id END, {to_status},
               CASE WHEN us = 1 AND e = 0 THEN 0 ELSE user_id END
        FROM ev""")
    con.execute("DROP TABLE ev")
    log.info("stage changes written in %.1f s", time.perf_counter() - t0)
    t0 = time.perf_counter()
    # a few hand-overs to a colleague
    con.execute(f"""
        INSERT INTO responsible_changes
        SELECT 'rc' || lead_id::VARCHAR, lead_id,
               {_ts("created_s + (greatest(close_s, last_open_s) - created_s) // 2")},
               (SELECT id FROM users ORDER BY id LIMIT 1), user_id, (SELECT id FROM users ORDER BY id LIMIT 1)
        FROM plan WHERE NOT declined AND {_uniform("lead_id", "'rc'")} < 0.006""")
    # unsorted items, under the demo account's inbox names
    inbox = " ".join(
        f"WHEN category = 'sip' THEN 'Mango Office' WHEN source = '{s.name}' THEN '{s.inbox}'"
        if i == 0
        else f"WHEN source = '{s.name}' THEN '{s.inbox}'"
        for i, s in enumerate(x for x in demo.SOURCES if x.inbox)
    )
    decision_delay = _uniform("lead_id", "1")
    con.execute(f"""
        INSERT INTO unsorted
        SELECT md5(lead_id::VARCHAR), CASE {inbox} ELSE source END, category, {main}, {_ts("created_s")},
               CASE WHEN declined THEN 'declined' WHEN pending THEN 'pending' ELSE 'accepted' END,
               CASE WHEN NOT pending THEN {_ts(f"created_s + 60 + floor({decision_delay} * 7200)")} END,
               CASE WHEN NOT pending THEN user_id END, lead_id, contact_id
        FROM plan WHERE has_unsorted""")
    # calls between creation and the last activity; a quarter inbound; ~38 % not answered
    cum, arms = 0.0, []
    for name, p, ok in CALL_STATUSES:
        cum += p
        arms.append((name, cum, ok))
    status_case = (
        "CASE "
        + " ".join(f"WHEN us < {cum:.4f} THEN '{nm}'" for nm, cum, _ in arms[:-1])
        + f" ELSE '{arms[-1][0]}' END"
    )
    con.execute("""
        CREATE TEMP TABLE cl AS
        SELECT lead_id, user_id, contact_id, created_s,
               greatest(CASE WHEN closed THEN close_s ELSE last_open_s END, created_s + 3600) AS end_s,
               unnest(range(0, n_calls)) AS i
        FROM plan WHERE NOT declined AND n_calls > 0""")
    con.execute(f"""
        INSERT INTO calls
        SELECT row_number() OVER () + 184300000, CASE WHEN ud < 0.25 THEN 'in' ELSE 'out' END, user_id, lead_id,
               contact_id, CASE WHEN st = 'answered' THEN 20 + floor(ut * 400)::INT ELSE 0 END, st,
               st = 'answered', '+79' || lpad((contact_id % 1000000000)::VARCHAR, 9, '0'),
               {_ts(f"least(created_s + floor((end_s - created_s) * ua), {end_s} - 60)")}
        FROM (SELECT *, {status_case} AS st FROM (
                SELECT *, {_uniform("lead_id", "i", "'d'")} AS ud, {_uniform("lead_id", "i", "'s'")} AS us,
                       {_uniform("lead_id", "i", "'t'")} AS ut, {_uniform("lead_id", "i", "'a'")} AS ua FROM cl))""")
    con.execute("DROP TABLE cl")
    # tasks: follow-ups, calls and meetings; open ones only on deals still open
    ttype = "CASE WHEN ut < 0.5 THEN 'follow_up' WHEN ut < 0.77 THEN 'call' ELSE 'meeting' END"
    tid = "CASE WHEN ut < 0.5 THEN 1 WHEN ut < 0.77 THEN 3 ELSE 2 END"
    con.execute(f"""
        INSERT INTO tasks
        SELECT row_number() OVER () + 41020000, {ttype}, {tid}, user_id, 'lead', lead_id,
               {_ts("t_created")}, {_ts("t_created + 86400 + floor(ud * 3 * 86400)")},
               done, CASE WHEN done THEN {_ts("least(t_created + floor(uc * 4 * 86400), " + str(end_s - 60) + ")")} END,
               'Задача по сделке'
        FROM (SELECT *, (closed OR t_created < {end_s} - 3 * 86400) AND uc < 0.97 AS done FROM (
                SELECT *, least(created_s + floor((end_s - created_s) * ua)::BIGINT, {end_s} - 120) AS t_created FROM (
                  SELECT lead_id, user_id, created_s, closed,
                         greatest(CASE WHEN closed THEN close_s ELSE last_open_s END, created_s + 3600) AS end_s,
                         {_uniform("lead_id", "i", "'ta'")} AS ua, {_uniform("lead_id", "i", "'tt'")} AS ut,
                         {_uniform("lead_id", "i", "'td'")} AS ud, {_uniform("lead_id", "i", "'tc'")} AS uc
                  FROM (SELECT *, unnest(range(0, n_tasks)) AS i FROM plan WHERE NOT declined AND n_tasks > 0))))""")
    log.info("responsible changes, unsorted, calls and tasks written in %.1f s", time.perf_counter() - t0)
    return {
        t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]
        for t in ("leads", "stage_changes", "responsible_changes", "unsorted", "calls", "tasks")
    }
