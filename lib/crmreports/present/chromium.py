"""PDF printing by a headless Chromium driven over the DevTools protocol (a pipe, no network port).

WeasyPrint lays a report out in pure Python: 1.5–1.8 s of CPU for a nine-page sales report here, most of the
pack's time. Chromium prints the same HTML in 0.25–0.35 s of CPU. One browser is started per process on first
use and serves every thread: each print gets its own isolated browser context (its own renderer process),
so the pack's threads print in parallel.

What Chromium's print lacks is supplied here, so the PDF reads like WeasyPrint's:

* the running title in the page footer (``string-set``/``string()``): the cover's title is written into the
  ``@page`` footer rule of the document printed;
* the contents' page numbers (``target-counter()``): the document is printed once, the page of every heading
  is read from the PDF's named destinations and the numbers are written into the contents. The cover alone is
  then printed with everything but the numbers hidden, and that page is drawn over the first print's cover
  (:func:`_stamped`): a print of one small page instead of a second print of the whole report. The numbers sit
  in a box of two digits' width that both prints lay out, so nothing moves. When the cover's page is not
  printed at the same scale as the report's (Chromium shrinks a whole report whose table is wider than the
  page) or a page number has three digits, the whole report is printed again instead, as before.

The page is printed with JavaScript disabled and every network name unresolvable: a report is self-contained
HTML (inline CSS, charts as data: URIs), and nothing in it, names from the CRM included, can fetch or run
anything. The browser exits by itself when the process that started it dies: its end of the pipe closes.
"""

from __future__ import annotations

import atexit
import base64
import fcntl
import html as htmllib
import io
import itertools
import json
import logging
import os
import re
import shutil
import tempfile
import threading
import time
from pathlib import Path

from ..core.environment import without_secrets
from ..core.processes import remove_dead_process_dirs

log = logging.getLogger("crmreports.render")

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
START_TIMEOUT = 30.0  # seconds for the browser to answer its first command
CALL_TIMEOUT = 120.0  # seconds for any one command (a print of a very long report included)


# The browser's profile (and the documents being printed) live in ``<tmp>/crmreports-chromium-<pid>-*``; a
# process killed with -9 leaves its folder behind (its browser exits: the pipe closed), the next one removes it.
PROFILE_PREFIX = "crmreports-chromium-"


def remove_stale_profiles(tmp: str | os.PathLike | None = None) -> int:
    """Remove the profile folders of processes that no longer exist; how many were removed."""
    return remove_dead_process_dirs(PROFILE_PREFIX, tmp)


class ChromiumError(RuntimeError):
    """The browser could not be started, died, or refused a command."""


def find_chromium() -> str | None:
    """The Chromium executable: ``CRMREPORTS_CHROMIUM`` if set, else the first of :data:`CANDIDATES` on PATH."""
    explicit = os.environ.get("CRMREPORTS_CHROMIUM", "").strip()
    if explicit:
        return explicit if Path(explicit).is_file() and os.access(explicit, os.X_OK) else None
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


