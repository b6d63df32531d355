"""Shared checks of the pushdown tests: a report built from a reduced (pushed-down) read must equal the
report built from the whole store, section by section and in everything it publishes."""

import math

import matplotlib.pyplot as plt
import pandas as pd


def run_sections(view, names, ctx):
    """Every section in notebook order: (name, text/table parts, chart count, notes, hidden, raw tables)."""
    out = []
    for name in names:
        sec = getattr(view, name)(ctx)
        out.append(
            (name, [(k, p) for k, p in sec.parts if k != "svg"], len(sec.figures), sec.notes, sec.hidden, sec.tables)
        )
    plt.close("all")
    return out


def same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return a == b


def frames_equal(a, b, obj, exact=False):
    pd.testing.assert_frame_equal(
        a.reset_index(drop=True), b.reset_index(drop=True), check_dtype=False, check_exact=exact, obj=obj
    )


def assert_same_sections(view, names, full, push, exact=False):
    """Sentences, displayed (formatted) tables, chart counts, notes and raw tables of every section."""
    for (name, fp, fn, fnotes, fh, ft), (_, pp, pn, pnotes, ph, pt) in zip(
        run_sections(view, names, full), run_sections(view, names, push)
    ):
        assert fp == pp, name
        assert (fn, fnotes, fh) == (pn, pnotes, ph), name
        assert ft.keys() == pt.keys(), name
        for t in ft:
            if isinstance(ft[t], pd.DataFrame):
                frames_equal(ft[t], pt[t], f"{name}.{t}", exact)


def assert_same_published(full, push, exact=False):
    """Headline figures, findings and published tables (what the runner writes to JSON and CSV)."""
    assert full.figures.keys() == push.figures.keys()
    for k in full.figures:
        assert same(full.figures[k], push.figures[k]), k
    assert full.findings == push.findings
    assert full.tables.keys() == push.tables.keys()
    for name in full.tables:
        frames_equal(full.tables[name], push.tables[name], name, exact)


def assert_same_comparisons(full, push):
    """The previous-period and year-ago figures."""
    for which in ("previous", "year_ago"):
        f, p = full.comparisons.get(which, {}), push.comparisons.get(which, {})
        assert f.keys() == p.keys()
        assert all(same(float(f[k]), float(p[k])) for k in f), which


def assert_same_report(view, names, full, push):
    """Sections, published figures and tables, and comparisons: the whole report."""
    assert_same_sections(view, names, full, push)
    assert_same_published(full, push)
    assert_same_comparisons(full, push)
