"""Pooling against PyTorch: max, min, mean and sum, 1-D and 2-D, loop and vectorised."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from cnnbook.ops.pooling import (
    avg_pool1d,
    avg_pool2d,
    global_avg_pool2d,
    max_pool1d,
    max_pool2d,
    min_pool1d,
    min_pool2d,
    pool2d,
    pool2d_loop,
    sum_pool1d,
    sum_pool2d,
)


@st.composite
def pool_cases(draw, ndim=2):
    """A float64 input (random, or small integers so that windows tie) and pooling arguments."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    batch = draw(st.sampled_from([(), (2,)]))
    size = tuple(draw(st.integers(1, 8)) for _ in range(ndim))
    shape = (*batch, draw(st.integers(1, 2)), *size)
    ties = draw(st.booleans())
    x = rng.integers(0, 3, shape).astype(np.float64) if ties else rng.standard_normal(shape)
    kernel = tuple(draw(st.integers(1, 4)) for _ in range(ndim))
    stride = draw(st.none() | st.tuples(*[st.integers(1, 3)] * ndim))
    padding = tuple(draw(st.integers(0, k // 2)) for k in kernel)
    dilation = tuple(draw(st.integers(1, 2)) for _ in range(ndim))
    return x, dict(kernel_size=kernel, stride=stride, padding=padding, dilation=dilation,
                   ceil_mode=draw(st.booleans()))


def torch_or_none(f, *args, **kwargs):
    """PyTorch's answer as NumPy, or None where PyTorch refuses the arguments.

    A window that dilation makes skip the whole input sees only padding; PyTorch returns
    -inf there (with an index outside the input), we refuse it: count it as refused.
    """
    try:
        out = f(*args, **kwargs)
    except RuntimeError:
        return None
    out = tuple(o.numpy() for o in out) if isinstance(out, tuple) else out.numpy()
    values = out[0] if isinstance(out, tuple) else out
    return None if np.isinf(values).any() else out


def ours_or_none(f, *args, **kwargs):
    try:
        return f(*args, **kwargs)
    except ValueError:
        return None


def without_dilation(kwargs):
    return {k: v for k, v in kwargs.items() if k != "dilation"}


@settings(max_examples=60)
@given(pool_cases())
def test_max_and_min_pool2d_equal_torch_with_indices(case):
    x, kw = case
    expected = torch_or_none(F.max_pool2d, torch.from_numpy(x), **kw, return_indices=True)
    got = ours_or_none(max_pool2d, x, **kw, return_indices=True)
    assert (got is None) == (expected is None)  # we refuse exactly what PyTorch refuses
    if got is None:
        return
    np.testing.assert_array_equal(got[0], expected[0])
    np.testing.assert_array_equal(got[1], expected[1])  # ties: the same single winner
    np.testing.assert_array_equal(max_pool2d(x, **kw), expected[0])
    minus = -F.max_pool2d(torch.from_numpy(-x), **kw).numpy()
    np.testing.assert_array_equal(min_pool2d(x, **kw), minus)


@settings(max_examples=60)
@given(pool_cases(), st.booleans(), st.sampled_from([None, 1, 3, -2]))
def test_avg_and_sum_pool2d_equal_torch(case, count_include_pad, divisor_override):
    x, kw = case
    kw = without_dilation(kw)
    t = torch.from_numpy(x)
    expected = torch_or_none(F.avg_pool2d, t, **kw, count_include_pad=count_include_pad,
                             divisor_override=divisor_override)
    got = ours_or_none(avg_pool2d, x, **kw, count_include_pad=count_include_pad,
                       divisor_override=divisor_override)
    assert (got is None) == (expected is None)
    if got is None:
        return
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-14)
    total = F.avg_pool2d(t, **kw, divisor_override=1).numpy()  # a sum: divide by one
    np.testing.assert_allclose(sum_pool2d(x, **kw), total, rtol=1e-12, atol=1e-14)


@settings(max_examples=40)
@given(pool_cases(), st.sampled_from(["max", "avg", "min", "sum"]), st.booleans())
def test_pool2d_loop_equals_vectorised(case, mode, count_include_pad):
    x, kw = case
    fast = ours_or_none(pool2d, x, **kw, count_include_pad=count_include_pad, mode=mode)
    if fast is None:
        return
    slow = pool2d_loop(x, **kw, count_include_pad=count_include_pad, mode=mode)
    np.testing.assert_allclose(slow, fast, rtol=1e-12, atol=1e-14)


@settings(max_examples=40)
@given(pool_cases(ndim=1), st.booleans())
def test_pool1d_equals_torch(case, count_include_pad):
    x, kw = case
    kw = {k: v[0] if isinstance(v, tuple) else v for k, v in kw.items()}  # 1-tuples to ints
    t = torch.from_numpy(x)
    expected = torch_or_none(F.max_pool1d, t, **kw, return_indices=True)
    got = ours_or_none(max_pool1d, x, **kw, return_indices=True)
    assert (got is None) == (expected is None)
    if got is None:
        return
    np.testing.assert_array_equal(got[0], expected[0])
    np.testing.assert_array_equal(got[1], expected[1])
    np.testing.assert_array_equal(min_pool1d(x, **kw), -F.max_pool1d(-t, **kw).numpy())
    kw = without_dilation(kw)
    avg = torch_or_none(F.avg_pool1d, t, **kw, count_include_pad=count_include_pad)
    if avg is None:
        return
    np.testing.assert_allclose(avg_pool1d(x, **kw, count_include_pad=count_include_pad), avg,
                               rtol=1e-12, atol=1e-14)
    total = F.avg_pool2d(t[..., None, :], (1, kw["kernel_size"]),
                         None if kw["stride"] is None else (1, kw["stride"]),
                         (0, kw["padding"]), kw["ceil_mode"], divisor_override=1)
    np.testing.assert_allclose(sum_pool1d(x, **kw), total[..., 0, :].numpy(), rtol=1e-12)


def test_ceil_mode_drops_a_window_that_would_start_in_the_right_padding():
    # width 5, kernel 3, stride 3, padding 1: ceil((5 + 2 - 3) / 3) + 1 = 3 windows, but the
    # third would start at column 5, past the input and its left padding, so PyTorch keeps 2
    x = np.arange(10.0).reshape(1, 2, 5)
    got = max_pool2d(x, (1, 3), (1, 3), (0, 1), ceil_mode=True)
    expected = F.max_pool2d(torch.from_numpy(x), (1, 3), (1, 3), (0, 1), ceil_mode=True)
    assert got.shape == (1, 2, 2) == tuple(expected.shape)
    np.testing.assert_array_equal(got, expected.numpy())


def test_ceil_mode_window_may_be_wider_than_the_input():
    x = np.array([[[[1.0, 2.0]]]])
    expected = F.max_pool2d(torch.from_numpy(x), (1, 3), (1, 2), ceil_mode=True).numpy()
    np.testing.assert_array_equal(max_pool2d(x, (1, 3), (1, 2), ceil_mode=True), expected)


def test_global_avg_pool2d_equals_adaptive_avg_pool():
    x = np.random.default_rng(0).standard_normal((2, 3, 5, 4))
    expected = F.adaptive_avg_pool2d(torch.from_numpy(x), 1).numpy()
    np.testing.assert_allclose(global_avg_pool2d(x), expected, rtol=1e-12)
    np.testing.assert_allclose(global_avg_pool2d(x, keepdims=False), expected[..., 0, 0])


@pytest.mark.parametrize("divisor", [-1, -3, 2])
def test_divisor_override_may_be_negative_as_in_torch(divisor):
    x = np.random.default_rng(1).standard_normal((1, 2, 5, 6))
    expected = F.avg_pool2d(torch.from_numpy(x), 2, 1, divisor_override=divisor).numpy()
    np.testing.assert_allclose(avg_pool2d(x, 2, 1, divisor_override=divisor), expected,
                               rtol=1e-12)
    with pytest.raises(RuntimeError, match="divisor must be not zero"):  # torch refuses 0 only
        F.avg_pool2d(torch.from_numpy(x), 2, divisor_override=0)


def test_float32_and_tensor_input():
    x = torch.randn(1, 2, 6, 6, generator=torch.Generator().manual_seed(0))
    got = max_pool2d(x, 2)
    assert got.dtype == np.float32
    np.testing.assert_array_equal(got, F.max_pool2d(x, 2).numpy())
    assert avg_pool2d(x, 3, 1, 1).dtype == np.float32


X = np.zeros((1, 1, 4, 4))


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: max_pool2d(X, 3, padding=2), ValueError, r"padding must be at most half of "
         r"kernel_size .* got padding=2 with kernel_size=3"),
        (lambda: avg_pool2d(X, 2, stride=0), ValueError, r"stride must be an integer >= 1, got 0"),
        (lambda: max_pool2d(X, 2, padding=-1), ValueError, r"padding must be an integer >= 0"),
        (lambda: max_pool2d(X, 2, dilation=0), ValueError, r"dilation must be an integer >= 1"),
        (lambda: max_pool2d(X, 5), ValueError, r"kernel_size 5 with dilation 1 spans 5, larger "
         r"than the padded input size 4"),
        (lambda: max_pool2d(X, 3, dilation=2), ValueError, r"kernel_size 3 with dilation 2 spans "
         r"5, larger than the padded input size 4"),
        (lambda: max_pool2d(X, 2.0), TypeError, r"kernel_size must be an integer, got 2.0"),
        (lambda: max_pool2d(X, (2, 2, 2)), ValueError, r"kernel_size must be an integer or a "
         r"sequence of 2 integers"),
        (lambda: max_pool2d(X, 2, ceil_mode="yes"), TypeError, r"ceil_mode must be True or"),
        (lambda: max_pool2d(X[0, 0], 2), ValueError, r"x must have 3 or 4 dimensions, got 2"),
        (lambda: max_pool1d(X, 2), ValueError, r"x must have 2 or 3 dimensions, got 4"),
        (lambda: pool2d(X, 2, mode="median"), ValueError, r"mode must be one of 'max', 'avg', "
         r"'min', 'sum'; got 'median'"),
        (lambda: avg_pool2d(X, 2, divisor_override=0), ValueError, r"divisor_override must be "
         r"a non-zero integer \(PyTorch refuses only 0; negative values are allowed\), got 0"),
        (lambda: avg_pool2d(X, 2, divisor_override=1.5), TypeError, r"divisor_override must be "
         r"an integer, got 1.5"),
        (lambda: avg_pool1d(X[0], 3, padding=2), ValueError, r"padding must be at most half"),
        (lambda: max_pool2d(X[..., :1, :], 2, padding=1, dilation=2), ValueError,
         r"with dilation=2 and padding=1 some window covers only padding and no pixel of the "
         r"input of size \(1, 4\)"),
    ],
)
def test_bad_arguments_are_named(call, error, match):
    with pytest.raises(error, match=match):
        call()
