"""Catalogue cases of docs/reliability.md that no other test file held: the pack cache on the store's content,
another language's alerts and archive, an account without deals, zero and missing prices, the year boundary, a
stage deleted from the pipeline, deals moved between pipelines, right-to-left and emoji names, a 401 in the middle
of a sync, a full disk while writing reports, and two packs of one period at once.

Each test first reproduces its fault against real parts (DuckDB files, the amoCRM stand-in on loopback, a tmpfs of
1 MB, real `crmreports` processes); expected numbers are worked out by hand in the comments."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import nbformat
import pandas as pd
import pytest

import fixtures
import reliability
from crmreports import store
from crmreports.core.periods import parse_period
from crmreports.store import concepts

ROOT = Path(__file__).resolve().parents[1]


def crm(*args, env=None, timeout=600) -> subprocess.CompletedProcess:
    e = {k: v for k, v in os.environ.items() if not k.startswith(("AMOCRM_", "SMTP_", "TELEGRAM_"))}
    e.update(env or {}, CRMREPORTS_DOTENV="0")
    return subprocess.run(
        [sys.executable, "-m", "crmreports", *args], capture_output=True, text=True, timeout=timeout, env=e, cwd=ROOT
    )


def tiny_notebooks(folder: Path) -> Path:
    """A notebooks folder with one ad-hoc report that only prints its parameters (a kernel, no store read)."""
    folder.mkdir(parents=True, exist_ok=True)
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell(
        'period: str = ""\nmanager: str = ""\npipeline: str = ""\nstore: str = ""\nlang: str = "ru"'
    )
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell("print(period, manager or 'team')")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, folder / "tiny.ipynb")
    (folder / "pack.yaml").write_text("reports: [tiny]\nscopes: [team]\nformats: [html]\n", encoding="utf-8")
    return folder


def pack(store_path: Path, nbs: Path, out: Path, period: str = "2026-10", *extra: str) -> subprocess.CompletedProcess:
    args = ("--store", str(store_path), "pack", "--period", period, "--pack", str(nbs / "pack.yaml"))
    return crm(*args, "--out", str(out), "--jobs", "1", *extra, env={"CRMREPORTS_NOTEBOOKS": str(nbs)})


# ---- R37: the pack cache keys on the store's content -----------------------------------------------------------


@pytest.mark.reliability("R37")
def test_the_same_data_written_twice_has_the_same_content_version(tmp_path):
    from crmreports.sources import demo_store

    a, b = tmp_path / "a.duckdb", tmp_path / "b.duckdb"
    demo_store.load_demo(a, seed=7, as_of=date(2026, 11, 1), n_deals=200)
    before = (a.stat().st_size, a.stat().st_mtime_ns)
    demo_store.load_demo(b, seed=7, as_of=date(2026, 11, 1), n_deals=200)
    demo_store.load_demo(a, seed=7, as_of=date(2026, 11, 1), n_deals=200)  # the same store written again
    assert (a.stat().st_mtime_ns) != before[1]  # the file changed: the old key (size, mtime) missed the cache
    assert store.store_version(a) == store.store_version(b)
    assert store.store_version(a).startswith("c-")
    # a writer that changes one price changes the version; writing the old price back restores it
    version = store.store_version(a)
    with store.lock.writing(a, "test"):
        con = store.connect(a, read_only=False)
        try:
            lead = store.read_table(con, "leads", "id = (SELECT min(id) FROM leads)")
            store.upsert(con, "leads", lead.assign(price=lead["price"].fillna(0) + 1))
            store.files.stamp_version(con)
        finally:
            con.close()
    assert store.store_version(a) != version
    # a writer that stops half way (the stamp cleared by upsert, never written again): computed from the content
    with store.lock.writing(a, "test"):
        con = store.connect(a, read_only=False)
        try:
            store.upsert(con, "leads", lead)
        finally:
            con.close()
    assert store.store_version(a) == version


@pytest.mark.slow
@pytest.mark.reliability("R37")
def test_make_demo_twice_rebuilds_nothing_and_a_sync_that_changes_data_rebuilds(tmp_path):
    from crmreports.sources import demo_store
    from crmreports.sources.amocrm import AmoCRMClient, StaticTokenAuth
    from crmreports.sources.standin import AmoCRMServer
    from crmreports.sources.sync import sync
    from sync_helpers import tiny_dump

    nbs = tiny_notebooks(tmp_path / "nbs")
    path, out = tmp_path / "demo.duckdb", tmp_path / "out"
    demo_store.load_demo(path, seed=7, as_of=date(2026, 11, 1), n_deals=200)
    first = pack(path, nbs, out)
    assert "1 built, 0 up to date" in first.stdout, first.stdout + first.stderr
    demo_store.load_demo(path, seed=7, as_of=date(2026, 11, 1), n_deals=200)  # `make demo` again: the same data
    again = pack(path, nbs, out)
    assert "0 built, 1 up to date" in again.stdout, again.stdout + again.stderr  # was "1 built": size+mtime key

    fast = dict(rate=1000, backoff_factor=0.01, backoff_jitter=0.01, backoff_min_429=0.01, timeout=(2, 2))
    synced = tmp_path / "api.duckdb"
    with AmoCRMServer(tiny_dump(5)) as srv:
        with AmoCRMClient(srv.base_url, StaticTokenAuth(srv.access_token), **fast) as c:
            sync(c, synced, progress=False)
        assert "1 built" in pack(synced, nbs, tmp_path / "out2").stdout
        assert "0 built, 1 up to date" in pack(synced, nbs, tmp_path / "out2").stdout
        srv.update_lead(1, price=777)  # the data changes
        with AmoCRMClient(srv.base_url, StaticTokenAuth(srv.access_token), **fast) as c:
            sync(c, synced, progress=False)
        rebuilt = pack(synced, nbs, tmp_path / "out2")
        assert "1 built, 0 up to date" in rebuilt.stdout, rebuilt.stdout + rebuilt.stderr


# ---- R38: a monthly run in English names alerts and archive pages as the pack's documents ----------------------


def _doc(out: Path, period: str, report: str, scope: str, figures: dict, lang: str):
    suffix = "" if lang == "ru" else f".{lang}"
    folder = out / period / report
    folder.mkdir(parents=True, exist_ok=True)
    doc = {"report": report, "period": period, "scope": scope, "figures": figures, "findings": [], "tables": {}}
    doc["meta"] = {"scope_label": scope, "currency": "RUB"}
    (folder / f"{scope}{suffix}.json").write_text(json.dumps(doc), encoding="utf-8")
    (folder / f"{scope}{suffix}.html").write_text("<h2 id='kpis'>x</h2>", encoding="utf-8")
    (out / period / f"index{suffix}.json").write_text("[]", encoding="utf-8")
    (out / period / f"index{suffix}.html").write_text("<html></html>", encoding="utf-8")


@pytest.mark.reliability("R38")
def test_alerts_and_archive_read_and_write_the_packs_language(tmp_path):
    from crmreports.delivery import alerts, archive

    # Russian: revenue 100 in 2026-10 and 300 in 2026-11; English: 50 and 900 (other numbers, to tell them apart)
    for period, ru, en in (("2026-10", 100, 50), ("2026-11", 300, 900)):
        _doc(tmp_path, period, "sales_analysis", "team", {"revenue": ru, "won_deals": 1}, "ru")
        _doc(tmp_path, period, "sales_analysis", "team", {"revenue": en, "won_deals": 2}, "en")
    rule = alerts.parse_rules(
        {"rules": [{"id": "rev", "report": "sales_analysis", "figure": "revenue", "above": 500, "section": "kpis"}]}
    )
    fired_ru = alerts.evaluate(tmp_path, "2026-11", rule)  # 300 < 500: nothing in Russian
    fired_en = alerts.evaluate(tmp_path, "2026-11", rule, "en")  # 900 ≥ 500: read from team.en.json
    assert len(fired_ru) == 0 and len(fired_en) == 1
    (alert,) = fired_en
    assert alert.value == 900 and alert.link == "2026-11/sales_analysis/team.en.html#kpis"

    moved = archive.changes(tmp_path, "2026-11", "en")
    assert moved["previous"] == "2026-10" and (tmp_path / "2026-11" / "changes.en.html").is_file()
    assert not (tmp_path / "2026-11" / "changes.html").exists()  # the Russian page is not written over
    assert moved["movers"]["team"][0]["previous"] == 50 and moved["movers"]["team"][0]["current"] == 900
    page = archive.write_archive(tmp_path, "en")
    assert page.name == "index.en.html" and not (tmp_path / "index.html").exists()
    text = page.read_text(encoding="utf-8")
    assert "2026-11/index.en.html" in text and "2026-11/changes.en.html" in text and "₽900" in text
    ru = archive.write_archive(tmp_path, "ru").read_text(encoding="utf-8")
    assert "2026-11/index.html" in ru and "300\u00a0₽" in ru and ".en." not in ru


@pytest.mark.slow
@pytest.mark.reliability("R38")
def test_monthly_in_english_names_everything_in_english(tmp_path, fixture_store):
    ws = tmp_path
    (ws / "pack.yaml").write_text("reports: [sales_analysis]\nscopes: [team]\nformats: [html]\n", encoding="utf-8")
    (ws / "delivery.yaml").write_text("head_of_sales: [head@example.org]\n", encoding="utf-8")
    (ws / "alerts.yaml").write_text(
        "rules:\n  - id: any_revenue\n    title: {ru: Выручка, en: Revenue}\n    report: sales_analysis\n"
        "    figure: revenue\n    above: 1\n    section: kpis\n",
        encoding="utf-8",
    )
    path = ws / "crm.duckdb"
    path.write_bytes(Path(fixture_store).read_bytes())
    r = crm(
        *("--store", str(path), "monthly", "--period", "2026-10", "--pack", str(ws / "pack.yaml"), "--lang", "en"),
        *("--out", str(ws / "reports"), "--delivery", str(ws / "delivery.yaml"), "--alerts", str(ws / "alerts.yaml")),
        "--dry-run",
        "--jobs",
        "1",
    )
    assert r.returncode == 0, r.stdout + r.stderr
    out = ws / "reports"
    names = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.html"))
    assert names == [
        "2026-10/changes.en.html",
        "2026-10/index.en.html",
        "2026-10/sales_analysis/team.en.html",
        "index.en.html",
    ], names
    assert "alerts: 1 (1 rules)" in r.stdout, r.stdout  # read from team.en.json (it found the English pack)
    index = (out / "2026-10" / "index.en.html").read_text(encoding="utf-8")
    assert "href='changes.en.html'" in index and "href='changes.html'" not in index


# ---- R41: an account with no deals -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def empty_account(tmp_path_factory):
    """The fixture account (users, pipelines, stages) with no deals, history, calls or tasks, and one pack of every
    report but goals (whose plans name managers of another account: R49) for the team in October 2026."""
    tmp = tmp_path_factory.mktemp("empty")
    t = fixtures.tables()
    path = tmp / "crm.duckdb"
    store.write_full(path, {k: (v.iloc[0:0] if k in ("leads", "stage_changes") else v) for k, v in t.items()})
    reports = ["sales_analysis", "unsorted_leads", "calls", "forecast", "managers", "summary", "audit"]
    (tmp / "pack.yaml").write_text(f"reports: [{', '.join(reports)}]\nscopes: [team]\nformats: [html]\n")
    r = crm("--store", str(path), "pack", "--period", "2026-10", "--pack", str(tmp / "pack.yaml"), "--out", str(tmp))
    return r, tmp / "2026-10"


@pytest.mark.slow
@pytest.mark.reliability("R41")
def test_an_account_without_deals_gives_reports_of_zeros(empty_account):
    r, folder = empty_account
    for report in ("sales_analysis", "unsorted_leads", "calls", "forecast"):
        assert (folder / report / "team.html").is_file(), (report, r.stdout[-2000:])
    figures = json.loads((folder / "sales_analysis" / "team.json").read_text(encoding="utf-8"))["figures"]
    assert figures["won_deals"] == 0 and figures["created_deals"] == 0 and figures["lost_deals"] == 0


@pytest.mark.reliability("R41")
def test_open_deals_of_an_account_without_deals_is_an_empty_table_with_its_columns():
    """Found by tests/test_properties.py: concepts.open_deals_at selected its rows with an empty list, which pandas
    takes for a selection of no columns: the caller's ``["id"]`` failed (KeyError) for an account without deals."""
    t = fixtures.tables()
    got = concepts.open_deals_at(
        t["leads"].iloc[0:0], t["stage_changes"].iloc[0:0], t["statuses"], pd.Timestamp("2026-11-01")
    )
    assert list(got.columns) == ["id", "price", "pipeline_id", "status_id"] and got.empty


