"""Every chapter starts its code with the hidden cell that installs cnnbook on Colab and Binder."""

import importlib.util
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "chapters").glob("*.ipynb"))
_spec = importlib.util.spec_from_file_location("colab_cell", ROOT / "scripts" / "colab_cell.py")
colab_cell = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(colab_cell)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_first_code_cell_installs_cnnbook(path):
    nb = nbformat.read(path, as_version=4)
    first_code = next(c for c in nb.cells if c.cell_type == "code")
    fix = f"run: python scripts/colab_cell.py {path.relative_to(ROOT)}"
    assert first_code.source == colab_cell.cell_source(colab_cell.repository_url()), fix
    assert first_code.metadata.get("tags") == ["remove-cell"], fix


def test_cell_follows_the_configured_repository(tmp_path):
    config = tmp_path / "_config.yml"
    config.write_text("repository:\n  url: https://example.org/me/book/\n")
    url = colab_cell.repository_url(config)
    assert url == "https://example.org/me/book"
    assert 'package = "git+https://example.org/me/book"' in colab_cell.cell_source(url)


def test_a_repository_url_must_be_https(tmp_path):
    config = tmp_path / "_config.yml"
    config.write_text("repository:\n  url: git@example.org:me/book\n")
    with pytest.raises(ValueError, match=r"repository.url .* must be an https URL, got 'git@"):
        colab_cell.repository_url(config)


def test_cell_is_inserted_after_the_title_once_and_updated_in_place():
    nb = nbformat.v4.new_notebook()
    nb.nbformat_minor = 4
    nb.cells = [nbformat.v4.new_markdown_cell("# Title"), nbformat.v4.new_code_cell("x = 1")]
    for cell in nb.cells:  # as stored in the book: nbformat 4.4, no cell ids
        del cell["id"]
    assert colab_cell.install_cell(nb, "https://example.org/a")
    assert [c.source.splitlines()[0] for c in nb.cells] == [
        "# Title", colab_cell.cell_source("https://example.org/a").splitlines()[0], "x = 1"
    ]
    assert "id" not in nb.cells[1]
    assert not colab_cell.install_cell(nb, "https://example.org/a")
    assert colab_cell.install_cell(nb, "https://example.org/b")
    assert len(nb.cells) == 3 and "example.org/b" in nb.cells[1].source
    nbformat.validate(nb)


def test_cell_does_nothing_where_cnnbook_is_installed():
    namespace = {}
    exec(colab_cell.cell_source("https://invalid.invalid/none"), namespace)  # noqa: S102
    assert "pip" not in namespace
