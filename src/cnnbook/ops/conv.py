"""The convolution layer: many channels in, many channels out, as in PyTorch.

Output channel ``o`` of image ``n`` at pixel ``(i, j)`` is

    out[n, o, i, j] = bias[o] + sum_{c,u,v} w[o, c, u, v] * x[n, g*C_g + c, i*s + u*d, j*s + v*d]

on the zero-padded input, where ``w`` is the weight, ``s`` the stride, ``d`` the
dilation, and the input channels are split into ``groups`` blocks of ``C_g``
channels: output channel ``o`` reads only block ``g``, the group it belongs to.
This is a cross-correlation, as in every deep-learning library. :func:`conv2d_loop`
checks its arguments, pads, and computes it literally with :func:`conv2d_formula`;
:func:`conv2d` copies every window into one row of a matrix (im2col, transposed) and does a
single matrix product with the kernels. Both equal ``torch.nn.functional.conv2d`` (and the
1-D twins ``conv1d``, which run the same code on images of height 1). As in PyTorch, a
batch of no examples (``N = 0``) gives an empty batch of outputs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cnnbook._checks import as_array, as_batched, check_int, check_tuple
from cnnbook.ops._batch import empty_batch_ok
from cnnbook.ops.padding import pad2d
from cnnbook.ops.windows import _check_span, sliding_windows2d

__all__ = ["conv1d", "conv1d_loop", "conv2d", "conv2d_formula", "conv2d_loop"]

Padding = int | tuple[int, ...] | str


@dataclass(frozen=True)
class _Conv:
    """Checked arguments of a convolution, batched and in 2-D form."""

    x: np.ndarray  # (N, C, H, W), not yet padded
    weight: np.ndarray  # (O, C // groups, kh, kw)
    bias: np.ndarray  # (O,), zeros when the layer has no bias
    stride: tuple[int, int]
    pads: tuple[int, int, int, int]  # (left, right, top, bottom), as pad2d takes them
    dilation: tuple[int, int]
    groups: int
    batched: bool
    dims: int  # 1 for conv1d (then H == kh == 1), 2 for conv2d


def _padding(padding: object, k: tuple[int, ...], s: tuple[int, ...], d: tuple[int, ...]):
    """``(before, after)`` zeros per spatial axis, from an int, a tuple, "valid" or "same"."""
    if isinstance(padding, str):
        if padding == "valid":
            return [(0, 0)] * len(k)
        if padding != "same":
            raise ValueError(
                f"padding must be a non-negative integer, a tuple of {len(k)}, 'valid' or "
                f"'same'; got {padding!r}"
            )
        if any(step > 1 for step in s):
            raise ValueError(
                f"padding='same' is not supported for strided convolutions (stride must be 1, "
                f"got {s}); pad explicitly instead (see same_padding)"
            )
        totals = [di * (ki - 1) for ki, di in zip(k, d, strict=True)]
        return [(t // 2, t - t // 2) for t in totals]  # the odd zero goes right, like torch
    return [(p, p) for p in check_tuple("padding", padding, len(k), minimum=0)]


def _prepare(x, weight, bias, stride, padding, dilation, groups, dims: int) -> _Conv:
    x, batched = as_batched("x", x, dims + 2, "(N, C, L)" if dims == 1 else "(N, C, H, W)")
    weight = as_array("weight", weight, ndim=dims + 2)
    groups = check_int("groups", groups, minimum=1)
    s = check_tuple("stride", stride, dims, minimum=1)
    d = check_tuple("dilation", dilation, dims, minimum=1)
    out_channels, per_group = weight.shape[:2]
    channels = x.shape[1]
    if channels % groups:
        raise ValueError(f"in_channels = {channels} of x must be divisible by groups = {groups}")
    if out_channels % groups:
        raise ValueError(
            f"out_channels = weight.shape[0] = {out_channels} must be divisible by "
            f"groups = {groups}"
        )
    if per_group * groups != channels:
        raise ValueError(
            f"weight.shape[1] = {per_group} input channels per group times groups = {groups} "
            f"must equal the {channels} channels of x (weight shape {weight.shape}, "
            f"x shape {x.shape})"
        )
    if bias is None:
        bias = np.zeros(out_channels, dtype=np.result_type(x, weight))
    else:
        bias = as_array("bias", bias, ndim=1)
        if bias.shape != (out_channels,):
            raise ValueError(f"bias must have shape ({out_channels},), got {bias.shape}")
    k = weight.shape[2:]
    pads = _padding(padding, k, s, d)
    if dims == 1:  # a 1-D convolution is a 2-D one over images of height 1
        x, weight, k = x[:, :, None, :], weight[:, :, None, :], (1, *k)
        s, d, pads = (1, *s), (1, *d), [(0, 0), *pads]
    (top, bottom), (left, right) = pads
    padded = (x.shape[2] + top + bottom, x.shape[3] + left + right)
    _check_span(k[-dims:], d[-dims:], padded[-dims:])
    return _Conv(x, weight, bias, s, (left, right, top, bottom), d, groups, batched, dims)


def _conv_matmul(c: _Conv) -> np.ndarray:
    """Every window as one row of a matrix, times the kernels as columns: one product.

    The input is stored channels-last, so the ``kw * C`` values of a window row lie
    next to each other in memory and copying the windows out is fast; the rows
    ``(N*H_out*W_out, kh*kw*C_g)`` are im2col's columns, transposed.
    """
    out_channels, per_group, kh, kw = c.weight.shape
    g, out_per_group = c.groups, out_channels // c.groups
    left, right, top, bottom = c.pads
    pixels = np.pad(c.x.transpose(0, 2, 3, 1), ((0, 0), (top, bottom), (left, right), (0, 0)))
    windows = sliding_windows2d(pixels.transpose(0, 3, 1, 2), (kh, kw), c.stride, c.dilation)
    n, _, h_out, w_out = windows.shape[:4]
    rows = windows.reshape(n, g, per_group, h_out, w_out, kh, kw).transpose(1, 0, 3, 4, 5, 6, 2)
    rows = rows.reshape(g, n * h_out * w_out, kh * kw * per_group)
    kernels = c.weight.reshape(g, out_per_group, per_group, kh, kw).transpose(0, 3, 4, 2, 1)
    out = rows @ kernels.reshape(g, kh * kw * per_group, out_per_group)  # (G, N*Ho*Wo, O_g)
    out = out.reshape(g, n, h_out, w_out, out_per_group).transpose(1, 0, 4, 2, 3)
    out = out.reshape(n, out_channels, h_out, w_out).astype(np.result_type(out, c.bias), copy=False)
    out += c.bias[:, None, None]
    if c.dims == 1:
        out = out[:, :, 0, :]
    return out if c.batched else out[0]


@empty_batch_ok(4)
def conv2d(
    x: np.ndarray, weight: np.ndarray,
    bias: np.ndarray | None = None, stride: int | tuple[int, int] = 1, padding: Padding = 0,
    dilation: int | tuple[int, int] = 1, groups: int = 1,
) -> np.ndarray:
    """2-D convolution layer, vectorised: all windows as rows, then one matrix product.

    ``x`` is ``(N, C, H, W)`` or ``(C, H, W)``, ``weight`` ``(O, C // groups, kh, kw)``,
    ``bias`` ``(O,)`` or None. ``padding`` is an int, a pair, ``"valid"`` (none) or
    ``"same"`` (output as large as the input; stride 1 only, the odd zero of an
    even kernel goes right/bottom). Equals ``torch.nn.functional.conv2d``.
    """
    return _conv_matmul(_prepare(x, weight, bias, stride, padding, dilation, groups, dims=2))


@empty_batch_ok(3)
def conv1d(
    x: np.ndarray, weight: np.ndarray,
    bias: np.ndarray | None = None, stride: int | tuple[int] = 1, padding: Padding = 0,
    dilation: int | tuple[int] = 1, groups: int = 1,
) -> np.ndarray:
    """1-D convolution layer, vectorised; ``x`` is ``(N, C, L)`` or ``(C, L)``.

    Same arguments and rules as :func:`conv2d`, one spatial axis fewer. Equals
    ``torch.nn.functional.conv1d``.
    """
    return _conv_matmul(_prepare(x, weight, bias, stride, padding, dilation, groups, dims=1))


@empty_batch_ok(4)
def conv2d_loop(
    x: np.ndarray, weight: np.ndarray,
    bias: np.ndarray | None = None, stride: int | tuple[int, int] = 1, padding: Padding = 0,
    dilation: int | tuple[int, int] = 1, groups: int = 1,
) -> np.ndarray:
    """:func:`conv2d` as its formula, one multiply-add at a time (slow; for reading).

    Checks the arguments, adds the batch axis and the padding, and runs
    :func:`conv2d_formula`. Same arguments as :func:`conv2d`.
    """
    c = _prepare(x, weight, bias, stride, padding, dilation, groups, dims=2)
    y = conv2d_formula(pad2d(c.x, c.pads), c.weight, c.bias, c.stride, c.dilation, c.groups)
    return y if c.batched else y[0]


@empty_batch_ok(3)
def conv1d_loop(
    x: np.ndarray, weight: np.ndarray,
    bias: np.ndarray | None = None, stride: int | tuple[int] = 1, padding: Padding = 0,
    dilation: int | tuple[int] = 1, groups: int = 1,
) -> np.ndarray:
    """:func:`conv1d` as its formula (slow; for reading): :func:`conv2d_formula` on
    signals seen as images of height 1. Same arguments as :func:`conv1d`.
    """
    c = _prepare(x, weight, bias, stride, padding, dilation, groups, dims=1)
    y = conv2d_formula(pad2d(c.x, c.pads), c.weight, c.bias, c.stride, c.dilation, c.groups)
    return y[:, :, 0] if c.batched else y[0, :, 0]


def conv2d_formula(
    x_p: np.ndarray, w: np.ndarray, b: np.ndarray,
    s: tuple[int, int], d: tuple[int, int], groups: int = 1,
) -> np.ndarray:
    """The layer's sum, term by term, on the padded input x_p:

        y[n, o, i, j] = b[o] + Σ_{c,u,v} w[o, c, u, v]
                        · x_p[n, c_0 + c, s_h·i + d_h·u, s_w·j + d_w·v]

    where c_0 is the first input channel of the group of output channel
    o (0 without groups). Unchecked: call :func:`conv2d_loop`.
    """
    N, _, H_p, W_p = x_p.shape
    C_out, C_g, k_h, k_w = w.shape
    (s_h, s_w), (d_h, d_w) = s, d
    H_out = (H_p - d_h * (k_h - 1) - 1) // s_h + 1
    W_out = (W_p - d_w * (k_w - 1) - 1) // s_w + 1
    y = np.zeros((N, C_out, H_out, W_out), dtype=np.result_type(x_p, w, b))
    for n, o, i, j in np.ndindex(N, C_out, H_out, W_out):
        c_0 = o // (C_out // groups) * C_g  # the first channel o reads
        y[n, o, i, j] = b[o]
        for c, u, v in np.ndindex(C_g, k_h, k_w):
            pixel = x_p[n, c_0 + c, s_h * i + d_h * u, s_w * j + d_w * v]
            y[n, o, i, j] += pixel * w[o, c, u, v]
    return y
