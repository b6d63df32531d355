"""Faults around a pack (issue #20, items 1, 10, 11): kernels that die or hang, a pack killed with -9,
a store writer killed with -9, and secrets in the pack's environment. Real processes throughout."""

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import pytest

import reliability
from crmreports import store
from crmreports.batch.kernels import kernel_env
from crmreports.batch.pack import remove_stale_temporaries
from crmreports.core.environment import is_secret_name

ROOT = Path(__file__).resolve().parents[1]
SECRETS = {
    "AMOCRM_ACCESS_TOKEN": "tok-7c1d-amocrm-do-not-leak",
    "AMOCRM_CLIENT_SECRET": "cs-55e0-do-not-leak",
    "SMTP_PASSWORD": "smtp-pw-1b2f-do-not-leak",
    "TELEGRAM_BOT_TOKEN": "123456:tg-do-not-leak",
    "ROMASHKA_AMOCRM_TOKEN": "tok-romashka-do-not-leak",  # an account's token_env
    "SOME_API_KEY": "key-9a9a-do-not-leak",
}
PARAMETERS = 'period: str = ""\nmanager: str = ""\npipeline: str = ""\nstore: str = ""\nlang: str = "ru"'


def notebook(folder: Path, name: str, *cells: str) -> None:
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell(PARAMETERS)
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, *(nbformat.v4.new_code_cell(c) for c in cells)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, folder / f"{name}.ipynb")


def crm(*args, store_path, notebooks: Path, env=None, **kw):
    e = dict(os.environ, CRMREPORTS_NOTEBOOKS=str(notebooks), **SECRETS, **(env or {}))
    cmd = [sys.executable, "-m", "crmreports", "--store", str(store_path), *args]
    return subprocess.run(cmd, capture_output=True, text=True, env=e, cwd=ROOT, **kw)


def outputs_text(folder: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in folder.rglob("*") if p.is_file())


# ---- item 11: the environment a kernel gets -------------------------------------------------------


@pytest.mark.reliability("R25")
def test_kernel_env_drops_secrets_and_keeps_the_rest():
    env = kernel_env(
        {
            **SECRETS,
            "SMTP_HOST": "mail.example.com",
            "TELEGRAM_API_BASE": "http://x",
            "GITHUB_TOKEN": "t",
            "DB_PASSWORD": "p",
            "AWS_SECRET_ACCESS_KEY": "s",
            "PATH": "/usr/bin",
            "HOME": "/root",
            "LANG": "ru_RU.UTF-8",
            "PYTHONPATH": "/x",
            "MPLBACKEND": "Agg",
            "CRMREPORTS_STORE": "data/crm.duckdb",
            "CRMREPORTS_NOTEBOOKS": "notebooks",
        }
    )
    assert set(env) == {"PATH", "HOME", "LANG", "PYTHONPATH", "MPLBACKEND", "CRMREPORTS_STORE", "CRMREPORTS_NOTEBOOKS"}
    assert is_secret_name("smtp_user") and is_secret_name("My_Private_Thing") and not is_secret_name("TZ")


# ---- items 1 and 11 through the real CLI ----------------------------------------------------------


@pytest.fixture(scope="module")
def faulty_pack(tmp_path_factory, fixture_store):
    """A pack whose first report's kernel dies in every document (``os._exit``), whose second report sleeps
    for ever in the team's document, then two good ones, one of which prints its environment."""
    ws = tmp_path_factory.mktemp("faulty")
    nbs = ws / "notebooks"
    nbs.mkdir()
    notebook(nbs, "dies", "import os\nos._exit(1)")
    notebook(nbs, "hangs", "import time\nif not manager:\n    time.sleep(10**6)")
    notebook(nbs, "fine", "print('fine', manager or 'team')")
    notebook(nbs, "environ", "import os\nprint(sorted(os.environ))\nprint(list(os.environ.values()))")
    pack = ws / "pack.yaml"
    pack.write_text("reports: [dies, hangs, fine, environ]\nscopes: [team, managers]\nformats: [html]\n")
    out = ws / "reports"
    started = time.monotonic()
    r = crm(
        "pack",
        "--period",
        "2026-10",
        "--pack",
        str(pack),
        "--out",
        str(out),
        "--jobs",
        "2",
        "--cell-timeout",
        "5",
        store_path=fixture_store,
        notebooks=nbs,
        timeout=400,  # before the fix: never ended
    )
    return r, out / "2026-10", time.monotonic() - started


