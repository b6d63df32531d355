"""A pool of warm Jupyter kernels for batch runs.

Starting a kernel and importing pandas/matplotlib/DuckDB costs ~1.3 s per document, more than most
reports' own cells. A pack run therefore keeps one kernel per worker and, between documents, clears
it: ``%reset -f`` (every user variable), ``plt.close("all")`` and matplotlib's defaults restored, the
working directory put back. Imported modules stay loaded — that is the point — so the library must
keep no per-report state in module globals (it keeps none). A kernel that died, stopped answering or
ran a cell past its time limit (``CELL_TIMEOUT``, ``pack --cell-timeout``) is replaced by a fresh one and
that document alone fails, so one crashing or hanging notebook never takes the next ones down, and a
job waiting for a kernel is woken whenever one is given back or discarded.

Kernels start with a scrubbed environment (:func:`kernel_env`: no amoCRM token, SMTP password or bot
token; notebooks read the store only) and talk to us over Unix sockets in a private folder, not TCP.
A kernel exits by itself when the process that started it dies (ipykernel polls its parent).

Every client of a pooled kernel gets its own session, hence its own zmq identity. jupyter_client
names a client's shell socket after its session and ``KernelManager.client()`` hands every client the
manager's one session; nbclient never closes the client it makes for a borrowed kernel. So two live
sockets shared one identity, and the kernel's shell socket (which hands an identity over to the newest
connection) could answer the wrong one: about one document in 200, after a failed one, waited 60 s
and failed with "Kernel didn't respond in 60 seconds". The clients are also closed after each
document. ``tests/bench/stress_kernels.py`` counts such failures (0 in 1,500 documents since).

Per document the pool costs about 0.15 s: nbclient's client gets a ready check without jupyter_client's fixed
0.2 s of IOPub flushing (:class:`QuickReadyClient`), and the reset goes over the shell channel alone (no ready
check at all), where each used to cost 0.2 s more.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from queue import Empty

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.blocking import BlockingKernelClient
from jupyter_client.manager import KernelManager
from jupyter_client.session import Session

from .launch import KERNEL_ARGUMENTS, LAUNCHER, EarlyKernel, ipc_base, kernel_env, pool_env, remove_stale_ipc_dirs

__all__ = ["KERNEL_ARGUMENTS", "KernelPool", "fresh_kernel", "kernel_env", "remove_stale_ipc_dirs"]

log = logging.getLogger("crmreports.kernels")
# jupyter_client warns when it garbage-collects nbclient's own clients of a borrowed kernel; harmless here
logging.getLogger("traitlets").setLevel(logging.ERROR)

CELL_TIMEOUT = 600.0  # seconds one cell may run before its document fails (``pack --cell-timeout``)
READY_TIMEOUT = 60.0  # seconds a new kernel may take to answer
RESET_TIMEOUT = 30.0  # seconds the reset between documents may take

# ``gc.freeze()`` moves what survived the reset (the imported library, pandas, matplotlib: some 250,000 objects)
# out of the collector's reach: the full collections of the next ``%reset`` (two) and those during the next
# document scan only what that document made. A reset costs 0.03 s instead of 0.28 s.
RESET_CODE = """\
%reset -f
import os as _os, matplotlib as _mpl, gc as _gc, sys as _sys
if "crmreports.store.files" in _sys.modules:  # the store connection kept open for the document
    _sys.modules["crmreports.store.files"].release_kept()
_os.chdir({cwd!r})
_mpl.rcdefaults()
try:
    import matplotlib.pyplot as _plt
    _plt.close("all")
except Exception:
    pass
