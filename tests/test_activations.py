"""Activation functions and their slopes agree with torch and autograd."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from cnnbook.activations import ACTIVATIONS, activation, activation_derivative

TORCH = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu}


arrays = hnp.arrays(
    np.float64,
    hnp.array_shapes(min_dims=1, max_dims=3, max_side=6),
    elements=st.floats(-60, 60, allow_nan=False),
)


@settings(max_examples=40)
@given(x=arrays, name=st.sampled_from(sorted(ACTIVATIONS)))
def test_function_and_slope_match_torch_autograd(x, name):
    t = torch.tensor(x, requires_grad=True)
    y = TORCH[name](t)
    y.sum().backward()
    np.testing.assert_allclose(activation(name, x), y.detach().numpy(), rtol=1e-12, atol=1e-15)
    slope = activation_derivative(name, x)
    np.testing.assert_allclose(slope, t.grad.numpy(), rtol=1e-9, atol=1e-15)


def test_sigmoid_slope_peaks_at_a_quarter_and_vanishes_in_the_tails():
    assert activation_derivative("sigmoid", np.array([0.0]))[0] == 0.25
    x = np.linspace(-10, 10, 2001)
    assert activation_derivative("sigmoid", x).max() == pytest.approx(0.25)
    s5 = 1 / (1 + np.exp(-5.0))
    at_five = activation_derivative("sigmoid", np.array([-5.0, 5.0]))
    np.testing.assert_allclose(at_five, s5 * (1 - s5))
    assert activation_derivative("tanh", np.array([0.0]))[0] == 1.0


def test_sigmoid_does_not_overflow_for_large_inputs():
    with np.errstate(over="raise"):
        out = activation("sigmoid", np.array([-1000.0, 1000.0]))
    np.testing.assert_array_equal(out, [0.0, 1.0])


def test_relu_slope_is_zero_at_zero_and_one_on_the_right():
    slope = activation_derivative("relu", np.array([-1.0, 0.0, 2.0]))
    np.testing.assert_array_equal(slope, [0, 0, 1])


def test_float32_stays_float32():
    assert activation("tanh", np.ones(3, dtype=np.float32)).dtype == np.float32


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="name must be one of .*'relu'.*got 'gelu'"):
        activation("gelu", [1.0])
    with pytest.raises(ValueError, match="name must be one of"):
        activation_derivative("softplus", [1.0])
    with pytest.raises(TypeError, match="x must be an array of real numbers"):
        activation("relu", ["a"])
