"""Placing grids, operator signs and captions side by side on one cell canvas."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.text import Text

from cnnbook.viz.grid import cell_canvas, format_value
from cnnbook.viz.style import INK

#: Side of one cell in animations, in inches (a little smaller than in static figures).
ANIMATION_CELL_INCHES = 0.34

#: Cells reserved above the grids for the title and the formula.
HEADER_CELLS = 2.7

#: Cells reserved below the grids for the running computation.
FOOTER_CELLS = 1.1

#: Marks the title and formula texts of an animation (see :func:`header`).
HEADER_GID = "cnnbook-header"


@dataclass(frozen=True)
class Slot:
    """Top-left corner ``(x, y)`` of one item of a row, in cells."""

    x: float
    y: float


def row_layout(
    sizes: Sequence[tuple[float, float]],
    gap: float = 1.4,
    margin: float = 0.6,
    header: float = HEADER_CELLS,
    footer: float = FOOTER_CELLS,
    lines: Sequence[str] = (),
) -> tuple[list[Slot], float, float]:
    """Place items of ``(width, height)`` cells left to right, vertically centred.

    The canvas is widened (items centred) until the text ``lines`` fit. Returns the
    slots and the canvas ``(width, height)`` in cells.
    """
    tallest = max(h for _, h in sizes)
    needed = sum(w for w, _ in sizes) + gap * (len(sizes) - 1) + 2 * margin
    width = max([needed] + [text_cells(t) for t in lines])
    slots, x = [], (width - needed) / 2 + margin
    for w, h in sizes:
        slots.append(Slot(x, header + (tallest - h) / 2))
        x += w + gap
    return slots, width, header + tallest + footer


def text_cells(text: str, fontsize: float = 10.0) -> float:
    """Roughly how many cells wide a line of ``text`` is (plus a margin)."""
    return len(text) * 0.58 * fontsize / 72 / ANIMATION_CELL_INCHES + 1.0


def canvas(width: float, height: float, *shown: np.ndarray) -> tuple[Figure, Axes]:
    """An animation canvas of ``width`` × ``height`` cells.

    Cells grow when the values ``shown`` in them are long (floats such as ``−0.25``),
    so the digits stay readable.
    """
    longest = max((len(format_value(v)) for a in shown for v in np.ravel(a)), default=1)
    scale = 1.0 if longest <= 3 else 1.15 if longest == 4 else 1.3
    return cell_canvas(width, height, cell_inches=ANIMATION_CELL_INCHES * scale)


def between(ax: Axes, x_left: float, x_right: float, y: float, sign: str) -> Text:
    """Write an operator ``sign`` centred in the gap between two items at height ``y``."""
    x = (x_left + x_right) / 2
    return ax.text(x, y, sign, ha="center", va="center", fontsize=13, color=INK)


def header(ax: Axes, width: float, title: str, formula: str = "") -> tuple[Text, Text]:
    """The animation's title and, under it, its formula line.

    Both carry the gid :data:`HEADER_GID`, so the player can describe the animation in
    words (the ``alt`` text of the HTML version).
    """
    t = ax.text(width / 2, 0.35, title, ha="center", va="top", fontsize=10, color=INK,
                fontweight="bold", gid=HEADER_GID)
    f = ax.text(width / 2, 1.2, formula, ha="center", va="top", fontsize=9, color=INK,
                gid=HEADER_GID)
    return t, f


def footer(ax: Axes, width: float, height: float) -> Text:
    """An empty line at the bottom of the canvas for the running computation."""
    return ax.text(width / 2, height - FOOTER_CELLS / 2, "", ha="center", va="center",
                   fontsize=9, color=INK)
