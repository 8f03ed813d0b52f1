"""cnnbook.models: shapes, parameter counts by formula, the variants and the registry."""

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from cnnbook import models
from cnnbook.models import CourseNet, CourseNet3, LeNet5


def conv_params(c_in: int, c_out: int, k: int) -> int:
    return c_out * c_in * k * k + c_out


def fc_params(n_in: int, n_out: int) -> int:
    return n_in * n_out + n_out


def n_params(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def lenet_params(padding: int) -> int:
    side = ((28 + 2 * padding - 5 + 1) // 2 - 5 + 1) // 2  # conv, pool, conv, pool
    return (conv_params(1, 6, 5) + conv_params(6, 16, 5) + fc_params(16 * side * side, 120)
            + fc_params(120, 84) + fc_params(84, 10))


def test_lenet5_has_61706_parameters_by_formula():
    assert lenet_params(2) == 156 + 2_416 + 48_120 + 10_164 + 850 == 61_706
    for net in (LeNet5(), LeNet5.original(), LeNet5.modern()):
        assert n_params(net) == lenet_params(2)


@settings(max_examples=20)
@given(padding=st.integers(0, 6), batch=st.integers(1, 3), classes=st.integers(2, 12))
def test_lenet5_shapes_and_count_follow_padding(padding, batch, classes):
    net = LeNet5(padding=padding, num_classes=classes)
    x = torch.randn(batch, 1, 28, 28)
    assert net(x).shape == (batch, classes)
    c1, c2 = net.features(x)
    side1 = 28 + 2 * padding - 4
    assert c1.shape == (batch, 6, side1, side1)
    assert c2.shape == (batch, 16, side1 // 2 - 4, side1 // 2 - 4)
    assert n_params(net) == lenet_params(padding) - fc_params(84, 10) + fc_params(84, classes)


def test_lenet5_feature_maps_match_the_layers():
    torch.manual_seed(0)
    net = LeNet5.modern()
    x = torch.randn(2, 1, 28, 28)
    c1, c2 = net.features(x)
    assert c1.shape == (2, 6, 28, 28) and c2.shape == (2, 16, 10, 10)
    torch.testing.assert_close(c1, torch.relu(net.conv1(x)))
    torch.testing.assert_close(
        c2, torch.relu(net.conv2(nn.functional.max_pool2d(c1, 2))))
    # forward continues from the conv2 maps
    h = nn.functional.max_pool2d(c2, 2).flatten(1)
    logits = net.fc3(torch.relu(net.fc2(torch.relu(net.fc1(h)))))
    torch.testing.assert_close(net(x), logits)


def test_original_uses_sigmoid_and_average_pooling():
    torch.manual_seed(1)
    net = LeNet5.original()
    assert isinstance(net.act, nn.Sigmoid) and isinstance(net.down, nn.AvgPool2d)
    x = torch.randn(3, 1, 28, 28)
    c1, c2 = net.features(x)
    torch.testing.assert_close(c1, torch.sigmoid(net.conv1(x)))
    torch.testing.assert_close(c2, torch.sigmoid(net.conv2(nn.functional.avg_pool2d(c1, 2))))
    assert c1.min() > 0 and c1.max() < 1
    modern = LeNet5.modern()
    assert isinstance(modern.act, nn.ReLU) and isinstance(modern.down, nn.MaxPool2d)


def test_coursenet_shapes_and_count():
    net = CourseNet()
    assert net(torch.randn(4, 1, 28, 28)).shape == (4, 10)
    assert net.fc.in_features == 320
    assert n_params(net) == conv_params(1, 10, 5) + conv_params(10, 20, 5) + fc_params(320, 10)


def test_coursenet3_shapes_and_count():
    net = CourseNet3()
    assert net(torch.randn(2, 1, 28, 28)).shape == (2, 10)
    convs = [m for m in net.modules() if isinstance(m, nn.Conv2d)]
    fcs = [m for m in net.modules() if isinstance(m, nn.Linear)]
    assert len(convs) == 3 and all(c.kernel_size == (3, 3) for c in convs)
    assert [f.in_features for f in fcs] == [120, 60, 30]
    expected = (conv_params(1, 10, 3) + conv_params(10, 20, 3) + conv_params(20, 30, 3)
                + fc_params(120, 60) + fc_params(60, 30) + fc_params(30, 10))
    assert n_params(net) == expected


@pytest.mark.parametrize(
    ("name", "cls", "act"),
    [("lenet5", LeNet5, nn.ReLU), ("lenet5-original", LeNet5, nn.Sigmoid),
     ("coursenet", CourseNet, None), ("coursenet3", CourseNet3, None)],
)
def test_build_returns_fresh_models(name, cls, act):
    a, b = models.build(name), models.build(name)
    assert type(a) is cls and a is not b
    if act is not None:
        assert isinstance(a.act, act)
    assert a(torch.zeros(1, 1, 28, 28)).shape == (1, 10)


def test_bad_arguments_name_the_allowed_values():
    with pytest.raises(ValueError, match=r"name must be one of 'lenet5', .*; got 'vgg'"):
        models.build("vgg")
    with pytest.raises(ValueError, match=r"activation must be one of 'relu', 'sigmoid'; got 't"):
        LeNet5(activation="tanh")
    with pytest.raises(ValueError, match=r"pool must be one of 'max', 'avg'; got 'min'"):
        LeNet5(pool="min")
    with pytest.raises(TypeError, match=r"padding must be an integer, got 1.5"):
        LeNet5(padding=1.5)
    with pytest.raises(ValueError, match=r"num_classes must be an integer >= 2, got 1"):
        CourseNet(num_classes=1)
