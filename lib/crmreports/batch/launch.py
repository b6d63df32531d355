"""How a report kernel's process is started, importable without jupyter_client (0.1 s) and without asking
jupyter_client to start it (0.1 s more: the kernelspec lookup imports IPython, the provisioner factory reads
entry points).

``crmreports run`` starts its kernel before anything else (:mod:`crmreports.cli.early`): :func:`launch_early`
writes a connection file and starts the process at once, with the command, environment and working folder
jupyter_client would give it. The kernel pool then hands it to a kernel manager
(:class:`crmreports.batch.kernels.KernelPool`), which checks that the command, the environment, the folder and
the connection are exactly what it would have launched, and otherwise stops it and starts the kernel itself.
"""

from __future__ import annotations

import atexit
import contextlib
import itertools
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..core.environment import KEEP_OPEN, without_secrets
from ..core.processes import remove_dead_process_dirs

KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=ERROR", "--HistoryManager.enabled=False"]

# ipykernel's launcher (``python -m ipykernel_launcher``) with ``debugpy`` unimportable: ipykernel then starts
# without the Jupyter debugger, which no report kernel serves (0.1 s of CPU less at each start)
LAUNCHER = """\
import sys
if sys.path and sys.path[0] == "":
    del sys.path[0]
sys.modules["debugpy"] = None
from ipykernel import kernelapp
kernelapp.launch_new_instance()
"""


def kernel_env(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment a kernel starts with: ours (PATH, HOME, LANG, PYTHONPATH, CRMREPORTS_STORE,
    MPLBACKEND, ...) without any variable :func:`crmreports.core.environment.is_secret_name` names."""
    return without_secrets(environ)


def pool_env() -> dict[str, str]:
    """:func:`kernel_env`, and a document's reads sharing one store connection, released by the kernel pool's
    reset (see crmreports.store.files)."""
    return {**kernel_env(), KEEP_OPEN: "1"}


# Kernels talk to us over Unix sockets (ZeroMQ ``ipc``) in a private folder, not over TCP on loopback:
# no port another local user could connect to, and no "[IPKernelApp] WARNING | Kernel is running over
# TCP without encryption" on every run. The folder is ``<tmp>/crmreports-kernels-<pid>-*``; a process
# killed with -9 leaves it behind, and the next pool removes those whose process is gone.
_IPC_PREFIX = "crmreports-kernels-"
_ipc_lock = threading.Lock()
_ipc_dir: Path | None = None
_ipc_count = itertools.count(1)


def remove_stale_ipc_dirs(tmp: str | os.PathLike | None = None) -> int:
    """Remove the socket folders of kernel pools whose process no longer exists; how many were removed."""
    return remove_dead_process_dirs(_IPC_PREFIX, tmp)


def ipc_base() -> str:
    """A new socket path prefix in this process's private folder (made, and stale ones swept, on first use)."""
    global _ipc_dir
    with _ipc_lock:
        if _ipc_dir is None or not _ipc_dir.is_dir():
            from ..present import chromium

            remove_stale_ipc_dirs()
            chromium.remove_stale_profiles()  # a killed pack's PDF browser profile, in the same sweep
            _ipc_dir = Path(tempfile.mkdtemp(prefix=f"{_IPC_PREFIX}{os.getpid()}-"))
            atexit.register(shutil.rmtree, _ipc_dir, True)
        return str(_ipc_dir / f"k{next(_ipc_count)}")


# the ports of an ipc connection are only suffixes of the socket paths: each kernel has a base of its own
_PORTS = {"shell_port": 1, "iopub_port": 2, "stdin_port": 3, "hb_port": 4, "control_port": 5}


@dataclass
class EarlyKernel:
    """A kernel process started by :func:`launch_early`, not yet handed to a kernel manager."""

    process: subprocess.Popen
    connection_file: str
    connection: dict  # the connection file's content
    cmd: list[str]
    env: dict[str, str]  # as given to the process, with JPY_PARENT_PID
    cwd: str

    def matches(self, cmd: list[str], env: Mapping[str, str], cwd, connection: Mapping) -> bool:
        """True if jupyter_client would launch exactly this process: the same command, environment (ignoring the
        parent's pid, which the launch adds) and folder, and the same connection (key, transport, sockets)."""
        mine = {k: v for k, v in self.env.items() if k != "JPY_PARENT_PID"}
        theirs = {k: v for k, v in env.items() if k != "JPY_PARENT_PID"}
        wanted = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in connection.items()}
        written = {k: v for k, v in self.connection.items() if k != "kernel_name"}
        return list(cmd) == self.cmd and mine == theirs and str(cwd) == self.cwd and wanted == written

    def stop(self) -> None:
        """Kill the process and remove its connection file and sockets."""
        with contextlib.suppress(OSError):
            self.process.kill()
        with contextlib.suppress(Exception):
            self.process.wait(5)
        with contextlib.suppress(OSError):
            os.remove(self.connection_file)
        for name in _PORTS:
            with contextlib.suppress(OSError):
                os.remove(f"{self.connection['ip']}-{self.connection[name]}")


def launch_early(kernel_name: str, cwd: str | os.PathLike) -> EarlyKernel | None:
    """Start a ``kernel_name`` kernel process now, as jupyter_client's kernel manager would start the kernel pool's
    (:func:`pool_env`, Unix sockets, :data:`LAUNCHER`); None for a kernel other than ipykernel's own python3
    kernel, whose command only jupyter_client knows."""
    if kernel_name != "python3":
        return None
    base = ipc_base()
    connection = {
        **_PORTS,
        "ip": base,
        "key": secrets.token_hex(16),
        "transport": "ipc",
        "signature_scheme": "hmac-sha256",
        "kernel_name": kernel_name,
    }
    connection_file = base + ".json"
    fd = os.open(connection_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(connection, f, indent=2)
    cmd = [sys.executable, "-c", LAUNCHER, "-f", connection_file, *KERNEL_ARGUMENTS]
    env = pool_env()
    env.pop("PYTHONEXECUTABLE", None)  # as jupyter_client's provisioner does for a python kernel
    env["JPY_PARENT_PID"] = str(os.getpid())  # the kernel exits when this process is gone
    try:  # as jupyter_client's launch_kernel: stdin a pipe, a session of its own
        process = subprocess.Popen(cmd, stdin=subprocess.PIPE, env=env, cwd=str(cwd), start_new_session=True)
    except OSError:
        os.remove(connection_file)
        return None
    return EarlyKernel(process, connection_file, connection, cmd, env, str(cwd))
