"""A network's shape table and its stages are exactly what a forward pass goes through."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn
from torch.nn import functional as F

from cnnbook.models import CourseNet, CourseNet3, LeNet5
from cnnbook.summary import architecture_stages, layer_summary


def lenet_like(channels: int = 6, kernel: int = 5, size: int = 28) -> nn.Sequential:
    torch.manual_seed(0)
    side = ((size + 5 - kernel) // 2 - kernel + 1) // 2  # conv (padding 2), pool, conv, pool
    return nn.Sequential(
        nn.Conv2d(1, channels, kernel, padding=2),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(channels, 16, kernel),
        nn.Sigmoid(),
        nn.AvgPool2d(2),
        nn.Flatten(),
        nn.Linear(16 * side * side, 10),
    )


def stepwise_shapes(model: nn.Sequential, x: torch.Tensor) -> list[tuple[int, ...]]:
    """The shapes a Sequential really produces, one layer at a time, without hooks."""
    shapes = []
    with torch.no_grad():
        for layer in model:
            x = layer(x)
            shapes.append(tuple(x.shape))
    return shapes


class Nested(nn.Module):
    """Sub-blocks, a functional op in forward, a layer called twice, and a BatchNorm."""

    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4))
        self.act = nn.ReLU()
        self.head = nn.Linear(4, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.act(self.features(x))
        x = F.adaptive_avg_pool2d(x, 1).flatten(1)
        return self.act(self.head(x))


@settings(max_examples=15, deadline=None)
@given(
    size=st.integers(12, 40),
    channels=st.integers(1, 8),
    kernel=st.sampled_from([3, 5]),
)
def test_rows_are_the_real_forward_shapes(size: int, channels: int, kernel: int) -> None:
    model = lenet_like(channels, kernel, size)
    summary = layer_summary(model, (1, size, size))
    real = stepwise_shapes(model, torch.zeros(1, 1, size, size))
    assert [r.output_shape for r in summary.rows] == real
    assert [r.kind for r in summary.rows] == [type(m).__name__ for m in model]
    assert [r.name for r in summary.rows] == [str(i) for i in range(len(model))]
    assert [r.parameters for r in summary.rows] == [
        sum(p.numel() for p in m.parameters()) for m in model
    ]
    total = sum(p.numel() for p in model.parameters())
    assert summary.total_parameters == total == sum(r.parameters for r in summary.rows)
    assert summary.input_shape == (1, 1, size, size)


def test_nested_model_names_repeat_calls_and_mode_is_restored() -> None:
    model = Nested().train()
    summary = layer_summary(model, [3, 8, 8])
    assert [r.name for r in summary.rows] == ["features.0", "features.1", "act", "head", "act"]
    assert [r.output_shape for r in summary.rows] == [
        (1, 4, 6, 6),
        (1, 4, 6, 6),
        (1, 4, 6, 6),
        (1, 2),
        (1, 2),
    ]
    # the shared ReLU has no parameters; the Linear's are counted once
    assert [r.parameters for r in summary.rows] == [3 * 4 * 9 + 4, 8, 0, 4 * 2 + 2, 0]
    assert summary.total_parameters == sum(p.numel() for p in model.parameters())
    assert model.training  # batch of 1 ran in eval mode (BatchNorm), training mode is back
    assert not any(m._forward_hooks for m in model.modules())  # hooks removed


def test_frozen_parameters_are_counted_but_not_trainable() -> None:
    model = nn.Sequential(nn.Linear(5, 3), nn.Linear(3, 1))
    model[0].requires_grad_(False)
    summary = layer_summary(model, (5,))
    assert summary.total_parameters == 18 + 4
    assert summary.trainable_parameters == 4
    assert "trainable: 4" in str(summary)


def test_text_and_html_tables() -> None:
    model = lenet_like()
    summary = layer_summary(model, (1, 28, 28))
    text = str(summary)
    lines = text.splitlines()
    assert lines[0] == "Sequential"
    assert lines[-1].split()[0] == "total"
    assert lines[-1].split()[-1] == f"{summary.total_parameters:,}"
    assert "1 × 6 × 28 × 28" in text and "MaxPool2d" in text
    page = summary._repr_html_()
    assert page.startswith("<table") and page.endswith("</table>")
    assert page.count("<tr>") == 1 + 1 + len(summary.rows) + 1  # head, input, layers, total
    assert f"{summary.total_parameters:,}" in page
    assert len(summary) == len(summary.rows) == len(model)


def test_html_escapes_names() -> None:
    class Odd(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.add_module("a<b>", nn.Linear(2, 2))

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return getattr(self, "a<b>")(x)

    page = layer_summary(Odd(), (2,))._repr_html_()
    assert "a&lt;b&gt;" in page and "a<b>" not in page


def test_bad_arguments() -> None:
    model = nn.Linear(3, 2)
    with pytest.raises(TypeError, match="model must be a torch.nn.Module"):
        layer_summary("lenet", (3,))
    with pytest.raises(TypeError, match="input_size must be a sequence"):
        layer_summary(model, 3)
    with pytest.raises(ValueError, match="input_size must not be empty"):
        layer_summary(model, ())
    with pytest.raises(ValueError, match=r"input_size\[0\] must be an integer >= 1, got 0"):
        layer_summary(model, (0,))
    with pytest.raises(TypeError, match=r"input_size\[1\] must be an integer"):
        layer_summary(model, (1, 2.5))


def shapes_by_hand(model: nn.Module, x: torch.Tensor) -> list[tuple[int, ...]]:
    """Every Conv2d / pooling / Linear output shape, recorded with plain forward hooks."""
    seen: list[tuple[int, ...]] = []
    kinds = (nn.Conv2d, nn.MaxPool2d, nn.AvgPool2d, nn.Linear)
    hooks = [m.register_forward_hook(lambda _m, _i, out: seen.append(tuple(out.shape[1:])))
             for m in model.modules() if isinstance(m, kinds)]
    with torch.no_grad():
        model(x)
    for h in hooks:
        h.remove()
    return seen


@pytest.mark.parametrize("model", [LeNet5.modern(), LeNet5.simplified(), CourseNet(), CourseNet3()])
def test_stages_follow_the_forward_pass(model):
    stages = architecture_stages(model, (1, 28, 28))
    assert stages[0].shape == (1, 28, 28) and stages[0].label == "input"
    assert [s.shape for s in stages[1:]] == shapes_by_hand(model, torch.zeros(1, 1, 28, 28))


def test_lenet_labels_and_activations():
    stages = architecture_stages(LeNet5.modern(), (1, 28, 28))
    assert [s.title for s in stages] == [
        "input", "conv 5×5, pad 2, ReLU", "max pool 2×2", "conv 5×5, ReLU", "max pool 2×2",
        "fc, ReLU", "fc, ReLU", "fc",
    ]
    simplified = architecture_stages(LeNet5.simplified(), (1, 28, 28))
    assert simplified[1].activation == "sigmoid" and simplified[2].label == "avg pool 2×2"
    assert np.prod(stages[4].shape) == 16 * 5 * 5 == 400


@settings(max_examples=8)
@given(padding=st.integers(0, 3), size=st.sampled_from([28, 32]))
def test_padded_lenet_on_other_sizes(padding, size):
    model = nn.Sequential(nn.Conv2d(1, 6, 5, padding=padding), nn.Tanh(), nn.AvgPool2d(2))
    stages = architecture_stages(model, (1, size, size))
    side = size + 2 * padding - 4
    assert stages[1].shape == (6, side, side) and stages[1].activation == "tanh"
    assert stages[2].shape == (6, side // 2, side // 2)
    assert stages[1].label == ("conv 5×5" if padding == 0 else f"conv 5×5, pad {padding}")


def test_stages_reject_bad_arguments():
    with pytest.raises(TypeError, match="model must be a torch.nn.Module"):
        architecture_stages("lenet", (1, 28, 28))
    with pytest.raises(ValueError, match="input_size must not be empty"):
        architecture_stages(CourseNet(), ())
