"""Every user-visible string, in Russian and English.

Each module in this package defines ``TEXT = {key: {"ru": ..., "en": ...}}``; keys are namespaced by
domain (``sales.kpi.revenue``). Modules are merged automatically, so each report owns its own file.
"""
from __future__ import annotations

import importlib
import pkgutil
import threading

LANGS = ("ru", "en")
_TEXT: dict[str, dict[str, str]] = {}
_LOCK = threading.Lock()


def _load() -> dict[str, dict[str, str]]:
    if _TEXT:
        return _TEXT
    with _LOCK:        # the pack renders in several threads; build once, publish whole
        if not _TEXT:
            merged: dict[str, dict[str, str]] = {}
            for info in pkgutil.iter_modules(__path__):
                module = importlib.import_module(f"{__name__}.{info.name}")
                for key, value in getattr(module, "TEXT", {}).items():
                    if key in merged:
                        raise KeyError(f"label {key!r} defined twice (second time in labels/{info.name}.py)")
                    merged[key] = value
            _TEXT.update(merged)
    return _TEXT


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
