"""The convolution theorem: convolution is multiplication of Fourier transforms.

The discrete Fourier transform turns a *circular* convolution of length ``N``
into an element-wise product: ``DFT(x ⊛ k) = DFT(x) · DFT(k)``. To get the
ordinary (linear) convolution, zero-pad both signals to at least ``N + K - 1``
first, so that nothing wraps around; then crop to the ``mode`` as
:func:`convolve1d` does. For long kernels this costs ``O(n log n)`` instead of
``O(N K)``. Any length from ``N + K - 1`` up gives the same result, so the padded
length is rounded up to one whose FFT is fast (a product of small primes): an FFT
of prime length can be several times slower than its neighbours.
"""

from __future__ import annotations

import numpy as np
from scipy import fft as sp_fft

from cnnbook._checks import as_array, check_bool, check_choice
from cnnbook.ops.correlate import MODES, _check, crop_full

__all__ = ["fft_convolve1d", "fft_convolve1d_formula", "fft_convolve2d"]


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


def fft_convolve1d(
    x: np.ndarray, k: np.ndarray, mode: str = "full", circular: bool = False
) -> np.ndarray:
    """Convolution of 1-D arrays through the FFT; equals :func:`convolve1d` (``np.convolve``).

    With ``circular=True`` the result is the circular convolution
    ``y[n] = sum_m x[(n - m) mod N] k[m]`` of period ``N = len(x)``: no zero padding,
    the signal wraps around. Every output then sees the whole kernel, so all modes
    coincide and the result has the shape of ``x``.
    """
    x, k = as_array("x", x, ndim=1), as_array("k", k, ndim=1)
    if _check_circular(x, k, mode, circular):
        return fft_convolve1d_formula(x, k, len(x))
    x, k = _check(x, k, mode, 1)
    n = len(x) + len(k) - 1  # room for every output: nothing wraps around
    full = fft_convolve1d_formula(x, k, sp_fft.next_fast_len(n, real=True))[:n]
    return crop_full(full, x.shape, k.shape, mode)


def fft_convolve1d_formula(
    x: np.ndarray, w: np.ndarray, L: int
) -> np.ndarray:
    """The circular convolution of length L by the convolution theorem:
    DFT(x ⊛ w) = DFT(x) · DFT(w), both zero-padded to length L.

    With L ≥ N + K − 1 nothing wraps around, and the first N + K − 1
    values are the linear convolution. Unchecked: call
    :func:`fft_convolve1d`.
    """
    X = np.fft.rfft(x, L)  # the DFT of x, zero-padded to length L
    W = np.fft.rfft(w, L)
    return np.fft.irfft(X * W, L)  # back to the signal's domain


def fft_convolve2d(
    x: np.ndarray, k: np.ndarray, mode: str = "full", circular: bool = False
) -> np.ndarray:
    """2-D convolution through the 2-D FFT; equals :func:`convolve2d`
    (``scipy.signal.convolve2d`` with zero fill).

    With ``circular=True``, the image wraps around in both directions (a torus):
    ``y[i, j] = sum_uv x[(i-u) mod H, (j-v) mod W] k[u, v]``, shaped like ``x``.
    """
    x, k = as_array("x", x, ndim=2), as_array("k", k, ndim=2)
    if _check_circular(x, k, mode, circular):
        return np.fft.irfft2(np.fft.rfft2(x) * np.fft.rfft2(k, x.shape), x.shape)
    x, k = _check(x, k, mode, 2)
    shape = tuple(n + m - 1 for n, m in zip(x.shape, k.shape, strict=True))
    fast = tuple(sp_fft.next_fast_len(n, real=True) for n in shape)
    full = np.fft.irfft2(np.fft.rfft2(x, fast) * np.fft.rfft2(k, fast), fast)
    return crop_full(full[: shape[0], : shape[1]], x.shape, k.shape, mode)
