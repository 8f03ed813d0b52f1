"""The convolution theorem: convolution is multiplication of Fourier transforms.

The discrete Fourier transform turns a *circular* convolution of length ``L``
into an element-wise product: ``DFT(x ⊛ w) = DFT(x) · DFT(w)``. To get the
ordinary (linear) convolution, zero-pad both signals to at least ``N + K - 1``
first, so that nothing wraps around; then crop to the ``mode`` as
:func:`convolve1d` does. For long kernels this costs ``O(L log L)`` instead of
``O(N K)``.

Any length from ``N + K - 1`` up gives the same result, so by default
(``fast_length=True``) the padded length is rounded up with ``scipy.fft.next_fast_len``
to one whose FFT is fast, a product of small primes. With ``fast_length=False`` the
transform has exactly ``N + K - 1`` points: NumPy's FFT handles any length, but one
that is a large prime (or has a large prime factor) takes several times as long as a
fast length nearby.
"""

from __future__ import annotations

import numpy as np
from scipy import fft as sp_fft

from cnnbook._checks import as_array, check_bool, check_choice, check_int
from cnnbook.ops.correlate import MODES, _check, crop_full

__all__ = ["fft_convolve1d", "fft_convolve1d_formula", "fft_convolve2d", "fft_length"]


def _check_circular(x: np.ndarray, k: np.ndarray, mode: object, circular: object) -> bool:
    """Validate ``mode`` and ``circular``; for a circular convolution, the kernel must fit."""
    check_choice("mode", mode, MODES)
    circular = check_bool("circular", circular)
    if circular and any(m > n for m, n in zip(k.shape, x.shape, strict=True)):
        raise ValueError(
            f"k has shape {k.shape}, larger than x {x.shape}; a circular convolution needs "
            "the kernel to fit in one period (the shape of x)"
        )
    return circular


def fft_length(n: int, k: int, fast_length: bool = True) -> int:
    """The transform length of a linear FFT convolution of ``n`` and ``k`` samples:
    ``n + k - 1``, rounded up to ``scipy.fft.next_fast_len`` when ``fast_length``."""
    size = check_int("n", n, minimum=1) + check_int("k", k, minimum=1) - 1  # nothing wraps
    if check_bool("fast_length", fast_length):
        return sp_fft.next_fast_len(size, real=True)
    return size


def fft_convolve1d(
    x: np.ndarray, k: np.ndarray, mode: str = "full", circular: bool = False, *,
    fast_length: bool = True,
) -> np.ndarray:
    """Convolution of 1-D arrays through the FFT; equals :func:`convolve1d` (``np.convolve``).

    The transform has :func:`fft_length` points: ``N + K - 1`` rounded up to a fast
    length, or exactly ``N + K - 1`` with ``fast_length=False`` (the result is the same;
    only the time differs). With ``circular=True`` the result is the circular convolution
    ``y[n] = sum_m x[(n - m) mod N] k[m]`` of period ``N = len(x)``: no zero padding,
    the signal wraps around, the transform has ``N`` points whatever ``fast_length``
    says. Every output then sees the whole kernel, so all modes coincide and the result
    has the shape of ``x``.
    """
    x, k = as_array("x", x, ndim=1), as_array("k", k, ndim=1)
    fast_length = check_bool("fast_length", fast_length)
    if _check_circular(x, k, mode, circular):
        return fft_convolve1d_formula(x, k, len(x))
    x, k = _check(x, k, mode, 1)
    n = len(x) + len(k) - 1
    full = fft_convolve1d_formula(x, k, fft_length(len(x), len(k), fast_length))[:n]
    return crop_full(full, x.shape, k.shape, mode, "convolve1d")


def fft_convolve1d_formula(
    x: np.ndarray, w: np.ndarray, P: int
) -> np.ndarray:
    """The circular convolution of length P by the convolution theorem:
    DFT(x ⊛ w) = DFT(x) · DFT(w), both zero-padded to length P.

    With P ≥ L + k − 1 nothing wraps around, and the first L + k − 1
    values are the linear convolution. Unchecked: call
    :func:`fft_convolve1d`.
    """
    X = np.fft.rfft(x, P)  # the DFT of x, zero-padded to length P
    W = np.fft.rfft(w, P)
    return np.fft.irfft(X * W, P)  # back to the signal's domain


def fft_convolve2d(
    x: np.ndarray, k: np.ndarray, mode: str = "full", circular: bool = False, *,
    fast_length: bool = True,
) -> np.ndarray:
    """2-D convolution through the 2-D FFT; equals :func:`convolve2d`
    (``scipy.signal.convolve2d`` with zero fill).

    Each axis is transformed at :func:`fft_length` points (exactly ``H + k_h - 1`` and
    ``W + k_w - 1`` with ``fast_length=False``). With ``circular=True``, the image wraps
    around in both directions (a torus): ``y[i, j] = sum_uv x[(i-u) mod H, (j-v) mod W]
    k[u, v]``, shaped like ``x``.
    """
    x, k = as_array("x", x, ndim=2), as_array("k", k, ndim=2)
    fast_length = check_bool("fast_length", fast_length)
    if _check_circular(x, k, mode, circular):
        return np.fft.irfft2(np.fft.rfft2(x) * np.fft.rfft2(k, x.shape), x.shape)
    x, k = _check(x, k, mode, 2)
    shape = tuple(n + m - 1 for n, m in zip(x.shape, k.shape, strict=True))
    lengths = tuple(fft_length(n, m, fast_length) for n, m in zip(x.shape, k.shape, strict=True))
    full = np.fft.irfft2(np.fft.rfft2(x, lengths) * np.fft.rfft2(k, lengths), lengths)
    return crop_full(full[: shape[0], : shape[1]], x.shape, k.shape, mode, "convolve2d")
