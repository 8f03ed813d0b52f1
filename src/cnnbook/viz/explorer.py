"""The convolution explorer: one call puts a live, checked convolution widget in a page.

``explorer("conv2d", x, weight, stride=2, padding=1)`` returns an ``IPython.display.HTML``
object that shows, in the static book and offline, an explorer opened on that setting:
the reader changes any setting (operation, 1-D/2-D, sizes, stride, padding, dilation,
padding mode, channels and groups, output_padding, ceil_mode), steps through the windows
and hovers cells to see receptive fields. The JavaScript in ``cnnbook/web`` (engine.js,
tested against PyTorch) computes what the widget draws; the first view is computed here
with :mod:`cnnbook.ops` and embedded, so a test can check that both agree. Readers
without JavaScript see the setting's animation as a still picture.

Operations (named as in :mod:`cnnbook.ops`): ``"conv1d"``, ``"conv2d"`` (correlation, as
``nn.Conv`` computes it), ``"convolve1d"``, ``"convolve2d"`` (true convolution: the kernel
turned by 180°), ``"conv_transpose1d"``, ``"conv_transpose2d"``, ``"max_pool1d"``,
``"max_pool2d"``, ``"avg_pool1d"``, ``"avg_pool2d"``.
"""

from __future__ import annotations

import base64
import json
import re
import sys
from dataclasses import dataclass
from functools import cache
from html import escape
from importlib import resources
from io import BytesIO

import matplotlib.pyplot as plt
import numpy as np
from IPython.display import HTML
from matplotlib.figure import Figure
from PIL import Image

from cnnbook import ops
from cnnbook._checks import as_array, check_choice, check_int, check_tuple
from cnnbook.viz.style import INK, NEGATIVE_COLOR, ROLE_COLORS

__all__ = ["EXPLORER_OPS", "LIMITS", "explorer", "explorer_config"]

#: The operations the explorer runs, by their cnnbook.ops name: (engine op, dimensions).
EXPLORER_OPS: dict[str, tuple[str, int]] = {
    "conv1d": ("conv", 1), "conv2d": ("conv", 2),
    "convolve1d": ("convolve", 1), "convolve2d": ("convolve", 2),
    "conv_transpose1d": ("transpose", 1), "conv_transpose2d": ("transpose", 2),
    "max_pool1d": ("max_pool", 1), "max_pool2d": ("max_pool", 2),
    "avg_pool1d": ("avg_pool", 1), "avg_pool2d": ("avg_pool", 2),
}

#: What the explorer draws at most (the same numbers as LIMITS in engine.js): cells per
#: axis of the input and of the output by dimension, channels, kernel taps per axis.
LIMITS = {"size": {1: 128, 2: 32}, "output": {1: 256, 2: 64}, "channels": 4, "kernel": 16}

#: Digits shipped with a page at most (each 28 × 28 bytes).
MAX_DIGITS = 8

#: The noscript picture stays within this many bytes (its resolution drops until it does).
FALLBACK_BYTES = 40_000

_code_emitted = False  # has this Python process put the widget's code in an output yet?

_PAD_MODES = ("zeros", "reflect", "replicate", "circular")
_WEB_FILES = ("arithmetic.js", "engine.js", "explorer.js")


@dataclass(frozen=True)
class _Layer:
    """A checked explorer setting, every per-axis entry a tuple of ``dims`` ints."""

    name: str
    op: str
    dims: int
    x: np.ndarray  # (C, *size)
    weight: np.ndarray | None  # (C_out, C_in/g, *k) or, transposed, (C_in, C_out/g, *k)
    bias: np.ndarray | None
    kernel_size: tuple[int, ...]
    stride: tuple[int, ...]
    padding: tuple[int, ...] | str
    dilation: tuple[int, ...]
    groups: int
    padding_mode: str
    output_padding: tuple[int, ...]
    ceil_mode: bool
    count_include_pad: bool

    @property
    def pool(self) -> bool:
        return self.op in ("max_pool", "avg_pool")

    @property
    def out_channels(self) -> int:
        if self.pool:
            return self.x.shape[0]
        if self.op == "transpose":  # the weight is (C_in, C_out / groups, ...)
            return self.weight.shape[1] * self.groups
        return self.weight.shape[0]


