"""The four public data sets load into the store, the reports run on each where the data supports it,
and a few figures agree with values computed here independently with plain pandas on the raw files."""

import json
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from conftest import SHARED
from crmreports import store
from crmreports.batch.run import NOTEBOOKS, Job, run_job
from crmreports.core.periods import resolve
from crmreports.reports.sales_analysis import metrics as sales
from crmreports.sources.imports import import_files

DATA = SHARED / "datasets"
FOLDERS = {
    "maven": "maven-crm-sales-opportunities",
    "olist": "olist-marketing-funnel",
    "enpal": "enpal-pipedrive-crm",
    "pwc": "pwc-call-centre",
}


def folder(name: str) -> Path:
    path = DATA / FOLDERS[name]
    if not path.is_dir():
        pytest.skip(f"data set folder {path} is absent (it lives in ../shared/datasets)")
    return path


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    """name -> (store path, ImportResult), imported once per module."""
    cache = {}

    def get(name):
        if name not in cache:
            path = tmp_path_factory.mktemp(name) / "crm.duckdb"
            cache[name] = (path, import_files([folder(name)], name, path))
        return cache[name]

    return get


def run_report(report, period, store_path, out, formats=("pdf",)):
    if not (NOTEBOOKS / f"{report}.ipynb").exists():
        pytest.skip(f"notebooks/{report}.ipynb is not there yet")
    res = run_job(Job(report, period, "team", "", "", "ru", str(store_path), str(out), formats))
    assert res.ok, res.error
    return res, json.loads(Path(res.files["json"]).read_text())


def pdf_text(path) -> str:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


# --- Maven: current stage only ---------------------------------------------------------------------


def maven_raw():
    return pd.read_csv(folder("maven") / "sales_pipeline.csv", parse_dates=["engage_date", "close_date"])


def test_maven_loads_every_deal_by_stage(loaded):
    path, res = loaded("maven")
    raw = maven_raw()
    assert res.skipped_rows() == 0 and res.counts()["leads"] == len(raw) == 8800
    data = store.load(path)
    names = data.statuses.set_index("id")["name"]
    got = data.leads["status_id"].map(names).value_counts().sort_index()
    assert got.to_dict() == raw["deal_stage"].value_counts().sort_index().to_dict()
    # overall win rate, pandas on the raw file: Won / (Won + Lost)
    vc = raw["deal_stage"].value_counts()
    expected = vc["Won"] / (vc["Won"] + vc["Lost"])
    won, lost = (data.leads["status_id"] == 142).sum(), (data.leads["status_id"] == 143).sum()
    assert won / (won + lost) == pytest.approx(expected)
    assert expected == pytest.approx(4238 / 6711)  # the README's counts
    # 35 agents from sales_teams.csv (5 without deals), their manager as group
    assert len(data.users) == 35 and data.users["group_name"].nunique() == 6
    assert data.account["currency"] == "USD"
    # no stage history: every synthesized stage change has an unknown from-stage
    assert data.stage_changes["from_status_id"].isna().all()
    # lost deals carry 0 in the file, meaning "not recorded": stored as unknown, not as 0
    assert data.leads.loc[data.leads["status_id"] == 143, "price"].isna().all()


def test_maven_2017_q3_headline_matches_pandas(loaded):
    path, res = loaded("maven")
    raw = maven_raw()
    q3 = (raw["close_date"] >= "2017-07-01") & (raw["close_date"] < "2017-10-01")
    won = raw[q3 & (raw["deal_stage"] == "Won")]
    lost = raw[q3 & (raw["deal_stage"] == "Lost")]
    data = store.load(path)
    from crmreports.store import data_end

    h = sales.headline(data.leads, resolve("2017-Q3"), data_end(data.account))
    assert h["won_deals"] == len(won) and h["lost_deals"] == len(lost)
    assert h["revenue"] == pytest.approx(won["close_value"].sum())
    assert h["win_rate"] == pytest.approx(len(won) / (len(won) + len(lost)))


