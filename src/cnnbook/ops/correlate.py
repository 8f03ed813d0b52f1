"""Correlation and convolution of one signal with one kernel, in 1-D and 2-D.

*Correlation* slides the kernel over the signal as it is, ``y[n] = sum_m x[n+m] w[m]``;
*convolution* slides it flipped, ``y[n] = sum_m x[n-m] w[m]``. What deep learning
calls a convolution is the correlation. Three output sizes (``mode``), with zeros
outside the signal: ``"full"`` (every overlap, however small), ``"valid"`` (only
the shifts at which one of the two lies wholly inside the other) and ``"same"``.
Every mode is a slice of the full output, which :func:`mode_window` locates.

Each function here equals its reference, including a kernel longer than the signal:
``correlate1d``/``convolve1d`` equal ``np.correlate``/``np.convolve``, and
``correlate2d``/``convolve2d`` equal ``scipy.signal.correlate2d``/``convolve2d``. The
references differ in two places, and so do the functions:

- ``"same"`` is ``max(N, K)`` long in NumPy and as large as ``x`` in SciPy;
- for an even kernel, ``"same"`` drops one value more on one side than on the other:
  ``np.correlate`` and ``np.convolve`` (and ``scipy.signal.convolve2d``) drop the extra
  value at the end, ``scipy.signal.correlate2d`` (like PyTorch's ``padding="same"``) at
  the start: it pads more on the right.

In ``"valid"`` mode a kernel larger than the signal swaps the roles (the signal slides
inside the kernel), as in both references; SciPy refuses a 2-D kernel larger than ``x``
along one axis and smaller along the other, and so do these functions.

In the formulas' own indices the full correlation starts at ``n = -(K - 1)`` and the full
convolution at ``n = 0``; the arrays returned here start at index 0 either way, so
``correlate1d(x, w, "full")[i]`` is ``(x ⋆ w)[i - (K - 1)]``, which is also
``convolve1d(x, flip(w), "full")[i]``.

The ``_loop`` twins check their arguments and call a ``_formula`` function: the sum itself,
term by term, in the book's symbols (``x``, ``w``, ``y``, ``n``, ``m``), unchecked.
"""

from __future__ import annotations

import numpy as np

from cnnbook._checks import as_array, check_choice
from cnnbook.ops.padding import pad1d, pad2d
from cnnbook.ops.windows import sliding_windows1d, sliding_windows2d

__all__ = [
    "MODES",
    "REFERENCES",
    "convolve1d",
    "convolve1d_formula",
    "convolve1d_loop",
    "convolve2d",
    "convolve2d_loop",
    "correlate1d",
    "correlate1d_formula",
    "correlate1d_loop",
    "correlate2d",
    "correlate2d_formula",
    "correlate2d_loop",
    "crop_full",
    "flip",
    "mode_padding",
    "mode_window",
]

MODES = ("valid", "same", "full")

#: The function of NumPy or SciPy whose modes each operation follows.
REFERENCES = {
    "correlate1d": "np.correlate",
    "convolve1d": "np.convolve",
    "correlate2d": "scipy.signal.correlate2d",
    "convolve2d": "scipy.signal.convolve2d",
}


def flip(k: np.ndarray) -> np.ndarray:
    """Rotate a kernel by 180°: reverse a 1-D kernel, or the last two axes of a 2-D+ one.

    Convolving with ``k`` is correlating with ``flip(k)``, and the other way round, as
    arrays: in the formulas' indices the two results are ``K - 1`` places apart (see the
    module docstring).
    """
    k = as_array("k", k)
    return np.flip(k, axis=-1 if k.ndim == 1 else (-2, -1)).copy()


def mode_window(n: int, k: int, mode: str, op: str) -> tuple[int, int]:
    """``(start, length)`` of the ``mode`` output inside the full output of ``op``.

    Along one axis, for a signal of ``n`` and a kernel of ``k`` samples, ``op`` one of
    :data:`REFERENCES` (whose reference's rules it follows). The full output has
    ``n + k - 1`` values; ``"valid"`` starts at ``min(n, k) - 1`` and keeps
    ``|n - k| + 1``; ``"same"`` keeps ``max(n, k)`` (NumPy) or ``n`` (SciPy) values.
    """
    check_choice("mode", mode, MODES)
    check_choice("op", op, tuple(REFERENCES))
    if mode == "full":
        return 0, n + k - 1
    if mode == "valid":
        return min(n, k) - 1, abs(n - k) + 1
    if op == "correlate2d":
        return k // 2, n
    if op == "convolve2d":
        return (k - 1) // 2, n
    if op == "correlate1d" and k > n:  # NumPy swaps the arrays and reverses the result
        return n // 2, k
    return (min(n, k) - 1) // 2, max(n, k)


