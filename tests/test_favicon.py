"""The favicon is the one scripts/favicon.py draws in the book's colours, and the book names it."""

import importlib.util
from pathlib import Path

import yaml

from cnnbook.viz.style import ROLE_COLORS

ROOT = Path(__file__).resolve().parent.parent


def _script():
    spec = importlib.util.spec_from_file_location("favicon", ROOT / "scripts" / "favicon.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_favicon_is_what_the_script_draws():
    script = _script()
    assert script.PATH.read_text(encoding="utf-8") == script.favicon_svg(), (
        "run .venv/bin/python scripts/favicon.py"
    )


def test_favicon_uses_the_role_colours():
    svg = _script().favicon_svg()
    for role in ("input", "kernel", "highlight"):
        assert ROLE_COLORS[role] in svg


def test_config_names_the_favicon():
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    favicon = config["html"]["favicon"]
    assert (ROOT / favicon).is_file()
