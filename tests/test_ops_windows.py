"""Sliding windows, im2col and col2im against their definitions and torch's unfold/fold."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from cnnbook.ops import col2im, im2col, sliding_windows1d, sliding_windows2d


@st.composite
def window_cases(draw):
    k = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    s = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    d = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    p = (draw(st.integers(0, 2)), draw(st.integers(0, 2)))
    span = [di * (ki - 1) + 1 for ki, di in zip(k, d, strict=True)]
    h = draw(st.integers(max(1, span[0] - 2 * p[0]), 7))
    w = draw(st.integers(max(1, span[1] - 2 * p[1]), 7))
    n, c = draw(st.integers(1, 2)), draw(st.integers(1, 3))
    x = np.random.default_rng(draw(st.integers(0, 2**16))).standard_normal((n, c, h, w))
    return x, k, s, p, d


@settings(max_examples=50)
@given(window_cases())
def test_sliding_windows2d_is_the_definition(case):
    x, k, s, _, d = case
    if any(di * (ki - 1) + 1 > n for ki, di, n in zip(k, d, x.shape[-2:], strict=True)):
        with pytest.raises(ValueError, match="the kernel must fit inside the input"):
            sliding_windows2d(x, k, s, d)
        return
    win = sliding_windows2d(x, k, s, d)
    assert not win.flags.writeable
    for i, j, u, v in np.ndindex(*win.shape[2:]):
        np.testing.assert_array_equal(win[:, :, i, j, u, v], x[:, :, i * s[0] + u * d[0],
                                                                 j * s[1] + v * d[1]])


@settings(max_examples=30)
@given(n=st.integers(1, 12), k=st.integers(1, 4), s=st.integers(1, 3), d=st.integers(1, 3))
def test_sliding_windows1d_is_the_definition(n, k, s, d):
    x = np.arange(float(n))
    if d * (k - 1) + 1 > n:
        with pytest.raises(ValueError, match="the kernel must fit inside the input"):
            sliding_windows1d(x, k, s, d)
        return
    expected = [[x[i * s + m * d] for m in range(k)] for i in range((n - d * (k - 1) - 1) // s + 1)]
    np.testing.assert_array_equal(sliding_windows1d(x, k, s, d), expected)


@settings(max_examples=60)
@given(window_cases())
def test_im2col_and_col2im_match_unfold_and_fold(case):
    x, k, s, p, d = case
    xt = torch.from_numpy(x)
    cols = F.unfold(xt, k, dilation=d, padding=p, stride=s).numpy()
    np.testing.assert_array_equal(im2col(x, k, s, p, d), cols)
    np.testing.assert_array_equal(im2col(x[0], k, s, p, d), cols[0])
    size = x.shape[-2:]
    folded = F.fold(torch.from_numpy(cols), size, k, dilation=d, padding=p, stride=s).numpy()
    np.testing.assert_allclose(col2im(cols, size, k, s, p, d), folded, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(col2im(cols[0], size, k, s, p, d), folded[0], rtol=1e-12,
                               atol=1e-12)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: sliding_windows2d(np.ones((3, 3)), 4), ValueError,
         r"kernel_size \(4, 4\) with dilation \(1, 1\) spans \(4, 4\), larger than"),
        (lambda: sliding_windows2d(np.ones((5, 5)), 2, dilation=0), ValueError,
         r"dilation must be an integer >= 1, got 0"),
        (lambda: sliding_windows2d(np.ones((5, 5)), 2, stride=(1, 0)), ValueError,
         r"stride\[1\] must be an integer >= 1, got 0"),
        (lambda: sliding_windows2d(np.ones(5), 2), ValueError, r"x must have at least 2 dim"),
        (lambda: sliding_windows1d(np.ones(5), 2.0), TypeError, r"kernel_size must be an integer"),
        (lambda: sliding_windows1d(np.float64(3.0), 1), ValueError, r"x must have at least 1 dim"),
        (lambda: im2col(np.ones((1, 1, 1, 5, 5)), 2), ValueError, r"x must have 3 or 4 dim"),
        (lambda: im2col(np.ones((1, 1, 5, 5)), 2, padding=-1), ValueError,
         r"padding must be an integer >= 0, got -1"),
        (lambda: col2im(np.ones((1, 4, 9)), (3, 3), 2), ValueError,
         r"cols.shape\[2\] must be the number of windows H_out\*W_out = 2\*2 = 4"),
        (lambda: col2im(np.ones((1, 5, 4)), (3, 3), 2), ValueError,
         r"cols.shape\[1\] must be divisible by kh\*kw = 4, got 5"),
    ],
)
def test_bad_arguments(call, error, match):
    with pytest.raises(error, match=match):
        call()
