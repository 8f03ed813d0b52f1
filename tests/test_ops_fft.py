"""The convolution theorem: FFT convolution equals the direct one, linear and circular."""

import numpy as np
import pytest
import scipy.fft
import scipy.signal
from hypothesis import given, settings
from hypothesis import strategies as st

from cnnbook.ops import (
    convolve1d,
    convolve2d,
    fft_convolve1d,
    fft_convolve2d,
    fft_length,
    pad1d,
    pad2d,
)

MODES = ["valid", "same", "full"]
TOL = {"rtol": 1e-10, "atol": 1e-10}


def _random(seed: int, *shape: int) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape)


@settings(max_examples=60)
@given(n=st.integers(1, 20), m=st.integers(1, 20), mode=st.sampled_from(MODES),
       seed=st.integers(0, 2**16))
def test_fft_convolve1d_equals_direct(n, m, mode, seed):
    x, k = _random(seed, n), _random(seed + 1, m)
    for fast_length in (True, False):
        ours = fft_convolve1d(x, k, mode, fast_length=fast_length)
        assert ours.shape == np.convolve(x, k, mode).shape
        np.testing.assert_allclose(ours, np.convolve(x, k, mode), **TOL)
        np.testing.assert_allclose(ours, convolve1d(x, k, mode), **TOL)


@settings(max_examples=60)
@given(h=st.integers(1, 9), w=st.integers(1, 9), kh=st.integers(1, 11), kw=st.integers(1, 11),
       mode=st.sampled_from(MODES), seed=st.integers(0, 2**16), fast_length=st.booleans())
def test_fft_convolve2d_equals_direct(h, w, kh, kw, mode, seed, fast_length):
    x, k = _random(seed, h, w), _random(seed + 1, kh, kw)
    try:
        expected = scipy.signal.convolve2d(x, k, mode)
    except ValueError:  # 'valid' with k larger than x on one axis, smaller on the other
        with pytest.raises(ValueError, match="at least as large as the other"):
            fft_convolve2d(x, k, mode, fast_length=fast_length)
        return
    ours = fft_convolve2d(x, k, mode, fast_length=fast_length)
    assert ours.shape == expected.shape
    np.testing.assert_allclose(ours, expected, **TOL)
    np.testing.assert_allclose(ours, convolve2d(x, k, mode), **TOL)


def test_fft_length_is_exact_or_rounded_to_a_fast_one():
    # 1000 + 1000 - 1 = 1999 is prime; scipy's next fast length for a real FFT is 2000
    assert fft_length(1000, 1000, fast_length=False) == 1999
    assert fft_length(1000, 1000) == scipy.fft.next_fast_len(1999, real=True) == 2000
    assert fft_length(5, 3) == 8 and fft_length(5, 3, fast_length=False) == 7


def test_fast_length_false_transforms_exactly_n_plus_k_minus_1_points(monkeypatch):
    """The length the FFT is asked for, seen by wrapping np.fft.rfft."""
    lengths = []
    rfft = np.fft.rfft
    monkeypatch.setattr(np.fft, "rfft", lambda a, n=None: lengths.append(n) or rfft(a, n))
    x, k = _random(0, 1000), _random(1, 1000)
    fft_convolve1d(x, k, fast_length=False)
    fft_convolve1d(x, k)
    assert lengths == [1999, 1999, 2000, 2000]


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
        (lambda: fft_convolve2d(np.ones((3, 3)), np.ones((2, 4)), "valid"), ValueError,
         r"k has shape \(2, 4\) and x \(3, 3\); mode 'valid' needs one of them"),
        (lambda: fft_convolve1d(np.ones(3), np.ones(2), fast_length=1), TypeError,
         r"fast_length must be True or False, got 1"),
        (lambda: fft_length(0, 3), ValueError, r"n must be an integer >= 1, got 0"),
    ],
)
def test_bad_arguments(call, error, match):
    with pytest.raises(error, match=match):
        call()
