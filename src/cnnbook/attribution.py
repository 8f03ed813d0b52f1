"""What a trained classifier looks at: saliency, occlusion and Grad-CAM maps, and their check.

Each method turns one score of a classifier, the score ``y_c`` of class ``c`` for one image
``x``, into a map over the image that says which pixels the score depends on:

- :func:`saliency` (Simonyan et al., 2014): ``|∂y_c/∂x|`` at every pixel, the largest over
  the colour channels;
- :func:`occlusion` (Zeiler and Fergus, 2014): how far the probability of class ``c`` falls
  when a grey patch hides the pixels around each position (the patch positions are the
  strided windows of :func:`cnnbook.ops.sliding_windows2d`, folded back onto the pixels
  with :func:`cnnbook.ops.col2im`);
- :func:`grad_cam` (Selvaraju et al., 2017): the maps ``A^k`` of a convolution, weighted by
  ``α_k = mean_ij ∂y_c/∂A^k_ij`` and summed, negative parts cut off:
  ``ReLU(Σ_k α_k A^k)`` (:func:`lenet_grad_cam` for LeNet's last convolution);
  :func:`onto_input` places such a coarse map on the input pixels.

The sanity check of Adebayo et al. (2018): a map that explains what the network learned
must change when the learned weights are replaced by random ones. :func:`randomised` makes
such a copy, :func:`rank_correlation` compares two maps by the order of their pixels, and
:func:`randomisation_check` does both for the layers randomised one after another from the
output down.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence

import numpy as np
import torch
from torch import nn

from cnnbook import ops
from cnnbook._checks import as_array, check_int, check_real, check_tuple
from cnnbook._probing import as_images, as_targets, check_model, evaluating
from cnnbook.models import LeNet5

__all__ = [
    "grad_cam",
    "grad_cam_formula",
    "input_gradient",
    "input_gradient_formula",
    "lenet_grad_cam",
    "lenet_head",
    "occlusion",
    "occlusion_formula",
    "occlusion_grid",
    "onto_input",
    "patch_masks",
    "randomisation_check",
    "randomised",
    "rank_correlation",
    "saliency",
]

#: The rest of a network after some feature maps: maps ``(N, K, h, w)`` in, scores out.
Head = Callable[[torch.Tensor], torch.Tensor]

#: A map-making method: ``method(model, images, targets=...)`` gives maps ``(N, H, W)``.
Method = Callable[[nn.Module, torch.Tensor, torch.Tensor], np.ndarray]


def input_gradient(model: nn.Module, images: object, targets: object = None) -> torch.Tensor:
    """``∂y_c/∂x``: the gradient of every image's class score with respect to its pixels.

    ``y_c`` is the score (logit) of class ``targets`` (default: the predicted class), and the
    result has the shape of ``images``, ``(N, C, H, W)``. The model runs in evaluation mode.
    """
    model = check_model(model)
    x = as_images(images, model)
    with evaluating(model):
        with torch.no_grad():
            c = as_targets(targets, model(x))
        return input_gradient_formula(model, x, c)


def input_gradient_formula(
    model: nn.Module, x: torch.Tensor, c: torch.Tensor
) -> torch.Tensor:
    """dy_c/dx for images x (N, C, H, W) and classes c (N,)."""
    x = x.detach().requires_grad_(True)
    y_c = model(x).gather(1, c[:, None]).sum()  # score n needs image n only
    (dy_dx,) = torch.autograd.grad(y_c, x)
    return dy_dx


def saliency(model: nn.Module, images: object, targets: object = None) -> np.ndarray:
    """Simonyan et al.'s saliency map: ``max_channels |∂y_c/∂x|``, shape ``(N, H, W)``."""
    return input_gradient(model, images, targets).abs().amax(dim=1).cpu().numpy()


