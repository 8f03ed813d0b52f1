"""Where a network puts the classes: the activations a layer receives, and their PCA.

:func:`layer_inputs` collects what one layer of a trained model is fed (for the last layer,
the penultimate activations, the numbers the classifier draws its line between). Principal
component analysis (:func:`pca`) finds the directions along which those vectors vary most:
with the centred data ``X - mean = U S Vᵀ`` (NumPy's SVD), the rows of ``Vᵀ`` are the
directions, ``S² / (N - 1)`` the variances along them, and ``(X - mean) V`` the coordinates.
:func:`nearest_centroid_accuracy` measures how well the classes are separated in any space.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from cnnbook._checks import as_array, check_int
from cnnbook._probing import as_images, check_model, evaluating

__all__ = ["PCA", "layer_inputs", "nearest_centroid_accuracy", "pca"]


def layer_inputs(
    model: nn.Module, layer: nn.Module, images: object, batch_size: int = 1000
) -> np.ndarray:
    """What ``layer`` receives when ``model`` classifies ``images``, flattened: ``(N, D)``.

    ``layer`` must be a part of ``model`` that is called once per forward pass (for
    LeNet's penultimate activations, ``model.fc3``). The model runs in evaluation mode.
    """
    model = check_model(model)
    if not isinstance(layer, nn.Module) or not any(m is layer for m in model.modules()):
        raise ValueError(f"layer must be a module of the model, got {layer!r}")
    batch_size = check_int("batch_size", batch_size, minimum=1)
    x = as_images(images, model)
    seen: list[torch.Tensor] = []
    handle = layer.register_forward_pre_hook(lambda _m, args: seen.append(args[0].detach()))
    try:
        with evaluating(model), torch.no_grad():
            for i in range(0, len(x), batch_size):
                model(x[i : i + batch_size])
    finally:
        handle.remove()
    batches = -(-len(x) // batch_size)
    if len(seen) != batches:
        raise ValueError(
            f"layer must be called once per forward pass; it was called {len(seen)} times "
            f"in {batches}"
        )
    return torch.cat(seen).flatten(1).cpu().numpy()


@dataclass(frozen=True)
class PCA:
    """The ``k`` leading principal directions of a data set, and how to project onto them.

    ``components`` is ``(k, D)``, one unit direction per row, ordered by ``variance``
    (``(k,)``, the variance of the data along each); ``ratio`` is each one's share of the
    total variance. Each direction's sign is fixed so that its largest entry is positive.
    """

    mean: np.ndarray
    components: np.ndarray
    variance: np.ndarray
    ratio: np.ndarray

    def transform(self, x: object) -> np.ndarray:
        """The coordinates of the rows of ``x`` along the directions: ``(N, k)``."""
        x = as_array("x", x, ndim=2)
        if x.shape[1] != self.mean.shape[0]:
            raise ValueError(f"x must have {self.mean.shape[0]} columns, got {x.shape[1]}")
        return (x - self.mean) @ self.components.T


def pca(x: object, k: int = 2) -> PCA:
    """Principal component analysis of the rows of ``x`` ``(N, D)`` through NumPy's SVD."""
    x = as_array("x", x, ndim=2).astype(np.float64)
    k = check_int("k", k, minimum=1)
    n, d = x.shape
    if n < 2 or k > min(n, d):
        raise ValueError(f"k must be at most min(N, D) = {min(n, d)} with N >= 2, got k={k}"
                         f" for x of shape {x.shape}")
    mean = x.mean(axis=0)
    _, s, vt = np.linalg.svd(x - mean, full_matrices=False)
    vt = vt[:k] * np.sign(vt[:k][np.arange(k), np.abs(vt[:k]).argmax(1)])[:, None]
    variance = s**2 / (n - 1)
    return PCA(mean, vt, variance[:k], variance[:k] / variance.sum())


def nearest_centroid_accuracy(points: object, labels: object) -> float:
    """How often a point is nearer to its own class's mean than to any other class's mean.

    ``points`` is ``(N, D)``, ``labels`` ``(N,)`` integers. A high value says the classes
    form separate clouds; chance is about one over the number of classes.
    """
    points = as_array("points", points, ndim=2)
    labels = np.asarray(labels.cpu() if isinstance(labels, torch.Tensor) else labels)
    if labels.shape != (len(points),) or labels.dtype.kind not in "iu":
        raise ValueError(f"labels must be {len(points)} integers, got {labels.shape} "
                         f"{labels.dtype}")
    classes = np.unique(labels)
    centroids = np.stack([points[labels == c].mean(axis=0) for c in classes])
    # |p - m|^2 = |p|^2 - 2 p.m + |m|^2; |p|^2 is the same for every class, so it drops out
    distances = (centroids**2).sum(axis=1) - 2 * points @ centroids.T
    return float((classes[distances.argmin(1)] == labels).mean())
