"""Backward passes written out: the gradients autograd computes for convolution and pooling.

For ``y = conv2d(x, w) + b`` and a loss ``L``, backpropagation receives ``grad_out = dL/dy``
and must return ``dL/dx``, ``dL/dw`` and ``dL/db``. Each is again a sliding-window sum:

* ``dL/db`` adds ``grad_out`` over the batch and all positions;
* ``dL/dw`` correlates the input with ``grad_out`` (:func:`im2col`, one matrix product);
* ``dL/dx`` sends every ``grad_out`` value back through the kernel taps that produced it
  (:func:`col2im`). In one channel that is a *full convolution* with the kernel
  (:func:`correlate2d_input_grad`, written out in :func:`correlate2d_input_grad_formula`);
  in general it is a transposed convolution.

Pooling has no weights: max pooling routes each window's gradient to its winner,
average pooling spreads it evenly over the cells the mean divided by. As in PyTorch, a
batch of no examples (``N = 0``) gives an empty input gradient and zero weight and bias
gradients.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from cnnbook._checks import as_array, as_batched, check_int, check_tuple
from cnnbook.ops._batch import empty_batch, no_examples
from cnnbook.ops.arithmetic import conv_output_size
from cnnbook.ops.padding import pad2d
from cnnbook.ops.pooling import avg_divisor, check_divisor, max_pool2d, pool_geometry
from cnnbook.ops.windows import col2im, im2col

__all__ = [
    "avg_pool2d_backward",
    "conv2d_backward",
    "conv2d_backward_loop",
    "conv2d_bias_grad",
    "conv2d_input_grad",
    "conv2d_weight_grad",
    "correlate2d_input_grad",
    "correlate2d_input_grad_formula",
    "max_pool2d_backward",
]

Pair = int | tuple[int, int]


class _ConvArgs(NamedTuple):
    """Checked ``conv2d`` hyper-parameters (pairs) and the batched shapes they connect."""

    stride: tuple[int, int]
    padding: tuple[int, int]
    dilation: tuple[int, int]
    groups: int
    x_shape: tuple[int, int, int, int]
    weight_shape: tuple[int, int, int, int]
    out_shape: tuple[int, int, int, int]


def _one_example(shape: Sequence[int]) -> Sequence[int]:
    """``shape`` with a batch of one where it has a batch of none (``(0, C, H, W)``)."""
    if isinstance(shape, Sequence) and len(shape) == 4 and shape[0] == 0:
        return (1, *shape[1:])
    return shape


def _shape(name: str, value: object, n: int) -> tuple[int, ...]:
    """A shape given as a sequence of ``n`` positive ints."""
    if not isinstance(value, Sequence) or len(value) != n:
        raise ValueError(f"{name} must be a sequence of {n} integers, got {value!r}")
    return tuple(check_int(f"{name}[{i}]", v, minimum=1) for i, v in enumerate(value))


def _check_conv_args(
    x_shape: Sequence[int], weight_shape: Sequence[int],
    stride: Pair = 1, padding: Pair = 0, dilation: Pair = 1, groups: int = 1,
) -> _ConvArgs:
    """Check that ``conv2d`` of an ``x_shape`` input by a ``weight_shape`` kernel makes sense."""
    n, c_in, h, w = _shape("input_shape", x_shape, 4)
    c_out, c_per_group, kh, kw = _shape("weight_shape", weight_shape, 4)
    s = check_tuple("stride", stride, 2, minimum=1)
    p = check_tuple("padding", padding, 2, minimum=0)
    d = check_tuple("dilation", dilation, 2, minimum=1)
    groups = check_int("groups", groups, minimum=1)
    if c_in % groups or c_out % groups:
        raise ValueError(
            f"groups must divide both the input channels ({c_in}) and the output channels "
            f"({c_out}), got groups={groups}"
        )
    if c_per_group * groups != c_in:
        raise ValueError(
            f"weight of shape {tuple(weight_shape)} with groups={groups} expects "
            f"{c_per_group * groups} input channels, but the input has {c_in}"
        )
    out = conv_output_size((h, w), (kh, kw), s, p, d)
    return _ConvArgs(s, p, d, groups, (n, c_in, h, w), (c_out, c_per_group, kh, kw),
                    (n, c_out, *out))


def _check_grad_out(grad_out: np.ndarray, expected: tuple[int, ...]) -> None:
    if grad_out.shape != tuple(expected):
        raise ValueError(
            f"grad_out must have the shape of the forward output {tuple(expected)}, "
            f"got {grad_out.shape}"
        )


def correlate2d_input_grad(grad_out: object, k: object) -> np.ndarray:
    """Gradient of ``correlate2d(x, k, "valid")`` with respect to ``x``.

    ``x[r, c]`` met ``k[a, b]`` in the output ``y[r - a, c - b]``, so
    ``dL/dx[r, c] = sum_ab grad_out[r - a, c - b] * k[a, b]``: the *full convolution*
    ``convolve2d(grad_out, k, "full")``. Checks its arrays and runs
    :func:`correlate2d_input_grad_formula`.
    """
    g = as_array("grad_out", grad_out, ndim=2)
    w = as_array("k", k, ndim=2)
    return correlate2d_input_grad_formula(g, w)


def correlate2d_input_grad_formula(
    g: np.ndarray, w: np.ndarray
) -> np.ndarray:
    """∂L/∂x[r, c] = Σ_{i,j} g[i, j] · w[r − i, c − j]: the full convolution.

    Output (i, j) read the window x[i : i + k_h, j : j + k_w] through w,
    so its gradient g[i, j] flows back onto that window through w.
    Unchecked: call :func:`correlate2d_input_grad`.
    """
    (H_out, W_out), (k_h, k_w) = g.shape, w.shape
    dx = np.zeros((H_out + k_h - 1, W_out + k_w - 1), np.result_type(g, w))
    for i, j in np.ndindex(H_out, W_out):
        dx[i : i + k_h, j : j + k_w] += g[i, j] * w
    return dx


def conv2d_input_grad(
    grad_out: object, weight: object, input_shape: Sequence[int],
    stride: Pair = 1, padding: Pair = 0, dilation: Pair = 1, groups: int = 1,
) -> np.ndarray:
    """``dL/dx`` of ``conv2d``: each output gradient flows back through the kernel taps.

    ``input_shape`` is the shape of ``x`` (with stride > 1 it cannot be read off
    ``grad_out``). Equal to ``torch.nn.grad.conv2d_input`` and to
    :func:`cnnbook.ops.conv_transpose2d`; a batch of no examples (``N = 0``) gives an
    empty gradient, as in PyTorch.
    """
    if (one := empty_batch(grad_out, 4)) is not None:
        return no_examples(conv2d_input_grad(one, weight, _one_example(input_shape), stride,
                                             padding, dilation, groups))
    grad_out, batched = as_batched("grad_out", grad_out, 4, "(N, C, H, W)")
    weight = as_array("weight", weight, ndim=4)
    input_shape = _shape("input_shape", input_shape, 4 if batched else 3)
    a = _check_conv_args(input_shape if batched else (1, *input_shape), weight.shape,
                        stride, padding, dilation, groups)
    _check_grad_out(grad_out, a.out_shape)
    n, c_out, h_out, w_out = grad_out.shape
    w = weight.reshape(a.groups, c_out // a.groups, -1)  # (G, O/G, C/G*kh*kw)
    g = grad_out.reshape(n, a.groups, c_out // a.groups, h_out * w_out)
    cols = np.einsum("gok,ngol->ngkl", w, g).reshape(n, -1, h_out * w_out)
    grad_x = col2im(cols, a.x_shape[2:], a.weight_shape[2:], a.stride, a.padding, a.dilation)
    return grad_x if batched else grad_x[0]


def conv2d_weight_grad(
    x: object, grad_out: object, weight_shape: Sequence[int],
    stride: Pair = 1, padding: Pair = 0, dilation: Pair = 1, groups: int = 1,
) -> np.ndarray:
    """``dL/dw`` of ``conv2d``: every window of ``x`` weighted by its output gradient, summed.

    Equal to ``torch.nn.grad.conv2d_weight``; a batch of no examples (``N = 0``) gives
    zeros, as in PyTorch.
    """
    one_x, one_g = empty_batch(x, 4), empty_batch(grad_out, 4)
    if one_x is not None and one_g is not None:
        x, grad_out = one_x, one_g  # zeros: every product is 0
    x, batched = as_batched("x", x, 4, "(N, C, H, W)")
    grad_out = as_array("grad_out", grad_out, ndim=4 if batched else 3)
    grad_out = grad_out if batched else grad_out[None]
    a = _check_conv_args(x.shape, weight_shape, stride, padding, dilation, groups)
    _check_grad_out(grad_out, a.out_shape)
    n, c_out = grad_out.shape[:2]
    cols = im2col(x, a.weight_shape[2:], a.stride, a.padding, a.dilation)
    cols = cols.reshape(n, a.groups, -1, cols.shape[-1])  # (N, G, C/G*kh*kw, L)
    g = grad_out.reshape(n, a.groups, c_out // a.groups, -1)  # (N, G, O/G, L)
    return np.einsum("ngol,ngkl->gok", g, cols).reshape(a.weight_shape)


def conv2d_bias_grad(grad_out: object) -> np.ndarray:
    """``dL/db`` of ``conv2d``: each output channel's gradient summed over batch and positions.

    A batch of no examples (``N = 0``) gives zeros, as in PyTorch.
    """
    if (one := empty_batch(grad_out, 4)) is not None:
        grad_out = one  # zeros
    grad_out = as_array("grad_out", grad_out, ndim=(3, 4))
    axes = (0, 2, 3) if grad_out.ndim == 4 else (1, 2)
    return grad_out.sum(axis=axes)


def conv2d_backward(
    x: object, weight: object, grad_out: object,
    stride: Pair = 1, padding: Pair = 0, dilation: Pair = 1, groups: int = 1,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """All three gradients of ``conv2d``: ``(dL/dx, dL/dw, dL/db)``.

    A batch of no examples (``N = 0``) gives an empty ``dL/dx`` and zero ``dL/dw``,
    ``dL/db``, as in PyTorch.
    """
    one_x, one_g = empty_batch(x, 4), empty_batch(grad_out, 4)
    if one_x is not None and one_g is not None:
        grad_x, grad_w, grad_b = conv2d_backward(one_x, weight, one_g, stride, padding,
                                                 dilation, groups)
        return grad_x[:0], grad_w, grad_b
    x = as_array("x", x, ndim=(3, 4))
    weight = as_array("weight", weight, ndim=4)
    args = (stride, padding, dilation, groups)
    return (
        conv2d_input_grad(grad_out, weight, x.shape, *args),
        conv2d_weight_grad(x, grad_out, weight.shape, *args),
        conv2d_bias_grad(grad_out),
    )


def conv2d_backward_loop(
    x: object, weight: object, grad_out: object,
    stride: Pair = 1, padding: Pair = 0, dilation: Pair = 1, groups: int = 1,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`conv2d_backward` as the chain rule applied to the forward loop.

    The forward pass adds ``w[o, c, a, b] * x_pad[n, c', i*s + a*d, j*s + b*d]`` into
    ``y[n, o, i, j]``; so ``grad_out[n, o, i, j]`` times the weight flows back to that input
    pixel, and times that pixel flows back to the weight. A batch of no examples
    (``N = 0``) gives an empty ``dL/dx`` and zero ``dL/dw``, ``dL/db``, as in PyTorch.
    """
    one_x, one_g = empty_batch(x, 4), empty_batch(grad_out, 4)
    if one_x is not None and one_g is not None:
        grad_x, grad_w, grad_b = conv2d_backward_loop(one_x, weight, one_g, stride, padding,
                                                      dilation, groups)
        return grad_x[:0], grad_w, grad_b
    x, batched = as_batched("x", x, 4, "(N, C, H, W)")
    weight = as_array("weight", weight, ndim=4)
    grad_out = as_array("grad_out", grad_out, ndim=4 if batched else 3)
    grad_out = grad_out if batched else grad_out[None]
    a = _check_conv_args(x.shape, weight.shape, stride, padding, dilation, groups)
    _check_grad_out(grad_out, a.out_shape)
    (sh, sw), (ph, pw), (dh, dw) = a.stride, a.padding, a.dilation
    c_out, c_per_group, kh, kw = weight.shape
    x_pad = pad2d(x, a.padding)
    grad_x_pad = np.zeros_like(x_pad)
    grad_w = np.zeros_like(weight)
    for o in range(c_out):
        group = o // (c_out // a.groups)
        chans = slice(group * c_per_group, (group + 1) * c_per_group)
        for i in range(a.out_shape[2]):
            for j in range(a.out_shape[3]):
                rows = slice(i * sh, i * sh + dh * (kh - 1) + 1, dh)
                cols = slice(j * sw, j * sw + dw * (kw - 1) + 1, dw)
                g = grad_out[:, o, i, j, None, None, None]  # one number per sample
                grad_w[o] += (g * x_pad[:, chans, rows, cols]).sum(axis=0)
                grad_x_pad[:, chans, rows, cols] += g * weight[o]
    grad_x = grad_x_pad[:, :, ph : ph + x.shape[2], pw : pw + x.shape[3]]
    grad_b = grad_out.sum(axis=(0, 2, 3))
    return (grad_x if batched else grad_x[0]), grad_w, grad_b


