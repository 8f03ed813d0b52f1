"""Learning a kernel from examples, with a correlation layer or a true-convolution layer.

A hidden kernel turns random images into targets; a one-kernel layer, started from a
small random kernel, learns it back on the mean squared error, by plain gradient descent
or by one of torch's optimisers (:data:`OPTIMIZERS`: momentum, Adam; weight decay for
each). The layer's forward pass is either a cross-correlation (what deep-learning
libraries compute) or a true convolution (the kernel turned by 180° first).

The two layers learn the same *function*. Started from kernels that are flips of each
other, they stay flips of each other at every step, so the convolution layer ends with
the hidden kernel flipped: the flip is absorbed into the learned numbers and the
choice between the two definitions costs nothing. This holds for every optimiser of
:data:`OPTIMIZERS`, since each updates every entry of the kernel by the same rule.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor

from cnnbook._checks import as_array, check_choice, check_int, check_real
from cnnbook.ops.correlate import correlate2d, flip
from cnnbook.ops.windows import sliding_windows2d

__all__ = [
    "FORWARDS",
    "OPTIMIZERS",
    "KernelFit",
    "fit_both_ways",
    "fit_kernel",
    "forward_pass",
    "forward_pass_formula",
    "layer_output",
    "make_task",
]

FORWARDS = ("correlate", "convolve")

#: How :func:`fit_kernel` steps: plain gradient descent, heavy-ball momentum (0.9), Adam.
OPTIMIZERS = ("gd", "momentum", "adam")


@dataclass(frozen=True)
class KernelFit:
    """The course of one fit: the kernel and the loss before the first step and after each step."""

    forward: str
    kernels: np.ndarray  # (steps + 1, kh, kw)
    losses: np.ndarray  # (steps + 1,) mean squared error of each kernel in ``kernels``

    @property
    def kernel(self) -> np.ndarray:
        """The learned kernel (after the last step)."""
        return self.kernels[-1]


def make_task(
    kernel: object,
    n_images: int = 32, image_size: int = 10, noise: float = 0.0, seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Random images ``(n, s, s)`` and their targets: each image correlated with ``kernel``.

    The targets are ``correlate2d(image, kernel, "valid")`` (what a network layer with
    this kernel outputs) plus Gaussian noise of standard deviation ``noise``.
    """
    kernel = as_array("kernel", kernel, ndim=2).astype(np.float64)
    n_images = check_int("n_images", n_images, minimum=1)
    image_size = check_int("image_size", image_size, minimum=max(kernel.shape))
    noise = check_real("noise", noise)
    if noise < 0:
        raise ValueError(f"noise must be >= 0, got {noise}")
    rng = np.random.default_rng(seed)
    images = rng.standard_normal((n_images, image_size, image_size))
    targets = np.stack([correlate2d(image, kernel, mode="valid") for image in images])
    return images, targets + noise * rng.standard_normal(targets.shape)


def _windows(images: np.ndarray, kernel_shape: tuple[int, int]) -> Tensor:
    """Every ``kh × kw`` window of every image, ``(n, h_out, w_out, kh, kw)``, as a tensor."""
    return torch.from_numpy(sliding_windows2d(images, kernel_shape).copy())


def forward_pass(windows: Tensor, kernel: Tensor, forward: str) -> Tensor:
    """The layer in valid mode: every window dotted with the kernel
    (correlation), or with the kernel turned by 180° (true convolution).

    ``windows`` ``(n, h_out, w_out, kh, kw)`` are the images' sliding windows
    (``sliding_windows2d``), ``kernel`` is ``(kh, kw)``; returns ``(n, h_out, w_out)``.
    Differentiable in ``kernel``, so ``fit_kernel`` trains through it. Checks
    ``forward`` and runs :func:`forward_pass_formula`.
    """
    check_choice("forward", forward, FORWARDS)
    return forward_pass_formula(windows, kernel, forward)


def forward_pass_formula(windows: Tensor, w: Tensor, forward: str) -> Tensor:
    """y[n, i, j] = Σ_{u,v} x[n, i + u, j + v] · w[u, v], every window
    of every image dotted with the kernel; the convolution layer uses
    the kernel turned by 180° instead. Unchecked: call :func:`forward_pass`.
    """
    if forward == "convolve":
        w = torch.flip(w, (0, 1))  # the one line that differs: w̃
    return torch.einsum("nijuv,uv->nij", windows, w)


