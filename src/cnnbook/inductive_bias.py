"""The inductive bias of a convolution, measured: LeNet against a dense network of its size.

A convolution assumes two things about images: what matters is local (each output looks at
a small patch) and it means the same everywhere (every position uses the same kernel). A
fully connected network assumes neither. To see what the assumptions buy, train both with
the same recipe and seed and compare them: on the full training set, on a small one
(sample efficiency) and on test digits moved by a few pixels (shift robustness).

- :func:`dense_network` builds the fully connected rival, :func:`matching_width` sizes it to
  a given parameter count;
- :func:`train_alike` trains several networks with :func:`cnnbook.train.fit`, each from the
  same seed and on the same batches; :func:`epochs_for` gives a small training set as many
  optimiser steps as a large one;
- :func:`shifted_accuracy` measures accuracy on test images moved with
  :func:`cnnbook.invariance.shift_image`.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping, Sequence

import numpy as np
import torch
from torch import nn

from cnnbook import data, train
from cnnbook._checks import check_int, check_tuple
from cnnbook._probing import check_model
from cnnbook.invariance import shift_image

__all__ = [
    "DIRECTIONS",
    "dense_network",
    "epochs_for",
    "matching_width",
    "shifted_accuracy",
    "train_alike",
]

#: The four directions a digit is moved in: down, up, right, left, as (rows, columns).
DIRECTIONS = ((1, 0), (-1, 0), (0, 1), (0, -1))


def dense_network(hidden: Sequence[int], inputs: int = 784, classes: int = 10) -> nn.Sequential:
    """A fully connected network: flatten, then ``Linear + ReLU`` per hidden width, then out."""
    if isinstance(hidden, str | int) or not isinstance(hidden, Sequence) or not hidden:
        raise TypeError(f"hidden must be a non-empty list of layer widths, got {hidden!r}")
    widths = [check_int("inputs", inputs, minimum=1)]
    widths += [check_int(f"hidden[{i}]", h, minimum=1) for i, h in enumerate(hidden)]
    layers: list[nn.Module] = [nn.Flatten()]
    for a, b in zip(widths[:-1], widths[1:], strict=True):
        layers += [nn.Linear(a, b), nn.ReLU()]
    layers.append(nn.Linear(widths[-1], check_int("classes", classes, minimum=2)))
    return nn.Sequential(*layers)


def matching_width(
    parameters: int, second: int = 84, inputs: int = 784, classes: int = 10
) -> int:
    """The first hidden width ``h`` whose network ``inputs-h-second-classes`` has the number of
    parameters nearest to ``parameters``.

    That network holds ``(inputs + 1) h + (h + 1) second + (second + 1) classes`` numbers,
    linear in ``h``; the nearest whole ``h`` (at least 1) is returned.
    """
    parameters = check_int("parameters", parameters, minimum=1)
    second = check_int("second", second, minimum=1)
    inputs = check_int("inputs", inputs, minimum=1)
    classes = check_int("classes", classes, minimum=2)
    fixed = second + (second + 1) * classes  # what does not grow with h
    per_unit = inputs + 1 + second
    candidates = {max(1, math.floor((parameters - fixed) / per_unit)),
                  max(1, math.ceil((parameters - fixed) / per_unit))}
    return min(sorted(candidates), key=lambda h: abs(per_unit * h + fixed - parameters))


def epochs_for(steps: int, n_images: int, batch_size: int = train.RECIPE.batch_size) -> int:
    """Epochs over ``n_images`` that take at least ``steps`` optimiser steps (batches)."""
    steps = check_int("steps", steps, minimum=1)
    per_epoch = math.ceil(check_int("n_images", n_images, minimum=1)
                          / check_int("batch_size", batch_size, minimum=1))
    return math.ceil(steps / per_epoch)


def train_alike(
    builders: Mapping[str, Callable[[], nn.Module]], train_split: data.Split,
    test_split: data.Split, *, epochs: int = train.RECIPE.epochs, seed: int = 0,
    progress: bool = True,
) -> dict[str, tuple[nn.Module, train.History]]:
    """Build and train each network with the book's recipe, the same seed and the same batches.

    ``builders`` maps a name to a function that returns a fresh network; the global seed is
    set to ``seed`` just before each is built, and :func:`cnnbook.train.fit` shuffles the
    batches with ``seed`` too. ``test_split`` is what fit evaluates after every epoch.
    Returns ``{name: (trained network, history)}``.
    """
    if not isinstance(builders, Mapping) or not builders:
        raise TypeError(f"builders must be a non-empty mapping name -> builder, got {builders!r}")
    seed = check_int("seed", seed, minimum=0)
    out = {}
    for name, build in builders.items():
        torch.manual_seed(seed)
        net = check_model(build())
        history = train.fit(net, train_split, test_split, epochs=epochs, seed=seed,
                            progress=progress)
        out[name] = (net, history)
    return out


def shifted_accuracy(
    model: nn.Module, split: data.Split, shifts: Sequence[int],
    directions: Sequence[tuple[int, int]] = DIRECTIONS,
) -> np.ndarray:
    """Accuracy on ``split`` with every image moved by each of ``shifts`` pixels.

    Row ``i`` column ``j`` is the accuracy with every image moved ``shifts[i]`` pixels in
    ``directions[j]`` (down, up, right, left by default). The pixels moved in are background:
    black, the value a pixel of 0 takes after the split's normalisation. Shape
    ``(len(shifts), len(directions))``.
    """
    model = check_model(model)
    if not isinstance(split, data.Split):
        raise TypeError(f"split must be a cnnbook.data.Split, got {type(split).__name__}")
    shifts = [check_int("shifts", s, minimum=0) for s in shifts]
    directions = [check_tuple("directions", d, 2) for d in directions]
    if not shifts or not directions:
        raise ValueError("shifts and directions must each list at least one entry")
    black = (0.0 - split.mean) / split.std
    images = split.images.numpy()
    out = np.empty((len(shifts), len(directions)))
    for i, s in enumerate(shifts):
        for j, (down, right) in enumerate(directions):
            moved = shift_image(images, s * down, s * right, fill=black)
            shifted = dataclasses.replace(split, images=torch.from_numpy(moved))
            out[i, j] = train.evaluate(model, shifted)[0]
    return out
