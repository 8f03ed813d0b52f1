"""cnnbook.models: shapes, parameter counts by formula, the variants and the registry."""

import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from cnnbook import models
from cnnbook.models import C3_TABLE, CourseNet, CourseNet3, LeNet5, LeNet1998


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
    for net in (LeNet5(), LeNet5.simplified(), LeNet5.modern()):
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


def test_simplified_uses_sigmoid_and_average_pooling():
    torch.manual_seed(1)
    net = LeNet5.simplified()
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
    [("lenet5", LeNet5, nn.ReLU), ("lenet5-simplified", LeNet5, nn.Sigmoid),
     ("lenet5-1998", LeNet1998, models.ScaledTanh),
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
    with pytest.raises(ValueError, match=r"activation must be one of 'relu', 'sigmoid', 'tanh'"):
        LeNet5(activation="swish")
    with pytest.raises(ValueError, match=r"pool must be one of 'max', 'avg'; got 'min'"):
        LeNet5(pool="min")
    with pytest.raises(TypeError, match=r"padding must be an integer, got 1.5"):
        LeNet5(padding=1.5)
    with pytest.raises(ValueError, match=r"num_classes must be an integer >= 2, got 1"):
        CourseNet(num_classes=1)


def test_the_old_preset_name_is_gone():
    """The sigmoid net is not LeCun's: no preset may call it the original."""
    assert not hasattr(LeNet5, "original")
    assert "lenet5-original" not in models.MODELS


@pytest.mark.parametrize(
    ("name", "formula"),
    [("relu", torch.relu), ("sigmoid", torch.sigmoid), ("tanh", torch.tanh),
     ("scaled-tanh", lambda a: 1.7159 * torch.tanh(2 * a / 3)),
     ("centred-sigmoid", lambda a: 1 / (1 + torch.exp(-a)) - 0.5),
     ("steep-sigmoid", lambda a: 2 / (1 + torch.exp(-2 * a)))],
)
def test_activations_compute_their_formulas(name, formula):
    a = torch.linspace(-6, 6, 101, dtype=torch.float64)
    torch.testing.assert_close(models.ACTIVATIONS[name]()(a), formula(a))
    net = LeNet5(activation=name)
    x = torch.randn(2, 1, 28, 28)
    torch.testing.assert_close(net.features(x)[0], formula(net.conv1(x)))


def test_tanh_is_the_sigmoid_steepened_and_centred():
    a = torch.linspace(-5, 5, 41, dtype=torch.float64)
    steep = models.ACTIVATIONS["steep-sigmoid"]()
    torch.testing.assert_close(steep(a) - 1, torch.tanh(a))
    centred = models.ACTIVATIONS["centred-sigmoid"]()
    torch.testing.assert_close(2 * centred(a), torch.tanh(a / 2))  # σ(a) − ½ = ½ tanh(a/2)


def test_scaled_tanh_maps_one_to_one():
    f = models.ScaledTanh()
    one = torch.tensor([1.0, -1.0], dtype=torch.float64)
    torch.testing.assert_close(f(one), one, atol=1e-4, rtol=0)  # f(±1) = ±1 (appendix A)


def test_c3_table_is_lecuns_table_one():
    """Six maps read 3 neighbours, six read 4 neighbours, three read 4 others, one reads all."""
    assert len(C3_TABLE) == 16
    def contiguous(row):  # neighbours on the ring of 6 maps
        return any(set(row) == {(s + i) % 6 for i in range(len(row))} for s in range(6))
    assert all(len(r) == 3 and contiguous(r) for r in C3_TABLE[:6])
    assert all(len(r) == 4 and contiguous(r) for r in C3_TABLE[6:12])
    assert all(len(r) == 4 and not contiguous(r) for r in C3_TABLE[12:15])
    assert C3_TABLE[15] == (0, 1, 2, 3, 4, 5)
    assert len({frozenset(r) for r in C3_TABLE}) == 16
    # the paper's count: 1,516 trainable parameters and 151,600 connections in C3
    assert 25 * sum(map(len, C3_TABLE)) + 16 == 1_516
    assert (25 * sum(map(len, C3_TABLE)) + 16) * 10 * 10 == 151_600


def test_table_conv_equals_a_masked_full_convolution():
    torch.manual_seed(0)
    layer = models.TableConv2d(6, C3_TABLE, kernel_size=5)
    x = torch.randn(2, 6, 14, 14, dtype=torch.float64)
    layer = layer.double()
    mask = torch.zeros(16, 6, 1, 1, dtype=torch.float64)
    for o, row in enumerate(C3_TABLE):
        mask[o, list(row)] = 1
    full = layer.full_weight()
    assert torch.equal(full * mask, full)  # nothing outside the table
    expected = nn.functional.conv2d(x, full, layer.bias)
    torch.testing.assert_close(layer(x), expected)
    # each map really reads only its table row: changing another input map changes nothing
    y = layer(x)
    x2 = x.clone()
    x2[:, 5] += 1.0
    unchanged = [o for o, row in enumerate(C3_TABLE) if 5 not in row]
    torch.testing.assert_close(layer(x2)[:, unchanged], y[:, unchanged])
    assert n_params(layer) == 1_516


def test_subsampling_sums_the_window_times_a_coefficient_plus_a_bias():
    layer = models.Subsampling(3).double()
    with torch.no_grad():
        layer.weight.copy_(torch.tensor([0.5, -2.0, 1.0]))
        layer.bias.copy_(torch.tensor([0.1, 0.0, -1.0]))
    x = torch.arange(2 * 3 * 4 * 4, dtype=torch.float64).reshape(2, 3, 4, 4)
    sums = x.reshape(2, 3, 2, 2, 2, 2).sum(dim=(3, 5))  # rows (2i, 2i+1), columns (2j, 2j+1)
    expected = sums * layer.weight[:, None, None] + layer.bias[:, None, None]
    torch.testing.assert_close(layer(x), expected)
    assert n_params(layer) == 6


def test_lenet1998_counts_the_papers_60000_parameters_plus_its_output_layer():
    net = LeNet1998()
    # LeCun et al. 1998, section II.B: C1 156, S2 12, C3 1,516, S4 32, C5 48,120, F6 10,164
    paper = {"c1": 156, "s2": 12, "c3": 1_516, "s4": 32, "c5": 48_120, "f6": 10_164}
    got = {name: n_params(getattr(net, name)) for name in paper}
    assert got == paper and sum(paper.values()) == 60_000
    assert n_params(net) == 60_000 + fc_params(84, 10)  # our linear output layer


def test_lenet1998_pads_with_the_background_and_squashes_every_layer():
    torch.manual_seed(0)
    net = LeNet1998().double()
    assert net.background == pytest.approx(-0.1307 / 0.3081)
    x = torch.randn(3, 1, 28, 28, dtype=torch.float64)
    f = models.ScaledTanh()
    padded = nn.functional.pad(x, (2, 2, 2, 2), value=net.background)
    assert torch.equal(padded[:, :, 0], torch.full((3, 1, 32), net.background,
                                                   dtype=torch.float64))
    c1 = f(nn.functional.conv2d(padded, net.c1.weight, net.c1.bias))
    s2 = f(net.s2(c1))
    c3 = f(net.c3(s2))
    features = net.features(x)
    torch.testing.assert_close(features[0], c1)
    torch.testing.assert_close(features[1], c3)
    assert c1.shape == (3, 6, 28, 28) and s2.shape == (3, 6, 14, 14) and c3.shape == (3, 16, 10, 10)
    c5 = f(net.c5(f(net.s4(c3))))
    assert c5.shape == (3, 120, 1, 1)
    # C5 on 5×5 maps is a full connection: the same as a linear layer with its weights
    s4 = f(net.s4(c3)).flatten(1)
    torch.testing.assert_close(c5.flatten(1), f(s4 @ net.c5.weight.flatten(1).T + net.c5.bias))
    logits = net.out(f(net.f6(c5.flatten(1))))
    torch.testing.assert_close(net(x), logits)


def test_lecun1998_initialisation_draws_within_2_4_over_the_fan_in():
    torch.manual_seed(0)
    net = LeNet1998()
    fans = {"c1": 25, "c5": 400, "f6": 120, "out": 84, "s2": 4, "s4": 4}
    for name, fan in fans.items():
        w = getattr(net, name).weight.detach()
        bound = 2.4 / fan
        assert w.abs().max() <= bound
        if w.numel() > 1000:  # uniform in ±b: standard deviation b/√3
            assert w.std().item() == pytest.approx(bound / math.sqrt(3), rel=0.05)
        bias = getattr(net, name).bias.detach()
        assert torch.equal(bias, torch.zeros_like(bias))
    for o, row in enumerate(C3_TABLE):
        kernels = net.c3.full_weight()[o, list(row)]
        assert kernels.abs().max() <= 2.4 / (25 * len(row))


def test_xavier_initialisation_follows_glorot_and_bengio():
    torch.manual_seed(0)
    net = models.initialise(LeNet5.simplified(), "xavier")
    for layer, (fan_in, fan_out) in {"conv1": (25, 150), "fc1": (400, 120)}.items():
        w = getattr(net, layer).weight.detach()
        bound = math.sqrt(6 / (fan_in + fan_out))
        assert w.abs().max() <= bound
        assert w.std().item() == pytest.approx(bound / math.sqrt(3), rel=0.1)
    with pytest.raises(ValueError, match="rule must be one of 'xavier', 'lecun1998'"):
        models.initialise(net, "he")
    with pytest.raises(ValueError, match="TableConv2d"):
        models.initialise(LeNet1998(), "xavier")


def test_pytorch_default_initialisation_is_uniform_in_one_over_root_fan_in():
    """What the chapter states about LeNet5's starting weights, against the formula."""
    torch.manual_seed(0)
    net = LeNet5.modern()
    for layer, fan in {"conv1": 25, "conv2": 150, "fc1": 400, "fc2": 120}.items():
        for p in (getattr(net, layer).weight, getattr(net, layer).bias):
            assert p.abs().max().item() <= 1 / math.sqrt(fan)
        w = getattr(net, layer).weight.detach()
        assert w.std().item() == pytest.approx(1 / math.sqrt(3 * fan), rel=0.1)


def test_lenet1998_rejects_bad_arguments():
    with pytest.raises(ValueError, match="num_classes must be an integer >= 2"):
        LeNet1998(num_classes=1)
    with pytest.raises(TypeError, match="background must be a real number"):
        LeNet1998(background="black")
    with pytest.raises(ValueError, match="table must list"):
        models.TableConv2d(6, ((0, 6),), kernel_size=5)
