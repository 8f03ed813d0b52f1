"""Pooling: slide a window over each channel and keep one number per window.

Four summaries of a window appear in the book: its maximum, minimum, mean and sum.
All follow PyTorch's conventions: ``stride`` defaults to ``kernel_size``, ``padding``
is at most half the kernel, and with ``ceil_mode`` a last, partial window is kept only
if it starts inside the input or its left padding. Max pooling pads with ``-inf`` and
min pooling with ``+inf``, so padding never wins; mean and sum pooling pad with zeros.
As in PyTorch, a batch of no examples (``N = 0``, a 4-D input in 2-D, 3-D in 1-D) gives
an empty batch; an unbatched input with no channels is refused, as PyTorch does.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from cnnbook._checks import as_array, check_bool, check_choice, check_int, check_tuple
from cnnbook.ops._batch import empty_batch_ok
from cnnbook.ops.arithmetic import pool_output_size
from cnnbook.ops.padding import pad2d
from cnnbook.ops.windows import sliding_windows2d

__all__ = [
    "POOL_MODES",
    "PoolGeometry",
    "avg_divisor",
    "check_divisor",
    "avg_pool1d",
    "avg_pool2d",
    "global_avg_pool2d",
    "max_pool1d",
    "max_pool2d",
    "min_pool1d",
    "min_pool2d",
    "pool2d",
    "pool2d_formula",
    "pool2d_loop",
    "pool_geometry",
    "pool_windows",
    "sum_pool1d",
    "sum_pool2d",
]

POOL_MODES = ("max", "avg", "min", "sum")
_FILL = {"max": -np.inf, "min": np.inf, "avg": 0.0, "sum": 0.0}


class PoolGeometry(NamedTuple):
    """Checked pooling arguments, one entry per spatial axis, and the output size."""

    kernel: tuple[int, ...]
    stride: tuple[int, ...]
    padding: tuple[int, ...]
    dilation: tuple[int, ...]
    ceil_mode: bool
    out: tuple[int, ...]


def _taps_counted(
    n: int, k: int, s: int, p: int, d: int, out: int, include_pad: bool,
) -> np.ndarray:
    """Along one axis of size ``n``: how many taps of each of the ``out`` windows land on
    the input (``include_pad``: on the input or its padding, not past it)."""
    taps = (np.arange(out) * s - p)[:, None] + np.arange(k) * d
    low, high = (-p, n + p) if include_pad else (0, n)
    return ((taps >= low) & (taps < high)).sum(axis=1)


def pool_geometry(
    size: tuple[int, ...], kernel_size: int | tuple[int, ...],
    stride: int | tuple[int, ...] | None = None, padding: int | tuple[int, ...] = 0,
    dilation: int | tuple[int, ...] = 1, ceil_mode: bool = False,
) -> PoolGeometry:
    """Check pooling arguments for an input of spatial ``size`` and work out the output size."""
    n = len(size)
    kernel = check_tuple("kernel_size", kernel_size, n, minimum=1)
    stride_ = kernel if stride is None else check_tuple("stride", stride, n, minimum=1)
    pad = check_tuple("padding", padding, n, minimum=0)
    dil = check_tuple("dilation", dilation, n, minimum=1)
    ceil_mode = check_bool("ceil_mode", ceil_mode)
    if any(p > k // 2 for p, k in zip(pad, kernel, strict=True)):
        raise ValueError(
            f"padding must be at most half of kernel_size (padding <= kernel_size // 2), "
            f"got padding={padding!r} with kernel_size={kernel_size!r}"
        )
    out = pool_output_size(tuple(size), kernel, stride_, pad, dil, bool(ceil_mode))
    # with dilation a window can skip over the whole input and see padding only
    # (PyTorch then returns -inf and an index outside the input); refuse that
    axes = zip(size, kernel, stride_, pad, dil, out, strict=True)
    if any(_taps_counted(*axis, include_pad=False).min() == 0 for axis in axes):
        raise ValueError(
            f"with dilation={dilation!r} and padding={padding!r} some window covers only "
            f"padding and no pixel of the input of size {tuple(size)}; use less padding"
        )
    return PoolGeometry(kernel, stride_, pad, dil, bool(ceil_mode), out)


def _as_2d(g: PoolGeometry) -> PoolGeometry:
    """View a 1-D pooling as a 2-D one over a height-1 image."""
    if len(g.kernel) == 2:
        return g
    return PoolGeometry(
        (1, *g.kernel), (1, *g.stride), (0, *g.padding), (1, *g.dilation), g.ceil_mode, (1, *g.out)
    )


def pool_windows(x: np.ndarray, g: PoolGeometry, fill: float) -> np.ndarray:
    """Every pooling window of ``x`` padded with ``fill``: shape ``(..., H_out, W_out, kh, kw)``.

    With ``ceil_mode`` the last window may run past the right padding; the padding is
    widened with ``fill`` so that it fits (those extra cells never count).
    """
    g = _as_2d(g)
    extra = [
        max(0, (o - 1) * s + d * (k - 1) + 1 - (n + 2 * p))
        for n, k, s, p, d, o in zip(
            x.shape[-2:], g.kernel, g.stride, g.padding, g.dilation, g.out, strict=True
        )
    ]
    (ph, pw) = g.padding
    padded = pad2d(x, (pw, pw + extra[1], ph, ph + extra[0]), value=fill)
    windows = sliding_windows2d(padded, g.kernel, g.stride, g.dilation)
    return windows[..., : g.out[0], : g.out[1], :, :]


def check_divisor(divisor_override: object) -> int:
    """``divisor_override`` as an int; like PyTorch, refuse only 0 (negative ones are fine)."""
    divisor = check_int("divisor_override", divisor_override)
    if divisor == 0:
        raise ValueError("divisor_override must be a non-zero integer (PyTorch refuses only "
                         "0; negative values are allowed), got 0")
    return divisor


def avg_divisor(size: tuple[int, int], g: PoolGeometry, count_include_pad: bool) -> np.ndarray:
    """The divisor of every output position of average pooling, shape ``(H_out, W_out)``.

    PyTorch counts the padding cells a window covers when ``count_include_pad`` is true,
    but never the cells a ``ceil_mode`` window hangs past the right padding.
    """
    g = _as_2d(g)
    rows, cols = (
        _taps_counted(*args, include_pad=count_include_pad)
        for args in zip(size, g.kernel, g.stride, g.padding, g.dilation, g.out, strict=True)
    )
    return np.outer(rows, cols)


def _combine_taps(windows: np.ndarray, ufunc: np.ufunc) -> np.ndarray:
    """Fold the ``kh * kw`` taps of every window together with ``ufunc``, one tap at a time.

    The same as ``ufunc.reduce`` over the last two axes, but each tap is one strided slice
    across all windows, which NumPy walks about ten times faster.
    """
    out = windows[..., 0, 0].copy()
    for a in range(windows.shape[-2]):
        for b in range(windows.shape[-1]):
            if a or b:
                ufunc(out, windows[..., a, b], out=out)
    return out


def _pool(x: np.ndarray, g: PoolGeometry, mode: str, count_include_pad: bool) -> np.ndarray:
    windows = pool_windows(x, g, _FILL[mode])
    if mode in ("max", "min"):
        return _combine_taps(windows, np.maximum if mode == "max" else np.minimum)
    total = _combine_taps(windows, np.add)
    if mode == "sum":
        return total
    return total / avg_divisor(x.shape[-2:], g, count_include_pad).astype(x.dtype)


@empty_batch_ok(4)
def pool2d(
    x: object, kernel_size: int | tuple[int, int],
    stride: int | tuple[int, int] | None = None, padding: int | tuple[int, int] = 0,
    dilation: int | tuple[int, int] = 1, ceil_mode: bool = False, count_include_pad: bool = True,
    mode: str = "max",
) -> np.ndarray:
    """Pool ``x`` of shape ``(C, H, W)`` or ``(N, C, H, W)`` with windows summarised by ``mode``.

    ``mode`` is ``"max"``, ``"avg"``, ``"min"`` or ``"sum"``; ``count_include_pad`` only
    matters for ``"avg"``.
    """
    check_choice("mode", mode, POOL_MODES)
    x = as_array("x", x, ndim=(3, 4))
    g = pool_geometry(x.shape[-2:], kernel_size, stride, padding, dilation, ceil_mode)
    return _pool(x, g, mode, bool(count_include_pad))


@empty_batch_ok(4)
def pool2d_loop(
    x: object, kernel_size: int | tuple[int, int],
    stride: int | tuple[int, int] | None = None, padding: int | tuple[int, int] = 0,
    dilation: int | tuple[int, int] = 1, ceil_mode: bool = False, count_include_pad: bool = True,
    mode: str = "max",
) -> np.ndarray:
    """:func:`pool2d` written as the definition (slow; for reading): checks its arguments,
    works out the output size, and runs :func:`pool2d_formula`."""
    check_choice("mode", mode, POOL_MODES)
    x = as_array("x", x, ndim=(3, 4))
    g = pool_geometry(x.shape[-2:], kernel_size, stride, padding, dilation, ceil_mode)
    return pool2d_formula(x, g, mode, bool(count_include_pad))


#: How each mode summarises the pixels of a window (the mean divides the sum later).
SUMMARIES = {"max": np.max, "min": np.min, "sum": np.sum, "avg": np.sum}


def pool2d_formula(
    x: np.ndarray, g: PoolGeometry, mode: str, count_include_pad: bool,
) -> np.ndarray:
    """Visit every window, list the input pixels under it, summarise them.

    Window (i, j) covers the cells (s_h·i − p_h + d_h·a, s_w·j − p_w + d_w·b)
    for a < k_h, b < k_w; cells on the padding are not listed, and only
    the mean may count them (as zeros). All channels at once, through
    ``...``. Unchecked: call :func:`pool2d_loop`.
    """
    (k_h, k_w), (s_h, s_w) = g.kernel, g.stride
    (p_h, p_w), (d_h, d_w) = g.padding, g.dilation
    H, W = x.shape[-2:]
    y = np.empty(x.shape[:-2] + g.out, dtype=x.dtype)
    for i, j in np.ndindex(*g.out):
        window = [(s_h * i - p_h + d_h * a, s_w * j - p_w + d_w * b)
                  for a, b in np.ndindex(k_h, k_w)]
        pixels = [x[..., r, c] for r, c in window
                  if 0 <= r < H and 0 <= c < W]
        y[..., i, j] = SUMMARIES[mode](pixels, axis=0)
        if mode == "avg":
            padded = [(r, c) for r, c in window
                      if -p_h <= r < H + p_h and -p_w <= c < W + p_w]
            y[..., i, j] /= len(padded) if count_include_pad else len(pixels)
    return y


@empty_batch_ok(4)
def max_pool2d(
    x: object, kernel_size: int | tuple[int, int],
    stride: int | tuple[int, int] | None = None, padding: int | tuple[int, int] = 0,
    dilation: int | tuple[int, int] = 1, ceil_mode: bool = False, return_indices: bool = False,
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """The largest value in each window, like ``torch.nn.functional.max_pool2d``.

    With ``return_indices`` also return where each maximum came from, as a flat index
    ``row * W + col`` into its input channel. When several pixels tie, the first one in
    reading order (row by row) wins, as in PyTorch; the backward pass sends the whole
    gradient of the window to that one pixel. A NaN wins its window in both libraries,
    but for several NaNs PyTorch reports the last one and this function the first.
    """
    x = as_array("x", x, ndim=(3, 4))
    g = pool_geometry(x.shape[-2:], kernel_size, stride, padding, dilation, ceil_mode)
    if not return_indices:
        return _pool(x, g, "max", True)
    return _max_with_indices(x, g)


def _max_with_indices(x: np.ndarray, g: PoolGeometry) -> tuple[np.ndarray, np.ndarray]:
    """Max pooling of the last two axes plus the flat index of each winner."""
    g = _as_2d(g)
    windows = pool_windows(x, g, -np.inf)
    flat = windows.reshape(windows.shape[:-2] + (-1,))
    tap = flat.argmax(axis=-1)  # first maximum in reading order
    a, b = np.divmod(tap, g.kernel[1])
    rows = (np.arange(g.out[0]) * g.stride[0] - g.padding[0])[:, None] + a * g.dilation[0]
    cols = np.arange(g.out[1]) * g.stride[1] - g.padding[1] + b * g.dilation[1]
    values = np.take_along_axis(flat, tap[..., None], axis=-1)[..., 0]
    return values, (rows * x.shape[-1] + cols).astype(np.int64)


@empty_batch_ok(4)
def min_pool2d(
    x: object, kernel_size: int | tuple[int, int],
    stride: int | tuple[int, int] | None = None, padding: int | tuple[int, int] = 0,
    dilation: int | tuple[int, int] = 1, ceil_mode: bool = False,
) -> np.ndarray:
    """The smallest value in each window (``-max_pool2d(-x)``); pads with ``+inf``."""
    return pool2d(x, kernel_size, stride, padding, dilation, ceil_mode, mode="min")


@empty_batch_ok(4)
def avg_pool2d(
    x: object, kernel_size: int | tuple[int, int],
    stride: int | tuple[int, int] | None = None, padding: int | tuple[int, int] = 0,
    ceil_mode: bool = False, count_include_pad: bool = True, divisor_override: int | None = None,
) -> np.ndarray:
    """The mean of each window, like ``torch.nn.functional.avg_pool2d``.

    ``count_include_pad`` decides whether zero-padding cells count in the mean;
    ``divisor_override`` replaces the count by a fixed integer, any but 0 (PyTorch
    accepts negative ones too).
    """
    if divisor_override is None:
        return pool2d(x, kernel_size, stride, padding, 1, ceil_mode, count_include_pad, "avg")
    divisor = check_divisor(divisor_override)
    return pool2d(x, kernel_size, stride, padding, 1, ceil_mode, mode="sum") / divisor


@empty_batch_ok(4)
def sum_pool2d(
    x: object, kernel_size: int | tuple[int, int],
    stride: int | tuple[int, int] | None = None, padding: int | tuple[int, int] = 0,
    ceil_mode: bool = False,
) -> np.ndarray:
    """The sum of each window (zero padding), i.e. average pooling without the division."""
    return pool2d(x, kernel_size, stride, padding, 1, ceil_mode, mode="sum")


@empty_batch_ok(4)
def global_avg_pool2d(x: object, keepdims: bool = True) -> np.ndarray:
    """The mean of each whole channel: ``(N, C, H, W)`` to ``(N, C, 1, 1)`` (or ``(N, C)``)."""
    x = as_array("x", x, ndim=(3, 4))
    return x.mean(axis=(-2, -1), keepdims=bool(keepdims))


def _pool1d(x, kernel_size, stride, padding, dilation, ceil_mode, count_include_pad, mode):
    x = as_array("x", x, ndim=(2, 3))
    g = pool_geometry(x.shape[-1:], kernel_size, stride, padding, dilation, ceil_mode)
    return _pool(x[..., None, :], g, mode, bool(count_include_pad))[..., 0, :]


@empty_batch_ok(3)
def max_pool1d(
    x: object, kernel_size: int,
    stride: int | None = None, padding: int = 0, dilation: int = 1, ceil_mode: bool = False,
    return_indices: bool = False,
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """The largest value in each window of a ``(C, L)`` or ``(N, C, L)`` signal."""
    if not return_indices:
        return _pool1d(x, kernel_size, stride, padding, dilation, ceil_mode, True, "max")
    x = as_array("x", x, ndim=(2, 3))
    g = pool_geometry(x.shape[-1:], kernel_size, stride, padding, dilation, ceil_mode)
    values, indices = _max_with_indices(x[..., None, :], g)
    return values[..., 0, :], indices[..., 0, :]


@empty_batch_ok(3)
def min_pool1d(
    x: object, kernel_size: int,
    stride: int | None = None, padding: int = 0, dilation: int = 1, ceil_mode: bool = False,
) -> np.ndarray:
    """The smallest value in each window of a ``(C, L)`` or ``(N, C, L)`` signal."""
    return _pool1d(x, kernel_size, stride, padding, dilation, ceil_mode, True, "min")


@empty_batch_ok(3)
def avg_pool1d(
    x: object, kernel_size: int,
    stride: int | None = None, padding: int = 0, ceil_mode: bool = False,
    count_include_pad: bool = True,
) -> np.ndarray:
    """The mean of each window of a signal, like ``torch.nn.functional.avg_pool1d``."""
    return _pool1d(x, kernel_size, stride, padding, 1, ceil_mode, count_include_pad, "avg")


@empty_batch_ok(3)
def sum_pool1d(
    x: object, kernel_size: int,
    stride: int | None = None, padding: int = 0, ceil_mode: bool = False,
) -> np.ndarray:
    """The sum of each window of a signal (zero padding)."""
    return _pool1d(x, kernel_size, stride, padding, 1, ceil_mode, True, "sum")
