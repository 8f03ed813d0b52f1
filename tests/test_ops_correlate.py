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
from cnnbook.ops.correlate import mode_window

MODES = ["valid", "same", "full"]
TOL = {"rtol": 1e-12, "atol": 1e-12}


def _random(seed: int, *shape: int) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape)


@settings(max_examples=80)
@given(n=st.integers(1, 12), m=st.integers(1, 12), mode=st.sampled_from(MODES),
       seed=st.integers(0, 2**16))
def test_1d_matches_numpy(n, m, mode, seed):
    """Every size, a kernel longer than the signal included (NumPy swaps the roles)."""
    x, k = _random(seed, n), _random(seed + 1, m)
    for ours, loop, ref in [(correlate1d, correlate1d_loop, np.correlate),
                            (convolve1d, convolve1d_loop, np.convolve)]:
        expected = ref(x, k, mode)
        np.testing.assert_allclose(ours(x, k, mode), expected, **TOL)
        np.testing.assert_allclose(loop(x, k, mode), expected, **TOL)


@settings(max_examples=100)
@given(h=st.integers(1, 7), w=st.integers(1, 7), kh=st.integers(1, 9), kw=st.integers(1, 9),
       mode=st.sampled_from(MODES), seed=st.integers(0, 2**16))
def test_2d_matches_scipy(h, w, kh, kw, mode, seed):
    """Every size, kernels larger than the image included; we refuse what SciPy refuses."""
    x, k = _random(seed, h, w), _random(seed + 1, kh, kw)
    for ours, loop, ref in [(correlate2d, correlate2d_loop, scipy.signal.correlate2d),
                            (convolve2d, convolve2d_loop, scipy.signal.convolve2d)]:
        try:
            expected = ref(x, k, mode)
        except ValueError:  # 'valid' with k larger than x on one axis, smaller on the other
            for fn in (ours, loop):
                with pytest.raises(ValueError, match="at least as large as the other"):
                    fn(x, k, mode)
            continue
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


@pytest.mark.parametrize(("n", "m"), [(2, 5), (3, 8), (4, 7), (1, 4), (6, 6)])
def test_kernel_longer_than_the_signal_follows_numpy_and_scipy(n, m):
    """NumPy's "same" is max(N, K) long and SciPy's as large as x; "valid" swaps the roles."""
    x, k = _random(n, n), _random(m, m)
    for mode in MODES:
        for ours, ref in [(correlate1d, np.correlate), (convolve1d, np.convolve)]:
            got, expected = ours(x, k, mode), ref(x, k, mode)
            assert got.shape == expected.shape
            np.testing.assert_allclose(got, expected, **TOL)
        for ours, ref in [(correlate2d, scipy.signal.correlate2d),
                          (convolve2d, scipy.signal.convolve2d)]:
            got, expected = ours(x[None], k[None], mode), ref(x[None], k[None], mode)
            assert got.shape == expected.shape
            np.testing.assert_allclose(got, expected, **TOL)
    assert len(convolve1d(x, k, "same")) == max(n, m)
    assert correlate2d(x[None], k[None], "same").shape == (1, n)
    # "valid": the shorter one slides inside the longer, |N - K| + 1 outputs
    np.testing.assert_allclose(convolve1d(x, k, "valid"), convolve1d(k, x, "valid"), **TOL)
    assert len(correlate1d(x, k, "valid")) == abs(n - m) + 1


def test_mode_window_is_where_each_reference_cuts_the_full_output():
    x, k = _random(0, 6), _random(1, 4)
    for op, ref in [("correlate1d", np.correlate), ("convolve1d", np.convolve)]:
        for mode in MODES:
            start, length = mode_window(6, 4, mode, op)
            np.testing.assert_allclose(ref(x, k, "full")[start:start + length], ref(x, k, mode),
                                       **TOL)
    for op, ref in [("correlate2d", scipy.signal.correlate2d),
                    ("convolve2d", scipy.signal.convolve2d)]:
        start, length = mode_window(6, 4, "same", op)
        np.testing.assert_allclose(ref(x[None], k[None])[0, start:start + length],
                                   ref(x[None], k[None], "same")[0], **TOL)
    # even kernel: NumPy's correlation drops the extra value at the end, SciPy's at the start
    assert mode_window(6, 4, "same", "correlate1d") == (1, 6)
    assert mode_window(6, 4, "same", "correlate2d") == (2, 6)


def test_correlation_and_flipped_convolution_agree_as_arrays():
    """Equal arrays, though in the formulas' indices the full correlation starts at -(K-1)."""
    x, k = _random(3, 7), _random(4, 3)
    np.testing.assert_allclose(correlate1d(x, k, "full"), convolve1d(x, flip(k), "full"), **TOL)
    by_formula = [sum(x[n + m] * k[m] for m in range(3) if 0 <= n + m < 7) for n in range(-2, 7)]
    np.testing.assert_allclose(correlate1d(x, k, "full"), by_formula, **TOL)


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
         r"k has shape \(4, 1\) and x \(3, 3\); mode 'valid' needs one of them at least as "
         r"large as the other on every axis"),
        (lambda: convolve1d(np.ones(3), np.ones(0)), ValueError, r"k must not be empty"),
        (lambda: convolve1d(np.ones(3), np.array([1j])), TypeError, r"k must be an array of real"),
        (lambda: convolve2d_loop(np.ones((2, 3)), np.ones((3, 2)), "valid"), ValueError,
         r"at least as large as the other"),
        (lambda: mode_window(3, 2, "same", "correlate3d"), ValueError, r"op must be one of"),
    ],
)
def test_bad_arguments(call, error, match):
    with pytest.raises(error, match=match):
        call()
