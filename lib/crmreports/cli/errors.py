"""The CLI's user error."""

from __future__ import annotations


class CLIError(Exception):
    """A user error: printed as one line, exit code 2."""