class Browser:
    """One headless Chromium and its DevTools pipe; thread-safe :meth:`print_pdf`."""

    def __init__(self, executable: str):
        self.executable = executable
        self.owner = os.getpid()
        remove_stale_profiles()
        self._profile = tempfile.mkdtemp(prefix=f"{PROFILE_PREFIX}{os.getpid()}-")
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()
        args = [
            "--headless",
            "--remote-debugging-pipe",
            f"--user-data-dir={self._profile}",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-gpu",
            "--disable-extensions",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--mute-audio",
            "--host-resolver-rules=MAP * ~NOTFOUND",  # a report fetches nothing
            "--blink-settings=scriptEnabled=false",
            "about:blank",
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            args.insert(0, "--no-sandbox")  # Chromium refuses to start its sandbox as root
        # the protocol pipe must be the browser's file descriptors 3 (commands in) and 4 (replies out): the
        # pipe's ends are first moved to numbers above 9 so neither is already 3 or 4, then duplicated there
        high_r = fcntl.fcntl(to_browser_r, fcntl.F_DUPFD_CLOEXEC, 10)
        high_w = fcntl.fcntl(from_browser_w, fcntl.F_DUPFD_CLOEXEC, 10)
        null = os.open(os.devnull, os.O_RDWR | os.O_CLOEXEC)
        try:
            self._pid = os.posix_spawn(
                executable,
                [executable, *args],
                without_secrets(),  # the browser gets no token or password of ours
                file_actions=[
                    (os.POSIX_SPAWN_DUP2, null, 0),
                    (os.POSIX_SPAWN_DUP2, null, 1),
                    (os.POSIX_SPAWN_DUP2, null, 2),
                    (os.POSIX_SPAWN_DUP2, high_r, 3),
                    (os.POSIX_SPAWN_DUP2, high_w, 4),
                ],
            )
        except OSError as exc:
            for fd in (self._to_browser, self._from_browser):
                os.close(fd)
            shutil.rmtree(self._profile, ignore_errors=True)
            raise ChromiumError(f"could not start {executable}: {exc.strerror}") from None
        finally:
            for fd in (to_browser_r, from_browser_w, high_r, high_w, null):
                os.close(fd)
        self._exit: int | None = None
        self._ids = itertools.count(1)
        self._pending: dict = {}  # id, or (session, event name) -> [threading.Event, message]
        self._write_lock = threading.Lock()
        self._free: list[str] = []  # sessions of tabs not printing now
        self._free_lock = threading.Lock()
        self._dead: str | None = None
        self._reader = threading.Thread(target=self._read, name="crmreports-chromium", daemon=True)
        self._reader.start()
        try:
            self.call("Browser.getVersion", timeout=START_TIMEOUT)
        except ChromiumError:
            self.close()
            raise

    # ---- the protocol: NUL-separated JSON messages over the pipe ----------------------------------------

    def _read(self) -> None:
        buf = b""
        with os.fdopen(self._from_browser, "rb", buffering=0) as pipe:
            while True:
                chunk = pipe.read(1 << 20)
                if not chunk:
                    break
                buf += chunk
                *messages, buf = buf.split(b"\0")
                for raw in messages:
                    msg = json.loads(raw)
                    key = msg.get("id") or (msg.get("sessionId"), msg.get("method"))  # a reply, or an event
                    waiter = self._pending.get(key)
                    if waiter is not None:
                        waiter[1] = msg
                        waiter[0].set()
        self._dead = "the browser closed its DevTools pipe (it exited or was killed)"
        for waiter in list(self._pending.values()):
            waiter[0].set()

    def call(self, method: str, params: dict | None = None, session: str | None = None, timeout=CALL_TIMEOUT):
        if self._dead:
            raise ChromiumError(self._dead)
        mid = next(self._ids)
        waiter: list = [threading.Event(), None]
        self._pending[mid] = waiter
        msg: dict = {"id": mid, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        try:
            with self._write_lock:
                os.write(self._to_browser, json.dumps(msg).encode() + b"\0")
            if not waiter[0].wait(timeout):
                raise ChromiumError(f"Chromium did not answer {method} within {timeout:.0f} s")
        except OSError as exc:
            raise ChromiumError(f"Chromium's DevTools pipe is closed ({exc.strerror})") from None
        finally:
            self._pending.pop(mid, None)
        reply = waiter[1]
        if reply is None:
            raise ChromiumError(self._dead or f"no reply to {method}")
        if "error" in reply:
            raise ChromiumError(f"{method}: {reply['error'].get('message', reply['error'])}")
        return reply.get("result", {})

    # ---- printing -----------------------------------------------------------------------------------------

    def _new_tab(self) -> str:
        """A page in its own browser context (so its own renderer process: tabs print in parallel), with
        JavaScript off and load events on; returns its session id."""
        context = self.call("Target.createBrowserContext", {"disposeOnDetach": True})["browserContextId"]
        target = self.call("Target.createTarget", {"url": "about:blank", "browserContextId": context})["targetId"]
        session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        self.call("Emulation.setScriptExecutionDisabled", {"value": True}, session)
        self.call("Page.enable", None, session)
        return session

    def _load(self, session: str, url: str) -> None:
        loaded: list = [threading.Event(), None]
        self._pending[(session, "Page.loadEventFired")] = loaded
        try:
            nav = self.call("Page.navigate", {"url": url}, session)
            if nav.get("errorText"):
                raise ChromiumError(f"Chromium could not open the document: {nav['errorText']}")
            # everything the document shows is inline (charts are data: URIs): loaded means ready to print
            if not loaded[0].wait(CALL_TIMEOUT) or loaded[1] is None:
                raise ChromiumError(self._dead or "Chromium did not finish loading the document")
        finally:
            self._pending.pop((session, "Page.loadEventFired"), None)

    def _print(self, session: str, **extra) -> bytes:
        # untagged, as WeasyPrint's are: Chromium's structure tags triple the file (350 -> 100 KB for a sales
        # report, which goes out by e-mail) and cost a fifth of the printing
        params = {
            "preferCSSPageSize": True,
            "printBackground": True,
            "displayHeaderFooter": False,
            "generateTaggedPDF": False,
            **extra,
        }
        return base64.b64decode(self.call("Page.printToPDF", params, session)["data"])

    def _stamp_contents(self, session: str, root: int, reader, pages: dict[str, int]) -> bytes | None:
        """The first print with the contents' page numbers drawn over its cover, from a print of the cover alone
        (the document's body class :data:`COVER_ONLY` hides the rest); None when that cannot be exact: a page
        number of three digits (its box holds two), or a cover laid out at another scale than the report's.
        ``root``: the document's node."""
        if not pages or max(pages.values()) > 99:
            return None
        body = self.call("DOM.querySelector", {"nodeId": root, "selector": "body"}, session)["nodeId"]
        self.call("DOM.setAttributeValue", {"nodeId": body, "name": "class", "value": COVER_ONLY}, session)
        stamped = _stamped(reader, _reader(self._print(session, pageRanges="1")))
        if stamped is None:  # the whole report is printed again: shown again first (else the tab's next document
            # replaces it, and laying the report out once more for nothing would cost a third of a print)
            self.call("DOM.removeAttribute", {"nodeId": body, "name": "class"}, session)
        return stamped

    def _number_contents(self, session: str, hrefs: list[str], pages: dict[str, int]) -> int:
        """Write each contents link's page into its ``data-page`` attribute (the DOM is edited over the
        protocol: the page runs no script); returns the document's node."""
        root = self.call("DOM.getDocument", {"depth": 0}, session)["root"]["nodeId"]
        links = self.call("DOM.querySelectorAll", {"nodeId": root, "selector": ".toc a[href]"}, session)["nodeIds"]
        for node, href in zip(links, hrefs):
            page = pages.get(href.lstrip("#"))
            if page is not None:
                self.call("DOM.setAttributeValue", {"nodeId": node, "name": "data-page", "value": str(page)}, session)
        return root

    def open_tab(self) -> None:
        """Open a tab ahead of the first document (its renderer process starts now, not when printing)."""
        session = self._new_tab()
        with self._free_lock:
            self._free.append(session)

    def print_pdf(self, html_doc: str, path) -> None:
        """Print ``html_doc`` to the PDF file ``path`` (see the module's notes)."""
        doc = _with_style(html_doc, _page_css(_cover_title(html_doc)))
        toc = _TOC_LINK.search(doc)
        hrefs = [htmllib.unescape(h) for h in re.findall(r'<a href="([^"]+)"', toc.group(1))] if toc else []
        fd, tmp = tempfile.mkstemp(suffix=".html", prefix="crmreports-print-", dir=self._profile)
        with self._free_lock:
            session = self._free.pop() if self._free else None
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(doc)
            session = session or self._new_tab()
            self._load(session, Path(tmp).as_uri())
            pdf = self._print(session)
            if hrefs:  # the contents' page numbers: read off this print and written in
                reader = _reader(pdf)
                pages = _destination_pages(reader)
                root = self._number_contents(session, hrefs, pages)
                # drawn over the cover from a print of the cover alone, else the whole report printed again
                pdf = self._stamp_contents(session, root, reader, pages) or self._print(session)
        except ChromiumError:
            session = None  # a tab in an unknown state is not reused
            raise
        finally:
            Path(tmp).unlink(missing_ok=True)
            if session is not None:
                with self._free_lock:
                    self._free.append(session)
        Path(path).write_bytes(pdf)

    def _poll(self) -> int | None:
        """The browser's exit status once it has exited (and been reaped), else None."""
        if self._exit is None:
            try:
                pid, status = os.waitpid(self._pid, os.WNOHANG)
            except ChildProcessError:
                pid, status = self._pid, 0
            if pid:
                self._exit = os.waitstatus_to_exitcode(status)
        return self._exit

    def close(self, kill: bool = False) -> None:
        """Close the browser and remove its profile. ``kill``: at once, without its own shutdown (0.1-0.15 s of
        it writing a profile that is removed anyway): for a process that is exiting."""
        if self._poll() is None:
            if not kill:
                try:
                    self.call("Browser.close", timeout=5)
                except ChromiumError:
                    pass
            deadline = time.monotonic() + (0 if kill else 5)
            while self._poll() is None and time.monotonic() < deadline:
                time.sleep(0.02)
            if self._poll() is None:
                os.kill(self._pid, 9)
                os.waitpid(self._pid, 0)
                self._exit = -9
        try:
            os.close(self._to_browser)
        except OSError:
            pass
        shutil.rmtree(self._profile, ignore_errors=True)

    @property
    def alive(self) -> bool:
        return self._dead is None and self._poll() is None


_TOC_LINK = re.compile(r'(<nav class="toc">.*?</nav>)', re.S)


def _cover_title(html_doc: str) -> str:
    m = re.search(r"<h1[^>]*>(.*?)</h1>", html_doc, re.S)
    return htmllib.unescape(re.sub(r"<[^>]+>", "", m.group(1))).strip() if m else ""


def css_string(text: str) -> str:
    """``text`` as a CSS string literal: every character but letters, digits and spaces escaped as ``\\HEX ``,
    so a name from the CRM cannot end the string or the rule."""
    return '"' + "".join(c if c.isalnum() or c == " " else f"\\{ord(c):x} " for c in text) + '"'


COVER_ONLY = "crm-cover-only"  # the body's class for the print of the cover's page numbers alone


def _page_css(title: str) -> str:
    return (
        f"@page {{ @bottom-left {{ content: {css_string(title)}; }} }}"
        "@page cover { @bottom-left { content: none; } }"
        # contents: the page number at the right after a dotted leader (leader()/target-counter() are WeasyPrint's),
        # in a box two digits wide whether the number is there yet or not
        ".toc a { display: flex; align-items: baseline; }"
        ".toc a::before { content: ''; order: 1; flex: 1 1 auto; margin: 0 1.5mm;"
        " border-bottom: 1px dotted #9ca3af; }"
        ".toc a::after { content: attr(data-page); order: 2; flex: 0 0 auto; color: #6b7280;"
        " min-width: 2ch; text-align: right; }"
        # the cover alone with nothing shown but the page numbers: the layer drawn over the first print's cover
        f"body.{COVER_ONLY} > :not(.cover) {{ display: none !important; }}"
        f"body.{COVER_ONLY} .cover {{ visibility: hidden; page: crm-layer; }}"
        # the page's own footer is in the first print already (a one-page report's cover shares its first page)
        "@page crm-layer { @bottom-left { content: none; } @bottom-right { content: none; } }"
        f"body.{COVER_ONLY} .toc a::after {{ visibility: visible; }}"
    )


def _with_style(html_doc: str, style: str) -> str:
    i = html_doc.find("</head>")
    return html_doc[:i] + f"<style>{style}</style>" + html_doc[i:] if i >= 0 else f"<style>{style}</style>{html_doc}"


def _reader(pdf: bytes):
    from pypdf import PdfReader

    return PdfReader(io.BytesIO(pdf))


def _destination_pages(reader) -> dict[str, int]:
    """Heading id -> page number (from 1), from the PDF's named destinations (Chromium writes one per id)."""
    pages = {}
    for name, dest in reader.named_destinations.items():
        try:
            pages[name.lstrip("/")] = reader.get_destination_page_number(dest) + 1
        except Exception:  # a destination without a page: no number rather than a wrong one
            continue
    return pages


_MATRIX = rb"([-\d.]+ [-\d.]+ [-\d.]+ [-\d.]+ [-\d.]+ [-\d.]+) cm"
_PAGE_MATRIX = re.compile(_MATRIX)
_AREA_MATRIX = re.compile(rb"re\s+W\*?\s+n\s+q\s+" + _MATRIX)  # the page area's clip, then its transform


def _page_transforms(page) -> list[bytes]:
    """The transforms a Chromium page's content sets first (points to pixels) and for its page area (its scale and
    origin: a report shrunk to fit a wide table has another than its cover printed alone). A page's footer,
    drawn before the page area, has transforms of its own in between."""
    data = page.get_contents().get_data()
    first, area = _PAGE_MATRIX.search(data), _AREA_MATRIX.search(data)
    return [first.group(1), area.group(1)] if first and area else []


def _stamped(reader, cover) -> bytes | None:
    """The PDF of ``reader`` with the first page of ``cover`` drawn over its first page, as an incremental update
    (the original bytes stay as they are; a form XObject and the page's new content list are appended); None
    when the two pages were not laid out alike (:func:`_page_transforms`). A cover that draws nothing (the
    contents are hidden) leaves the PDF as it was printed."""
    from pypdf import PdfWriter
    from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, NameObject

    layer = cover.pages[0]
    drawn = layer.get_contents()  # (a stream is a dictionary: an empty one is still a stream)
    if drawn is None or not drawn.get_data().strip():
        return reader.stream.getvalue()  # nothing to draw: the report hides its contents (the summary's one page)
    transforms = _page_transforms(reader.pages[0])
    if not transforms or transforms != _page_transforms(layer):
        return None
    writer = PdfWriter(reader, incremental=True)
    page = writer.pages[0]
    form = DecodedStreamObject()
    form.set_data(drawn.get_data())
    form.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Form"),
            NameObject("/BBox"): ArrayObject(layer.mediabox),
            NameObject("/Resources"): layer["/Resources"].clone(writer),
        }
    )
    resources = page["/Resources"]
    xobjects = resources.get("/XObject")
    if xobjects is None:
        xobjects = resources[NameObject("/XObject")] = DictionaryObject()
    xobjects = xobjects.get_object()
    xobjects[NameObject("/CrmContentsPages")] = writer._add_object(form.flate_encode())
    # the page's own content between q and Q, so the layer is drawn in the page's untransformed space
    before, after = DecodedStreamObject(), DecodedStreamObject()
    before.set_data(b"q\n")
    after.set_data(b"\nQ q /CrmContentsPages Do Q\n")
    contents = page.raw_get("/Contents")
    contents = list(contents) if isinstance(contents, ArrayObject) else [contents]
    page[NameObject("/Contents")] = ArrayObject([writer._add_object(before), *contents, writer._add_object(after)])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# ---- one browser per process ---------------------------------------------------------------------------

