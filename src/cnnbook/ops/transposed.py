"""Transposed convolution: every input pixel stamps a scaled copy of the kernel on the output.

Where ``conv2d`` gathers a window into one number, ``conv_transpose2d`` scatters one number
into a window, so the output grows (``stride`` spaces the stamps apart). It is exactly the
input gradient of ``conv2d`` (:func:`cnnbook.ops.conv2d_input_grad`), and it is also an
ordinary stride-1 convolution once zeros are put between the input pixels. As in PyTorch,
a batch of no examples (``N = 0``) gives an empty batch of outputs.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from cnnbook._checks import as_array, as_batched, check_int, check_tuple
from cnnbook.ops._batch import empty_batch_ok
from cnnbook.ops.arithmetic import conv_transpose_output_size
from cnnbook.ops.conv import conv2d

__all__ = ["conv_transpose2d", "conv_transpose2d_loop"]

Pair = int | tuple[int, int]


class TransposeArgs(NamedTuple):
    """Checked ``conv_transpose2d`` arguments; ``out`` is the output's ``(H, W)``."""

    stride: tuple[int, int]
    padding: tuple[int, int]
    output_padding: tuple[int, int]
    dilation: tuple[int, int]
    groups: int
    out: tuple[int, int]


def _check(x, weight, bias, stride, padding, output_padding, groups, dilation):
    x, batched = as_batched("x", x, 4, "(N, C, H, W)")
    weight = as_array("weight", weight, ndim=4)
    s = check_tuple("stride", stride, 2, minimum=1)
    p = check_tuple("padding", padding, 2, minimum=0)
    op = check_tuple("output_padding", output_padding, 2, minimum=0)
    d = check_tuple("dilation", dilation, 2, minimum=1)
    groups = check_int("groups", groups, minimum=1)
    c_in = x.shape[1]
    if weight.shape[0] != c_in:
        raise ValueError(
            f"weight.shape[0] must equal the input channels {c_in} (weight is "
            f"(in_channels, out_channels/groups, kh, kw)), got weight shape {weight.shape}"
        )
    if c_in % groups:
        raise ValueError(f"groups must divide the input channels ({c_in}), got groups={groups}")
    if any(o >= si and o >= di for o, si, di in zip(op, s, d, strict=True)):
        raise ValueError(
            f"output_padding must be smaller than stride or dilation, got "
            f"output_padding={output_padding!r}, stride={stride!r}, dilation={dilation!r}"
        )
    c_out = weight.shape[1] * groups
    if bias is not None:
        bias = as_array("bias", bias, ndim=1)
        if bias.shape[0] != c_out:
            raise ValueError(f"bias must have {c_out} entries (out channels), got {bias.shape[0]}")
    out = conv_transpose_output_size(x.shape[2:], weight.shape[2:], s, p, op, d)
    return x, batched, weight, bias, TransposeArgs(s, p, op, d, groups, out)


def _finish(out: np.ndarray, bias: np.ndarray | None, batched: bool) -> np.ndarray:
    if bias is not None:
        out = out + bias[:, None, None]
    return out if batched else out[0]


@empty_batch_ok(4)
def conv_transpose2d(
    x: object, weight: object,
    bias: object | None = None, stride: Pair = 1, padding: Pair = 0, output_padding: Pair = 0,
    groups: int = 1, dilation: Pair = 1,
) -> np.ndarray:
    """Transposed convolution, equal to ``torch.nn.functional.conv_transpose2d``.

    ``weight`` has shape ``(in_channels, out_channels / groups, kh, kw)``. Computed as an
    ordinary convolution: put ``stride - 1`` zeros between input pixels, pad by
    ``dilation * (k - 1)``, convolve (stride 1) with the flipped kernel, then crop
    ``padding`` from each side and add ``output_padding`` rows/columns at the bottom/right.
    """
    x, batched, weight, bias, a = _check(
        x, weight, bias, stride, padding, output_padding, groups, dilation
    )
    n, c_in, h, w = x.shape
    _, c_out_g, kh, kw = weight.shape
    (sh, sw), (ph, pw), (dh, dw) = a.stride, a.padding, a.dilation
    qh, qw = dh * (kh - 1), dw * (kw - 1)
    spread = np.zeros((n, c_in, (h - 1) * sh + 1 + 2 * qh, (w - 1) * sw + 1 + 2 * qw), x.dtype)
    spread[:, :, qh : qh + (h - 1) * sh + 1 : sh, qw : qw + (w - 1) * sw + 1 : sw] = x
    # the same kernel seen by conv2d: in/out channel axes swapped within each group, flipped
    kernel = weight.reshape(a.groups, c_in // a.groups, c_out_g, kh, kw).swapaxes(1, 2)
    kernel = kernel.reshape(a.groups * c_out_g, c_in // a.groups, kh, kw)[:, :, ::-1, ::-1]
    full = conv2d(spread, kernel, dilation=a.dilation, groups=a.groups)
    grow = [max(0, p + o - f) for p, o, f in zip(a.padding, a.out, full.shape[2:], strict=True)]
    full = np.pad(full, ((0, 0), (0, 0), (0, grow[0]), (0, grow[1])))
    return _finish(full[:, :, ph : ph + a.out[0], pw : pw + a.out[1]], bias, batched)


@empty_batch_ok(4)
def conv_transpose2d_loop(
    x: object, weight: object,
    bias: object | None = None, stride: Pair = 1, padding: Pair = 0, output_padding: Pair = 0,
    groups: int = 1, dilation: Pair = 1,
) -> np.ndarray:
    """:func:`conv_transpose2d` as the definition: each input pixel adds ``pixel * kernel`` to the
    output window at ``(i * stride, j * stride)``; then ``padding`` is cropped off each side."""
    x, batched, weight, bias, a = _check(
        x, weight, bias, stride, padding, output_padding, groups, dilation
    )
    n, c_in, h, w = x.shape
    _, c_out_g, kh, kw = weight.shape
    (sh, sw), (ph, pw), (dh, dw) = a.stride, a.padding, a.dilation
    # big enough for every stamp and for the cropped output (output_padding may reach past)
    height = max((h - 1) * sh + dh * (kh - 1) + 1, ph + a.out[0])
    width = max((w - 1) * sw + dw * (kw - 1) + 1, pw + a.out[1])
    canvas = np.zeros((n, c_out_g * a.groups, height, width), dtype=x.dtype)
    for c in range(c_in):
        group = c // (c_in // a.groups)
        outs = slice(group * c_out_g, (group + 1) * c_out_g)  # the channels c writes to
        for i in range(h):
            for j in range(w):
                rows = slice(i * sh, i * sh + dh * (kh - 1) + 1, dh)
                cols = slice(j * sw, j * sw + dw * (kw - 1) + 1, dw)
                canvas[:, outs, rows, cols] += x[:, c, i, j, None, None, None] * weight[c]
    return _finish(canvas[:, :, ph : ph + a.out[0], pw : pw + a.out[1]], bias, batched)
