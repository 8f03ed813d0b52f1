"""The hidden first code cell of every chapter: install ``cnnbook`` where it is missing.

A chapter opened from the book's launch buttons runs on Colab or Binder, where the book's
package is not installed. This cell installs it from the repository named in ``_config.yml``
(``repository.url``, the one place to change it), and does nothing where ``cnnbook`` is already
importable, as under ``make test``. It is tagged ``remove-cell``, so the HTML book hides it.

    python scripts/colab_cell.py                      # print the cell's source
    python scripts/colab_cell.py chapters/*.ipynb     # put it (or its update) into notebooks
"""

from __future__ import annotations

import argparse
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parent.parent
MARKER = "# Colab / Binder: install the book's package when it is missing"
TAGS = ["remove-cell"]


def repository_url(config: Path = ROOT / "_config.yml") -> str:
    """``repository.url`` of the book's ``_config.yml``."""
    url = yaml.safe_load(config.read_text(encoding="utf-8"))["repository"]["url"]
    if not isinstance(url, str) or not url.startswith("https://"):
        raise ValueError(f"repository.url in {config} must be an https URL, got {url!r}")
    return url.rstrip("/")


def cell_source(url: str) -> str:
    """The install cell's code for the repository at ``url``."""
    return "\n".join([
        f"{MARKER} (hidden in the book).",
        "import importlib.util",
        "import subprocess",
        "import sys",
        "",
        'if importlib.util.find_spec("cnnbook") is None:',
        f'    package = "git+{url}"',
        '    pip = [sys.executable, "-m", "pip", "install", "--quiet", package]',
        "    subprocess.run(pip, check=True)",
    ])


def install_cell(nb: nbformat.NotebookNode, url: str) -> bool:
    """Put the cell right after the notebook's title cell; True if the notebook changed."""
    source = cell_source(url)
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.source.startswith(MARKER):
            changed = cell.source != source or cell.metadata.get("tags") != TAGS
            cell.source, cell.metadata["tags"] = source, list(TAGS)
            return changed
    cell = nbformat.v4.new_code_cell(source, metadata={"tags": list(TAGS)})
    if nb.nbformat_minor < 5:  # no cell ids before nbformat 4.5
        del cell["id"]
    starts_with_title = nb.cells and nb.cells[0].cell_type == "markdown"
    nb.cells.insert(1 if starts_with_title else 0, cell)
    return True


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="notebooks to update in place")
    args = parser.parse_args(argv)
    url = repository_url()
    if not args.notebooks:
        print(cell_source(url))
    for path in args.notebooks:
        nb = nbformat.read(path, as_version=4)
        if install_cell(nb, url):
            nbformat.write(nb, path)
            print(f"{path}: install cell written")


if __name__ == "__main__":
    main()
