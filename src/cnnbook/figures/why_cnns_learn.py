"""Chapter 8's one-off figures: what the convolution's assumptions buy, and what LeNet learned.

:func:`plot_inductive_bias` compares two networks' accuracies (bars) and their accuracy on
shifted digits (lines); :func:`plot_checkpoints` lays out kernels or feature maps, one row
per moment of training; :func:`plot_attribution` puts each digit next to its saliency,
occlusion and Grad-CAM maps; :func:`plot_randomisation` draws the rank correlations of the
randomisation check; :func:`plot_flip_rates` the share of digits an attack flips against
its size; :func:`plot_embedding` the penultimate activations projected on two directions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from cnnbook._checks import as_array
from cnnbook.viz.bars import plot_bars
from cnnbook.viz.images import image_grid
from cnnbook.viz.style import INK, book_style, magnitude_cmap, role_color, sign_cmap


def _series(name: str, series: object, length: int | None = None) -> dict[str, np.ndarray]:
    """A non-empty mapping of name -> 1-D values, all of ``length`` when given."""
    if not isinstance(series, Mapping) or not series:
        raise TypeError(f"{name} must be a non-empty mapping of name to values, got {series!r}")
    out = {}
    for key, values in series.items():
        v = as_array(f"{name}[{key!r}]", values, ndim=1)
        if length is not None and len(v) != length:
            raise ValueError(f"{name}[{key!r}] must have {length} values, got {len(v)}")
        out[str(key)] = v
    return out


def _labels(name: str, labels: object) -> list[str]:
    if isinstance(labels, str) or not isinstance(labels, Sequence) or not labels:
        raise TypeError(f"{name} must be a non-empty list of labels, got {labels!r}")
    return [str(label) for label in labels]


def plot_inductive_bias(
    accuracy: Mapping[str, Sequence[float]], conditions: Sequence[str],
    shifted: Mapping[str, Sequence[float]], shifts: Sequence[int],
) -> Figure:
    """Left: each network's test accuracy under each of ``conditions`` (grouped bars).
    Right: accuracy against the shift of the test digits in pixels, one line per entry of
    ``shifted`` (values in [0, 1], one per entry of ``shifts``)."""
    conditions = _labels("conditions", conditions)
    bars = _series("accuracy", accuracy, len(conditions))
    shifts = as_array("shifts", shifts, ndim=1)
    lines = _series("shifted", shifted, len(shifts))
    with book_style():
        fig, (left, right) = plt.subplots(1, 2, figsize=(7.6, 2.9), layout="constrained",
                                          width_ratios=(1, 1.3))
        plot_bars(bars, conditions, ylabel="test accuracy", ax=left)
        low = min(v.min() for v in bars.values())
        left.set_ylim(max(0.0, low - 0.1), 1.0)
        for i, v in enumerate(bars.values()):  # the value on top of each bar
            width = 0.8 / len(bars)
            for j, value in enumerate(v):
                x = j + (i - (len(bars) - 1) / 2) * width
                left.text(x, value + 0.005, f"{value:.1%}", ha="center", va="bottom", fontsize=7)
        left.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        styles = ["-", "--", "-.", ":"]
        for k, (name, v) in enumerate(lines.items()):
            right.plot(shifts, v, styles[k // 2 % 4], marker="o", ms=3, label=name,
                       color=f"C{k % 2}")
        right.set(xlabel="shift of the test digits (pixels)", ylabel="test accuracy",
                  xticks=shifts, ylim=(0, 1))
        right.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        right.grid(alpha=0.3)
        right.legend(loc="lower left")
    return fig


def plot_checkpoints(
    arrays: Mapping[str, object], *, title: str | None = None, signed: bool = True,
    cell: float = 0.75,
) -> Figure:
    """One row per checkpoint (``arrays`` maps its label to ``(K, h, w)``), one column per map.

    Each row has its own colour scale, so a row shows the pattern at that moment however
    large its values have grown: ``signed`` maps run purple (negative) - white - orange,
    others white - green.
    """
    rows = {}
    for key, value in (arrays.items() if isinstance(arrays, Mapping) else ()):
        rows[str(key)] = as_array(f"arrays[{key!r}]", value, ndim=3)
    if not rows:
        raise TypeError(f"arrays must be a non-empty mapping of label to maps, got {arrays!r}")
    shapes = {a.shape for a in rows.values()}
    if len(shapes) != 1:
        raise ValueError(f"every checkpoint must hold maps of one shape, got {sorted(shapes)}")
    k = shapes.pop()[0]
    with book_style():
        fig, axes = image_grid(len(rows) * k, k, cell=cell, title=title)
        for r, (label, maps) in enumerate(rows.items()):
            limit = float(np.abs(maps).max()) or 1.0
            cmap = sign_cmap("kernel") if signed else magnitude_cmap("output")
            low = -limit if signed else 0.0
            for c in range(k):
                ax = axes[r * k + c]
                ax.imshow(maps[c], cmap=cmap, vmin=low, vmax=limit, interpolation="nearest")
                for spine in ax.spines.values():
                    spine.set(visible=True, color=INK, linewidth=0.5)
                if r == 0:
                    ax.set_title(f"{c}", fontsize=8, pad=2)
            axes[r * k].set_ylabel(label, fontsize=8, rotation=0, ha="right", va="center")
    return fig


def plot_attribution(
    images: object, maps: Mapping[str, object], titles: Sequence[str], *, cell: float = 1.1
) -> Figure:
    """One row per digit: the digit, then each method's map (``maps[name]`` is ``(N, H, W)``).

    A map with negative values is drawn on a purple - white - green scale symmetric about 0,
    others white - green; each on its own scale. The digit's outline is drawn over every map.
    """
    digits = as_array("images", images, ndim=3)
    titles = _labels("titles", titles)
    if len(titles) != len(digits):
        raise ValueError(f"titles must have one entry per image ({len(digits)}), "
                         f"got {len(titles)}")
    if not isinstance(maps, Mapping) or not maps:
        raise TypeError(f"maps must be a non-empty mapping of method to maps, got {maps!r}")
    columns = {}
    for name, value in maps.items():
        m = as_array(f"maps[{name!r}]", value, ndim=3)
        if m.shape != digits.shape:
            raise ValueError(f"maps[{name!r}] must have the shape of images {digits.shape}, "
                             f"got {m.shape}")
        columns[str(name)] = m
    ncols = 1 + len(columns)
    with book_style():
        fig, axes = image_grid(len(digits) * ncols, ncols, cell=cell, titled=True)
        for n, digit in enumerate(digits):
            axes[n * ncols].imshow(digit, cmap="gray_r", interpolation="nearest")
            axes[n * ncols].set_title(titles[n], fontsize=8, pad=2)
            for c, (name, m) in enumerate(columns.items(), start=1):
                ax = axes[n * ncols + c]
                limit = float(np.abs(m[n]).max()) or 1.0
                signed = bool(np.any(m[n] < 0))
                ax.imshow(m[n], cmap=sign_cmap("output") if signed else magnitude_cmap("output"),
                          vmin=-limit if signed else 0.0, vmax=limit, interpolation="nearest")
                if digit.max() > digit.min():
                    ax.contour(digit, levels=[0.5 * (digit.min() + digit.max())], colors=INK,
                               linewidths=0.4, alpha=0.6)
                if n == 0:
                    ax.set_title(name, fontsize=8, pad=2)
    return fig


def plot_randomisation(
    correlations: Mapping[str, Sequence[float]], layers: Sequence[str], *,
    ax: Axes | None = None,
) -> Figure:
    """Mean rank correlation with the trained maps after randomising the layers cumulatively.

    ``correlations[method]`` has one value per entry of ``layers``: the correlation after
    the layers up to and including that one (from the output down) were randomised; the
    trained network itself (correlation 1) is drawn first.
    """
    layers = _labels("layers", layers)
    lines = _series("correlations", correlations, len(layers))
    with book_style():
        if ax is None:
            _, ax = plt.subplots(figsize=(5.6, 2.8), layout="constrained")
        x = np.arange(len(layers) + 1)
        for name, v in lines.items():
            ax.plot(x, np.r_[1.0, v], marker="o", ms=3, label=name)
        ax.axhline(0, color=INK, lw=0.6)
        ax.set(xticks=x, xticklabels=["trained"] + [f"…{name}" for name in layers],
               xlabel="randomised from the output down to", ylabel="rank correlation",
               ylim=(-1, 1.05))
        ax.grid(alpha=0.3)
        ax.legend(loc="lower left", bbox_to_anchor=(0, 1), ncols=len(lines))
    return ax.figure


def plot_flip_rates(
    epsilons: Sequence[float], rates: Mapping[str, Sequence[float]], *, ax: Axes | None = None
) -> Figure:
    """The share of correctly classified digits each perturbation flips, against its size."""
    eps = as_array("epsilons", epsilons, ndim=1)
    lines = _series("rates", rates, len(eps))
    with book_style():
        if ax is None:
            _, ax = plt.subplots(figsize=(5.0, 2.8), layout="constrained")
        for name, v in lines.items():
            ax.plot(eps, v, marker="o", ms=3, label=name)
        ax.set(xlabel=r"$\varepsilon$ (a fraction of the pixel range)",
               ylabel="digits flipped", ylim=(-0.02, 1.02))
        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.grid(alpha=0.3)
        ax.legend(loc="upper left")
    return ax.figure


def plot_embedding(
    points: object, labels: object, wrong: object | None = None, *, ax: Axes | None = None
) -> Figure:
    """Points ``(N, 2)`` coloured by their class ``labels`` (digits 0-9), each class's mean
    written as its digit; ``wrong`` (a boolean mask) marks the misclassified ones with a cross."""
    xy = as_array("points", points, ndim=2)
    if xy.shape[1] != 2:
        raise ValueError(f"points must be (N, 2), got shape {xy.shape}")
    y = np.asarray(labels)
    if y.shape != (len(xy),) or y.dtype.kind not in "iu":
        raise ValueError(f"labels must be {len(xy)} integers, got shape {y.shape} ({y.dtype})")
    mask = np.zeros(len(xy), bool) if wrong is None else np.asarray(wrong, dtype=bool)
    if mask.shape != (len(xy),):
        raise ValueError(f"wrong must be a mask of {len(xy)} entries, got shape {mask.shape}")
    with book_style():
        if ax is None:
            _, ax = plt.subplots(figsize=(5.0, 4.2), layout="constrained")
        colors = plt.get_cmap("tab10")
        for c in np.unique(y):
            here = y == c
            ax.scatter(*xy[here].T, s=4, color=colors(int(c) % 10), alpha=0.5, lw=0)
            centre = xy[here].mean(axis=0)
            ax.text(*centre, str(c), ha="center", va="center", fontsize=11, weight="bold",
                    color=colors(int(c) % 10),
                    bbox={"boxstyle": "circle,pad=0.2", "fc": "white", "ec": "none",
                          "alpha": 0.8})
        if mask.any():
            ax.scatter(*xy[mask].T, s=18, marker="x", color=role_color("highlight"), lw=0.9,
                       label=f"misclassified ({int(mask.sum())})")
            ax.legend(loc="lower left", bbox_to_anchor=(0, 1))
        ax.set(xlabel="first principal direction", ylabel="second principal direction")
        ax.set_xticks([])
        ax.set_yticks([])
    return ax.figure
