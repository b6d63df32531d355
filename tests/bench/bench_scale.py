"""Benchmark (not a test): every report's library computation time and peak memory on a large store.

Builds (or reuses) the scale store (`crmreports.sources.scale.build_scale_store`: 1,000,000 deals, ~20,000,000
stage changes by default) in a work directory, then runs each registered report (`crmreports.reports`) in a
fresh subprocess, the way its notebook does: `report.open(...)` with the notebook's parameters, then
every section function in the order the notebook calls them, each followed by its HTML (what the
notebook displays when the cell ends: tables and SVG charts). Prints, per report, the time of `open`
(store reads), of the sections (metrics, narrative, charts), of the HTML, the total, and the peak resident memory
(`ru_maxrss` of the child), against the goal (≤ 3 s and ≤ 2 GB per report). Each report runs
``--repeat`` times (default 3, each in a fresh process); the run with the median total is shown, with
the range of the totals (timings on this machine vary by about ±10 % from run to run).

    .venv/bin/python tests/bench/bench_scale.py [--deals 1000000] [--events-per-deal 20] [--work DIR]
        [--period 2026-10] [--manager NAME] [--reports sales_analysis,calls] [--rebuild] [--json FILE]
        [--repeat 3]

A child that exceeds --kill-rss-gb of resident memory or --timeout seconds is stopped and reported as
failed (so one runaway report cannot take the machine down).
"""

from __future__ import annotations

import argparse
import ast
import importlib
import inspect
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "lib"))

GOAL_SECONDS = 3.0
GOAL_BYTES = 2 * 2**30
SKIP_CALLS = {"open", "title", "publish"}


def report_modules() -> list[tuple[str, str, Path]]:
    """(sections module, report name, notebook path) for every registered report."""
    from crmreports import reports

    return [
        (f"crmreports.reports.{r.name}.sections", r.name, ROOT / "notebooks" / f"{r.notebook}.py")
        for r in reports.registry().values()
    ]


def notebook_plan(nb: Path) -> tuple[dict, list[str]]:
    """The notebook's parameter defaults and the section functions it calls on ``report``, in order."""
    text = nb.read_text(encoding="utf-8")
    params = {}
    cell = re.search(r'# %% tags=\["parameters"\]\n(.*?)(?=\n# %%)', text, re.DOTALL)
    for line in (cell[1] if cell else "").splitlines():
        m = re.match(r"(\w+)\s*:\s*\w+\s*=\s*(.+?)\s*(#.*)?$", line)
        if m:
            params[m[1]] = ast.literal_eval(m[2])
    calls = []
    for m in re.finditer(r"\breport\.(\w+)\(ctx\)", text):
        if m[1] not in SKIP_CALLS and m[1] not in calls:
            calls.append(m[1])
    return params, calls


def child(view: str, report: str, nb: str, store_path: str, period: str, manager: str) -> None:
    """Run one report in this (fresh) process and print one JSON line with timings and memory."""
    import logging

    logging.disable(logging.WARNING)
    os.environ.setdefault("MPLBACKEND", "Agg")
    import matplotlib

    matplotlib.use("Agg")
    mod = importlib.import_module(view)
    params, calls = notebook_plan(Path(nb))
    params.update(period=period, manager=manager, store=store_path, lang="ru")
    for k, v in list(params.items()):  # relative paths (e.g. the goals file) are from the project root
        if isinstance(v, str) and v and k != "store" and (ROOT / v).exists():
            params[k] = str(ROOT / v)
    accepted = inspect.signature(mod.open).parameters
    params = {k: v for k, v in params.items() if k in accepted}
    base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    t0 = time.perf_counter()
    ctx = mod.open(**params)
    t1 = time.perf_counter()
    per, sections_s, html_s = {}, 0.0, 0.0
    for name in calls:
        # as in the notebook: a cell computes its section, then Jupyter displays it (its HTML)
        s = time.perf_counter()
        sec = getattr(mod, name)(ctx)
        h = time.perf_counter()
        if hasattr(sec, "_repr_html_"):
            sec._repr_html_()
        e = time.perf_counter()
        per[name] = round(h - s, 3)
        sections_s, html_s = sections_s + (h - s), html_s + (e - h)
    t3 = time.perf_counter()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    sizes = {name: len(df) for name, df in getattr(ctx.data, "tables", {}).items() if hasattr(df, "__len__")}
    print(
        json.dumps(
            {
                "report": report,
                "open_s": t1 - t0,
                "sections_s": sections_s,
                "html_s": html_s,
                "total_s": t3 - t0,
                "peak_rss": peak,
                "import_rss": base_rss,
                "per_section": per,
                "rows_loaded": sizes,
                "figures": {k: v for k, v in ctx.figures.items() if isinstance(v, (int, float))},
            },
            default=str,
        )
    )