_browser: Browser | None = None
_browser_lock = threading.Lock()


def browser() -> Browser:
    """The process's browser, started on first use (and again if it died)."""
    global _browser
    with _browser_lock:
        if _browser is not None and _browser.owner != os.getpid():  # a forked child: the pipe is its parent's
            _browser = None
        if _browser is None or not _browser.alive:
            if _browser is not None:
                log.warning("Chromium died; starting it again")
                _browser.close()
            executable = find_chromium()
            if executable is None:
                raise ChromiumError("no Chromium found (install the chromium package or set CRMREPORTS_CHROMIUM)")
            started = time.monotonic()
            _browser = Browser(executable)
            log.debug("Chromium started in %.2f s", time.monotonic() - started)
        return _browser


def print_pdf(html_doc: str, path) -> None:
    """Print with the process's browser; a browser that died meanwhile is replaced once."""
    b = browser()
    try:
        b.print_pdf(html_doc, path)
    except ChromiumError:
        if b.alive:
            raise
        browser().print_pdf(html_doc, path)


@atexit.register
def shutdown() -> None:
    """Kill the process's browser (at exit: its helper processes end with it) and remove its profile."""
    global _browser
    with _browser_lock:
        if _browser is not None:
            _browser.close(kill=True)
            _browser = None
