"""Padding: how a convolution sees past the border of its input.

Four ways to invent the missing values, as in ``torch.nn.functional.pad``:
``"zeros"`` (a constant, alias ``"constant"``), ``"reflect"`` (mirror without
repeating the edge), ``"replicate"`` (repeat the edge) and ``"circular"`` (wrap
around, as if the signal were periodic). As ``torch.nn.functional.pad`` does, both take
an array whose first axis (a batch) has length 0 and return it padded, still empty.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from cnnbook._checks import as_array, check_choice, check_int, check_real
from cnnbook.ops._batch import empty_batch_ok

__all__ = ["PAD_MODES", "pad1d", "pad2d"]

PAD_MODES = ("zeros", "constant", "reflect", "replicate", "circular")
_NUMPY_MODE = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}


def _pad_widths(padding: object, n_axes: int) -> tuple[tuple[int, int], ...]:
    """Turn ``padding`` into ``(before, after)`` per axis, first axis first.

    Accepted: one int (everywhere), one int per axis, or torch's flat tuple that
    starts with the *last* axis: ``(left, right[, top, bottom])``.
    """
    allowed = "an integer" + (", a pair (ph, pw)" if n_axes == 2 else "")
    allowed += f" or a {2 * n_axes}-tuple " + ("(left, right)" if n_axes == 1 else
                                               "(left, right, top, bottom)")
    if isinstance(padding, Sequence) and not isinstance(padding, str):
        items = [check_int(f"padding[{i}]", p, minimum=0) for i, p in enumerate(padding)]
        if len(items) == 2 * n_axes:
            flat = iter(items)
            return tuple(reversed([(b, a) for b, a in zip(flat, flat, strict=True)]))
        if len(items) == n_axes:
            return tuple((p, p) for p in items)
        raise ValueError(f"padding must be {allowed}, got {padding!r}")
    p = check_int("padding", padding, minimum=0)
    return ((p, p),) * n_axes


def _pad(x: object, padding: object, mode: str, value: float, n_axes: int) -> np.ndarray:
    x = as_array("x", x)
    if x.ndim < n_axes:
        raise ValueError(
            f"x must have at least {n_axes} dimensions, got {x.ndim} (shape {x.shape})"
        )
    widths = _pad_widths(padding, n_axes)
    check_choice("mode", mode, PAD_MODES)
    value = check_real("value", value)
    if mode in ("zeros", "constant"):
        pads = ((0, 0),) * (x.ndim - n_axes) + widths
        return np.pad(x, pads, mode="constant", constant_values=value)
    if value != 0:
        raise ValueError(f"value is only used by mode 'zeros'/'constant', got {value} with "
                         f"mode {mode!r}")
    for axis, (before, after) in zip(range(-n_axes, 0), widths, strict=True):
        size = x.shape[axis]
        # reflect mirrors without the edge value, so it has only size-1 values to offer
        limit, rule = (size - 1, "smaller than") if mode == "reflect" else (size, "at most")
        if mode != "replicate" and max(before, after) > limit:
            raise ValueError(
                f"padding {(before, after)} on axis {axis} must be {rule} the input size "
                f"{size} for mode {mode!r}"
            )
    pads = ((0, 0),) * (x.ndim - n_axes) + widths
    return np.pad(x, pads, mode=_NUMPY_MODE[mode])


@empty_batch_ok(tuple(range(2, 33)))
def pad1d(
    x: np.ndarray, padding: int | Sequence[int], mode: str = "zeros", value: float = 0.0
) -> np.ndarray:
    """Pad the last axis of ``x`` by ``padding`` (int, or ``(left, right)``).

    Equal to ``torch.nn.functional.pad(x, (left, right), mode)``, with ``"zeros"``
    for torch's ``"constant"``. Padding must be non-negative; ``"reflect"`` needs it
    smaller than the input, ``"circular"`` at most the input size.
    """
    return _pad(x, padding, mode, value, 1)


@empty_batch_ok(tuple(range(3, 33)))
def pad2d(
    x: np.ndarray, padding: int | Sequence[int], mode: str = "zeros", value: float = 0.0
) -> np.ndarray:
    """Pad the last two axes of ``x``.

    ``padding`` is one int (all four sides), a pair ``(ph, pw)`` (top and bottom get
    ``ph``, left and right ``pw``: the convention of ``conv2d``) or torch's 4-tuple
    ``(left, right, top, bottom)``. Equal to ``torch.nn.functional.pad``.
    """
    return _pad(x, padding, mode, value, 2)