@pytest.mark.slow
def test_maven_sales_report_runs_and_says_no_history(loaded, tmp_path):
    path, _ = loaded("maven")
    raw = maven_raw()
    res, doc = run_report("sales_analysis", "2017-Q3", path, tmp_path)
    q3 = (raw["close_date"] >= "2017-07-01") & (raw["close_date"] < "2017-10-01") & (raw["deal_stage"] == "Won")
    assert doc["figures"]["won_deals"] == int(q3.sum())
    assert doc["figures"]["revenue"] == pytest.approx(raw.loc[q3, "close_value"].sum())
    text = " ".join(pdf_text(res.files["pdf"]).split())
    assert "нет истории смены этапов" in text  # funnel and time in stage say why they are missing
    assert "funnel" not in doc["tables"] and "time_in_stage" not in doc["tables"]


# --- Olist: leads with origin -> won deals ---------------------------------------------------------


def olist_raw():
    d = folder("olist")
    mql = pd.read_csv(d / "olist_marketing_qualified_leads_dataset.csv", parse_dates=["first_contact_date"])
    won = pd.read_csv(d / "olist_closed_deals_dataset.csv", parse_dates=["won_date"])
    return mql, won


def test_olist_loads_leads_by_origin_and_wins(loaded):
    path, res = loaded("olist")
    mql, won = olist_raw()
    data = store.load(path)
    assert len(data.leads) == len(mql) == 8000
    assert (data.leads["status_id"] == 142).sum() == len(won) == 842
    assert (data.leads["status_id"] == 143).sum() == 0  # lost is not recorded: nothing invented
    by_origin = data.leads["source"].value_counts(dropna=False)
    expected = mql["origin"].value_counts(dropna=False)
    assert by_origin.get("organic_search") == expected["organic_search"] == 2296
    assert data.leads["source"].isna().sum() == mql["origin"].isna().sum() == 60
    # the one deal won before its lead's first contact is loaded and reported
    assert [i.reason for i in res.warnings] == ["closed_before_created"]
    assert data.account["currency"] == "BRL" and data.leads["price"].isna().all()


@pytest.mark.slow
def test_olist_sales_report_2018_q1_matches_pandas(loaded, tmp_path):
    path, _ = loaded("olist")
    mql, won = olist_raw()
    res, doc = run_report("sales_analysis", "2018-Q1", path, tmp_path)
    cohort = mql[(mql["first_contact_date"] >= "2018-01-01") & (mql["first_contact_date"] < "2018-04-01")]
    cohort_won = cohort["mql_id"].isin(won["mql_id"])  # won by the end of the data
    in_q1 = (won["won_date"] >= "2018-01-01") & (won["won_date"] < "2018-04-01")
    f = doc["figures"]
    assert f["created_deals"] == len(cohort)
    assert f["lead_to_won_conversion"] == pytest.approx(cohort_won.mean())
    assert f["won_deals"] == int(in_q1.sum())


# --- Enpal: a real stage-change log ----------------------------------------------------------------


def enpal_raw():
    ch = pd.read_csv(folder("enpal") / "deal_changes.csv", parse_dates=["change_time"])
    adds = ch[ch["changed_field_key"] == "add_time"]
    shared_ids = set(adds.loc[adds["deal_id"].duplicated(), "deal_id"])  # ids used by two deals
    return ch[~ch["deal_id"].isin(shared_ids)], shared_ids