@pytest.mark.slow
@pytest.mark.reliability("R41")
def test_the_newer_reports_also_run_on_an_account_without_deals(empty_account):
    r, folder = empty_account
    for report in ("managers", "summary", "audit"):
        assert (folder / report / "team.html").is_file(), (report, r.stdout[-2000:])


# ---- R42: zero and missing prices ------------------------------------------------------------------------------


@pytest.mark.reliability("R42")
def test_zero_and_missing_prices():
    from crmreports.reports.sales_analysis import metrics

    # October 2026: three deals won (price 0, a missing price, 120) and one lost. Revenue 0 + 0 + 120 = 120 (a
    # missing price counts 0); won 3; the average check 120 / 3 = 40; win rate 3 / 4 = 0.75.
    t = pd.Timestamp
    leads = pd.DataFrame(
        {
            "id": [1, 2, 3, 4],
            "price": [0.0, float("nan"), 120.0, 50.0],
            "status_id": [142, 142, 142, 143],
            "created_at": [t("2026-10-01"), t("2026-10-02"), t("2026-10-03"), t("2026-10-04")],
            "closed_at": [t("2026-10-05"), t("2026-10-06"), t("2026-10-07"), t("2026-10-08")],
            "responsible_user_id": [1, 1, 2, 2],
        }
    )
    oct26 = parse_period("2026-10")
    h = metrics.headline(leads, oct26, t("2026-11-01"))
    assert (h["revenue"], h["won_deals"], h["average_check"], h["win_rate"]) == (120.0, 3, 40.0, 0.75)
    # no amounts in the whole data (an export without them): revenue and the check are unknown, not 0
    h = metrics.headline(leads.assign(price=float("nan")), oct26, t("2026-11-01"))
    assert pd.isna(h["revenue"]) and pd.isna(h["average_check"]) and h["won_deals"] == 3


