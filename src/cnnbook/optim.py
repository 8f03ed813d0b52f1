"""Optimisers for :mod:`cnnbook.layers`: SGD with momentum and Adam, with PyTorch's update rules.

An optimiser holds a list of :class:`~cnnbook.layers.Parameter` s; after a backward pass has
filled their ``grad``, :meth:`step` moves every ``data`` in place. The rules,
:func:`sgd_formula` and :func:`adam_formula`, are those of ``torch.optim.SGD`` and
``torch.optim.Adam`` (same defaults, same order of operations), so from the same weights and
gradients both libraries take the same steps. :func:`fit` is the training loop that uses
them (one epoch of it is :func:`train_epoch`); :func:`lockstep` trains a NumPy network and
its PyTorch twin side by side, to prove that they stay together and to time them on the same
batches, and :func:`profile_step` times one training step layer by layer in both libraries.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from tqdm.auto import tqdm

from cnnbook._checks import check_int, check_real
from cnnbook.layers import Layer, Parameter, Sequential, SoftmaxCrossEntropy

__all__ = [
    "SGD", "Adam", "Lockstep", "Optimizer", "Profile", "adam_formula", "fit", "lockstep",
    "profile_step", "sgd_formula", "train_epoch",
]


def _fraction(name: str, value: object, *, high: float = 1.0, closed: bool = False) -> float:
    """A real number in ``[0, high)`` (``[0, high]`` when ``closed``)."""
    value = check_real(name, value)
    if not (0 <= value <= high if closed else 0 <= value < high):
        raise ValueError(f"{name} must lie in [0, {high}{']' if closed else ')'}, got {value}")
    return value


def _non_negative(name: str, value: object) -> float:
    value = check_real(name, value)
    if not (math.isfinite(value) and value >= 0):
        raise ValueError(f"{name} must be a finite number >= 0, got {value}")
    return value


class Optimizer:
    """What every optimiser shares: the parameters, the learning rate ``lr`` and ``zero_grad``."""

    def __init__(self, params: Iterable[Parameter] | Mapping[str, Parameter], lr: float) -> None:
        params = list(params.values() if isinstance(params, Mapping) else params)
        if not params:
            raise ValueError("params must hold at least one Parameter, got none")
        for i, p in enumerate(params):
            if not isinstance(p, Parameter):
                raise TypeError(f"params[{i}] must be a Parameter, got {type(p).__name__}")
        if len({id(p) for p in params}) != len(params):
            raise ValueError("params must not hold the same Parameter twice")
        self.params = params
        self.lr = lr

    @property
    def lr(self) -> float:
        """The learning rate; a schedule may change it between steps."""
        return self._lr

    @lr.setter
    def lr(self, value: float) -> None:
        self._lr = _non_negative("lr", value)

    def zero_grad(self) -> None:
        """Set every gradient to zero (backward passes add to them)."""
        for p in self.params:
            p.grad[...] = 0

    def step(self) -> None:
        raise NotImplementedError


def sgd_formula(w: np.ndarray, g: np.ndarray, v: np.ndarray | None,
                lr: float, momentum: float, dampening: float,
                weight_decay: float, nesterov: bool) -> np.ndarray | None:
    """One step of SGD on one parameter w, in place; v is its velocity
    (None before the first step) and the new one is returned. With η the
    learning rate, μ the momentum, τ the dampening, λ the weight decay:

        g ← g + λ w
        v ← g at the first step, then  v ← μ v + (1 − τ) g
        w ← w − η (g + μ v) with Nesterov, else  w ← w − η v

    Without momentum, w ← w − η g. Unchecked: call :meth:`SGD.step`.
    """
    g = g + weight_decay * w
    if momentum:
        v = g.copy() if v is None else momentum * v + (1 - dampening) * g
        g = g + momentum * v if nesterov else v
    w -= lr * g
    return v


def adam_formula(w: np.ndarray, g: np.ndarray, m: np.ndarray, v: np.ndarray,
                 t: int, lr: float, betas: tuple[float, float], eps: float,
                 weight_decay: float) -> None:
    """Step t = 1, 2, ... of Adam on one parameter w, in place; m and v,
    running means of g and g², start at 0 and are updated in place too:

        g ← g + λ w
        m ← β₁ m + (1 − β₁) g        v ← β₂ v + (1 − β₂) g²
        w ← w − η / (1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε)

    Dividing by 1 − βᵗ undoes the start at 0 (bias correction); ε is
    added after the root. Unchecked: call :meth:`Adam.step`.
    """
    b1, b2 = betas
    g = g + weight_decay * w
    m *= b1
    m += (1 - b1) * g
    v *= b2
    v += (1 - b2) * g * g
    w -= lr / (1 - b1**t) * m / (np.sqrt(v) / math.sqrt(1 - b2**t) + eps)


class SGD(Optimizer):
    """Stochastic gradient descent with momentum, as ``torch.optim.SGD`` (:func:`sgd_formula`).

    ``nesterov`` needs ``momentum > 0`` and ``dampening = 0``, as in PyTorch.
    """

    def __init__(self, params: Iterable[Parameter] | Mapping[str, Parameter], lr: float = 1e-3,
                 momentum: float = 0.0, dampening: float = 0.0, weight_decay: float = 0.0,
                 nesterov: bool = False) -> None:
        super().__init__(params, lr)
        self.momentum = _fraction("momentum", momentum)
        self.dampening = _fraction("dampening", dampening, closed=True)
        self.weight_decay = _non_negative("weight_decay", weight_decay)
        if not isinstance(nesterov, bool):
            raise TypeError(f"nesterov must be True or False, got {nesterov!r}")
        if nesterov and (self.momentum == 0 or self.dampening != 0):
            raise ValueError(f"nesterov=True needs momentum > 0 and dampening = 0, got "
                             f"momentum={momentum} and dampening={dampening}")
        self.nesterov = nesterov
        self.velocity: list[np.ndarray | None] = [None] * len(self.params)

    def step(self) -> None:
        for i, p in enumerate(self.params):
            self.velocity[i] = sgd_formula(p.data, p.grad, self.velocity[i], self.lr,
                                           self.momentum, self.dampening, self.weight_decay,
                                           self.nesterov)


class Adam(Optimizer):
    """Adam, as ``torch.optim.Adam`` (:func:`adam_formula`): the weight decay is added to the
    gradient, not decoupled (that is ``AdamW``)."""

    def __init__(self, params: Iterable[Parameter] | Mapping[str, Parameter], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0) -> None:
        super().__init__(params, lr)
        if not isinstance(betas, tuple | list) or len(betas) != 2:
            raise ValueError(f"betas must be a pair (beta1, beta2), got {betas!r}")
        self.betas = (_fraction("betas[0]", betas[0]), _fraction("betas[1]", betas[1]))
        self.eps = check_real("eps", eps, positive=True)
        self.weight_decay = _non_negative("weight_decay", weight_decay)
        self.t = 0
        self.m = [np.zeros_like(p.data) for p in self.params]
        self.v = [np.zeros_like(p.data) for p in self.params]

    def step(self) -> None:
        self.t += 1
        for p, m, v in zip(self.params, self.m, self.v, strict=True):
            adam_formula(p.data, p.grad, m, v, self.t, self.lr, self.betas, self.eps,
                         self.weight_decay)


def fit(net: Layer, optimizer: Optimizer, images: np.ndarray, labels: np.ndarray, *,
        epochs: int = 1, batch_size: int = 256, seed: int = 0,
        schedule: Callable[[int, int], float] | None = None, progress: bool = True) -> list[float]:
    """Train ``net`` in place on mini-batches of a seeded shuffle; return the loss of every step.

    ``schedule(step, total)``, when given, scales the optimiser's initial learning rate
    at every step (e.g. :func:`cnnbook.train.one_cycle`). A progress bar shows each epoch,
    whose steps :func:`train_epoch` takes.
    """
    epochs = check_int("epochs", epochs, minimum=1)
    batch_size = check_int("batch_size", batch_size, minimum=1)
    if len(images) != len(labels):
        raise ValueError(f"images and labels must have the same length, got {len(images)} "
                         f"and {len(labels)}")
    rng = np.random.default_rng(check_int("seed", seed, minimum=0))
    peak, steps, losses = optimizer.lr, math.ceil(len(labels) / batch_size), []
    for epoch in range(epochs):
        order = rng.permutation(len(labels))
        batches = [order[i : i + batch_size] for i in range(0, len(order), batch_size)]
        batches = tqdm(batches, desc=f"epoch {epoch + 1}/{epochs}", disable=not progress)
        lr_at = None if schedule is None else (
            lambda i, e=epoch: peak * schedule(e * steps + i, epochs * steps))
        losses += train_epoch(net, optimizer, images, labels, batches, lr_at)
    return losses


def train_epoch(net: Layer, optimizer: Optimizer, images: np.ndarray,
                labels: np.ndarray, batches: Iterable[np.ndarray],
                lr_at: Callable[[int], float] | None = None) -> list[float]:
    """One epoch: for every mini-batch of indices, the five steps of
    training (with learning rate lr_at(i) at step i, when given).
    Returns each step's loss. Unchecked: :func:`fit` calls it.
    """
    loss_fn, losses = SoftmaxCrossEntropy(), []
    for i, idx in enumerate(batches):
        if lr_at is not None:
            optimizer.lr = lr_at(i)
        z = net(images[idx])                    # the forward pass
        losses.append(loss_fn(z, labels[idx]))  # the loss
        optimizer.zero_grad()                   # forget the old gradients
        net.backward(loss_fn.backward())        # the backward pass
        optimizer.step()                        # one step of the optimiser
    return losses


@dataclass
class Lockstep:
    """What :func:`lockstep` measured, one entry per step (``seconds``: totals per library)."""

    differences: list[float] = field(default_factory=list)  # largest |w_numpy - w_torch|
    losses: list[tuple[float, float]] = field(default_factory=list)  # (numpy, torch)
    seconds: dict[str, float] = field(default_factory=lambda: {"numpy": 0.0, "torch": 0.0})


def lockstep(net: Layer, ours: Optimizer, model: Any, theirs: Any,
             batches: Iterable[tuple[np.ndarray, np.ndarray]], *,
             progress: bool = False) -> Lockstep:
    """Train ``net`` with ``ours`` and the torch ``model`` with ``theirs`` on the same batches.

    For every ``(images, labels)`` batch, one step of each (forward, cross-entropy loss,
    backward, update), timed separately, then the largest difference between any weight of
    ``net`` and the same-named entry of ``model.state_dict()``.
    """
    import torch  # only here: the NumPy network does not need it

    if set(net.parameters()) != set(dict(model.named_parameters())):
        raise ValueError("net and model must have parameters of the same names, got "
                         f"{sorted(net.parameters())} and {sorted(dict(model.named_parameters()))}")
    loss_fn, torch_loss, record = SoftmaxCrossEntropy(), torch.nn.CrossEntropyLoss(), Lockstep()
    for images, labels in tqdm(batches, desc="lockstep", disable=not progress):
        start = time.perf_counter()
        loss = loss_fn(net(images), labels)
        ours.zero_grad()
        net.backward(loss_fn.backward())
        ours.step()
        middle = time.perf_counter()
        expected = torch_loss(model(torch.from_numpy(images)), torch.from_numpy(labels))
        theirs.zero_grad()
        expected.backward()
        theirs.step()
        end = time.perf_counter()
        record.seconds["numpy"] += middle - start
        record.seconds["torch"] += end - middle
        record.losses.append((loss, expected.item()))
        weights = model.state_dict()
        record.differences.append(max(float(np.abs(p.data - weights[k].numpy()).max())
                                      for k, p in net.parameters().items()))
    return record


@dataclass
class Profile:
    """One training step, layer by layer: ``seconds[library][pass]`` has one time per name in
    ``layers`` (``library`` is ``"numpy"`` or ``"torch"``, ``pass`` ``"forward"`` or
    ``"backward"``); ``kept[library]`` the bytes each layer keeps for the backward pass."""

    layers: list[str]
    seconds: dict[str, dict[str, np.ndarray]]
    kept: dict[str, np.ndarray]


def profile_step(net: Sequential, images: np.ndarray, labels: np.ndarray, *,
                 repeat: int = 5) -> Profile:
    """Time each layer's forward and backward pass in ``net`` and in ``net.to_torch()``.

    Every time is the median over ``repeat`` training steps on the same batch (forward,
    loss, backward; no update). PyTorch's times come from hooks around each module; its
    first layer's backward pass runs last, so it lasts from its hook to the end of
    ``backward()``. What a layer keeps: the arrays a NumPy layer holds after its forward
    pass, and the tensors autograd saves while a module runs (each tensor once, weights
    not counted).
    """
    repeat = check_int("repeat", repeat, minimum=1)
    if not isinstance(net, Sequential):
        raise TypeError(f"net must be a Sequential, got {type(net).__name__}")
    ours = _time_numpy_layers(net, images, labels, repeat)
    kept = np.array([sum(v.nbytes for v in vars(layer).values() if isinstance(v, np.ndarray))
                     for layer in net.layers.values()])
    model = net.to_torch()
    theirs = _time_torch_modules(model, images, labels, repeat)
    return Profile(list(net.layers), {
        "numpy": {k: np.median(v, axis=0) for k, v in ours.items()},
        "torch": {k: np.median(v, axis=0) for k, v in theirs.items()}},
        {"numpy": kept, "torch": _torch_saved_bytes(model, images)})


def _time_numpy_layers(net: Sequential, images: np.ndarray, labels: np.ndarray,
                       repeat: int) -> dict[str, np.ndarray]:
    """Seconds of every layer's forward and backward pass, ``(repeat, layers)`` each."""
    chain, loss_fn = list(net.layers.values()), SoftmaxCrossEntropy()
    seconds = {key: np.zeros((repeat, len(chain))) for key in ("forward", "backward")}
    for r in range(repeat):
        h = images
        for i, layer in enumerate(chain):
            start = time.perf_counter()
            h = layer(h)
            seconds["forward"][r, i] = time.perf_counter() - start
        loss_fn(h, labels)
        g = loss_fn.backward()
        for i in reversed(range(len(chain))):
            start = time.perf_counter()
            g = chain[i].backward(g)
            seconds["backward"][r, i] = time.perf_counter() - start
    return seconds


