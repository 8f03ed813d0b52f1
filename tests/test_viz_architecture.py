"""The architecture figure shows exactly the stages a forward pass goes through."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from cnnbook.models import CourseNet, CourseNet3, LeNet5
from cnnbook.viz.architecture import architecture_stages, plot_architecture


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


@pytest.mark.parametrize("model", [LeNet5.modern(), LeNet5.original(), CourseNet(), CourseNet3()])
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
    original = architecture_stages(LeNet5.original(), (1, 28, 28))
    assert original[1].activation == "sigmoid" and original[2].label == "avg pool 2×2"
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


def test_plot_writes_every_shape_and_one_box_per_map():
    fig = plot_architecture(LeNet5.modern(), (1, 28, 28), title="LeNet-5", max_maps=4)
    ax = fig.axes[0]
    texts = [t.get_text() for t in ax.texts]
    for shape in ("1 × 28 × 28", "6 × 28 × 28", "6 × 14 × 14", "16 × 10 × 10", "16 × 5 × 5",
                  "120", "84", "10"):
        assert shape in texts
    assert "flatten\n400" in texts
    boxes = [p for p in ax.patches if type(p).__name__ == "Rectangle"]
    assert len(boxes) == 1 + 4 * 4 + 3  # input, four stacks capped at 4 maps, three bars
    assert ax.get_title() == "LeNet-5"


def test_bad_arguments():
    with pytest.raises(ValueError, match="max_maps must be an integer >= 1, got 0"):
        plot_architecture(CourseNet(), (1, 28, 28), max_maps=0)
    with pytest.raises(TypeError, match="model must be a torch.nn.Module"):
        architecture_stages("lenet", (1, 28, 28))
    with pytest.raises(ValueError, match="input_size must not be empty"):
        architecture_stages(CourseNet(), ())