def mode_padding(n: int, k: int, mode: str, op: str) -> tuple[int, int]:
    """Zeros ``(before, after)`` to add to ``x`` so that a *valid* correlation with a ``k``
    kernel gives the ``mode`` output of ``op`` (see :func:`mode_window`); never negative."""
    start, length = mode_window(n, k, mode, op)
    before = k - 1 - start
    return before, length + k - 1 - n - before


def _pad_widths2d(x_shape: tuple[int, ...], k_shape: tuple[int, ...], mode: str,
                  op: str) -> tuple[int, ...]:
    """``(left, right, top, bottom)`` zeros for a 2-D correlation that gives ``mode``."""
    (top, bottom), (left, right) = (mode_padding(n, k, mode, op)
                                    for n, k in zip(x_shape, k_shape, strict=True))
    return left, right, top, bottom


def _check(x: object, k: object, mode: object, ndim: int) -> tuple[np.ndarray, np.ndarray]:
    x = as_array("x", x, ndim=ndim)
    k = as_array("k", k, ndim=ndim)
    check_choice("mode", mode, MODES)
    larger = [m > n for m, n in zip(k.shape, x.shape, strict=True)]
    smaller = [m < n for m, n in zip(k.shape, x.shape, strict=True)]
    if mode == "valid" and any(larger) and any(smaller):
        raise ValueError(
            f"k has shape {k.shape} and x {x.shape}; mode 'valid' needs one of them at least "
            "as large as the other on every axis (as scipy.signal.correlate2d does)"
        )
    return x, k


def correlate1d(x: np.ndarray, k: np.ndarray, mode: str = "valid") -> np.ndarray:
    """Cross-correlation ``y[n] = sum_m x[n+m] k[m]`` of 1-D arrays; equals ``np.correlate``.

    Vectorised: pad ``x`` for the mode, take every window and dot it with ``k``. The
    padding zeros are multiplied too: in ``"full"`` mode ``(N + K - 1) K`` multiply-adds,
    where the sum itself has ``N K`` terms.
    """
    x, k = _check(x, k, mode, 1)
    padded = pad1d(x, mode_padding(x.size, k.size, mode, "correlate1d"))
    return sliding_windows1d(padded, k.size) @ k


def convolve1d(x: np.ndarray, k: np.ndarray, mode: str = "full") -> np.ndarray:
    """Convolution ``y[n] = sum_m x[n-m] k[m]`` of 1-D arrays; equals ``np.convolve``.

    Vectorised: a correlation with the flipped kernel, over ``x`` padded for the mode
    (in ``"full"`` mode ``K - 1`` zeros on each side, so ``(N + K - 1) K`` multiply-adds,
    padding zeros included, where ``np.convolve`` does the ``N K`` of the sum).
    """
    x, k = _check(x, k, mode, 1)
    padded = pad1d(x, mode_padding(x.size, k.size, mode, "convolve1d"))
    return sliding_windows1d(padded, k.size) @ flip(k)


def correlate2d(x: np.ndarray, k: np.ndarray, mode: str = "full") -> np.ndarray:
    """2-D cross-correlation ``y[i, j] = sum_uv x[i+u, j+v] k[u, v]``; equals
    ``scipy.signal.correlate2d`` (zero fill)."""
    x, k = _check(x, k, mode, 2)
    padded = pad2d(x, _pad_widths2d(x.shape, k.shape, mode, "correlate2d"))
    return np.einsum("ijuv,uv->ij", sliding_windows2d(padded, k.shape), k)


def convolve2d(x: np.ndarray, k: np.ndarray, mode: str = "full") -> np.ndarray:
    """2-D convolution ``y[i, j] = sum_uv x[i-u, j-v] k[u, v]``; equals
    ``scipy.signal.convolve2d`` (zero fill). A correlation with the kernel rotated 180°."""
    x, k = _check(x, k, mode, 2)
    padded = pad2d(x, _pad_widths2d(x.shape, k.shape, mode, "convolve2d"))
    return np.einsum("ijuv,uv->ij", sliding_windows2d(padded, k.shape), flip(k))


