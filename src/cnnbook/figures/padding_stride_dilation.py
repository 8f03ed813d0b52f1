"""Chapter 4's one-off figure: one array under several paddings, side by side at one scale.

Used to compare the *valid*, *same* and *full* settings of a convolution: every panel
shows the padded input (padding cells marked) and, in its title, the output shape
that padding gives with the kernel; a last panel draws the kernel ``w`` itself. All
panels share one cell size, so a wider padding visibly makes a bigger grid.
"""


from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from cnnbook import ops
from cnnbook._checks import as_array, check_int
from cnnbook.viz.grid import plot_array
from cnnbook.viz.style import book_style

__all__ = ["plot_padded_grids"]


def plot_padded_grids(x: object, weight: object, paddings: Mapping[str, int], *,
                      fmt: str | None = ".0f") -> Figure:
    """Draw the 2-D ``x`` zero-padded by each of ``paddings`` (name -> pixels per side).

    Each panel's title gives the name, the padding ``p`` and the shape of
    ``conv2d(x, weight, padding=p)``; the last panel is the kernel. Returns the figure,
    one axes per padding and one for the kernel.
    """
    x = as_array("x", x, ndim=2)
    k = as_array("weight", weight, ndim=2)
    if not isinstance(paddings, Mapping) or not paddings:
        raise TypeError(f"paddings must be a non-empty mapping name -> int, got {paddings!r}")
    pads = {name: check_int(f"paddings[{name!r}]", p, minimum=0) for name, p in paddings.items()}
    widest = max(x.shape) + 2 * max(pads.values())
    with book_style():
        n = len(pads) + 1
        fig, axes = plt.subplots(1, n, figsize=(3.2 * n, 3.6), squeeze=False)
        for ax, (name, p) in zip(axes[0], pads.items(), strict=False):
            out = ops.conv2d(x[None, None], k[None, None], padding=p)[0, 0]
            canvas = ops.pad2d(x, p)
            title = f"{name}: p = {p}, output {out.shape[0]}×{out.shape[1]}"
            plot_array(canvas, padding=p, fmt=fmt, title=title, ax=ax)
            _same_window(ax, canvas.shape, widest)
        ax = axes[0, -1]
        plot_array(k, role="kernel", fmt=fmt, title=f"kernel w: {k.shape[0]}×{k.shape[1]}", ax=ax)
        _same_window(ax, k.shape, widest)
        fig.tight_layout()
    return fig


def _same_window(ax: Axes, shape: tuple[int, ...], widest: int) -> None:
    """The same window around every grid's centre: one cell size in all panels."""
    rows, cols = shape
    ax.set_xlim(cols / 2 - widest / 2 - 0.6, cols / 2 + widest / 2 + 0.6)
    ax.set_ylim(rows / 2 + widest / 2 + 1.2, rows / 2 - widest / 2 - 0.6)
    ax.set_aspect("equal")
    ax.axis("off")
