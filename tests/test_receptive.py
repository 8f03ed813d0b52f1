"""Tests for cnnbook.receptive: the autograd measurement agrees with the formula."""

import itertools

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from cnnbook import ops
from cnnbook.receptive import causal_tcn, hybrid_dilation_gap, measured_receptive_field

layer = st.tuples(st.integers(1, 4), st.integers(1, 2), st.integers(1, 3))  # k, stride, dilation


@settings(max_examples=25)
@given(st.lists(layer, min_size=1, max_size=3), st.sampled_from([1, 2]))
def test_measured_equals_formula_for_random_stacks(layers, ndim):
    conv = nn.Conv1d if ndim == 1 else nn.Conv2d
    net = nn.Sequential(*[conv(1, 1, k, stride=s, dilation=d, padding=d * (k - 1) // 2)
                          for k, s, d in layers])
    formula = ops.receptive_field(net)
    n = 2 * formula.size + 8 * formula.jump + 3  # the centre field lies inside the input
    field = measured_receptive_field(net, (1, 1) + (n,) * ndim)
    for axis in range(ndim):
        assert field.size[axis] == formula.size
        centre = formula.start + field.position[axis] * formula.jump
        assert field.start[axis] == centre - (formula.size - 1) / 2
    assert field.gradient.shape == (n,) * ndim
    assert field.output_shape == tuple(net(torch.ones((1, 1) + (n,) * ndim)).shape)


def test_gradient_counts_paths_and_module_is_untouched():
    net = nn.Sequential(*[nn.Conv2d(1, 1, 3, padding=1, bias=False) for _ in range(3)])
    before = [c.weight.detach().clone() for c in net]
    field = measured_receptive_field(net, (1, 1, 21, 21))
    paths = np.convolve(np.convolve([1, 1, 1], [1, 1, 1]), [1, 1, 1])
    np.testing.assert_array_equal(field.gradient[7:14, 7:14], np.outer(paths, paths))
    assert field.count == 49 and field.size == (7, 7) and field.start == (7, 7)
    for conv, w in zip(net, before, strict=True):
        assert torch.equal(conv.weight, w)


def test_dilated_field_has_holes():
    net = nn.Sequential(*[nn.Conv1d(1, 1, 3, dilation=2, padding=2) for _ in range(2)])
    field = measured_receptive_field(net, (1, 1, 31))
    assert field.size == (9,) and field.count == 5


def test_own_weights_and_multichannel():
    torch.manual_seed(0)
    net = nn.Sequential(nn.Conv1d(2, 3, 3, padding=1), nn.Tanh(), nn.Conv1d(3, 2, 3, padding=1))
    x = torch.ones(1, 2, 15, dtype=torch.float64, requires_grad=True)
    net.double()(x)[0, 0, 4].backward()
    field = measured_receptive_field(net, (1, 2, 15), position=4, ones=False)
    np.testing.assert_allclose(field.gradient, x.grad.sum(dim=(0, 1)).numpy(), rtol=1e-12)
    assert field.size == (5,) and field.start == (2,)


def test_causal_tcn_field_and_length():
    kernel_size, dilations = 2, [1, 2, 4, 8]
    tcn = causal_tcn(kernel_size, dilations)
    field = measured_receptive_field(tcn, (1, 1, 40), position=-1, ones=False)
    assert field.output_shape == (1, 1, 40) and field.position == (39,)
    assert field.size == (1 + (kernel_size - 1) * sum(dilations),) == (field.count,)
    assert field.start[0] + field.size[0] == 40  # ends at the last input: nothing from the future
    assert len(tcn) == 3 * len(dilations)
    three = causal_tcn(3, [1, 2], channels=2, activation=nn.ReLU)
    assert three[1].weight.shape == (2, 2, 3) and isinstance(three[2], nn.ReLU)
    assert measured_receptive_field(three, (1, 2, 30), position=-1).size == (7,)


def _covers_without_holes(rates, k):
    """Reached taps of the stack, by convolving each layer's tap pattern (no formula)."""
    reach = np.ones(1)
    for r in rates:
        taps = np.zeros(r * (k - 1) + 1)
        taps[::r] = 1
        reach = np.convolve(reach, taps)
    return bool(np.all(reach > 0))


def test_hybrid_dilation_rule_predicts_holes_exactly():
    # Wang et al.'s own examples: [1, 2, 5] works (M_2 = 2), [1, 2, 9] does not (M_2 = 5)
    assert hybrid_dilation_gap([1, 2, 5]) == 2 and hybrid_dilation_gap([1, 2, 9]) == 5
    checked = 0
    for n in (1, 2, 3, 4, 5):
        for rest in itertools.combinations_with_replacement(range(1, 13), n - 1):
            rates = (1, *rest)  # 3-tap kernels, the first one dense
            assert (hybrid_dilation_gap(rates) <= 3) == _covers_without_holes(rates, 3), rates
            checked += 1
    assert checked > 1500
    # rates sharing a factor never cover: every reached tap is a multiple of it
    assert hybrid_dilation_gap([2, 4]) == 4 and not _covers_without_holes([2, 4], 3)


@pytest.mark.parametrize("rates", [(2, 4), (1, 2, 5), (1, 2, 9), (1, 3)])
def test_hybrid_dilation_rule_agrees_with_autograd_in_2d(rates):
    net = nn.Sequential(*[nn.Conv2d(1, 1, 3, dilation=r, padding=r) for r in rates])
    field = measured_receptive_field(net, (1, 1, 55, 55))
    assert field.size == (1 + 2 * sum(rates),) * 2
    full = field.count == field.size[0] * field.size[1]
    assert full == (rates[0] == 1 and hybrid_dilation_gap(rates) <= 3)


def test_bad_inputs():
    net = nn.Conv1d(1, 1, 3)
    with pytest.raises(TypeError, match="module must be a torch.nn.Module"):
        measured_receptive_field([net], (1, 1, 9))
    with pytest.raises(ValueError, match=r"input_shape must be \(batch, channels, \*spatial\)"):
        measured_receptive_field(net, (1, 9))
    with pytest.raises(TypeError, match="input_shape must be a sequence"):
        measured_receptive_field(net, 9)
    with pytest.raises(ValueError, match=r"position\[0\] must be in \[-7, 6\].*got 7"):
        measured_receptive_field(net, (1, 1, 9), position=7)
    with pytest.raises(ValueError, match="one index per spatial axis"):
        measured_receptive_field(net, (1, 1, 9), position=(1, 2))
    with pytest.raises(TypeError, match="ones must be True or False"):
        measured_receptive_field(net, (1, 1, 9), ones=1)
    with pytest.raises(ValueError, match="does not depend on the input"):
        measured_receptive_field(nn.Sequential(net, nn.ReLU(), nn.Hardtanh(5, 6)), (1, 1, 9))
    with pytest.raises(ValueError, match=r"dilations\[1\] must be an integer >= 1, got 0"):
        causal_tcn(2, [1, 0])
    with pytest.raises(TypeError, match="dilations must be a non-empty sequence"):
        causal_tcn(2, 4)
    with pytest.raises(ValueError, match="kernel_size must be an integer >= 1"):
        causal_tcn(0, [1])
    with pytest.raises(ValueError, match=r"rates must be non-decreasing.*\[1, 3, 2\]"):
        hybrid_dilation_gap([1, 3, 2])
    with pytest.raises(ValueError, match=r"rates\[0\] must be an integer >= 1, got 0"):
        hybrid_dilation_gap([0, 1])
    with pytest.raises(TypeError, match="rates must be a non-empty sequence"):
        hybrid_dilation_gap(3)