def patch_masks(size: int | tuple[int, int], patch: int, stride: int = 1) -> np.ndarray:
    """One mask per position of a ``patch × patch`` square slid over an image of ``size``.

    The positions are the windows of :func:`cnnbook.ops.sliding_windows2d`, row by row;
    mask ``l`` is 1 under window ``l`` and 0 elsewhere. Shape ``(H_out * W_out, H, W)``.
    """
    h, w = check_tuple("size", size, 2, minimum=1)
    patch = check_int("patch", patch, minimum=1)
    stride = check_int("stride", stride, minimum=1)
    pixel_numbers = np.arange(h * w, dtype=np.float64).reshape(h, w)
    windows = ops.sliding_windows2d(pixel_numbers, patch, stride)  # (H_out, W_out, p, p)
    positions = windows.shape[0] * windows.shape[1]
    masks = np.zeros((positions, h * w))
    covered = windows.reshape(positions, patch * patch).astype(np.int64)
    masks[np.arange(positions)[:, None], covered] = 1.0
    return masks.reshape(positions, h, w)


def occlusion_grid(
    model: nn.Module, images: object, targets: object = None, *, patch: int = 6,
    stride: int = 2, fill: float = 0.0,
) -> np.ndarray:
    """The fall of ``p_c`` when a square of value ``fill`` hides each patch position.

    ``p_c`` is the softmax probability of class ``targets`` (default: the class predicted
    for the unhidden image). Entry ``[n, i, j]`` is ``p_c(x_n) - p_c(x_n hidden at (i, j))``,
    the patch covering rows ``i*stride ... i*stride + patch - 1`` (columns likewise); shape
    ``(N, H_out, W_out)`` with ``H_out = (H - patch) // stride + 1``.
    """
    model = check_model(model)
    x = as_images(images, model)
    fill = check_real("fill", fill)
    n, _, h, w = x.shape
    masks = patch_masks((h, w), patch, stride)
    h_out, w_out = ops.conv_output_size(h, patch, stride), ops.conv_output_size(w, patch, stride)
    m = torch.as_tensor(masks, dtype=x.dtype, device=x.device)[:, None]  # (L, 1, H, W)
    drops = np.empty((n, len(masks)))
    with evaluating(model), torch.no_grad():
        c = as_targets(targets, model(x))
        for k in range(n):
            drops[k] = occlusion_formula(model, x[k], c[k], m, fill).cpu().numpy()
    return drops.reshape(n, h_out, w_out)


def occlusion_formula(
    model: nn.Module, x: torch.Tensor, c: int, m: torch.Tensor, fill: float
) -> torch.Tensor:
    """p_c(x) - p_c(x under each patch), for x (C, H, W), m (L, 1, H, W)."""
    hidden = x * (1 - m) + fill * m  # x under each patch: (L, C, H, W)
    p_c = model(torch.cat([x[None], hidden])).softmax(dim=1)[:, c]
    return p_c[0] - p_c[1:]


def occlusion(
    model: nn.Module, images: object, targets: object = None, *, patch: int = 6,
    stride: int = 2, fill: float = 0.0,
) -> np.ndarray:
    """Occlusion sensitivity per pixel: the mean :func:`occlusion_grid` entry of the patches
    that cover the pixel, shape ``(N, H, W)`` (``nan`` where no patch reaches)."""
    x = as_images(images, check_model(model))
    grid = occlusion_grid(model, x, targets, patch=patch, stride=stride, fill=fill)
    n, h_out, w_out = grid.shape
    h, w = x.shape[-2:]
    # every pixel of patch l receives patch l's value; col2im adds up where patches overlap
    cols = np.repeat(grid.reshape(n, 1, h_out * w_out), patch * patch, axis=1)
    total = ops.col2im(cols, (h, w), patch, stride)[:, 0]
    count = ops.col2im(np.ones((1, patch * patch, h_out * w_out)), (h, w), patch, stride)[0, 0]
    out = np.full((n, h, w), np.nan)
    np.divide(total, count, out=out, where=count > 0)
    return out


