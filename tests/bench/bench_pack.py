"""Benchmark (not a test): the pack command against the naive loop a user would write.

Naive loop, per document, one after another: `papermill` CLI, then `jupyter nbconvert --to html
--no-input`, then nbconvert's own PDF exporter (webpdf through Debian's Chromium; `--to pdf` via
xelatex if that is what is installed). The pack command: `crmreports pack --force` (one process,
threads, fresh kernels killed at once, in-process HTML, WeasyPrint PDF).

Prints wall time, per-document cost, the ratio, and checks that the figures agree.

    .venv/bin/python tests/bench/bench_pack.py [--deals 20000] [--naive-docs 6] [--jobs 2]

Needs for the naive PDF: `apt-get install chromium` and `pip install playwright` (webpdf), or
texlive-xetex + pandoc (`--to pdf`). Without either, the naive loop makes HTML only and says so.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT / "lib"))

from crmreports.batch.pack import build_jobs, load_pack  # noqa: E402
from crmreports.present.render import figures_payload  # noqa: E402

WEBPDF_SHIM = """
import playwright.async_api as pa
_launch = pa.BrowserType.launch
async def launch(self, *args, **kwargs):
    kwargs.setdefault("executable_path", "/usr/bin/chromium")
    return await _launch(self, *args, **kwargs)
pa.BrowserType.launch = launch
from nbconvert.exporters.webpdf import WebPDFExporter
class SystemChromiumWebPDFExporter(WebPDFExporter):
    pass
"""


def pdf_route(work: Path) -> tuple[list[str], dict] | None:
    """The nbconvert PDF command available here, and its environment."""
    try:
        import playwright  # noqa: F401

        if shutil.which("chromium"):
            (work / "pbexp.py").write_text(WEBPDF_SHIM)
            env = dict(os.environ, PYTHONPATH=str(work))
            return (
                [
                    str(BIN / "jupyter"),
                    "nbconvert",
                    "--to",
                    "pbexp.SystemChromiumWebPDFExporter",
                    "--no-input",
                    "--WebPDFExporter.disable_sandbox=True",
                ],
                env,
            )
    except ImportError:
        pass
    if shutil.which("xelatex") and shutil.which("pandoc"):
        return [str(BIN / "jupyter"), "nbconvert", "--to", "pdf", "--no-input"], dict(os.environ)
    return None


def run(cmd, env=None) -> None:
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=ROOT)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--deals", type=int, default=20000)
    ap.add_argument("--period", default="2026-10")
    ap.add_argument("--pack", default="demo")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument(
        "--naive-docs",
        type=int,
        default=0,
        help="run the naive loop on N documents spread over the pack and extrapolate (0: all)",
    )
    ap.add_argument("--fresh-kernels", action="store_true", help="pack with a fresh kernel per document")
    ap.add_argument("--work", default="")
    a = ap.parse_args()
    work = Path(a.work or tempfile.mkdtemp(prefix="bench-pack-"))
    work.mkdir(parents=True, exist_ok=True)
    store = work / "crm.duckdb"
    if not store.exists():
        run([str(BIN / "crmreports"), "--store", str(store), "demo", "--as-of", "2026-11-01", "--deals", str(a.deals)])
    spec = load_pack(a.pack)
    jobs = build_jobs(a.period, spec["reports"], spec["scopes"], str(store), "ru", str(work / "pack"), ("html", "pdf"))
    n = len(jobs)
    print(f"work dir {work}; {n} documents ({', '.join(spec['reports'])} × team + managers), {os.cpu_count()} cores")

    t0 = time.perf_counter()
    subprocess.run(
        [
            str(BIN / "crmreports"),
            "--store",
            str(store),
            "pack",
            "--period",
            a.period,
            "--pack",
            a.pack,
            "--out",
            str(work / "pack"),
            "--jobs",
            str(a.jobs),
            "--force",
        ]
        + (["--fresh-kernels"] if a.fresh_kernels else []),
        check=True,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    t_pack = time.perf_counter() - t0

    route = pdf_route(work)
    # a sample spread over every report and scope, so the extrapolation is fair to each report's cost
    naive_jobs = jobs[:: max(1, n // a.naive_docs)][: a.naive_docs] if a.naive_docs else jobs
    naive = work / "naive"
    naive.mkdir(exist_ok=True)
    mismatches = 0
    t0 = time.perf_counter()
    for job in naive_jobs:
        nb_out = naive / f"{job.report}-{job.scope}.ipynb"
        cmd = [
            str(BIN / "papermill"),
            "--no-progress-bar",
            "--log-level",
            "WARNING",
            "-k",
            "python3",
            str(ROOT / "notebooks" / f"{job.report}.ipynb"),
            str(nb_out),
        ]
        for k, v in job.parameters.items():
            cmd += ["-p", k, v]
        run(cmd)
        run([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(nb_out), "--output-dir", str(naive)])
        if route:
            run(route[0] + [str(nb_out), "--output-dir", str(naive)], env=route[1])
        mine = json.loads((job.folder / f"{job.scope}.json").read_text(encoding="utf-8"))["figures"]
        theirs = figures_payload(nbformat.read(nb_out, as_version=4))["figures"]
        mismatches += mine != theirs
    t_naive = time.perf_counter() - t0
    per_naive = t_naive / len(naive_jobs)
    est_naive = per_naive * n
    print(f"pack command : {t_pack:7.1f} s for {n} docs = {t_pack / n:.2f} s/doc (HTML + PDF + JSON + CSV + XLSX)")
    print(
        f"naive loop   : {t_naive:7.1f} s for {len(naive_jobs)} docs = {per_naive:.2f} s/doc "
        f"(papermill CLI + nbconvert html + {'nbconvert ' + route[0][3] if route else 'NO PDF: no exporter here'})"
        + (f"; ×{n} docs ≈ {est_naive:.0f} s" if len(naive_jobs) < n else "")
    )
    print(f"ratio        : {est_naive / t_pack:.1f}× faster (naive / pack, same {n} documents)")
    print(f"figures      : {len(naive_jobs) - mismatches} of {len(naive_jobs)} documents have identical JSON figures")


if __name__ == "__main__":
    main()
