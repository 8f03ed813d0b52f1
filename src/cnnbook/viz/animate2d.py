"""Step-through animations of 2-D convolution and transposed convolution.

Each frame is one output position: the window on the (padded) input is outlined,
the kernel sits next to it, the products of the window and the kernel are shown
cell by cell, and their sum fills the current output cell. Padding and the zeros
a transposed convolution inserts are drawn as grey padding cells, and a dilated
window shows its holes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib.colors import to_rgb
from matplotlib.patches import Rectangle

from cnnbook import ops
from cnnbook._checks import as_array, check_choice, check_tuple
from cnnbook.viz import layout
from cnnbook.viz.captions import (
    settings_text,
    shape_text,
    size_formula,
    size_line,
    transpose_size_formula,
)
from cnnbook.viz.grid import CellGrid, CellMarks, fill_until, format_value, padding_mask
from cnnbook.viz.player import StepAnimation
from cnnbook.viz.style import ROLE_COLORS, book_style


@dataclass(frozen=True)
class WindowProblem:
    """What a window animation draws: a canvas swept by a (dilated, strided) kernel.

    ``canvas`` is the array the kernel actually slides over (already padded, and for
    transposed convolution already stretched), ``pad`` marks its cells that are not
    input values, ``kernel`` is the kernel as applied (already flipped if needed),
    and ``result`` the output computed by :mod:`cnnbook.ops`.
    """

    canvas: np.ndarray
    pad: np.ndarray
    kernel: np.ndarray
    stride: tuple[int, int]
    dilation: tuple[int, int]
    result: np.ndarray
    title: str
    formula: str
    canvas_label: str = "input x (padded)"
    kernel_label: str = "kernel w"

    def window(self, i: int, j: int) -> tuple[np.ndarray, np.ndarray]:
        """Row and column indices into ``canvas`` of the window of output cell ``(i, j)``."""
        return window_indices(i, j, self.kernel.shape, self.stride, self.dilation)

    def products(self, i: int, j: int) -> np.ndarray:
        """The window times the kernel, entry by entry; their sum is output ``(i, j)``."""
        rows, cols = self.window(i, j)
        return self.canvas[np.ix_(rows, cols)] * self.kernel


def window_indices(
    i: int, j: int, kernel_shape: Sequence[int], stride: Sequence[int], dilation: Sequence[int],
) -> tuple[np.ndarray, np.ndarray]:
    """Rows and columns of the (padded) input that output cell ``(i, j)`` reads."""
    (kh, kw), (sh, sw), (dh, dw) = kernel_shape, stride, dilation
    return i * sh + dh * np.arange(kh), j * sw + dw * np.arange(kw)


def window_animation(problem: WindowProblem) -> StepAnimation:
    """Animate ``problem``: one frame per output cell, products and sum shown."""
    pr = problem
    h_out, w_out = pr.result.shape
    kh, kw = pr.kernel.shape
    with book_style():
        sizes = [pr.canvas.shape[::-1], (kw, kh), (kw, kh), (w_out, h_out)]
        slots, width, height = layout.row_layout(sizes, lines=(pr.title, pr.formula))
        all_products = np.stack([pr.products(i, j) for i, j in np.ndindex(h_out, w_out)])
        fig, ax = layout.canvas(width, height, pr.canvas, pr.kernel, all_products, pr.result)
        layout.header(ax, width, pr.title, pr.formula)
        grid_in = CellGrid(ax, pr.canvas, x=slots[0].x, y=slots[0].y, role="input",
                           padding=pr.pad)
        grid_k = CellGrid(ax, pr.kernel, x=slots[1].x, y=slots[1].y, role="kernel")
        grid_p = CellGrid(ax, np.full((kh, kw), np.nan), x=slots[2].x, y=slots[2].y,
                          role="output", vmax=float(np.abs(all_products).max()) or 1.0,
                          text_sample=all_products)
        grid_out = CellGrid(ax, np.full((h_out, w_out), np.nan), x=slots[3].x, y=slots[3].y,
                            role="output", vmax=float(np.abs(pr.result).max()) or 1.0,
                            text_sample=pr.result)
        for grid, text in zip((grid_in, grid_k, grid_p, grid_out),
                              (pr.canvas_label, pr.kernel_label, "products", "output y"),
                              strict=True):
            grid.label(text)
        mid = layout.HEADER_CELLS + max(h for _, h in sizes) / 2
        for a, b, sign in ((0, 1, "⊙"), (1, 2, "="), (2, 3, "Σ →")):
            layout.between(ax, slots[a].x + sizes[a][0], slots[b].x, mid, sign)
        marks_in, marks_out = CellMarks(grid_in), CellMarks(grid_out)
        red = to_rgb(ROLE_COLORS["highlight"])
        extent = Rectangle((0, 0), 1, 1, linestyle=(0, (3, 2)), linewidth=1.6,
                           edgecolor=red, facecolor=(*red, 0.07), zorder=4)
        ax.add_patch(extent)
        sum_text = grid_p.label("", below=True, fontsize=9)

    def update(step: int) -> None:
        i, j = divmod(step, w_out)
        rows, cols = pr.window(i, j)
        mask = np.zeros(pr.canvas.shape, dtype=bool)
        mask[np.ix_(rows, cols)] = True
        marks_in.show(mask)
        extent.set_bounds(grid_in.x + cols[0], grid_in.y + rows[0],
                          cols[-1] - cols[0] + 1, rows[-1] - rows[0] + 1)
        extent.set_visible(max(pr.dilation) > 1)
        grid_p.set_values(all_products[step])
        sum_text.set_text(f"sum = {format_value(pr.result[i, j])}")
        fill_until(grid_out, marks_out, pr.result, step)

    grids = {"input": grid_in, "kernel": grid_k, "products": grid_p, "output": grid_out}
    return StepAnimation(fig, update, h_out * w_out, pr.result, grids,
                         {"input": marks_in, "output": marks_out})


def _single(name: str, a: object) -> np.ndarray:
    return as_array(name, a, ndim=2).astype(np.float64)


def animate_conv2d(
    x: object, weight: object, *,
    stride: int | tuple[int, int] = 1, padding: int | tuple[int, int] = 0,
    dilation: int | tuple[int, int] = 1,
) -> StepAnimation:
    """Animate ``conv2d`` (cross-correlation, as in PyTorch) of a 2-D ``x`` with a 2-D ``weight``.

    One frame per output cell; ``anim.result`` equals ``ops.conv2d`` on the same input.
    The header states the output-size formula with the actual numbers.
    """
    x, k = _single("x", x), _single("weight", weight)
    s = check_tuple("stride", stride, 2, minimum=1)
    p = check_tuple("padding", padding, 2, minimum=0)
    d = check_tuple("dilation", dilation, 2, minimum=1)
    # conv_output_size rejects a kernel that does not fit, naming the sizes
    out = [ops.conv_output_size(*a) for a in zip(x.shape, k.shape, s, p, d, strict=True)]
    result = ops.conv2d(x[None, None], k[None, None], stride=s, padding=p, dilation=d)[0, 0]
    canvas = ops.pad2d(x, p)
    pad = padding_mask(canvas.shape, p, x.shape)
    formula = size_line(size_formula, x.shape, k.shape, s, p, d, tuple(out))
    title = (f"{shape_text(x)} input ⋆ {shape_text(k)} kernel"
             + settings_text(padding=p, stride=s, dilation=d))
    problem = WindowProblem(
        canvas, pad, k, s, d, result, title, formula,
        canvas_label="input x" + (" (padded)" if any(p) else ""),
    )
    return window_animation(problem)


def animate_conv_transpose2d(
    x: object, weight: object, *,
    stride: int | tuple[int, int] = 1, padding: int | tuple[int, int] = 0,
    output_padding: int | tuple[int, int] = 0, dilation: int | tuple[int, int] = 1,
) -> StepAnimation:
    """Animate ``conv_transpose2d`` as the equivalent direct convolution.

    The input is stretched (``stride − 1`` zeros between its pixels), padded by
    ``q = dilation·(k − 1) − padding`` zeros before and ``q + output_padding`` after
    (bottom/right), and swept at stride 1 by the kernel rotated by 180° with the same
    dilation. Where ``q`` is negative (padding larger than ``dilation·(k − 1)``, which
    PyTorch accepts), that many rows and columns are cut off the stretched input instead.
    ``anim.result`` equals ``ops.conv_transpose2d`` on the same input.
    """
    x, k = _single("x", x), _single("weight", weight)
    s = check_tuple("stride", stride, 2, minimum=1)
    p = check_tuple("padding", padding, 2, minimum=0)
    op = check_tuple("output_padding", output_padding, 2, minimum=0)
    d = check_tuple("dilation", dilation, 2, minimum=1)
    # ops refuses what PyTorch refuses (output_padding too large, an empty output)
    result = ops.conv_transpose2d(
        x[None, None], k[None, None], stride=s, padding=p, output_padding=op, dilation=d
    )[0, 0]
    stretched = np.zeros([(n - 1) * si + 1 for n, si in zip(x.shape, s, strict=True)])
    stretched[:: s[0], :: s[1]] = x
    pad = np.ones_like(stretched, dtype=bool)
    pad[:: s[0], :: s[1]] = False
    q = [di * (ki - 1) - pi for di, ki, pi in zip(d, k.shape, p, strict=True)]
    edges = [(qi, qi + oi) for qi, oi in zip(q, op, strict=True)]  # before, after; < 0 cuts
    grow = [(max(a, 0), max(b, 0)) for a, b in edges]
    canvas = np.pad(stretched, grow)
    pad = np.pad(pad, grow, constant_values=True)
    keep = tuple(slice(max(-a, 0), n - max(-b, 0))
                 for (a, b), n in zip(edges, canvas.shape, strict=True))
    canvas, pad = canvas[keep], pad[keep]
    out = result.shape
    formula = size_line(transpose_size_formula, x.shape, k.shape, s, p, op, d, out)
    title = (f"transposed conv: {shape_text(x)} input, {shape_text(k)} kernel"
             + settings_text(stride=s, padding=p, dilation=d)
             + ("" if op == (0, 0) else f", output_padding {op[0] if op[0] == op[1] else op}"))
    cut = any(a < 0 or b < 0 for a, b in edges)
    problem = WindowProblem(
        canvas, pad, np.flip(k), (1, 1), d, result, title, formula,
        canvas_label="x stretched, edges cut" if cut else "x stretched + padded",
        kernel_label="w rotated 180°",
    )
    return window_animation(problem)


def _gallery_input(shape: tuple[int, int], seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 4, size=shape).astype(np.float64)


#: The classic cases of convolution arithmetic: (function, input shape, keyword arguments).
GALLERY: dict[str, tuple[str, tuple[int, int], dict[str, int]]] = {
    "no padding": ("conv", (4, 4), {}),
    "same": ("conv", (5, 5), {"padding": 1}),
    "full": ("conv", (5, 5), {"padding": 2}),
    "strided": ("conv", (5, 5), {"padding": 1, "stride": 2}),
    "dilated": ("conv", (7, 7), {"dilation": 2}),
    "transposed": ("transposed", (2, 2), {}),
    "transposed, strided": ("transposed", (2, 2), {"stride": 2}),
    "transposed, output_padding": ("transposed", (3, 3),
                                   {"stride": 2, "padding": 1, "output_padding": 1}),
}

#: The 3×3 kernel of every gallery case: a small edge detector with mixed signs.
GALLERY_KERNEL = np.array([[1.0, 0.0, -1.0], [2.0, 0.0, -2.0], [1.0, 0.0, -1.0]])


def animate_gallery(case: str) -> StepAnimation:
    """Animate one classic case of :data:`GALLERY` (3×3 kernel, small integer input)."""
    check_choice("case", case, tuple(GALLERY))
    kind, shape, kwargs = GALLERY[case]
    x = _gallery_input(shape, seed=len(case))
    fn = animate_conv2d if kind == "conv" else animate_conv_transpose2d
    return fn(x, GALLERY_KERNEL, **kwargs)
