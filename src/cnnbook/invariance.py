"""Shifting an image and measuring how much a layer's output changes when it moves.

A convolution is *equivariant* to shifts: move the input and the output moves with it.
Pooling makes a network *approximately invariant*: after it, a small shift changes the
output only a little. This module supplies the two tools the book measures that with:
:func:`shift_image`, an exact whole-pixel shift, and :func:`shift_sensitivity`, the relative
change of every stage of a pipeline when its input is shifted. :func:`map_changes` compares
the maps of shifted copies with the maps of the original, cell by cell.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np

from cnnbook._checks import as_array, as_map, check_int, check_real, check_tuple

__all__ = ["map_changes", "relative_change", "shift_image", "shift_sensitivity"]

#: A layer of a pipeline: a function of the previous stage, or ``(source, function)``.
Layer = Callable[[np.ndarray], object] | tuple[str, Callable[[np.ndarray], object]]


def shift_image(x: object, down: int = 0, right: int = 0, fill: float = 0.0) -> np.ndarray:
    """Move ``x`` by whole pixels along its last two axes: ``down`` rows and ``right`` columns.

    Negative values move up or left. Pixels pushed over the edge are lost and the cells
    they leave are set to ``fill`` (nothing wraps around), so that
    ``shift_image(x, a, b)[..., i, j] == x[..., i - a, j - b]`` wherever ``i - a`` and
    ``j - b`` lie inside ``x``. Works on ``(H, W)``, ``(C, H, W)`` and ``(N, C, H, W)``.
    """
    x = as_array("x", x, ndim=(2, 3, 4))
    down, right = check_int("down", down), check_int("right", right)
    fill = check_real("fill", fill)
    height, width = x.shape[-2:]
    out = np.full_like(x, fill)
    if abs(down) >= height or abs(right) >= width:
        return out
    src_rows = slice(max(0, -down), height - max(0, down))
    dst_rows = slice(max(0, down), height - max(0, -down))
    src_cols = slice(max(0, -right), width - max(0, right))
    dst_cols = slice(max(0, right), width - max(0, -right))
    out[..., dst_rows, dst_cols] = x[..., src_rows, src_cols]
    return out


def relative_change(before: object, after: object) -> np.ndarray:
    """``‖after − before‖ / ‖before‖`` for every example of a batch (the first axis).

    Both arrays have shape ``(N, ...)``; the norm is the Euclidean norm over all other
    axes, so one number per example comes back, shape ``(N,)``. An example whose
    ``before`` is all zeros has no scale to compare with: its entry is ``nan``.
    """
    before = as_array("before", before)
    after = as_array("after", after)
    if before.shape != after.shape or before.ndim < 1:
        raise ValueError(
            f"before and after must have the same shape (N, ...), got {before.shape} "
            f"and {after.shape}"
        )
    n = before.shape[0]
    scale = np.linalg.norm(before.reshape(n, -1), axis=1)
    diff = np.linalg.norm((after - before).reshape(n, -1), axis=1)
    out = np.full(n, np.nan)
    np.divide(diff, scale, out=out, where=scale > 0)
    return out


def _stages(x: np.ndarray, layers: Mapping[str, tuple[str, Callable]]) -> dict[str, np.ndarray]:
    """The input and the output of every layer, each applied to the stage it reads from."""
    outputs = {"input": x}
    for name, (source, layer) in layers.items():
        outputs[name] = as_array(f"the output of layer {name!r}", layer(outputs[source]))
    return outputs


def _wiring(layers: object) -> dict[str, tuple[str, Callable]]:
    """Check ``layers`` and name the stage every layer reads from."""
    if not isinstance(layers, Mapping) or not layers:
        raise TypeError(f"layers must be a non-empty mapping of name to function, got {layers!r}")
    wiring, previous = {}, "input"
    for name, entry in layers.items():
        if name == "input":
            raise ValueError("layers must not use the name 'input': it is kept for the images")
        source, layer = entry if isinstance(entry, tuple) else (previous, entry)
        if source not in wiring and source != "input":
            raise ValueError(
                f"layer {name!r} reads from {source!r}, which is neither 'input' nor a layer "
                f"listed before it"
            )
        if not callable(layer):
            raise TypeError(f"layer {name!r} must be callable, got {layer!r}")
        wiring[name], previous = (source, layer), name
    return wiring


def shift_sensitivity(
    images: object,
    layers: Mapping[str, Layer],
    shifts: Sequence[int | tuple[int, int]],
) -> dict[str, np.ndarray]:
    """How much each stage of a pipeline changes when its input images are shifted.

    ``images`` is a batch ``(N, C, H, W)``; ``layers`` maps a name to a function, and the
    functions are applied one after the other (a convolution, then ReLU, then pooling, ...).
    A side branch is written ``name: (source, function)``: that function reads the output
    of the earlier layer ``source`` (or ``"input"``) instead of the one just before it.
    ``shifts`` lists the shifts to try: an int moves the images that many pixels to the
    right, a pair ``(down, right)`` moves them in both directions. Returns, for ``"input"``
    and for every layer name, an array of shape ``(len(shifts), N)``: the
    :func:`relative_change` of that stage's output, shifted input against original input.
    """
    images = as_array("images", images, ndim=4)
    wiring = _wiring(layers)
    pairs = [
        (0, check_int("shifts", s)) if not isinstance(s, Sequence) else check_tuple("shifts", s, 2)
        for s in shifts
    ]
    if not pairs:
        raise ValueError("shifts must list at least one shift, got an empty sequence")
    reference = _stages(images, wiring)
    result = {name: np.empty((len(pairs), len(images))) for name in reference}
    for row, (down, right) in enumerate(pairs):
        moved = _stages(shift_image(images, down, right), wiring)
        for name, before in reference.items():
            result[name][row] = relative_change(before, moved[name])
    return result


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
    rows = {k: [as_map(f"stages[{k!r}][{i}]", m) for i, m in enumerate(stages[k])] for k in keys}
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
