"""Store round trip, timezone handling, filters pushed into SQL, and atomic full writes."""

import duckdb
import pandas as pd
import pytest

import fixtures
from crmreports import store


def test_round_trip_keeps_every_table(tmp_path):
    tables = fixtures.tables()
    path = store.write_full(tmp_path / "crm.duckdb", tables)
    con = store.connect(path)
    try:
        for name, df in tables.items():
            back = store.read_table(con, name)
            assert len(back) == len(df), name
        leads = store.read_table(con, "leads").set_index("id")
        assert leads.loc[1, "price"] == 100 and leads.loc[3, "loss_reason_id"] == 1
        assert leads.loc[1, "created_at"] == pd.Timestamp("2026-10-01 10:00")
        assert pd.isna(leads.loc[4, "closed_at"])
    finally:
        con.close()


def test_timestamps_are_converted_to_the_account_timezone(tmp_path):
    tables = fixtures.tables()
    tables["account"] = tables["account"].assign(timezone="Europe/Moscow")
    path = store.write_full(tmp_path / "msk.duckdb", tables)
    data = store.load(path)
    # stored as UTC 10:00, shown as Moscow (UTC+3) 13:00
    assert data.leads.set_index("id").loc[1, "created_at"] == pd.Timestamp("2026-10-01 13:00")
    assert data.timezone == "Europe/Moscow"


def test_manager_and_pipeline_filters(fixture_store):
    data = store.load(fixture_store, user_ids=[2])
    assert sorted(data.leads["id"]) == [3, 4, 5, 9]
    assert set(data.stage_changes["lead_id"]) == {3, 4, 5, 9}
    assert store.load(fixture_store, pipeline_ids=[999]).leads.empty


@pytest.mark.reliability("R24")
def test_failed_write_leaves_previous_store_intact(tmp_path):
    path = store.write_full(tmp_path / "crm.duckdb", fixtures.tables())
    before = path.read_bytes()
    bad = fixtures.tables()
    bad["leads"] = pd.concat([bad["leads"], bad["leads"].head(1)])  # duplicate primary key
    with pytest.raises(duckdb.ConstraintException):
        store.write_full(path, bad)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["crm.duckdb", "crm.duckdb.lock"]  # no temp file left
    assert len(store.load(path).leads) == 9


def test_unknown_table_or_column_is_refused(tmp_path):
    with pytest.raises(ValueError, match="unknown store tables"):
        store.write_full(tmp_path / "x.duckdb", {"deals": pd.DataFrame()})
    with pytest.raises(ValueError, match="unknown columns.*budget"):
        store.conform("leads", pd.DataFrame({"id": [1], "budget": [5]}))


@pytest.mark.reliability("R21")
def test_missing_store_says_how_to_create_one(tmp_path):
    with pytest.raises(store.StoreError, match="crmreports demo"):
        store.load(tmp_path / "nope.duckdb")


def test_a_kernel_keeps_one_store_connection_per_document_and_releases_it(tmp_path, monkeypatch):
    # the kernels the pack and `run` start read the store through cursors of one kept connection (20 ms saved per
    # open); the data are the same, a changed file is opened again, and nothing stays open after release_kept
    from crmreports.store import files

    path = tmp_path / "crm.duckdb"
    store.write_full(path, fixtures.tables())
    plain = store.load(path)
    monkeypatch.setenv(files.KEEP_OPEN, "1")
    try:
        kept = store.load(path)
        for name in ("leads", "users", "stage_changes"):
            pd.testing.assert_frame_equal(getattr(kept, name), getattr(plain, name))
        assert list(files._kept) == [str(path.resolve())]
        first = files._kept[str(path.resolve())][1]
        store.connect(path).close()  # a caller closes its cursor, not the kept connection
        assert files._kept[str(path.resolve())][1] is first
        assert first.execute("SELECT count(*) FROM leads").fetchone()[0] == len(plain.leads)
        # a writer in the same process: the kept connection steps aside (DuckDB refuses two configurations)
        store.connect(path, read_only=False).close()
        assert files._kept == {}
        store.connect(path).close()
        first = files._kept[str(path.resolve())][1]
        store.write_full(path, fixtures.tables())
        store.connect(path).close()
        assert files._kept[str(path.resolve())][1] is not first  # the file changed: opened again
    finally:
        files.release_kept()
    assert files._kept == {}
    with duckdb.connect(str(path)) as writer:  # nothing of ours holds the file
        writer.execute("SELECT 1")
