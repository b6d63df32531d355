"""Benchmark (not a test): where a pack document's time goes, phase by phase, and the CLI's `run` path.

One command builds the demo pack (the demo account as of 2026-12-01, the monthly pack for 2026-11, ``--force``)
with ``crmreports pack`` in a subprocess while sampling the RSS of its whole process tree (pack process, kernels,
PDF workers), then reads the per-document timing the pack wrote into ``index.json`` (``timing``: the phases of
:data:`crmreports.batch.run.PHASES` and the seconds of every notebook cell) and prints:

* wall time, documents, seconds per document, peak RSS of the process tree;
* median and P90 of every phase over the built documents, and the share of the summed document time;
* per report: documents, median and P90 seconds, and the median of its largest phases and cells;
* ``crmreports run sales_analysis --period 2026-11 --format html`` cold (new output folder) and warm (its
  outputs are up to date), ``--format html,pdf`` cold, and ``crmreports --help``: median of ``--repeat`` runs.

    .venv/bin/python tests/bench/bench_breakdown.py                      # everything, store built in a temp dir
    .venv/bin/python tests/bench/bench_breakdown.py --store /tmp/x/demo.duckdb --save after.json --baseline before.json

``--save`` writes the numbers as JSON; ``--baseline`` prints a saved run's numbers beside this one's (before/after).
``--skip-pack`` / ``--skip-run`` leave out one half. Timings on a shared 2-core machine are noisy: compare medians.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CRM = str(Path(sys.executable).parent / "crmreports")
PAGE = os.sysconf("SC_PAGE_SIZE")
sys.path.insert(0, str(ROOT / "lib"))

from crmreports.batch.run import PHASES  # noqa: E402


def p90(xs: list[float]) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(0.9 * (len(xs) - 1)))] if xs else 0.0


def median(xs: list[float]) -> float:
    return statistics.median(xs) if xs else 0.0


# ---- peak memory of a process tree, sampled from /proc -------------------------------------------------


def _pss(pid: int) -> int:
    """Proportional set size in bytes: each shared page counted once over the processes sharing it."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for row in f:
                if row.startswith("Pss:"):
                    return int(row.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _tree(root: int) -> dict[int, int]:
    """``root`` and all its descendants (now), each with its resident memory in bytes (RSS, from statm)."""
    parents: dict[int, int] = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        parents[int(d)] = int(stat[stat.rfind(")") + 2 :].split()[1])
    children: dict[int, list[int]] = {}
    for pid, parent in parents.items():
        children.setdefault(parent, []).append(pid)
    tree, todo = {root}, [root]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in tree:
                tree.add(child)
                todo.append(child)
    rss = {}
    for pid in tree:
        try:
            with open(f"/proc/{pid}/statm") as f:
                rss[pid] = int(f.read().split()[1]) * PAGE
        except OSError:
            rss[pid] = 0
    return rss


# Sampling takes CPU from the pack it measures. Reading PSS walks every memory mapping of every process (Chromium
# has thousands): 60 ms of CPU per sample of the pack's tree, and finding the tree reads every process's stat:
# sampled both every 0.3 s, the pack took 74 s instead of 66. RSS (statm) is cheap, so RSS is sampled every
# ``every`` seconds (1 s: the peak lasts longer) and PSS only when the tree's RSS is within 3 % of
# its highest so far (the peak is where PSS peaks too, give or take; at most every PSS_NEAR_PEAK seconds) or
# PSS_EVERY seconds have passed.
PSS_EVERY, PSS_NEAR_PEAK = 8.0, 4.0


def run_sampled(cmd: list[str], every: float = 1.0) -> tuple[float, int, subprocess.CompletedProcess]:
    """Run ``cmd``; its wall time, the peak RSS of its process tree (bytes) and the finished process (with
    ``peak_pss`` and ``cpu``: the peak PSS in bytes and the CPU seconds of the tree's reaped processes)."""
    peak = peak_pss = 0
    cpu0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    done = threading.Event()

    def sample() -> None:
        nonlocal peak, peak_pss
        last_pss = 0.0
        while not done.is_set():
            tree = _tree(proc.pid)
            rss = sum(tree.values())
            peak = max(peak, rss)
            since = time.monotonic() - last_pss
            if (rss >= 0.97 * peak and since >= PSS_NEAR_PEAK) or since >= PSS_EVERY:
                peak_pss = max(peak_pss, sum(_pss(p) for p in tree))
                last_pss = time.monotonic()
            done.wait(every)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    wall = time.perf_counter() - started
    done.set()
    sampler.join()
    cpu1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = subprocess.CompletedProcess(cmd, proc.returncode, out, err)
    result.peak_pss = peak_pss  # type: ignore[attr-defined]
    result.cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)  # type: ignore[attr-defined]
    return wall, peak, result


