"""Step-through animation of 2-D pooling (max, average, min, sum).

Each frame outlines one window of the (padded) input, writes what the pooling
computes from it, and fills the matching output cell. For max and min pooling
the winning cell, the one whose value is passed on, is ringed.
"""

from __future__ import annotations

import numpy as np
from matplotlib.patches import Circle, FancyArrowPatch

from cnnbook import ops
from cnnbook._checks import as_array, check_choice, check_tuple
from cnnbook.viz import layout
from cnnbook.viz.captions import pooling_text, size_formula, size_line
from cnnbook.viz.grid import CellGrid, CellMarks, fill_until, padding_mask
from cnnbook.viz.player import StepAnimation
from cnnbook.viz.style import ROLE_COLORS, book_style

POOL_MODES = ("max", "avg", "min", "sum")

#: What pooling pads with: padding never wins a max or a min, and counts as zero in a sum.
PAD_VALUE = {"max": -np.inf, "min": np.inf, "avg": 0.0, "sum": 0.0}

NAMES = {"max": "max pooling", "avg": "average pooling", "min": "min pooling", "sum": "sum pooling"}


def animate_pool2d(
    x: object,
    kernel_size: int | tuple[int, int],
    *,
    stride: int | tuple[int, int] | None = None,
    padding: int | tuple[int, int] = 0,
    mode: str = "max",
) -> StepAnimation:
    """Animate pooling a 2-D ``x``; ``stride`` defaults to ``kernel_size`` (as in PyTorch).

    One frame per output cell; ``anim.result`` equals ``ops.pool2d`` on the same input
    (average pooling counts padded zeros, like PyTorch's default).
    """
    x = as_array("x", x, ndim=2).astype(np.float64)
    check_choice("mode", mode, POOL_MODES)
    kh, kw = check_tuple("kernel_size", kernel_size, 2, minimum=1)
    s = (kh, kw) if stride is None else check_tuple("stride", stride, 2, minimum=1)
    p = check_tuple("padding", padding, 2, minimum=0)
    if p[0] > kh // 2 or p[1] > kw // 2:
        raise ValueError(f"padding must be at most half the window {(kh, kw)}, got {padding!r}")
    result = ops.pool2d(x[None], (kh, kw), s, p, mode=mode)[0]
    h_out, w_out = result.shape
    canvas = ops.pad2d(x, p, value=PAD_VALUE[mode])
    pad = padding_mask(canvas.shape, p, x.shape)
    out = (h_out, w_out)
    sizes = [(canvas.shape[1], canvas.shape[0]), (w_out, h_out)]
    formula = size_line(size_formula, x.shape, (kh, kw), s, p, (1, 1), out)
    title = f"{NAMES[mode]}: {kh}×{kw} window, stride {s[0] if s[0] == s[1] else s}"
    title += f", padding {p[0] if p[0] == p[1] else p}" if any(p) else ""

    with book_style():
        slots, width, height = layout.row_layout(sizes, gap=2.6, lines=(title, formula))
        fig, ax = layout.canvas(width, height, x, result)
        layout.header(ax, width, title, formula)
        grid_in = CellGrid(ax, canvas, x=slots[0].x, y=slots[0].y, role="input", padding=pad)
        grid_out = CellGrid(ax, np.full(out, np.nan), x=slots[1].x, y=slots[1].y, role="output",
                            vmax=float(np.abs(result).max()) or 1.0, text_sample=result)
        grid_in.label("input x" + (" (padded)" if any(p) else ""))
        grid_out.label("output y")
        # the operator sits high, out of the way of the winner's arrow
        layout.between(ax, slots[0].x + sizes[0][0], slots[1].x, slots[0].y + 0.8, f"{mode} →")
        marks_in, marks_out = CellMarks(grid_in), CellMarks(grid_out)
        ring = Circle((0, 0), 0.38, fill=False, edgecolor=ROLE_COLORS["highlight"], linewidth=2.2,
                      zorder=5, visible=False)
        ax.add_patch(ring)
        # the winner's value travels to the output cell
        arrow = FancyArrowPatch((0, 0), (1, 1), arrowstyle="-|>", mutation_scale=10,
                                connectionstyle="arc3,rad=-0.25", color=ROLE_COLORS["highlight"],
                                linewidth=1.4, zorder=6, visible=False, shrinkA=6, shrinkB=6)
        ax.add_patch(arrow)
        text = layout.footer(ax, width, height)

    def update(step: int) -> None:
        i, j = divmod(step, w_out)
        rows, cols = i * s[0] + np.arange(kh), j * s[1] + np.arange(kw)
        window = canvas[np.ix_(rows, cols)]
        mask = np.zeros(canvas.shape, dtype=bool)
        mask[np.ix_(rows, cols)] = True
        marks_in.show(mask)
        if mode in ("max", "min"):
            a, b = divmod(int(np.argmax(window) if mode == "max" else np.argmin(window)), kw)
            ring.center = grid_in.center(rows[a], cols[b])
            arrow.set_positions(ring.center, grid_out.center(i, j))
        ring.set_visible(mode in ("max", "min"))
        arrow.set_visible(mode in ("max", "min"))
        text.set_text(pooling_text(window, mode, result[i, j]))
        fill_until(grid_out, marks_out, result, step)

    grids = {"input": grid_in, "output": grid_out}
    return StepAnimation(fig, update, h_out * w_out, result, grids,
                         {"input": marks_in, "output": marks_out})
