"""Chapter 3's one-off figures: a kernel and its flip, two kernel fits, signed maps side by side.

:func:`plot_flip` draws a kernel next to its 180° rotation. :func:`plot_kernel_fits` draws
two :class:`cnnbook.kernel_fitting.KernelFit` results, typically a correlation layer and a
true-convolution layer trained on the same data; the right panel shows the second fit's
kernels turned by 180° (``flip_second=True``), so that a convolution layer that has absorbed
the flip traces exactly the same paths as the correlation layer. :func:`plot_signed_maps`
puts an image beside several signed responses to it, all on one symmetric colour scale, so
that equal maps look equal and a sign error shows as swapped colours.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from cnnbook import ops
from cnnbook._checks import as_array, as_map, check_real, check_strings
from cnnbook.kernel_fitting import KernelFit
from cnnbook.viz import layout
from cnnbook.viz.grid import CellGrid, cell_axes
from cnnbook.viz.style import INK, book_style, role_color, sign_cmap

__all__ = ["plot_flip", "plot_kernel_fits", "plot_signed_maps"]


def plot_flip(weight: object, *, ax: Axes | None = None) -> Figure:
    """A kernel (1-D or 2-D) next to its flip (180° rotation), drawn as cells.

    ``fig.grids`` holds the two drawn grids, ``"kernel"`` and ``"flipped"``.
    """
    ks = as_array("weight", weight, ndim=(1, 2)).astype(np.float64)
    grid = ks[None] if ks.ndim == 1 else ks
    flipped = ops.flip(ks)
    flipped = flipped[None] if ks.ndim == 1 else flipped
    h, w = grid.shape
    gap = 3.0
    with book_style():
        width, height = 2 * w + gap + 1.0, h + 1.6
        if ax is None:
            _, ax = layout.canvas(width, height)
        else:
            cell_axes(ax, width, height)
        fig = ax.figure
        vmax = float(np.abs(grid).max()) or 1.0
        left = CellGrid(ax, grid, x=0.5, y=1.1, role="kernel", vmax=vmax)
        right = CellGrid(ax, flipped, x=0.5 + w + gap, y=1.1, role="kernel", vmax=vmax)
        left.label("w")
        right.label("flip(w)")
        mid = 1.1 + h / 2
        ax.annotate("", xy=(right.x - 0.3, mid), xytext=(left.x + w + 0.3, mid),
                    arrowprops={"arrowstyle": "-|>", "color": INK, "linewidth": 1.2})
        ax.text(left.x + w + gap / 2, mid - 0.25, "reverse" if ks.ndim == 1 else "rotate 180°",
                ha="center", va="bottom", fontsize=8, color=INK)
    fig.grids = {"kernel": left, "flipped": right}  # type: ignore[attr-defined]
    return fig


def plot_kernel_fits(
    first: KernelFit,
    second: KernelFit,
    *,
    labels: tuple[str, str] = ("correlation layer", "convolution layer"),
    flip_second: bool = True,
) -> Figure:
    """Loss curves (left, log scale) and kernel-entry paths (right) of two fits.

    ``first`` is drawn thick and light, ``second`` thin and dashed on top, so lines that
    coincide stay visible. With ``flip_second`` the second fit's kernels are flipped
    (180°) before drawing. Both fits must have the same number of steps and kernel shape.
    Returns the figure; its two axes carry one legend each.
    """
    for name, fit in (("first", first), ("second", second)):
        if not isinstance(fit, KernelFit):
            raise TypeError(f"{name} must be a KernelFit, got {type(fit).__name__}")
    if first.kernels.shape != second.kernels.shape:
        raise ValueError(
            f"first and second must have the same steps and kernel shape, got kernels "
            f"{first.kernels.shape} and {second.kernels.shape}"
        )
    if len(labels) != 2 or not all(isinstance(lab, str) for lab in labels):
        raise ValueError(f"labels must be two strings, got {labels!r}")
    path_second = second.kernels[:, ::-1, ::-1] if flip_second else second.kernels
    steps = np.arange(first.losses.size)
    with book_style():
        fig, (ax_loss, ax_path) = plt.subplots(1, 2, figsize=(9, 2.8))
        ax_loss.semilogy(steps, first.losses, color=role_color("input"), lw=3, alpha=0.5,
                         label=labels[0])
        ax_loss.semilogy(steps, second.losses, color=role_color("output"), ls="--",
                         label=labels[1])
        ax_loss.set(xlabel="gradient step", ylabel="mean squared error",
                    title="the losses coincide")
        ax_loss.legend()
        thick = {"color": role_color("kernel"), "lw": 3, "alpha": 0.4}
        thin = {"color": "black", "lw": 0.8, "ls": "--"}
        for u, v in np.ndindex(first.kernels.shape[1:]):
            ax_path.plot(steps, first.kernels[:, u, v], **thick)
            ax_path.plot(steps, path_second[:, u, v], **thin)
        ax_path.plot([], [], **thick, label=labels[0])
        ax_path.plot([], [], **thin, label=labels[1] + (", flipped" if flip_second else ""))
        n = first.kernels[0].size
        ax_path.set(xlabel="gradient step", ylabel="kernel entry",
                    title=f"the {n} kernel entries" if n != 9 else "the nine kernel entries")
        ax_path.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1, 1))
        fig.tight_layout()
    return fig


def plot_signed_maps(
    image: object,
    maps: Sequence[object],
    titles: Sequence[str],
    *,
    image_title: str = "photo x",
    scale: float | None = None,
    role: str = "output",
) -> Figure:
    """Draw ``image`` (gray) and then every map in ``maps`` on one symmetric colour scale.

    Zero is white, positive values take ``role``'s colour and negative ones purple, from
    ``-scale`` to ``scale``; ``scale`` defaults to the 99th percentile of every map's
    magnitudes, so a few extreme pixels do not wash out the rest. Returns the figure, one
    axes per panel (image first), each without ticks and titled.
    """
    picture = as_map("image", image)
    if isinstance(maps, str | np.ndarray) or not isinstance(maps, Sequence) or not maps:
        raise TypeError(f"maps must be a non-empty list of 2-D arrays, got {type(maps).__name__}")
    arrays = [as_map(f"maps[{i}]", m) for i, m in enumerate(maps)]
    titles = check_strings("titles", titles, len(arrays))
    if scale is None:
        scale = float(np.percentile(np.abs(np.concatenate([a.ravel() for a in arrays])), 99))
        scale = scale if scale > 0 else 1.0
    scale = check_real("scale", scale, positive=True)
    cmap = sign_cmap(role)
    with book_style():
        fig, axes = plt.subplots(1, 1 + len(arrays), figsize=(2.25 * (1 + len(arrays)), 2.7))
        axes[0].imshow(picture, cmap="gray")
        axes[0].set_title(image_title)
        for ax, a, title in zip(axes[1:], arrays, titles, strict=True):
            ax.imshow(a, cmap=cmap, vmin=-scale, vmax=scale)
            ax.set_title(title, fontsize=8)
        for ax in axes:
            ax.set_axis_off()
        fig.tight_layout()
    return fig
