"""conv1d / conv2d (vectorised and loop) against torch.nn.functional, and their checks."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from cnnbook.ops import conv1d, conv1d_loop, conv2d, conv2d_loop

TOL = {"rtol": 1e-11, "atol": 1e-12}


@st.composite
def conv_cases(draw, dims: int):
    groups = draw(st.integers(1, 3))
    c_in, c_out = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))
    k = tuple(draw(st.integers(1, 3)) for _ in range(dims))
    stride = tuple(draw(st.integers(1, 3)) for _ in range(dims))
    dilation = tuple(draw(st.integers(1, 2)) for _ in range(dims))
    kind = draw(st.sampled_from(["int", "tuple", "valid", "same"]))
    if kind == "same":
        stride = (1,) * dims
        padding, pads = "same", [0] * dims
    elif kind == "valid":
        padding, pads = "valid", [0] * dims
    elif kind == "int":
        padding = draw(st.integers(0, 2))
        pads = [padding] * dims
    else:
        padding = tuple(draw(st.integers(0, 2)) for _ in range(dims))
        pads = list(padding)
    span = [d * (ki - 1) + 1 for ki, d in zip(k, dilation, strict=True)]
    size = [draw(st.integers(max(1, s - 2 * p), s + 4)) for s, p in zip(span, pads, strict=True)]
    batch = draw(st.sampled_from([None, 1, 2]))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    x = rng.standard_normal(((batch,) if batch else ()) + (c_in, *size))
    weight = rng.standard_normal((c_out, c_in // groups, *k))
    bias = rng.standard_normal(c_out) if draw(st.booleans()) else None
    return x, weight, bias, {"stride": stride, "padding": padding, "dilation": dilation,
                             "groups": groups}


def _torch(fn, x, weight, bias, kwargs):
    b = None if bias is None else torch.from_numpy(bias)
    return fn(torch.from_numpy(x), torch.from_numpy(weight), b, **kwargs).numpy()


@pytest.mark.filterwarnings("ignore:Using padding=.same. with even kernel")
@pytest.mark.parametrize(("dims", "fast_fn", "loop_fn", "torch_fn"),
                         [(1, conv1d, conv1d_loop, F.conv1d), (2, conv2d, conv2d_loop, F.conv2d)])
@settings(max_examples=70)
@given(data=st.data())
def test_conv_matches_torch(dims, fast_fn, loop_fn, torch_fn, data):
    x, weight, bias, kwargs = data.draw(conv_cases(dims))
    expected = _torch(torch_fn, x, weight, bias, kwargs)
    fast, loop = fast_fn(x, weight, bias, **kwargs), loop_fn(x, weight, bias, **kwargs)
    np.testing.assert_allclose(fast, expected, **TOL)
    np.testing.assert_allclose(loop, expected, **TOL)
    np.testing.assert_allclose(fast, loop, **TOL)


def test_float32_stays_float32_on_a_real_sized_batch():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((70, 3, 20, 20)).astype(np.float32)
    w = rng.standard_normal((8, 3, 3, 3)).astype(np.float32)
    out = conv2d(x, w, padding=1)
    assert out.dtype == np.float32
    expected = F.conv2d(torch.from_numpy(x), torch.from_numpy(w), padding=1).numpy()
    np.testing.assert_allclose(out, expected, rtol=1e-4, atol=1e-4)


def test_accepts_torch_tensors():
    x, w = torch.randn(1, 2, 5, 5, dtype=torch.float64), torch.randn(3, 2, 2, 2,
                                                                    dtype=torch.float64)
    np.testing.assert_allclose(conv2d(x, w), F.conv2d(x, w).numpy(), **TOL)


X4, W4 = np.ones((1, 4, 5, 5)), np.ones((6, 2, 3, 3))


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "match"),
    [
        ((np.ones((1, 2, 2, 2)), np.ones((1, 2, 3, 3))), {"groups": 1}, ValueError,
         r"kernel_size \(3, 3\) with dilation \(1, 1\) spans \(3, 3\), larger than the "
         r"\(padded\) input size \(2, 2\)"),
        ((X4, W4), {"stride": 0}, ValueError, r"stride must be an integer >= 1, got 0"),
        ((X4, W4), {"dilation": (1, -1)}, ValueError, r"dilation\[1\] must be an integer >= 1"),
        ((X4, W4), {"padding": -1}, ValueError, r"padding must be an integer >= 0, got -1"),
        ((X4, W4), {"padding": "full"}, ValueError,
         r"padding must be a non-negative integer, a tuple of 2, 'valid' or 'same'; got 'full'"),
        ((X4, W4), {"padding": "same", "stride": 2}, ValueError,
         r"padding='same' is not supported for strided convolutions \(stride must be 1, got "
         r"\(2, 2\)\)"),
        ((X4, W4), {"groups": 3}, ValueError,
         r"in_channels = 4 of x must be divisible by groups = 3"),
        ((X4, np.ones((5, 2, 3, 3))), {}, ValueError,
         r"out_channels = weight.shape\[0\] = 5 must be divisible by groups = 2"),
        ((X4, W4), {"groups": 1}, ValueError,
         r"weight.shape\[1\] = 2 input channels per group times groups = 1 must equal the 4"),
        ((np.ones((4, 5)), W4), {}, ValueError,
         r"x must have 3 or 4 dimensions \(C, H, W\) or \(N, C, H, W\), got 2"),
        ((X4, np.ones((6, 4, 3))), {}, ValueError, r"weight must have 4 dimensions, got 3"),
        ((X4, W4, np.ones(5)), {}, ValueError,
         r"bias must have shape \(6,\), got \(5,\)"),
        ((X4, W4), {"groups": 2.0}, TypeError, r"groups must be an integer, got 2.0"),
        ((X4, W4), {"stride": 1.5}, TypeError, r"stride must be an integer, got 1.5"),
    ],
)
def test_bad_arguments_like_torch(args, kwargs, error, match):
    kwargs = {"groups": 2} | kwargs  # X4 and W4 fit together with two groups
    with pytest.raises(error, match=match):
        conv2d(*args, **kwargs)
    with pytest.raises(error, match=match):
        conv2d_loop(*args, **kwargs)
    tensors = [torch.from_numpy(a) for a in args]
    with pytest.raises((RuntimeError, ValueError, TypeError)):  # torch refuses them too
        F.conv2d(*tensors, **kwargs)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"stride": (1, 1)}, r"stride must be an integer or a sequence of 1 integers"),
        ({"padding": "same", "stride": 3}, r"not supported for strided"),
        ({"padding": 4, "weight": np.ones((1, 1, 11))}, r"spans \(11,\), larger than the "
                                                          r"\(padded\) input size \(10,\)"),
        ({"x": np.ones((1, 1, 1, 2))}, r"x must have 2 or 3 dimensions \(C, L\)"),
    ],
)
def test_conv1d_bad_arguments_name_1d_shapes(kwargs, match):
    args = {"x": np.ones((1, 1, 2)), "weight": np.ones((1, 1, 1))} | kwargs
    with pytest.raises(ValueError, match=match):
        conv1d(**args)
    with pytest.raises(ValueError, match=match):
        conv1d_loop(**args)
