"""The convolution layer: many channels in, many channels out, as in PyTorch.

Output channel ``o`` of image ``n`` at pixel ``(i, j)`` is

    out[n, o, i, j] = bias[o] + sum_{c,u,v} w[o, c, u, v] * x[n, g*C_g + c, i*s + u*d, j*s + v*d]

on the zero-padded input, where ``w`` is the weight, ``s`` the stride, ``d`` the
dilation, and the input channels are split into ``groups`` blocks of ``C_g``
channels: output channel ``o`` reads only block ``g``, the group it belongs to.
This is a cross-correlation, as in every deep-learning library. :func:`conv2d_loop`
computes it literally; :func:`conv2d` lays the windows out with
:func:`~cnnbook.ops.im2col` and does one matrix product per group. Both equal
``torch.nn.functional.conv2d`` (and the 1-D twins ``conv1d``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cnnbook._checks import as_array, check_int, check_tuple
from cnnbook.ops.padding import pad2d
from cnnbook.ops.windows import _check_span, im2col

__all__ = ["conv1d", "conv1d_loop", "conv2d", "conv2d_loop"]

Padding = int | tuple[int, ...] | str


@dataclass(frozen=True)
class _Conv:
    """Checked arguments of a convolution: batched, zero-padded input, 2-D form."""

    x: np.ndarray  # (N, C, H, W), already padded
    weight: np.ndarray  # (O, C // groups, kh, kw)
    bias: np.ndarray  # (O,), zeros when the layer has no bias
    stride: tuple[int, int]
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
    shape = "(C, L) or (N, C, L)" if dims == 1 else "(C, H, W) or (N, C, H, W)"
    x = as_array("x", x)
    if x.ndim not in (dims + 1, dims + 2):
        raise ValueError(
            f"x must have {dims + 1} or {dims + 2} dimensions {shape}, got {x.ndim} "
            f"(shape {x.shape})"
        )
    weight = as_array("weight", weight, ndim=dims + 2)
    groups = check_int("groups", groups, minimum=1)
    s = check_tuple("stride", stride, dims, minimum=1)
    d = check_tuple("dilation", dilation, dims, minimum=1)
    batched = x.ndim == dims + 2
    x = x if batched else x[None]
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
    x = pad2d(x, (left, right, top, bottom))
    return _Conv(x, weight, bias, s, d, groups, batched, dims)


def _finish(out: np.ndarray, conv: _Conv) -> np.ndarray:
    """Drop the height-1 axis of a 1-D convolution and the batch axis of an unbatched one."""
    out = out[:, :, 0, :] if conv.dims == 1 else out
    return out if conv.batched else out[0]


def _conv_im2col(c: _Conv) -> np.ndarray:
    """One matrix product per group: ``weight (G, O_g, C_g*kh*kw) @ cols (N, G, C_g*kh*kw, L)``."""
    n, _, h, w = c.x.shape
    out_channels, per_group, kh, kw = c.weight.shape
    g = c.groups
    h_out = (h - c.dilation[0] * (kh - 1) - 1) // c.stride[0] + 1
    w_out = (w - c.dilation[1] * (kw - 1) - 1) // c.stride[1] + 1
    out = np.empty((n, g, out_channels // g, h_out * w_out), np.result_type(c.x, c.weight))
    weight = np.ascontiguousarray(c.weight.reshape(g, out_channels // g, -1))
    # A few images at a time keeps the unfolded columns small enough to stay in cache.
    chunk = max(1, 2**20 // (per_group * g * kh * kw * h_out * w_out))
    for start in range(0, n, chunk):
        cols = im2col(c.x[start : start + chunk], (kh, kw), c.stride, 0, c.dilation)
        np.matmul(weight, cols.reshape(len(cols), g, per_group * kh * kw, -1),
                  out=out[start : start + chunk])
    out = out.reshape(n, out_channels, h_out, w_out) + c.bias[:, None, None]
    return _finish(out, c)


def conv2d(
    x: np.ndarray,
    weight: np.ndarray,
    bias: np.ndarray | None = None,
    stride: int | tuple[int, int] = 1,
    padding: Padding = 0,
    dilation: int | tuple[int, int] = 1,
    groups: int = 1,
) -> np.ndarray:
    """2-D convolution layer, vectorised: im2col, then one matrix product.

    ``x`` is ``(N, C, H, W)`` or ``(C, H, W)``, ``weight`` ``(O, C // groups, kh, kw)``,
    ``bias`` ``(O,)`` or None. ``padding`` is an int, a pair, ``"valid"`` (none) or
    ``"same"`` (output as large as the input; stride 1 only, the odd zero of an
    even kernel goes right/bottom). Equals ``torch.nn.functional.conv2d``.
    """
    return _conv_im2col(_prepare(x, weight, bias, stride, padding, dilation, groups, dims=2))


def conv1d(
    x: np.ndarray,
    weight: np.ndarray,
    bias: np.ndarray | None = None,
    stride: int | tuple[int] = 1,
    padding: Padding = 0,
    dilation: int | tuple[int] = 1,
    groups: int = 1,
) -> np.ndarray:
    """1-D convolution layer, vectorised; ``x`` is ``(N, C, L)`` or ``(C, L)``.

    Same arguments and rules as :func:`conv2d`, one spatial axis fewer. Equals
    ``torch.nn.functional.conv1d``.
    """
    return _conv_im2col(_prepare(x, weight, bias, stride, padding, dilation, groups, dims=1))


def conv2d_loop(
    x: np.ndarray,
    weight: np.ndarray,
    bias: np.ndarray | None = None,
    stride: int | tuple[int, int] = 1,
    padding: Padding = 0,
    dilation: int | tuple[int, int] = 1,
    groups: int = 1,
) -> np.ndarray:
    """:func:`conv2d` as its formula, one multiply-add at a time (slow; for reading).

    ``out[n, o, i, j] = bias[o] + sum_{c,u,v} weight[o, c, u, v] * x[n, g*C_g + c, i*sh + u*dh,
    j*sw + v*dw]`` on the zero-padded ``x``, where ``g`` is the group of output channel ``o``.
    """
    conv = _prepare(x, weight, bias, stride, padding, dilation, groups, dims=2)
    x, weight, bias = conv.x, conv.weight, conv.bias
    (sh, sw), (dh, dw) = conv.stride, conv.dilation
    N, _, H, W = x.shape
    C_out, C_g, kh, kw = weight.shape
    out_per_group = C_out // conv.groups
    H_out = (H - dh * (kh - 1) - 1) // sh + 1
    W_out = (W - dw * (kw - 1) - 1) // sw + 1
    out = np.zeros((N, C_out, H_out, W_out), dtype=np.result_type(x, weight, bias))
    for n, o, i, j in np.ndindex(N, C_out, H_out, W_out):
        g = o // out_per_group  # the group of output channel o
        total = bias[o]
        for c, u, v in np.ndindex(C_g, kh, kw):
            total += weight[o, c, u, v] * x[n, g * C_g + c, i * sh + u * dh, j * sw + v * dw]
        out[n, o, i, j] = total
    return out if conv.batched else out[0]


def conv1d_loop(
    x: np.ndarray,
    weight: np.ndarray,
    bias: np.ndarray | None = None,
    stride: int | tuple[int] = 1,
    padding: Padding = 0,
    dilation: int | tuple[int] = 1,
    groups: int = 1,
) -> np.ndarray:
    """:func:`conv1d` as its formula, one multiply-add at a time (slow; for reading).

    ``out[n, o, i] = bias[o] + sum_{c,u} weight[o, c, u] * x[n, g*C_g + c, i*s + u*d]``
    on the zero-padded ``x``, where ``g`` is the group of output channel ``o``.
    """
    conv = _prepare(x, weight, bias, stride, padding, dilation, groups, dims=1)
    x, weight, bias = conv.x[:, :, 0, :], conv.weight[:, :, 0, :], conv.bias
    s, d = conv.stride[1], conv.dilation[1]
    N, _, L = x.shape
    C_out, C_g, k = weight.shape
    out_per_group = C_out // conv.groups
    L_out = (L - d * (k - 1) - 1) // s + 1
    out = np.zeros((N, C_out, L_out), dtype=np.result_type(x, weight, bias))
    for n, o, i in np.ndindex(N, C_out, L_out):
        g = o // out_per_group  # the group of output channel o
        total = bias[o]
        for c, u in np.ndindex(C_g, k):
            total += weight[o, c, u] * x[n, g * C_g + c, i * s + u * d]
        out[n, o, i] = total
    return out if conv.batched else out[0]
