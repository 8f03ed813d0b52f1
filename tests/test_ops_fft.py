"""The convolution theorem: FFT convolution equals the direct one, linear and circular."""

import numpy as np
import pytest
import scipy.signal
from hypothesis import given, settings
from hypothesis import strategies as st

from cnnbook.ops import convolve1d, convolve2d, fft_convolve1d, fft_convolve2d, pad1d, pad2d

MODES = ["valid", "same", "full"]
TOL = {"rtol": 1e-10, "atol": 1e-10}


def _random(seed: int, *shape: int) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape)


@settings(max_examples=60)
@given(n=st.integers(1, 20), m=st.integers(1, 20), mode=st.sampled_from(MODES),
       seed=st.integers(0, 2**16))
def test_fft_convolve1d_equals_direct(n, m, mode, seed):
    x, k = _random(seed, n), _random(seed + 1, m)
    if m > n and mode != "full":
        with pytest.raises(ValueError, match="needs the kernel to fit"):
            fft_convolve1d(x, k, mode)
        return
    ours = fft_convolve1d(x, k, mode)
    np.testing.assert_allclose(ours, np.convolve(x, k, mode), **TOL)
    np.testing.assert_allclose(ours, convolve1d(x, k, mode), **TOL)


@settings(max_examples=60)
@given(h=st.integers(1, 9), w=st.integers(1, 9), kh=st.integers(1, 5), kw=st.integers(1, 5),
       mode=st.sampled_from(MODES), seed=st.integers(0, 2**16))
def test_fft_convolve2d_equals_direct(h, w, kh, kw, mode, seed):
    x, k = _random(seed, h, w), _random(seed + 1, kh, kw)
    if (kh > h or kw > w) and mode != "full":
        with pytest.raises(ValueError, match="needs the kernel to fit"):
            fft_convolve2d(x, k, mode)
        return
    ours = fft_convolve2d(x, k, mode)
    np.testing.assert_allclose(ours, scipy.signal.convolve2d(x, k, mode), **TOL)
    np.testing.assert_allclose(ours, convolve2d(x, k, mode), **TOL)


@settings(max_examples=40)
@given(n=st.integers(1, 16), data=st.data())
def test_circular_convolution_is_the_wrapped_sum(n, data):
    m = data.draw(st.integers(1, n))
    x, k = _random(n, n), _random(m + 7, m)
    wrapped = [sum(x[(i - j) % n] * k[j] for j in range(m)) for i in range(n)]
    for mode in MODES:
        np.testing.assert_allclose(fft_convolve1d(x, k, mode, circular=True), wrapped, **TOL)
    # the same thing as a direct convolution of the circularly padded signal
    direct = convolve1d(pad1d(x, (m - 1, 0), "circular"), k, "valid")
    np.testing.assert_allclose(fft_convolve1d(x, k, circular=True), direct, **TOL)


@settings(max_examples=30)
@given(h=st.integers(1, 7), w=st.integers(1, 7), data=st.data())
def test_circular_convolution2d_wraps_both_axes(h, w, data):
    kh, kw = data.draw(st.integers(1, h)), data.draw(st.integers(1, w))
    x, k = _random(h * w, h, w), _random(kh + 10 * kw, kh, kw)
    direct = convolve2d(pad2d(x, (kw - 1, 0, kh - 1, 0), "circular"), k, "valid")
    np.testing.assert_allclose(fft_convolve2d(x, k, circular=True), direct, **TOL)


def test_zero_padding_is_what_prevents_wrap_around():
    x, k = _random(0, 8), _random(1, 3)
    circular = fft_convolve1d(x, k, circular=True)
    linear = fft_convolve1d(x, k)
    # the last K-1 outputs of the linear convolution wrap onto the first ones
    wrapped = linear[:8].copy()
    wrapped[:2] += linear[8:]
    np.testing.assert_allclose(circular, wrapped, **TOL)
    assert not np.allclose(circular, linear[:8])


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: fft_convolve1d(np.ones(3), np.ones(4), circular=True), ValueError,
         r"k has shape \(4,\), larger than x \(3,\); a circular convolution needs"),
        (lambda: fft_convolve1d(np.ones(3), np.ones(2), circular=1), TypeError,
         r"circular must be True or False, got 1"),
        (lambda: fft_convolve1d(np.ones(3), np.ones(2), "circular"), ValueError,
         r"mode must be one of 'valid', 'same', 'full'; got 'circular'"),
        (lambda: fft_convolve2d(np.ones(3), np.ones((2, 2))), ValueError,
         r"x must have 2 dimensions, got 1"),
        (lambda: fft_convolve2d(np.ones((3, 3)), np.ones((2, 4)), "same"), ValueError,
         r"k has shape \(2, 4\), larger than x \(3, 3\); mode 'same'"),
    ],
)
def test_bad_arguments(call, error, match):
    with pytest.raises(error, match=match):
        call()
