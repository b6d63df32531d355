"""The store's derived tables (crmreports.store.derived) on a hand-built change log, values worked out by hand.

Account in Moscow time (UTC+3 all year). Changes (UTC, in the order they are stored):

deal  change  at (UTC)           local              to (pipeline, stage)
1     e1      2026-09-30 22:00   2026-10-01 01:00   10, 1
1     e3      2026-10-05 10:00   2026-10-05 13:00   10, 3      (stored before e2, same moment)
1     e2      2026-10-05 10:00   2026-10-05 13:00   10, 2
1     e4      2026-11-02 00:00   2026-11-02 03:00   10, 142
1     e5      (no time)                             10, 2
2     f1      2026-10-10 00:00   2026-10-10 03:00   10, (none)
3     g1      2026-08-31 20:00   2026-08-31 23:00   10, 1
3     g2      2026-09-01 08:00   2026-09-01 11:00   20, 5
3     g3      2026-09-03 08:00   2026-09-03 11:00   (none), 6
4     h1      2026-10-01 00:00   2026-10-01 03:00   10, 1      (deal 4 is deleted)

stage_stays: in (local time, event id) order, so e2 before e3; e5 has no time and is no stay; f1 has
no stage (no stay, but it would end one); deal 4 is deleted: no stays (no report shows it).
lead_stage_sets: deal 1 entered 1, 2, 3, 142 in pipeline 10 (e5's stage 2 counted once); deal 2 has a
history without a stage: one row without pipeline and stages; deal 3: [1] in 10, [5] in 20 (g3 names
no pipeline). lead_months: the last change of each local month by (UTC time, row position): deal 1's
October is e2 (stored after e3), November e4; deal 2's October f1 (without a stage: kept, as the
snapshots take it); deal 3's August g1, September g3 (NULL pipeline kept); deal 4's October h1.
"""

from __future__ import annotations

import pandas as pd
import pytest

from crmreports import store
from crmreports.store import derived

T = pd.Timestamp
OCT, NOV, AUG, SEP = 2026 * 12 + 9, 2026 * 12 + 10, 2026 * 12 + 7, 2026 * 12 + 8


def _change(cid, lead, at, pipe, status):
    return {"id": cid, "lead_id": lead, "at": T(at) if at else None, "to_pipeline_id": pipe, "to_status_id": status}


CHANGES = [
    _change("e1", 1, "2026-09-30 22:00", 10, 1),
    _change("e3", 1, "2026-10-05 10:00", 10, 3),
    _change("e2", 1, "2026-10-05 10:00", 10, 2),
    _change("e4", 1, "2026-11-02 00:00", 10, 142),
    _change("e5", 1, None, 10, 2),
    _change("f1", 2, "2026-10-10 00:00", 10, None),
    _change("g1", 3, "2026-08-31 20:00", 10, 1),
    _change("g2", 3, "2026-09-01 08:00", 20, 5),
    _change("g3", 3, "2026-09-03 08:00", None, 6),
    _change("h1", 4, "2026-10-01 00:00", 10, 1),
]


@pytest.fixture
def tiny(tmp_path):
    account = pd.DataFrame([{"id": 1, "name": "Tiny", "timezone": "Europe/Moscow", "currency": "RUB"}])
    leads = pd.DataFrame(
        [
            {"id": i, "pipeline_id": 10, "status_id": 1, "created_at": T("2026-08-01"), "is_deleted": i == 4}
            for i in (1, 2, 3, 4)
        ]
    )
    return store.write_full(
        tmp_path / "crm.duckdb", {"account": account, "leads": leads, "stage_changes": pd.DataFrame(CHANGES)}
    )


def _read(path, sql):
    con = store.connect(path)
    try:
        return [tuple(r) for r in con.execute(sql).fetchall()]
    finally:
        con.close()


STAYS = [
    (1, T("2026-10-01 01:00"), 10, 1, T("2026-10-05 13:00")),
    (1, T("2026-10-05 13:00"), 10, 2, T("2026-10-05 13:00")),
    (1, T("2026-10-05 13:00"), 10, 3, T("2026-11-02 03:00")),
    (1, T("2026-11-02 03:00"), 10, 142, None),
    (3, T("2026-08-31 23:00"), 10, 1, T("2026-09-01 11:00")),
    (3, T("2026-09-01 11:00"), 20, 5, T("2026-09-03 11:00")),
    (3, T("2026-09-03 11:00"), None, 6, None),
]
SETS = [(1, 10, [1, 2, 3, 142]), (2, None, None), (3, 10, [1]), (3, 20, [5]), (4, 10, [1])]
MONTHS = [(1, OCT, 10, 2), (1, NOV, 10, 142), (2, OCT, 10, None), (3, AUG, 10, 1), (3, SEP, None, 6), (4, OCT, 10, 1)]


