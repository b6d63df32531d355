"""Reconstructing the past: the deals as the store held them at a moment, and the month-start snapshots.

A snapshot row is a deal open at a moment (created before it, not closed before it), with its stage
then and its later outcome. Columns (:data:`SNAPSHOT_COLUMNS`): moment, lead_id, pipeline_id,
status_id (the stage at the moment: the last stage change before it; -1 when the history shows none),
age_days, price, user_id, closed_at (NaT while open), won (closed as won). The report builds them from
each deal's last stage of each month (:func:`snapshots_from_months`, read by
:func:`crmreports.store.forecasting.read.load_forecast`); tests/oracles/forecast.py builds the same rows
from the whole change log, the reference the pushed-down read is checked against.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..schema import LOST_STATUS_ID as LOST
from ..schema import WON_STATUS_ID as WON
from .months import add_months, month_index, month_start
from .settings import DEFAULT, UNKNOWN_STAGE


def known_with_stages(leads: pd.DataFrame, last: pd.Series, moment: pd.Timestamp) -> pd.DataFrame:
    """What the store would have held at ``moment``: deals created before it, and deals closed later shown
    open (status = their stage at ``moment``, no ``closed_at``). ``last``: lead id → the stage
    (``to_status_id``) of the deal's last stage change with a stage before ``moment`` (by time, ties by
    change id), needed for the deals closed at or after the moment only; a deal without one gets -1."""
    moment = pd.Timestamp(moment)
    ld = leads[leads["created_at"] < moment].copy()
    later = ld["closed_at"].notna() & (ld["closed_at"] >= moment)
    ld.loc[later, "status_id"] = ld.loc[later, "id"].map(last).fillna(UNKNOWN_STAGE).astype("int64").values
    ld.loc[later, "closed_at"] = pd.NaT
    return ld


def _is_won(leads: pd.DataFrame) -> pd.Series:
    return (leads["status_id"] == WON) & leads["closed_at"].notna()


def _is_closed(leads: pd.DataFrame) -> pd.Series:
    return leads["status_id"].isin([WON, LOST]) & leads["closed_at"].notna()


SNAPSHOT_COLUMNS = ["moment", "lead_id", "pipeline_id", "status_id", "age_days", "price", "user_id", "closed_at", "won"]


def _open_pairs(leads: pd.DataFrame, moments) -> tuple[pd.DatetimeIndex, pd.DataFrame | None]:
    """Every (moment, deal) with the deal open at the moment, sorted by moment and deal id, with the
    deal's columns (the stage not yet looked up); None when there is none."""
    moments = pd.DatetimeIndex(sorted(set(pd.Timestamp(m) for m in moments)))
    if leads.empty or len(moments) == 0:
        return moments, None
    created = leads["created_at"].values
    closed = leads["closed_at"].values
    closed_flag = _is_closed(leads).values
    m = moments.values
    # a deal is open at the moments after its creation up to its closing (created < m, not closed < m):
    # a range of moment indices per deal; the pairs moment by moment, deals by id
    first = np.searchsorted(m, created, side="right")
    end = np.where(closed_flag, np.searchsorted(m, closed, side="right"), len(m))
    count = np.maximum(end - first, 0)
    by_id = np.argsort(leads["id"].to_numpy(), kind="stable")  # the rows mostly come by id: cheap
    li = np.repeat(by_id, count[by_id])
    mi = (
        np.arange(len(li))
        - np.repeat(np.cumsum(count[by_id]) - count[by_id], count[by_id])
        + np.repeat(first[by_id], count[by_id])
    )
    by_moment = np.argsort(mi.astype(np.int16) if len(m) < 2**15 else mi, kind="stable")
    mi, li = mi[by_moment], li[by_moment]
    if len(mi) == 0:
        return moments, None
    snap = pd.DataFrame(
        {
            "moment": m[mi],
            "lead_id": leads["id"].to_numpy()[li].astype("int64"),
            "age_days": (m[mi] - created[li]) / np.timedelta64(1, "D"),
            "price": leads["price"].fillna(0.0).astype(float).to_numpy()[li],
            "user_id": leads["responsible_user_id"].to_numpy()[li],
            "closed_at": np.where(closed_flag[li], closed[li], np.datetime64("NaT")),
            "won": _is_won(leads).to_numpy()[li],
            "lead_pipeline_id": leads["pipeline_id"].to_numpy()[li],
        }
    )
    return moments, snap


