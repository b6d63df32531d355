"""The PDF engines: Chromium over its DevTools pipe (the default when installed) and WeasyPrint (the fallback).

Real browsers and real PDFs: every test prints and reads the PDF back (pypdf for text and named destinations).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest
from pypdf import PdfReader

from crmreports.present import chromium, render

ROOT = Path(__file__).resolve().parents[1]
needs_chromium = pytest.mark.skipif(chromium.find_chromium() is None, reason="no Chromium installed")


def pdf_pages(path) -> list[str]:
    return [p.extract_text() for p in PdfReader(str(path)).pages]


def report_html(title: str = "Анализ продаж", sections: int = 4, body_extra: str = "") -> str:
    """A report-shaped document: cover with contents, then sections each forced onto its own page."""
    heads = [(f"s{i}", f"Раздел {i}") for i in range(1, sections + 1)]
    body = "".join(
        f'<div style="break-before: page"></div><h2 id="{i}">{text}</h2><p>Текст раздела {text}.</p>'
        for i, text in heads
    )
    doc = render._toc(body, "ru")  # the contents exactly as reports build them
    return (
        f"<!DOCTYPE html><html lang='ru'><head><meta charset='utf-8'><style>{render.css()}</style></head><body>"
        f'<div class="cover"><div class="brand">crmreports</div><h1>{title}</h1>{doc}</div>{body}{body_extra}'
        "</body></html>"
    )


def test_css_string_escapes_everything_but_letters_digits_and_spaces():
    assert chromium.css_string("Анализ продаж 2") == '"Анализ продаж 2"'
    # a quote, a backslash, a brace and a newline cannot end the string or the rule
    assert chromium.css_string('a"b\\c}\n') == '"a\\22 b\\5c c\\7d \\a "'


def test_engine_choice_and_its_errors(monkeypatch):
    monkeypatch.setenv("CRMREPORTS_PDF_ENGINE", "latex")
    with pytest.raises(ValueError, match=r"CRMREPORTS_PDF_ENGINE='latex'.*valid: auto, chromium, weasyprint"):
        render.pdf_engine()
    monkeypatch.setenv("CRMREPORTS_PDF_ENGINE", "weasyprint")
    assert render.pdf_engine() == "weasyprint"
    monkeypatch.setenv("CRMREPORTS_CHROMIUM", "/nonexistent/chromium")
    monkeypatch.setenv("CRMREPORTS_PDF_ENGINE", "auto")
    assert render.pdf_engine() == "weasyprint"  # auto without a browser: the pip-only engine
    monkeypatch.setenv("CRMREPORTS_PDF_ENGINE", "chromium")
    with pytest.raises(ValueError, match="no Chromium was found.*CRMREPORTS_CHROMIUM"):
        render.pdf_engine()


def test_weasyprint_fallback_prints_contents_pages_and_running_title(tmp_path, monkeypatch):
    monkeypatch.setenv("CRMREPORTS_PDF_ENGINE", "weasyprint")
    render.to_pdf(report_html(), tmp_path / "w.pdf")
    assert PdfReader(str(tmp_path / "w.pdf")).metadata.producer.startswith("WeasyPrint")
    pages = pdf_pages(tmp_path / "w.pdf")
    assert len(pages) == 5
    cover = " ".join(pages[0].split())
    for i in range(1, 5):
        assert f"Раздел {i}" in cover and f"{i + 1}" in cover
    assert "Анализ продаж" in pages[2] and "3 / 5" in pages[2]


@needs_chromium
def test_chromium_prints_contents_with_page_numbers_running_title_and_page_counter(tmp_path, monkeypatch):
    monkeypatch.setenv("CRMREPORTS_PDF_ENGINE", "chromium")
    # section 2 is three pages long (90 lines): the numbers after it are not simply "section + 1"
    long = "".join(f"<p>строка {n}</p>" for n in range(90))
    html_doc = report_html().replace("<p>Текст раздела Раздел 2.</p>", long)
    seconds = render.to_pdf(html_doc, tmp_path / "c.pdf")
    assert 0 < seconds < 30
    reader = PdfReader(str(tmp_path / "c.pdf"))
    assert "Skia" in reader.metadata.producer
    pages = pdf_pages(tmp_path / "c.pdf")
    assert len(pages) == 7  # cover, s1, s2 (three pages), s3, s4
    dests = {k.lstrip("/"): reader.get_destination_page_number(v) + 1 for k, v in reader.named_destinations.items()}
    assert dests == {"s1": 2, "s2": 3, "s3": 6, "s4": 7}
    # each contents line ends with its section's page, after the dotted leader, on the title's own line (read by
    # position: the numbers are a layer drawn over the first print's cover)
    assert _contents_pages(tmp_path / "c.pdf") == ["2", "3", "6", "7"]
    assert "/CrmContentsPages" in reader.pages[0]["/Resources"]["/XObject"]  # the cover was stamped, not reprinted
    assert "Анализ продаж" in pages[5] and "6 / 7" in pages[5]
    assert "/ 7" not in pages[0] and "Анализ продаж" not in pages[0].split("Содержание")[1]  # no footer on the cover


def _contents_pages(path) -> list[str]:
    """The last word of each contents line of page 1, with the text laid out by position (poppler's pdftotext)."""
    text = subprocess.run(
        ["pdftotext", "-layout", "-f", "1", "-l", "1", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return [line.split()[-1] for line in text.splitlines() if "Раздел" in line]


@needs_chromium
@pytest.mark.parametrize("cover", ["own page", "shares its page"])
def test_the_stamped_contents_look_exactly_like_a_second_print(tmp_path, monkeypatch, cover):
    # the numbers drawn over the cover from the cover printed alone: pixel for pixel the page a second print of
    # the whole report makes (same places, same leaders, nothing else drawn: no footer, no background); a cover
    # can share its page with the report's start and that page's footer (as the one-page summary's does)
    from PIL import Image, ImageChops

    monkeypatch.setenv("CRMREPORTS_PDF_ENGINE", "chromium")
    long = "".join(f"<p>строка {n}</p>" for n in range(90))
    html_doc = report_html().replace("<p>Текст раздела Раздел 2.</p>", long)
    if cover == "shares its page":
        html_doc = html_doc.replace("</head>", "<style>.cover { page: auto; break-after: auto; }</style></head>")
    render.to_pdf(html_doc, tmp_path / "stamped.pdf")
    monkeypatch.setattr(chromium, "_stamped", lambda reader, cover: None)
    render.to_pdf(html_doc, tmp_path / "printed.pdf")
    images = []
    for name in ("stamped", "printed"):
        subprocess.run(
            ["pdftoppm", "-r", "100", "-png", str(tmp_path / f"{name}.pdf"), str(tmp_path / name)], check=True
        )
        images.append([Image.open(p).convert("RGB") for p in sorted(tmp_path.glob(f"{name}-*.png"))])
    assert len(images[0]) == len(images[1]) >= 6
    assert all(ImageChops.difference(a, b).getbbox() is None for a, b in zip(*images))
    assert "/CrmContentsPages" in PdfReader(str(tmp_path / "stamped.pdf")).pages[0]["/Resources"]["/XObject"]


@needs_chromium
def test_a_report_printed_smaller_than_its_cover_gets_its_contents_from_a_second_print(tmp_path, monkeypatch):
    # a table wider than the page makes Chromium shrink the whole report; the cover printed alone would be
    # larger, so its layer would not fit: the report is printed again with the numbers in, as before
    monkeypatch.setenv("CRMREPORTS_PDF_ENGINE", "chromium")
    wide = (
        "<table><tr>"
        + "".join(f"<td style='white-space: nowrap'>колонка_{n}</td>" for n in range(14))
        + "</tr></table>"
    )
    long = "".join(f"<p>строка {n}</p>" for n in range(90))
    html_doc = report_html().replace("<p>Текст раздела Раздел 2.</p>", long + wide)
    render.to_pdf(html_doc, tmp_path / "w.pdf")
    reader = PdfReader(str(tmp_path / "w.pdf"))
    assert "/XObject" not in reader.pages[0]["/Resources"]  # printed twice, not stamped
    assert chromium._page_transforms(reader.pages[0])[1].split()[0] != b"3.125"  # shrunk (1 CSS px = 3.125 units)
    dests = {k.lstrip("/"): reader.get_destination_page_number(v) + 1 for k, v in reader.named_destinations.items()}
    assert dests["s3"] - dests["s2"] >= 2  # section 2 still spans pages
    assert _contents_pages(tmp_path / "w.pdf") == [str(dests[f"s{i}"]) for i in range(1, 5)]


def test_a_table_of_many_columns_fits_the_page_and_the_report_is_not_printed_smaller(tmp_path, monkeypatch):
    # the incoming leads' sources table (9 columns) was 703 px in a 688 px page with the first column's 42 mm:
    # Chromium printed the whole report at 96 %, and its contents came from a second print of all of it
    import pandas as pd

    from crmreports.present.section import html_table

    monkeypatch.setenv("CRMREPORTS_PDF_ENGINE", "chromium")
    heads = ["Источник", "Заявок", "Отклонено", "В сделки", "Конв. в сделки", "Выиграно", "Решено"]
    heads += ["Выигр. из решённых", "Выручка"]
    row = ["Форма на сайте", "98", "12", "81", "82,7\u00a0%", "5", "40", "12,5\u00a0%", "1\u00a0043\u00a0500\u00a0₽"]
    table = html_table(pd.DataFrame([row] * 3, columns=heads), numeric=set(heads[1:]))
    render.to_pdf(report_html().replace("<p>Текст раздела Раздел 2.</p>", table), tmp_path / "t.pdf")
    reader = PdfReader(str(tmp_path / "t.pdf"))
    assert chromium._page_transforms(reader.pages[2])[1].split()[0] == b"3.125"  # 1 CSS px = 3.125 units: 100 %
    assert "/CrmContentsPages" in reader.pages[0]["/Resources"]["/XObject"]  # stamped, not printed twice
    assert "Выигр. из" in reader.pages[2].extract_text()


@needs_chromium
@pytest.mark.reliability("R63")
def test_chromium_runs_no_script_and_fetches_nothing_and_a_name_is_text(tmp_path):
    hostile = 'Отдел "}@page{margin:0} </style><script>x</script>'
    extra = (
        "<script>document.body.innerHTML = 'HACKED'</script>"
        '<img src="http://example.invalid/pixel.png" alt=""><link rel="stylesheet" href="https://cdn.invalid/x.css">'
    )
    html_doc = report_html(title=hostile.replace("<", "&lt;").replace(">", "&gt;"), body_extra=extra)
    started = time.monotonic()
    chromium.print_pdf(html_doc, tmp_path / "h.pdf")
    assert time.monotonic() - started < 20  # the unreachable image and stylesheet failed at once
    pages = pdf_pages(tmp_path / "h.pdf")
    text = " ".join(pages)
    assert "HACKED" not in text and "Раздел 4" in text
    footer = " ".join(pages[1].split())
    assert 'Отдел "}@page{margin:0} </style><script>x</script>' in footer  # the title, literally, in the footer


@needs_chromium
def test_chromium_prints_from_many_threads_at_once(tmp_path):
    docs = {n: report_html(title=f"Отчёт {n}", sections=3 + n % 2) for n in range(6)}
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            chromium.print_pdf(docs[n], tmp_path / f"{n}.pdf")
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in docs]
    for th in threads:
        th.start()
    for th in threads:
        th.join(120)
    assert not errors
    for n in docs:
        pages = pdf_pages(tmp_path / f"{n}.pdf")
        assert len(pages) == 1 + 3 + n % 2
        assert f"Отчёт {n}" in pages[1]


@needs_chromium
@pytest.mark.reliability("R63")
def test_a_browser_that_died_is_replaced_at_the_next_print(tmp_path):
    first = chromium.browser()
    os.kill(first._pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while first.alive and time.monotonic() < deadline:
        time.sleep(0.05)
    chromium.print_pdf(report_html(), tmp_path / "again.pdf")
    assert chromium.browser() is not first
    assert "Раздел 3" in " ".join(pdf_pages(tmp_path / "again.pdf"))


OWNER = """
import sys, time
sys.path.insert(0, sys.argv[1])
from crmreports.present import chromium
b = chromium.browser()
print(b._pid, b._profile, flush=True)
time.sleep(120)
"""


@needs_chromium
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc")
@pytest.mark.reliability("R63")
def test_kill_9_of_the_owner_ends_the_browser_and_the_next_start_removes_its_profile(tmp_path):
    proc = subprocess.Popen(
        [sys.executable, "-c", OWNER, str(ROOT / "lib")], stdout=subprocess.PIPE, text=True, cwd=tmp_path
    )
    try:
        pid, profile = proc.stdout.readline().split()
        assert Path(profile).is_dir() and Path(f"/proc/{pid}").exists()
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        deadline = time.monotonic() + 15
        while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:  # its pipe closed: it exits
            stat = Path(f"/proc/{pid}/stat").read_text() if Path(f"/proc/{pid}").exists() else ""
            if stat.rsplit(")", 1)[-1].split()[:1] == ["Z"]:
                break  # exited; a zombie waits for init to reap it
            time.sleep(0.1)
        stat = Path(f"/proc/{pid}/stat").read_text() if Path(f"/proc/{pid}").exists() else ""
        assert not stat or stat.rsplit(")", 1)[-1].split()[0] == "Z", "the browser outlived its owner"
        assert Path(profile).is_dir()  # left behind by the kill
        assert chromium.remove_stale_profiles(Path(profile).parent) >= 1
        assert not Path(profile).exists()
    finally:
        if proc.poll() is None:
            proc.kill()


def test_stale_profiles_of_live_processes_are_kept(tmp_path):
    mine = tmp_path / f"{chromium.PROFILE_PREFIX}{os.getpid()}-abc"
    parent = tmp_path / f"{chromium.PROFILE_PREFIX}{os.getppid()}-abc"
    dead = tmp_path / f"{chromium.PROFILE_PREFIX}999999999-abc"
    other = tmp_path / "crmreports-chromium-notapid"
    for d in (mine, parent, dead, other):
        d.mkdir()
    assert chromium.remove_stale_profiles(tmp_path) == 1
    assert mine.exists() and parent.exists() and other.exists() and not dead.exists()


def test_the_demo_pack_path_uses_one_engine_per_pool(monkeypatch):
    monkeypatch.setenv("CRMREPORTS_PDF_ENGINE", "weasyprint")
    pool = render.PdfPool(1)
    try:
        assert pool.engine == "weasyprint" and pool._pool is not None
    finally:
        pool.close()
    if chromium.find_chromium():
        monkeypatch.setenv("CRMREPORTS_PDF_ENGINE", "chromium")
        pool = render.PdfPool(2)
        try:
            assert pool.engine == "chromium" and pool._pool is None
            with tempfile.TemporaryDirectory() as d:
                assert pool.render(report_html(), Path(d) / "p.pdf") > 0
                assert (Path(d) / "p.pdf").read_bytes().startswith(b"%PDF")
        finally:
            pool.close()


@pytest.mark.reliability("R63")
def test_a_chromium_that_does_not_start_falls_back_to_weasyprint_unless_asked_for(tmp_path, monkeypatch, caplog):
    chromium.shutdown()  # the running browser of earlier tests is not the one this test names
    broken = tmp_path / "chromium"
    broken.write_text("#!/bin/sh\necho 'error while loading shared libraries: libnss3.so' >&2\nexit 127\n")
    broken.chmod(0o755)
    monkeypatch.setenv("CRMREPORTS_CHROMIUM", str(broken))
    monkeypatch.setattr(render, "_chromium_failed", False)
    monkeypatch.setenv("CRMREPORTS_PDF_ENGINE", "chromium")  # asked for by name: its failure is the error
    with pytest.raises(chromium.ChromiumError, match="DevTools pipe"):  # closed by the exit, or broken when written
        render.to_pdf(report_html(), tmp_path / "x.pdf")
    assert not (tmp_path / "x.pdf").exists()
    monkeypatch.setenv("CRMREPORTS_PDF_ENGINE", "auto")
    with caplog.at_level("WARNING", logger="crmreports.render"):
        render.to_pdf(report_html(), tmp_path / "y.pdf")
    assert "printing PDFs with WeasyPrint" in caplog.text
    assert PdfReader(str(tmp_path / "y.pdf")).metadata.producer.startswith("WeasyPrint")
    chromium.shutdown()


@needs_chromium
@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="reads the browser's environment from /proc")
@pytest.mark.reliability("R59")
def test_the_browser_inherits_no_secret(monkeypatch):
    secrets = {"AMOCRM_TOKEN": "amo-tok-3f9c", "SMTP_PASSWORD": "smtp-pw-7d1e", "ROMASHKA_API_KEY": "rk-55aa"}
    for name, value in secrets.items():
        monkeypatch.setenv(name, value)
    chromium.shutdown()
    b = chromium.browser()
    try:
        environ = Path(f"/proc/{b._pid}/environ").read_bytes().decode(errors="replace")
        assert "PATH=" in environ
        for name, value in secrets.items():
            assert value not in environ and f"{name}=" not in environ
    finally:
        chromium.shutdown()


def test_dates_and_numbers_are_kept_whole_in_a_table_and_text_may_break():
    # a text cell may break anywhere (a 300-character name must not widen the table past the page); a date in
    # such a cell was cut into "05.11.202" and "4" in the sales report's stale deals
    from crmreports.present import kit

    assert kit.Column("h", "created_at", "date").numeric and kit.Column("h", "n").numeric
    assert not kit.Column("h", "name", "text").numeric and kit.Column("h", "phone", "text", right=True).numeric
    css = render.css()
    assert "table.crm-table td.num { text-align: right; white-space: nowrap; }" in css
    assert "overflow-wrap: anywhere" in css


@needs_chromium
def test_a_report_that_hides_its_contents_is_printed_once_more_for_them_at_most(tmp_path, monkeypatch):
    # the summary's one page hides the contents: the print of its cover's page numbers draws nothing, and the
    # first print is the PDF (it was printed a third time, in full, for numbers nobody sees)
    monkeypatch.setenv("CRMREPORTS_PDF_ENGINE", "chromium")
    prints = []
    original = chromium.Browser._print
    monkeypatch.setattr(chromium.Browser, "_print", lambda self, *a, **k: prints.append(k) or original(self, *a, **k))
    html_doc = report_html().replace("</head>", "<style>.toc { display: none }</style></head>")
    render.to_pdf(html_doc, tmp_path / "h.pdf")
    assert prints == [{}, {"pageRanges": "1"}]  # the report, then its cover's numbers (nothing): no third print
    reader = PdfReader(str(tmp_path / "h.pdf"))
    assert "/XObject" not in reader.pages[0]["/Resources"] and "Раздел 4" in reader.pages[-1].extract_text()
    prints.clear()
    render.to_pdf(report_html(), tmp_path / "v.pdf")  # contents shown: stamped as before
    assert prints == [{}, {"pageRanges": "1"}]
    assert "/CrmContentsPages" in PdfReader(str(tmp_path / "v.pdf")).pages[0]["/Resources"]["/XObject"]
