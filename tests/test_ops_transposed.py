"""Transposed convolution against PyTorch, its loop twin, and conv2d's input gradient."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from cnnbook.ops.backward import conv2d_input_grad
from cnnbook.ops.transposed import conv_transpose2d, conv_transpose2d_loop


def close(a, b):
    np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


@st.composite
def transpose_cases(draw):
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    groups = draw(st.integers(1, 2))
    c_in, c_out_g = groups * draw(st.integers(1, 2)), draw(st.integers(1, 2))
    pair = st.tuples(st.integers(1, 3), st.integers(1, 3))
    kernel, stride, dilation = draw(pair), draw(pair), draw(pair)
    padding = draw(st.tuples(st.integers(0, 2), st.integers(0, 2)))
    # output_padding must be smaller than stride or dilation
    output_padding = tuple(
        draw(st.integers(0, max(s, d) - 1)) for s, d in zip(stride, dilation, strict=True)
    )
    batch = draw(st.sampled_from([(), (2,)]))
    x = rng.standard_normal((*batch, c_in, draw(st.integers(1, 4)), draw(st.integers(1, 4))))
    w = rng.standard_normal((c_in, c_out_g, *kernel))
    b = rng.standard_normal(c_out_g * groups) if draw(st.booleans()) else None
    return x, w, b, dict(stride=stride, padding=padding, output_padding=output_padding,
                         groups=groups, dilation=dilation)


@settings(max_examples=60)
@given(transpose_cases())
def test_conv_transpose2d_equals_torch_and_its_loop(case):
    x, w, b, kw = case
    bias = None if b is None else torch.from_numpy(b)
    try:
        expected = F.conv_transpose2d(torch.from_numpy(x), torch.from_numpy(w), bias, **kw)
    except RuntimeError:  # padding crops the whole output away: we must refuse it too
        with pytest.raises(ValueError, match="is too large: the output size would be"):
            conv_transpose2d(x, w, b, **kw)
        return
    close(conv_transpose2d(x, w, b, **kw), expected.numpy())
    close(conv_transpose2d_loop(x, w, b, **kw), expected.numpy())


@settings(max_examples=40)
@given(st.integers(0, 2**32 - 1), st.integers(1, 2), st.data())
def test_conv_transpose2d_is_the_input_gradient_of_conv2d(seed, groups, data):
    # conv2d maps an H-row input to H_out rows; its input gradient maps H_out rows back to H.
    # The transposed convolution with the same weight does the same once output_padding
    # restores the rows that stride never read: output_padding = (H + 2p - span) mod stride.
    pair = st.tuples(st.integers(1, 3), st.integers(1, 3))
    kernel, stride, dilation = data.draw(pair), data.draw(pair), data.draw(pair)
    padding = data.draw(st.tuples(st.integers(0, 2), st.integers(0, 2)))
    size = data.draw(st.tuples(st.integers(1, 7), st.integers(1, 7)))
    spans = [d * (k - 1) + 1 for k, d in zip(kernel, dilation, strict=True)]
    assume(all(n + 2 * p >= span for n, p, span in zip(size, padding, spans, strict=True)))
    out = [(n + 2 * p - span) // s + 1
           for n, p, span, s in zip(size, padding, spans, stride, strict=True)]
    output_padding = tuple((n + 2 * p - span) % s
                           for n, p, span, s in zip(size, padding, spans, stride, strict=True))
    rng = np.random.default_rng(seed)
    c_in, c_out = 2 * groups, groups
    w = rng.standard_normal((c_out, c_in // groups, *kernel))
    grad_out = rng.standard_normal((2, c_out, *out))
    conv = dict(stride=stride, padding=padding, dilation=dilation, groups=groups)
    grad_x = conv2d_input_grad(grad_out, w, (2, c_in, *size), **conv)
    close(conv_transpose2d(grad_out, w, output_padding=output_padding, **conv), grad_x)


X, W = np.zeros((1, 2, 3, 3)), np.zeros((2, 3, 2, 2))


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: conv_transpose2d(X, W, stride=2, output_padding=2), ValueError,
         r"output_padding must be smaller than stride or dilation, got output_padding=2, "
         r"stride=2, dilation=1"),
        (lambda: conv_transpose2d(X, W[:1]), ValueError,
         r"weight.shape\[0\] must equal the input channels 2"),
        (lambda: conv_transpose2d(X, W, groups=3), ValueError,
         r"groups must divide the input channels \(2\), got groups=3"),
        (lambda: conv_transpose2d(X, W, bias=np.zeros(2)), ValueError,
         r"bias must have 3 entries \(out channels\), got 2"),
        (lambda: conv_transpose2d(X, W, padding=3), ValueError, r"padding 3 is too large: the "
         r"output size would be -2"),
        (lambda: conv_transpose2d(X, W, stride=0), ValueError, r"stride must be an integer >= 1"),
        (lambda: conv_transpose2d(X, W, padding=-1), ValueError, r"padding must be an integer"),
        (lambda: conv_transpose2d(X, W, dilation=(1, 0)), ValueError,
         r"dilation\[1\] must be an integer >= 1, got 0"),
        (lambda: conv_transpose2d(X, W, stride=1.5), TypeError, r"stride must be an integer"),
        (lambda: conv_transpose2d(X[0, 0], W), ValueError, r"x must have 3 or 4 dimensions"),
        (lambda: conv_transpose2d_loop(X, W[0]), ValueError, r"weight must have 4 dimensions"),
    ],
)
def test_bad_arguments_are_named(call, error, match):
    with pytest.raises(error, match=match):
        call()