def _time_torch_modules(model: Any, images: np.ndarray, labels: np.ndarray,
                        repeat: int) -> dict[str, np.ndarray]:
    """The same for the children of a torch ``model``, read by hooks around each of them."""
    import torch

    modules = list(model.children())
    seconds = {key: np.zeros((repeat, len(modules))) for key in ("forward", "backward")}
    started, step = {}, [0]

    def hook(key: str, i: int, stop: bool) -> Callable[..., None]:
        def record(*_: object) -> None:  # returns None: the hooks change nothing
            if stop:
                seconds[key][step[0], i] = time.perf_counter() - started[key, i]
            else:
                started[key, i] = time.perf_counter()
        return record

    handles = []
    for i, m in enumerate(modules):
        handles += [m.register_forward_pre_hook(hook("forward", i, False)),
                    m.register_forward_hook(hook("forward", i, True)),
                    m.register_full_backward_pre_hook(hook("backward", i, False))]
        if i > 0:  # the first one's input needs no gradient: its hook would fire too early
            handles.append(m.register_full_backward_hook(hook("backward", i, True)))
    x, y = torch.from_numpy(images), torch.from_numpy(np.asarray(labels))
    try:
        for step[0] in range(repeat):
            torch.nn.functional.cross_entropy(model(x), y).backward()
            hook("backward", 0, True)()  # the first layer's backward pass ends with backward()
    finally:
        for handle in handles:
            handle.remove()
    return seconds


def _torch_saved_bytes(model: Any, images: np.ndarray) -> np.ndarray:
    """Bytes of the tensors autograd saves for the backward pass while each child module of
    ``model`` runs (each tensor counted once, by the first module to save it; not weights)."""
    import torch

    modules = list(model.children())
    kept, seen, current = np.zeros(len(modules), dtype=np.int64), set(), [None]
    weights = {p.data_ptr() for p in model.parameters()}

    def pack(t: torch.Tensor) -> torch.Tensor:
        key = (t.data_ptr(), tuple(t.shape))
        if current[0] is not None and t.data_ptr() not in weights and key not in seen:
            seen.add(key)
            kept[current[0]] += t.numel() * t.element_size()
        return t

    handles = []
    for i, m in enumerate(modules):
        handles += [m.register_forward_pre_hook(lambda *_, i=i: current.__setitem__(0, i)),
                    m.register_forward_hook(lambda *_: current.__setitem__(0, None))]
    try:
        with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
            model(torch.from_numpy(images))
    finally:
        for handle in handles:
            handle.remove()
    return kept
