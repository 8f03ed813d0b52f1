"""The receptive field measured: which inputs can change one output, asked of autograd.

:func:`cnnbook.ops.receptive_field` predicts a stack's receptive field from its kernel
sizes, strides and dilations. :func:`measured_receptive_field` checks the prediction
without any algebra: it back-propagates from one output position and reads off the
input positions whose gradient is non-zero. Setting every weight to 1 (the default)
makes sure no two paths cancel by accident, and then the gradient counts the paths
from each input to that output. :func:`causal_tcn` builds the stack of dilated causal
convolutions of a temporal convolutional network. :func:`hybrid_dilation_gap` is the rule of
Wang et al. (2018) that tells whether a stack of dilation rates leaves holes ("gridding").
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from cnnbook._checks import check_bool, check_int

__all__ = ["MeasuredField", "causal_tcn", "hybrid_dilation_gap", "measured_receptive_field"]


@dataclass(frozen=True)
class MeasuredField:
    """The part of the input that one output position depends on.

    ``gradient``: ``d output[position] / d input``, summed over the batch and channels,
    one entry per input position (spatial axes only); ``size``: per axis, the extent
    from the first to the last non-zero entry; ``start``: per axis, the first non-zero
    index; ``count``: how many entries are non-zero (fewer than ``prod(size)`` when the
    field has holes); ``position``: the output position used (non-negative);
    ``output_shape``: the module's full output shape.
    """

    gradient: np.ndarray
    size: tuple[int, ...]
    start: tuple[int, ...]
    count: int
    position: tuple[int, ...]
    output_shape: tuple[int, ...]


def _check_shape(input_shape: Sequence[int]) -> tuple[int, ...]:
    if isinstance(input_shape, int | str) or not isinstance(input_shape, Sequence):
        raise TypeError(f"input_shape must be a sequence of ints (batch, channels, *spatial), "
                        f"got {input_shape!r}")
    if len(input_shape) < 3:
        raise ValueError(f"input_shape must be (batch, channels, *spatial) with at least one "
                         f"spatial axis, got {tuple(input_shape)!r}")
    return tuple(check_int(f"input_shape[{i}]", s, minimum=1) for i, s in enumerate(input_shape))


def measured_receptive_field(
    module: nn.Module,
    input_shape: Sequence[int],
    position: int | Sequence[int] | None = None,
    ones: bool = True,
) -> MeasuredField:
    """Measure the receptive field of one output position of ``module`` with autograd.

    ``input_shape`` is ``(batch, channels, *spatial)``; the input is all ones.
    ``position`` picks the output position on the spatial axes (one int for every axis,
    or one per axis; negative counts from the end); ``None`` means the centre. With
    ``ones=True`` a float64 copy of the module gets every ``weight`` set to 1, so
    nothing cancels; ``ones=False`` keeps the module's own weights. The module itself
    is never changed. Output channel 0 of batch item 0 is the unit measured.
    """
    if not isinstance(module, nn.Module):
        raise TypeError(f"module must be a torch.nn.Module, got {type(module).__name__}")
    shape = _check_shape(input_shape)
    ones = check_bool("ones", ones)
    net = copy.deepcopy(module).double()
    if ones:
        with torch.no_grad():
            for name, param in net.named_parameters():
                if name.rsplit(".", 1)[-1] == "weight":
                    param.fill_(1.0)
    x = torch.ones(shape, dtype=torch.float64, requires_grad=True)
    y = net(x)
    spatial = tuple(y.shape[2:])
    if len(spatial) != len(shape) - 2:
        raise ValueError(f"module output {tuple(y.shape)} must keep the input's "
                         f"{len(shape) - 2} spatial axes")
    if position is None:
        pos = tuple(s // 2 for s in spatial)
    else:
        raw = (position,) * len(spatial) if isinstance(position, int) else tuple(position)
        if len(raw) != len(spatial):
            raise ValueError(f"position must give one index per spatial axis "
                             f"({len(spatial)}), got {position!r}")
        pos = []
        for axis, (p, s) in enumerate(zip(raw, spatial, strict=True)):
            p = check_int(f"position[{axis}]", p, minimum=-s)
            if p >= s:
                raise ValueError(f"position[{axis}] must be in [-{s}, {s - 1}] for an output "
                                 f"of spatial shape {spatial}, got {p}")
            pos.append(p % s)
        pos = tuple(pos)
    y[(0, 0, *pos)].backward()
    gradient = x.grad.sum(dim=(0, 1)).numpy()
    nonzero = np.nonzero(gradient)
    if len(nonzero[0]) == 0:
        raise ValueError(f"output {pos} does not depend on the input (all gradients are zero)")
    start = tuple(int(idx.min()) for idx in nonzero)
    size = tuple(int(idx.max()) - first + 1 for idx, first in zip(nonzero, start, strict=True))
    return MeasuredField(gradient, size, start, int(len(nonzero[0])), pos, tuple(y.shape))


def causal_tcn(
    kernel_size: int,
    dilations: Sequence[int],
    channels: int = 1,
    activation: type[nn.Module] = nn.Tanh,
) -> nn.Sequential:
    """A temporal convolutional network: causal, dilated 1-D convolutions in a stack.

    Each layer pads ``d * (kernel_size - 1)`` zeros on the left only (so output ``t``
    sees no input after ``t`` and the length is kept), then applies a ``Conv1d`` with
    dilation ``d`` and ``channels`` channels in and out, then ``activation()``. Its
    receptive field is ``1 + (kernel_size - 1) * sum(dilations)``.
    """
    k = check_int("kernel_size", kernel_size, minimum=1)
    c = check_int("channels", channels, minimum=1)
    if isinstance(dilations, int | str) or not isinstance(dilations, Sequence) or not dilations:
        raise TypeError(f"dilations must be a non-empty sequence of ints, got {dilations!r}")
    layers: list[nn.Module] = []
    for i, d in enumerate(dilations):
        d = check_int(f"dilations[{i}]", d, minimum=1)
        layers += [nn.ConstantPad1d((d * (k - 1), 0), 0.0),
                   nn.Conv1d(c, c, k, dilation=d, dtype=torch.float64),
                   activation()]
    return nn.Sequential(*layers)


def hybrid_dilation_gap(rates: Sequence[int]) -> int:
    """Wang et al.'s largest gap ``M_2`` between the taps that layers 2 to n reach together.

    For dilation rates ``r_1, ..., r_n`` (non-decreasing, as in a hybrid-dilation group),
    start from ``M_n = r_n`` and go down with
    ``M_i = max(M_{i+1} - 2 r_i, M_{i+1} - 2 (M_{i+1} - r_i), r_i)``; the function returns
    ``M_2``. The recurrence is written for 3-tap kernels (the 3 × 3 kernels of the paper):
    with ``r_1 = 1``, such a stack covers its receptive field without holes exactly when
    ``M_2 <= 3``. One rate alone has gap ``r_1``.
    """
    if isinstance(rates, int | str) or not isinstance(rates, Sequence) or not rates:
        raise TypeError(f"rates must be a non-empty sequence of ints, got {rates!r}")
    checked = [check_int(f"rates[{i}]", r, minimum=1) for i, r in enumerate(rates)]
    if any(b < a for a, b in zip(checked, checked[1:], strict=False)):
        raise ValueError(f"rates must be non-decreasing (the rule assumes it), got {list(rates)}")
    gap = checked[-1]
    for r in reversed(checked[1:-1]):
        gap = max(gap - 2 * r, gap - 2 * (gap - r), r)
    return gap
