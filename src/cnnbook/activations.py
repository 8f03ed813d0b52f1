"""Activation functions and their slopes, evaluated in closed form on NumPy arrays.

The book's networks (:mod:`cnnbook.models`) apply sigmoid, tanh or ReLU after each layer;
:func:`activation` and :func:`activation_derivative` compute the same functions on plain
arrays, so a chapter can measure where they saturate (the slope is nearly 0) and where they
pass the gradient back unchanged.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from cnnbook._checks import as_array, check_choice

__all__ = ["ACTIVATIONS", "activation", "activation_derivative"]


def _sigmoid(x: np.ndarray) -> np.ndarray:
    # 1 / (1 + e^-x) overflows for very negative x; this form never exponentiates a large number
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def _sigmoid_slope(x: np.ndarray) -> np.ndarray:
    s = _sigmoid(x)
    return s * (1 - s)


def _tanh_slope(x: np.ndarray) -> np.ndarray:
    return 1 - np.tanh(x) ** 2


def _relu(x: np.ndarray) -> np.ndarray:
    return np.maximum(x, 0)


def _relu_slope(x: np.ndarray) -> np.ndarray:
    return (x > 0).astype(x.dtype)  # 0 at x = 0, as PyTorch's autograd uses


#: name -> (function, derivative), both elementwise on float arrays.
ACTIVATIONS: dict[str, tuple[Callable[[np.ndarray], np.ndarray], ...]] = {
    "sigmoid": (_sigmoid, _sigmoid_slope),
    "tanh": (np.tanh, _tanh_slope),
    "relu": (_relu, _relu_slope),
}


def activation(name: str, x: object) -> np.ndarray:
    """The activation ``name`` ("sigmoid", "tanh" or "relu") applied to every entry of ``x``."""
    check_choice("name", name, ACTIVATIONS)
    return ACTIVATIONS[name][0](as_array("x", x))


def activation_derivative(name: str, x: object) -> np.ndarray:
    """The slope of activation ``name`` at every entry of ``x`` (ReLU's is taken as 0 at 0)."""
    check_choice("name", name, ACTIVATIONS)
    return ACTIVATIONS[name][1](as_array("x", x))