@pytest.mark.slow
@pytest.mark.reliability("R01")
def test_dead_and_hung_kernels_fail_only_their_documents(faulty_pack):
    r, folder, seconds = faulty_pack
    assert r.returncode == 1, r.stdout + r.stderr
    assert "8 built, 0 up to date, 4 failed of 12 documents" in r.stdout, r.stdout + r.stderr
    entries = json.loads((folder / "index.json").read_text(encoding="utf-8"))
    failed = sorted((e["report"], e["scope"]) for e in entries if not e["ok"])
    assert failed == [("dies", "anna-ivanova"), ("dies", "boris-petrov"), ("dies", "team"), ("hangs", "team")]
    for report, scope in failed:
        assert (folder / report / f"{scope}.error.ipynb").exists(), (report, scope)
    assert "timed out" in r.stdout and "after 5 seconds" in r.stdout  # the hung cell's message
    for report in ("fine", "environ"):
        for scope in ("team", "anna-ivanova", "boris-petrov"):
            assert (folder / report / f"{scope}.html").exists(), (report, scope)
    assert (folder / "hangs" / "anna-ivanova.html").exists()
    assert seconds < 200, seconds


@pytest.mark.slow
@pytest.mark.reliability("R25")
def test_kernels_see_no_secret_of_the_pack_environment(faulty_pack):
    r, folder, _ = faulty_pack
    printed = (folder / "environ" / "team.ipynb").read_text(encoding="utf-8")
    assert "'PATH'" in printed and "'CRMREPORTS_NOTEBOOKS'" in printed  # the environment was printed
    everything = outputs_text(folder) + r.stdout + r.stderr
    assert reliability.scan([everything], SECRETS.values()) == []  # counted in the reliability tally
    for name in SECRETS:
        assert f"'{name}'" not in printed, name


@pytest.mark.slow
@pytest.mark.reliability("R25")
def test_a_single_run_kernel_sees_no_secret_and_prints_no_tcp_warning(tmp_path, fixture_store):
    nbs = tmp_path / "nbs"
    nbs.mkdir()
    notebook(nbs, "environ", "import os\nprint(sorted(os.environ))\nprint(list(os.environ.values()))")
    out = tmp_path / "out"
    r = crm(
        "run", "environ", "--period", "2026-10", "--format", "html", "--out", str(out),
        store_path=fixture_store, notebooks=nbs, timeout=300,
    )  # fmt: skip
    assert r.returncode == 0, r.stdout + r.stderr
    assert "without encryption" not in r.stderr  # "[IPKernelApp] WARNING | Kernel is running over TCP ..."
    printed = (out / "2026-10" / "environ" / "team.ipynb").read_text(encoding="utf-8")
    assert "'PATH'" in printed
    for name, value in SECRETS.items():
        assert value not in printed and f"'{name}'" not in printed, name