def _layer(model: nn.Module, name: str) -> nn.Module:
    """The submodule of ``model`` called ``name`` (``"conv2"``, ``"fc3"``, ...)."""
    names = [n for n, _ in model.named_modules() if n]
    if not isinstance(name, str) or name not in names:
        raise ValueError(f"layers must name layers of the model {names}; got {name!r}")
    return model.get_submodule(name)


def grad_cam(head: Head, maps: torch.Tensor, targets: object = None) -> np.ndarray:
    """Grad-CAM: ``ReLU(Σ_k α_k A^k)`` with ``α_k = mean_ij ∂y_c/∂A^k_ij``.

    ``maps`` are the feature maps ``A`` of a convolution, ``(N, K, h, w)``, and ``head`` the
    rest of the network, which turns them into class scores; ``y_c`` is the score of class
    ``targets`` (default: the predicted class). The map has the resolution of ``A``,
    ``(N, h, w)``; :func:`onto_input` places it on the image.
    """
    if not isinstance(maps, torch.Tensor) or maps.ndim != 4 or not maps.is_floating_point():
        raise TypeError(f"maps must be a float tensor of feature maps (N, K, h, w), got {maps!r}")
    if not callable(head):
        raise TypeError(f"head must be callable (maps -> class scores), got {head!r}")
    with torch.no_grad():
        c = as_targets(targets, head(maps))
    return grad_cam_formula(head, maps, c).detach().cpu().numpy()


def grad_cam_formula(
    head: Head, A: torch.Tensor, c: torch.Tensor
) -> torch.Tensor:
    """ReLU(sum_k alpha_k A^k) for maps A (N, K, h, w) and classes c (N,)."""
    A = A.detach().requires_grad_(True)
    y_c = head(A).gather(1, c[:, None]).sum()  # the scores of the classes c
    (dy_dA,) = torch.autograd.grad(y_c, A)
    alpha = dy_dA.mean(dim=(2, 3), keepdim=True)  # (N, K, 1, 1): one per map
    return torch.relu((alpha * A).sum(dim=1))


def lenet_head(model: LeNet5) -> Head:
    """The part of a :class:`~cnnbook.models.LeNet5` after its last convolution and ReLU:
    pooling, flattening and the three fully connected layers (maps ``(N, 16, 10, 10)`` in,
    scores out), so that ``lenet_head(model)(model.features(x)[1]) == model(x)``."""
    if not isinstance(model, LeNet5):
        raise TypeError(f"model must be a LeNet5, got {type(model).__name__}")

    def head(maps: torch.Tensor) -> torch.Tensor:
        h = model.act(model.fc1(model.down(maps).flatten(1)))
        return model.fc3(model.act(model.fc2(h)))

    return head


def lenet_grad_cam(model: LeNet5, images: object, targets: object = None) -> np.ndarray:
    """:func:`grad_cam` on LeNet's last convolution: its 16 maps after the ReLU, ``(N, 10, 10)``.

    The model runs in evaluation mode; ``targets`` as in :func:`grad_cam`.
    """
    head = lenet_head(model)
    x = as_images(images, model)
    with evaluating(model):
        return grad_cam(head, model.features(x)[1], targets)


def onto_input(
    maps: object, field: ops.LayerField, size: int | tuple[int, int]
) -> np.ndarray:
    """Place coarse maps ``(N, h, w)`` on the input pixels, by their receptive fields.

    Cell ``(i, j)`` of a map belongs at the centre of its receptive field, input pixel
    ``(start + jump*i, start + jump*j)`` (``field`` is :func:`cnnbook.ops.receptive_field`
    of the layers up to the map). Between centres the values are interpolated linearly,
    outside them the nearest centre's value is kept. Returns ``(N, H, W)`` for ``size``.
    """
    maps = as_array("maps", maps, ndim=3)
    if not isinstance(field, ops.LayerField):
        raise TypeError(f"field must be a receptive field (ops.receptive_field), got {field!r}")
    h, w = check_tuple("size", size, 2, minimum=1)
    rows = field.start + field.jump * np.arange(maps.shape[1])  # where the cells sit
    cols = field.start + field.jump * np.arange(maps.shape[2])
    across = np.apply_along_axis(lambda r: np.interp(np.arange(w), cols, r), 2, maps)
    return np.apply_along_axis(lambda c: np.interp(np.arange(h), rows, c), 1, across)