def _unbatch(name: str, a: object, dims: int) -> np.ndarray:
    """``a`` as ``(C, *spatial)``: one channel may be left out, one example may be batched."""
    arr = as_array(name, a, ndim=(dims, dims + 1, dims + 2)).astype(np.float64)
    if arr.ndim == dims + 2:
        if arr.shape[0] != 1:
            raise ValueError(f"{name} must hold one example (batch size 1), got shape {arr.shape}")
        arr = arr[0]
    return arr if arr.ndim == dims + 1 else arr[None]


def _check_bool(name: str, value: object) -> bool:
    if not isinstance(value, bool | np.bool_):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def _layer(op: str, x, weight, bias, kernel_size, stride, padding, dilation, groups,
           padding_mode, output_padding, ceil_mode, count_include_pad) -> _Layer:
    check_choice("op", op, tuple(EXPLORER_OPS))
    engine_op, dims = EXPLORER_OPS[op]
    pool = engine_op in ("max_pool", "avg_pool")
    x = _unbatch("x", x, dims)
    if x.shape[0] > LIMITS["channels"]:
        raise ValueError(f"x must have at most {LIMITS['channels']} channels, got {x.shape[0]}")
    if max(x.shape[1:]) > LIMITS["size"][dims]:
        raise ValueError(f"x must have at most {LIMITS['size'][dims]} cells per axis for "
                         f"{op}, got shape {x.shape}")
    if pool:
        if weight is not None or bias is not None:
            raise TypeError(f"{op} takes kernel_size, not weight or bias")
        if kernel_size is None:
            raise TypeError(f"{op} needs kernel_size (the window)")
        k = check_tuple("kernel_size", kernel_size, dims, minimum=1)
        w = None
    else:
        if weight is None:
            raise TypeError(f"{op} needs a weight (the kernel)")
        if kernel_size is not None:
            raise TypeError(f"{op} takes its kernel size from weight; leave kernel_size out")
        w = as_array("weight", weight, ndim=(dims, dims + 2)).astype(np.float64)
        w = w if w.ndim == dims + 2 else w[None, None]
        k = tuple(w.shape[2:])
        if max(w.shape[:2]) > LIMITS["channels"]:
            raise ValueError(f"weight must have at most {LIMITS['channels']} channels per "
                             f"axis, got shape {w.shape}")
    if max(k) > LIMITS["kernel"]:
        raise ValueError(f"the kernel must have at most {LIMITS['kernel']} taps per axis, "
                         f"got {k}")
    if isinstance(padding, str):
        if pool or engine_op == "transpose":
            raise ValueError(f"padding must be numbers for {op}, got {padding!r}")
        check_choice("padding", padding, ("valid", "same"))
        pads: tuple[int, ...] | str = padding
    else:
        pads = check_tuple("padding", padding, dims, minimum=0)
    check_choice("padding_mode", padding_mode, _PAD_MODES)
    if padding_mode != "zeros" and engine_op not in ("conv", "convolve"):
        raise ValueError(f"padding_mode must be 'zeros' for {op}, got {padding_mode!r}")
    b = None
    if bias is not None:
        b = as_array("bias", bias, ndim=1).astype(np.float64)
    return _Layer(
        name=op, op=engine_op, dims=dims, x=x, weight=w, bias=b, kernel_size=k,
        stride=check_tuple("stride", k if stride is None and pool else 1 if stride is None
                           else stride, dims, minimum=1),
        padding=pads, dilation=check_tuple("dilation", dilation, dims, minimum=1),
        groups=check_int("groups", groups, minimum=1), padding_mode=padding_mode,
        output_padding=check_tuple("output_padding", output_padding, dims, minimum=0),
        ceil_mode=_check_bool("ceil_mode", ceil_mode),
        count_include_pad=_check_bool("count_include_pad", count_include_pad),
    )


