"""Stress loop for the warm kernel pool (not a test; prints figures).

    .venv/bin/python tests/bench/stress_kernels.py [--docs 300] [--jobs 2]

Runs small notebooks through :class:`crmreports.batch.kernels.KernelPool`, every third one failing on
purpose, and counts documents that failed for any other reason (a kernel that did not answer, died,
or leaked state). Before each client got its own session, about one document in 200 waited 60 s
for a kernel that answered another socket; keep this at 0 when changing the pool.
"""

from __future__ import annotations

import argparse
import logging
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import papermill as pm

from crmreports.batch.kernels import KernelPool

log = logging.getLogger("stress_kernels")


def notebook(code: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell('manager: str = ""')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell(code)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


FAILS = notebook('import pandas\nif not manager:\n    raise RuntimeError("deliberate")')
WORKS = notebook('import pandas, matplotlib.pyplot as plt\nassert "leak" not in globals()\nleak = sum(range(10**5))')


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=300)
    ap.add_argument("--jobs", type=int, default=2)
    a = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("papermill").setLevel(logging.CRITICAL)
    work = Path(tempfile.mkdtemp(prefix="stress-kernels-"))
    unexpected: list[str] = []

    def one(i: int, pool: KernelPool) -> None:
        failing = i % 3 == 0
        try:
            with pool.kernel() as kernel:
                pm.execute_notebook(
                    FAILS if failing else WORKS,
                    str(work / f"{i}.ipynb"),
                    kernel_name="python3",
                    parameters={"manager": "" if failing else "x"},
                    progress_bar=False,
                    **kernel,
                )
        except Exception as exc:
            if not (failing and "deliberate" in str(exc)):
                unexpected.append(f"document {i}: {type(exc).__name__}: {str(exc)[:120]}")
                log.warning(unexpected[-1])
        else:
            if failing:
                unexpected.append(f"document {i}: should have failed")

    t0 = time.perf_counter()
    with KernelPool(a.jobs, "python3", work) as pool, ThreadPoolExecutor(a.jobs) as ex:
        list(ex.map(lambda i: one(i, pool), range(a.docs)))
    took = time.perf_counter() - t0
    log.info(
        "%d documents (%d failing on purpose) on %d warm kernels in %.1f s (%.2f s/doc); unexpected failures: %d",
        a.docs,
        len(range(0, a.docs, 3)),
        a.jobs,
        took,
        took / a.docs,
        len(unexpected),
    )


if __name__ == "__main__":
    main()
