"""Packs on a Dask cluster (issue #19): a LocalCluster of two worker processes builds two accounts' packs
with the same figures as the local runner; a worker killed mid-job has its job retried elsewhere and the
pack completes; a failing job is isolated and reported as locally; the CLI refuses a scheduler nobody
runs, naming it."""

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import nbformat
import pytest

from crmreports.batch import run as run_module
from crmreports.batch.compare import compare_packs
from crmreports.batch.pack import build_packs, remove_stale_temporaries

distributed = pytest.importorskip("distributed")
pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]
PERIOD = "2026-10"


def _notebooks(folder: Path) -> Path:
    """The real sales notebook, one that fails for the team scope, and one that sleeps (to be killed)."""
    nbs = folder / "notebooks"
    nbs.mkdir(parents=True)
    shutil.copy(ROOT / "notebooks" / "sales_analysis.ipynb", nbs)
    for name, body in (
        ("failing", 'if not manager:\n    raise RuntimeError("deliberate failure for the team scope")'),
        ("slow", "import time\ntime.sleep(4)"),
    ):
        nb = nbformat.v4.new_notebook()
        params = nbformat.v4.new_code_cell(
            'period: str = ""\nmanager: str = ""\npipeline: str = ""\nstore: str = ""\nlang: str = "ru"'
        )
        params.metadata["tags"] = ["parameters"]
        nb.cells = [params, nbformat.v4.new_code_cell(body)]
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nbformat.write(nb, nbs / f"{name}.ipynb")
    return nbs


@pytest.fixture(scope="module")
def setup(tmp_path_factory, fixture_store):
    """Two accounts (two copies of the fixture, one with a different account name and prices doubled, so
    their figures differ), a notebooks folder, a pack file and a LocalCluster of two worker processes."""
    ws = tmp_path_factory.mktemp("cluster")
    nbs = _notebooks(ws)
    a, b = ws / "a.duckdb", ws / "b.duckdb"
    shutil.copy(fixture_store, a)
    shutil.copy(fixture_store, b)
    con = duckdb.connect(str(b))
    con.execute("UPDATE leads SET price = price * 2")
    con.execute("UPDATE account SET name = 'Второй клиент'")
    con.close()
    (ws / "pack.yaml").write_text("reports: [sales_analysis, failing]\nscopes: [team, managers]\nformats: [html]\n")
    old = os.environ.get("CRMREPORTS_NOTEBOOKS")
    os.environ["CRMREPORTS_NOTEBOOKS"] = str(nbs)  # the worker processes inherit it
    old_folder, run_module.NOTEBOOKS = run_module.NOTEBOOKS, nbs  # this process read it at import
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    client = distributed.Client(cluster)
    yield ws, a, b, client
    client.close()
    cluster.close()
    run_module.NOTEBOOKS = old_folder
    if old is None:
        os.environ.pop("CRMREPORTS_NOTEBOOKS", None)
    else:
        os.environ["CRMREPORTS_NOTEBOOKS"] = old


def test_two_accounts_on_the_cluster_match_the_local_runner(setup):
    ws, a, b, client = setup
    pack = str(ws / "pack.yaml")
    accounts = lambda where: [(str(a), str(ws / where / "a")), (str(b), str(ws / where / "b"))]  # noqa: E731
    local = build_packs(accounts("local"), PERIOD, pack, workers=2, progress=False)
    remote = build_packs(accounts("cluster"), PERIOD, pack, progress=False, client=client)
    assert [len(r.results) for r in remote] == [6, 6]  # 2 reports × (team + 2 managers) per account
    for run in (*local, *remote):
        assert [(r.job.report, r.job.scope) for r in run.failed] == [("failing", "team")]
        failed = run.failed[0]
        assert "deliberate failure" in failed.error and Path(failed.files["ipynb"]).name == "team.error.ipynb"
    for acct in ("a", "b"):
        cmp = compare_packs(ws / "local" / acct, ws / "cluster" / acct)
        assert cmp.same, cmp.differences
        assert cmp.documents == 6 and cmp.rows > 0  # the 5 documents that built and the index, value by value
    # the two accounts never mix: b's revenue is twice a's (prices doubled), its name only in b's outputs
    fig = lambda acct: json.loads(  # noqa: E731
        (ws / "cluster" / acct / PERIOD / "sales_analysis" / "team.json").read_text(encoding="utf-8")
    )["figures"]["revenue"]
    assert fig("b") == pytest.approx(2 * fig("a")) and fig("a") > 0
    a_html = (ws / "cluster" / "a" / PERIOD / "sales_analysis" / "team.html").read_text(encoding="utf-8")
    assert "Второй клиент" not in a_html
    # the index pages link the documents relative to their own folder
    index = (ws / "cluster" / "b" / PERIOD / "index.html").read_text(encoding="utf-8")
    assert "sales_analysis/team.html" in index and str(ws) not in index


def test_a_worker_killed_mid_job_has_its_job_retried(setup):
    ws, a, _, client = setup
    (ws / "slow.yaml").write_text("reports: [slow]\nscopes: [team]\nformats: [html]\n")
    killed = []
    pids = client.run(os.getpid)  # worker address -> its process id

    def kill_the_busy_worker():
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not killed:
            busy = [w for w, tasks in client.processing().items() if tasks]
            if busy:
                time.sleep(1.5)  # the kernel is running the notebook's sleep
                os.kill(pids[busy[0]], signal.SIGKILL)  # kill -9 the worker process mid-job
                killed.append(busy[0])
            time.sleep(0.1)

    killer = threading.Thread(target=kill_the_busy_worker)
    killer.start()
    (run,) = build_packs([(str(a), str(ws / "killed"))], PERIOD, str(ws / "slow.yaml"), progress=False, client=client)
    killer.join()
    assert killed, "no worker was busy to kill"
    assert [(r.job.report, r.ok) for r in run.results] == [("slow", True)]
    folder = ws / "killed" / PERIOD / "slow"
    visible = sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))
    assert visible == ["team.html", "team.ipynb", "team.json", "team.xlsx"]
    # the killed attempt left at most its hidden temporary notebook, which the next pack removes once stale
    leftovers = [p.name for p in folder.iterdir() if p.name.startswith(".")]
    assert len(leftovers) <= 1
    assert [p.name for p in remove_stale_temporaries(ws / "killed" / PERIOD, older_than=0)] == leftovers
    client.wait_for_workers(2, timeout=60)  # the nanny restarted the killed worker


def test_cli_names_a_scheduler_that_does_not_answer(fixture_store, tmp_path):
    r = subprocess.run(
        [sys.executable, "-m", "crmreports", "--store", str(fixture_store), "pack", "--period", PERIOD]
        + ["--out", str(tmp_path), "--scheduler", "tcp://127.0.0.1:9"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if k != "CRMREPORTS_NOTEBOOKS"},
    )
    assert r.returncode == 2, r.stderr
    assert "tcp://127.0.0.1:9" in r.stderr and "no Dask scheduler answers" in r.stderr
    assert "Traceback" not in r.stderr
    assert not any(tmp_path.iterdir())  # nothing was written
