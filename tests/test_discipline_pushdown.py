"""The pushed-down discipline functions (``store.discipline.*_fast``: DuckDB over the frames) give exactly the
frames of the pandas definitions (``open_deals_at``, ``open_deals_task_status``, ``stage_p75``,
``stale_deals``), on a hand-built fixture with the edge cases and on the demo store at several moments."""

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from crmreports import store
from crmreports.store import concepts, discipline

T = pd.Timestamp
MOMENT = T("2026-06-01 00:00")


def _fixture():
    """Deals in pipeline 1: stages 10, 11 open, 12 «Неразобранное», 142/143 closed.

    - 1: created 2025-01, changes 10 → 11 (the last before the moment at 2026-05-01); open in 11.
    - 2: a change with a null ``to_status_id`` after its last stage (the stage stays 10: pandas' ``last`` takes
      the last non-null of each column) and a change with no time at all.
    - 3: two changes at the same time (the id breaks the tie: id 6 → 10, then id 7 → 11); open in 11.
    - 4: no change at all: its current stage (11); created at 2026-05-31 23:59:59 (before the moment).
    - 5: created exactly at the moment: not open. 6: closed before the moment: not open. 8: pending in
      «Неразобранное» (12): not a deal. 9: a change after the moment only (its stage before is its current 10).
    - 7 is closed (lost) at the moment with no history: its stage at the moment is 143, not open.
    - 20..31: 12 deals with one completed stay each in stage 10 that ended in the window (durations 1..12 days);
      with deals 1 and 3 that makes 14 stays in stage 10 (P75 worked out in the test); stage 11 has fewer than
      10 stays, so no P75.
    - 40: a stay that ended before the lookback window (not counted).
    """
    leads = pd.DataFrame(
        {
            "id": [1, 2, 3, 4, 5, 6, 7, 8, 9] + list(range(20, 32)) + [40],
            "name": [f"d{i}" for i in range(22)],
            "price": [100.0, None, 5.0, 7.0, 1.0, 2.0, 3.0, 4.0, 9.0] + [1.0] * 12 + [1.0],
            "pipeline_id": [1] * 22,
            "status_id": [11, 10, 10, 11, 10, 142, 143, 12, 10] + [11] * 12 + [11],
            "responsible_user_id": [7, 7, 8, 8, 7, 7, 8, 8, 7] + [7] * 12 + [8],
            "contact_id": [501, 502, None, 504, None, None, None, None, None] + [None] * 12 + [None],
            "company_id": [None, None, 603, None, None, None, None, None, None] + [None] * 12 + [None],
            "created_at": [T("2025-01-01")] * 3
            + [T("2026-05-31 23:59:59"), MOMENT, T("2025-01-01"), T("2025-01-01"), T("2025-01-01"), T("2025-01-01")]
            + [T("2025-06-01")] * 12
            + [T("2024-01-01")],
            "closed_at": [pd.NaT] * 5 + [T("2026-05-01"), MOMENT] + [pd.NaT] * 2 + [pd.NaT] * 12 + [pd.NaT],
        }
    )
    rows = [
        # id, lead, at, pipeline, status
        (1, 1, T("2026-03-01"), 1, 10),
        (2, 1, T("2026-05-01"), 1, 11),
        (3, 2, T("2026-01-01"), 1, 10),
        (4, 2, T("2026-02-01"), None, None),
        (5, 2, pd.NaT, 1, 11),
        (7, 3, T("2026-04-01"), 1, 11),
        (6, 3, T("2026-04-01"), 1, 10),  # id 6 < 7: sorted first; the last is id 7 (stage 11)
        (8, 9, T("2026-07-01"), 1, 11),
        (9, 40, T("2024-01-01"), 1, 10),
        (10, 40, T("2024-02-01"), 1, 11),
    ]
    for k, lead in enumerate(range(20, 32)):
        start = T("2026-01-01") + pd.Timedelta(hours=k)
        rows.append((100 + 2 * k, lead, start, 1, 10))
        rows.append((101 + 2 * k, lead, start + pd.Timedelta(days=k + 1), 1, 11))
    sc = pd.DataFrame(rows, columns=["id", "lead_id", "at", "to_pipeline_id", "to_status_id"])
    sc["to_pipeline_id"] = sc["to_pipeline_id"].astype("float64")
    sc["to_status_id"] = sc["to_status_id"].astype("float64")
    statuses = pd.DataFrame(
        {
            "pipeline_id": [1, 1, 1, 1, 1],
            "id": [10, 11, 12, 142, 143],
            "kind": ["open", "open", "unsorted", "won", "lost"],
        }
    )
    tasks = pd.DataFrame(
        {
            "id": [1, 2, 3, 4, 5, 6],
            "entity": ["leads", "lead", "contacts", "companies", "leads", None],
            "entity_id": [1, 2, 502, 603, 4, 9],
            "is_completed": [False, True, False, False, True, False],
            "completed_at": [pd.NaT, T("2026-05-01"), pd.NaT, pd.NaT, MOMENT, pd.NaT],
            "created_at": [T("2026-05-01"), T("2026-04-01"), T("2026-05-01"), T("2026-05-01"), T("2026-05-01"), pd.NaT],
            "complete_till": [T("2026-05-30")] * 6,
            "responsible_user_id": [7, 7, 7, 8, 8, 7],
        }
    )
    return leads, sc, statuses, tasks


def _same(a: pd.DataFrame, b: pd.DataFrame):
    assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True), check_dtype=False)