def run_child(args, view: str, report: str, nb: Path, store_path: Path) -> dict:
    cmd = [
        sys.executable,
        __file__,
        "--child",
        view,
        report,
        str(nb),
        "--store",
        str(store_path),
        "--period",
        args.period,
        "--manager",
        args.manager,
    ]
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, env=dict(os.environ, MPLBACKEND="Agg")
    )
    killed = {}

    def watch():
        start = time.monotonic()
        while proc.poll() is None:
            try:
                rss = int(Path(f"/proc/{proc.pid}/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
            except (FileNotFoundError, ProcessLookupError, IndexError):
                break
            if rss > args.kill_rss_gb * 2**30:
                killed["why"] = f"killed: resident memory above {args.kill_rss_gb} GB"
                proc.kill()
            elif time.monotonic() - start > args.timeout:
                killed["why"] = f"killed: slower than {args.timeout} s"
                proc.kill()
            time.sleep(0.2)

    w = threading.Thread(target=watch, daemon=True)
    w.start()
    out, err = proc.communicate()
    w.join()
    lines = [ln for ln in out.splitlines() if ln.startswith("{")]
    if proc.returncode != 0 or not lines:
        tail = err.strip().splitlines()[-1:] if err.strip() else []
        return {"report": report, "error": killed.get("why") or (tail[0] if tail else f"exit {proc.returncode}")}
    return json.loads(lines[-1])


def ensure_store(args) -> Path:
    from crmreports.sources import scale

    work = Path(args.work or Path(tempfile.gettempdir()) / "crmreports-bench-scale")
    work.mkdir(parents=True, exist_ok=True)
    path = work / f"scale-{args.deals}-{args.events_per_deal}.duckdb"
    if path.exists() and not args.rebuild:
        print(f"reusing {path} ({path.stat().st_size / 2**20:,.0f} MB)")
        return path
    t0 = time.perf_counter()
    counts = scale.build_scale_store(
        path, n_deals=args.deals, events_per_deal=args.events_per_deal, as_of=date.fromisoformat(args.as_of)
    )
    dt = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(
        f"built {path} in {dt:.1f} s, {path.stat().st_size / 2**20:,.0f} MB, peak RSS {peak / 2**30:.2f} GB: "
        + ", ".join(f"{k} {v:,}" for k, v in counts.items())
    )
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--child", nargs=3, metavar=("VIEW", "REPORT", "NOTEBOOK"), help=argparse.SUPPRESS)
    ap.add_argument("--deals", type=int, default=1_000_000)
    ap.add_argument("--events-per-deal", type=int, default=20)
    ap.add_argument("--as-of", default="2026-11-01")
    ap.add_argument("--period", default="2026-10")
    ap.add_argument("--manager", default="", help="run for one manager instead of the team")
    ap.add_argument("--reports", default="", help="comma-separated report names (default: every view)")
    ap.add_argument("--work", default="", help="work directory for the store (default: $TMPDIR/crmreports-bench-scale)")
    ap.add_argument("--store", default="", help="use this store as is")
    ap.add_argument("--rebuild", action="store_true", help="rebuild the store even if it exists")
    ap.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="runs per report (fresh processes); the run with the median total is shown, with the range",
    )
    ap.add_argument("--timeout", type=float, default=600)
    ap.add_argument("--kill-rss-gb", type=float, default=10)
    ap.add_argument("--json", default="", help="also write the results to this JSON file")
    a = ap.parse_args()
    if a.child:
        child(*a.child, a.store, a.period, a.manager)
        return
    store_path = Path(a.store) if a.store else ensure_store(a)
    wanted = {r.strip() for r in a.reports.split(",") if r.strip()}
    results = []
    for view, report, nb in report_modules():
        if wanted and report not in wanted and view not in wanted:
            continue
        r = _median_run([run_child(a, view, report, nb, store_path) for _ in range(max(1, a.repeat))])
        results.append(r)
        print(_row(r), flush=True)
    print()
    print(
        f"{'report':<16}{'open s':>8}{'sections s':>11}{'html s':>8}{'total s':>9}{'peak GB':>9}   "
        f"goal ≤{GOAL_SECONDS:g} s, ≤{GOAL_BYTES / 2**30:g} GB"
    )
    for r in results:
        print(_row(r))
    if a.json:
        Path(a.json).write_text(json.dumps(results, indent=1, default=str), encoding="utf-8")


def _median_run(runs: list[dict]) -> dict:
    """The run with the median total time, with every run's totals and the highest peak memory; a
    failed run is the result (the machine's noise must not hide a failure)."""
    failed = [r for r in runs if "error" in r]
    if failed:
        return failed[0]
    ordered = sorted(runs, key=lambda r: r["total_s"])
    out = dict(ordered[(len(ordered) - 1) // 2])
    out["totals"] = [round(r["total_s"], 2) for r in runs]
    out["peak_rss"] = max(r["peak_rss"] for r in runs)
    return out


def _row(r: dict) -> str:
    if "error" in r:
        return f"{r['report']:<16}{'':>45}   FAIL ({r['error']})"
    ok = r["total_s"] <= GOAL_SECONDS and r["peak_rss"] <= GOAL_BYTES
    spread = f"  runs {min(r['totals']):.2f}–{max(r['totals']):.2f} s" if len(r.get("totals", [])) > 1 else ""
    return (
        f"{r['report']:<16}{r['open_s']:>8.2f}{r['sections_s']:>11.2f}{r['html_s']:>8.2f}{r['total_s']:>9.2f}"
        f"{r['peak_rss'] / 2**30:>9.2f}   {'pass' if ok else 'FAIL'}{spread}"
        f"  (sections: {', '.join(f'{k} {v:.2f}' for k, v in r['per_section'].items())})"
    )


if __name__ == "__main__":
    main()