def max_pool2d_backward(
    x: object, grad_out: object, kernel_size: Pair,
    stride: Pair | None = None, padding: Pair = 0, dilation: Pair = 1, ceil_mode: bool = False,
) -> np.ndarray:
    """``dL/dx`` of ``max_pool2d``: each window's gradient goes to its winning pixel.

    A pixel that wins several overlapping windows collects all their gradients. When a
    window has tied maxima, PyTorch (and this function) picks one winner, the first in
    reading order, and gives it the whole gradient; the other tied pixels get nothing.
    A batch of no examples (``N = 0``) gives an empty gradient, as in PyTorch.
    """
    one_x, one_g = empty_batch(x, 4), empty_batch(grad_out, 4)
    if one_x is not None and one_g is not None:
        return no_examples(max_pool2d_backward(one_x, one_g, kernel_size, stride, padding,
                                               dilation, ceil_mode))
    x = as_array("x", x, ndim=(3, 4))
    _, winners = max_pool2d(x, kernel_size, stride, padding, dilation, ceil_mode, True)
    grad_out = as_array("grad_out", grad_out)
    _check_grad_out(grad_out, winners.shape)
    height, width = x.shape[-2:]
    per_channel = winners.reshape(-1, winners.shape[-2] * winners.shape[-1])
    flat = per_channel + height * width * np.arange(per_channel.shape[0])[:, None]
    grad = np.bincount(flat.ravel(), weights=grad_out.ravel(), minlength=x.size)
    return grad.reshape(x.shape).astype(grad_out.dtype, copy=False)


