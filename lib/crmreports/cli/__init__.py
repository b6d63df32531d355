"""The `crmreports` command line (:mod:`.app`); one module per command in :mod:`.commands`."""

from .app import main

__all__ = ["main"]
