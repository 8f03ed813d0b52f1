"""Sliding windows and im2col: the vectorised view of a convolution.

A convolution visits every *window* of its input (a patch the size of the kernel,
spaced ``stride`` apart, with taps ``dilation`` apart) and takes a dot product with
the kernel. :func:`sliding_windows2d` gathers all windows at once as a strided
*view* (no copy); :func:`im2col` lays them out as the columns of one matrix, so a
whole convolution becomes one matrix product; :func:`col2im` folds columns back,
adding up the overlaps (the adjoint of :func:`im2col`). Like ``unfold`` and ``fold``,
both take a batch of no examples (``N = 0``) and return an empty one.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from cnnbook._checks import as_array, as_batched, check_tuple
from cnnbook.ops._batch import empty_batch_ok
from cnnbook.ops.padding import pad2d

__all__ = ["col2im", "im2col", "sliding_windows1d", "sliding_windows2d"]


def _check_span(
    kernel_size: tuple[int, ...], dilation: tuple[int, ...], size: tuple[int, ...]
) -> tuple[int, ...]:
    """Return the span ``dilation*(k-1)+1`` of the kernel; refuse one larger than the input."""
    span = tuple(d * (k - 1) + 1 for k, d in zip(kernel_size, dilation, strict=True))
    if any(s > n for s, n in zip(span, size, strict=True)):
        raise ValueError(
            f"kernel_size {kernel_size} with dilation {dilation} spans {span}, larger than "
            f"the (padded) input size {size}; the kernel must fit inside the input"
        )
    return span


def sliding_windows1d(
    x: np.ndarray, kernel_size: int,
    stride: int = 1, dilation: int = 1,
) -> np.ndarray:
    """All windows of the last axis of ``x``: a read-only view of shape ``(..., L_out, k)``.

    Window ``i`` holds ``x[..., i*stride + m*dilation]`` for ``m = 0, ..., k-1``.
    No padding is applied here (see :func:`cnnbook.ops.pad1d`).
    """
    x = as_array("x", x)
    if x.ndim < 1:
        raise ValueError(f"x must have at least 1 dimension, got a scalar {x!r}")
    (k,) = check_tuple("kernel_size", kernel_size, 1, minimum=1)
    (s,) = check_tuple("stride", stride, 1, minimum=1)
    (d,) = check_tuple("dilation", dilation, 1, minimum=1)
    (span,) = _check_span((k,), (d,), x.shape[-1:])
    return sliding_window_view(x, span, axis=-1)[..., ::s, ::d]


def sliding_windows2d(
    x: np.ndarray, kernel_size: int | tuple[int, int],
    stride: int | tuple[int, int] = 1, dilation: int | tuple[int, int] = 1,
) -> np.ndarray:
    """All windows over the last two axes: a read-only view ``(..., H_out, W_out, kh, kw)``.

    ``windows[..., i, j, u, v] == x[..., i*sh + u*dh, j*sw + v*dw]``. No padding is
    applied here (see :func:`cnnbook.ops.pad2d`).
    """
    x = as_array("x", x)
    if x.ndim < 2:
        raise ValueError(f"x must have at least 2 dimensions, got {x.ndim} (shape {x.shape})")
    k = check_tuple("kernel_size", kernel_size, 2, minimum=1)
    s = check_tuple("stride", stride, 2, minimum=1)
    d = check_tuple("dilation", dilation, 2, minimum=1)
    span = _check_span(k, d, x.shape[-2:])
    view = sliding_window_view(x, span, axis=(-2, -1))
    return view[..., :: s[0], :: s[1], :: d[0], :: d[1]]


@empty_batch_ok(4)
def im2col(
    x: np.ndarray, kernel_size: int | tuple[int, int],
    stride: int | tuple[int, int] = 1, padding: int | tuple[int, int] = 0,
    dilation: int | tuple[int, int] = 1,
) -> np.ndarray:
    """Unfold ``x`` ``(N, C, H, W)`` into columns ``(N, C*kh*kw, H_out*W_out)``.

    Column ``i*W_out + j`` is the window under output pixel ``(i, j)``, flattened in
    ``(channel, row, column)`` order, so a convolution is ``weight.reshape(O, -1) @ cols``.
    Zero padding is applied first. Equal to ``torch.nn.functional.unfold``; an
    unbatched ``(C, H, W)`` input gives ``(C*kh*kw, L)``.
    """
    x, batched = as_batched("x", x, 4)
    k = check_tuple("kernel_size", kernel_size, 2, minimum=1)
    p = check_tuple("padding", padding, 2, minimum=0)
    windows = sliding_windows2d(pad2d(x, p), k, stride, dilation)  # (N, C, Ho, Wo, kh, kw)
    n, c, h_out, w_out = windows.shape[:4]
    cols = windows.transpose(0, 1, 4, 5, 2, 3).reshape(n, c * k[0] * k[1], h_out * w_out)
    return cols if batched else cols[0]


@empty_batch_ok(3)
def col2im(
    cols: np.ndarray, output_size: int | tuple[int, int], kernel_size: int | tuple[int, int],
    stride: int | tuple[int, int] = 1, padding: int | tuple[int, int] = 0,
    dilation: int | tuple[int, int] = 1,
) -> np.ndarray:
    """Fold columns ``(N, C*kh*kw, L)`` back into an image ``(N, C, H, W)``, summing overlaps.

    The adjoint of :func:`im2col` (equal to ``torch.nn.functional.fold``): every column
    entry is added to the pixel it was read from; entries that came from the zero
    padding are dropped. ``output_size`` is ``(H, W)`` before padding.
    """
    cols, batched = as_batched("cols", cols, 3)
    size = check_tuple("output_size", output_size, 2, minimum=1)
    k = check_tuple("kernel_size", kernel_size, 2, minimum=1)
    s = check_tuple("stride", stride, 2, minimum=1)
    p = check_tuple("padding", padding, 2, minimum=0)
    d = check_tuple("dilation", dilation, 2, minimum=1)
    padded = (size[0] + 2 * p[0], size[1] + 2 * p[1])
    span = _check_span(k, d, padded)
    h_out, w_out = ((n - sp) // st + 1 for n, sp, st in zip(padded, span, s, strict=True))
    n, rows, length = cols.shape
    if rows % (k[0] * k[1]):
        raise ValueError(
            f"cols.shape[1] must be divisible by kh*kw = {k[0] * k[1]}, got {rows}"
        )
    if length != h_out * w_out:
        raise ValueError(
            f"cols.shape[2] must be the number of windows H_out*W_out = {h_out}*{w_out} = "
            f"{h_out * w_out} for output_size {size}, got {length}"
        )
    c = rows // (k[0] * k[1])
    blocks = cols.reshape(n, c, k[0], k[1], h_out, w_out)
    image = np.zeros((n, c, *padded), dtype=cols.dtype)
    for u in range(k[0]):  # one strided slice per kernel tap: k*k additions, not L
        for v in range(k[1]):
            rows_hit = slice(u * d[0], u * d[0] + s[0] * (h_out - 1) + 1, s[0])
            cols_hit = slice(v * d[1], v * d[1] + s[1] * (w_out - 1) + 1, s[1])
            image[:, :, rows_hit, cols_hit] += blocks[:, :, u, v]
    image = image[:, :, p[0] : p[0] + size[0], p[1] : p[1] + size[1]]
    return image if batched else image[0]