def layer_output(images: object, kernel: object, forward: str = "correlate") -> np.ndarray:
    """What the layer outputs for ``images`` ``(n, h, w)``: ``(n, h - kh + 1, w - kw + 1)``.

    ``forward="correlate"`` equals ``scipy.signal.correlate2d(..., "valid")`` per image,
    ``forward="convolve"`` equals ``scipy.signal.convolve2d(..., "valid")``.
    """
    images = as_array("images", images, ndim=3).astype(np.float64)
    kernel = as_array("kernel", kernel, ndim=2).astype(np.float64)
    check_choice("forward", forward, FORWARDS)
    _check_fits(images, kernel)
    with torch.no_grad():
        out = forward_pass(_windows(images, kernel.shape), torch.from_numpy(kernel), forward)
    return out.numpy()


def _check_fits(images: np.ndarray, kernel: np.ndarray) -> None:
    if kernel.shape[0] > images.shape[1] or kernel.shape[1] > images.shape[2]:
        raise ValueError(
            f"kernel of shape {kernel.shape} does not fit in images of shape {images.shape[1:]}"
        )


def _optimizer(name: str, kernel: Tensor, lr: float, weight_decay: float) -> torch.optim.Optimizer:
    if name == "adam":
        return torch.optim.Adam([kernel], lr=lr, weight_decay=weight_decay)
    momentum = 0.9 if name == "momentum" else 0.0
    return torch.optim.SGD([kernel], lr=lr, momentum=momentum, weight_decay=weight_decay)


def fit_kernel(
    images: object, targets: object, init: object,
    forward: str = "correlate", steps: int = 150, lr: float = 0.1,
    *, optimizer: str = "gd", weight_decay: float = 0.0,
) -> KernelFit:
    """Fit the kernel of a one-kernel layer to ``targets``, starting at ``init``.

    The layer maps ``images`` ``(n, h, w)`` to ``layer_output(images, kernel, forward)``;
    the loss is the mean squared error to ``targets``. ``optimizer`` (one of
    :data:`OPTIMIZERS`) picks the step: ``"gd"`` subtracts ``lr`` times the gradient (from
    ``torch.autograd``), ``"momentum"`` is ``torch.optim.SGD`` with momentum 0.9, ``"adam"``
    is ``torch.optim.Adam``; ``weight_decay`` adds that multiple of the kernel to the
    gradient. Everything runs in float64, with no randomness.
    """
    images = as_array("images", images, ndim=3).astype(np.float64)
    targets = as_array("targets", targets, ndim=3).astype(np.float64)
    init = as_array("init", init, ndim=2).astype(np.float64)
    check_choice("forward", forward, FORWARDS)
    steps = check_int("steps", steps, minimum=0)
    lr = check_real("lr", lr, positive=True)
    check_choice("optimizer", optimizer, OPTIMIZERS)
    weight_decay = check_real("weight_decay", weight_decay)
    if weight_decay < 0:
        raise ValueError(f"weight_decay must be >= 0, got {weight_decay}")
    _check_fits(images, init)
    expected = (images.shape[0], images.shape[1] - init.shape[0] + 1,
                images.shape[2] - init.shape[1] + 1)
    if targets.shape != expected:
        raise ValueError(
            f"targets must have shape {expected} (one valid output per image), "
            f"got {targets.shape}"
        )

    windows, t = _windows(images, init.shape), torch.from_numpy(targets)
    kernel = torch.from_numpy(init.copy()).requires_grad_(True)
    step_rule = _optimizer(optimizer, kernel, lr, weight_decay)
    kernels, losses = [], []
    for step in range(steps + 1):
        loss = torch.mean((forward_pass(windows, kernel, forward) - t) ** 2)
        kernels.append(kernel.detach().numpy().copy())
        losses.append(loss.item())
        if step == steps:
            break
        step_rule.zero_grad()
        loss.backward()
        step_rule.step()
    return KernelFit(forward, np.stack(kernels), np.array(losses))


def fit_both_ways(
    images: object, targets: object,
    kernel_size: int = 3, steps: int = 150, lr: float = 0.1, seed: int = 0,
    init_scale: float = 0.1, *, optimizer: str = "gd", weight_decay: float = 0.0,
) -> tuple[KernelFit, KernelFit]:
    """Fit a correlation layer and a true-convolution layer to the same data.

    Both start from one seeded random kernel ``init`` (normal, standard deviation
    ``init_scale``), the convolution layer from ``flip(init)`` so that both layers start
    as the same function; both train with the same ``optimizer`` and ``weight_decay``
    (see :func:`fit_kernel`). Returns ``(correlation_fit, convolution_fit)``.
    """
    kernel_size = check_int("kernel_size", kernel_size, minimum=1)
    init_scale = check_real("init_scale", init_scale, positive=True)
    init = init_scale * np.random.default_rng(seed).standard_normal((kernel_size, kernel_size))
    rule = {"optimizer": optimizer, "weight_decay": weight_decay}
    return (
        fit_kernel(images, targets, init, "correlate", steps, lr, **rule),
        fit_kernel(images, targets, flip(init), "convolve", steps, lr, **rule),
    )