# ---- R44: the year boundary and local time -----------------------------------------------------------------------


@pytest.mark.reliability("R44")
def test_a_deal_won_at_new_year_in_moscow_counts_in_the_new_year(tmp_path):
    # Won at 2026-12-31 21:30 UTC = 2027-01-01 00:30 Moscow (UTC+3): January 2027 and the year 2027, not December
    t = fixtures.tables()
    t["account"] = t["account"].assign(timezone="Europe/Moscow")
    leads = t["leads"]
    leads.loc[leads["id"] == 1, "closed_at"] = pd.Timestamp("2026-12-31 21:30")
    path = tmp_path / "crm.duckdb"
    store.write_full(path, t)
    data = store.load(path)
    local = data.leads.set_index("id").loc[1, "closed_at"]
    assert local == pd.Timestamp("2027-01-01 00:30")
    ids = lambda p: sorted(concepts.won_in(data.leads, parse_period(p))["id"])  # noqa: E731
    # the ISO week of 1 January 2027 (a Friday) is 2026-W53 (28 December 2026 .. 3 January 2027)
    assert 1 in ids("2027-01") and 1 in ids("2027") and 1 in ids("2027-Q1") and 1 in ids("2026-W53")
    assert 1 not in ids("2026-12") and 1 not in ids("2026") and 1 not in ids("2026-Q4")


