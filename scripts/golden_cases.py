"""Golden cases for the explorer's JavaScript engine, computed with PyTorch (float64).

Every case is a setting of one layer (correlation as nn.Conv computes it, true convolution,
transposed convolution, max and average pooling; 1-D and 2-D) with seeded inputs and
weights, and what torch makes of it: the output and its shape, plus which input cells reach
a few output cells (found by pushing a one-hot batch through the layer with all-ones
weights), or that torch refused it and its message. The JavaScript tests
(``node --test tests/js/``) check that src/cnnbook/web/engine.js and arithmetic.js agree
with every case. A few hundred cases are random settings; the rest are the edge cases
torch's rules hinge on (kernel as large as the padded input, even kernels with "same", the
largest output_padding, the ceil_mode window that starts in the right padding, ...).

    python scripts/golden_cases.py [--out _build/golden/engine_cases.json] [--seed 0]
"""

from __future__ import annotations

import argparse
import json
import math
import random
import time
import warnings
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

DEFAULT_OUT = Path("_build/golden/engine_cases.json")

#: Inputs up to this many cells also record which inputs reach which outputs.
FIELD_CELLS = 200

#: The words of torch's message for each kind of refusal (the categories of arithmetic.js).
KEYWORDS: dict[str, tuple[str, ...]] = {
    "kernel-too-large": ("Kernel size can't be greater than actual input size",),
    "output-too-small": ("Output size is too small", "Invalid computed output size"),
    "same-strided": ("padding='same' is not supported for strided convolutions",),
    "groups-in": ("in_channels must be divisible by groups",),
    "groups-out": ("out_channels must be divisible by groups",),
    "padding-mode": ('Only "zeros" padding mode is supported',),
    "reflect-too-large": ("Padding size should be less than the corresponding input dimension",),
    "circular-too-large": ("Padding value causes wrapping around more than once",),
    "pool-padding": ("half of kernel size", "half of effective kernel size"),
    "output-padding": ("output padding must be smaller than either stride or dilation",),
    "non-positive": ("non-positive", "negative", "greater than zero", "should not be zero",
                     "must be non-negative"),
    "padding-string": ("must be tuple of ints",),
    "no-dilation": ("unexpected keyword argument 'dilation'",),
}

OPS = ("conv", "convolve", "transpose", "max_pool", "avg_pool")
MODES = ("zeros", "reflect", "replicate", "circular")


def category(message: str) -> str:
    """The kind of refusal a torch error message names (fails loudly on an unknown one)."""
    for name, words in KEYWORDS.items():
        if any(w in message for w in words):
            return name
    raise RuntimeError(f"torch refused with a message no category names: {message!r}")


def _tuple(v, dims):
    return tuple(v) if isinstance(v, list | tuple) else (v,) * dims


def _module(op: str, s: dict) -> nn.Module:
    """The nn layer of a setting (it runs PyTorch's argument checks)."""
    dims = s["dims"]
    k = _tuple(s["kernelSize"], dims)
    stride = s.get("stride")
    stride = None if stride is None else _tuple(stride, dims)
    padding = s.get("padding", 0)
    padding = padding if isinstance(padding, str) else _tuple(padding, dims)
    dilation = _tuple(s.get("dilation", 1), dims)
    if op in ("conv", "convolve"):
        cls = nn.Conv1d if dims == 1 else nn.Conv2d
        return cls(s["inChannels"], s["outChannels"], k, stride=stride or 1, padding=padding,
                   dilation=dilation, groups=s.get("groups", 1), bias=False,
                   padding_mode=s.get("paddingMode", "zeros"), dtype=torch.float64)
    if op == "transpose":
        cls = nn.ConvTranspose1d if dims == 1 else nn.ConvTranspose2d
        return cls(s["inChannels"], s["outChannels"], k, stride=stride or 1, padding=padding,
                   output_padding=_tuple(s.get("outputPadding", 0), dims),
                   dilation=dilation, groups=s.get("groups", 1), bias=False,
                   padding_mode=s.get("paddingMode", "zeros"), dtype=torch.float64)
    if op == "max_pool":
        cls = nn.MaxPool1d if dims == 1 else nn.MaxPool2d
        return cls(k, stride=stride, padding=padding, dilation=dilation,
                   ceil_mode=s.get("ceilMode", False))
    cls = nn.AvgPool1d if dims == 1 else nn.AvgPool2d
    extra = {} if dilation == (1,) * dims else {"dilation": dilation}  # avg pools have none
    return cls(k, stride=stride, padding=padding, ceil_mode=s.get("ceilMode", False),
               count_include_pad=s.get("countIncludePad", True), **extra)


