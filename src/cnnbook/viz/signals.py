"""1-D signals as stem plots, each in the colour of its role.

The signal ``x`` is drawn in the input colour, a kernel in the kernel colour, a result in
the output colour; :func:`output_positions` places an output under the centre of the window
it summarises.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from cnnbook._checks import as_array, check_choice, check_real
from cnnbook.viz.style import ROLES, book_style, figsize, role_color

MODES = ("valid", "same", "full")


def plot_signal(
    x: object,
    *,
    role: str = "input",
    label: str | None = None,
    start: float = 0.0,
    title: str | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Stem plot of a 1-D signal; sample ``n`` is drawn at position ``start + n``.

    Draws on ``ax`` when given, otherwise on a new small figure; returns the figure.
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
    return ax.figure


def output_positions(n_out: int, kernel_size: int, mode: str) -> np.ndarray:
    """Where output ``y[n]`` is drawn against the signal: at the centre of its window.

    For a kernel no longer than the signal, with NumPy's modes; a longer kernel's
    outputs start where :func:`cnnbook.ops.mode_window` says.
    """
    check_choice("mode", mode, MODES)
    left = {"valid": 0, "same": kernel_size // 2, "full": kernel_size - 1}[mode]
    return np.arange(n_out) + (kernel_size - 1) / 2 - left
