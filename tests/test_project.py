"""Project rules: the dependency lists agree, notebooks are thin, paired and output-free."""

import ast
import json
import re
import tomllib
from pathlib import Path

import jupytext
import papermill as pm
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
CONDA_NAMES = {"python-duckdb": "duckdb"}  # conda-forge names that differ from PyPI's


def _name(req: str) -> str:
    return re.split(r"[<>=!~ \[]", req.strip(), maxsplit=1)[0].lower()


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pip_deps = {_name(d) for d in project["dependencies"]} | {_name(d) for d in project["optional-dependencies"]["dev"]}
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = {CONDA_NAMES.get(_name(d), _name(d)) for d in env["dependencies"] if isinstance(d, str)}
    conda -= {"python", "pip"}
    assert conda == pip_deps, f"only in environment.yml: {conda - pip_deps}; only in pyproject: {pip_deps - conda}"
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert "-e ." in pip_section


NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_thin_paired_and_clean(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert not any(c.get("outputs") for c in code), "outputs must not be committed"
    assert code[0]["metadata"].get("tags") == ["parameters"]
    imports = 0
    for c in code:
        tree = ast.parse("".join(c["source"]))
        for node in ast.walk(tree):
            assert not isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.For, ast.While, ast.Lambda)), (
                f"{path.name}: move {type(node).__name__} into the library"
            )
            imports += isinstance(node, (ast.Import, ast.ImportFrom))
        assert "requests" not in "".join(c["source"])
    assert imports == 1, f"{path.name}: one import, found {imports}"
    params = pm.inspect_notebook(str(path))
    assert {"period", "manager", "pipeline", "store", "lang"} <= set(params)
    paired = path.with_suffix(".py")
    assert paired.exists(), f"{paired.name} (jupytext pair) is missing"
    a = [("".join(c["source"]).strip(), c["cell_type"]) for c in nb["cells"]]
    b = [(c.source.strip(), c.cell_type) for c in jupytext.read(paired).cells]
    assert a == b, f"{path.name} and {paired.name} differ: run `jupytext --sync {paired}`"
