"""A pool of warm Jupyter kernels for batch runs.

Starting a kernel and importing pandas/matplotlib/DuckDB costs ~1.3 s per document, more than most
reports' own cells. A pack run therefore keeps one kernel per worker and, between documents, clears
it: ``%reset -f`` (every user variable), ``plt.close("all")`` and matplotlib's defaults restored, the
working directory put back. Imported modules stay loaded — that is the point — so the library must
keep no per-report state in module globals (it keeps none). A kernel that died or stopped answering
is replaced by a fresh one, so one crashing notebook never takes the next ones down.

Every client of a pooled kernel gets its own session, hence its own zmq identity. jupyter_client
names a client's shell socket after its session and ``KernelManager.client()`` hands every client the
manager's one session; nbclient never closes the client it makes for a borrowed kernel. So two live
sockets shared one identity, and the kernel's shell socket (which hands an identity over to the newest
connection) could answer the wrong one: about one document in 200, after a failed one, waited 60 s
and failed with "Kernel didn't respond in 60 seconds". The clients are also closed after each
document. ``tests/bench/stress_kernels.py`` counts such failures (0 in 1,500 documents since).
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
from pathlib import Path

from jupyter_client.blocking import BlockingKernelClient
from jupyter_client.manager import KernelManager
from jupyter_client.session import Session

log = logging.getLogger("crmreports.kernels")
# jupyter_client warns when it garbage-collects nbclient's own clients of a borrowed kernel; harmless here
logging.getLogger("traitlets").setLevel(logging.ERROR)

RESET_CODE = """\
%reset -f
import os as _os, matplotlib as _mpl
_os.chdir({cwd!r})
_mpl.rcdefaults()
try:
    import matplotlib.pyplot as _plt
    _plt.close("all")
except Exception:
    pass
del _os, _mpl
"""


def _own_session(km: KernelManager) -> Session:
    """A session with the kernel's key but a new id, so the client's sockets have an identity of their own."""
    return Session(key=km.session.key, signature_scheme=km.session.signature_scheme, username=km.session.username)


class _PoolKernelManager(KernelManager):
    """A kernel manager whose clients each have their own identity and are remembered for closing."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.lent_clients: list = []

    def client(self, **kwargs):
        kwargs.setdefault("session", _own_session(self))
        kc = super().client(**kwargs)
        self.lent_clients.append(kc)
        return kc

    def close_clients(self) -> None:
        while self.lent_clients:
            kc = self.lent_clients.pop()
            with contextlib.suppress(Exception):
                kc.stop_channels()


def _blocking(km: KernelManager) -> BlockingKernelClient:
    info = km.get_connection_info(session=False)
    for signing in ("key", "signature_scheme"):  # the session signs: the client has no such settings of its own
        info.pop(signing, None)
    kc = BlockingKernelClient(**info, session=_own_session(km), connection_file=km.connection_file, parent=km)
    kc.start_channels()
    return kc


class KernelPool:
    """``size`` warm kernels handed out one per job with :meth:`kernel`."""

    def __init__(self, size: int, kernel_name: str, cwd: Path):
        self.size, self.kernel_name, self.cwd = size, kernel_name, str(cwd)
        self._free: queue.Queue[_PoolKernelManager] = queue.Queue()
        self._all: list[KernelManager] = []
        self._lock = threading.Lock()
        self._starting = 0

    def _start(self) -> _PoolKernelManager:
        # nbclient runs on asyncio: the clients it gets must be asynchronous, or a blocking read would
        # stop it from noticing a dead kernel; our own housekeeping uses blocking clients (_blocking)
        km = _PoolKernelManager(
            kernel_name=self.kernel_name, client_class="jupyter_client.asynchronous.AsyncKernelClient"
        )
        km.start_kernel(cwd=self.cwd, extra_arguments=["--IPKernelApp.log_level=ERROR"])
        with self._lock:
            self._all.append(km)
        kc = _blocking(km)
        try:
            kc.wait_for_ready(timeout=60)
        finally:
            kc.stop_channels()
        return km

    def _take(self) -> KernelManager:
        try:
            return self._free.get_nowait()
        except queue.Empty:
            with self._lock:  # count kernels being started too, so two threads never both start one
                can_start = len(self._all) + self._starting < self.size
                self._starting += can_start
            if not can_start:
                return self._free.get()
            try:
                return self._start()
            finally:
                with self._lock:
                    self._starting -= 1

    def _reset(self, km: KernelManager) -> bool:
        """Clear the kernel for the next document; False if it is dead or does not answer."""
        if not km.is_alive():
            return False
        kc = _blocking(km)
        try:
            kc.wait_for_ready(timeout=30)
            reply = kc.execute_interactive(
                RESET_CODE.format(cwd=self.cwd), timeout=30, store_history=False, output_hook=lambda msg: None
            )
            return reply["content"].get("status") == "ok"
        except Exception as exc:  # a kernel that cannot be reset is replaced, whatever went wrong
            log.warning("kernel reset failed (%s); starting a fresh one", type(exc).__name__)
            return False
        finally:
            kc.stop_channels()

    def _discard(self, km: KernelManager) -> None:
        with contextlib.suppress(Exception):
            km.shutdown_kernel(now=True)
        with self._lock:
            if km in self._all:
                self._all.remove(km)

    @contextlib.contextmanager
    def kernel(self):
        """A clean, warm kernel for one document, as papermill/nbclient keyword arguments (``km``).

        nbclient makes its own client of the kernel (it ignores a ``kc`` argument) and leaves it open
        for a kernel it does not own; every client made during the document is closed here.
        """
        km = self._take()
        try:
            yield {"km": km}
        finally:
            km.close_clients()
            if self._reset(km):
                self._free.put(km)
            else:
                self._discard(km)

    def close(self) -> None:
        with self._lock:
            kms = list(self._all)
        for km in kms:
            self._discard(km)

    def __enter__(self) -> KernelPool:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
