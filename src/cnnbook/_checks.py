"""Argument checks shared by the whole package.

Every public function validates its inputs with these, so a reader who passes a
bad value gets one clear ``TypeError``/``ValueError`` that names the argument,
its value and what is allowed, instead of an error from deep inside NumPy.
"""

from __future__ import annotations

from collections.abc import Iterable
from numbers import Integral, Real

import numpy as np


def check_int(name: str, value: object, *, minimum: int | None = None) -> int:
    """Return ``value`` as an ``int``; reject bools, floats and values below ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{name} must be an integer, got {value!r} ({type(value).__name__})")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value}")
    return value


def check_tuple(
    name: str, value: object, n: int, *, minimum: int | None = None
) -> tuple[int, ...]:
    """Return ``value`` as ``n`` ints: one int is repeated, a sequence must have length ``n``."""
    if isinstance(value, Iterable) and not isinstance(value, str | bytes):
        items = tuple(value)
        if len(items) != n:
            raise ValueError(
                f"{name} must be an integer or a sequence of {n} integers, got {value!r}"
            )
        return tuple(check_int(f"{name}[{i}]", v, minimum=minimum) for i, v in enumerate(items))
    return (check_int(name, value, minimum=minimum),) * n


def check_choice(name: str, value: object, choices: Iterable[object]) -> object:
    """Return ``value`` if it is one of ``choices``, else raise a ``ValueError`` listing them."""
    choices = tuple(choices)
    if not isinstance(value, str | int | float | type(None)) or value not in choices:
        allowed = ", ".join(repr(c) for c in choices)
        raise ValueError(f"{name} must be one of {allowed}; got {value!r}")
    return value


def check_real(name: str, value: object, *, positive: bool = False) -> float:
    """Return ``value`` as a float; reject non-numbers (and non-positive ones when asked)."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{name} must be a real number, got {value!r} ({type(value).__name__})")
    if positive and not value > 0:
        raise ValueError(f"{name} must be > 0, got {value}")
    return float(value)


def as_array(name: str, x: object, ndim: int | Iterable[int] | None = None) -> np.ndarray:
    """Return ``x`` as a floating-point NumPy array with one of the allowed numbers of dimensions.

    Integer input is converted to float64; float32 stays float32. Strings, objects,
    complex and boolean arrays are rejected with a ``TypeError``.
    """
    if hasattr(x, "detach") and hasattr(x, "numpy"):  # a torch tensor
        x = x.detach().cpu().numpy()
    try:
        arr = np.asarray(x)
    except ValueError as exc:  # ragged nested lists
        raise TypeError(f"{name} must be a rectangular array of numbers ({exc})") from None
    if arr.dtype.kind not in "iuf":
        raise TypeError(f"{name} must be an array of real numbers, got dtype {arr.dtype}")
    if arr.dtype.kind in "iu":
        arr = arr.astype(np.float64)
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if arr.ndim not in allowed:
            want = " or ".join(str(d) for d in allowed)
            raise ValueError(
                f"{name} must have {want} dimensions, got {arr.ndim} (shape {arr.shape})"
            )
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {arr.shape}")
    return arr


def check_bool(name: str, value: object) -> bool:
    """Return ``value`` as a ``bool``; only ``True`` and ``False`` (or NumPy's) are accepted."""
    if not isinstance(value, bool | np.bool_):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def as_batched(
    name: str, x: object, ndim: int, layout: str | None = None
) -> tuple[np.ndarray, bool]:
    """``x`` with ``ndim`` dimensions, or ``ndim - 1`` without the batch axis (one is added).

    Returns the batched array and whether ``x`` had its batch axis, so a result can be
    given back in the caller's shape with ``out if batched else out[0]``. ``layout``
    names the axes for the error message, e.g. ``"(N, C, H, W)"``.
    """
    arr = as_array(name, x)
    if arr.ndim not in (ndim - 1, ndim):
        axes = "" if layout is None else f" {layout.replace('(N, ', '(', 1)} or {layout}"
        raise ValueError(f"{name} must have {ndim - 1} or {ndim} dimensions{axes}, "
                         f"got {arr.ndim} (shape {arr.shape})")
    batched = arr.ndim == ndim
    return (arr if batched else arr[None]), batched


def as_map(name: str, value: object) -> np.ndarray:
    """``value`` as a 2-D float64 array, dropping axes of length 1 (a ``(1, 1, H, W)`` batch)."""
    a = np.squeeze(as_array(name, value)).astype(np.float64)
    if a.ndim != 2:
        raise ValueError(f"{name} must be a 2-D map (axes of length 1 aside), got shape "
                         f"{np.shape(value)}")
    return a


def check_strings(name: str, values: Iterable[object], n: int) -> list[str]:
    """``values`` as a list of exactly ``n`` strings (titles, labels)."""
    items = list(values)
    if len(items) != n or not all(isinstance(t, str) for t in items):
        raise ValueError(f"{name} must be {n} strings, got {items!r}")
    return items


def as_labels(name: str, y: object, n_classes: int | None = None) -> np.ndarray:
    """``y`` as a 1-D int64 array of class labels in ``[0, n_classes)``."""
    if hasattr(y, "detach"):  # a torch tensor
        y = y.detach().cpu().numpy()
    arr = np.asarray(y)
    if arr.dtype.kind not in "iu":
        raise TypeError(f"{name} must hold integer class labels, got dtype {arr.dtype}")
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-D (one label per example), got shape {arr.shape}")
    if n_classes is not None and arr.size and (arr.min() < 0 or arr.max() >= n_classes):
        bad = arr[(arr < 0) | (arr >= n_classes)][0]
        raise ValueError(f"{name} must hold labels in [0, {n_classes}), found {bad}")
    return arr.astype(np.int64)


def as_label_pair(
    y_true: object, y_pred: object, n_classes: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """True and predicted labels, checked with :func:`as_labels` and of the same length."""
    t = as_labels("y_true", y_true, n_classes)
    p = as_labels("y_pred", y_pred, n_classes)
    if len(t) != len(p):
        raise ValueError(f"y_true and y_pred must have the same length, got {len(t)} and {len(p)}")
    return t, p
