"""The crmreports command line: help, and clear errors for bad parameters (exit code 2)."""

import subprocess
import sys

import pytest


def crm(*args, store=None):
    cmd = [sys.executable, "-m", "crmreports"] + (["--store", str(store)] if store else []) + list(args)
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


def test_help_lists_commands():
    r = crm("--help")
    assert r.returncode == 0
    for cmd in ("demo", "run", "pack"):
        assert cmd in r.stdout


@pytest.mark.reliability("R39")
def test_bad_period_lists_valid_forms(fixture_store):
    r = crm("run", "sales_analysis", "--period", "2026-13", store=fixture_store)
    assert r.returncode == 2
    assert "bad period '2026-13'" in r.stderr and "2026-Q3" in r.stderr


@pytest.mark.reliability("R40")
def test_unknown_manager_lists_managers(fixture_store):
    r = crm("run", "sales_analysis", "--period", "2026-10", "--manager", "Вася Пупкин", store=fixture_store)
    assert r.returncode == 2
    assert "unknown manager 'Вася Пупкин'" in r.stderr and "Анна Иванова" in r.stderr


def test_unknown_report_and_format(fixture_store):
    r = crm("run", "salez", "--period", "2026-10", store=fixture_store)
    assert r.returncode == 2 and "valid: " in r.stderr and "sales_analysis" in r.stderr
    r = crm("run", "sales_analysis", "--format", "docx", store=fixture_store)
    assert r.returncode == 2 and "valid: html, pdf" in r.stderr


def test_missing_store(tmp_path):
    r = crm("run", "sales_analysis", "--period", "2026-10", store=tmp_path / "none.duckdb")
    assert r.returncode == 2 and "crmreports demo" in r.stderr


@pytest.mark.slow
def test_run_writes_outputs(fixture_store, tmp_path):
    r = crm(
        "run",
        "sales_analysis",
        "--period",
        "2026-10",
        "--manager",
        "Анна Иванова",
        "--format",
        "html",
        "--out",
        str(tmp_path),
        store=fixture_store,
    )
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "2026-10" / "sales_analysis" / "anna-ivanova.html").exists()
    assert not (tmp_path / "2026-10" / "sales_analysis" / "anna-ivanova.pdf").exists()


def test_report_specific_parameters_are_checked(fixture_store, tmp_path):
    r = crm("run", "sales_analysis", "-p", "colour=red", "--out", str(tmp_path), store=fixture_store)
    assert r.returncode == 2 and "no parameter(s) colour" in r.stderr
    r = crm("run", "sales_analysis", "-p", "period=2026-10", store=fixture_store)
    assert r.returncode == 2 and "use the --period option" in r.stderr
    r = crm("run", "sales_analysis", "-p", "oops", store=fixture_store)
    assert r.returncode == 2 and "expected NAME=VALUE" in r.stderr


def test_group_scope_by_name(fixture_store, tmp_path):
    r = crm("run", "sales_analysis", "--period", "2026-10", "--manager", "group:нет такой", store=fixture_store)
    assert r.returncode == 2 and "unknown group 'нет такой'; valid: Отдел 1" in r.stderr


def _processes_mentioning(text: str) -> list[str]:
    from pathlib import Path

    found = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                cmd = (d / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if text in cmd:
                found.append(cmd)
    return found


@pytest.mark.slow
@pytest.mark.skipif(sys.platform != "linux", reason="reads processes from /proc")
@pytest.mark.reliability("R64")
def test_a_kernel_started_ahead_never_outlives_a_run_that_fails_its_checks(fixture_store, tmp_path):
    # a first run of the document starts its kernel while it checks parameters; -p colour=red then fails
    cmd = [sys.executable, "-m", "crmreports", "--store", str(fixture_store), "run", "sales_analysis"]
    p = subprocess.Popen(
        [*cmd, "-p", "colour=red", "--out", str(tmp_path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    _, err = p.communicate(timeout=120)
    assert p.returncode == 2 and "no parameter(s) colour" in err
    assert _processes_mentioning(f"crmreports-kernels-{p.pid}-") == []
    assert not list(tmp_path.rglob("*.json"))
    # the kernel starts before the command line is parsed: one started for `run --help`, for a bad option or for
    # a document that turns out up to date is stopped as well
    for extra, code in ((["--help"], 0), (["--colour", "red"], 2)):
        p = subprocess.Popen([*cmd, *extra], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        p.communicate(timeout=120)
        assert p.returncode == code and _processes_mentioning(f"crmreports-kernels-{p.pid}-") == []
    built = subprocess.run([*cmd, "--format", "html", "--out", str(tmp_path)], capture_output=True, text=True)
    assert built.returncode == 0, built.stderr
    p = subprocess.Popen(
        [*cmd, "--format", "html", "--out", str(tmp_path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    p.communicate(timeout=120)
    assert p.returncode == 0 and _processes_mentioning(f"crmreports-kernels-{p.pid}-") == []


@pytest.mark.parametrize(
    ("argv", "report"),
    [
        (["run", "calls"], "calls"),
        (["--store", "run", "run", "goals", "--period", "last"], "goals"),  # "run" as the store's file name
        (["--lang", "en", "run", "--manager", "Анна", "-p", "as_of=2026-10-15", "forecast"], "forecast"),
        (["run", "--period=2026-10", "summary"], "summary"),
        (["pack", "--period", "2026-10"], None),
        (["run"], None),
        (["run", "calls", "--help"], None),
        (["-v", "sync", "run"], None),
    ],
)
def test_the_report_of_a_run_is_read_before_the_command_line_is_parsed(argv, report):
    # what the early kernel start goes by: a wrong guess costs a kernel started for nothing, never a wrong report
    from crmreports.cli.early import _sniffed

    found = _sniffed(argv)
    assert (found[0] if found else None) == report


def test_a_run_whose_period_folder_has_documents_starts_no_kernel_before_its_checks(tmp_path):
    # such a run is probably up to date (0.95 s, no kernel needed): the kernel then starts only after the checks,
    # and only when this very document was never built
    from datetime import date, timedelta

    from crmreports.cli.early import _built_before

    last = f"{date.today().replace(day=1) - timedelta(days=1):%Y-%m}"
    out = {"--out": str(tmp_path)}
    (tmp_path / last / "calls").mkdir(parents=True)
    assert not _built_before("calls", out)  # the folder exists, no document in it yet
    (tmp_path / last / "calls" / "team.json").write_text("{}")
    assert _built_before("calls", out) and _built_before("calls", {**out, "--period": "last"})
    assert not _built_before("goals", out)
    assert not _built_before("calls", {**out, "--period": "2026-10"})
    (tmp_path / "2026-Q3" / "calls").mkdir(parents=True)
    (tmp_path / "2026-Q3" / "calls" / "anna.en.json").write_text("{}")
    assert _built_before("calls", {**out, "--period": "2026-Q3"})
    assert not _built_before("calls", {**out, "--period": "2026-07-01..2026-09-30"})  # a range: not read here
