"""A batch of no examples (N = 0): every batched operation gives what PyTorch gives.

PyTorch's layers accept an empty batch and return an empty batch of the right shape (and
zero weight gradients); cnnbook.ops does the same. Empty channel or spatial axes stay
refused, where PyTorch refuses them too.
"""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from cnnbook import ops
from cnnbook.ops._batch import empty_batch

X4 = np.zeros((0, 2, 5, 5))
X3 = np.zeros((0, 2, 7))
W = np.random.default_rng(0).standard_normal((3, 2, 3, 3))
W1 = np.random.default_rng(1).standard_normal((3, 2, 4))
WT = np.random.default_rng(2).standard_normal((2, 3, 3, 3))
B = np.ones(3)


def t(a):
    return torch.from_numpy(np.asarray(a))


def grad_input_by_autograd(f, x, shape_out):
    x = t(x).requires_grad_()
    f(x).backward(torch.zeros(shape_out, dtype=x.dtype))
    return x.grad


CASES = {
    "conv2d": (lambda: ops.conv2d(X4, W, B, padding=1),
               lambda: F.conv2d(t(X4), t(W), t(B), padding=1)),
    "conv2d_loop": (lambda: ops.conv2d_loop(X4, W, stride=2),
                    lambda: F.conv2d(t(X4), t(W), stride=2)),
    "conv1d same": (lambda: ops.conv1d(X3, W1, padding="same"),
                    lambda: F.conv1d(t(X3), t(W1), padding="same")),
    "conv1d_loop": (lambda: ops.conv1d_loop(X3, W1, dilation=2),
                    lambda: F.conv1d(t(X3), t(W1), dilation=2)),
    "conv_transpose2d": (lambda: ops.conv_transpose2d(X4, WT, stride=2, output_padding=1),
                         lambda: F.conv_transpose2d(t(X4), t(WT), stride=2, output_padding=1)),
    "conv_transpose2d_loop": (lambda: ops.conv_transpose2d_loop(x=X4, weight=WT),
                              lambda: F.conv_transpose2d(t(X4), t(WT))),
    "max_pool2d": (lambda: ops.max_pool2d(X4, 2, ceil_mode=True),
                   lambda: F.max_pool2d(t(X4), 2, ceil_mode=True)),
    "max_pool2d indices": (lambda: ops.max_pool2d(X4, 2, return_indices=True),
                           lambda: F.max_pool2d(t(X4), 2, return_indices=True)),
    "min_pool2d": (lambda: ops.min_pool2d(X4, 3, 1, 1), lambda: -F.max_pool2d(-t(X4), 3, 1, 1)),
    "avg_pool2d": (lambda: ops.avg_pool2d(X4, 2, divisor_override=-2),
                   lambda: F.avg_pool2d(t(X4), 2, divisor_override=-2)),
    "sum_pool2d": (lambda: ops.sum_pool2d(X4, 2), lambda: F.avg_pool2d(t(X4), 2) * 4),
    "pool2d_loop": (lambda: ops.pool2d_loop(X4, 2, mode="avg"), lambda: F.avg_pool2d(t(X4), 2)),
    "global_avg_pool2d": (lambda: ops.global_avg_pool2d(X4),
                          lambda: F.adaptive_avg_pool2d(t(X4), 1)),
    "max_pool1d": (lambda: ops.max_pool1d(X3, 3, return_indices=True),
                   lambda: F.max_pool1d(t(X3), 3, return_indices=True)),
    "avg_pool1d": (lambda: ops.avg_pool1d(X3, 2, padding=1),
                   lambda: F.avg_pool1d(t(X3), 2, padding=1)),
    "im2col": (lambda: ops.im2col(X4, 3, padding=1), lambda: F.unfold(t(X4), 3, padding=1)),
    "col2im": (lambda: ops.col2im(np.zeros((0, 18, 9)), (5, 5), 3),
               lambda: F.fold(torch.zeros(0, 18, 9, dtype=torch.float64), (5, 5), 3)),
    "pad2d reflect": (lambda: ops.pad2d(X4, (1, 2, 0, 1), "reflect"),
                      lambda: F.pad(t(X4), (1, 2, 0, 1), mode="reflect")),
    "pad1d circular": (lambda: ops.pad1d(X3, 2, "circular"),
                       lambda: F.pad(t(X3), (2, 2), mode="circular")),
    "conv2d_input_grad": (
        lambda: ops.conv2d_input_grad(np.zeros((0, 3, 3, 3)), W, (0, 2, 5, 5)),
        lambda: torch.nn.grad.conv2d_input((0, 2, 5, 5), t(W), torch.zeros(0, 3, 3, 3,
                                                                           dtype=torch.float64))),
    "conv2d_weight_grad": (
        lambda: ops.conv2d_weight_grad(X4, np.zeros((0, 3, 3, 3)), W.shape),
        lambda: torch.nn.grad.conv2d_weight(t(X4), W.shape, torch.zeros(0, 3, 3, 3,
                                                                        dtype=torch.float64))),
    "conv2d_bias_grad": (lambda: ops.conv2d_bias_grad(np.zeros((0, 3, 3, 3))),
                         lambda: torch.zeros(0, 3, 3, 3, dtype=torch.float64).sum((0, 2, 3))),
    "max_pool2d_backward": (
        lambda: ops.max_pool2d_backward(X4, np.zeros((0, 2, 2, 2)), 2),
        lambda: grad_input_by_autograd(lambda x: F.max_pool2d(x, 2), X4, (0, 2, 2, 2))),
    "avg_pool2d_backward": (
        lambda: ops.avg_pool2d_backward(np.zeros((0, 2, 2, 2)), (0, 2, 5, 5), 2),
        lambda: grad_input_by_autograd(lambda x: F.avg_pool2d(x, 2), X4, (0, 2, 2, 2))),
}