# ---- R45, R46: a stage deleted from the pipeline, deals moved between pipelines ------------------------------------


@pytest.mark.reliability("R45")
def test_a_stage_deleted_from_the_pipeline_but_in_the_history():
    from crmreports.reports.sales_analysis import metrics

    t = fixtures.tables()
    statuses = t["statuses"][t["statuses"]["id"] != 2]  # stage B deleted; the history still enters it
    oct26 = parse_period("2026-10")
    f = metrics.funnel(t["leads"], t["stage_changes"], statuses, t["pipelines"], oct26).set_index("stage")
    # The October cohort: L1, L2, L3, L4, L6, L7 (tests/fixtures.py). Without B the funnel is A, C, won:
    # entered A: all 6; C: L1, L2 = 2; won: L1, L2, L7 = 3 (L7 won on 11-03). Reached (cumulative, furthest stage
    # of the three): A 6, C 3 (L1, L2, and L7 whose furthest is won), won 3.
    assert f["passed"].to_dict() == {"A": 6, "C": 2, "Успешно реализовано": 3}
    assert f["cumulative"].to_dict() == {"A": 6, "C": 3, "Успешно реализовано": 3}
    losses = metrics.losses_by_stage(t["leads"], t["stage_changes"], statuses, oct26)
    # lost in October: L3 from B (deleted: no name) and L6 from A; both counted, none dropped
    assert int(losses["lost"].sum()) == 2


