"""The counters behind the reliability tally the test run prints at its end (tests/conftest.py, docs/reliability.md).

Tests that compare what a source listed with what the store kept report it with :func:`records`; tests that scan
outputs, logs and files for secrets do so with :func:`scan`. Both return what they found, for the test to assert on
(records lost must be 0, secrets found must be 0): the tally adds up what the tests saw, it is not a constant.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

RECORDS = {"listed": 0, "lost": 0}  # records a source listed, and how many of them the store did not keep
SECRETS = {"scanned": 0, "found": 0}  # files/texts scanned for secrets, and the secrets found in them


def records(listed: int, stored: int) -> int:
    """Count a stored-vs-listed check: ``listed`` records the source gave, ``stored`` the store holds of them.
    Returns the number lost (listed − stored, never below 0)."""
    lost = max(0, int(listed) - int(stored))
    RECORDS["listed"] += int(listed)
    RECORDS["lost"] += lost
    return lost


def scan(items: Iterable[str | bytes | os.PathLike], secrets: Iterable[str]) -> list[tuple[str, str]]:
    """Look for each secret in each item (a path: the file's bytes; text or bytes: as they are). Returns the hits as
    (item, secret) pairs (the secret itself is never printed by the tally) and counts them."""
    secrets = [s for s in secrets if s]
    hits = []
    for item in items:
        if isinstance(item, (os.PathLike, Path)):
            try:
                data = Path(item).read_bytes()
            except OSError:
                continue
            name = str(item)
        else:
            data = item.encode("utf-8", "replace") if isinstance(item, str) else bytes(item)
            name = "<text>"
        SECRETS["scanned"] += 1
        for s in secrets:
            if s.encode() in data:
                hits.append((name, "<secret>"))
    SECRETS["found"] += len(hits)
    return hits
