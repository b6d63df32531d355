"""The `crmreports` command line (:mod:`.app`); one module per command in :mod:`.commands`."""

import atexit
import os
import sys
import threading

from .app import main

__all__ = ["console", "main"]


def console() -> None:
    """The ``crmreports`` command (and ``python -m crmreports``): :func:`main`, then the exit handlers (the
    PDF browser and the kernels' socket folder are closed, logging is flushed), then the process ends without
    the interpreter's teardown, which frees pandas', matplotlib's and DuckDB's objects one by one for 0.25 s
    where the system frees the whole process at once. Tests call :func:`main`."""
    code = main()
    shutdown = getattr(threading, "_shutdown", None)  # what the interpreter does first at exit: wait for the
    if shutdown is not None:  # threads that are not daemons
        shutdown()
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
