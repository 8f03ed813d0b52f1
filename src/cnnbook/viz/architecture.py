"""A network drawn as the arrays that flow through it: stacks of maps, then bars of features.

:func:`architecture_stages` reads a model's :func:`~cnnbook.viz.summary.layer_summary`
and keeps the layers that change the shape of the data (convolutions, pooling,
fully connected layers), each with the activation that follows it;
:func:`plot_architecture` draws every stage as a stack of square maps (side in
proportion to the map's height) or, once flattened, as a bar of features.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, Rectangle
from torch import nn

from cnnbook.viz.style import INK, book_style, role_color
from cnnbook.viz.summary import layer_summary

#: Layer classes that change the data's shape, and the role colour their output is drawn in.
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


def _shape_text(shape: tuple[int, ...]) -> str:
    return " × ".join(str(d) for d in shape)


def plot_architecture(
    model: nn.Module, input_size: Sequence[int], *, title: str | None = None,
    max_maps: int = 6,
) -> Figure:
    """Draw ``model`` as the arrays one input of ``input_size`` (no batch axis) becomes.

    A ``C × H × W`` stage is a stack of up to ``max_maps`` squares of side ∝ ``H`` (the
    count ``C`` is written below it); a flat stage of ``F`` features is a bar whose
    height grows with ``√F``. Above each stage: the layer that made it.
    """
    if isinstance(max_maps, bool) or not isinstance(max_maps, int) or max_maps < 1:
        raise ValueError(f"max_maps must be an integer >= 1, got {max_maps!r}")
    stages = architecture_stages(model, input_size)
    tallest = max((s.shape[-2] for s in stages if len(s.shape) == 3), default=1)
    widest_flat = max((s.shape[0] for s in stages if len(s.shape) == 1), default=1)
    step = 0.09  # offset between stacked maps
    with book_style():
        fig, ax = plt.subplots(figsize=(1.15 * len(stages) + 0.4, 2.6), layout="constrained")
        x, prev, prev_right = 0.0, None, 0.0
        for stage in stages:
            color = role_color(stage.role)
            if len(stage.shape) == 3:
                c, h, w = stage.shape
                side_h, side_w = h / tallest, w / tallest
                n = min(c, max_maps)
                for i in reversed(range(n)):  # back to front, so the front map is drawn last
                    ax.add_patch(Rectangle((x + i * step, -side_h / 2 + i * step), side_w, side_h,
                                           facecolor=color, edgecolor=INK, lw=0.6, alpha=0.85))
                left, right = x, x + side_w + (n - 1) * step
                top = side_h / 2 + (n - 1) * step
            else:
                height = 1.0 * np.sqrt(stage.shape[0] / widest_flat)
                ax.add_patch(Rectangle((x, -height / 2), 0.12, height, facecolor=color,
                                       edgecolor=INK, lw=0.6))
                left, right, top = x, x + 0.12, height / 2
            centre = (left + right) / 2
            ax.text(centre, -0.68, _shape_text(stage.shape), ha="center", va="top", fontsize=8)
            ax.text(centre, max(top, 0.5) + 0.08, stage.title.replace(", ", ",\n"),
                    ha="center", va="bottom", fontsize=8)
            if prev is not None:
                ax.add_patch(FancyArrowPatch((prev_right + 0.04, 0), (left - 0.04, 0),
                                             arrowstyle="-|>", mutation_scale=8, color=INK,
                                             lw=0.8))
                if len(prev.shape) == 3 and len(stage.shape) == 1:  # the flatten step
                    ax.text((prev_right + left) / 2, 0.06, f"flatten\n{np.prod(prev.shape)}",
                            ha="center", va="bottom", fontsize=7, color=INK)
            prev, prev_right = stage, right
            x = right + (0.6 if len(stage.shape) == 3 else 0.45)
        ax.set(xlim=(-0.15, x - 0.3), ylim=(-0.95, 1.15), aspect="equal")
        ax.set_axis_off()
        if title:
            ax.set_title(title)
    return fig
