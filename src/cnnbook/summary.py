"""A network's shape table: every layer, the shape it outputs and the parameters it holds.

``layer_summary(model, (1, 28, 28))`` runs one image through ``model`` and records,
for every leaf module (a layer with no sub-layers) that the forward pass calls, its
output shape and its parameter count. Work done by plain functions inside
``forward`` (``F.relu``, ``x.flatten(1)``) is not a module, so it has no row.

:func:`architecture_stages` reads such a table and keeps the layers that change the shape
of the data (convolutions, pooling, fully connected layers), each with the activation that
follows it: the arrays one input becomes, which
:func:`cnnbook.figures.lenet.plot_architecture` draws.
"""

from __future__ import annotations

import dataclasses
import html
from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import nn

from cnnbook._checks import check_int


@dataclass(frozen=True)
class LayerRow:
    """One call of one layer in the forward pass."""

    name: str  # qualified name in the model, e.g. "features.0"
    kind: str  # the layer's class, e.g. "Conv2d"
    output_shape: tuple[int, ...] | tuple[tuple[int, ...], ...]  # with the batch of 1
    parameters: int  # counted on the layer's first call only, so rows add up


def _format_shape(shape: tuple) -> str:
    if shape and isinstance(shape[0], tuple):
        return ", ".join(_format_shape(s) for s in shape)
    return " × ".join(str(d) for d in shape)


@dataclass(frozen=True)
class LayerSummary:
    """A layer-by-layer table of a model: printable, and a tidy HTML table in a notebook."""

    model_name: str
    input_shape: tuple[int, ...]
    rows: tuple[LayerRow, ...]
    total_parameters: int  # every parameter of the model, as sum(p.numel())
    trainable_parameters: int

    def __len__(self) -> int:
        return len(self.rows)

    def _table(self) -> tuple[list[tuple[str, str, str, str]], tuple[str, str, str, str]]:
        body = [("input", "", _format_shape(self.input_shape), "")]
        body += [
            (r.name, r.kind, _format_shape(r.output_shape), f"{r.parameters:,}") for r in self.rows
        ]
        total = ("total", "", "", f"{self.total_parameters:,}")
        return body, total

    def __str__(self) -> str:
        body, total = self._table()
        head = ("layer", "type", "output shape", "parameters")
        widths = [max(len(row[i]) for row in [head, *body, total]) for i in range(4)]

        def line(cells: Sequence[str]) -> str:
            left = [c.ljust(w) for c, w in zip(cells[:3], widths[:3], strict=True)]
            return "  ".join([*left, cells[3].rjust(widths[3])]).rstrip()

        rule = "-" * (sum(widths) + 6)
        lines = [self.model_name, rule, line(head), rule, *map(line, body), rule, line(total)]
        if self.trainable_parameters != self.total_parameters:
            lines.append(f"trainable: {self.trainable_parameters:,}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (
            f"LayerSummary({self.model_name}, {len(self.rows)} rows, "
            f"{self.total_parameters:,} parameters)"
        )

    def _repr_html_(self) -> str:
        body, total = self._table()
        cell = "padding:2px 10px;"
        right = cell + "text-align:right;font-variant-numeric:tabular-nums;"

        def tr(cells: Sequence[str], tag: str = "td", extra: str = "") -> str:
            tds = [
                f'<{tag} style="{right if i == 3 else cell + "text-align:left;"}{extra}">'
                f"{html.escape(c)}</{tag}>"
                for i, c in enumerate(cells)
            ]
            return "<tr>" + "".join(tds) + "</tr>"

        rows = [tr(r) for r in body]
        rows.append(tr(total, extra="font-weight:bold;border-top:1px solid currentColor;"))
        caption = html.escape(self.model_name)
        if self.trainable_parameters != self.total_parameters:
            caption += f" (trainable: {self.trainable_parameters:,})"
        return (
            '<table class="cnnbook-summary" style="border-collapse:collapse;">'
            f'<caption style="text-align:left;font-weight:bold;">{caption}</caption>'
            "<thead>"
            + tr(
                ("layer", "type", "output shape", "parameters"),
                "th",
                "border-bottom:1px solid currentColor;",
            )
            + "</thead><tbody>"
            + "".join(rows)
            + "</tbody></table>"
        )


def _shape_of(output: object) -> tuple:
    if isinstance(output, torch.Tensor):
        return tuple(output.shape)
    if isinstance(output, list | tuple):
        return tuple(tuple(o.shape) for o in output if isinstance(o, torch.Tensor))
    return ()


