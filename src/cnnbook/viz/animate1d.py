"""Step-through animation of 1-D correlation and convolution.

The kernel slides along the (zero-padded) signal; at each position the products
of the overlapping values are written under the kernel and summed, and the sum
fills the next output cell. For true convolution the kernel is flipped first: the
flipped kernel is drawn next to the original throughout and is the one that slides.
"""

from __future__ import annotations

import numpy as np

from cnnbook import ops
from cnnbook._checks import as_array, check_choice
from cnnbook.viz import layout
from cnnbook.viz.grid import CellGrid, CellMarks, fill_until, format_term, format_value
from cnnbook.viz.player import StepAnimation
from cnnbook.viz.style import INK, book_style

MODES = ("valid", "same", "full")


def left_padding(kernel_size: int, mode: str) -> int:
    """Zeros before the signal for ``mode``, as ``np.correlate``/``np.convolve`` place them."""
    return {"valid": 0, "same": kernel_size // 2, "full": kernel_size - 1}[mode]


def sum_of_products(a: np.ndarray, b: np.ndarray, total: float) -> str:
    """``"1·2 + 3·(−1) = −1"``: the products written out, then their sum."""
    products = " + ".join(f"{format_term(u)}·{format_term(v)}" for u, v in zip(a, b, strict=True))
    return f"{products} = {format_value(total)}"


def _row_label(ax, y: float, text: str) -> None:
    ax.text(1.9, y + 0.5, text, ha="right", va="center", fontsize=9, color=INK)


def animate_conv1d(
    x: object, k: object, mode: str = "valid", flip: bool = False
) -> StepAnimation:
    """Animate correlating (``flip=False``) or convolving (``flip=True``) ``x`` with ``k``.

    One frame per output value; ``anim.result`` equals ``ops.correlate1d(x, k, mode)``
    or ``ops.convolve1d(x, k, mode)``. The kernel must not be longer than the signal.
    """
    x = as_array("x", x, ndim=1).astype(np.float64)
    k = as_array("k", k, ndim=1).astype(np.float64)
    check_choice("mode", mode, MODES)
    if not isinstance(flip, bool):
        raise TypeError(f"flip must be True or False, got {flip!r}")
    if k.size > x.size:
        raise ValueError(f"k must not be longer than x, got {k.size} > {x.size} values")
    result = ops.convolve1d(x, k, mode) if flip else ops.correlate1d(x, k, mode)
    slid = ops.flip(k) if flip else k
    m, n_out = k.size, result.size
    left = left_padding(m, mode)
    right = n_out + m - 1 - x.size - left
    canvas = np.pad(x, (left, right))
    pad = np.ones(canvas.size, dtype=bool)
    pad[left : left + x.size] = False

    with book_style():
        x0 = 2.2  # room for the row names
        side = m + 2.0
        width = x0 + canvas.size + 1.2 + side
        y_x, y_k, y_p, y_out = (layout.HEADER_CELLS + 0.4 + 1.5 * r for r in (0, 1, 2, 3.4))
        height = y_out + 1.8
        products = np.stack([canvas[n : n + m] * slid for n in range(n_out)])
        fig, ax = layout.canvas(width, height, canvas, k, products, result)
        name = "convolution" if flip else "correlation"
        formula = (
            "y[n] = Σₘ x[n − m]·k[m]  (slide the flipped kernel)" if flip
            else "y[n] = Σₘ x[n + m]·k[m]"
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
                           ("x", "flip(k)" if flip else "k", "products", "y"), strict=True):
            _row_label(ax, y, text)
        sx = x0 + canvas.size + 1.2 + 1.0
        ref_k = CellGrid(ax, k[None], x=sx, y=y_x, role="kernel")
        ref_k.label("kernel k")
        if flip:
            CellGrid(ax, slid[None], x=sx, y=y_k, role="kernel")
            ax.annotate("", xy=(sx + m / 2, y_k - 0.05), xytext=(sx + m / 2, y_x + 1.05),
                        arrowprops={"arrowstyle": "->", "color": INK})
            ax.text(sx + m / 2 + 0.2, y_k - 0.25, "flip", fontsize=8, color=INK, ha="left")
        sum_text = ax.text(x0, y_p + 1.45, "", ha="left", va="center", fontsize=9, color=INK)
        marks_x, marks_y = CellMarks(grid_x), CellMarks(grid_y)

    def draw_step(n: int) -> None:
        window = np.zeros(canvas.size, dtype=bool)
        window[n : n + m] = True
        marks_x.show(window[None])
        grid_k.move(x0 + n, y_k)
        grid_p.move(x0 + n, y_p)
        grid_p.set_values(products[n][None])
        sum_text.set_text(sum_of_products(canvas[n : n + m], slid, result[n]))
        fill_until(grid_y, marks_y, result, n)

    grids = {"input": grid_x, "kernel": grid_k, "products": grid_p, "output": grid_y}
    return StepAnimation(fig, draw_step, n_out, result, grids,
                         {"input": marks_x, "output": marks_y})