_gc.freeze()
del _os, _mpl, _gc, _sys
"""


# run after a new kernel's imports: what they made is moved out of the garbage collector's reach, as the reset
# does after each document; else the first document pays a full collection over it (0.08 s of a cold run)
FREEZE_CODE = "\n__import__('gc').freeze()"


IOPUB_FLUSH = 0.01  # seconds a client's ready check waits for stray IOPub messages (jupyter_client: 0.2)


class QuickReadyClient(AsyncKernelClient):
    """The asynchronous client nbclient gets for a pooled kernel, with a ready check that costs no fixed 0.2 s.

    jupyter_client's ``wait_for_ready`` ends by reading IOPub until nothing came for 0.2 s, on every new
    client: once per document. nbclient reads only the IOPub messages whose parent is its own request, so a
    stray status message needs no flushing; the handshake itself is kept (a ``kernel_info`` reply on shell,
    then one IOPub message, which proves the IOPub subscription is live before any cell runs).
    """

    async def _async_wait_for_ready(self, timeout: float | None = None) -> None:
        limit = READY_TIMEOUT if timeout is None else timeout
        deadline = time.monotonic() + limit
        while True:
            self.kernel_info()
            try:
                msg = await self.shell_channel.get_msg(timeout=1)
            except Empty:
                pass
            else:
                if msg["msg_type"] == "kernel_info_reply":
                    try:  # IOPub connected: the kernel's busy/idle status for this request arrives
                        await self.iopub_channel.get_msg(timeout=0.2)
                    except Empty:
                        pass
                    else:
                        self._handle_kernel_info_reply(msg)
                        break
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {limit:.0f} seconds")
        while True:  # what is already there, without waiting 0.2 s for more
            try:
                await self.iopub_channel.get_msg(timeout=IOPUB_FLUSH)
            except Empty:
                break

    wait_for_ready = _async_wait_for_ready


def _own_session(km: KernelManager) -> Session:
    """A session with the kernel's key but a new id, so the client's sockets have an identity of their own."""
    return Session(key=km.session.key, signature_scheme=km.session.signature_scheme, username=km.session.username)


class _PoolKernelManager(KernelManager):
    """A kernel manager whose clients each have their own identity and are remembered for closing, whose
    kernels start without the Jupyter debugger (:data:`crmreports.batch.launch.LAUNCHER`), and which takes over
    a kernel process started ahead (:func:`crmreports.batch.launch.launch_early`) when it is exactly the one it
    would launch."""

    def __init__(self, early: EarlyKernel | None = None, **kwargs):
        super().__init__(**kwargs)
        self.lent_clients: list = []
        self.early = early
        if early is not None:  # its connection (key and sockets), kept as written: the process may be reading it
            self.load_connection_file(early.connection_file)
            self._connection_file_written = True

    def format_kernel_cmd(self, extra_arguments=None) -> list[str]:
        cmd = super().format_kernel_cmd(extra_arguments)
        if cmd[1:3] == ["-m", "ipykernel_launcher"]:  # the python3 kernel's command (another kernel's is kept)
            cmd = [cmd[0], "-c", LAUNCHER, *cmd[3:]]
        return cmd

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw) -> None:
        early, self.early = self.early, None
        if early is not None:
            if early.matches(kernel_cmd, kw.get("env") or {}, kw.get("cwd"), self.get_connection_info()):
                provisioner = self.provisioner  # what its launch_kernel records of the process it starts
                provisioner.process, provisioner.pid = early.process, early.process.pid
                provisioner.pgid = os.getpgid(early.process.pid)  # a session of its own: its own group
                provisioner.cwd = early.cwd
                return
            log.debug("the kernel started ahead is not the one to launch: starting another")
            early.stop()  # and its connection file: written again, for the kernel launched now
            self._connection_file_written = False
            self.write_connection_file()
        await super()._async_launch_kernel(kernel_cmd, **kw)

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


def _blocking(km: KernelManager, shell_only: bool = False) -> BlockingKernelClient:
    info = km.get_connection_info(session=False)
    for signing in ("key", "signature_scheme"):  # the session signs: the client has no such settings of its own
        info.pop(signing, None)
    kc = BlockingKernelClient(**info, session=_own_session(km), connection_file=km.connection_file, parent=km)
    if shell_only:
        kc.start_channels(shell=True, iopub=False, stdin=False, hb=False, control=False)
    else:
        kc.start_channels()
    return kc


def _run_silently(km: KernelManager, code: str, timeout: float) -> bool:
    """Run ``code`` in the kernel without output or execution count, over the shell channel only (the request
    waits in ZeroMQ's queue until the socket is connected, so this is the ready check of a kernel just started
    too); True if it ran without error. A kernel that dies meanwhile is noticed within a tenth of a second."""
    kc = _blocking(km, shell_only=True)
    try:
        msg_id = kc.execute(code, silent=True, store_history=False, allow_stdin=False)
        deadline = time.monotonic() + timeout
        while True:
            try:
                reply = kc.get_shell_msg(timeout=0.1)
            except Empty:
                if not km.is_alive():
                    raise RuntimeError("the kernel died before it answered") from None
                if time.monotonic() > deadline:
                    raise TimeoutError(f"the kernel did not answer in {timeout:.0f} seconds") from None
                continue
            if reply.get("parent_header", {}).get("msg_id") == msg_id:
                return reply["content"].get("status") == "ok"
    finally:
        kc.stop_channels()


def _suspect(exc: BaseException | None) -> bool:
    """True if a document that ended with ``exc`` may have left its kernel dead or still busy (a cell
    past its time limit keeps running): such a kernel is replaced, not reset."""
    from nbclient.exceptions import DeadKernelError  # nbclient (with nbformat's validator) costs 0.3 s to import:
    # not before ``crmreports run`` has started its kernel

    return exc is not None and (
        isinstance(exc, (DeadKernelError, TimeoutError)) or not isinstance(exc, Exception)  # e.g. KeyboardInterrupt
    )


class KernelPool:
    """``size`` warm kernels handed out one per job with :meth:`kernel`.

    A job that finds no free kernel waits for one, or starts one when fewer than ``size`` are alive or
    starting; every kernel given back or discarded wakes the waiting jobs, so a kernel that died never
    leaves a job waiting for it. ``reuse=False`` discards every kernel after its document (``pack
    --fresh-kernels``, and a single ``run``). Kernels start with :func:`kernel_env` (no secrets) on
    Unix sockets; every cell of a document gets ``cell_timeout`` seconds.
    """

    def __init__(
        self, size: int, kernel_name: str, cwd: Path, cell_timeout: float | None = CELL_TIMEOUT, reuse: bool = True
    ):
        self.size, self.kernel_name, self.cwd = max(1, size), kernel_name, str(cwd)
        self.cell_timeout, self.reuse = cell_timeout, reuse
        self._free: list[_PoolKernelManager] = []
        self._all: list[KernelManager] = []
        self._cond = threading.Condition()
        self._starting = 0
        self._closed = False
        self._prestart_km: KernelManager | None = None
        self._leaving: list[threading.Thread] = []  # kernels not kept, being stopped in the background

    def _spawn(self, early: EarlyKernel | None = None) -> _PoolKernelManager:
        """A new kernel process (not yet answering): scrubbed environment (:func:`pool_env`), Unix sockets, no
        input history (a report's kernel keeps no SQLite history file of what it ran). ``early``: a process
        started ahead for it, taken over if it is the one jupyter_client would launch, else stopped."""
        # nbclient runs on asyncio: the clients it gets must be asynchronous, or a blocking read would
        # stop it from noticing a dead kernel; our own housekeeping uses blocking clients (_blocking)
        base = early.connection["ip"] if early is not None else ipc_base()
        try:
            km = _PoolKernelManager(
                early=early,
                kernel_name=self.kernel_name,
                client_class=f"{__name__}.QuickReadyClient",
                transport="ipc",
                ip=base,
                connection_file=base + ".json",
            )
            km.start_kernel(cwd=self.cwd, env=pool_env(), extra_arguments=KERNEL_ARGUMENTS)
        except BaseException:
            if early is not None:
                early.stop()
            raise
        return km

    def _start(self, code: str = "", spawned=None, early: EarlyKernel | None = None) -> _PoolKernelManager:
        """A new kernel that has answered (and run ``code``, silently). The answer is a silent execution's reply,
        not jupyter_client's ready check, which ends with 0.2 s of waiting for stray IOPub messages. ``spawned``
        is told the kernel as soon as its process exists; ``early``: as for :meth:`_spawn`."""
        km = self._spawn(early)
        try:
            if spawned is not None:
                spawned(km)
            if not _run_silently(km, code + FREEZE_CODE, READY_TIMEOUT):
                raise RuntimeError(f"the kernel could not run {code!r}")
        except BaseException:
            _shutdown(km)
            raise
        return km

    def _take(self, timing: dict | None = None) -> _PoolKernelManager:
        with self._cond:
            while True:
                if self._closed:
                    raise RuntimeError("the kernel pool is closed")
                if self._free:
                    return self._free.pop()
                if len(self._all) + self._starting < self.size:  # kernels being started count too
                    self._starting += 1
                    break
                self._cond.wait()
        km = None
        started = time.monotonic()
        try:
            km = self._start()
            return km
        finally:
            if timing is not None:
                timing["kernel_start"] = round(time.monotonic() - started, 4)
            with self._cond:
                self._starting -= 1
                if km is not None:
                    self._all.append(km)
                self._cond.notify_all()  # a failed start frees its place for a waiting job

    def _reset(self, km: KernelManager) -> bool:
        """Clear the kernel for the next document; False if it is dead or does not answer.

        Only the shell channel is used: the request waits in ZeroMQ's queue until the socket is connected and
        the reply says whether the reset ran, so no ready check (0.2 s of IOPub flushing) is needed."""
        if not km.is_alive():
            return False
        try:
            return _run_silently(km, RESET_CODE.format(cwd=self.cwd), RESET_TIMEOUT)
        except Exception as exc:  # a kernel that cannot be reset is replaced, whatever went wrong
            log.warning("kernel reset failed (%s); starting a fresh one", type(exc).__name__)
            return False

    def _release(self, km: _PoolKernelManager) -> None:
        with self._cond:
            if not self._closed:
                self._free.append(km)
                self._cond.notify_all()
                return
        self._discard(km)

    def _discard(self, km: KernelManager) -> None:
        _shutdown(km)
        with self._cond:
            if km in self._all:
                self._all.remove(km)
            if km in self._free:
                self._free.remove(km)
            self._cond.notify_all()  # its place is free: a waiting job starts a new kernel

    def prestart(self, code: str = "", early: EarlyKernel | None = None) -> None:
        """Start one kernel now, in a background thread, and run ``code`` in it silently (the imports the
        document will need): ``crmreports run`` overlaps the kernel's start and the library's import with its
        own checks. Nothing of it is in the document: a silent execution leaves no output and no execution
        count. A kernel that does not start here is started again, and its error raised, by the document.
        ``early``: the kernel's process, already started (:func:`crmreports.batch.launch.launch_early`)."""
        with self._cond:
            if self._closed or len(self._all) + self._starting >= self.size:
                if early is not None:
                    early.stop()
                return
            self._starting += 1

        spawned = threading.Event()

        def note(km: _PoolKernelManager) -> None:  # close() may kill it from now on
            self._prestart_km = km
            spawned.set()

        def work() -> None:
            km = None
            try:
                km = self._start(code, spawned=note, early=early)
            except Exception as exc:  # only a head start (_start has stopped the kernel)
                log.debug("kernel prestart failed: %s", exc)
            finally:
                spawned.set()
            with self._cond:
                self._starting -= 1
                self._prestart_km = None
                closed = self._closed
                if km is not None and not closed:
                    self._all.append(km)
                    self._free.append(km)
                self._cond.notify_all()
            if km is not None and closed:
                _shutdown(km)

        self._prestart_spawned = spawned
        self._prestarting = threading.Thread(target=work, name="crmreports-kernel-prestart", daemon=True)
        self._prestarting.start()

    @contextlib.contextmanager
    def kernel(self, timing: dict | None = None) -> Iterator[dict]:
        """A clean, warm kernel for one document, as papermill/nbclient keyword arguments (``km`` and
        ``execution_timeout``, the time limit of each cell).

        nbclient makes its own client of the kernel (it ignores a ``kc`` argument) and leaves it open
        for a kernel it does not own; every client made during the document is closed here. A kernel
        that died or whose cell ran out of time is replaced, never reset. ``timing`` (a dict) gets the
        seconds spent in ``kernel_wait`` (for a kernel another document holds), ``kernel_start`` and
        ``kernel_reset`` (or the shutdown of a kernel that is not kept).
        """
        asked = time.monotonic()
        km = self._take(timing)
        if timing is not None:
            took = time.monotonic() - asked
            timing["kernel_wait"] = round(max(0.0, took - timing.get("kernel_start", 0.0)), 4)
        failure = None
        try:
            yield {"km": km, "execution_timeout": self.cell_timeout}
        except BaseException as exc:
            failure = exc
            raise
        finally:
            leaving = time.monotonic()
            km.close_clients()
            if self.reuse and not _suspect(failure) and self._reset(km):
                self._release(km)
            elif not self.reuse:  # stopped in the background (0.1 s): the document's files are written meanwhile
                thread = threading.Thread(target=self._discard, args=(km,), name="crmreports-kernel-stop", daemon=True)
                with self._cond:
                    self._leaving = [t for t in self._leaving if t.is_alive()] + [thread]
                thread.start()
            else:
                self._discard(km)
            if timing is not None:
                timing["kernel_reset"] = round(time.monotonic() - leaving, 4)

    def close(self) -> None:
        """Stop every kernel. One still being started ahead (:meth:`prestart`) is stopped as soon as its process
        exists, without waiting for its imports: an up-to-date ``crmreports run`` does not wait for a kernel it
        does not need, and none outlives the pool."""
        prestarting = getattr(self, "_prestarting", None)
        with self._cond:
            self._closed = True
            kms = list(self._all)
            self._cond.notify_all()
        if prestarting is not None and prestarting.is_alive():
            self._prestart_spawned.wait(READY_TIMEOUT)
            km = self._prestart_km
            if km is not None:  # killed, not shut down here: the prestart thread still has sockets open in the
                _kill(km)  # kernel's ZeroMQ context; it notices within a tenth of a second and cleans up itself
            prestarting.join(READY_TIMEOUT)
        for thread in list(self._leaving):
            thread.join(RESET_TIMEOUT)
        for km in kms:
            self._discard(km)

    def __enter__(self) -> KernelPool:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _kill(km: KernelManager) -> None:
    """Kill the kernel's process (only that: its sockets and files are left to :func:`_shutdown`)."""
    process = getattr(km.provisioner, "process", None)
    if process is not None:
        with contextlib.suppress(Exception):
            process.kill()


def _shutdown(km: KernelManager) -> None:
    """Stop the kernel process at once (and remove its socket and connection files)."""
    with contextlib.suppress(Exception):
        km.shutdown_kernel(now=True)
    with contextlib.suppress(Exception):
        km.cleanup_resources()


@contextlib.contextmanager
def fresh_kernel(
    kernel_name: str, cwd: Path, cell_timeout: float | None = None, timing: dict | None = None
) -> Iterator[dict]:
    """One new kernel for one document (the same environment, transport and time limit as a pool's),
    shut down afterwards: what ``crmreports run`` uses. ``cell_timeout`` None: :data:`CELL_TIMEOUT`; 0: none.
    ``timing``: as for :meth:`KernelPool.kernel`."""
    limit = CELL_TIMEOUT if cell_timeout is None else cell_timeout or None
    with KernelPool(1, kernel_name, cwd, limit, reuse=False) as pool, pool.kernel(timing) as kernel:
        yield kernel
