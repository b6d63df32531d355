"""Per-document timing by phase (issue #21): what index.json and the pack's summary line carry, and that the
comparison tool does not take timing for a difference."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from crmreports.batch.compare import compare_packs
from crmreports.batch.run import PHASES, Job, Result, cell_label, cell_seconds, timing_summary

ROOT = Path(__file__).resolve().parents[1]
SALES_CELLS = [  # the code cells of notebooks/sales_analysis.ipynb, as the timing names them
    "parameters",
    "injected-parameters",
    "title",
    "kpis",
    "cohorts",
    "funnel",
    "losses",
    "time_in_stage",
    "cycle",
    "managers",
    "summary",
    "publish",
]


def code_cell(source: str, tags=(), duration=None):
    cell = nbformat.v4.new_code_cell(source)
    if tags:
        cell.metadata["tags"] = list(tags)
    if duration is not None:
        cell.metadata["papermill"] = {"duration": duration}
    return cell


def test_cells_are_named_by_tag_or_by_the_section_they_call():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        code_cell('period = ""', ["parameters"], 0.01),
        nbformat.v4.new_markdown_cell("## a heading: not a code cell, not counted"),
        code_cell("from x import sections as report\nctx = report.open()\nreport.title(ctx)", ["title"], 0.5),
        code_cell("kpis = report.kpis(ctx)\nkpis", duration=0.25),
        code_cell("report.kpis(ctx)", duration=0.125),  # the same section again: kpis#2
        code_cell("1 + 1", duration=0.0625),  # calls no section: named by its number among code cells (5th)
        code_cell("report.summary(ctx)"),  # not executed (no papermill duration): left out
    ]
    assert cell_label(nb.cells[3], 3) == "kpis"
    assert cell_seconds(nb) == {"parameters": 0.01, "title": 0.5, "kpis": 0.25, "kpis#2": 0.125, "cell 5": 0.0625}


def test_summary_line_sums_each_phase_over_built_documents():
    job = Job("sales_analysis", "2026-10", "team")

    def res(cached=False, **phases):
        return Result(job, True, 9.0, timing={**dict.fromkeys(PHASES, 0.0), **phases}, cached=cached)

    results = [
        res(execute=1.5, pdf=0.75, html=0.25, queue=2.0, cells={"title": 1.0}),
        res(execute=2.5, pdf=1.25, html=0.25, queue=3.0, cells={"title": 1.5, "kpis": 0.5}),
        res(cached=True, setup=7.0),  # up to date: not built, not summed
        Result(job, False, 1.0),  # failed before any timing: not summed
    ]
    # execute 1.5 + 2.5 = 4.0 (cells 1.0 + 1.5 + 0.5 = 3.0), pdf 0.75 + 1.25 = 2.0, html 0.25 + 0.25 = 0.5,
    # largest first; queue 2 + 3 = 5.0 is reported apart (it is not part of the documents' own seconds)
    assert timing_summary(results) == (
        "seconds by phase, summed over 2 documents: execute 4.0 (cells 3.0), pdf 2.0, html 0.5; "
        "queued 5.0 (waiting for a thread, before each document's own time)"
    )
    assert timing_summary([results[2]]) == ""


@pytest.fixture(scope="module")
def pack(tmp_path_factory, fixture_store):
    """The sales analysis for the team and the fixture's two managers, one warm kernel (``--jobs 1``)."""
    ws = tmp_path_factory.mktemp("timing")
    (ws / "pack.yaml").write_text("reports: [sales_analysis]\nscopes: [team, managers]\nformats: [html, pdf]\n")
    out = ws / "reports"
    args = [sys.executable, "-m", "crmreports", "--store", str(fixture_store), "pack", "--period", "2026-10"]
    args += ["--pack", str(ws / "pack.yaml"), "--out", str(out), "--jobs", "1"]
    r = subprocess.run(args, capture_output=True, text=True, timeout=600, cwd=ROOT, env=dict(os.environ))
    assert r.returncode == 0, r.stdout + r.stderr
    return r, out, args


@pytest.mark.slow
def test_index_carries_every_phase_and_they_fit_in_the_documents_seconds(pack):
    r, out, _ = pack
    entries = json.loads((out / "2026-10" / "index.json").read_text(encoding="utf-8"))
    assert [e["scope"] for e in entries] == ["team", "anna-ivanova", "boris-petrov"]
    for e in entries:
        timing = e["timing"]
        assert set(timing) == set(PHASES) | {"cells"}, e["scope"]
        assert all(isinstance(timing[p], float) and timing[p] >= 0 for p in PHASES)
        # the PDF prints in a thread of its own while the tables are written: the phases one after another, with
        # the longer of (tables, pdf_wait + pdf), account for the document's time
        serial = sum(timing[p] for p in PHASES if p not in ("queue", "tables", "pdf_wait", "pdf"))
        own = serial + max(timing["tables"], timing["pdf_wait"] + timing["pdf"])
        # index.json rounds seconds to 0.01 and each phase to 0.0001: allow that much
        assert own <= e["seconds"] + 0.005 + 0.0001 * len(PHASES), (e["scope"], own, e["seconds"])
        assert own >= 0.8 * e["seconds"], (e["scope"], own, e["seconds"])  # the phases account for the time
        assert list(timing["cells"]) == SALES_CELLS
        assert sum(timing["cells"].values()) <= timing["execute"]
        for phase in ("execute", "kernel_reset", "tables", "html", "pdf", "json"):
            assert timing[phase] > 0, (e["scope"], phase)
    # one kernel served the three documents: started once, reset after each
    assert [e["timing"]["kernel_start"] > 0 for e in entries].count(True) == 1
    assert "seconds by phase, summed over 3 documents: " in r.stdout and "(cells " in r.stdout


@pytest.mark.slow
def test_an_up_to_date_document_has_only_its_setup_time(pack, fixture_store):
    _, out, args = pack
    r = subprocess.run(args, capture_output=True, text=True, timeout=600, cwd=ROOT, env=dict(os.environ))
    assert "0 built, 3 up to date" in r.stdout, r.stdout + r.stderr
    assert "seconds by phase" not in r.stdout  # nothing was built
    entries = json.loads((out / "2026-10" / "index.json").read_text(encoding="utf-8"))
    for e in entries:
        assert set(e["timing"]) == set(PHASES) | {"cells"} and e["timing"]["cells"] == {}
        assert e["timing"]["setup"] > 0 and e["timing"]["execute"] == 0 and e["timing"]["pdf"] == 0


@pytest.mark.slow
def test_compare_ignores_timing_but_not_figures(pack, tmp_path):
    _, out, _ = pack
    old, new = tmp_path / "old", tmp_path / "new"
    shutil.copytree(out, old)
    shutil.copytree(out, new)
    index = new / "2026-10" / "index.json"
    entries = json.loads(index.read_text(encoding="utf-8"))
    for e in entries:
        e["timing"]["execute"] += 1.5
        e["timing"]["cells"]["kpis"] = 99.0
        e["seconds"] += 1.5
    index.write_text(json.dumps(entries, ensure_ascii=False), encoding="utf-8")
    assert compare_packs(old, new).same, compare_packs(old, new).differences
    entries[0]["figures"]["revenue"] += 1  # a real difference is still found
    index.write_text(json.dumps(entries, ensure_ascii=False), encoding="utf-8")
    found = compare_packs(old, new)
    assert found.differences == [
        f"2026-10/index.json[0].figures.revenue: {entries[0]['figures']['revenue'] - 1!r} "
        f"vs {entries[0]['figures']['revenue']!r}"
    ]
