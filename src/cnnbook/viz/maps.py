"""Feature maps next to each other: signed responses on one scale, and what a shift changed.

``show_signed_maps`` puts an image beside several signed responses to it, all on one
symmetric colour scale, so that equal maps look equal and a sign error shows as swapped
colours. ``map_changes`` and ``show_shift_changes`` take the maps of an image and of shifted
copies of it, and show, on each map's own brightness scale, how much every cell changed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from cnnbook._checks import as_array, check_real
from cnnbook.viz.images import show_images
from cnnbook.viz.style import book_style, sign_cmap

__all__ = ["map_changes", "show_shift_changes", "show_signed_maps"]


def _as_map(name: str, value: object) -> np.ndarray:
    """``value`` as a 2-D array, after dropping axes of length 1 (a ``(1, 1, H, W)`` batch)."""
    a = np.squeeze(as_array(name, value)).astype(np.float64)
    if a.ndim != 2:
        raise ValueError(f"{name} must be a 2-D map (axes of length 1 aside), got shape "
                         f"{np.shape(value)}")
    return a


def _check_titles(titles: Sequence[str], n: int) -> list[str]:
    titles = list(titles)
    if len(titles) != n or not all(isinstance(t, str) for t in titles):
        raise ValueError(f"titles must be {n} strings, one per map, got {titles!r}")
    return titles


def show_signed_maps(
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
    picture = _as_map("image", image)
    if isinstance(maps, str | np.ndarray) or not isinstance(maps, Sequence) or not maps:
        raise TypeError(f"maps must be a non-empty list of 2-D arrays, got {type(maps).__name__}")
    arrays = [_as_map(f"maps[{i}]", m) for i, m in enumerate(maps)]
    titles = _check_titles(titles, len(arrays))
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


def map_changes(stages: Mapping[object, Sequence[object]]) -> list[list[np.ndarray]]:
    """Rows of panels: the first entry's maps, then how much each other entry's maps differ.

    ``stages`` maps a key (a shift, say) to the same list of maps for each key; the first
    key is the reference. Row 0 holds the reference maps, each divided by its own maximum
    (1 if it is not positive); every later row holds ``|map - reference|`` on that same
    scale, so 0 means unchanged and 1 a change as large as the reference's brightest cell.
    """
    if not isinstance(stages, Mapping) or len(stages) < 2:
        raise TypeError(
            f"stages must be a mapping with a reference and at least one other entry, "
            f"got {stages!r}"
        )
    keys = list(stages)
    rows = {k: [_as_map(f"stages[{k!r}][{i}]", m) for i, m in enumerate(stages[k])] for k in keys}
    reference = rows[keys[0]]
    for k in keys[1:]:
        shapes = [m.shape for m in rows[k]]
        if shapes != [m.shape for m in reference]:
            raise ValueError(
                f"stages[{k!r}] must hold maps shaped like the reference "
                f"{[m.shape for m in reference]}, got {shapes}"
            )
    tops = [float(m.max()) if m.max() > 0 else 1.0 for m in reference]
    out = [[m / t for m, t in zip(reference, tops, strict=True)]]
    for k in keys[1:]:
        out.append([np.abs(m - m0) / t for m, m0, t in zip(rows[k], reference, tops, strict=True)])
    return out


def show_shift_changes(
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
    titles = _check_titles(titles, len(rows[0]))
    labels = titles + [f"change, shift {k} px" for k in list(stages)[1:] for _ in titles]
    panels = [m for row in rows for m in row]
    return show_images(panels, labels=labels, ncols=len(titles), cell=cell, vmin=0, vmax=1)
