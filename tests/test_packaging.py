"""pyproject.toml declares what the package imports, and can be built by a bare venv's pip."""

import ast
import importlib.metadata
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _third_party_imports() -> set[str]:
    """Top-level names imported anywhere in src/cnnbook, minus the standard library and itself."""
    names = set()
    for path in (ROOT / "src" / "cnnbook").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return names - set(sys.stdlib_module_names) - {"cnnbook", "__future__"}


def _name(requirement: str) -> str:
    return re.split(r"[\s<>=!~;\[]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def test_every_import_of_the_package_is_a_declared_dependency():
    declared = {_name(r) for r in PYPROJECT["project"]["dependencies"]}
    providers = importlib.metadata.packages_distributions()
    missing = {}
    for module in _third_party_imports():
        dists = {d.lower().replace("_", "-") for d in providers.get(module, [module])}
        if not dists & declared:
            missing[module] = sorted(dists)
    assert not missing, f"imported but not declared in pyproject.toml: {missing}"


def test_every_declared_dependency_is_imported():
    providers = importlib.metadata.packages_distributions()
    provided = {
        d.lower().replace("_", "-") for m in _third_party_imports() for d in providers.get(m, [m])
    }
    unused = {_name(r) for r in PYPROJECT["project"]["dependencies"]} - provided
    assert not unused, f"declared but never imported by src/cnnbook: {sorted(unused)}"


def test_build_requirement_reads_the_licence_expression():
    """setuptools < 77 rejects ``license = "MIT"``; a bare venv ships 65."""
    assert isinstance(PYPROJECT["project"]["license"], str)
    (setuptools,) = [r for r in PYPROJECT["build-system"]["requires"] if _name(r) == "setuptools"]
    match = re.search(r">=\s*(\d+)", setuptools)
    assert match and int(match.group(1)) >= 77, setuptools


def test_extras_cover_the_pinned_requirements():
    """Every pin of requirements.txt belongs to the package or to one of its extras."""
    pinned = {
        _name(line)
        for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    project = PYPROJECT["project"]
    covered = {_name(r) for r in project["dependencies"]}
    for extra in project["optional-dependencies"].values():
        covered |= {_name(r) for r in extra}
    assert pinned <= covered, pinned - covered