# ---- the pack -------------------------------------------------------------------------------------------


def bench_pack(store: str, period: str, pack: str, out: Path, jobs: int | None) -> dict:
    cmd = [CRM, "--store", store, "pack", "--period", period, "--pack", pack, "--out", str(out), "--force"]
    cmd += ["--jobs", str(jobs)] if jobs else []
    wall, peak, proc = run_sampled(cmd)
    index = json.loads((out / period / "index.json").read_text(encoding="utf-8"))
    built = [d for d in index if d["ok"] and d.get("timing")]
    failed = [d for d in index if not d["ok"]]
    phases = {p: [d["timing"].get(p, 0.0) for d in built] for p in PHASES}
    phases["cells (in execute)"] = [sum(d["timing"].get("cells", {}).values()) for d in built]
    phases["execute overhead"] = [d["timing"]["execute"] - sum(d["timing"].get("cells", {}).values()) for d in built]
    total = sum(sum(d["timing"].get(p, 0.0) for p in PHASES if p != "queue") for d in built) or 1.0
    by_report: dict[str, dict] = {}
    for report in dict.fromkeys(d["report"] for d in built):
        docs = [d for d in built if d["report"] == report]
        cells: dict[str, list[float]] = {}
        for d in docs:
            for label, secs in d["timing"].get("cells", {}).items():
                cells.setdefault(label, []).append(secs)
        by_report[report] = {
            "docs": len(docs),
            "median": median([d["seconds"] for d in docs]),
            "p90": p90([d["seconds"] for d in docs]),
            "phases": {p: median([d["timing"].get(p, 0.0) for d in docs]) for p in PHASES if p != "queue"},
            "cells": {k: median(v) for k, v in cells.items()},
        }
    return {
        "documents": len(index),
        "built": len(built),
        "failed": len(failed),
        "wall": wall,
        "per_doc": wall / max(1, len(index)),
        "peak_rss_mb": peak / 2**20,
        "peak_pss_mb": proc.peak_pss / 2**20,
        "cpu_per_doc": proc.cpu / max(1, len(index)),
        "summary": [
            line for line in proc.stdout.splitlines() if " built, " in line or line.startswith("seconds by phase")
        ],
        "phases": {p: {"median": median(v), "p90": p90(v), "sum": sum(v)} for p, v in phases.items()},
        "doc_seconds_sum": total,
        "reports": by_report,
    }


# ---- the CLI's run path ---------------------------------------------------------------------------------


def bench_run(store: str, period: str, work: Path, repeat: int) -> dict:
    def timed(cmd: list[str]) -> float:
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
        if proc.returncode:
            raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stderr[-2000:]}")
        return time.perf_counter() - t0

    res: dict[str, list[float]] = {"help": [], "run html cold": [], "run html warm": [], "run html,pdf cold": []}
    for i in range(repeat):
        res["help"].append(timed([CRM, "--help"]))
        for fmt in ("html", "html,pdf"):
            out = work / f"run-{fmt.replace(',', '-')}-{i}"
            args = [CRM, "--store", store, "run", "sales_analysis", "--period", period, "--format", fmt]
            res[f"run {fmt} cold"].append(timed([*args, "--out", str(out)]))
            if fmt == "html":
                res["run html warm"].append(timed([*args, "--out", str(out)]))
    return {k: {"median": median(v), "runs": v} for k, v in res.items()}


# ---- printing -------------------------------------------------------------------------------------------


def _col(value, fmt: str = "{:.2f}") -> str:
    return "—" if value is None else fmt.format(value)