def _pad_pairs(layer: _Layer) -> list[tuple[int, int]]:
    """``(before, after)`` per axis for a convolution: numbers, "valid" or PyTorch's "same"."""
    if layer.padding == "valid":
        return [(0, 0)] * layer.dims
    if layer.padding == "same":
        return [ops.same_padding(k, s, d) for k, s, d in
                zip(layer.kernel_size, layer.stride, layer.dilation, strict=True)]
    return [(p, p) for p in layer.padding]


def first_view(layer: _Layer) -> np.ndarray:
    """The layer's output for its arrays, computed with :mod:`cnnbook.ops`: ``(C_out, ...)``."""
    x, w, b, dims = layer.x[None], layer.weight, layer.bias, layer.dims
    if layer.op in ("conv", "convolve"):
        if layer.op == "convolve":
            w = np.flip(w, axis=tuple(range(-dims, 0))).copy()
        conv = ops.conv1d if dims == 1 else ops.conv2d
        if layer.padding_mode == "zeros":
            return conv(x, w, b, layer.stride, layer.padding, layer.dilation, layer.groups)[0]
        pads = _pad_pairs(layer)  # nn.Conv pads with F.pad, then convolves unpadded
        flat = [p for pair in reversed(pads) for p in pair]  # (left, right[, top, bottom])
        padded = (ops.pad1d if dims == 1 else ops.pad2d)(x, flat, mode=layer.padding_mode)
        return conv(padded, w, b, layer.stride, 0, layer.dilation, layer.groups)[0]
    if layer.op == "transpose":
        if dims == 2:
            return ops.conv_transpose2d(x, w, b, layer.stride, layer.padding,
                                        layer.output_padding, layer.groups, layer.dilation)[0]
        out = ops.conv_transpose2d(x[:, :, None], w[:, :, None], b, (1, *layer.stride),
                                   (0, *layer.padding), (0, *layer.output_padding),
                                   layer.groups, (1, *layer.dilation))
        return out[0, :, 0]
    k, s, p, c = layer.kernel_size, layer.stride, layer.padding, layer.ceil_mode
    if layer.op == "max_pool":
        fn = ops.max_pool1d if dims == 1 else ops.max_pool2d
        args = (k[0], s[0], p[0]) if dims == 1 else (k, s, p)
        return fn(x, *args, (layer.dilation[0] if dims == 1 else layer.dilation), c)[0]
    fn = ops.avg_pool1d if dims == 1 else ops.avg_pool2d
    args = (k[0], s[0], p[0]) if dims == 1 else (k, s, p)
    if any(d != 1 for d in layer.dilation):
        raise ValueError(f"{layer.name} has no dilation (its windows are solid), got "
                         f"{layer.dilation}")
    return fn(x, *args, c, layer.count_include_pad)[0]


def _axes(v: tuple[int, ...]) -> list[int]:
    """Per-axis values as the widget keeps them, ``[h, w]`` (1-D: the one value twice)."""
    return [int(v[0]), int(v[-1])]


def _digits(digits: object) -> dict | None:
    if digits is None:
        return None
    arr = as_array("digits", digits, ndim=(2, 3))
    arr = arr if arr.ndim == 3 else arr[None]
    if arr.shape[0] > MAX_DIGITS:
        raise ValueError(f"digits must hold at most {MAX_DIGITS} images, got {arr.shape[0]}")
    if arr.shape[1] != arr.shape[2] or arr.shape[1] > LIMITS["size"][2]:
        raise ValueError(f"digits must be square images of at most {LIMITS['size'][2]} pixels, "
                         f"got shape {arr.shape}")
    if arr.min() < 0 or arr.max() > 255:
        raise ValueError("digits must hold pixels in [0, 1] or [0, 255]")
    pixels = np.rint(arr * 255 if arr.max() <= 1 else arr).astype(np.uint8)
    return {"shape": list(pixels.shape), "data": base64.b64encode(pixels.tobytes()).decode()}


