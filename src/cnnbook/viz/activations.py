"""Activation functions next to their derivatives: where they saturate, where they pass gradient.

:func:`activation` and :func:`activation_derivative` evaluate sigmoid, tanh and ReLU
(and their slopes) in closed form on NumPy arrays; :func:`plot_activations` draws each function
with its derivative in one panel, so the flat, gradient-free tails of the sigmoid and
tanh stand next to ReLU's constant slope.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from cnnbook._checks import as_array, check_choice, check_int, check_real
from cnnbook.viz.style import INK, book_style, role_color


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

#: How the book writes each function.
FORMULAS: dict[str, str] = {
    "sigmoid": r"$\sigma(x) = 1/(1+e^{-x})$",
    "tanh": r"$\tanh x$",
    "relu": r"$\mathrm{ReLU}(x) = \max(0, x)$",
}


def activation(name: str, x: object) -> np.ndarray:
    """The activation ``name`` ("sigmoid", "tanh" or "relu") applied to every entry of ``x``."""
    check_choice("name", name, ACTIVATIONS)
    return ACTIVATIONS[name][0](as_array("x", x))


def activation_derivative(name: str, x: object) -> np.ndarray:
    """The slope of activation ``name`` at every entry of ``x`` (ReLU's is taken as 0 at 0)."""
    check_choice("name", name, ACTIVATIONS)
    return ACTIVATIONS[name][1](as_array("x", x))


def plot_activations(
    names: Sequence[str] = ("sigmoid", "tanh", "relu"), *, limit: float = 6.0,
    points: int = 401, saturation: float | None = None,
) -> Figure:
    """One panel per activation on ``[-limit, limit]``: the function (solid) and its slope (dashed).

    ``saturation`` shades ``|x| >= saturation`` in every panel, where the sigmoid and
    tanh are nearly flat and pass almost no gradient back.
    """
    if isinstance(names, str) or not isinstance(names, Sequence) or len(names) == 0:
        raise ValueError(f"names must be a non-empty sequence of {tuple(ACTIVATIONS)}, "
                         f"got {names!r}")
    for i, name in enumerate(names):
        check_choice(f"names[{i}]", name, ACTIVATIONS)
    limit = check_real("limit", limit, positive=True)
    points = check_int("points", points, minimum=2)
    if saturation is not None:
        saturation = check_real("saturation", saturation, positive=True)
        if saturation >= limit:
            raise ValueError(f"saturation must be below limit = {limit}, got {saturation}")
    x = np.linspace(-limit, limit, points)
    with book_style():
        fig, axes = plt.subplots(1, len(names), figsize=(2.6 * len(names), 2.4),
                                 sharey=True, layout="constrained", squeeze=False)
        for ax, name in zip(axes[0], names, strict=True):
            ax.axhline(0, color=INK, lw=0.6)
            ax.axvline(0, color=INK, lw=0.6)
            if saturation is not None:
                for lo, hi in ((-limit, -saturation), (saturation, limit)):
                    ax.axvspan(lo, hi, color=role_color("padding"), alpha=0.35, lw=0)
            ax.plot(x, activation(name, x), color=role_color("input"), label="function")
            slope = activation_derivative(name, x)
            ax.plot(x, slope, "--", color=role_color("kernel"), label="derivative")
            ax.set(title=FORMULAS[name], xlabel="$x$", xlim=(-limit, limit), ylim=(-1.2, 2.2))
            ax.grid(alpha=0.3)
        axes[0, 0].legend(loc="upper left")
    return fig
