"""1-D and 2-D correlation/convolution against numpy and scipy, loop against vectorised."""

import numpy as np
import pytest
import scipy.signal
from hypothesis import given, settings
from hypothesis import strategies as st

from cnnbook.ops import (
    convolve1d,
    convolve1d_loop,
    convolve2d,
    convolve2d_loop,
    correlate1d,
    correlate1d_loop,
    correlate2d,
    correlate2d_loop,
    flip,
)

MODES = ["valid", "same", "full"]
TOL = {"rtol": 1e-12, "atol": 1e-12}


def _random(seed: int, *shape: int) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape)


@settings(max_examples=60)
@given(n=st.integers(1, 12), m=st.integers(1, 12), mode=st.sampled_from(MODES),
       seed=st.integers(0, 2**16))
def test_1d_matches_numpy(n, m, mode, seed):
    x, k = _random(seed, n), _random(seed + 1, m)
    if m > n and mode != "full":
        with pytest.raises(ValueError, match=f"mode '{mode}' needs the kernel to fit"):
            correlate1d(x, k, mode)
        return
    for ours, loop, ref in [(correlate1d, correlate1d_loop, np.correlate),
                            (convolve1d, convolve1d_loop, np.convolve)]:
        expected = ref(x, k, mode)
        np.testing.assert_allclose(ours(x, k, mode), expected, **TOL)
        np.testing.assert_allclose(loop(x, k, mode), expected, **TOL)


@settings(max_examples=60)
@given(h=st.integers(1, 7), w=st.integers(1, 7), kh=st.integers(1, 4), kw=st.integers(1, 4),
       mode=st.sampled_from(MODES), seed=st.integers(0, 2**16))
def test_2d_matches_scipy(h, w, kh, kw, mode, seed):
    x, k = _random(seed, h, w), _random(seed + 1, kh, kw)
    if (kh > h or kw > w) and mode != "full":
        with pytest.raises(ValueError, match="larger than x"):
            convolve2d(x, k, mode)
        return
    for ours, loop, ref in [(correlate2d, correlate2d_loop, scipy.signal.correlate2d),
                            (convolve2d, convolve2d_loop, scipy.signal.convolve2d)]:
        expected = ref(x, k, mode)
        np.testing.assert_allclose(ours(x, k, mode), expected, **TOL)
        np.testing.assert_allclose(loop(x, k, mode), expected, **TOL)


def test_even_kernel_same_mode_follows_each_reference():
    x, k = np.arange(1.0, 7.0), np.array([1.0, 10.0])
    # numpy pads the extra zero on the left: the first output already sees x[0] with k[1]
    assert correlate1d(x, k, "same")[0] == np.correlate(x, k, "same")[0] == 10.0
    x2 = x.reshape(2, 3)
    k2 = np.array([[1.0, 10.0]])
    np.testing.assert_array_equal(correlate2d(x2, k2, "same")[:, -1],
                                  scipy.signal.correlate2d(x2, k2, "same")[:, -1])


def test_convolution_is_correlation_with_the_flipped_kernel():
    x, k = _random(0, 6, 5), _random(1, 3, 2)
    np.testing.assert_allclose(convolve2d(x, k, "valid"), correlate2d(x, flip(k), "valid"), **TOL)
    np.testing.assert_array_equal(flip(k), k[::-1, ::-1])
    np.testing.assert_array_equal(flip(np.arange(3.0)), [2.0, 1.0, 0.0])
    weights = _random(2, 4, 3, 2, 2)
    np.testing.assert_array_equal(flip(weights), weights[:, :, ::-1, ::-1])


def test_float32_and_integer_inputs():
    x = np.arange(5, dtype=np.float32)
    assert correlate1d(x, np.ones(2, np.float32)).dtype == np.float32
    np.testing.assert_array_equal(convolve1d([1, 2, 3], [1, 1]), [1.0, 3.0, 5.0, 3.0])


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: correlate1d(np.ones(3), np.ones(2), "mirror"), ValueError,
         r"mode must be one of 'valid', 'same', 'full'; got 'mirror'"),
        (lambda: correlate1d(np.ones((3, 3)), np.ones(2)), ValueError,
         r"x must have 1 dimensions, got 2"),
        (lambda: convolve2d(np.ones(3), np.ones((2, 2))), ValueError,
         r"x must have 2 dimensions, got 1"),
        (lambda: correlate2d(np.ones((3, 3)), np.ones((4, 1)), "valid"), ValueError,
         r"k has shape \(4, 1\), larger than x \(3, 3\); mode 'valid'"),
        (lambda: convolve1d(np.ones(3), np.ones(0)), ValueError, r"k must not be empty"),
        (lambda: convolve1d(np.ones(3), np.array([1j])), TypeError, r"k must be an array of real"),
        (lambda: correlate2d_loop(np.ones((2, 2)), np.ones((3, 3)), "same"), ValueError,
         r"larger than x"),
    ],
)
def test_bad_arguments(call, error, match):
    with pytest.raises(error, match=match):
        call()
