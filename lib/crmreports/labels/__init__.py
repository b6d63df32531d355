"""Every user-visible string, in Russian and English.

Each module in this package defines ``TEXT = {key: {"ru": ..., "en": ...}}``; keys are namespaced by
domain (``sales.kpi.revenue``). Modules are merged automatically, so each report owns its own file.
"""
from __future__ import annotations

import importlib
import pkgutil

LANGS = ("ru", "en")
_TEXT: dict[str, dict[str, str]] = {}


def _load() -> dict[str, dict[str, str]]:
    if not _TEXT:
        for info in pkgutil.iter_modules(__path__):
            module = importlib.import_module(f"{__name__}.{info.name}")
            for key, value in getattr(module, "TEXT", {}).items():
                if key in _TEXT:
                    raise KeyError(f"label {key!r} defined twice (second time in labels/{info.name}.py)")
                _TEXT[key] = value
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