def _tables(path):
    stays = _read(
        path, "SELECT lead_id, t, pipeline_id, status_id, t_next FROM stage_stays ORDER BY lead_id, t, status_id"
    )
    sets = _read(path, "SELECT lead_id, pipeline_id, stages FROM lead_stage_sets ORDER BY lead_id, pipeline_id")
    months = _read(path, "SELECT lead_id, month, to_pipeline_id, to_status_id FROM lead_months ORDER BY lead_id, month")
    return [(a, T(t), p, s, None if n is None else T(n)) for a, t, p, s, n in stays], sets, months


def test_written_store_has_its_derived_tables(tiny):
    stays, sets, months = _tables(tiny)
    assert stays == STAYS
    assert sets == SETS
    assert months == MONTHS
    assert _read(tiny, f"SELECT version, timezone FROM {derived.STATE}") == [(derived.VERSION, "Europe/Moscow")]
    # the stays are stored in order of time (a period's stays are a range of row groups)
    assert [r[0] for r in _read(tiny, "SELECT t FROM stage_stays")] == sorted(r[1] for r in STAYS)


def test_refresh_of_some_deals_equals_a_rebuild(tiny):
    con = store.connect(tiny, read_only=False)
    try:
        # deal 3 leaves stage 6 for won; deal 1 loses its tied change; deal 4 is restored; deal 2 is not touched
        con.execute(
            'INSERT INTO stage_changes (id, lead_id, "at", to_pipeline_id, to_status_id) '
            "VALUES ('g4', 3, TIMESTAMP '2026-09-20 12:00', 20, 142)"
        )
        con.execute("DELETE FROM stage_changes WHERE id = 'e3'")
        con.execute("UPDATE stage_changes SET to_status_id = 7 WHERE id = 'f1'")  # stale on purpose
        con.execute("UPDATE leads SET is_deleted = false WHERE id = 4")
        derived.refresh(con, [1, 3, 4])
    finally:
        con.close()
    stays, sets, months = _tables(tiny)
    assert stays == [
        STAYS[0],
        STAYS[1][:4] + (T("2026-11-02 03:00"),),
        STAYS[3],
        *STAYS[4:6],
        (3, T("2026-09-03 11:00"), None, 6, T("2026-09-20 15:00")),
        (3, T("2026-09-20 15:00"), 20, 142, None),
        (4, T("2026-10-01 03:00"), 10, 1, None),
    ]
    assert sets == [(1, 10, [1, 2, 142]), (2, None, None), (3, 10, [1]), (3, 20, [5, 142]), (4, 10, [1])]
    assert months == [*MONTHS[:4], (3, SEP, 20, 142), MONTHS[5]]  # deal 2 as it was


def test_a_store_without_current_derived_tables_is_rebuilt_whole(tiny):
    con = store.connect(tiny, read_only=False)
    try:
        con.execute("UPDATE account SET timezone = 'Asia/Kathmandu'")  # +5:45: cut in another zone
        assert not derived.current(con)
        assert derived.source(con, "lead_months", "Asia/Kathmandu").startswith("(")
        derived.refresh(con, [1])  # only deal 1 asked for, but the tables are not current: all rebuilt
        assert derived.current(con) and derived.source(con, "lead_months", "Asia/Kathmandu") == "lead_months"
    finally:
        con.close()
    stays, _, months = _tables(tiny)
    # 22:00 UTC on 30 September is 03:45 on 1 October in Kathmandu; 20:00 UTC on 31 August is 01:45 on 1 September
    assert stays[0][:2] == (1, T("2026-10-01 03:45")) and stays[4][:2] == (3, T("2026-09-01 01:45"))
    assert months[3:] == [(3, SEP, None, 6), MONTHS[5]]  # g1 moved into September with g2 and g3


def _stale(path):
    con = store.connect(path, read_only=False)
    try:
        con.execute(f"UPDATE {derived.STATE} SET version = version - 1")
    finally:
        con.close()


def test_commands_store_the_tables_of_an_older_store_first(tiny):
    _stale(tiny)
    assert derived.ensure(tiny) is True
    assert _tables(tiny) == (STAYS, SETS, MONTHS)
    assert _read(tiny, f"SELECT version FROM {derived.STATE}") == [(derived.VERSION,)]
    assert derived.ensure(tiny) is False  # current now: nothing to do


def test_a_store_held_open_elsewhere_is_left_as_it_is(tiny, caplog):
    """Another process reading the store holds its lock: the tables are not stored, the reports still
    run on the definitions (a warning says so)."""
    import subprocess
    import sys

    _stale(tiny)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1], "
            "read_only=True); print('open', flush=True); time.sleep(60)",
            str(tiny),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "open"
        with caplog.at_level("WARNING", logger="crmreports.derived"):
            assert derived.ensure(tiny) is False
        assert "cannot store the derived tables" in caplog.text
    finally:
        holder.kill()
        holder.wait()
    con = store.connect(tiny)
    try:
        assert not derived.current(con)
    finally:
        con.close()
