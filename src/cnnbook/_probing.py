"""Private helpers of the modules that probe a trained classifier (attribution, adversarial).

A probe feeds a batch of images to a model and asks about one class per image: the images
become a float tensor on the model's device, the class defaults to the model's own guess,
and the model runs in evaluation mode, left afterwards in the mode it was found in.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import numpy as np
import torch
from torch import nn

from cnnbook._checks import as_array


def check_model(model: object) -> nn.Module:
    """Return ``model`` if it is a ``torch.nn.Module``, else raise a ``TypeError``."""
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    return model


def placement(model: nn.Module) -> tuple[torch.device, torch.dtype]:
    """Device and dtype of the model's first parameter (CPU, float32 for a model without)."""
    first = next(model.parameters(), None)
    return (first.device, first.dtype) if first is not None else (torch.device("cpu"),
                                                                   torch.float32)


def as_images(images: object, model: nn.Module) -> torch.Tensor:
    """``images`` as a tensor ``(N, C, H, W)`` on the model's device, in its dtype (a copy)."""
    if isinstance(images, torch.Tensor):
        if images.ndim != 4:
            raise ValueError(
                f"images must have 4 dimensions (N, C, H, W), got {images.ndim} "
                f"(shape {tuple(images.shape)})"
            )
        if not images.is_floating_point():
            raise TypeError(f"images must be a floating-point tensor, got {images.dtype}")
        if images.numel() == 0:
            raise ValueError(f"images must not be empty, got shape {tuple(images.shape)}")
        x = images.detach()
    else:
        x = torch.from_numpy(np.ascontiguousarray(as_array("images", images, ndim=4)))
    device, dtype = placement(model)
    return x.to(device=device, dtype=dtype).clone()


def as_targets(targets: object, logits: torch.Tensor) -> torch.Tensor:
    """The class to ask about for every image: ``None`` means the model's own prediction.

    One int asks about that class in every image; a sequence or tensor gives one class per
    image. Returns int64 of shape ``(N,)`` on the device of ``logits``.
    """
    n, classes = logits.shape
    if targets is None:
        return logits.detach().argmax(1)
    if isinstance(targets, torch.Tensor):
        values = targets.detach().cpu().numpy()
    else:
        values = np.asarray(targets)
    if values.dtype == bool or values.dtype.kind not in "iu":
        raise TypeError(f"targets must be None, a class index or integers, got {targets!r}")
    values = np.full(n, values) if values.ndim == 0 else values
    if values.shape != (n,):
        raise ValueError(
            f"targets must be one class index or one per image ({n}), got shape {values.shape}"
        )
    if values.min() < 0 or values.max() >= classes:
        raise ValueError(f"targets must be class indices in [0, {classes - 1}], got {values}")
    return torch.as_tensor(values, dtype=torch.int64, device=logits.device)


@contextlib.contextmanager
def evaluating(model: nn.Module) -> Iterator[nn.Module]:
    """Run ``model`` in evaluation mode, then give it back in the mode it had."""
    was_training = model.training
    model.eval()
    try:
        yield model
    finally:
        model.train(was_training)
