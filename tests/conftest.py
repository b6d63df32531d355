import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
os.environ.setdefault("MPLBACKEND", "Agg")

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def fixture_store(tmp_path_factory):
    """The hand-built fixture written to a real DuckDB file."""
    from crmreports import store
    import fixtures
    path = tmp_path_factory.mktemp("fixture") / "crm.duckdb"
    store.write_full(path, fixtures.tables())
    return path


DEMO_AS_OF = "2026-11-01"


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory):
    """A small demo account (2,000 deals, history to 2026-10-31) in a real DuckDB file."""
    from datetime import date
    from crmreports.sources import demo
    path = tmp_path_factory.mktemp("demo") / "crm.duckdb"
    demo.load_demo(path, seed=7, as_of=date.fromisoformat(DEMO_AS_OF), n_deals=2000)
    return path
