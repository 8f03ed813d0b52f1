"""Write the book's favicon, ``_static/favicon.svg``: a kernel's window over an input grid.

The colours are the book's roles (``cnnbook.viz.style.ROLE_COLORS``), read, never retyped;
``tests/test_favicon.py`` checks that the committed file is what this script writes.
Run: ``.venv/bin/python scripts/favicon.py``.
"""

from __future__ import annotations

from pathlib import Path

from cnnbook.viz.style import ROLE_COLORS

PATH = Path(__file__).resolve().parent.parent / "_static" / "favicon.svg"
CELLS = 3  # a 3 x 3 input
CELL = 10  # px per cell in the 32 x 32 view box
GAP = 1


def favicon_svg() -> str:
    """The favicon as SVG text: input cells, and the kernel's 2 x 2 window outlined."""
    offset = (32 - CELLS * CELL) / 2
    cells = []
    for i in range(CELLS):
        for j in range(CELLS):
            x, y = offset + j * CELL + GAP / 2, offset + i * CELL + GAP / 2
            role = "kernel" if i < 2 and j < 2 else "input"
            cells.append(
                f'<rect x="{x:g}" y="{y:g}" width="{CELL - GAP}" height="{CELL - GAP}" '
                f'fill="{ROLE_COLORS[role]}"/>'
            )
    window = (
        f'<rect x="{offset - 0.5:g}" y="{offset - 0.5:g}" width="{2 * CELL + 1}" '
        f'height="{2 * CELL + 1}" fill="none" stroke="{ROLE_COLORS["highlight"]}" '
        'stroke-width="1.5"/>'
    )
    body = "\n  ".join([*cells, window])
    return f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">\n  {body}\n</svg>\n'


if __name__ == "__main__":
    PATH.write_text(favicon_svg(), encoding="utf-8")
    print(f"wrote {PATH}")
