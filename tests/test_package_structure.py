"""The package's layers (CONTRIBUTING.md): imports point down, nothing imports upward.

_checks <- ops <- {viz, the ideas} <- figures <- chapters. The ideas (data, models, train, ...)
never draw, the drawing kit never computes with the ideas, and no module imports a chapter's
figures. ``cnnbook.exercises`` builds page widgets and may take its colours from ``viz.style``.
"""

import ast
import importlib.util
from pathlib import Path

import pytest

import cnnbook

SRC = Path(cnnbook.__file__).resolve().parent
MODULES = sorted(p for p in SRC.rglob("*.py") if "__pycache__" not in p.parts)
WIDGETS = {"cnnbook.exercises": {"cnnbook.viz.style"}}


def _name(path: Path) -> str:
    parts = ("cnnbook", *path.relative_to(SRC).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """The cnnbook modules ``path`` imports (``from cnnbook import ops`` counts as ops)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                found.add(sub if importlib.util.find_spec(node.module) and _exists(sub)
                          else node.module)
    return {m for m in found if m == "cnnbook" or m.startswith("cnnbook.")}


def _exists(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


def _layer(module: str) -> str:
    if module == "cnnbook._checks":
        return "checks"
    for layer in ("ops", "viz", "figures"):
        if module == f"cnnbook.{layer}" or module.startswith(f"cnnbook.{layer}."):
            return layer
    return "ideas"


ALLOWED = {
    "checks": set(),
    "ops": {"checks", "ops"},
    "viz": {"checks", "ops", "viz"},
    "ideas": {"checks", "ops", "ideas"},
    "figures": {"checks", "ops", "viz", "ideas"},
}


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(SRC)))
def test_imports_point_down(path):
    name = _name(path)
    layer = _layer(name)
    for target in _imports(path) - {"cnnbook"}:
        if target in WIDGETS.get(name, ()):
            continue
        assert _layer(target) in ALLOWED[layer], f"{name} ({layer}) imports {target}"


def test_figure_modules_import_no_other_figure_module():
    for path in (SRC / "figures").glob("*.py"):
        others = {m for m in _imports(path) if m.startswith("cnnbook.figures")}
        assert others <= {_name(path)}, f"{path.name} imports {others}"
    assert not _imports(SRC / "figures" / "__init__.py")


def test_the_layers_are_all_there():
    layers = {_layer(_name(p)) for p in MODULES}
    assert layers == set(ALLOWED)