@pytest.mark.reliability("R46")
def test_a_deal_moved_to_another_pipeline_counts_in_each_pipeline_it_entered():
    from crmreports.reports.sales_analysis import metrics

    t = pd.Timestamp
    statuses = pd.DataFrame(
        {
            "id": [1, 2, 142, 143, 11, 142, 143],
            "pipeline_id": [10, 10, 10, 10, 20, 20, 20],
            "name": ["A", "B", "Won", "Lost", "X", "Won", "Lost"],
            "sort": [10, 20, 10000, 11000, 10, 10000, 11000],
            "kind": ["open", "open", "won", "lost", "open", "won", "lost"],
        }
    )
    pipelines = pd.DataFrame({"id": [10, 20], "name": ["Продажи", "Сервис"]})
    # deal 1: A (10) → X (20) → won in 20; deal 2: A → B → won in 10. Revenue 100 + 50 = 150, counted once each.
    leads = pd.DataFrame(
        {
            "id": [1, 2],
            "price": [100.0, 50.0],
            "pipeline_id": [20, 10],
            "status_id": [142, 142],
            "responsible_user_id": [1, 1],
            "created_at": [t("2026-10-01"), t("2026-10-02")],
            "closed_at": [t("2026-10-20"), t("2026-10-21")],
        }
    )
    sc = pd.DataFrame(
        {
            "id": ["a1", "a2", "a3", "b1", "b2", "b3"],
            "lead_id": [1, 1, 1, 2, 2, 2],
            "at": [
                t("2026-10-01"),
                t("2026-10-05"),
                t("2026-10-20"),
                t("2026-10-02"),
                t("2026-10-03"),
                t("2026-10-21"),
            ],
            "from_pipeline_id": [None, 10, 20, None, 10, 10],
            "from_status_id": [None, 1, 11, None, 1, 2],
            "to_pipeline_id": [10, 20, 20, 10, 10, 10],
            "to_status_id": [1, 11, 142, 1, 2, 142],
        }
    )
    oct26 = parse_period("2026-10")
    f = metrics.funnel(leads, sc, statuses, pipelines, oct26)
    got = {(p, s): n for p, s, n in zip(f["pipeline"], f["stage"], f["passed"])}
    assert got == {
        ("Продажи", "A"): 2,
        ("Продажи", "B"): 1,
        ("Продажи", "Won"): 1,
        ("Сервис", "X"): 1,
        ("Сервис", "Won"): 1,
    }
    h = metrics.headline(leads, oct26, t("2026-11-01"))
    assert (h["revenue"], h["won_deals"]) == (150.0, 2)