def _apply(op: str, s: dict, module: nn.Module, x: torch.Tensor, w: torch.Tensor | None,
           b: torch.Tensor | None) -> torch.Tensor:
    """Run the layer with torch.nn.functional (the module only for a non-zero padding mode)."""
    dims = s["dims"]
    if op in ("conv", "convolve"):
        w = w.flip(-1) if dims == 1 and op == "convolve" else w
        w = w.flip(-2, -1) if dims == 2 and op == "convolve" else w
        if s.get("paddingMode", "zeros") != "zeros":  # nn.Conv pads with F.pad, then F.conv
            with torch.no_grad():
                module.weight.copy_(w)
            out = module(x)
            return out if b is None else out + b.reshape(-1, *(1,) * dims)
        conv = F.conv1d if dims == 1 else F.conv2d
        return conv(x, w, b, module.stride, module.padding, module.dilation, module.groups)
    if op == "transpose":
        conv = F.conv_transpose1d if dims == 1 else F.conv_transpose2d
        return conv(x, w, b, module.stride, module.padding, module.output_padding,
                    module.groups, module.dilation)
    return module(x)  # nn.MaxPool/AvgPool forward is F.max_pool / F.avg_pool


def _weight_shape(op: str, s: dict) -> tuple[int, ...] | None:
    k = _tuple(s["kernelSize"], s["dims"])
    if op in ("conv", "convolve"):
        return (s["outChannels"], s["inChannels"] // s.get("groups", 1), *k)
    if op == "transpose":
        return (s["inChannels"], s["outChannels"] // s.get("groups", 1), *k)
    return None


def _values(rng: random.Random, shape: tuple[int, ...], integers: bool) -> torch.Tensor:
    n = math.prod(shape)
    if integers:
        vals = [float(rng.randint(-3, 4)) for _ in range(n)]
    else:
        vals = [round(rng.gauss(0.0, 1.0), 3) for _ in range(n)]
    return torch.tensor(vals, dtype=torch.float64).reshape(shape)


def _encode(values: list[float]) -> list[float | str]:
    """JSON has no infinity: -inf (a max-pool window over padding only) becomes "-inf"."""
    return [v if math.isfinite(v) else ("-inf" if v < 0 else "inf") for v in values]


def reference(setting: dict, x: torch.Tensor, weight: torch.Tensor | None = None,
              bias: torch.Tensor | None = None) -> torch.Tensor:
    """torch's output for one example ``x`` (C, *size) of a setting (arithmetic.js's keys);
    raises torch's error for a setting it refuses."""
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # even kernels with "same" warn
        module = _module(setting["op"], setting)
        return _apply(setting["op"], setting, module, x[None], weight, bias)[0]


def reaches(setting: dict, x_shape: tuple[int, ...]) -> torch.Tensor:
    """Which input cells reach which output cells, asked of torch: a batch of one-hot inputs
    through the layer with all-ones weights; the output cells that become positive are
    reached. A boolean matrix (input cells, output cells), both flat in torch's order."""
    n_in = math.prod(x_shape)
    eye = torch.eye(n_in, dtype=torch.float64).reshape(n_in, *x_shape)
    w_shape = _weight_shape(setting["op"], setting)
    ones = None if w_shape is None else torch.ones(w_shape, dtype=torch.float64)
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        module = _module(setting["op"], setting)
        return _apply(setting["op"], setting, module, eye, ones, None).reshape(n_in, -1) > 0


def _fields(s: dict, x_shape: tuple[int, ...], out_count: int, rng: random.Random) -> dict:
    """The inputs that reach three output cells, and the outputs three inputs reach."""
    n_in = math.prod(x_shape)
    out = reaches(s, x_shape)
    outputs = sorted({0, out_count - 1, rng.randrange(out_count)})
    inputs = sorted({0, n_in - 1, rng.randrange(n_in)})
    return {
        "fields": {str(o): torch.nonzero(out[:, o]).flatten().tolist() for o in outputs},
        "reaches": {str(i): torch.nonzero(out[i]).flatten().tolist() for i in inputs},
    }


def run_case(name: str, op: str, s: dict, rng: random.Random, integers: bool = True,
             bias: bool = False) -> dict:
    """One golden case: the setting, its seeded arrays, and torch's verdict."""
    s = {"op": op, "inChannels": 1, **s}
    if op in ("conv", "convolve", "transpose"):
        s = {"outChannels": 1, **s}
    dims = s["dims"]
    c_in = s.get("inChannels", 1)
    size = _tuple(s["size"], dims)
    x_shape = (c_in, *size)
    case = {"name": name, "setting": s, "xShape": list(x_shape)}
    x = _values(rng, x_shape, integers)
    case["x"] = x.flatten().tolist()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _module(op, s)  # torch's checks of the arguments alone, before the weight exists
        w_shape = _weight_shape(op, s)
        w = None if w_shape is None else _values(rng, w_shape, integers)
        c_out = s.get("outChannels", c_in)
        b = _values(rng, (c_out,), integers) if bias and w is not None else None
        if w is not None:
            case["wShape"], case["weight"] = list(w_shape), w.flatten().tolist()
        case["bias"] = None if b is None else b.tolist()
        out = reference(s, x, w, b)
    except (RuntimeError, ValueError, TypeError) as err:
        message = str(err).splitlines()[0]
        case["torch"] = {"ok": False, "error": message, "category": category(message)}
        return case
    result = {"ok": True, "shape": list(out.shape), "out": _encode(out.flatten().tolist())}
    if math.prod(x_shape) <= FIELD_CELLS:
        result.update(_fields(s, x_shape, out.numel(), rng))
    case["torch"] = result
    return case


def _random_setting(op: str, dims: int, rng: random.Random) -> dict:
    """A random layer setting; about one in five is one torch refuses."""

    def per_axis(low: int, high: int) -> list[int] | int:
        if dims == 2 and rng.random() < 0.4:
            return [rng.randint(low, high), rng.randint(low, high)]
        return rng.randint(low, high)

    s: dict = {"dims": dims, "size": per_axis(1, 11), "kernelSize": per_axis(1, 5),
               "dilation": per_axis(1, 3) if rng.random() < 0.4 else 1}
    if op in ("conv", "convolve", "transpose"):
        s["groups"] = rng.choice([1, 1, 2, 3, 4])
        g = s["groups"]
        s["inChannels"] = g * rng.randint(1, 4 // g) if rng.random() < 0.9 else rng.randint(1, 4)
        s["outChannels"] = g * rng.randint(1, 4 // g) if rng.random() < 0.9 else rng.randint(1, 4)
        s["stride"] = per_axis(1, 4)
    else:
        s["inChannels"] = rng.randint(1, 3)
        s["stride"] = None if rng.random() < 0.3 else per_axis(1, 4)
        s["ceilMode"] = rng.random() < 0.5
    if op in ("conv", "convolve"):
        r = rng.random()
        s["padding"] = "same" if r < 0.2 else "valid" if r < 0.3 else per_axis(0, 3)
        if s["padding"] == "same" and rng.random() < 0.8:
            s["stride"] = 1
        s["paddingMode"] = rng.choice(MODES) if rng.random() < 0.5 else "zeros"
    elif op == "transpose":
        s["padding"] = per_axis(0, 3)
        s["outputPadding"] = per_axis(0, 2) if rng.random() < 0.5 else 0
    else:  # at most half the window, now and then one more
        k = s["kernelSize"] if isinstance(s["kernelSize"], int) else min(s["kernelSize"])
        s["padding"] = rng.randint(0, k // 2 + (rng.random() < 0.15))
        if op == "avg_pool":
            s["dilation"] = 1
            s["countIncludePad"] = rng.random() < 0.6
    return s


def edge_cases(rng: random.Random) -> list[dict]:
    """The settings the rules hinge on, each named."""
    cases = []

    def add(name, op, bias=False, integers=True, **s):
        cases.append(run_case(name, op, s, rng, integers=integers, bias=bias))

    one = {"inChannels": 1, "outChannels": 1}
    for dims in (1, 2):
        d = f"{dims}-D"
        # kernels that just fit, and one cell too large
        add(f"{d} kernel as large as the input", "conv", dims=dims, size=5, kernelSize=5, **one)
        add(f"{d} kernel as large as the padded input", "conv", dims=dims, size=4, kernelSize=6,
            padding=1, **one)
        add(f"{d} dilated kernel as large as the padded input", "conv", dims=dims, size=3,
            kernelSize=3, dilation=2, padding=1, **one)
        add(f"{d} kernel larger than the padded input", "conv", dims=dims, size=3, kernelSize=6,
            padding=1, **one)
        add(f"{d} dilated kernel larger than the input", "convolve", dims=dims, size=6,
            kernelSize=3, dilation=3, **one)
        add(f"{d} kernel larger than the input, reflect", "conv", dims=dims, size=3,
            kernelSize=5, padding=0, paddingMode="reflect", **one)
        # stride larger than the kernel, and than the input
        add(f"{d} stride larger than the kernel", "conv", dims=dims, size=9, kernelSize=2,
            stride=3, **one)
        add(f"{d} stride larger than the input", "conv", dims=dims, size=4, kernelSize=2,
            stride=7, padding=1, **one)
        add(f"{d} pool stride larger than the window", "max_pool", dims=dims, size=10,
            kernelSize=2, stride=3)
        # "same": odd and even kernels, with dilation, with every padding mode
        for k in (1, 2, 3, 4, 5):
            for dil in (1, 2):
                add(f"{d} same, kernel {k}, dilation {dil}", "conv", dims=dims, size=7,
                    kernelSize=k, padding="same", dilation=dil, **one)
        for mode in MODES:
            add(f"{d} same, even kernel, {mode}", "conv", dims=dims, size=6, kernelSize=4,
                padding="same", paddingMode=mode, **one)
            add(f"{d} convolution, same, {mode}", "convolve", dims=dims, size=5, kernelSize=3,
                padding="same", paddingMode=mode, inChannels=2, outChannels=2)
        add(f"{d} same with stride 2", "conv", dims=dims, size=8, kernelSize=3, padding="same",
            stride=2, **one)
        add(f"{d} valid", "conv", dims=dims, size=6, kernelSize=3, padding="valid", **one)
        # dilation with padding
        for dil, p in ((2, 1), (2, 2), (3, 3), (2, 4)):
            add(f"{d} dilation {dil} padding {p}", "conv", dims=dims, size=6, kernelSize=3,
                dilation=dil, padding=p, stride=1 + p % 2, **one)
            add(f"{d} convolution, dilation {dil} padding {p}", "convolve", dims=dims, size=6,
                kernelSize=2, dilation=dil, padding=p, **one)
        # padding modes at their limits
        add(f"{d} reflect padding size - 1", "conv", dims=dims, size=3, kernelSize=3, padding=2,
            paddingMode="reflect", **one)
        add(f"{d} reflect padding = size", "conv", dims=dims, size=3, kernelSize=3, padding=3,
            paddingMode="reflect", **one)
        add(f"{d} circular padding = size", "conv", dims=dims, size=3, kernelSize=3, padding=3,
            paddingMode="circular", **one)
        add(f"{d} circular padding > size", "conv", dims=dims, size=3, kernelSize=3, padding=4,
            paddingMode="circular", **one)
        add(f"{d} replicate, large padding", "conv", dims=dims, size=2, kernelSize=3, padding=5,
            paddingMode="replicate", **one)
        # groups: standard, grouped, depthwise (groups = channels), and the refusals
        for c_in, c_out, g in ((4, 4, 1), (4, 2, 2), (4, 4, 4), (2, 4, 2), (3, 3, 3), (1, 4, 1)):
            add(f"{d} groups {g}, {c_in} -> {c_out}", "conv", dims=dims, size=5, kernelSize=3,
                padding=1, inChannels=c_in, outChannels=c_out, groups=g, bias=True)
            add(f"{d} transposed groups {g}, {c_in} -> {c_out}", "transpose", dims=dims, size=3,
                kernelSize=3, stride=2, inChannels=c_in, outChannels=c_out, groups=g, bias=True)
        add(f"{d} groups not dividing in", "conv", dims=dims, size=5, kernelSize=3,
            inChannels=3, outChannels=4, groups=2)
        add(f"{d} groups not dividing out", "conv", dims=dims, size=5, kernelSize=3,
            inChannels=4, outChannels=3, groups=2)
        add(f"{d} transposed groups not dividing in", "transpose", dims=dims, size=3,
            kernelSize=2, inChannels=3, outChannels=2, groups=2)
        # transposed convolution: output_padding at and past its limit, padding cropping
        for s, dil in ((2, 1), (3, 1), (1, 2), (2, 3), (3, 2)):
            top = max(s, dil) - 1
            add(f"{d} transposed, largest output_padding (s {s}, d {dil})", "transpose",
                dims=dims, size=3, kernelSize=3, stride=s, dilation=dil, outputPadding=top,
                padding=1, **one)
            add(f"{d} transposed, output_padding too large (s {s}, d {dil})", "transpose",
                dims=dims, size=3, kernelSize=3, stride=s, dilation=dil, outputPadding=top + 1,
                **one)
        add(f"{d} transposed, padding crops everything", "transpose", dims=dims, size=2,
            kernelSize=3, padding=2, **one)
        add(f"{d} transposed, padding crops to one", "transpose", dims=dims, size=2,
            kernelSize=2, padding=1, **one)
        add(f"{d} transposed, reflect", "transpose", dims=dims, size=3, kernelSize=3,
            paddingMode="reflect", **one)
        add(f"{d} transposed, 1-cell input", "transpose", dims=dims, size=1, kernelSize=4,
            stride=3, **one)
        # pooling: padding at its limit, ceil_mode keeping and dropping the last window
        for op in ("max_pool", "avg_pool"):
            add(f"{d} {op} padding half the window", op, dims=dims, size=5, kernelSize=4,
                padding=2, stride=2)
            add(f"{d} {op} padding more than half", op, dims=dims, size=5, kernelSize=3,
                padding=2)
            add(f"{d} {op} ceil_mode keeps a window", op, dims=dims, size=6, kernelSize=3,
                stride=2, ceilMode=True)
            add(f"{d} {op} ceil_mode drops the window in the right padding", op, dims=dims,
                size=5, kernelSize=2, stride=2, padding=1, ceilMode=True)
            add(f"{d} {op} ceil_mode, window wider than the input", op, dims=dims, size=3,
                kernelSize=4, ceilMode=True)
            add(f"{d} {op} window wider than the input", op, dims=dims, size=3, kernelSize=4)
            add(f"{d} {op} ceil_mode, partial windows", op, dims=dims, size=6, kernelSize=4,
                stride=3, padding=1, ceilMode=True)
            add(f"{d} {op} stride 0", op, dims=dims, size=5, kernelSize=2, stride=0)
        for include in (True, False):
            add(f"{d} avg_pool count_include_pad={include}", "avg_pool", dims=dims, size=7,
                kernelSize=3, stride=2, padding=1, countIncludePad=include, ceilMode=True,
                integers=False)
        add(f"{d} max_pool dilated, padding only window", "max_pool", dims=dims, size=1,
            kernelSize=2, stride=1, padding=1, dilation=3)
        add(f"{d} max_pool dilated", "max_pool", dims=dims, size=9, kernelSize=3, stride=2,
            padding=1, dilation=2)
        add(f"{d} avg_pool with dilation", "avg_pool", dims=dims, size=9, kernelSize=3,
            dilation=2)
        # zero and negative values
        add(f"{d} stride 0", "conv", dims=dims, size=5, kernelSize=3, stride=0, **one)
        add(f"{d} dilation 0", "conv", dims=dims, size=5, kernelSize=3, dilation=0, **one)
        add(f"{d} negative padding", "conv", dims=dims, size=5, kernelSize=3, padding=-1, **one)
        add(f"{d} transposed stride 0", "transpose", dims=dims, size=3, kernelSize=3, stride=0,
            **one)
        add(f"{d} transposed negative output_padding", "transpose", dims=dims, size=3,
            kernelSize=3, outputPadding=-1, **one)
        add(f"{d} pool negative padding", "max_pool", dims=dims, size=5, kernelSize=2,
            padding=-1)
        add(f"{d} pool 'same'", "max_pool", dims=dims, size=5, kernelSize=3, padding="same")
        add(f"{d} transposed 'same'", "transpose", dims=dims, size=5, kernelSize=3,
            padding="same", **one)
        # bias and float values
        add(f"{d} conv with bias, floats", "conv", dims=dims, size=6, kernelSize=3, padding=1,
            stride=2, inChannels=2, outChannels=3, bias=True, integers=False)
        add(f"{d} convolution with bias, floats", "convolve", dims=dims, size=6, kernelSize=3,
            padding="same", paddingMode="circular", inChannels=2, outChannels=2, bias=True,
            integers=False)
    # the explorer's largest input: 32x32, a 5x5 kernel, four channels
    add("2-D 32x32, 5x5 kernel, 4 channels", "conv", dims=2, size=32, kernelSize=5, padding=2,
        inChannels=4, outChannels=4, groups=2, paddingMode="reflect")
    add("2-D 32x32 transposed", "transpose", dims=2, size=32, kernelSize=2, stride=2)
    add("1-D 32 max pool", "max_pool", dims=1, size=32, kernelSize=3, stride=2, ceilMode=True)
    add("2-D non-square everything", "conv", dims=2, size=[7, 9], kernelSize=[2, 3],
        stride=[1, 2], padding=[1, 0], dilation=[2, 1], inChannels=2, outChannels=2)
    add("2-D non-square transposed", "transpose", dims=2, size=[3, 4], kernelSize=[3, 2],
        stride=[2, 1], padding=[1, 0], outputPadding=[1, 0], dilation=[1, 2], inChannels=1,
        outChannels=2)
    add("2-D non-square pool", "avg_pool", dims=2, size=[5, 8], kernelSize=[2, 3],
        stride=[2, 3], padding=[1, 1], ceilMode=True, countIncludePad=False)
    return cases


def parameter_cases(rng: random.Random) -> list[dict]:
    """Parameter counts of nn.Conv*/ConvTranspose*/Linear, as torch counts them."""
    cases = []
    for _ in range(40):
        g = rng.choice([1, 2, 4])
        c_in, c_out = g * rng.randint(1, 8), g * rng.randint(1, 8)
        dims = rng.choice([1, 2])
        k = [rng.randint(1, 7) for _ in range(dims)]
        bias = rng.random() < 0.5
        kind = rng.choice(["Conv", "ConvTranspose"])
        cls = getattr(nn, f"{kind}{dims}d")
        layer = cls(c_in, c_out, k, groups=g, bias=bias)
        cases.append({"layer": kind, "inChannels": c_in, "outChannels": c_out,
                      "kernelSize": k, "bias": bias, "groups": g,
                      "count": sum(p.numel() for p in layer.parameters())})
    for n_in, n_out, bias in ((784, 10, True), (120, 84, True), (3, 5, False), (1, 1, True)):
        layer = nn.Linear(n_in, n_out, bias=bias)
        cases.append({"layer": "Linear", "inFeatures": n_in, "outFeatures": n_out, "bias": bias,
                      "count": sum(p.numel() for p in layer.parameters())})
    return cases


def receptive_cases(rng: random.Random) -> list[dict]:
    """Receptive fields of 1-D stacks measured with autograd (all weights 1, so no path
    cancels): the size and position of the field of an interior output, and the jump."""
    cases = []
    for _ in range(30):
        layers = [[rng.randint(1, 5), rng.randint(1, 3), rng.randint(1, 3), rng.randint(0, 2)]
                  for _ in range(rng.randint(1, 4))]
        net = nn.Sequential(*[nn.Conv1d(1, 1, k, s, p, d, bias=False, dtype=torch.float64)
                              for k, s, d, p in layers])
        for conv in net:
            nn.init.ones_(conv.weight)
        n = 400
        x = torch.ones(1, 1, n, dtype=torch.float64, requires_grad=True)
        try:
            y = net(x)
        except RuntimeError:
            continue
        i = y.shape[-1] // 2  # an interior output: its field is not cut by the border
        starts = []
        for pos in (i, i + 1):
            if pos >= y.shape[-1]:
                break
            (grad,) = torch.autograd.grad(y[0, 0, pos], x, retain_graph=True)
            hit = torch.nonzero(grad[0, 0]).flatten()
            if hit[0] == 0 or hit[-1] == n - 1:
                break  # the border cuts the field
            starts.append(int(hit[0]))
            size = int(hit[-1] - hit[0]) + 1
        if len(starts) < 2:
            continue
        cases.append({"layers": layers, "size": size, "jump": starts[1] - starts[0],
                      "start": starts[0] + (size - 1) / 2 - i * (starts[1] - starts[0])})
    return cases


def build(seed: int = 0, n_random: int = 60) -> dict:
    """All golden cases: edge cases, n_random random settings per operation and dimension."""
    rng = random.Random(seed)
    torch.manual_seed(seed)
    torch.set_num_threads(1)  # tiny tensors: threads only add overhead
    cases = edge_cases(rng)
    for op in OPS:
        for dims in (1, 2):
            for i in range(n_random):
                s = _random_setting(op, dims, rng)
                cases.append(run_case(f"random {op} {dims}-D #{i}", op, s, rng,
                                      integers=rng.random() < 0.7, bias=rng.random() < 0.3))
    return {"torch": torch.__version__, "seed": seed, "cases": cases,
            "parameters": parameter_cases(rng), "receptive": receptive_cases(rng)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"default {DEFAULT_OUT}")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    start = time.perf_counter()
    golden = build(args.seed)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(golden, separators=(",", ":")))
    cases = golden["cases"]
    refused = sum(not c["torch"]["ok"] for c in cases)
    print(f"{len(cases)} golden cases ({refused} refused by torch), "
          f"{len(golden['parameters'])} parameter counts, {len(golden['receptive'])} receptive "
          f"fields -> {args.out} in {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
