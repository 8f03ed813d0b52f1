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


def crop_full(full: np.ndarray, x_shape: tuple[int, ...], k_shape: tuple[int, ...],
              mode: str) -> np.ndarray:
    """Cut the ``mode`` part out of a full convolution (the centre, as NumPy and SciPy do)."""
    if mode == "full":
        return full
    index = []
    for n, k in zip(x_shape, k_shape, strict=True):
        start, length = ((k - 1) // 2, n) if mode == "same" else (k - 1, n - k + 1)
        index.append(slice(start, start + length))
    return full[tuple(index)]


def convolve1d_formula(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """The full convolution, term by term: y[n] = Σ_m x[m] w[n − m].

    n runs over 0, …, N + K − 2, and a product counts only where
    w[n − m] exists. Unchecked: call :func:`convolve1d_loop`.
    """
    N, K = len(x), len(w)
    y = np.zeros(N + K - 1, dtype=np.result_type(x, w))
    for n in range(N + K - 1):
        for m in range(N):
            if 0 <= n - m < K:
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
    return correlate1d_formula(pad1d(x, mode_padding(len(k), mode)), k)


def convolve1d_loop(x: np.ndarray, k: np.ndarray, mode: str = "full") -> np.ndarray:
    """:func:`convolve1d` as its formula (slow; for reading): the full convolution of
    :func:`convolve1d_formula`, cut to ``mode``. ``x`` counts as zero outside its range."""
    x, k = _check(x, k, mode, 1)
    return crop_full(convolve1d_formula(x, k), x.shape, k.shape, mode)


def correlate2d_loop(x: np.ndarray, k: np.ndarray, mode: str = "full") -> np.ndarray:
    """:func:`correlate2d` as its formula (slow; for reading): pad for ``mode``, then
    :func:`correlate2d_formula`, ``y[i, j] = sum_uv x[i+u-p, j+v-q] k[u, v]``."""
    x, k = _check(x, k, mode, 2)
    return correlate2d_formula(pad2d(x, _pad_widths2d(k.shape, mode, extra_left=False)), k)


def convolve2d_loop(x: np.ndarray, k: np.ndarray, mode: str = "full") -> np.ndarray:
    """:func:`convolve2d` by the loops of :func:`correlate2d_formula` with the kernel flipped,
    ``x * k = x ⋆ flip(k)`` (slow; for reading)."""
    x, k = _check(x, k, mode, 2)
    return correlate2d_formula(pad2d(x, _pad_widths2d(k.shape, mode, extra_left=True)), flip(k))