def print_report(now: dict, base: dict | None) -> None:
    b = base or {}
    two = base is not None
    head = "  (before → now)" if two else ""
    if "pack" in now:
        p, bp = now["pack"], b.get("pack", {})
        print(f"\n== pack{head}")

        def line(label: str, key: str, fmt: str = "{:.2f}", unit: str = "") -> None:
            old = f"{_col(bp.get(key), fmt)} → " if two else ""
            print(f"{label:<28}{old}{_col(p.get(key), fmt)}{unit}")

        line("documents (built/failed)", "documents", "{:.0f}")
        print(f"{'':<28}{p['built']} built, {p['failed']} failed")
        line("wall", "wall", "{:.1f}", " s")
        line("seconds per document", "per_doc", "{:.3f}", " s")
        line("peak RSS, process tree", "peak_rss_mb", "{:.0f}", " MB")
        line("peak PSS, process tree", "peak_pss_mb", "{:.0f}", " MB")
        line("CPU seconds per document", "cpu_per_doc", "{:.2f}", " s")
        for s in p.get("summary", []):
            print(f"  {s}")
        print(
            f"\n{'phase (per document)':<24}{'median':>8}{'P90':>8}{'share':>7}"
            + ("   before: median  P90  share" if two else "")
        )
        for phase, v in p["phases"].items():
            share = v["sum"] / p["doc_seconds_sum"] if phase != "queue" else None
            row = f"{phase:<24}{v['median']:8.3f}{v['p90']:8.3f}{_col(share, '{:6.0%}'):>7}"
            o = bp.get("phases", {}).get(phase)
            if two and o:
                oshare = o["sum"] / bp["doc_seconds_sum"] if phase != "queue" else None
                row += f"   {o['median']:14.3f}{o['p90']:5.2f}{_col(oshare, '{:6.0%}'):>7}"
            print(row)
        print(f"\n{'report':<16}{'docs':>5}{'median':>8}{'P90':>8}  largest phases (median s) · largest cells")
        for report, r in p["reports"].items():
            top = sorted(r["phases"].items(), key=lambda kv: -kv[1])[:4]
            cells = sorted(r["cells"].items(), key=lambda kv: -kv[1])[:3]
            o = bp.get("reports", {}).get(report)
            before = f"  [before {o['median']:.2f}/{o['p90']:.2f}]" if two and o else ""
            print(
                f"{report:<16}{r['docs']:>5}{r['median']:8.2f}{r['p90']:8.2f}  "
                + ", ".join(f"{k} {v:.2f}" for k, v in top)
                + " · "
                + ", ".join(f"{k} {v:.2f}" for k, v in cells)
                + before
            )
    if "run" in now:
        print(f"\n== crmreports run sales_analysis (median of runs, s){head}")
        for k, v in now["run"].items():
            o = b.get("run", {}).get(k)
            old = f"{o['median']:.2f} → " if two and o else ""
            print(f"{k:<22}{old}{v['median']:.2f}   runs: {', '.join(f'{x:.2f}' for x in v['runs'])}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", default="", help="demo store (default: built in the work folder)")
    ap.add_argument("--period", default="2026-11")
    ap.add_argument("--pack", default="monthly")
    ap.add_argument("--jobs", type=int, default=0, help="pack --jobs (default: the pack's own default)")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each `crmreports run` measurement")
    ap.add_argument("--work", default="", help="scratch folder (default: a new temporary one)")
    ap.add_argument("--skip-pack", action="store_true")
    ap.add_argument("--skip-run", action="store_true")
    ap.add_argument("--save", default="", help="write the numbers to this JSON file")
    ap.add_argument("--baseline", default="", help="a JSON file --save wrote earlier: printed beside this run")
    a = ap.parse_args()
    work = Path(a.work or tempfile.mkdtemp(prefix="bench-breakdown-"))
    work.mkdir(parents=True, exist_ok=True)
    store = a.store or str(work / "demo.duckdb")
    if not Path(store).exists():
        subprocess.run([CRM, "--store", store, "demo", "--as-of", "2026-12-01"], cwd=ROOT, check=True)
    print(f"work folder {work}; store {store}; {os.cpu_count()} cores; load {os.getloadavg()[0]:.1f}")
    now: dict = {"load_before": os.getloadavg()[0]}
    if not a.skip_pack:
        now["pack"] = bench_pack(store, a.period, a.pack, work / "pack", a.jobs or None)
    if not a.skip_run:
        now["run"] = bench_run(store, a.period, work, a.repeat)
    now["load_after"] = os.getloadavg()[0]
    base = json.loads(Path(a.baseline).read_text()) if a.baseline else None
    print_report(now, base)
    if a.save:
        Path(a.save).write_text(json.dumps(now, indent=1))
        print(f"\nsaved {a.save}")


if __name__ == "__main__":
    main()
