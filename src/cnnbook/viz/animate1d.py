"""Step-through animation of 1-D correlation and convolution.

The kernel slides along the (zero-padded) signal; at each position the products
of the overlapping values are written under the kernel and summed, and the sum
fills the next output cell. For true convolution the kernel is flipped first: the
flipped kernel is drawn next to the original throughout and is the one that slides.
"""

from __future__ import annotations

import numpy as np

from cnnbook import ops
from cnnbook._checks import as_array, check_bool, check_choice
from cnnbook.ops.correlate import MODES, mode_padding
from cnnbook.viz import layout
from cnnbook.viz.captions import sum_of_products
from cnnbook.viz.grid import CellGrid, CellMarks, fill_until, padding_mask
from cnnbook.viz.player import StepAnimation
from cnnbook.viz.style import INK, book_style


def _row_label(ax, y: float, text: str) -> None:
    ax.text(1.9, y + 0.5, text, ha="right", va="center", fontsize=9, color=INK)


def animate_conv1d(
    x: object, weight: object, mode: str = "valid", *, flip: bool = False
) -> StepAnimation:
    """Animate correlating (``flip=False``) or convolving (``flip=True``) ``x`` with ``weight``.

    One frame per output value; ``anim.result`` equals ``ops.correlate1d(x, weight, mode)``
    or ``ops.convolve1d(x, weight, mode)``. The kernel must not be longer than the signal.
    """
    x = as_array("x", x, ndim=1).astype(np.float64)
    w = as_array("weight", weight, ndim=1).astype(np.float64)
    check_choice("mode", mode, MODES)
    flip = check_bool("flip", flip)
    if w.size > x.size:
        raise ValueError(f"weight must not be longer than x, got {w.size} > {x.size} values")
    result = ops.convolve1d(x, w, mode) if flip else ops.correlate1d(x, w, mode)
    slid = ops.flip(w) if flip else w
    m, n_out = w.size, result.size
    left = mode_padding(x.size, m, mode, "convolve1d" if flip else "correlate1d")[0]
    right = n_out + m - 1 - x.size - left
    canvas = np.pad(x, (left, right))
    pad = padding_mask(canvas.shape, (left,), x.shape)

    with book_style():
        x0 = 2.2  # room for the row names
        side = m + 2.0
        width = x0 + canvas.size + 1.2 + side
        y_x, y_k, y_p, y_out = (layout.HEADER_CELLS + 0.4 + 1.5 * r for r in (0, 1, 2, 3.4))
        height = y_out + 1.8
        products = np.stack([canvas[n : n + m] * slid for n in range(n_out)])
        fig, ax = layout.canvas(width, height, canvas, w, products, result)
        name = "convolution" if flip else "correlation"
        # the formula's n of the first output cell: the array starts there, at its entry 0
        first = (m - 1 if flip else 0) - left
        span = f"n = {first}, …, {first + n_out - 1}".replace("-", "−")
        formula = (
            f"y[n] = Σₘ x[n − m]·w[m],  {span}  (slide the flipped kernel)" if flip
            else f"y[n] = Σₘ x[n + m]·w[m],  {span}"
        )
        layout.header(ax, width, f"1-D {name}, mode {mode!r}", formula)
        grid_x = CellGrid(ax, canvas[None], x=x0, y=y_x, role="input", padding=pad[None])
        grid_k = CellGrid(ax, slid[None], x=x0, y=y_k, role="kernel")
        grid_p = CellGrid(ax, np.full((1, m), np.nan), x=x0, y=y_p, role="output",
                          vmax=float(np.abs(products).max()) or 1.0, text_sample=products)
        shift = (m - 1) / 2  # each output sits under the centre of its window
        grid_y = CellGrid(ax, np.full((1, n_out), np.nan), x=x0 + shift, y=y_out, role="output",
                          vmax=float(np.abs(result).max()) or 1.0, text_sample=result)
        for y, text in zip((y_x, y_k, y_p, y_out),
                           ("x", "flip(w)" if flip else "w", "products", "y"), strict=True):
            _row_label(ax, y, text)
        sx = x0 + canvas.size + 1.2 + 1.0
        ref_w = CellGrid(ax, w[None], x=sx, y=y_x, role="kernel")
        ref_w.label("kernel w")
        if flip:
            CellGrid(ax, slid[None], x=sx, y=y_k, role="kernel")
            ax.annotate("", xy=(sx + m / 2, y_k - 0.05), xytext=(sx + m / 2, y_x + 1.05),
                        arrowprops={"arrowstyle": "->", "color": INK})
            ax.text(sx + m / 2 + 0.2, y_k - 0.25, "flip", fontsize=8, color=INK, ha="left")
        sum_text = ax.text(x0, y_p + 1.45, "", ha="left", va="center", fontsize=9, color=INK)
        marks_x, marks_y = CellMarks(grid_x), CellMarks(grid_y)

    def update(n: int) -> None:
        window = np.zeros(canvas.size, dtype=bool)
        window[n : n + m] = True
        marks_x.show(window[None])
        grid_k.move(x0 + n, y_k)
        grid_p.move(x0 + n, y_p)
        grid_p.set_values(products[n][None])
        sum_text.set_text(sum_of_products(canvas[n : n + m], slid, result[n]))
        fill_until(grid_y, marks_y, result, n)

    grids = {"input": grid_x, "kernel": grid_k, "products": grid_p, "output": grid_y}
    return StepAnimation(fig, update, n_out, result, grids,
                         {"input": marks_x, "output": marks_y})
