"""Correlation and convolution of one signal with one kernel, in 1-D and 2-D.

*Correlation* slides the kernel over the signal as it is, ``y[n] = sum_m x[n+m] k[m]``;
*convolution* slides it flipped, ``y[n] = sum_m x[n-m] k[m]``. What deep learning
calls a convolution is the correlation. Three output sizes (``mode``), with zeros
outside the signal: ``"valid"`` (the kernel stays inside), ``"same"`` (as long as
the signal) and ``"full"`` (every overlap, however small).

For an even kernel, ``"same"`` has to drop one value more on one side than on the
other, and the references disagree on which: ``np.correlate`` pads more on the
left, ``scipy.signal.correlate2d`` (and PyTorch's ``padding="same"``) more on the
right. Each function here equals its reference: ``correlate1d``/``convolve1d``
equal ``np.correlate``/``np.convolve``, ``correlate2d``/``convolve2d`` equal
``scipy.signal.correlate2d``/``convolve2d``.
"""

from __future__ import annotations

import numpy as np

from cnnbook._checks import as_array, check_choice
from cnnbook.ops.padding import pad1d, pad2d
from cnnbook.ops.windows import sliding_windows1d, sliding_windows2d

__all__ = [
    "MODES",
    "convolve1d",
    "convolve1d_loop",
    "convolve2d",
    "convolve2d_loop",
    "correlate1d",
    "correlate1d_loop",
    "correlate2d",
    "correlate2d_loop",
    "flip",
    "mode_padding",
]

MODES = ("valid", "same", "full")


def flip(k: np.ndarray) -> np.ndarray:
    """Rotate a kernel by 180°: reverse a 1-D kernel, or the last two axes of a 2-D+ one.

    Convolving with ``k`` is correlating with ``flip(k)``, and the other way round.
    """
    k = as_array("k", k)
    return np.flip(k, axis=-1 if k.ndim == 1 else (-2, -1)).copy()


def mode_padding(size: int, mode: str, extra_left: bool = True) -> tuple[int, int]:
    """Zeros to add ``(before, after)`` so a *correlation* with a ``size`` kernel gives ``mode``.

    ``extra_left`` says which side gets the odd zero of an even kernel in ``"same"``
    (``np.correlate`` pads more on the left, SciPy's 2-D functions more on the right).
    """
    if mode == "valid":
        return 0, 0
    if mode == "full":
        return size - 1, size - 1
    small, large = (size - 1) // 2, size // 2
    return (large, small) if extra_left else (small, large)


def _pad_widths2d(shape: tuple[int, int], mode: str, extra_left: bool) -> tuple[int, ...]:
    """``(left, right, top, bottom)`` zeros for a 2-D correlation with a kernel of ``shape``."""
    return (*mode_padding(shape[1], mode, extra_left), *mode_padding(shape[0], mode, extra_left))


def _check(x: object, k: object, mode: object, ndim: int) -> tuple[np.ndarray, np.ndarray]:
    x = as_array("x", x, ndim=ndim)
    k = as_array("k", k, ndim=ndim)
    check_choice("mode", mode, MODES)
    if mode != "full" and any(m > n for m, n in zip(k.shape, x.shape, strict=True)):
        raise ValueError(
            f"k has shape {k.shape}, larger than x {x.shape}; mode {mode!r} needs the kernel "
            "to fit inside the input (only mode 'full' allows a larger kernel)"
        )
    return x, k


def correlate1d(x: np.ndarray, k: np.ndarray, mode: str = "valid") -> np.ndarray:
    """Cross-correlation ``y[n] = sum_m x[n+m] k[m]`` of 1-D arrays; equals ``np.correlate``.

    Vectorised: pad ``x`` for the mode, take every window and dot it with ``k``.
    """
    x, k = _check(x, k, mode, 1)
    padded = pad1d(x, mode_padding(k.size, mode, extra_left=True))
    return sliding_windows1d(padded, k.size) @ k


def convolve1d(x: np.ndarray, k: np.ndarray, mode: str = "full") -> np.ndarray:
    """Convolution ``y[n] = sum_m x[n-m] k[m]`` of 1-D arrays; equals ``np.convolve``.

    Vectorised: a correlation with the flipped kernel.
    """
    x, k = _check(x, k, mode, 1)
    padded = pad1d(x, mode_padding(k.size, mode, extra_left=True))
    return sliding_windows1d(padded, k.size) @ flip(k)