def crop_full(full: np.ndarray, x_shape: tuple[int, ...], k_shape: tuple[int, ...],
              mode: str, op: str) -> np.ndarray:
    """Cut the ``mode`` part of ``op`` out of a full convolution (see :func:`mode_window`)."""
    index = []
    for n, k in zip(x_shape, k_shape, strict=True):
        start, length = mode_window(n, k, mode, op)
        index.append(slice(start, start + length))
    return full[tuple(index)]


def convolve1d_formula(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """The full convolution, term by term: y[n] = Σ_m x[m] w[n − m].

    n runs over 0, …, L + k − 2 (L samples of x, k taps of w), and a
    product counts only where w[n − m] exists. Unchecked: call
    :func:`convolve1d_loop`.
    """
    L, k = len(x), len(w)
    y = np.zeros(L + k - 1, dtype=np.result_type(x, w))
    for n in range(L + k - 1):
        for m in range(L):
            if 0 <= n - m < k:
                y[n] += x[m] * w[n - m]
    return y


def correlate1d_formula(x_p: np.ndarray, w: np.ndarray) -> np.ndarray:
    """The valid correlation of a padded signal: y[n] = Σ_m x_p[n + m] w[m].

    Unchecked: call :func:`correlate1d_loop`, which pads for the mode.
    """
    y = np.zeros(len(x_p) - len(w) + 1, dtype=np.result_type(x_p, w))
    for n in range(len(y)):
        for m in range(len(w)):
            y[n] += x_p[n + m] * w[m]
    return y


def correlate2d_formula(x_p: np.ndarray, w: np.ndarray) -> np.ndarray:
    """The valid 2-D correlation: y[i, j] = Σ_{u,v} x_p[i + u, j + v] w[u, v].

    Unchecked: call :func:`correlate2d_loop`, which pads for the mode.
    """
    (H_p, W_p), (k_h, k_w) = x_p.shape, w.shape
    y = np.zeros((H_p - k_h + 1, W_p - k_w + 1), np.result_type(x_p, w))
    for i, j in np.ndindex(*y.shape):
        for u, v in np.ndindex(k_h, k_w):
            y[i, j] += x_p[i + u, j + v] * w[u, v]
    return y


def correlate1d_loop(x: np.ndarray, k: np.ndarray, mode: str = "valid") -> np.ndarray:
    """:func:`correlate1d` as its formula (slow; for reading): pad for ``mode``, then
    :func:`correlate1d_formula`. ``x`` counts as zero outside its range."""
    x, k = _check(x, k, mode, 1)
    return correlate1d_formula(pad1d(x, mode_padding(len(x), len(k), mode, "correlate1d")), k)


def convolve1d_loop(x: np.ndarray, k: np.ndarray, mode: str = "full") -> np.ndarray:
    """:func:`convolve1d` as its formula (slow; for reading): the full convolution of
    :func:`convolve1d_formula`, cut to ``mode``. ``x`` counts as zero outside its range."""
    x, k = _check(x, k, mode, 1)
    return crop_full(convolve1d_formula(x, k), x.shape, k.shape, mode, "convolve1d")


def correlate2d_loop(x: np.ndarray, k: np.ndarray, mode: str = "full") -> np.ndarray:
    """:func:`correlate2d` as its formula (slow; for reading): pad for ``mode``, then
    :func:`correlate2d_formula`, ``y[i, j] = sum_uv x[i+u-p, j+v-q] k[u, v]``."""
    x, k = _check(x, k, mode, 2)
    return correlate2d_formula(pad2d(x, _pad_widths2d(x.shape, k.shape, mode, "correlate2d")), k)


def convolve2d_loop(x: np.ndarray, k: np.ndarray, mode: str = "full") -> np.ndarray:
    """:func:`convolve2d` by the loops of :func:`correlate2d_formula` with the kernel flipped,
    ``x * k = x ⋆ flip(k)`` (slow; for reading)."""
    x, k = _check(x, k, mode, 2)
    padded = pad2d(x, _pad_widths2d(x.shape, k.shape, mode, "convolve2d"))
    return correlate2d_formula(padded, flip(k))