# ---- item 10: kill -9 of a pack, of a store writer ------------------------------------------------


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                stat = (d / "stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            tree.setdefault(ppid, []).append(int(d.name))
    return tree


def _descendants(pid: int) -> dict[int, str]:
    tree, found, todo = _children(), {}, [pid]
    while todo:
        for child in tree.get(todo.pop(), []):
            try:
                found[child] = (Path("/proc") / str(child) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        stat = (Path("/proc") / str(pid) / "stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"  # a zombie is dead, waiting for its new parent to reap it


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the process tree from /proc")
@pytest.mark.reliability("R23")
def test_a_pack_killed_with_9_leaves_no_process_and_its_leftovers_are_removed(tmp_path, fixture_store):
    nbs = tmp_path / "nbs"
    nbs.mkdir()
    out = tmp_path / "out"
    notebook(nbs, "quick", "print('quick')")
    # two kernels, and the slow document waits for the quick one's PDF: whichever of the two threads takes a
    # kernel first, a PDF worker, two kernels and the slow notebook are all alive when the pack is killed
    quick_pdf = out / "2026-10" / "quick" / "team.pdf"
    notebook(
        nbs,
        "slow",
        f"import time, pathlib\nwhile not pathlib.Path({str(quick_pdf)!r}).exists():\n    time.sleep(0.2)\n"
        "time.sleep(120)",
    )
    pack = tmp_path / "pack.yaml"
    pack.write_text("reports: [quick, slow]\nscopes: [team]\nformats: [pdf]\n")
    env = dict(os.environ, CRMREPORTS_NOTEBOOKS=str(nbs))
    cmd = [sys.executable, "-m", "crmreports", "--store", str(fixture_store), "pack", "--period", "2026-10"]
    proc = subprocess.Popen(
        [*cmd, "--pack", str(pack), "--out", str(out), "--jobs", "2"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 240
        while True:  # until the quick PDF is printed (a PDF worker exists) and the slow notebook runs
            kids = _descendants(proc.pid)
            # the PDF engine's processes: WeasyPrint's spawned workers, or Chromium's browser and renderers
            workers = [p for p, c in kids.items() if "multiprocessing" in c or "chromium" in c]
            kernels = [p for p, c in kids.items() if "ipykernel" in c]
            running = list((out / "2026-10" / "slow").glob(".team.*.ipynb"))  # papermill's notebook being run
            if quick_pdf.exists() and workers and len(kernels) >= 2 and running:
                break
            assert proc.poll() is None and time.monotonic() < deadline, "the pack ended or never got going"
            time.sleep(0.5)
        time.sleep(1)
        kids = _descendants(proc.pid)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        deadline = time.monotonic() + 15
        while (survivors := {p: c for p, c in kids.items() if _alive(p)}) and time.monotonic() < deadline:
            time.sleep(0.3)
        assert not survivors, f"still running after kill -9 of the pack: {survivors}"
    finally:
        if proc.poll() is None:
            proc.kill()
    # what the killed pack left: the slow document's temporary notebook and the kernels' socket folder
    folder = out / "2026-10"
    leftovers = [p for p in folder.rglob(".*") if p.is_file()]
    assert leftovers, f"expected the killed run's temporary files: {sorted(folder.rglob('*'))}"
    sockets = list(Path(tempfile.gettempdir()).glob(f"crmreports-kernels-{proc.pid}-*"))
    assert sockets
    if any("chromium" in c for c in kids.values()):  # the browser's profile, left by the kill too
        profiles = list(Path(tempfile.gettempdir()).glob(f"crmreports-chromium-{proc.pid}-*"))
        assert profiles
        sockets += profiles
    for p in leftovers:
        os.utime(p, (time.time() - 3600, time.time() - 3600))
    fresh = folder / "quick" / ".team.html.abcd1234"  # as if a live run were writing it now
    fresh.write_text("x")
    pack.write_text("reports: [quick]\nscopes: [team]\nformats: [html]\n")
    r = subprocess.run(
        [*cmd, "--pack", str(pack), "--out", str(out)], env=env, cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert r.returncode == 0, r.stdout + r.stderr
    assert not any(p.exists() for p in leftovers)
    assert fresh.exists()
    assert not any(p.exists() for p in sockets)


@pytest.mark.reliability("R23")
def test_stale_report_temporaries_are_recognised(tmp_path):
    old = time.time() - 3600
    names = {
        ".team.html.k3j_9x0a": True,  # _atomic_write's temporary
        ".team.q1w2e3r4.pdf": True,  # the PDF being printed
        ".anna-ivanova.zz99aa11.ipynb": True,  # the notebook being executed
        "team.html": False,  # outputs
        ".gitignore": False,
        ".team.html": False,
    }
    for name in names:
        (tmp_path / "r").mkdir(exist_ok=True)
        p = tmp_path / "r" / name
        p.write_text("x")
        os.utime(p, (old, old))
    young = tmp_path / "r" / ".team.json.abcdefgh"
    young.write_text("x")
    removed = remove_stale_temporaries(tmp_path, older_than=600)
    assert sorted(p.name for p in removed) == sorted(n for n, stale in names.items() if stale)
    assert young.exists() and (tmp_path / "r" / "team.html").exists()


WRITER = """
import sys, time
from crmreports import store
with store.building(sys.argv[1]) as con:
    con.execute("CREATE TABLE filler AS SELECT range AS i FROM range(200000)")
    con.execute("CHECKPOINT")
    print("writing", flush=True)
    time.sleep(120)
"""


@pytest.mark.reliability("R24")
def test_a_store_writer_killed_with_9_leaves_temporaries_the_next_writer_removes(tmp_path):
    import fixtures

    path = tmp_path / "crm.duckdb"
    store.write_full(path, fixtures.tables())
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE, text=True, cwd=ROOT, env=dict(os.environ)
    )
    try:
        assert writer.stdout.readline().strip() == "writing"
    finally:
        writer.kill()
        writer.wait()
    leftovers = sorted(tmp_path.glob("crm.duckdb.*.tmp*"))
    assert leftovers, list(tmp_path.iterdir())
    for p in leftovers:
        os.utime(p, (time.time() - 3600, time.time() - 3600))
    young = tmp_path / "crm.duckdb.abcdefgh.tmp"  # not old enough to be anyone's leftover
    young.write_bytes(b"")
    unrelated = tmp_path / "other.duckdb.abcdefgh.tmp"
    unrelated.write_bytes(b"")
    os.utime(unrelated, (time.time() - 3600, time.time() - 3600))
    store.write_full(path, fixtures.tables())
    assert not any(p.exists() for p in leftovers)
    assert young.exists() and unrelated.exists()
    assert store.read_account(store.connect(path)).get("name")