def layer_summary(model: nn.Module, input_size: Sequence[int]) -> LayerSummary:
    """Run one input of shape ``(1, *input_size)`` through ``model`` and tabulate its layers.

    ``input_size`` leaves out the batch, e.g. ``(1, 28, 28)`` for an MNIST image. The model
    runs in eval mode under ``torch.no_grad`` and is put back in its previous mode afterwards.
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    if isinstance(input_size, int | str | bytes) or not isinstance(input_size, Sequence):
        raise TypeError(
            f"input_size must be a sequence of positive integers without the batch, "
            f"e.g. (1, 28, 28); got {input_size!r}"
        )
    if len(input_size) == 0:
        raise ValueError("input_size must not be empty, e.g. (1, 28, 28)")
    shape = tuple(check_int(f"input_size[{i}]", d, minimum=1) for i, d in enumerate(input_size))

    names = {m: n for n, m in model.named_modules()}
    rows: list[LayerRow] = []
    counted: set[int] = set()

    def hook(module: nn.Module, _inputs: object, output: object) -> None:
        params = 0
        if id(module) not in counted:
            counted.add(id(module))
            params = sum(p.numel() for p in module.parameters())
        rows.append(
            LayerRow(names[module] or "(model)", type(module).__name__, _shape_of(output), params)
        )

    leaves = [m for m in model.modules() if next(m.children(), None) is None]
    handles = [m.register_forward_hook(hook) for m in leaves]
    first = next(model.parameters(), None)
    device = first.device if first is not None else torch.device("cpu")
    dtype = first.dtype if first is not None and first.is_floating_point() else torch.float32
    was_training = model.training
    try:
        model.eval()
        with torch.no_grad():
            model(torch.zeros((1, *shape), device=device, dtype=dtype))
    finally:
        for h in handles:
            h.remove()
        model.train(was_training)

    params = list(model.parameters())  # shared parameters appear once here
    return LayerSummary(
        model_name=type(model).__name__,
        input_shape=(1, *shape),
        rows=tuple(rows),
        total_parameters=sum(p.numel() for p in params),
        trainable_parameters=sum(p.numel() for p in params if p.requires_grad),
    )


#: Layer classes that change the data's shape, and the colour role their output is drawn in.
SHAPING: dict[str, str] = {
    "Conv2d": "output", "MaxPool2d": "padding", "AvgPool2d": "padding", "Linear": "kernel",
}

#: Element-wise layers: they keep the shape, so they are written next to the stage before them.
ELEMENTWISE: dict[str, str] = {"ReLU": "ReLU", "Sigmoid": "sigmoid", "Tanh": "tanh"}


@dataclass(frozen=True)
class Stage:
    """One array in the forward pass: the input, or the output of a shape-changing layer."""

    label: str  # the layer that made it, e.g. "conv 5×5" or "input"
    shape: tuple[int, ...]  # without the batch axis: (C, H, W) or (F,)
    role: str  # the colour role it is drawn in
    activation: str | None = None  # the element-wise function applied right after, if any

    @property
    def title(self) -> str:
        """The label with the activation, e.g. ``"conv 5×5, ReLU"``."""
        return self.label if self.activation is None else f"{self.label}, {self.activation}"


def _describe(module: nn.Module) -> str:
    def pair(v: object) -> str:
        a, b = (v, v) if isinstance(v, int) else tuple(v)  # type: ignore[arg-type]
        return f"{a}×{b}"

    if isinstance(module, nn.Conv2d):
        p = module.padding
        p = p[0] if isinstance(p, tuple) and len(set(p)) == 1 else p
        pad = "" if p == 0 else f", pad {p if isinstance(p, int | str) else pair(p)}"
        return f"conv {pair(module.kernel_size)}{pad}"
    if isinstance(module, nn.MaxPool2d | nn.AvgPool2d):
        kind = "max" if isinstance(module, nn.MaxPool2d) else "avg"
        return f"{kind} pool {pair(module.kernel_size)}"
    return "fc"


def architecture_stages(model: nn.Module, input_size: Sequence[int]) -> list[Stage]:
    """The input and every shape-changing layer's output, in the order the forward pass runs.

    A stage records the activation module applied right after its layer, if any
    (activations called as functions inside ``forward`` are not modules and do not show).
    """
    summary = layer_summary(model, input_size)
    modules = dict(model.named_modules())
    stages = [Stage("input", summary.input_shape[1:], "input")]
    for row in summary.rows:
        if row.kind in SHAPING and isinstance(row.output_shape[0], int):
            label = _describe(modules[row.name] if row.name in modules else model)
            stages.append(Stage(label, tuple(row.output_shape[1:]), SHAPING[row.kind]))
        elif row.kind in ELEMENTWISE and len(stages) > 1 and stages[-1].activation is None:
            stages[-1] = dataclasses.replace(stages[-1], activation=ELEMENTWISE[row.kind])
    return stages
