"""Convolution arithmetic: output sizes, "same" padding, receptive fields, parameter counts.

The one formula behind all output sizes: a kernel of size ``k`` with dilation ``d``
covers ``d*(k-1) + 1`` input pixels (its *effective* size); sliding it by ``stride``
over ``size + 2*padding`` pixels fits

    floor((size + 2*padding - d*(k-1) - 1) / stride) + 1

windows. Size functions take ints, or sequences (one entry per spatial axis), and
answer in kind.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cnnbook._checks import check_bool, check_choice, check_int, check_tuple

__all__ = [
    "LayerField",
    "ReceptiveField",
    "conv_output_size",
    "conv_parameters",
    "conv_transpose_output_size",
    "count_parameters",
    "effective_kernel_size",
    "linear_parameters",
    "pool_output_size",
    "receptive_field",
    "same_padding",
]

Size = int | Sequence[int]


def _per_axis(fn: Callable[..., int], minimums: Mapping[str, int], **args: Any) -> Size:
    """Apply the one-axis rule ``fn`` to every axis; ints broadcast against sequences."""
    sequences = {k: v for k, v in args.items() if isinstance(v, Sequence)}
    given_as_sequence = bool(sequences)
    lengths = {len(v) for v in sequences.values()}
    if len(lengths) > 1:
        raise ValueError(f"sequence arguments must have the same length, got {sequences}")
    n = lengths.pop() if lengths else 1
    axes = {k: check_tuple(k, v, n, minimum=minimums[k]) for k, v in args.items()}
    result = tuple(fn(**{k: v[i] for k, v in axes.items()}) for i in range(n))
    return result if given_as_sequence else result[0]


def effective_kernel_size(kernel_size: Size, dilation: Size = 1) -> Size:
    """Input pixels a dilated kernel spans: ``dilation * (kernel_size - 1) + 1``."""
    return _per_axis(lambda kernel_size, dilation: dilation * (kernel_size - 1) + 1,
                     {"kernel_size": 1, "dilation": 1},
                     kernel_size=kernel_size, dilation=dilation)


def _windows(size: int, kernel_size: int, stride: int, padding: int, dilation: int,
             ceil_mode: bool) -> int:
    span = dilation * (kernel_size - 1) + 1
    if span > size + 2 * padding:
        raise ValueError(
            f"kernel_size {kernel_size} with dilation {dilation} spans {span}, larger than "
            f"the padded input size {size} + 2*{padding} = {size + 2 * padding}"
        )
    room = size + 2 * padding - span
    return (-(-room // stride) if ceil_mode else room // stride) + 1


_CONV_MINIMUMS = {"size": 1, "kernel_size": 1, "stride": 1, "padding": 0, "dilation": 1}


def conv_output_size(size: Size, kernel_size: Size, stride: Size = 1, padding: Size = 0,
                     dilation: Size = 1, ceil_mode: bool = False) -> Size:
    """Output size of a convolution: ``floor((size + 2p - d(k-1) - 1)/s) + 1``.

    ``ceil_mode=True`` rounds up instead, which lets a last, partial window hang
    over the edge (for pooling, use :func:`pool_output_size`, which adds PyTorch's
    rule about that window).
    """
    ceil_mode = check_bool("ceil_mode", ceil_mode)
    return _per_axis(lambda **a: _windows(**a, ceil_mode=ceil_mode), _CONV_MINIMUMS, size=size,
                     kernel_size=kernel_size, stride=stride, padding=padding, dilation=dilation)


def _pool_windows(size: int, kernel_size: int, stride: int, padding: int, dilation: int,
                  ceil_mode: bool) -> int:
    if padding > kernel_size // 2:
        raise ValueError(
            f"padding must be at most half the kernel size (kernel_size // 2 = "
            f"{kernel_size // 2}), got padding {padding} with kernel_size {kernel_size}"
        )
    if not ceil_mode:
        return _windows(size, kernel_size, stride, padding, dilation, ceil_mode)
    # With ceil_mode a window may hang past the padded input, even when the kernel is
    # wider than it: PyTorch keeps every window that starts inside the input or the left
    # padding, and needs at least one.
    room = size + 2 * padding - (dilation * (kernel_size - 1) + 1)
    out = -(-room // stride) + 1
    if (out - 1) * stride >= size + padding:
        out -= 1  # the last window would start in the right padding: PyTorch drops it
    if out < 1:
        raise ValueError(
            f"kernel_size {kernel_size} with dilation {dilation} leaves no window that starts "
            f"inside the input of size {size} with padding {padding}"
        )
    return out


def pool_output_size(size: Size, kernel_size: Size, stride: Size | None = None,
                     padding: Size = 0, dilation: Size = 1, ceil_mode: bool = False) -> Size:
    """Output size of a pooling layer, PyTorch's rules: ``stride`` defaults to
    ``kernel_size``, ``padding`` is at most half the kernel, and with ``ceil_mode``
    the last window must start inside the input or the left padding."""
    ceil_mode = check_bool("ceil_mode", ceil_mode)
    stride = kernel_size if stride is None else stride
    return _per_axis(lambda **a: _pool_windows(**a, ceil_mode=ceil_mode), _CONV_MINIMUMS,
                     size=size, kernel_size=kernel_size, stride=stride, padding=padding,
                     dilation=dilation)


def _transpose_size(size: int, kernel_size: int, stride: int, padding: int,
                    output_padding: int, dilation: int) -> int:
    if output_padding >= max(stride, dilation):
        raise ValueError(
            f"output_padding must be smaller than either stride or dilation, got "
            f"output_padding {output_padding} with stride {stride} and dilation {dilation}"
        )
    out = (size - 1) * stride - 2 * padding + dilation * (kernel_size - 1) + output_padding + 1
    if out < 1:
        raise ValueError(
            f"padding {padding} is too large: the output size would be {out} "
            f"(size {size}, kernel_size {kernel_size}, stride {stride})"
        )
    return out


def conv_transpose_output_size(size: Size, kernel_size: Size, stride: Size = 1,
                               padding: Size = 0, output_padding: Size = 0,
                               dilation: Size = 1) -> Size:
    """Output size of a transposed convolution:
    ``(size - 1)*s - 2p + d(k-1) + output_padding + 1``.

    The inverse of :func:`conv_output_size`: of the ``s`` input sizes that a strided
    convolution maps to ``size``, ``output_padding`` picks which one to give back.
    """
    return _per_axis(_transpose_size, {**_CONV_MINIMUMS, "output_padding": 0}, size=size,
                     kernel_size=kernel_size, stride=stride, padding=padding,
                     output_padding=output_padding, dilation=dilation)


def same_padding(kernel_size: int, stride: int = 1, dilation: int = 1,
                 input_size: int | None = None, convention: str = "torch") -> tuple[int, int]:
    """Zeros ``(before, after)`` to add on one axis for a "same" convolution.

    ``"torch"`` (``padding="same"``): the output is as large as the input; the total
    ``d*(k-1)`` is split with the odd zero of an even kernel *after* (right/bottom);
    stride must be 1, as PyTorch refuses strided "same".
    ``"tensorflow"`` (``padding="SAME"``): the output has ``ceil(input_size / stride)``
    pixels, so ``input_size`` is needed; the total is the least that achieves this,
    ``max((out - 1)*s + d*(k-1) + 1 - input_size, 0)``, the odd zero again after.
    At stride 1 both agree.
    """
    k = check_int("kernel_size", kernel_size, minimum=1)
    s = check_int("stride", stride, minimum=1)
    d = check_int("dilation", dilation, minimum=1)
    check_choice("convention", convention, ("torch", "tensorflow"))
    if input_size is not None:
        input_size = check_int("input_size", input_size, minimum=1)
    if convention == "torch":
        if s != 1:
            raise ValueError(
                f"stride must be 1 for convention 'torch' (PyTorch refuses padding='same' "
                f"with stride > 1), got stride {s}; use convention='tensorflow'"
            )
        total = d * (k - 1)
    else:
        if input_size is None:
            raise ValueError("input_size is required for convention 'tensorflow', got None")
        out = -(-input_size // s)
        total = max((out - 1) * s + d * (k - 1) + 1 - input_size, 0)
    return total // 2, total - total // 2


@dataclass(frozen=True)
class LayerField:
    """Receptive field after one layer, in input pixels.

    ``size``: input pixels one output pixel sees; ``jump``: input pixels between two
    neighbouring output pixels (the product of the strides so far); ``start``: the
    centre of the first output pixel's field (0 is the first input pixel; negative
    means it reaches into the padding).
    """

    size: int
    jump: int
    start: float


@dataclass(frozen=True)
class ReceptiveField(LayerField):
    """Receptive field of a whole stack; ``layers`` holds the field after each layer."""

    layers: tuple[LayerField, ...] = ()


_POINTWISE = ("ReLU", "LeakyReLU", "ELU", "GELU", "SiLU", "Tanh", "Sigmoid", "Softmax",
              "BatchNorm1d", "BatchNorm2d", "Dropout", "Dropout2d", "Identity", "Hardtanh")
_LAYER_KEYS = ("kernel_size", "stride", "dilation", "padding")


def _layer_params(i: int, layer: object) -> dict[str, Any] | None:
    """``kernel_size, stride, dilation, padding`` of one layer; None for a pointwise module."""
    if isinstance(layer, Mapping):
        unknown = set(layer) - set(_LAYER_KEYS)
        if unknown or "kernel_size" not in layer:
            raise ValueError(f"layers[{i}] must be a dict with 'kernel_size' and optionally "
                             f"'stride', 'dilation', 'padding'; got {dict(layer)!r}")
        params = dict(layer)
    elif isinstance(layer, Sequence) and not isinstance(layer, str) and 1 <= len(layer) <= 4:
        params = dict(zip(_LAYER_KEYS, layer, strict=False))
    elif hasattr(layer, "kernel_size"):  # a torch convolution or pooling module
        params = {key: getattr(layer, key) for key in _LAYER_KEYS if hasattr(layer, key)}
        if params.get("stride") is None:
            params["stride"] = params["kernel_size"]
    elif type(layer).__name__ in _POINTWISE:
        return None
    else:
        raise TypeError(
            f"layers[{i}] must be (kernel_size, stride, dilation[, padding]), a dict, or a torch "
            f"convolution/pooling/pointwise module; got {layer!r}"
        )
    for key, value in params.items():  # torch modules store pairs; accept square ones
        if isinstance(value, Sequence) and not isinstance(value, str):
            if len(set(value)) != 1:
                raise ValueError(f"layers[{i}] has {key} {value!r}; receptive_field works on "
                                 "one axis, so give square layers or one axis at a time")
            params[key] = value[0]
    return {
        "kernel_size": check_int(f"layers[{i}] kernel_size", params["kernel_size"], minimum=1),
        "stride": check_int(f"layers[{i}] stride", params.get("stride", 1), minimum=1),
        "dilation": check_int(f"layers[{i}] dilation", params.get("dilation", 1), minimum=1),
        "padding": check_int(f"layers[{i}] padding", params.get("padding", 0), minimum=0),
    }


def receptive_field(layers: Iterable[object]) -> ReceptiveField:
    """Receptive field of a stack of convolution/pooling layers, along one axis.

    Each layer is a tuple ``(kernel_size, stride=1, dilation=1, padding=0)``, a dict
    with those keys, or a torch module (an ``nn.Sequential`` is read layer by layer;
    activations and normalisations do not change the field). Layer by layer::

        size  += (d*(k-1)) * jump         # the kernel reaches jump pixels further per tap
        start += (d*(k-1)/2 - padding) * jump
        jump  *= stride
    """
    if hasattr(layers, "children") and callable(layers.children):  # an nn.Sequential
        layers = list(layers.children()) or [layers]
    if not isinstance(layers, Iterable):
        raise TypeError(f"layers must be a sequence of layers, got {layers!r}")
    size, jump, start = 1, 1, 0.0
    steps = []
    for i, layer in enumerate(layers):
        params = _layer_params(i, layer)
        if params is not None:
            reach = params["dilation"] * (params["kernel_size"] - 1)
            size += reach * jump
            start += (reach / 2 - params["padding"]) * jump
            jump *= params["stride"]
        steps.append(LayerField(size, jump, start))
    return ReceptiveField(size, jump, start, tuple(steps))


def conv_parameters(in_channels: int, out_channels: int, kernel_size: int | Sequence[int],
                    bias: bool = True, groups: int = 1) -> int:
    """Learnable numbers in a convolution layer: ``out * (in / groups) * prod(kernel) + out``.

    An int ``kernel_size`` means a square 2-D kernel; pass ``(k,)`` for 1-D.
    """
    c_in = check_int("in_channels", in_channels, minimum=1)
    c_out = check_int("out_channels", out_channels, minimum=1)
    groups = check_int("groups", groups, minimum=1)
    if isinstance(kernel_size, Sequence):
        kernel = check_tuple("kernel_size", kernel_size, len(kernel_size), minimum=1)
    else:
        kernel = check_tuple("kernel_size", kernel_size, 2, minimum=1)
    for name, value in (("in_channels", c_in), ("out_channels", c_out)):
        if value % groups:
            raise ValueError(f"{name} = {value} must be divisible by groups = {groups}")
    return c_out * (c_in // groups) * math.prod(kernel) + c_out * check_bool("bias", bias)


def linear_parameters(in_features: int, out_features: int, bias: bool = True) -> int:
    """Learnable numbers in a fully connected layer: ``in * out + out``."""
    n_in = check_int("in_features", in_features, minimum=1)
    n_out = check_int("out_features", out_features, minimum=1)
    return n_in * n_out + n_out * check_bool("bias", bias)


def count_parameters(module: Any, trainable_only: bool = False) -> int:
    """Learnable numbers in a torch module (every ``parameter.numel()``, shared ones once)."""
    if not (hasattr(module, "parameters") and callable(module.parameters)):
        raise TypeError(f"module must be a torch.nn.Module, got {type(module).__name__}")
    trainable_only = check_bool("trainable_only", trainable_only)
    return sum(p.numel() for p in module.parameters() if p.requires_grad or not trainable_only)
