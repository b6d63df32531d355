"""Every user-visible string, in Russian and English.

Each labels module defines ``TEXT = {key: {"ru": ..., "en": ...}}``; keys are namespaced by domain
(``sales.kpi.revenue``). The labels every report shares are in :mod:`.common_labels`; each report owns
its own ``reports/<name>/labels.py``, which its declaration (:class:`crmreports.reports.Report`)
registers here with :func:`register` when the report's package is imported.
"""

from __future__ import annotations

import threading

from . import common_labels

LANGS = ("ru", "en")
_SOURCES: dict[str, dict[str, dict[str, str]]] = {"common": common_labels.TEXT}
_merged: dict[str, dict[str, str]] | None = None  # rebuilt whole after a registration
_LOCK = threading.Lock()


def register(origin: str, text: dict[str, dict[str, str]]) -> None:
    """Add the labels of ``origin`` (a report's name). Registering the same origin again replaces its labels;
    a key that another origin already defines is an error."""
    with _LOCK:
        for other, known in _SOURCES.items():
            if other != origin:
                twice = sorted(set(known) & set(text))
                if twice:
                    raise KeyError(f"label(s) {', '.join(twice)} of {origin!r} already defined by {other!r}")
        _SOURCES[origin] = dict(text)
        global _merged
        _merged = None


def _load() -> dict[str, dict[str, str]]:
    global _merged
    current = _merged
    if current is None:
        with _LOCK:  # the pack renders in several threads; build once, publish whole
            if _merged is None:
                merged: dict[str, dict[str, str]] = {}
                for text in _SOURCES.values():
                    merged.update(text)
                _merged = merged
            current = _merged
    return current


def check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise ValueError(f"bad lang {lang!r}; valid: {', '.join(LANGS)}")
    return lang


def t(key: str, lang: str = "ru", **kwargs) -> str:
    """The text for ``key`` in ``lang``, formatted with ``kwargs``."""
    entry = _load().get(key)
    if entry is None:
        raise KeyError(f"no label {key!r}")
    text = entry[check_lang(lang)]
    return text.format(**kwargs) if kwargs else text


def has(key: str) -> bool:
    return key in _load()


def all_keys() -> dict[str, dict[str, str]]:
    return dict(_load())


def origins() -> dict[str, dict[str, dict[str, str]]]:
    """The registered label sets by origin (``common`` and each imported report)."""
    return {k: dict(v) for k, v in _SOURCES.items()}