def _as_tuple(a):
    return a if isinstance(a, tuple) else (a,)


@pytest.mark.parametrize("name", list(CASES))
def test_an_empty_batch_gives_what_torch_gives(name):
    ours, theirs = CASES[name]
    got, expected = _as_tuple(ours()), _as_tuple(theirs())
    assert len(got) == len(expected)
    for g, e in zip(got, expected, strict=True):
        e = e.detach().numpy()
        assert g.shape == e.shape, name
        assert g.dtype == e.dtype, name
        np.testing.assert_array_equal(g, e)


def test_all_three_conv_gradients_of_an_empty_batch():
    g = np.zeros((0, 3, 5, 5))
    x = torch.zeros(0, 2, 5, 5, dtype=torch.float64, requires_grad=True)
    w = t(W).requires_grad_()
    b = t(B).requires_grad_()
    F.conv2d(x, w, b, padding=1).backward(t(g))
    for backward in (ops.conv2d_backward, ops.conv2d_backward_loop):
        grad_x, grad_w, grad_b = backward(X4, W, g, padding=1)
        assert grad_x.shape == tuple(x.grad.shape)
        np.testing.assert_array_equal(grad_w, w.grad.numpy())  # zeros: no example, no gradient
        np.testing.assert_array_equal(grad_b, b.grad.numpy())


def test_float32_and_tensor_batches_stay_float32():
    x = torch.zeros(0, 2, 5, 5)
    got = ops.conv2d(x, W.astype(np.float32))
    assert got.dtype == np.float32 and got.shape == (0, 3, 3, 3)


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        # an unbatched input without channels: both refuse
        (lambda: ops.max_pool2d(np.zeros((0, 5, 5)), 2),
         lambda: F.max_pool2d(torch.zeros(0, 5, 5), 2)),
        (lambda: ops.avg_pool2d(np.zeros((0, 5, 5)), 2),
         lambda: F.avg_pool2d(torch.zeros(0, 5, 5), 2)),
        (lambda: ops.max_pool1d(np.zeros((0, 5)), 2),
         lambda: F.max_pool1d(torch.zeros(0, 5), 2)),
        # an empty spatial axis: both refuse
        (lambda: ops.max_pool2d(np.zeros((1, 2, 0, 5)), 2),
         lambda: F.max_pool2d(torch.zeros(1, 2, 0, 5), 2)),
        (lambda: ops.conv2d(np.zeros((1, 2, 5, 0)), W),
         lambda: F.conv2d(torch.zeros(1, 2, 5, 0, dtype=torch.float64), t(W))),
    ],
)
def test_other_empty_axes_are_refused_as_torch_refuses_them(ours, theirs):
    with pytest.raises(RuntimeError):
        theirs()
    with pytest.raises(ValueError, match="must not be empty"):
        ours()


def test_checks_still_apply_to_an_empty_batch():
    with pytest.raises(ValueError, match=r"weight.shape\[1\] = 2 input channels per group"):
        ops.conv2d(np.zeros((0, 3, 5, 5)), W)
    with pytest.raises(TypeError, match="array of real numbers"):
        ops.conv2d(np.zeros((0, 2, 5, 5), dtype=complex), W)
    with pytest.raises(ValueError, match="divisor_override must be a non-zero integer"):
        ops.avg_pool2d(X4, 2, divisor_override=0)


def test_empty_batch_recognises_only_an_empty_first_axis():
    assert empty_batch(np.zeros((0, 2, 3)), 3).shape == (1, 2, 3)
    assert empty_batch(np.zeros((0, 2, 3)), 4) is None  # not a batch of this layout
    assert empty_batch(np.zeros((1, 0, 3)), 3) is None  # an empty channel axis
    assert empty_batch(np.zeros((0, 0, 3)), 3) is None
    assert empty_batch("abc", 1) is None