def _numbers(a: np.ndarray) -> list[int] | str:
    """An array for the page, flat: small integers as a JSON list, other numbers as their
    exact float64 bytes (little-endian), base64-encoded (half the size of their digits)."""
    flat = np.ravel(a).astype(np.float64)
    if np.all(np.isfinite(flat)) and np.all(flat == np.round(flat)) and np.all(
            np.abs(flat) < 1e6):
        return [int(v) for v in flat]
    return base64.b64encode(flat.astype("<f8").tobytes()).decode("ascii")


def explorer_config(layer: _Layer, out: np.ndarray, digits: object = None, seed: int = 0,
                    title: str | None = None) -> dict:
    """Everything the widget needs, as JSON-ready data: the setting, the arrays, the colours,
    the digits, and the first view computed by ops (``expected``). Arrays are flat, as
    :func:`_numbers` writes them; in 1-D they are stored as 2-D of height 1."""
    x, w, dims = layer.x, layer.weight, layer.dims
    x3 = x if dims == 2 else x[:, None, :]
    example = {"op": layer.op, "dims": dims, "xShape": list(x3.shape), "x": _numbers(x3),
               "bias": None if layer.bias is None else _numbers(layer.bias)}
    if w is not None:
        w4 = w if dims == 2 else w[:, :, None, :]
        example.update(wShape=list(w4.shape), weight=_numbers(w4))
    padding = layer.padding
    state = {
        "op": layer.op, "dims": dims, "size": _axes(x.shape[1:]), "inChannels": x.shape[0],
        "outChannels": layer.out_channels, "groups": layer.groups,
        "kernelSize": _axes(layer.kernel_size), "stride": _axes(layer.stride),
        "padKind": padding if isinstance(padding, str) else "numbers",
        "padding": [0, 0] if isinstance(padding, str) else _axes(padding),
        "dilation": _axes(layer.dilation), "paddingMode": layer.padding_mode,
        "outputPadding": _axes(layer.output_padding), "ceilMode": layer.ceil_mode,
        "countIncludePad": layer.count_include_pad, "source": "example",
        "seed": check_int("seed", seed, minimum=0), "digit": 0,
    }
    colors = {role: ROLE_COLORS[role] for role in ("input", "kernel", "output", "padding",
                                                   "highlight")}
    colors.update(negative=NEGATIVE_COLOR, ink=INK)
    return {"name": layer.name, "title": title, "state": state, "example": example,
            "colors": colors, "digits": _digits(digits),
            "expected": {"shape": list(out.shape), "out": _numbers(out)}}


@cache
def _web(name: str) -> str:
    """A file of cnnbook/web with its comments and indentation dropped (for the page)."""
    text = resources.files("cnnbook").joinpath("web", name).read_text(encoding="utf-8")
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)  # block comments (none inside strings)
    lines = (line.strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line and not line.startswith("//"))


