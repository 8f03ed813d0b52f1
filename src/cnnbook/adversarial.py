"""Small perturbations that change a classifier's mind: the fast gradient sign method.

Goodfellow, Shlens and Szegedy (2015) move every pixel of an image ``x`` by the same small
amount ``ε`` in the direction that increases the loss ``J`` of its true label ``y``:

    x_adv = x + ε · sign(∇_x J(x, y))

which, to first order, is the largest increase of the loss that a change of at most ``ε``
per pixel can buy. :func:`fgsm` makes such images, :func:`random_sign` makes a control of
the same size in a random direction, and :func:`flip_rate` counts, against ``ε``, how many
correctly classified images either one pushes into a wrong class.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

from cnnbook._checks import check_choice, check_int, check_real
from cnnbook._probing import as_images, as_targets, check_model, evaluating

__all__ = ["ATTACKS", "fgsm", "fgsm_formula", "flip_rate", "random_sign"]

ATTACKS = ("fgsm", "random")


def _bounds(bounds: object) -> tuple[float, float] | None:
    """``None`` or a pair ``(low, high)`` with ``low < high``: the range a pixel may take."""
    if bounds is None:
        return None
    if not isinstance(bounds, Sequence) or isinstance(bounds, str) or len(bounds) != 2:
        raise TypeError(f"bounds must be None or a pair (low, high), got {bounds!r}")
    low, high = check_real("bounds[0]", bounds[0]), check_real("bounds[1]", bounds[1])
    if not low < high:
        raise ValueError(f"bounds must have low < high, got {bounds!r}")
    return low, high


def _clip(x: torch.Tensor, bounds: tuple[float, float] | None) -> torch.Tensor:
    return x if bounds is None else x.clamp(*bounds)


def fgsm(
    model: nn.Module, images: object, labels: object, epsilon: float,
    bounds: tuple[float, float] | None = None,
) -> torch.Tensor:
    """``x + ε · sign(∇_x J(x, y))`` for the cross-entropy ``J`` of ``labels`` ``y``.

    ``epsilon`` is in the units of ``images`` (for normalised images, pixel units divided by
    the standard deviation). ``bounds=(low, high)`` clips the result to the valid range of
    a pixel. The model runs in evaluation mode; returns a tensor shaped like ``images``.
    """
    model = check_model(model)
    epsilon = check_real("epsilon", epsilon)
    if epsilon < 0:
        raise ValueError(f"epsilon must be >= 0, got {epsilon}")
    bounds = _bounds(bounds)
    x = as_images(images, model)
    with evaluating(model):
        with torch.no_grad():
            y = as_targets(labels, model(x))
        return _clip(fgsm_formula(model, x, y, epsilon), bounds)


def fgsm_formula(
    model: nn.Module, x: torch.Tensor, y: torch.Tensor, epsilon: float
) -> torch.Tensor:
    """x + epsilon * sign(dJ/dx), J the cross-entropy of the labels y."""
    x = x.detach().requires_grad_(True)
    J = nn.functional.cross_entropy(model(x), y, reduction="sum")
    (dJ_dx,) = torch.autograd.grad(J, x)
    return x.detach() + epsilon * dJ_dx.sign()


def random_sign(
    images: torch.Tensor, epsilon: float, seed: int = 0,
    bounds: tuple[float, float] | None = None,
) -> torch.Tensor:
    """The control for :func:`fgsm`: ``x + ε · s`` with a random sign ``s = ±1`` per pixel."""
    if not isinstance(images, torch.Tensor) or not images.is_floating_point():
        raise TypeError(f"images must be a floating-point tensor, got {type(images).__name__}")
    epsilon = check_real("epsilon", epsilon)
    if epsilon < 0:
        raise ValueError(f"epsilon must be >= 0, got {epsilon}")
    generator = torch.Generator().manual_seed(check_int("seed", seed, minimum=0))
    signs = torch.randint(0, 2, images.shape, generator=generator).to(images) * 2 - 1
    return _clip(images + epsilon * signs, _bounds(bounds))


def flip_rate(
    model: nn.Module, images: object, labels: object, epsilons: Sequence[float], *,
    attack: str = "fgsm", bounds: tuple[float, float] | None = None, seed: int = 0,
    batch_size: int = 1000,
) -> np.ndarray:
    """For each ``ε``: the share of the correctly classified images that the attack flips.

    Only images the model gets right count; an image flips when the perturbed copy is
    classified as anything else. ``attack`` is ``"fgsm"`` (:func:`fgsm`) or ``"random"``
    (:func:`random_sign`, the same size in a random direction). Shape ``(len(epsilons),)``.
    """
    model = check_model(model)
    check_choice("attack", attack, ATTACKS)
    batch_size = check_int("batch_size", batch_size, minimum=1)
    x = as_images(images, model)
    eps = [check_real("epsilons", e) for e in epsilons]
    if not eps:
        raise ValueError("epsilons must list at least one perturbation size")
    with evaluating(model), torch.no_grad():
        logits = torch.cat([model(x[i : i + batch_size]) for i in range(0, len(x), batch_size)])
    y = as_targets(labels, logits)
    right = logits.argmax(1) == y
    x, y = x[right], y[right]
    if len(x) == 0:
        raise ValueError("the model classifies none of the images correctly: nothing to flip")
    rates = []
    for e in eps:
        flipped = 0
        for i in range(0, len(x), batch_size):
            xb, yb = x[i : i + batch_size], y[i : i + batch_size]
            moved = (fgsm(model, xb, yb, e, bounds) if attack == "fgsm"
                     else random_sign(xb, e, seed + i, bounds))
            with evaluating(model), torch.no_grad():
                flipped += (model(moved).argmax(1) != yb).sum().item()
        rates.append(flipped / len(x))
    return np.array(rates)
