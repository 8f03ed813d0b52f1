"""Images as the network sees them: digits with labels, photographs, filter banks, feature maps.

Every function returns a matplotlib ``Figure`` with one image axes per picture (unused
grid cells are removed), so ``len(fig.axes)`` counts what was drawn (plus the colour bars
of filters and feature maps: one for the figure on a shared scale, one per panel otherwise).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from cnnbook._checks import as_array, check_bool, check_int, check_real, check_strings
from cnnbook.viz.style import INK, book_style, magnitude_cmap, sign_cmap


def image_grid(
    n: int, ncols: int, *, cell: float = 1.0, title: str | None = None, titled: bool = False
) -> tuple[Figure, list[Axes]]:
    """A pyplot figure with ``n`` tickless axes in rows of ``ncols``; unused cells removed.

    ``cell`` is the side of one cell in inches; ``titled`` leaves room for a title per cell.
    """
    ncols = max(1, min(ncols, n))
    nrows = math.ceil(n / ncols)
    height = nrows * cell * (1.25 if titled else 1.0) + (0.3 if title else 0.0)
    fig, grid = plt.subplots(
        nrows, ncols, squeeze=False, figsize=(ncols * cell, height), layout="constrained"
    )
    fig.get_layout_engine().set(w_pad=0.02, h_pad=0.02, wspace=0.02, hspace=0.02)
    axes = grid.ravel().tolist()
    for ax in axes[n:]:
        fig.delaxes(ax)
    for ax in axes[:n]:
        ax.set_xticks([])
        ax.set_yticks([])
    if title:
        fig.suptitle(title)
    return fig, axes[:n]


def _to_display(img: np.ndarray, name: str) -> np.ndarray:
    """``(H, W)`` stays; ``(1|3, H, W)`` -> ``(H, W)`` or ``(H, W, 3)`` clipped to [0, 1]."""
    if img.ndim == 3:
        if img.shape[0] not in (1, 3):
            raise ValueError(
                f"{name} must have 1 or 3 channels first (C, H, W), got shape {img.shape}"
            )
        img = img[0] if img.shape[0] == 1 else np.clip(img.transpose(1, 2, 0), 0, 1)
    return img


def _as_image_list(images: object) -> list[np.ndarray]:
    """An array ``(N, H, W)``/``(N, C, H, W)``, or a list of images of different sizes."""
    if isinstance(images, list | tuple):
        if not images:
            raise ValueError("images must not be empty")
        items = [as_array(f"images[{i}]", im, ndim=(2, 3)) for i, im in enumerate(images)]
        return [_to_display(im, f"images[{i}]") for i, im in enumerate(items)]
    arr = as_array("images", images, ndim=(3, 4))
    if arr.ndim == 4 and arr.shape[1] not in (1, 3):
        raise ValueError(f"images (N, C, H, W) must have C = 1 or 3, got shape {arr.shape}")
    return [_to_display(im, "images") for im in arr]


def _label_text(label: object, classes: Sequence[str] | None) -> str:
    if classes is not None and isinstance(label, int | np.integer):
        return str(classes[int(label)])
    if hasattr(label, "item"):  # numpy or torch scalar
        label = label.item()
    return str(label)


def plot_images(
    images: object,
    labels: Sequence[object] | None = None,
    *,
    classes: Sequence[str] | None = None,
    ncols: int = 8,
    title: str | None = None,
    cell: float | None = None,
    vmin: float | None = None,
    vmax: float | None = None,
) -> Figure:
    """Draw images ``(N, H, W)`` or ``(N, C, H, W)`` in a grid, each titled with its label.

    ``images`` may also be a list of 2-D (or ``(C, H, W)``) images of different sizes.

    ``classes`` turns integer labels into names (``labels=[3]``, ``classes=split.classes``).
    Grayscale images are scaled each to its own range unless ``vmin``/``vmax`` are given.
    ``cell`` is the side of one image in inches (default: small for digits, larger for photos).
    """
    stack = _as_image_list(images)
    n = len(stack)
    ncols = check_int("ncols", ncols, minimum=1)
    if labels is not None:
        labels = list(labels.tolist() if hasattr(labels, "tolist") else labels)
        if len(labels) != n:
            raise ValueError(f"labels must have one entry per image ({n}), got {len(labels)}")
    if cell is None:
        cell = 0.9 if max(max(im.shape[:2]) for im in stack) <= 48 else 2.2
    cell = check_real("cell", cell, positive=True)
    with book_style():
        fig, axes = image_grid(n, ncols, cell=cell, title=title, titled=labels is not None)
        for i, (ax, img) in enumerate(zip(axes, stack, strict=True)):
            # small images show their pixels; photos are smoothed as they are shrunk
            smooth = "antialiased" if max(img.shape[:2]) > 64 else "nearest"
            ax.imshow(img, cmap="gray", vmin=vmin, vmax=vmax, interpolation=smooth)
            for spine in ax.spines.values():
                spine.set_visible(False)
            if labels is not None:
                ax.set_title(_label_text(labels[i], classes), fontsize=9, pad=2)
    return fig


def _symmetric_limit(values: np.ndarray) -> float:
    m = float(np.max(np.abs(values)))
    return m if m > 0 else 1.0


def _colorbar(fig: Figure, axes: list[Axes], label: str) -> None:
    """One colour bar for ``axes`` (all drawn on the scale of the first)."""
    bar = fig.colorbar(axes[0].images[0], ax=axes, shrink=0.9, aspect=30, pad=0.01)
    bar.set_label(label)
    bar.outline.set_visible(False)


def _own_colorbar(fig: Figure, ax: Axes) -> None:
    """A slim colour bar beside one panel, for a panel on its own scale."""
    bar = fig.colorbar(ax.images[0], ax=ax, shrink=0.85, aspect=12, pad=0.03)
    bar.ax.tick_params(labelsize=6, length=2, pad=1)
    bar.outline.set_visible(False)


def _titles(titles: Sequence[str] | None, n: int) -> list[str] | None:
    return None if titles is None else check_strings("titles", titles, n)


def plot_filters(
    weight: object,
    *,
    title: str | None = None,
    ncols: int = 8,
    titles: Sequence[str] | None = None,
    shared: bool = True,
) -> Figure:
    """Draw every kernel of a conv layer's ``weight`` ``(out, in, kh, kw)``.

    The scale is symmetric about zero (white), so a kernel's sign pattern reads the same in
    every cell: orange is positive, purple negative. With ``shared=True`` (the default) every
    kernel is on one colour scale, with one colour bar, so a heavy kernel looks heavier
    than a light one; with ``shared=False`` each kernel has its own scale and colour bar,
    so a kernel of small weights (a blur of ninths beside a sharpening 5) keeps its
    pattern. A layer with one input channel is laid out in rows of ``ncols``; otherwise
    column ``o`` holds filter ``o``, one row per input channel. ``titles`` names the
    filters (one per output channel; default: their numbers).
    """
    w = as_array("weight", weight, ndim=4)
    ncols = check_int("ncols", ncols, minimum=1)
    shared = check_bool("shared", shared)
    out_ch, in_ch = w.shape[:2]
    names = _titles(titles, out_ch) or [str(o) for o in range(out_ch)]
    # row c, column o: the slice of filter o that reads input channel c
    kernels = w.transpose(1, 0, 2, 3).reshape(in_ch * out_ch, *w.shape[2:])
    cols = ncols if in_ch == 1 else out_ch
    cell = 0.9 if len(kernels) <= 8 else 0.7 if len(kernels) <= 32 else 0.45
    if not shared:
        cell = max(cell, 0.9) * 1.35  # room for a colour bar per kernel
    with book_style():
        fig, axes = image_grid(len(kernels), cols, cell=cell, title=title, titled=in_ch == 1)
        for i, (ax, k) in enumerate(zip(axes, kernels, strict=True)):
            limit = _symmetric_limit(w if shared else k)
            ax.imshow(k, cmap=sign_cmap("kernel"), vmin=-limit, vmax=limit, interpolation="nearest")
            for spine in ax.spines.values():
                spine.set(visible=True, color=INK, linewidth=0.5)
            c, o = divmod(i, out_ch)
            if in_ch == 1 or c == 0:
                ax.set_title(names[o], fontsize=8, pad=2)
            if in_ch > 1 and o == 0:
                ax.set_ylabel(f"in {c}", fontsize=8, rotation=0, ha="right", va="center")
            if not shared:
                _own_colorbar(fig, ax)
        if in_ch > 1:
            fig.supxlabel("filter (output channel)", fontsize=8)
        if shared:
            _colorbar(fig, axes, "weight")
    return fig


def plot_feature_maps(
    maps: object,
    *,
    title: str | None = None,
    ncols: int = 8,
    shared: bool = True,
    titles: Sequence[str] | None = None,
) -> Figure:
    """Draw the feature maps ``(C, H, W)`` (or ``(1, C, H, W)``) of one input, one per channel.

    White is zero, green positive, purple negative. With ``shared=True`` all channels use
    one colour scale and one colour bar, so a strong channel looks stronger than a weak
    one; with ``shared=False`` each map has its own scale and its own colour bar. ``titles``
    names the maps (default: "channel 0", "channel 1", ...).
    """
    arr = as_array("maps", maps, ndim=(3, 4))
    if arr.ndim == 4:
        if arr.shape[0] != 1:
            raise ValueError(
                f"maps must be (C, H, W) or a batch of one (1, C, H, W), got shape {arr.shape}"
            )
        arr = arr[0]
    ncols = check_int("ncols", ncols, minimum=1)
    shared = check_bool("shared", shared)
    names = _titles(titles, len(arr)) or [f"channel {c}" for c in range(len(arr))]
    with book_style():
        cell = 1.0 if len(arr) <= 16 else 0.8
        if not shared:
            cell *= 1.35  # room for a colour bar per map
        fig, axes = image_grid(len(arr), ncols, cell=cell, title=title, titled=True)
        for ax, fmap, name in zip(axes, arr, names, strict=True):
            scope = arr if shared else fmap
            signed = bool(np.any(scope < 0))
            limit = _symmetric_limit(scope)
            cmap = sign_cmap("output") if signed else magnitude_cmap("output")
            low = -limit if signed else 0.0
            ax.imshow(fmap, cmap=cmap, vmin=low, vmax=limit, interpolation="nearest")
            for spine in ax.spines.values():
                spine.set(visible=True, color=INK, linewidth=0.5)
            ax.set_title(name, fontsize=8, pad=2)
            if not shared:
                _own_colorbar(fig, ax)
        if shared:
            _colorbar(fig, axes, "activation")
    return fig
