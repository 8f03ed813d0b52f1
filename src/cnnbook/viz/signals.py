"""1-D signals and their convolutions as stem plots, and a kernel next to its flip.

Signals are drawn as stems in the colour of their role: the signal ``x`` in the
input colour, the kernel in the kernel colour, the result in the output colour.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from cnnbook import ops
from cnnbook._checks import as_array, check_choice, check_real
from cnnbook.viz import layout
from cnnbook.viz.grid import CellGrid
from cnnbook.viz.style import INK, ROLES, book_style, figsize, role_color

MODES = ("valid", "same", "full")


def plot_signal(
    x: object,
    ax: Axes | None = None,
    role: str = "input",
    label: str | None = None,
    start: float = 0.0,
    title: str | None = None,
) -> Axes:
    """Stem plot of a 1-D signal; sample ``n`` is drawn at position ``start + n``.

    Returns the axes (a new small figure when ``ax`` is None).
    """
    values = as_array("x", x, ndim=1).astype(np.float64)
    check_choice("role", role, ROLES)
    start = check_real("start", start)
    with book_style():
        if ax is None:
            _, ax = plt.subplots(figsize=figsize("wide", scale=0.8))
        color = role_color(role)
        positions = start + np.arange(values.size)
        markers, stems, base = ax.stem(positions, values, label=label, basefmt=" ")
        markers.set(color=color, markersize=5)
        stems.set(color=color, linewidth=1.6)
        ax.axhline(0.0, color="#999999", linewidth=0.8, zorder=0)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        if title:
            ax.set_title(title, loc="left")
    return ax


def output_positions(n_out: int, kernel_size: int, mode: str) -> np.ndarray:
    """Where output ``y[n]`` is drawn against the signal: at the centre of its window."""
    check_choice("mode", mode, MODES)
    left = {"valid": 0, "same": kernel_size // 2, "full": kernel_size - 1}[mode]
    return np.arange(n_out) + (kernel_size - 1) / 2 - left


def plot_convolution1d(
    x: object, k: object, mode: str = "full", flip: bool = True
) -> Figure:
    """Three stacked stem plots: the signal, the kernel, and their convolution.

    ``flip=True`` is true convolution (``ops.convolve1d``) and also shows the flipped
    kernel; ``flip=False`` is correlation (``ops.correlate1d``). Each output value is
    drawn under the centre of the window it summarises. ``fig.result`` holds it.
    """
    xs = as_array("x", x, ndim=1).astype(np.float64)
    ks = as_array("k", k, ndim=1).astype(np.float64)
    check_choice("mode", mode, MODES)
    if not isinstance(flip, bool):
        raise TypeError(f"flip must be True or False, got {flip!r}")
    y = ops.convolve1d(xs, ks, mode) if flip else ops.correlate1d(xs, ks, mode)
    pos = output_positions(y.size, ks.size, mode)
    with book_style():
        w, _ = figsize("wide")
        fig, axes = plt.subplots(3, 1, figsize=(w, 4.6), sharex=True, layout="constrained")
        plot_signal(xs, axes[0], "input", label="x", title="signal x")
        centre = (ks.size - 1) / 2
        plot_signal(ks, axes[1], "kernel", label="k", start=-centre,
                    title="kernel k, centred" + (", and flip(k)" if flip else ""))
        if flip:
            m, s, _ = axes[1].stem(-centre + np.arange(ks.size) + 0.15, ops.flip(ks), basefmt=" ",
                                   label="flip(k)")
            m.set(color=role_color("kernel"), markerfacecolor="white", markersize=5)
            s.set(color=role_color("kernel"), linestyle=":", linewidth=1.4)
            axes[1].legend(loc="upper right")
        name = "convolution x * k" if flip else "correlation x ⋆ k"
        plot_signal(y, axes[2], "output", start=float(pos[0]), title=f"{name}, mode {mode!r}")
        axes[2].set_xlabel("position")
    fig.result = y  # type: ignore[attr-defined]
    return fig


def show_flip(k: object) -> Figure:
    """A kernel (1-D or 2-D) next to its flip (180° rotation), drawn as cells."""
    ks = as_array("k", k, ndim=(1, 2)).astype(np.float64)
    grid = ks[None] if ks.ndim == 1 else ks
    flipped = ops.flip(ks)
    flipped = flipped[None] if ks.ndim == 1 else flipped
    h, w = grid.shape
    gap = 3.0
    with book_style():
        width, height = 2 * w + gap + 1.0, h + 1.6
        fig, ax = layout.canvas(width, height)
        vmax = float(np.abs(grid).max()) or 1.0
        left = CellGrid(ax, grid, x=0.5, y=1.1, role="kernel", vmax=vmax)
        right = CellGrid(ax, flipped, x=0.5 + w + gap, y=1.1, role="kernel", vmax=vmax)
        left.label("k")
        right.label("flip(k)")
        mid = 1.1 + h / 2
        ax.annotate("", xy=(right.x - 0.3, mid), xytext=(left.x + w + 0.3, mid),
                    arrowprops={"arrowstyle": "-|>", "color": INK, "linewidth": 1.2})
        ax.text(left.x + w + gap / 2, mid - 0.25, "reverse" if ks.ndim == 1 else "rotate 180°",
                ha="center", va="bottom", fontsize=8, color=INK)
    fig.grids = {"kernel": left, "flipped": right}  # type: ignore[attr-defined]
    return fig
