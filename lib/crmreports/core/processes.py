"""Per-process temporary folders (``<tmp>/<prefix><pid>-*``) and the sweep of those a killed process left."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_dead_process_dirs(prefix: str, tmp: str | os.PathLike | None = None) -> int:
    """Remove the folders ``<tmp>/<prefix><pid>-*`` whose process no longer exists (a process killed with -9
    leaves its folder behind); how many were removed. Other names and living processes' folders are kept."""
    removed = 0
    for d in Path(tmp or tempfile.gettempdir()).glob(prefix + "*"):
        m = re.fullmatch(re.escape(prefix) + r"(\d+)-\w+", d.name)
        if m and d.is_dir() and int(m.group(1)) != os.getpid() and not pid_alive(int(m.group(1))):
            shutil.rmtree(d, ignore_errors=True)
            removed += 1
    return removed
