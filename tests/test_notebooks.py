"""The notebook policy: stored stripped, one kernel, no library code, every page in the TOC,
and code the reader sees that fits the page: short cells, short lines, no book machinery."""

import io
import json
import re
import tokenize
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "chapters").glob("*.ipynb"))


def _toc_files() -> set[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = {toc["root"]}
    for part in toc.get("parts", []):
        for chapter in part.get("chapters", []):
            files.add(chapter["file"])
            files.update(s["file"] for s in chapter.get("sections", []))
    return files


def test_there_are_chapters():
    assert NOTEBOOKS, "chapters/ holds no notebooks"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_stored_stripped(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "code":
            assert cell.get("outputs") == [], f"cell {i} keeps outputs"
            assert cell.get("execution_count") is None, f"cell {i} keeps an execution count"
    assert path.stat().st_size < 500_000


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_narrates_and_calls(path):
    """Functions and classes live in src/cnnbook, where they are tested."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "code":
            source = "".join(cell["source"])
            assert not re.search(r"^\s*(def|class)\s", source, re.M), f"cell {i} defines code"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_opens_with_a_title(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    first = nb["cells"][0]
    assert first["cell_type"] == "markdown" and "".join(first["source"]).startswith("# ")


def test_every_page_is_in_the_toc_and_exists():
    listed = _toc_files()
    pages = {str(p.relative_to(ROOT).with_suffix("")) for p in NOTEBOOKS}
    assert pages <= listed, f"not reachable from _toc.yml: {sorted(pages - listed)}"
    for entry in listed:
        assert any((ROOT / f"{entry}{ext}").exists() for ext in (".md", ".ipynb")), entry


#: Characters of code that fit across the page at desktop width (1280 px) without a
#: horizontal scrollbar: measured in the built book, where a code cell is 684 px wide and a
#: character of its 14 px monospace font 8.43 px (tests/browser/test_book.py checks it).
PAGE_WIDTH = 77

#: The body of a function a chapter shows may have about this many lines.
SHOWN_LINES = 15

SHOWN = re.compile(r"inspect\.getsource\(([\w.]+)\)")


def _shown_functions() -> list[tuple[str, str]]:
    found = []
    for path in NOTEBOOKS:
        nb = json.loads(path.read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            if cell["cell_type"] == "code":
                found += [(path.name, name) for name in SHOWN.findall("".join(cell["source"]))]
    return found


def test_chapters_show_code():
    assert len(_shown_functions()) >= 7


@pytest.mark.parametrize(("page", "name"), _shown_functions(), ids=lambda v: str(v))
def test_shown_code_is_only_the_formula(page, name):
    """A function a chapter shows is a short kernel: no checks, and it fits the page."""
    import importlib
    import inspect

    module, _, attr = name.rpartition(".")
    fn = getattr(importlib.import_module(f"cnnbook.{module}"), attr)
    assert attr.endswith("_formula") or attr == "train_epoch", f"{page} shows {name}"
    source = inspect.getsource(fn)
    lines = source.splitlines()
    assert all(len(line) <= PAGE_WIDTH for line in lines), f"{name}: a line is too wide"
    doc = inspect.getdoc(fn)
    assert doc, f"{name} has no docstring"
    body = source.split('"""', 2)[2].splitlines()[1:]
    assert 0 < len(body) <= SHOWN_LINES, f"{name}: {len(body)} lines"
    for word in ("raise", "check_", "as_array", "isinstance"):
        assert word not in "\n".join(body), f"{name} checks its arguments ({word})"


#: Tags that keep a cell's code off the page (``hide-input`` folds it behind a toggle).
HIDDEN = {"remove-cell", "remove-input", "hide-input"}

#: Tags that keep a cell's code out of the page altogether: where glue calls live.
REMOVED = {"remove-cell", "remove-input"}

#: Visible code cells have at most this many lines; every code line at most RUFF_WIDTH.
VISIBLE_LINES = 15
#: A cell whose input only the HTML hides (``remove-input``, ``hide-input``) is still read in
#: Jupyter: at most this many lines; what a question computes goes to a ``remove-cell`` cell.
NOTEBOOK_LINES = 18
RUFF_WIDTH = 100


def _code_cells(path: Path) -> list[tuple[int, set[str], list[str]]]:
    nb = json.loads(path.read_text(encoding="utf-8"))
    return [(i, set(cell.get("metadata", {}).get("tags", [])), "".join(cell["source"]).split("\n"))
            for i, cell in enumerate(nb["cells"]) if cell["cell_type"] == "code"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_visible_code_cells_are_short_and_fit_the_page(path):
    for i, tags, lines in _code_cells(path):
        if tags & HIDDEN:
            continue
        assert len(lines) <= VISIBLE_LINES, f"cell {i} shows {len(lines)} lines"
        wide = [line for line in lines if len(line) > PAGE_WIDTH]
        assert not wide, f"cell {i} runs past the page ({PAGE_WIDTH} characters): {wide[0]!r}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_cells_a_jupyter_reader_scrolls_through_stay_short(path):
    for i, tags, lines in _code_cells(path):
        if "remove-cell" not in tags:
            assert len(lines) <= NOTEBOOK_LINES, f"cell {i} has {len(lines)} lines"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_code_line_keeps_the_line_length(path):
    for i, _, lines in _code_cells(path):
        wide = [line for line in lines if len(line) > RUFF_WIDTH]
        assert not wide, f"cell {i} has a line over {RUFF_WIDTH} characters: {wide[0]!r}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_glue_lives_in_hidden_cells(path):
    """The reader's cell shows the computation and what it prints, not the book's machinery."""
    for i, tags, lines in _code_cells(path):
        if not tags & REMOVED:
            assert not any("glue(" in line for line in lines), f"cell {i} glues in sight"


# A LaTeX command in a string that is not raw loses its backslash to Python: "\text" is a tab
# and "ext", "\frac" a form feed and "rac", "\nabla" a newline and "abla".
EATEN_LATEX = re.compile(r"(?<!\\)(?:\\\\)*\\(?:[abfrtv][a-zA-Z]|n(?:abla|eq|u\b|ot|i\b|ewline))")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_latex_in_code_strings_keeps_its_backslashes(path):
    """Maths handed to the page (questions, hints, solutions, labels) sits in raw strings."""
    for i, _, lines in _code_cells(path):
        tokens = tokenize.generate_tokens(io.StringIO("\n".join(lines)).readline)
        for token in tokens:
            if token.type != tokenize.STRING:
                continue
            prefix = re.match(r"[a-zA-Z]*", token.string).group(0).lower()
            if "r" not in prefix:
                eaten = EATEN_LATEX.search(token.string)
                assert not eaten, f"cell {i}: {token.string[:60]!r} needs an r prefix"