def test_fixture_open_deals_and_flags_by_hand():
    leads, sc, statuses, tasks = _fixture()
    od = discipline.open_deals_at_fast(leads, sc, statuses, MOMENT)
    _same(od, concepts.open_deals_at(leads, sc, statuses, MOMENT))
    # open: 1 (stage 11), 2 (10: the NaT change is not before the moment and the null-stage one is skipped),
    # 3 (same time: id 7 is last → 11), 4 (no history: 11), 9 (its only change is after the moment: current
    # stage 10), 20..31 (11), 40 (11). Not 5 (created at the moment), 6 (closed before), 8 (pending request),
    # 7 (closed at the moment, so not closed by then, but without history its stage is its current one, 143).
    got = dict(zip(od["id"], od["status_id"]))
    assert got[1] == 11 and got[2] == 10 and got[3] == 11 and got[4] == 11 and got[9] == 10
    assert not {5, 6, 7, 8} & set(got)
    assert len(od) == 5 + 12 + 1
    status = discipline.open_deals_task_status_fast(leads, sc, statuses, tasks, MOMENT)
    _same(status, discipline.open_deals_task_status(leads, sc, statuses, tasks, MOMENT))
    flags = status.set_index("id")
    # deal 1: open task 1; deal 2: only a completed task (had_tasks), its contact 502 has an open task;
    # deal 3: its company 603 has one; deal 4: task 5 completed exactly at the moment → still open;
    # deal 9: task 6 has no entity → on no deal.
    assert flags.loc[1, "has_task"] and flags.loc[4, "has_task"]
    assert not flags.loc[2, "has_task"] and flags.loc[2, "had_tasks"] and flags.loc[2, "contact_task"]
    assert not flags.loc[3, "has_task"] and flags.loc[3, "contact_task"] and not flags.loc[3, "had_tasks"]
    assert not flags.loc[9, "has_task"] and not flags.loc[9, "had_tasks"]


def test_fixture_p75_and_stale_by_hand():
    leads, sc, statuses, _ = _fixture()
    p = discipline.stage_p75_fast(leads, sc, MOMENT)
    _same(p, discipline.stage_p75(leads, sc, MOMENT))
    by = p.set_index(["pipeline_id", "status_id"])
    # stage 10: the 12 stays of 20..31 (1..12 days) plus deal 1's (2026-03-01 → 05-01, 61 days) and deal 3's
    # id-6 stay (0 days) and deal 2's 10 → null-stage change? (null stages are not stays: 2's stay in 10 ends
    # at its NaT change, which is not in the window) = 14 stays; sorted 0, 1..12, 61: P75 at rank 0.75 × 13 =
    # 9.75 → 9 + 0.75 × (10 − 9) = 9.75 days.
    assert by.loc[(1, 10), "stays"] == 14
    assert by.loc[(1, 10), "p75_days"] == pytest.approx(9.75)
    st = discipline.stale_deals_fast(leads, sc, statuses, MOMENT)
    _same(st, discipline.stale_deals(leads, sc, statuses, MOMENT))
    s = st.set_index("id")
    # deal 9 is in stage 10 since its creation 2025-01-01 (> 9.75 days): stale; stage 11 has no P75.
    assert s.loc[9, "stale"] and not s.loc[1, "stale"]
    assert s.loc[9, "entered_stage"] == T("2025-01-01")


@pytest.mark.parametrize("moment", ["2026-11-30 18:00", "2026-06-01", "2025-12-01", "2020-01-01"])
def test_demo_store_same_frames(demo_store, moment):
    d = store.load(demo_store, tables=("leads", "stage_changes", "tasks"))
    m = T(moment)
    tk = d.tables["tasks"]
    _same(
        discipline.open_deals_at_fast(d.leads, d.stage_changes, d.statuses, m),
        concepts.open_deals_at(d.leads, d.stage_changes, d.statuses, m),
    )
    _same(
        discipline.open_deals_task_status_fast(d.leads, d.stage_changes, d.statuses, tk, m),
        discipline.open_deals_task_status(d.leads, d.stage_changes, d.statuses, tk, m),
    )
    stale = discipline.stale_deals(d.leads, d.stage_changes, d.statuses, m)
    _same(discipline.stale_deals_fast(d.leads, d.stage_changes, d.statuses, m), stale)
    # the log left in the store (only its aggregates read, local time converted in SQL): the same frames,
    # for the whole account and for one manager's deals (a subset of the deals the log is filtered by)
    where, params = store.lead_filter()
    log = discipline.StoreLog(str(demo_store), d.timezone, where, tuple(params))
    _same(discipline.stale_deals_fast(d.leads, log, d.statuses, m), stale)
    last = discipline.last_changes(log, d.leads, m)  # shared by the open deals and the stale ones, as reports do
    od = discipline.open_deals_at_fast(d.leads, log, d.statuses, m, last)
    _same(discipline.stale_deals_fast(d.leads, log, d.statuses, m, open_deals=od, last=last), stale)
    one = d.leads[d.leads["responsible_user_id"] == d.leads["responsible_user_id"].iloc[0]]
    _same(
        discipline.open_deals_task_status_fast(one, log, d.statuses, tk, m),
        discipline.open_deals_task_status(one, d.stage_changes, d.statuses, tk, m),
    )
    _same(
        discipline.stale_deals_fast(one, log, d.statuses, m),
        discipline.stale_deals(one, d.stage_changes, d.statuses, m),
    )
