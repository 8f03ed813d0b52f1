"""Grouped bar charts: a few named series of numbers side by side, one group per label.

The book compares short lists this way: the share of each digit in the training and test
splits, or how strongly each layer of two networks is pushed by its gradient.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from cnnbook._checks import as_array, check_bool
from cnnbook.viz.style import book_style

#: Fraction of a group's slot taken by its bars (the rest is the gap between groups).
GROUP_WIDTH = 0.8


def plot_bars(
    series: Mapping[str, object],
    labels: Sequence[object],
    *,
    ylabel: str = "",
    xlabel: str = "",
    log: bool = False,
    ax: Axes | None = None,
    figsize: tuple[float, float] = (6.0, 2.6),
) -> Figure:
    """One group of bars per entry of ``labels``, one bar per series (named in the legend).

    ``series`` maps a name to as many values as there are ``labels``; ``log`` puts the
    values on a logarithmic axis (they must then be positive). Draws on ``ax`` when given,
    otherwise on a new figure in the book's style, and returns the figure.
    """
    if not isinstance(series, Mapping) or not series:
        raise TypeError("series must be a non-empty mapping from a name to its values, "
                        f"got {type(series).__name__}")
    if isinstance(labels, str) or not isinstance(labels, Sequence) or not labels:
        raise TypeError(f"labels must be a non-empty list of group labels, got {labels!r}")
    log = check_bool("log", log)
    values = {}
    for name, v in series.items():
        v = as_array(f"series[{name!r}]", v, ndim=1)
        if len(v) != len(labels):
            raise ValueError(f"series[{name!r}] must have one value per label ({len(labels)}), "
                             f"got {len(v)}")
        if log and not np.all(v > 0):
            raise ValueError(f"series[{name!r}] must be positive on a log axis (log=True)")
        values[name] = v
    with book_style():
        if ax is None:
            _, ax = plt.subplots(figsize=figsize)
        width = GROUP_WIDTH / len(values)
        centres = np.arange(len(labels))
        for i, (name, v) in enumerate(values.items()):
            offset = (i - (len(values) - 1) / 2) * width
            ax.bar(centres + offset, v, width=width, label=str(name))
        ax.set(xticks=centres, xticklabels=[str(label) for label in labels], xlabel=xlabel,
               ylabel=ylabel, yscale="log" if log else "linear")
        if len(values) > 1:  # above the axes, where it cannot hide a bar
            ax.legend(loc="lower left", bbox_to_anchor=(0, 1), ncols=len(values))
    return ax.figure