def _ranks(v: np.ndarray) -> np.ndarray:
    """Ranks 1..n of the values of ``v``; tied values share the mean of their ranks."""
    order = np.argsort(v, kind="stable")
    ordered = v[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])  # first of each run
    ends = np.r_[starts[1:], len(v)]
    ranks = np.empty(len(v))
    ranks[order] = np.repeat((starts + ends + 1) / 2, ends - starts)
    return ranks


def rank_correlation(a: object, b: object) -> np.ndarray:
    """Spearman's rank correlation of ``a[n]`` and ``b[n]`` for every example ``n``.

    ``a`` and ``b`` have the same shape ``(N, ...)``; each example's values are replaced by
    their ranks (ties get the mean rank) and the ranks' Pearson correlation comes back,
    shape ``(N,)``. 1: the same order; 0: unrelated; ``nan`` when a map is constant.
    """
    a, b = as_array("a", a), as_array("b", b)
    if a.shape != b.shape or a.ndim < 2:
        raise ValueError(
            f"a and b must have the same shape (N, ...) with N examples, got {a.shape} "
            f"and {b.shape}"
        )
    if not (np.isfinite(a).all() and np.isfinite(b).all()):
        raise ValueError("a and b must be finite: a map with nan or inf has no order to compare")
    out = np.full(len(a), np.nan)
    for n, (u, v) in enumerate(zip(a.reshape(len(a), -1), b.reshape(len(b), -1), strict=True)):
        ru, rv = _ranks(u) - (len(u) + 1) / 2, _ranks(v) - (len(v) + 1) / 2
        scale = np.sqrt((ru @ ru) * (rv @ rv))
        if scale > 0:
            out[n] = (ru @ rv) / scale
    return out


def randomised(model: nn.Module, layers: Sequence[str], seed: int = 0) -> nn.Module:
    """A copy of ``model`` whose ``layers`` (names) have fresh random weights.

    Each layer's ``reset_parameters()`` draws its initial weights anew, under ``seed``; the
    other layers keep the trained ones, and ``model`` itself is left untouched, as is the
    global random state.
    """
    model = check_model(model)
    seed = check_int("seed", seed, minimum=0)
    if isinstance(layers, str) or not isinstance(layers, Sequence) or not layers:
        raise TypeError(f"layers must be a non-empty list of layer names, got {layers!r}")
    twin = copy.deepcopy(model)
    modules = [_layer(twin, name) for name in layers]
    for name, module in zip(layers, modules, strict=True):
        if not hasattr(module, "reset_parameters"):
            raise ValueError(f"layer {name!r} ({type(module).__name__}) has no weights to redraw")
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        for module in modules:
            module.reset_parameters()
    return twin


def randomisation_check(
    model: nn.Module, images: object, method: Method, layers: Sequence[str],
    targets: object = None, seed: int = 0,
) -> np.ndarray:
    """Rank correlations between the trained model's maps and those of randomised copies.

    Row ``k`` compares ``method``'s maps of ``model`` with those of a copy whose
    ``layers[: k + 1]`` are randomised (list the layers from the output down: Adebayo et
    al.'s cascade). Every copy explains the same classes, ``targets`` (default: the trained
    model's predictions). Shape ``(len(layers), N)``.
    """
    model = check_model(model)
    if isinstance(layers, str) or not isinstance(layers, Sequence) or not layers:
        raise TypeError(f"layers must be a non-empty list of layer names, got {layers!r}")
    x = as_images(images, model)
    if targets is None:
        with evaluating(model), torch.no_grad():
            targets = model(x).argmax(1)
    reference = method(model, x, targets=targets)
    rows = [
        rank_correlation(
            reference, method(randomised(model, layers[: k + 1], seed), x, targets=targets)
        )
        for k in range(len(layers))
    ]
    return np.stack(rows)
