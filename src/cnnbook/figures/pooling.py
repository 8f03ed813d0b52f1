"""Chapter 5's one-off figures: what a shift changes, map by map and stage by stage.

:func:`plot_shift_changes` draws :func:`cnnbook.invariance.map_changes`: the maps of an
image and, below them, how much every cell changed when the image was shifted.
:func:`plot_shift_sensitivity` draws the result of
:func:`cnnbook.invariance.shift_sensitivity`: for every stage the mean relative change over
the examples, against the size of the shift. A stage that merely moves with its input (a
convolution) climbs as fast as the pixels do; a stage that tolerates small shifts (after
pooling) stays lower.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from cnnbook._checks import as_array, check_strings
from cnnbook.invariance import map_changes
from cnnbook.viz.images import plot_images
from cnnbook.viz.style import book_style, figsize

__all__ = ["plot_shift_changes", "plot_shift_sensitivity"]

MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
LINESTYLES = ("-", "--", ":")


def plot_shift_sensitivity(
    change: Mapping[str, object],
    shifts: Sequence[float],
    *,
    names: Sequence[str] | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Plot the mean relative change of each stage in ``change`` against ``shifts`` (pixels).

    ``change`` maps a stage name to an array ``(len(shifts), N)`` as returned by
    ``shift_sensitivity``; ``names`` picks and orders the stages (default: all). The
    unshifted input, which changes nothing, is drawn at shift 0. Draws on ``ax`` when given;
    returns the figure.
    """
    if not isinstance(change, Mapping) or not change:
        raise TypeError(
            f"change must be a non-empty mapping of stage name to array, got {change!r}"
        )
    xs = as_array("shifts", list(shifts), ndim=1)
    names = list(change) if names is None else list(names)
    missing = [n for n in names if n not in change]
    if missing or not names:
        raise ValueError(f"names must be stages of change ({', '.join(change)}), got {names!r}")
    means = {}
    for name in names:
        values = as_array(f"change[{name!r}]", change[name], ndim=2)
        if values.shape[0] != xs.size:
            raise ValueError(
                f"change[{name!r}] must have one row per shift ({xs.size}), "
                f"got shape {values.shape}"
            )
        means[name] = np.nanmean(values, axis=1)
    with book_style():
        if ax is None:
            _, ax = plt.subplots(figsize=figsize("medium", scale=1.25))  # room for the legend
        colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
        for i, (name, mean) in enumerate(means.items()):
            # lines that coincide stay apart by their markers; colours that repeat, by dashes
            ax.plot(np.r_[0.0, xs], np.r_[0.0, mean], color=colors[i % len(colors)],
                    linestyle=LINESTYLES[(i // len(colors)) % len(LINESTYLES)],
                    marker=MARKERS[i % len(MARKERS)], markersize=5, label=name)
        ax.set_xticks(np.r_[0.0, xs])
        ax.set_xlabel("shift (pixels)")
        ax.set_ylabel("relative change of the output")
        ax.set_ylim(bottom=0.0)
        ax.grid(axis="y", alpha=0.3)
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return ax.figure


def plot_shift_changes(
    stages: Mapping[object, Sequence[object]],
    titles: Sequence[str],
    *,
    cell: float = 1.3,
) -> Figure:
    """Draw :func:`map_changes` of ``stages`` as a grid, one column per map, gray from 0 to 1.

    ``stages`` maps a shift in pixels (the first is the reference, usually 0) to the maps
    of the shifted input; ``titles`` name the reference maps (top row); the rows below are
    titled ``"change, shift <k> px"``. Black means unchanged.
    """
    rows = map_changes(stages)
    titles = check_strings("titles", titles, len(rows[0]))
    labels = titles + [f"change, shift {k} px" for k in list(stages)[1:] for _ in titles]
    panels = [m for row in rows for m in row]
    return plot_images(panels, labels=labels, ncols=len(titles), cell=cell, vmin=0, vmax=1)
