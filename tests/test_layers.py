"""The library's layers import only downwards, so a low layer never drags a high one (or a cycle) in:

    core  <  store  <  sources, present  <  reports  <  batch  <  delivery  <  cli

(sources and present are side by side: neither imports the other). The report registry finds the report
packages by name at run time, which is not an import of this kind."""

import ast
from pathlib import Path

import pytest

LIB = Path(__file__).resolve().parents[1] / "lib" / "crmreports"
RANK = {"core": 0, "store": 1, "sources": 2, "present": 2, "reports": 3, "batch": 4, "delivery": 5, "cli": 6}


def _layer(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "crmreports" and parts[1] in RANK else None


def _imports(source: str, package: list[str]):
    """The crmreports modules (or names) that ``source``, a module of ``package``, imports."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            target = ".".join(base + ([node.module] if node.module else [])) if node.level else node.module or ""
            for alias in node.names:
                yield f"{target}.{alias.name}" if _layer(target) is None else target
        elif isinstance(node, ast.Import):
            yield from (a.name for a in node.names)


MODULES = sorted(p for p in LIB.rglob("*.py") if _layer("crmreports." + p.relative_to(LIB).parts[0]))


def _upward(source: str, package: list[str]) -> list[str]:
    own = package[1]
    return [
        f"{'.'.join(package)} ({own}) imports {target} ({_layer(target)})"
        for target in _imports(source, package)
        if _layer(target) not in (None, own) and RANK[_layer(target)] >= RANK[own]
    ]


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(LIB)))
def test_imports_go_down_the_layers(path):
    package = list(path.relative_to(LIB.parent).parts[:-1])
    assert not _upward(path.read_text(encoding="utf-8"), package)


def test_the_checker_sees_an_upward_import():
    """What the test above must catch: the store importing the present layer, a report the batch layer."""
    assert _upward("from ..present import kit\n", ["crmreports", "store"])
    assert _upward("from ...batch import run\n", ["crmreports", "reports", "calls"])
    assert _upward("import crmreports.cli\n", ["crmreports", "core"])
    assert not _upward("from ...store import sql\nfrom ...present import kit\n", ["crmreports", "reports", "calls"])