def correlate2d(x: np.ndarray, k: np.ndarray, mode: str = "full") -> np.ndarray:
    """2-D cross-correlation ``y[i, j] = sum_uv x[i+u, j+v] k[u, v]``; equals
    ``scipy.signal.correlate2d`` (zero fill)."""
    x, k = _check(x, k, mode, 2)
    padded = pad2d(x, _pad_widths2d(k.shape, mode, extra_left=False))
    return np.einsum("ijuv,uv->ij", sliding_windows2d(padded, k.shape), k)


def convolve2d(x: np.ndarray, k: np.ndarray, mode: str = "full") -> np.ndarray:
    """2-D convolution ``y[i, j] = sum_uv x[i-u, j-v] k[u, v]``; equals
    ``scipy.signal.convolve2d`` (zero fill). A correlation with the kernel rotated 180°."""
    x, k = _check(x, k, mode, 2)
    padded = pad2d(x, _pad_widths2d(k.shape, mode, extra_left=True))
    return np.einsum("ijuv,uv->ij", sliding_windows2d(padded, k.shape), flip(k))


def correlate1d_loop(x: np.ndarray, k: np.ndarray, mode: str = "valid") -> np.ndarray:
    """:func:`correlate1d` as its formula: ``y[n] = sum_m x[n + m - p] k[m]``.

    ``p`` is how far the first window starts left of ``x`` (0 for ``"valid"``);
    ``x`` counts as zero outside its range.
    """
    x, k = _check(x, k, mode, 1)
    p, q = mode_padding(len(k), mode, extra_left=True)
    y = np.zeros(len(x) + p + q - len(k) + 1, dtype=np.result_type(x, k))
    for n in range(len(y)):
        for m in range(len(k)):
            if 0 <= n + m - p < len(x):
                y[n] += x[n + m - p] * k[m]
    return y


def convolve1d_loop(x: np.ndarray, k: np.ndarray, mode: str = "full") -> np.ndarray:
    """:func:`convolve1d` as its formula: ``y[n] = sum_m x[n + s - m] k[m]``.

    ``s`` is where output 0 sits in the full convolution (0 for ``"full"``);
    ``x`` counts as zero outside its range.
    """
    x, k = _check(x, k, mode, 1)
    p, q = mode_padding(len(k), mode, extra_left=True)
    s = len(k) - 1 - p
    y = np.zeros(len(x) + p + q - len(k) + 1, dtype=np.result_type(x, k))
    for n in range(len(y)):
        for m in range(len(k)):
            if 0 <= n + s - m < len(x):
                y[n] += x[n + s - m] * k[m]
    return y


def correlate2d_loop(x: np.ndarray, k: np.ndarray, mode: str = "full") -> np.ndarray:
    """:func:`correlate2d` as its formula: ``y[i, j] = sum_uv x[i+u-p, j+v-q] k[u, v]``."""
    x, k = _check(x, k, mode, 2)
    (p, p_after), (q, q_after) = (mode_padding(size, mode, False) for size in k.shape)
    (H, W), (kh, kw) = x.shape, k.shape
    y = np.zeros((H + p + p_after - kh + 1, W + q + q_after - kw + 1), np.result_type(x, k))
    for i, j in np.ndindex(*y.shape):
        for u, v in np.ndindex(kh, kw):
            if 0 <= i + u - p < H and 0 <= j + v - q < W:
                y[i, j] += x[i + u - p, j + v - q] * k[u, v]
    return y


def convolve2d_loop(x: np.ndarray, k: np.ndarray, mode: str = "full") -> np.ndarray:
    """:func:`convolve2d` as its formula: ``y[i, j] = sum_uv x[i+s-u, j+t-v] k[u, v]``."""
    x, k = _check(x, k, mode, 2)
    (p, p_after), (q, q_after) = (mode_padding(size, mode, True) for size in k.shape)
    (H, W), (kh, kw) = x.shape, k.shape
    s, t = kh - 1 - p, kw - 1 - q
    y = np.zeros((H + p + p_after - kh + 1, W + q + q_after - kw + 1), np.result_type(x, k))
    for i, j in np.ndindex(*y.shape):
        for u, v in np.ndindex(kh, kw):
            if 0 <= i + s - u < H and 0 <= j + t - v < W:
                y[i, j] += x[i + s - u, j + t - v] * k[u, v]
    return y