def _with_stages(snap: pd.DataFrame, to_status, to_pipeline, in_order: bool = False) -> pd.DataFrame:
    """The snapshot rows with the stage found for each (``to_status`` / ``to_pipeline``: the last stage
    change before the moment; NaN without one), as snapshot rows (:data:`SNAPSHOT_COLUMNS`). ``in_order``: the rows are
    already sorted by moment and lead id."""
    status = np.asarray(to_status, dtype=float)
    # a closed status before an open moment (a reopened deal) or no history at all: stage unknown
    known = ~np.isnan(status) & (status != WON) & (status != LOST)
    stage = np.where(known, status, UNKNOWN_STAGE).astype("int64")
    snap["status_id"] = stage
    # the pipeline of that change; the deal's own without a stage or without a pipeline in the change
    own = snap["lead_pipeline_id"].to_numpy(dtype=float)
    pipeline = np.where(known, np.asarray(to_pipeline, dtype=float), own)
    snap["pipeline_id"] = pd.Series(np.where(np.isnan(pipeline), own, pipeline), index=snap.index).astype("int64")
    snap["closed_at"] = pd.to_datetime(snap["closed_at"])
    out = snap[SNAPSHOT_COLUMNS]
    return out.reset_index(drop=True) if in_order else out.sort_values(["moment", "lead_id"]).reset_index(drop=True)


def snapshots_from_months(leads: pd.DataFrame, month_stages: pd.DataFrame, moments) -> pd.DataFrame:
    """The snapshots at ``moments`` from each deal's last stage change of each calendar month instead of
    the whole change log (``month_stages``: lead_id, month (:func:`month_index` of the local month; earlier
    months may be merged into one, and months after the deal closed left out), to_pipeline_id,
    to_status_id). The last change before a month start is the last change of the latest month before
    it, so the rows are the same (see :mod:`.read`)."""
    moments, snap = _open_pairs(leads, moments)
    if snap is None:
        return pd.DataFrame(columns=SNAPSHOT_COLUMNS)
    ms = month_stages
    lead = ms["lead_id"].to_numpy(dtype=np.int64)
    month = ms["month"].to_numpy(dtype=np.int64)
    want_lead = snap["lead_id"].to_numpy()
    want_month = month_index(snap["moment"].to_numpy())
    to_status = np.full(len(snap), np.nan)
    to_pipeline = np.full(len(snap), np.nan)
    if len(ms):
        # one integer per (deal, month) orders the months of each deal; the latest month before the
        # moment is the last key below the moment's own
        base = min(int(month.min()), int(want_month.min()))
        span = max(int(month.max()), int(want_month.max())) - base + 1
        key = lead * span + (month - base)
        order = np.argsort(key, kind="stable")
        key = key[order]
        pos = np.searchsorted(key, want_lead * span + (want_month - base), side="left") - 1
        hit = pos >= 0
        hit[hit] = lead[order[pos[hit]]] == want_lead[hit]
        rows = order[pos[hit]]
        to_status[hit] = ms["to_status_id"].to_numpy(dtype=float)[rows]
        to_pipeline[hit] = ms["to_pipeline_id"].to_numpy(dtype=float)[rows]
    return _with_stages(snap, to_status, to_pipeline, in_order=True)


def snapshot_moments(
    leads: pd.DataFrame, origin: pd.Timestamp, lookback: int = DEFAULT.lookback, backtest: int = 0
) -> list[pd.Timestamp]:
    """Month starts needed for a forecast as of ``origin`` (and ``backtest`` earlier origins)."""
    start = month_start(leads["created_at"].min()) if len(leads) else origin
    first = max(start, add_months(origin, -(lookback + backtest)))
    return list(pd.date_range(first, origin, freq="MS"))


def snapshots_since(snaps: pd.DataFrame, first: pd.Timestamp) -> pd.DataFrame:
    """The snapshot rows at moments from ``first`` on, as :func:`snapshots_from_months` returns them when
    asked for those moments only (each moment's rows depend on that moment alone). Empty: None, since an
    empty snapshot frame has no column types; compute it directly then."""
    out = snaps[snaps["moment"] >= pd.Timestamp(first)].reset_index(drop=True)
    return out if len(out) else None


def without_requests(snaps: pd.DataFrame, statuses: pd.DataFrame) -> pd.DataFrame:
    """The snapshot rows that are deals: a row whose stage at its moment is a stage of kind ``unsorted``
    (a request still pending in «Неразобранное») is a request, not an open deal
    (:mod:`crmreports.store.concepts`), and is left out of the estimates and of the open deals alike."""
    if snaps is None or snaps.empty:
        return snaps
    req = statuses[statuses["kind"] == "unsorted"]
    if req.empty:
        return snaps
    key = snaps["pipeline_id"].to_numpy(dtype="int64") * (2**31) + snaps["status_id"].to_numpy(dtype="int64")
    drop = set((req["pipeline_id"].astype("int64") * (2**31) + req["id"].astype("int64")).tolist())
    keep = ~pd.Series(key).isin(drop).to_numpy()
    return snaps if keep.all() else snaps[keep].reset_index(drop=True)
