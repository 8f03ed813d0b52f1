"""Hand-written backward passes against torch.autograd."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from cnnbook.ops.backward import (
    avg_pool2d_backward,
    conv2d_backward,
    conv2d_backward_loop,
    conv2d_bias_grad,
    conv2d_input_grad,
    conv2d_weight_grad,
    correlate2d_input_grad,
    max_pool2d_backward,
)


def autograd(f, grad_out, *inputs):
    """Gradients of ``sum(f(*inputs) * grad_out)`` with respect to every input."""
    leaves = [torch.tensor(a, requires_grad=True) for a in inputs]
    (f(*leaves) * torch.from_numpy(grad_out)).sum().backward()
    return [leaf.grad.numpy() for leaf in leaves]


def close(a, b):
    np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


@st.composite
def conv_cases(draw):
    """Random conv2d shapes and hyper-parameters whose output is not empty."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    groups = draw(st.integers(1, 2))
    c_in, c_out = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    padding = (draw(st.integers(0, 2)), draw(st.integers(0, 2)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    size = (draw(st.integers(1, 7)), draw(st.integers(1, 7)))
    out = [(n + 2 * p - d * (k - 1) - 1) // s + 1
           for n, k, s, p, d in zip(size, kernel, stride, padding, dilation, strict=True)]
    assume(min(out) >= 1)
    n = draw(st.integers(1, 2))
    x = rng.standard_normal((n, c_in, *size))
    w = rng.standard_normal((c_out, c_in // groups, *kernel))
    b = rng.standard_normal(c_out)
    g = rng.standard_normal((n, c_out, *out))
    return x, w, b, g, dict(stride=stride, padding=padding, dilation=dilation, groups=groups)


@settings(max_examples=35)
@given(conv_cases())
def test_conv2d_gradients_equal_autograd(case):
    x, w, b, g, kw = case
    expected = autograd(lambda x, w, b: F.conv2d(x, w, b, **kw), g, x, w, b)
    got = conv2d_backward(x, w, g, **kw)
    for mine, theirs in zip(got, expected, strict=True):
        close(mine, theirs)
    close(conv2d_input_grad(g, w, x.shape, **kw), expected[0])
    close(conv2d_weight_grad(x, g, w.shape, **kw), expected[1])
    close(conv2d_bias_grad(g), expected[2])


@settings(max_examples=25)
@given(conv_cases())
def test_conv2d_backward_loop_equals_vectorised(case):
    x, w, _, g, kw = case
    for slow, fast in zip(conv2d_backward_loop(x, w, g, **kw), conv2d_backward(x, w, g, **kw),
                          strict=True):
        close(slow, fast)


def test_unbatched_input_gives_unbatched_gradients():
    rng = np.random.default_rng(1)
    x, w, g = rng.standard_normal((2, 5, 5)), rng.standard_normal((3, 2, 3, 3)), None
    g = rng.standard_normal((3, 3, 3))
    gx, gw, gb = conv2d_backward(x, w, g)
    ex, ew = autograd(lambda x, w: F.conv2d(x, w), g, x, w)
    assert gx.shape == x.shape
    close(gx, ex)
    close(gw, ew)
    close(gb, g.sum(axis=(1, 2)))
    for slow, fast in zip(conv2d_backward_loop(x, w, g), (gx, gw, gb), strict=True):
        close(slow, fast)


@settings(max_examples=30)
@given(st.integers(1, 7), st.integers(1, 7), st.integers(1, 4), st.integers(1, 4),
       st.integers(0, 2**32 - 1))
def test_correlation_input_grad_is_full_convolution_with_the_kernel(h, w, kh, kw, seed):
    assume(kh <= h and kw <= w)
    rng = np.random.default_rng(seed)
    x, k = rng.standard_normal((h, w)), rng.standard_normal((kh, kw))
    g = rng.standard_normal((h - kh + 1, w - kw + 1))
    (expected,) = autograd(lambda x: F.conv2d(x[None, None], torch.from_numpy(k)[None, None])[0, 0],
                           g, x)
    close(correlate2d_input_grad(g, k), expected)


@st.composite
def pool_cases(draw):
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    shape = (draw(st.integers(1, 2)), draw(st.integers(1, 2)),
             draw(st.integers(1, 7)), draw(st.integers(1, 7)))
    ties = draw(st.booleans())  # small integers: windows with several maxima
    x = rng.integers(0, 3, shape).astype(np.float64) if ties else rng.standard_normal(shape)
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    padding = tuple(draw(st.integers(0, k // 2)) for k in kernel)
    # kernels wider than the padded input (PyTorch allows one with ceil_mode) are refused
    # by arithmetic.pool_output_size: see test_ops_pooling
    assume(all(2 * k - 1 <= n + 2 * p for n, k, p in zip(shape[2:], kernel, padding, strict=True)))
    kw = dict(kernel_size=kernel,
              stride=draw(st.none() | st.tuples(st.integers(1, 3), st.integers(1, 3))),
              padding=padding, ceil_mode=draw(st.booleans()))
    return x, rng, kw


def forward_or_skip(f, *args, **kwargs):
    """PyTorch's forward output; skip sizes it refuses, and windows that see only padding
    (PyTorch gives -inf there and its backward crashes; we refuse them, see the pooling tests).
    """
    try:
        out = f(*args, **kwargs)
    except RuntimeError:
        assume(False)
    assume(not torch.isinf(out).any())
    return out


@settings(max_examples=50)
@given(pool_cases(), st.integers(1, 2))
def test_max_pool2d_backward_equals_autograd(case, dilation):
    x, rng, kw = case
    out = forward_or_skip(F.max_pool2d, torch.from_numpy(x), **kw, dilation=dilation)
    g = rng.standard_normal(tuple(out.shape))
    (expected,) = autograd(lambda x: F.max_pool2d(x, **kw, dilation=dilation), g, x)
    close(max_pool2d_backward(x, g, **kw, dilation=dilation), expected)


@settings(max_examples=50)
@given(pool_cases(), st.booleans(), st.sampled_from([None, 2, -3]))
def test_avg_pool2d_backward_equals_autograd(case, count_include_pad, divisor_override):
    x, rng, kw = case
    kw.update(count_include_pad=count_include_pad, divisor_override=divisor_override)
    out = forward_or_skip(F.avg_pool2d, torch.from_numpy(x), **kw)
    g = rng.standard_normal(tuple(out.shape))
    (expected,) = autograd(lambda x: F.avg_pool2d(x, **kw), g, x)
    close(avg_pool2d_backward(g, x.shape, **kw), expected)


def test_max_pool_tie_sends_the_whole_gradient_to_the_first_maximum():
    x = np.array([[[[1.0, 3.0], [3.0, 3.0]]]])
    got = max_pool2d_backward(x, np.array([[[[5.0]]]]), 2)
    np.testing.assert_array_equal(got, [[[[0.0, 5.0], [0.0, 0.0]]]])


X, W, G = np.zeros((1, 2, 5, 5)), np.zeros((4, 2, 3, 3)), np.zeros((1, 4, 3, 3))


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: conv2d_backward(X, W, G[:, :, :2]), ValueError,
         r"grad_out must have the shape of the forward output \(1, 4, 3, 3\), got \(1, 4, 2, 3\)"),
        (lambda: conv2d_backward(X, W, G, groups=3), ValueError,
         r"groups must divide both the input channels \(2\) and the output channels \(4\), "
         r"got groups=3"),
        (lambda: conv2d_backward(X, W[:, :1], G), ValueError,
         r"expects 1 input channels, but the input has 2"),
        (lambda: conv2d_backward(X, W, G, stride=0), ValueError, r"stride must be an integer >= 1"),
        (lambda: conv2d_backward(X, W, G, padding=-1), ValueError, r"padding must be an integer"),
        (lambda: conv2d_backward(X, W, G, dilation=3), ValueError,
         r"kernel_size 3 with dilation 3 spans 7, larger than the padded input size 5"),
        (lambda: conv2d_backward(X, W[0], G), ValueError, r"weight must have 4 dimensions, got 3"),
        (lambda: conv2d_input_grad(G, W, (1, 2, 5)), ValueError,
         r"input_shape must be a sequence of 4 integers, got \(1, 2, 5\)"),
        (lambda: conv2d_weight_grad(X, G, (4, 2, 3, 3.0)), TypeError,
         r"weight_shape\[3\] must be an integer, got 3.0"),
        (lambda: correlate2d_input_grad(G, W), ValueError, r"grad_out must have 2 dimensions"),
        (lambda: max_pool2d_backward(X, G, 2), ValueError,
         r"grad_out must have the shape of the forward output \(1, 2, 2, 2\)"),
        (lambda: avg_pool2d_backward(G, (1, 4, 6, 6), 2, padding=2), ValueError,
         r"padding must be at most half of kernel_size"),
        (lambda: avg_pool2d_backward(G[..., :1, :1], (1, 4, 2, 2), 2, divisor_override=0),
         ValueError, r"divisor_override must be a non-zero integer"),
    ],
)
def test_bad_arguments_are_named(call, error, match):
    with pytest.raises(error, match=match):
        call()