def _fallback_animation(layer: _Layer):
    """The book's step-through animation of the setting, where one draws it exactly."""
    from cnnbook.viz import animate

    x, w, dims, op = layer.x, layer.weight, layer.dims, layer.op
    plain = (layer.groups == 1 and layer.bias is None and layer.padding_mode == "zeros"
             and x.shape[0] == 1 and (w is None or w.shape[:2] == (1, 1)))
    if not plain:
        return None
    if dims == 2 and op in ("conv", "convolve"):
        kernel = w[0, 0] if op == "conv" else np.flip(w[0, 0])
        pads = _pad_pairs(layer)
        if any(a != b for a, b in pads):
            return None
        return animate.animate_conv2d(x[0], kernel, stride=layer.stride,
                                      padding=tuple(a for a, _ in pads), dilation=layer.dilation)
    if dims == 2 and op == "transpose":
        return animate.animate_conv_transpose2d(
            x[0], w[0, 0], stride=layer.stride, padding=layer.padding,
            output_padding=layer.output_padding, dilation=layer.dilation)
    if dims == 2 and layer.pool and not layer.ceil_mode and layer.dilation == (1, 1) and (
            layer.count_include_pad or not any(layer.padding)):
        return animate.animate_pool2d(x[0], layer.kernel_size, stride=layer.stride,
                                      padding=layer.padding, mode=op.removesuffix("_pool"))
    if dims == 1 and op in ("conv", "convolve") and layer.stride == (1,) and layer.dilation == (
            1,):
        k = layer.kernel_size[0]
        (before, after), = _pad_pairs(layer)
        mode = ("valid" if before == after == 0 else "full" if before == after == k - 1
                else "same" if (before, after) == (k // 2, k // 2) and k % 2 else None)
        if mode is None:
            return None
        return animate.animate_conv1d(x[0], w[0, 0], mode, flip=op == "convolve")
    return None


def _fallback_figure(layer: _Layer, out: np.ndarray) -> Figure:
    """A still picture of the first view: every input channel, kernel and output channel."""
    from cnnbook.viz.grid import CellGrid, cell_canvas

    x2 = layer.x if layer.dims == 2 else layer.x[:, None, :]
    y2 = out if layer.dims == 2 else out[:, None, :]
    kernels = []
    if layer.weight is not None:
        w4 = layer.weight if layer.dims == 2 else layer.weight[:, :, None, :]
        kernels = list(w4.reshape(-1, *w4.shape[2:]))
    rows = [("x", list(x2), "input"), ("w", kernels, "kernel"), ("y", list(y2), "output")]
    rows = [r for r in rows if r[1]]
    if max(a.shape[1] for _, arrays, _ in rows for a in arrays) > 12:
        return _heatmaps(rows)
    width = max(sum(a.shape[1] + 1 for a in arrays) for _, arrays, _ in rows) + 1
    height = sum(max(a.shape[0] for a in arrays) + 1.6 for _, arrays, _ in rows)
    fig, ax = cell_canvas(width, height, cell_inches=0.3)
    y = 1.2
    for name, arrays, role in rows:
        x0 = 1.0
        for i, a in enumerate(arrays):
            grid = CellGrid(ax, a, x=x0, y=y, role=role)
            grid.label(name if len(arrays) == 1 else f"{name}[{i}]")
            x0 += a.shape[1] + 1
        y += max(a.shape[0] for a in arrays) + 1.6
    return fig


def _heatmaps(rows: list[tuple[str, list[np.ndarray], str]]) -> Figure:
    """Large arrays as small pictures in their role's colours, one row per array kind."""
    from cnnbook.viz.style import sign_cmap

    ncols = max(len(arrays) for _, arrays, _ in rows)
    fig, axes = plt.subplots(len(rows), ncols, figsize=(1.6 * ncols, 1.7 * len(rows)),
                             squeeze=False)
    for ax in axes.ravel():
        ax.axis("off")
    for (name, arrays, role), line in zip(rows, axes, strict=True):
        for i, (a, ax) in enumerate(zip(arrays, line, strict=False)):
            m = float(np.abs(a).max()) or 1.0
            ax.imshow(a, cmap=sign_cmap(role), vmin=-m, vmax=m, interpolation="nearest",
                      aspect="auto" if a.shape[0] == 1 else "equal")
            ax.set_title(name if len(arrays) == 1 else f"{name}[{i}]", fontsize=8, color=INK)
    fig.tight_layout()
    return fig


def _png_uri(fig: Figure) -> str:
    """The figure as a palette PNG data URI of at most FALLBACK_BYTES: a large figure is
    drawn at a lower resolution with fewer colours (the figure is closed)."""
    for dpi, colors in ((84, 48), (64, 32), (48, 24), (36, 16), (26, 12), (18, 8)):
        raw = BytesIO()
        fig.savefig(raw, format="png", dpi=dpi)
        image = Image.open(raw).convert("RGB").quantize(colors=colors, dither=Image.Dither.NONE)
        png = BytesIO()
        image.save(png, format="png", optimize=True)
        uri = "data:image/png;base64," + base64.b64encode(png.getvalue()).decode("ascii")
        if len(uri) <= FALLBACK_BYTES:
            break
    plt.close(fig)
    return uri


def _fallback(layer: _Layer, out: np.ndarray) -> tuple[str, str]:
    """The noscript picture (data URI) and its alternative text."""
    from cnnbook.viz.player import describe, plot_final_frame

    anim = _fallback_animation(layer)
    if anim is not None:
        alt = describe(anim)
        return _png_uri(plot_final_frame(anim)), alt
    shape = " × ".join(str(n) for n in out.shape)
    return _png_uri(_fallback_figure(layer, out)), f"{layer.name}: input, kernel and the " \
                                                   f"{shape} output of the explorer's setting"


def _json(data: object) -> str:
    """JSON that is safe inside a <script> element."""
    return json.dumps(data, separators=(",", ":")).replace("</", "<\\/")


def explorer(
    op: str,
    x: object,
    weight: object = None,
    bias: object = None,
    *,
    kernel_size: int | tuple[int, ...] | None = None,
    stride: int | tuple[int, ...] | None = None,
    padding: int | tuple[int, ...] | str = 0,
    dilation: int | tuple[int, ...] = 1,
    groups: int = 1,
    padding_mode: str = "zeros",
    output_padding: int | tuple[int, ...] = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    digits: object = None,
    seed: int = 0,
    title: str | None = None,
    include_code: bool | None = None,
) -> HTML:
    """The convolution explorer opened on one setting, as HTML that runs in the static book.

    ``op`` names the operation as :mod:`cnnbook.ops` does (see :data:`EXPLORER_OPS`);
    ``x`` is ``(C, *size)`` (or one channel without its axis, or a batch of one), at most
    4 channels and 32 cells per axis (128 in 1-D). Convolutions take a ``weight`` shaped
    as in PyTorch (a bare 2-D/1-D kernel means one channel in and out) and an optional
    ``bias``; pooling takes ``kernel_size`` instead. The settings are PyTorch's, with its
    defaults (pooling's stride defaults to the kernel size). ``digits``: a few square
    images in [0, 1] or [0, 255] (e.g. MNIST digits) the reader can load as input;
    ``seed`` seeds the widget's "new example" inputs. The first view shows exactly
    what :mod:`cnnbook.ops` computes for the arrays given; a setting ops refuses raises
    its ``ValueError``.

    ``include_code``: whether this output carries the widget's JavaScript and CSS
    (about 70 kB). By default only the first explorer of a Python process does (one per
    page of the book), and every one on Colab, whose outputs do not share a page.
    """
    layer = _layer(op, x, weight, bias, kernel_size, stride, padding, dilation, groups,
                   padding_mode, output_padding, ceil_mode, count_include_pad)
    out = first_view(layer)
    if max(out.shape[1:]) > LIMITS["output"][layer.dims]:
        raise ValueError(f"the output {out.shape} has more than {LIMITS['output'][layer.dims]} "
                         f"cells per axis, more than the explorer draws")
    if title is not None and not isinstance(title, str):
        raise TypeError(f"title must be a string or None, got {type(title).__name__}")
    config = explorer_config(layer, out, digits, seed, title)
    image, alt = _fallback(layer, out)
    global _code_emitted
    if include_code is None:
        include_code = not _code_emitted or "google.colab" in sys.modules
    include_code = _check_bool("include_code", include_code)
    _code_emitted = _code_emitted or include_code
    code = ""
    if include_code:
        library = "\n".join(_web(name) for name in _WEB_FILES)
        code = (f"<style>{_web('explorer.css')}</style>"
                f"<script>if (!window.CnnbookExplorer) {{\n{library}\n}}</script>")
    heading = f'<p class="cx-title">{escape(title)}</p>' if title else ""
    html = (
        f'<div class="cnnbook-explorer" data-op="{layer.name}">{heading}{code}'
        f'<script type="application/json" class="cx-config">{_json(config)}</script>'
        '<div class="cx-app"><p class="cx-wait">The explorer starts once this page has '
        "run its first explorer cell.</p></div>"
        f'<noscript><div class="cx-fallback"><img src="{image}" alt="{escape(alt)}">'
        "<p>With JavaScript on, this picture is a live explorer of every setting.</p>"
        "</div></noscript>"
        "<script>if (window.CnnbookExplorer) window.CnnbookExplorer.mountAll();</script></div>"
    )
    return HTML(html)
