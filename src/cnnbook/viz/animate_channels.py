"""Step-through animation of a multi-channel convolution producing one output channel.

Each input channel has its own kernel slice; at every output position the
channel's window is multiplied by its slice and summed, and the per-channel sums
(plus the bias) add up to the single output value.
"""

from __future__ import annotations

import numpy as np

from cnnbook import ops
from cnnbook._checks import as_array, check_real, check_tuple
from cnnbook.viz import layout
from cnnbook.viz.animate2d import window_indices
from cnnbook.viz.captions import size_formula, size_line
from cnnbook.viz.grid import (
    CellGrid,
    CellMarks,
    fill_until,
    format_value,
    padding_mask,
    written_sum,
)
from cnnbook.viz.player import StepAnimation
from cnnbook.viz.style import INK, book_style

#: More channels than this would not fit on a page.
MAX_CHANNELS = 4


def _weight(weight: object, channels: int) -> np.ndarray:
    w = as_array("weight", weight, ndim=(3, 4)).astype(np.float64)
    if w.ndim == 4:
        if w.shape[0] != 1:
            raise ValueError(f"weight must have one output channel, got shape {w.shape}")
        w = w[0]
    if w.shape[0] != channels:
        raise ValueError(
            f"weight must have one kernel slice per input channel ({channels}), "
            f"got shape {w.shape}"
        )
    return w


def animate_multichannel(
    x: object,
    weight: object,
    bias: float | None = None,
    *,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] = 0,
) -> StepAnimation:
    """Animate one output channel of ``conv2d``: ``x`` is ``(C, H, W)``, ``weight`` ``(C, kh, kw)``.

    ``weight`` may also be ``(1, C, kh, kw)``. One frame per output cell; ``anim.result``
    equals ``ops.conv2d(x, weight[None], bias)[0]``; ``anim.partial_sums`` holds the
    per-channel sums, shape ``(C, H_out, W_out)``.
    """
    x = as_array("x", x, ndim=3).astype(np.float64)
    c = x.shape[0]
    if c > MAX_CHANNELS:
        raise ValueError(f"x must have at most {MAX_CHANNELS} channels to animate, got {c}")
    w = _weight(weight, c)
    s = check_tuple("stride", stride, 2, minimum=1)
    p = check_tuple("padding", padding, 2, minimum=0)
    b = None if bias is None else check_real("bias", bias)
    out = tuple(ops.conv_output_size(*a) for a in zip(x.shape[1:], w.shape[1:], s, p, strict=True))
    result = ops.conv2d(x[None], w[None], None if b is None else np.array([b]), s, p)[0, 0]
    canvases = ops.pad2d(x, p)
    kh, kw = w.shape[1:]
    hp, wp = canvases.shape[1:]
    partial = np.zeros((c, *out))
    for i, j in np.ndindex(*out):
        rows, cols = window_indices(i, j, (kh, kw), s, (1, 1))
        partial[:, i, j] = (canvases[:, rows[:, None], cols] * w).sum(axis=(1, 2))
    pad = padding_mask((hp, wp), p, x.shape[1:])

    with book_style():
        row_h = max(hp, kh) + 1.0
        x_k = 0.6 + wp + 1.4
        x_sum = x_k + kw + 0.8
        x_out = x_sum + 3.4
        width = x_out + out[1] + 0.6
        height = layout.HEADER_CELLS + c * row_h + layout.FOOTER_CELLS
        fig, ax = layout.canvas(width, height, x, w, result)
        formula = size_line(size_formula, x.shape[1:], (kh, kw), s, p, (1, 1), out)
        layout.header(ax, width, f"{c} input channels → 1 output channel", formula)
        grids_in, grids_k, sum_texts, marks = [], [], [], []
        for i in range(c):
            y = layout.HEADER_CELLS + i * row_h + 0.4
            g = CellGrid(ax, canvases[i], x=0.6, y=y + (max(hp, kh) - hp) / 2,
                         role="input", padding=pad)
            gk = CellGrid(ax, w[i], x=x_k, y=y + (max(hp, kh) - kh) / 2, role="kernel")
            g.label(f"channel {i}: x[{i}]", fontsize=8)
            gk.label(f"kernel w[{i}]", fontsize=8)
            mid = y + max(hp, kh) / 2
            layout.between(ax, 0.6 + wp, x_k, mid, "⊙")
            sum_texts.append(ax.text(x_sum, mid, "", ha="left", va="center", fontsize=9,
                                     color=INK))
            grids_in.append(g)
            grids_k.append(gk)
            marks.append(CellMarks(g))
        y_out = layout.HEADER_CELLS + (c * row_h - out[0]) / 2
        grid_out = CellGrid(ax, np.full(out, np.nan), x=x_out, y=y_out, role="output",
                            vmax=float(np.abs(result).max()) or 1.0, text_sample=result)
        grid_out.label("output y")
        marks_out = CellMarks(grid_out)
        total = layout.footer(ax, width, height)

    def update(step: int) -> None:
        i, j = divmod(step, out[1])
        rows, cols = window_indices(i, j, (kh, kw), s, (1, 1))
        mask = np.zeros((hp, wp), dtype=bool)
        mask[np.ix_(rows, cols)] = True
        for ch in range(c):
            marks[ch].show(mask)
            sum_texts[ch].set_text(f"= {format_value(partial[ch, i, j])}")
        written = written_sum([*partial[:, i, j], *([] if b is None else [b])])
        bias_note = " (last term: bias)" if b is not None else ""
        total.set_text(f"y[{i}, {j}] = {written} = {format_value(result[i, j])}{bias_note}")
        fill_until(grid_out, marks_out, result, step)

    grids = {f"input{ch}": g for ch, g in enumerate(grids_in)}
    grids |= {f"kernel{ch}": g for ch, g in enumerate(grids_k)}
    grids["output"] = grid_out
    anim = StepAnimation(fig, update, out[0] * out[1], result, grids,
                         {f"input{ch}": m for ch, m in enumerate(marks)} | {"output": marks_out})
    anim.partial_sums = partial
    return anim