# ---- R47: right-to-left and emoji names -------------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore:Glyph .* missing from font:UserWarning")  # drawn as a box; never in a document
@pytest.mark.reliability("R47")
def test_right_to_left_and_emoji_names_are_data():
    import html

    from crmreports.core.scopes import manager_slugs, slug
    from crmreports.present.theme import to_svg
    from crmreports.reports.sales_analysis import charts as sales_charts

    names = ["محمد علي", "שרה כהן", "🚀 Ракета 🚀", "\u202enimda\u202e", "👩\u200d💼"]
    slugs = manager_slugs(pd.DataFrame({"id": [1, 2, 3, 4, 5], "name": names}))
    # Arabic and Hebrew letters and emoji have no ASCII form: user-<id>; Cyrillic is transliterated; the
    # right-to-left override is dropped (a file name that reads backwards would hide its extension)
    assert slugs == {1: "user-1", 2: "user-2", 3: "raketa", 4: "nimda", 5: "user-5"}
    assert slug("\u202ecod.exe") == "cod-exe"
    mgr = pd.DataFrame({"manager": names, "revenue": [1.0, 2.0, 3.0, 4.0, 5.0], "win_rate": [0.1] * 5})
    svg = to_svg(sales_charts.managers_revenue(mgr))
    assert "محمد علي" in svg or html.escape("محمد علي") in svg


# ---- R54: a 401 in the middle of a sync ------------------------------------------------------------------------


@pytest.mark.heavy
@pytest.mark.reliability("R54")
def test_a_401_in_the_middle_of_a_sync_fails_clearly_and_the_next_sync_loses_nothing(tmp_path):
    from crmreports.sources.amocrm import AmoCRMClient, AmoCRMError, StaticTokenAuth
    from crmreports.sources.standin import AmoCRMServer
    from crmreports.sources.sync import sync
    from sync_helpers import assert_store_equals, demo_dump

    fast = dict(rate=1000, backoff_factor=0.01, backoff_jitter=0.01, backoff_min_429=0.01, timeout=(2, 2))
    path = tmp_path / "crm.duckdb"
    with AmoCRMServer(demo_dump(300, 6)) as srv:
        srv.inject("401", times=1000, path="/api/v4/events")  # the token is revoked after the leads were read
        with AmoCRMClient(srv.base_url, StaticTokenAuth(srv.access_token), **fast) as c:
            with pytest.raises(AmoCRMError) as exc:
                sync(c, path, progress=False)
        assert "401" in str(exc.value) and srv.access_token not in str(exc.value)
        assert (
            reliability.scan([str(exc.value), *(p for p in tmp_path.rglob("*") if p.is_file())], [srv.access_token])
            == []
        )
        srv.clear_faults()
        with AmoCRMClient(srv.base_url, StaticTokenAuth(srv.access_token), **fast) as c:
            sync(c, path, progress=False)
        assert_store_equals(path, srv.expected_dump(), tmp_path)  # reports listed vs stored into the tally


# ---- R58: a full disk while writing reports ----------------------------------------------------------------------


@contextlib.contextmanager
def small_disk(path: Path, size: str = "1m"):
    """A 1 MB tmpfs mounted at ``path`` (root in a container that allows mounts); else skip."""
    path.mkdir(parents=True, exist_ok=True)
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], capture_output=True)
    if r.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({r.stderr.decode().strip()}); R58b covers it with RLIMIT_FSIZE")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], capture_output=True)


@pytest.mark.reliability("R56")
def test_a_full_disk_while_writing_reports_leaves_no_half_file(tmp_path):
    from crmreports.batch.run import _atomic_write

    with small_disk(tmp_path / "disk") as disk:
        page = disk / "2026-10" / "index.html"
        page.parent.mkdir()
        _atomic_write(page, "<html>old</html>")  # the previous good page
        (disk / "filler").write_bytes(b"x" * (1024 * 1024 - 64 * 1024))  # the disk is all but full
        with pytest.raises(OSError) as exc:
            _atomic_write(page, "<html>" + "новое " * 200_000 + "</html>")  # ~2.4 MB: does not fit
        assert exc.value.errno == errno.ENOSPC
        assert page.read_text() == "<html>old</html>"  # the old page is whole, not half of the new one
        assert sorted(p.name for p in page.parent.iterdir()) == ["index.html"]  # no temporary left behind


