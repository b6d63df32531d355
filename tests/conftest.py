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
