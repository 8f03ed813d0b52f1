"""Several small arrays side by side, at one cell size, for comparing results at a glance.

:func:`cnnbook.viz.plot_array` draws one array in a figure of its own. To set an input next
to what four poolings make of it, or a gradient next to the two ways it flows back, all
arrays share one canvas here, so a cell is the same size in every one of them and a
$3 \\times 3$ output looks smaller than the $6 \\times 6$ input it came from.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from cnnbook._checks import as_array, check_choice, check_real
from cnnbook.viz.grid import CellGrid, CellMarks, _mask, cell_axes, cell_canvas
from cnnbook.viz.style import ROLES, book_style

__all__ = ["plot_array_row"]

#: Cells above each array for its title.
TITLE_CELLS = 1.0


def _per_array(name: str, value: object, n: int) -> list:
    """``value`` repeated for ``n`` arrays, or a sequence of exactly ``n`` entries."""
    if isinstance(value, Sequence) and not isinstance(value, str):
        if len(value) != n:
            raise ValueError(f"{name} must have one entry per array ({n}), got {len(value)}")
        return list(value)
    return [value] * n


def plot_array_row(
    arrays: Sequence[object],
    titles: Sequence[str] | None = None,
    roles: str | Sequence[str] = "input",
    *,
    fmt: str | None = None,
    highlights: Sequence[object] | None = None,
    vmax: float | None = None,
    gap: float = 1.2,
    ax: Axes | None = None,
) -> Figure:
    """Draw 2-D (or 1-D, as one row) arrays left to right, each under its title.

    ``roles`` (one for all, or one per array) picks the colours; ``highlights`` gives, per
    array, ``None`` or the cells to outline (a mask or ``(row, col)`` pairs). Each array is
    coloured on its own scale unless ``vmax`` fixes one for all. Draws on ``ax`` when given
    (set up to fit the row), otherwise on a new figure sized to it. Returns the figure.
    """
    if isinstance(arrays, np.ndarray) or not isinstance(arrays, Sequence) or not arrays:
        raise TypeError(f"arrays must be a non-empty list of arrays, got {type(arrays).__name__}")
    grids = [as_array(f"arrays[{i}]", a, ndim=(1, 2)).astype(np.float64)
             for i, a in enumerate(arrays)]
    grids = [g[None, :] if g.ndim == 1 else g for g in grids]
    n = len(grids)
    titles = _per_array("titles", titles, n)
    roles = [check_choice("roles", r, ROLES) for r in _per_array("roles", roles, n)]
    marks = [None if h is None else _mask("highlights", h, g.shape)
             for h, g in zip(_per_array("highlights", highlights, n), grids, strict=True)]
    if vmax is not None:
        vmax = check_real("vmax", vmax, positive=True)
    gap = check_real("gap", gap)
    if gap < 0:
        raise ValueError(f"gap must be >= 0 cells, got {gap}")
    tallest = max(g.shape[0] for g in grids)
    top = TITLE_CELLS if any(titles) else 0.2
    width = sum(g.shape[1] for g in grids) + gap * (n - 1) + 0.4
    with book_style():
        if ax is None:
            _, ax = cell_canvas(width, top + tallest + 0.2)
        else:
            cell_axes(ax, width, top + tallest + 0.2)
        x = 0.2
        for grid, title, role, mark in zip(grids, titles, roles, marks, strict=True):
            y = top + (tallest - grid.shape[0]) / 2
            cells = CellGrid(ax, grid, x=x, y=y, role=role, fmt=fmt, vmax=vmax)
            if mark is not None:
                CellMarks(cells).show(mark)
            if title:
                cells.label(title, fontsize=10)
            x += grid.shape[1] + gap
    return ax.figure
