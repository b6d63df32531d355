"""Where the batch layer finds things, importable without the heavy modules (pandas, DuckDB, Jupyter): the
project's root, the notebooks folder and the Jupyter kernel the notebooks run in. ``crmreports run`` reads them
before anything else, to start its kernel first thing."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[3]
NOTEBOOKS = Path(os.environ.get("CRMREPORTS_NOTEBOOKS") or PROJECT_ROOT / "notebooks")
KERNEL = "python3"