def test_enpal_maps_the_whole_change_log(loaded):
    path, res = loaded("enpal")
    ch, shared_ids = enpal_raw()
    assert len(shared_ids) == 5
    # every row of the five shared ids is skipped, and said so
    raw_all = pd.read_csv(folder("enpal") / "deal_changes.csv")
    assert {i.row for i in res.skipped if i.file == "deal_changes.csv"} == {
        int(r) + 2 for r in raw_all.index[raw_all["deal_id"].isin(shared_ids)]
    }
    data = store.load(path, tables=("leads", "stage_changes", "responsible_changes", "calls", "tasks"))
    kinds = ch["changed_field_key"].value_counts()
    assert len(data.leads) == ch["deal_id"].nunique() == 1990
    # one stage change per add_time, stage_id and lost_reason event
    assert len(data.stage_changes) == kinds["add_time"] + kinds["stage_id"] + kinds["lost_reason"]
    assert len(data["responsible_changes"]) == kinds["user_id"]
    assert (data.leads["status_id"] == 143).sum() == kinds["lost_reason"]
    # a real history: moves have a from-stage
    assert (
        data.stage_changes["from_status_id"].notna().sum()
        == kinds["stage_id"] - ch[ch["changed_field_key"] == "stage_id"]["deal_id"].nunique() + kinds["lost_reason"]
    )
    # activities: 4,579 rows, 11 ids repeated -> 4,568 tasks; calls = the done ones
    act = pd.read_csv(folder("enpal") / "activity.csv").drop_duplicates("activity_id")
    assert len(data["tasks"]) == len(act) == 4568
    assert len(data["calls"]) == int(act["done"].sum())


@pytest.mark.slow
def test_enpal_sales_report_2024_06_matches_pandas(loaded, tmp_path):
    path, _ = loaded("enpal")
    ch, _ = enpal_raw()
    june = (ch["change_time"] >= "2024-06-01") & (ch["change_time"] < "2024-07-01")
    res, doc = run_report("sales_analysis", "2024-06", path, tmp_path)
    f = doc["figures"]
    assert f["created_deals"] == int((june & (ch["changed_field_key"] == "add_time")).sum())
    assert f["lost_deals"] == int((june & (ch["changed_field_key"] == "lost_reason")).sum())
    assert f["won_deals"] == 0
    assert "funnel" in doc["tables"] and "time_in_stage" in doc["tables"] and "losses_by_stage" in doc["tables"]


# --- PwC: calls per agent ----------------------------------------------------------------------------


def pwc_raw():
    return pd.read_csv(folder("pwc") / "call_center_dataset.csv")


def test_pwc_calls_per_agent_match_pandas(loaded):
    path, res = loaded("pwc")
    raw = pwc_raw()
    data = store.load(path, tables=("calls",))
    assert data.leads.empty and len(data["calls"]) == 5000
    calls = data["calls"].assign(agent=data["calls"]["user_id"].map(dict(zip(data.users["id"], data.users["name"]))))
    assert calls["agent"].value_counts().to_dict() == raw["Agent"].value_counts().to_dict()
    assert (~calls["is_answered"]).sum() == (raw["Answered (Y/N)"] == "N").sum() == 946
    talk = pd.to_timedelta(raw["AvgTalkDuration"]).dt.total_seconds().fillna(0).groupby(raw["Agent"]).sum()
    assert calls.groupby("agent")["duration_s"].sum().astype(float).to_dict() == talk.to_dict()


def test_pwc_xlsx_gives_the_same_calls(tmp_path):
    d = folder("pwc")
    a = import_files([d / "01 Call-Center-Dataset.xlsx"], "pwc", tmp_path / "x.duckdb").tables["calls"]
    b = import_files([d / "call_center_dataset.csv"], "pwc", tmp_path / "c.duckdb").tables["calls"]
    pd.testing.assert_frame_equal(a, b)


@pytest.mark.slow
def test_calls_report_runs_on_pwc_and_enpal(loaded, tmp_path):
    path, _ = loaded("pwc")
    raw = pwc_raw()
    res, doc = run_report("calls", "2021-03", path, tmp_path / "pwc", formats=("html",))
    march = raw["Date"].str.startswith("2021-03")
    f = doc["figures"]
    if "calls_total" in f:
        assert f["calls_total"] == int(march.sum())
    if "calls_missed" in f:
        assert f["calls_missed"] == int((march & (raw["Answered (Y/N)"] == "N")).sum())
    path, _ = loaded("enpal")
    run_report("calls", "2024-06", path, tmp_path / "enpal", formats=("html",))
