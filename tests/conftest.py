import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ["CRMREPORTS_DOTENV"] = "0"  # the CLI ignores .env files: a developer's own secrets stay out of the tests

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


# ---- the `heavy` marker: what `make test-fast` leaves out ------------------------------------------
# Tests that take a second or more each without starting a kernel (those are `slow`). `make test` runs
# them all; `make test-fast` (-m "not slow and not heavy") keeps the suite under a minute on 2 cores.
# They are marked here rather than in each file so that the list of what the fast run skips is in one place.

HEAVY_MODULES = {
    "test_sync.py": "syncs against the stand-in server, kills and resumes the sync (5-15 s each)",
    "test_datasets.py": "loads the public sample datasets (1-2 s each)",
}
HEAVY_TESTS = {
    # each starts `crmreports` in a subprocess (2-10 s); test_help_lists_commands stays
    "test_cli.py": {
        "test_bad_period_lists_valid_forms",
        "test_unknown_manager_lists_managers",
        "test_unknown_report_and_format",
        "test_report_specific_parameters_are_checked",
        "test_group_scope_by_name",
        "test_missing_store",
    },
    # generates the demo account a second time; writes a second demo store
    "test_demo.py": {"test_same_arguments_give_identical_dump", "test_load_demo_writes_the_store"},
    # fits every series in statsmodels
    "test_ets.py": {"test_the_fit_is_as_good_as_statsmodels"},
    # wait out the rate limits
    "test_amocrm_client.py": {
        "test_rate_limiter_sliding_window",
        "test_limiter_holds_with_retries_against_server_limit",
    },
    # the whole report six times
    "test_forecast.py": {"test_each_section_runs_alone"},
    # two stores, 3 s
    "test_goals_pushdown.py": {"test_same_report_in_a_zone_with_daylight_saving"},
}
# The pushdown grids compare whole reports over many periods and scopes (about a second a case): the fast
# run keeps the first case of each parametrized test. So for the grids named in GRID_TESTS.
GRID_MODULES = ("test_*_pushdown.py",)
GRID_TESTS = {"test_forecast.py": {"test_groups_at_once_equal_each_group_alone"}}


@pytest.hookimpl(tryfirst=True)  # before the -m selection
def pytest_collection_modifyitems(config, items):
    heavy = pytest.mark.heavy
    first_case: set[tuple[str, str]] = set()
    for item in items:
        path = Path(str(item.fspath))
        func = getattr(item, "originalname", item.name)
        if path.name in HEAVY_MODULES or func in HEAVY_TESTS.get(path.name, ()):
            item.add_marker(heavy)
        elif getattr(item, "callspec", None) is not None and (
            any(path.match(g) for g in GRID_MODULES) or func in GRID_TESTS.get(path.name, ())
        ):
            key = (path.name, func)
            if key in first_case:
                item.add_marker(heavy)
            first_case.add(key)


@pytest.fixture(scope="session")
def fixture_store(tmp_path_factory):
    """The hand-built fixture written to a real DuckDB file."""
    import fixtures
    from crmreports import store

    path = tmp_path_factory.mktemp("fixture") / "crm.duckdb"
    store.write_full(path, fixtures.tables())
    return path


DEMO_AS_OF = "2026-11-01"


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory):
    """A small demo account (2,000 deals, history to 2026-10-31) in a real DuckDB file."""
    from datetime import date

    from crmreports.sources import demo_store

    path = tmp_path_factory.mktemp("demo") / "crm.duckdb"
    demo_store.load_demo(path, seed=7, as_of=date.fromisoformat(DEMO_AS_OF), n_deals=2000)
    return path


# ---- the reliability catalogue (docs/reliability.md) ----------------------------------------------------------------
# A test that proves a catalogue case is marked @pytest.mark.reliability("R17"); tests/test_reliability_catalogue.py
# checks that the document and the marks agree. At the end of a run the suite prints one line: the cases tried (a
# marked test ran), held (every test of the case that ran passed), and the records lost and secrets found that the
# tests reported into tests/reliability.py (real counters, not constants).

_RELIABILITY_RUNS: dict[str, tuple[list[str], list]] = {}  # test node id -> (its case ids, its phase reports)


def pytest_configure(config):
    config.addinivalue_line("markers", "reliability(*cases): the test proves these cases of docs/reliability.md")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    cases = [str(c) for m in item.iter_markers("reliability") for c in m.args]
    if cases:
        _RELIABILITY_RUNS.setdefault(item.nodeid, (cases, []))[1].append(report)
    return report


def reliability_tally() -> tuple[int, int]:
    """(cases tried, cases held): a case is tried when one of its tests ran (not skipped) and holds when every one
    of its tests that ran passed (a failure or an expected failure, xfail, does not hold)."""
    outcomes: dict[str, list[str]] = {}
    for cases, reports in _RELIABILITY_RUNS.values():
        if any(r.failed for r in reports):
            outcome = "failed"
        elif any(hasattr(r, "wasxfail") for r in reports):
            outcome = "xfailed"
        elif any(r.skipped for r in reports):
            outcome = "skipped"
        else:
            outcome = "passed"
        for case in cases:
            outcomes.setdefault(case, []).append(outcome)
    tried = {c for c, outs in outcomes.items() if any(o != "skipped" for o in outs)}
    held = {c for c in tried if all(o in ("passed", "skipped") for o in outcomes[c])}
    return len(tried), len(held)


def pytest_terminal_summary(terminalreporter):
    if not _RELIABILITY_RUNS:
        return
    import reliability

    tried, held = reliability_tally()
    terminalreporter.write_line(
        f"reliability: {tried} cases tried, {held} held, records lost: {reliability.RECORDS['lost']}, "
        f"secrets found: {reliability.SECRETS['found']}"
    )
