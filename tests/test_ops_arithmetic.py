"""Output sizes, same padding, receptive fields and parameter counts, checked against torch."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from cnnbook.ops import (
    conv_output_size,
    conv_parameters,
    conv_transpose_output_size,
    count_parameters,
    effective_kernel_size,
    linear_parameters,
    pool_output_size,
    receptive_field,
    same_padding,
)

small = st.integers(1, 4)


@settings(max_examples=60)
@given(size=st.integers(1, 12), k=small, s=small, p=st.integers(0, 3), d=st.integers(1, 3))
def test_conv_output_size_matches_torch(size, k, s, p, d):
    if d * (k - 1) + 1 > size + 2 * p:
        with pytest.raises(ValueError, match="larger than the padded input size"):
            conv_output_size(size, k, s, p, d)
        return
    out = F.conv1d(torch.ones(1, 1, size), torch.ones(1, 1, k), stride=s, padding=p, dilation=d)
    assert conv_output_size(size, k, s, p, d) == out.shape[-1]
    assert effective_kernel_size(k, d) == d * (k - 1) + 1
    ceil = conv_output_size(size, k, s, p, d, ceil_mode=True)
    # rounding up adds one partial window exactly when the windows do not tile evenly
    assert ceil == out.shape[-1] + ((size + 2 * p - effective_kernel_size(k, d)) % s != 0)


def test_sizes_per_axis():
    out = F.conv2d(torch.ones(1, 1, 28, 20), torch.ones(1, 1, 5, 3), stride=(1, 2),
                   padding=(2, 0))
    assert conv_output_size((28, 20), (5, 3), (1, 2), (2, 0)) == tuple(out.shape[-2:])
    assert conv_output_size((28, 20), 5) == (24, 16)
    assert effective_kernel_size((3, 3), (1, 2)) == (3, 5)


@settings(max_examples=60)
@given(size=st.integers(1, 12), k=small, s=small, data=st.data(), d=st.integers(1, 2),
       ceil_mode=st.booleans())
def test_pool_output_size_matches_torch(size, k, s, data, d, ceil_mode):
    p = data.draw(st.integers(0, k // 2))
    try:
        out = F.max_pool1d(torch.ones(1, 1, size), k, s, p, d, ceil_mode=ceil_mode)
    except RuntimeError:  # no window fits: we refuse too
        with pytest.raises(ValueError, match="kernel_size"):
            pool_output_size(size, k, s, p, d, ceil_mode)
        return
    assert pool_output_size(size, k, s, p, d, ceil_mode) == out.shape[-1]
    if d == 1:
        avg = F.avg_pool1d(torch.ones(1, 1, size), k, s, p, ceil_mode=ceil_mode)
        assert pool_output_size(size, k, s, p, ceil_mode=ceil_mode) == avg.shape[-1]


def test_pool_stride_defaults_to_kernel():
    assert pool_output_size(28, 2) == F.max_pool2d(torch.ones(1, 28, 28), 2).shape[-1] == 14


@settings(max_examples=60)
@given(size=st.integers(1, 8), k=small, s=small, d=st.integers(1, 3), data=st.data())
def test_conv_transpose_output_size_matches_torch(size, k, s, d, data):
    p = data.draw(st.integers(0, 2))
    op = data.draw(st.integers(0, max(s, d) - 1))
    expected = (size - 1) * s - 2 * p + d * (k - 1) + op + 1
    if expected < 1:
        with pytest.raises(ValueError, match="is too large"):
            conv_transpose_output_size(size, k, s, p, op, d)
        return
    out = F.conv_transpose1d(torch.ones(1, 1, size), torch.ones(1, 1, k), stride=s, padding=p,
                             output_padding=op, dilation=d)
    assert conv_transpose_output_size(size, k, s, p, op, d) == out.shape[-1]
    if op < s:  # the transposed convolution undoes the size change of the convolution
        assert conv_output_size(out.shape[-1], k, s, p, d) == size


@pytest.mark.filterwarnings("ignore:Using padding=.same. with even kernel")
@settings(max_examples=25)
@given(size=st.integers(1, 10), k=st.integers(1, 5), d=st.integers(1, 3),
       seed=st.integers(0, 2**16))
def test_same_padding_torch_matches_padding_same(size, k, d, seed):
    x = torch.from_numpy(np.random.default_rng(seed).standard_normal((1, 1, size)))
    w = torch.from_numpy(np.random.default_rng(seed + 1).standard_normal((1, 1, k)))
    before, after = same_padding(k, dilation=d)
    ours = F.conv1d(F.pad(x, (before, after)), w, dilation=d)
    torch.testing.assert_close(ours, F.conv1d(x, w, padding="same", dilation=d))


@settings(max_examples=80)
@given(size=st.integers(1, 20), k=st.integers(1, 6), s=st.integers(1, 5), d=st.integers(1, 3))
def test_same_padding_tensorflow_gives_ceil_outputs_with_least_padding(size, k, s, d):
    before, after = same_padding(k, s, d, input_size=size, convention="tensorflow")
    total = before + after
    assert before == total // 2 and after - before in (0, 1)  # the odd zero goes after

    def outputs(pad):  # windows that fit, with pad zeros in all
        return (size + pad - effective_kernel_size(k, d)) // s + 1

    assert outputs(total) == -(-size // s)
    assert total == 0 or outputs(total - 1) < -(-size // s)
    if s == 1:
        assert (before, after) == same_padding(k, dilation=d)


def test_same_padding_where_torch_and_tensorflow_differ():
    # TensorFlow's documented example: width 13, filter 6, stride 5 -> 3 outputs, pad 1 + 2
    assert same_padding(6, 5, input_size=13, convention="tensorflow") == (1, 2)
    # an even input with stride 2 needs less padding than stride 1 would
    assert same_padding(3, 2, input_size=8, convention="tensorflow") == (0, 1)
    assert same_padding(3, 1, input_size=8, convention="tensorflow") == (1, 1)
    with pytest.raises(ValueError, match="PyTorch refuses padding='same' with stride > 1"):
        same_padding(3, 2)
    with pytest.raises(RuntimeError, match="padding='same' is not supported for strided"):
        F.conv1d(torch.ones(1, 1, 8), torch.ones(1, 1, 3), stride=2, padding="same")


def _field_of_one_output(layers, length, index):
    """Input pixels that the output pixel ``index`` depends on, found by autograd."""
    x = torch.ones(1, 1, length, dtype=torch.float64, requires_grad=True)
    y = x
    for k, s, d, p in layers:
        y = F.conv1d(y, torch.ones(1, 1, k, dtype=torch.float64), stride=s, dilation=d,
                     padding=p)
    y[0, 0, index].backward()
    return torch.nonzero(x.grad[0, 0]).flatten().numpy(), y.shape[-1]


@settings(max_examples=25)
@given(st.lists(st.tuples(st.integers(1, 4), st.integers(1, 2), st.integers(1, 2),
                          st.integers(0, 1)), min_size=1, max_size=4))
def test_receptive_field_matches_autograd(layers):
    field = receptive_field(layers)
    length = 3 * field.size + 4 * field.jump + 8
    _, n_out = _field_of_one_output(layers, length, 0)
    index = n_out // 2
    seen, _ = _field_of_one_output(layers, length, index)
    assert seen.max() - seen.min() + 1 == field.size
    assert (seen.max() + seen.min()) / 2 == field.start + index * field.jump
    assert [f.size for f in field.layers][-1] == field.size and len(field.layers) == len(layers)


def test_receptive_field_of_torch_modules_and_dicts():
    model = nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(6, 16, 5), nn.Tanh(), nn.AvgPool2d(2, stride=2))
    field = receptive_field(model)
    expected = receptive_field([(5, 1, 1, 2), (2, 2), {"kernel_size": 5}, (2, 2)])
    assert (field.size, field.jump, field.start) == (expected.size, expected.jump,
                                                    expected.start)
    assert field.size == 1 + 4 + 1 + 4 * 2 + 1 * 2 and field.jump == 4
    assert len(field.layers) == 6


@settings(max_examples=40)
@given(g=st.integers(1, 3), cin=st.integers(1, 3), cout=st.integers(1, 3),
       k=st.lists(st.integers(1, 4), min_size=1, max_size=3), bias=st.booleans())
def test_conv_parameters_match_torch_modules(g, cin, cout, k, bias):
    module = {1: nn.Conv1d, 2: nn.Conv2d, 3: nn.Conv3d}[len(k)](g * cin, g * cout, tuple(k),
                                                                 groups=g, bias=bias)
    assert conv_parameters(g * cin, g * cout, tuple(k), bias, g) == count_parameters(module)
    assert count_parameters(module) == sum(p.numel() for p in module.parameters())


def test_linear_and_model_parameter_counts():
    model = nn.Sequential(nn.Conv2d(1, 6, 5), nn.ReLU(), nn.Conv2d(6, 16, 5), nn.Flatten(),
                          nn.Linear(256, 120), nn.Linear(120, 10, bias=False))
    expected = (conv_parameters(1, 6, 5) + conv_parameters(6, 16, 5)
                + linear_parameters(256, 120) + linear_parameters(120, 10, bias=False))
    assert count_parameters(model) == expected == 156 + 2416 + 30840 + 1200
    model[0].requires_grad_(False)
    assert count_parameters(model, trainable_only=True) == expected - 156


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: conv_output_size(0, 3), ValueError, r"size must be an integer >= 1, got 0"),
        (lambda: conv_output_size(5, 3, stride=0), ValueError, r"stride must be an integer >= 1"),
        (lambda: conv_output_size(5, 3, padding=-1), ValueError, r"padding must be an integer >="),
        (lambda: conv_output_size(5.0, 3), TypeError, r"size must be an integer, got 5.0"),
        (lambda: conv_output_size((5, 5), (3, 3, 3)), ValueError,
         r"sequence arguments must have the same length"),
        (lambda: conv_output_size(4, 3, dilation=2), ValueError,
         r"kernel_size 3 with dilation 2 spans 5, larger than the padded input size 4"),
        (lambda: conv_output_size(5, 3, ceil_mode=1), TypeError, r"ceil_mode must be True or"),
        (lambda: pool_output_size(5, 3, padding=2), ValueError,
         r"padding must be at most half the kernel size \(kernel_size // 2 = 1\), got padding 2"),
        (lambda: conv_transpose_output_size(3, 3, stride=2, output_padding=2), ValueError,
         r"output_padding must be smaller than either stride or dilation"),
        (lambda: same_padding(3, input_size=0), ValueError, r"input_size must be an integer >= 1"),
        (lambda: same_padding(3, 2, convention="tensorflow"), ValueError,
         r"input_size is required for convention 'tensorflow'"),
        (lambda: same_padding(3, convention="keras"), ValueError,
         r"convention must be one of 'torch', 'tensorflow'; got 'keras'"),
        (lambda: receptive_field([(3, 0)]), ValueError, r"layers\[0\] stride must be an integer"),
        (lambda: receptive_field([nn.Linear(2, 2)]), TypeError, r"layers\[0\] must be"),
        (lambda: receptive_field([{"kernel": 3}]), ValueError, r"layers\[0\] must be a dict"),
        (lambda: receptive_field([nn.Conv2d(1, 1, (3, 5))]), ValueError,
         r"layers\[0\] has kernel_size \(3, 5\)"),
        (lambda: conv_parameters(4, 6, 3, groups=4), ValueError,
         r"out_channels = 6 must be divisible by groups = 4"),
        (lambda: linear_parameters(0, 3), ValueError, r"in_features must be an integer >= 1"),
        (lambda: count_parameters("model"), TypeError, r"module must be a torch.nn.Module"),
    ],
)
def test_bad_arguments(call, error, match):
    with pytest.raises(error, match=match):
        call()
