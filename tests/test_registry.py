"""The report registry agrees with everything that names a report: notebooks, report folders, labels, packs, the
index and the CLI. Adding a report must be one folder and one notebook; this test fails when they disagree."""

import ast
import json
import re
from pathlib import Path

import pytest
import yaml

from crmreports import reports
from crmreports.batch import pack, run
from crmreports.core import labels

ROOT = Path(__file__).resolve().parents[1]
LIB = ROOT / "lib" / "crmreports"
MODULES = ("__init__.py", "metrics", "query.py", "sections.py", "charts.py", "labels.py")  # metrics: module or package
NAMES = reports.names()


def test_every_report_folder_is_declared_and_every_declaration_has_a_folder():
    folders = sorted(p.name for p in (LIB / "reports").iterdir() if (p / "__init__.py").exists())
    assert folders == sorted(NAMES)
    # declared order: the summary first (the pack index links it first)
    assert NAMES[:6] == ["summary", "sales_analysis", "unsorted_leads", "calls", "goals", "forecast"]


def test_notebooks_and_registry_agree():
    notebooks = sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))
    assert notebooks == sorted(reports.get(n).notebook for n in NAMES)
    assert run.reports() == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_report_folder_has_its_modules_and_its_notebook_imports_it(name):
    folder = LIB / "reports" / name
    for m in MODULES:
        assert (folder / m).exists() or (folder / f"{m}.py").exists() or (folder / m / "__init__.py").exists(), (
            f"reports/{name}/ lacks {m}"
        )
    nb = json.loads((ROOT / "notebooks" / f"{reports.get(name).notebook}.ipynb").read_text(encoding="utf-8"))
    source = "".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    assert f"from crmreports.reports.{name} import sections as report" in source


@pytest.mark.parametrize("name", NAMES)
def test_a_report_imports_no_other_report(name):
    others = set(NAMES) - {name}
    for path in (LIB / "reports" / name).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                mod = node.module or ""
                hit = {
                    o
                    for o in others
                    if re.search(rf"(^|\.)reports\.{o}(\.|$)", mod) or (node.level >= 2 and mod.split(".")[0] == o)
                }
                assert not hit, f"{path.relative_to(LIB)} imports the report(s) {hit}"


def _label_keys_used(path: Path) -> set[str]:
    """Label keys passed as literal strings to t() and has(), and the nouns of fmt.count()."""
    keys = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) in ("t", "has"):
            if node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                keys.add(node.args[0].value)
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "count" and len(node.args) >= 2:
            noun = node.args[1]  # fmt.count(n, "deal", lang): the noun's label is noun.<name>
            if isinstance(noun, ast.Constant) and isinstance(noun.value, str):
                keys.add(f"noun.{noun.value}")
    return keys


@pytest.mark.parametrize("name", NAMES)
def test_every_label_a_report_uses_is_its_own_or_common_in_both_languages(name):
    reports.registry()
    own = labels.origins()[name]
    common = labels.origins()["common"]
    for key, value in own.items():
        assert set(value) == set(labels.LANGS), f"{name}: label {key} needs ru and en"
        assert all(value[lang].strip() for lang in labels.LANGS), f"{name}: label {key} is empty"
    used = set().union(*(_label_keys_used(p) for p in (LIB / "reports" / name).rglob("*.py")))
    missing = sorted(k for k in used if k not in own and k not in common)
    assert not missing, f"{name} uses labels that neither it nor common defines: {missing}"
    for fig in reports.get(name).index_figures:
        assert fig.label in own or fig.label in common, f"{name}: index figure {fig.key} has no label {fig.label}"
    assert own[f"report.{name}"] == reports.get(name).title


def test_present_and_batch_use_only_common_labels():
    common = labels.origins()["common"]
    for folder in ("core", "store", "sources", "present", "batch", "cli"):
        for path in (LIB / folder).rglob("*.py"):
            missing = {k for k in _label_keys_used(path) if k not in common}
            assert not missing, f"{path.relative_to(LIB)} uses report labels {missing}: shared layers use common labels"


@pytest.mark.parametrize("path", sorted((ROOT / "params" / "packs").glob("*.yaml")), ids=lambda p: p.stem)
def test_packs_name_registered_reports(path):
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    listed = spec.get("reports", "all")
    assert listed == "all" or set(listed) <= set(NAMES)
    assert pack.load_pack(str(path))["reports"] == (NAMES if listed == "all" else listed)


def test_unknown_report_is_an_error_listing_the_valid_ones():
    from crmreports.core.scopes import ParameterError

    with pytest.raises(ParameterError, match="valid: summary, sales_analysis, unsorted_leads, calls, goals, forecast"):
        reports.get("sales")
    with pytest.raises(ParameterError, match="unknown report"):
        run.notebook_path("../etc")


def test_a_label_defined_twice_is_refused():
    reports.registry()
    with pytest.raises(KeyError, match="already defined by 'sales_analysis'"):
        labels.register("someone_else", {"sales.kpi.revenue": {"ru": "x", "en": "x"}})
    assert "someone_else" not in labels.origins()