def avg_pool2d_backward(
    grad_out: object, input_shape: Sequence[int], kernel_size: Pair,
    stride: Pair | None = None, padding: Pair = 0, ceil_mode: bool = False,
    count_include_pad: bool = True, divisor_override: int | None = None,
) -> np.ndarray:
    """``dL/dx`` of ``avg_pool2d``: each window's gradient, divided by the window's divisor,
    goes to every input pixel in the window (the shares that land on padding are dropped).

    ``divisor_override`` may be any integer but 0, negative ones included, as in PyTorch.
    A batch of no examples (``N = 0``) gives an empty gradient, as in PyTorch.
    """
    if (one := empty_batch(grad_out, 4)) is not None:
        return no_examples(avg_pool2d_backward(
            one, _one_example(input_shape), kernel_size, stride, padding, ceil_mode,
            count_include_pad, divisor_override))
    grad_out = as_array("grad_out", grad_out, ndim=(3, 4))
    shape = _shape("input_shape", input_shape, grad_out.ndim)
    g = pool_geometry(shape[-2:], kernel_size, stride, padding, 1, ceil_mode)
    _check_grad_out(grad_out, shape[:-2] + g.out)
    if divisor_override is None:
        divisor = avg_divisor(shape[-2:], g, bool(count_include_pad))
    else:
        divisor = check_divisor(divisor_override)
    share = (grad_out / divisor).reshape(-1, 1, g.out[0] * g.out[1])
    cols = np.broadcast_to(share, (share.shape[0], g.kernel[0] * g.kernel[1], share.shape[2]))
    # a canvas holding the padding and any ceil_mode overhang, so every window fits
    canvas = tuple(
        max(n + 2 * p, (o - 1) * s + k)
        for n, k, s, p, o in zip(shape[-2:], g.kernel, g.stride, g.padding, g.out, strict=True)
    )
    grad = col2im(cols, canvas, g.kernel, g.stride)[:, 0]
    (ph, pw), (height, width) = g.padding, shape[-2:]
    return grad[:, ph : ph + height, pw : pw + width].reshape(shape)