@pytest.mark.reliability("R56")
def test_a_file_size_limit_while_writing_reports_leaves_no_half_file(tmp_path):
    """The same with RLIMIT_FSIZE in a child process (where a tmpfs cannot be mounted): the write fails with
    EFBIG, the previous file stays whole and no temporary is left."""
    page = tmp_path / "index.html"
    page.write_text("<html>old</html>")
    code = (
        "import resource, signal, sys\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, 100_000))\n"
        "from pathlib import Path\n"
        "from crmreports.batch.run import _atomic_write\n"
        "try:\n"
        f"    _atomic_write(Path({str(page)!r}), 'x' * 1_000_000)\n"
        "except OSError as exc:\n"
        "    print('errno', exc.errno); sys.exit(3)\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.returncode == 3 and f"errno {errno.EFBIG}" in r.stdout, r.stdout + r.stderr
    assert page.read_text() == "<html>old</html>"
    assert [p.name for p in tmp_path.iterdir()] == ["index.html"]


# ---- R60: two packs of the same period at once -------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.reliability("R58")
def test_two_packs_of_one_period_at_once_leave_whole_outputs(tmp_path, fixture_store):
    nbs = tiny_notebooks(tmp_path / "nbs")
    (nbs / "pack.yaml").write_text("reports: [tiny]\nscopes: [team, managers]\nformats: [html]\n", encoding="utf-8")
    out = tmp_path / "out"
    env = {k: v for k, v in os.environ.items() if not k.startswith("AMOCRM_")}
    env.update(CRMREPORTS_NOTEBOOKS=str(nbs), CRMREPORTS_DOTENV="0")
    cmd = [sys.executable, "-m", "crmreports", "--store", str(fixture_store), "pack", "--period", "2026-10"]
    cmd += ["--pack", str(nbs / "pack.yaml"), "--out", str(out), "--jobs", "1", "--force"]
    procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)]
    procs.append(subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT))
    results = [(p.wait(timeout=600), *p.communicate()) for p in procs]
    # each run either builds the pack or refuses, saying another is building it; never a broken file
    for code, stdout, stderr in results:
        assert code == 0 or "being built" in stderr + stdout, stdout + stderr
    assert any(code == 0 for code, _, _ in results)
    folder = out / "2026-10"
    for name in ("team", "anna-ivanova", "boris-petrov"):
        doc = json.loads((folder / "tiny" / f"{name}.json").read_text(encoding="utf-8"))
        assert doc["scope"] == name
        assert (folder / "tiny" / f"{name}.html").read_text(encoding="utf-8").rstrip().endswith("</html>")
    entries = json.loads((folder / "index.json").read_text(encoding="utf-8"))
    assert len(entries) == 3 and all(e["ok"] for e in entries)
    leftovers = [p.name for p in folder.rglob("*") if p.name.startswith(".") or p.name.endswith(".tmp")]
    assert leftovers == []


# ---- R43: deals closed before they were created ------------------------------------------------------------------


@pytest.mark.reliability("R43")
def test_a_deal_closed_before_it_was_created_is_loaded_with_a_warning_naming_the_row(tmp_path):
    from crmreports.sources.imports import build

    path = tmp_path / "deals.csv"
    path.write_text(
        "ID;Этап сделки;Дата создания сделки;Дата закрытия;Бюджет\n"
        "1;Успешно реализовано;10.10.2026;05.10.2026;100\n"
        "2;Успешно реализовано;01.10.2026;05.10.2026;50\n",
        encoding="utf-8",
    )
    res = build([path], "amocrm")
    assert [(i.file, i.row, i.reason) for i in res.warnings] == [("deals.csv", 2, "closed_before_created")]
    assert sorted(res.tables["leads"]["price"]) == [50.0, 100.0]  # both loaded: the figures count the win
