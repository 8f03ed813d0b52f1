"""A tiny network library in NumPy: every layer's forward pass and its backward pass, written out.

There is no autograd tape. Each layer comes as two unchecked *formulas*, its forward pass
and its backward pass (``<layer>_forward_formula``, ``<layer>_backward_formula``, written
in the book's symbols: ``x`` in, ``y`` out, ``w`` and ``b`` the weights, ``g = ∂L/∂y`` the
gradient from above), and a class that checks its input, remembers in ``forward`` what
``backward`` will need, and in ``backward(g)`` returns ``∂L/∂x`` and *adds* the gradients
of its parameters to their ``grad`` (as PyTorch does; :meth:`Sequential.zero_grad` clears
them). Shapes and names follow PyTorch, so a :class:`Sequential` loads the ``state_dict``
of the equivalent ``torch.nn`` network and computes the same numbers.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Mapping

import numpy as np

from cnnbook import ops
from cnnbook._checks import as_array, check_choice, check_int, check_real, check_tuple

__all__ = [
    "AvgPool2d", "Conv2d", "Flatten", "Layer", "Linear", "MaxPool2d", "Parameter", "ReLU",
    "Sequential", "Sigmoid", "SoftmaxCrossEntropy", "Tanh", "finite_differences", "lenet5",
]

DTYPES = ("float32", "float64")
Pair = tuple[int, int]

# ------------------------------------------------------------------ the formulas


def linear_forward_formula(x: np.ndarray, w: np.ndarray,
                           b: np.ndarray) -> np.ndarray:
    """y[n, o] = b[o] + Σ_i x[n, i] · w[o, i], that is y = x wᵀ + b.

    Shapes: x (N, in), w (out, in), b (out,), y (N, out).
    Unchecked: call a :class:`Linear` layer.
    """
    return x @ w.T + b


def linear_backward_formula(x: np.ndarray, w: np.ndarray, g: np.ndarray):
    """(∂L/∂x, ∂L/∂w, ∂L/∂b) from g = ∂L/∂y, by the chain rule:

        ∂L/∂x[n, i] = Σ_o g[n, o] · w[o, i]     that is  g w    (N, in)
        ∂L/∂w[o, i] = Σ_n g[n, o] · x[n, i]     that is  gᵀ x   (out, in)
        ∂L/∂b[o]    = Σ_n g[n, o]                               (out,)
    """
    return g @ w, g.T @ x, g.sum(axis=0)


def relu_forward_formula(x: np.ndarray) -> np.ndarray:
    """y = max(0, x), entry by entry."""
    return np.maximum(x, 0)


def relu_backward_formula(x: np.ndarray, g: np.ndarray) -> np.ndarray:
    """∂L/∂x = g · [x > 0]: the slope is 1 where x > 0, else 0 (at 0 too,
    as in PyTorch)."""
    return g * (x > 0)


def sigmoid_forward_formula(x: np.ndarray) -> np.ndarray:
    """y = 1 / (1 + e^(−x)), computed as ½ + ½ tanh(x/2), which cannot
    overflow."""
    return 0.5 + 0.5 * np.tanh(0.5 * x)


def sigmoid_backward_formula(y: np.ndarray, g: np.ndarray) -> np.ndarray:
    """∂L/∂x = g · σ'(x) = g · y · (1 − y), the slope read off the output
    y = σ(x)."""
    return g * y * (1 - y)


def tanh_forward_formula(x: np.ndarray) -> np.ndarray:
    """y = tanh x, entry by entry."""
    return np.tanh(x)


def tanh_backward_formula(y: np.ndarray, g: np.ndarray) -> np.ndarray:
    """∂L/∂x = g · (1 − y²), since tanh' = 1 − tanh²."""
    return g * (1 - y**2)


def conv_forward_formula(x: np.ndarray, w: np.ndarray, b: np.ndarray,
                         s: Pair, p: Pair) -> tuple[np.ndarray, np.ndarray]:
    """y[n] = w_mat @ cols[n] + b: one matrix product per image, where
    cols = im2col(x) holds every window of x as a column and w_mat is w
    with one kernel per row. Returns y and cols (for the backward pass).

    Shapes: x (N, C, H, W), w (O, C, k_h, k_w), cols (N, C·k_h·k_w, L),
    w_mat (O, C·k_h·k_w), y (N, O, H_out, W_out) with L = H_out · W_out.
    """
    cols = ops.im2col(x, w.shape[2:], s, p)
    w_mat = w.reshape(len(w), -1)
    y = w_mat @ cols + b[:, None]  # (N, O, L)
    H_out, W_out = ops.conv_output_size(x.shape[2:], w.shape[2:], s, p)
    return y.reshape(len(x), len(w), H_out, W_out), cols


def conv_backward_formula(g: np.ndarray, w: np.ndarray, cols: np.ndarray,
                          x_shape: tuple[int, ...], s: Pair, p: Pair,
                          input_grad: bool = True):
    """(∂L/∂x, ∂L/∂w, ∂L/∂b) of y[n] = w_mat @ cols[n] + b, from g = ∂L/∂y:

        ∂L/∂w_mat = Σ_n g[n] @ cols[n]ᵀ     ∂L/∂b[o] = Σ_{n,l} g[n, o, l]
        ∂L/∂cols[n] = w_matᵀ @ g[n]         ∂L/∂x = col2im(∂L/∂cols)

    col2im adds each column back onto the pixels its window read.
    ∂L/∂x is None when input_grad is false (a first layer needs none).
    """
    g = g.reshape(len(g), len(w), -1)  # (N, O, L)
    dw = (g @ cols.transpose(0, 2, 1)).sum(axis=0).reshape(w.shape)
    db = g.sum(axis=(0, 2))
    if not input_grad:
        return None, dw, db
    dcols = w.reshape(len(w), -1).T @ g  # (N, C·k_h·k_w, L)
    return ops.col2im(dcols, x_shape[2:], w.shape[2:], s, p), dw, db


def _pool_columns(x: np.ndarray, k: Pair, s: Pair) -> np.ndarray:
    """(N·C, k_h·k_w, L): every window of every channel as one column."""
    N, C, H, W = x.shape
    return ops.im2col(x.reshape(N * C, 1, H, W), k, s)


def max_pool_forward_formula(x: np.ndarray, k: Pair,
                             s: Pair) -> tuple[np.ndarray, np.ndarray]:
    """y[n, c, i, j] = max of window (i, j) of x[n, c]; also returns each
    window's winner, the first maximum in reading order (as PyTorch).

    Shapes: x (N, C, H, W), y (N, C, H_out, W_out), winner (N·C, L).
    """
    cols = _pool_columns(x, k, s)  # (N·C, k_h·k_w, L)
    H_out, W_out = ops.pool_output_size(x.shape[2:], k, s)
    y = cols.max(axis=1).reshape(*x.shape[:2], H_out, W_out)
    return y, cols.argmax(axis=1)


def max_pool_backward_formula(g: np.ndarray, winner: np.ndarray,
                              x_shape: tuple[int, ...], k: Pair,
                              s: Pair) -> np.ndarray:
    """∂L/∂x: window (i, j)'s gradient g[n, c, i, j] goes, whole, to its
    winner; the other cells of the window get 0 (overlaps add up)."""
    N, C, H, W = x_shape
    dcols = np.zeros((N * C, k[0] * k[1], winner.shape[1]), g.dtype)
    g_cols = g.reshape(N * C, 1, -1)
    np.put_along_axis(dcols, winner[:, None], g_cols, axis=1)
    return ops.col2im(dcols, (H, W), k, s).reshape(x_shape)


def avg_pool_forward_formula(x: np.ndarray, k: Pair, s: Pair) -> np.ndarray:
    """y[n, c, i, j] = the mean of the k_h · k_w cells of window (i, j)."""
    H_out, W_out = ops.pool_output_size(x.shape[2:], k, s)
    y = _pool_columns(x, k, s).mean(axis=1)
    return y.reshape(*x.shape[:2], H_out, W_out)


def avg_pool_backward_formula(g: np.ndarray, x_shape: tuple[int, ...],
                              k: Pair, s: Pair) -> np.ndarray:
    """∂L/∂x: each cell of window (i, j) gets g[n, c, i, j] / (k_h · k_w),
    its share of the mean (overlaps add up)."""
    N, C, H, W = x_shape
    share = g.reshape(N * C, 1, -1) / (k[0] * k[1])
    dcols = np.broadcast_to(share, (N * C, k[0] * k[1], share.shape[2]))
    return ops.col2im(dcols, (H, W), k, s).reshape(x_shape)


def cross_entropy_forward_formula(z: np.ndarray, labels: np.ndarray):
    """L = −(1/N) Σ_n log p[n, labels[n]] with p = softmax(z) row by row;
    returns L and p. Shifting z by its row maximum changes nothing but
    keeps exp from overflowing. Shapes: z and p (N, classes)."""
    shifted = z - z.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = -log_p[np.arange(len(z)), labels].mean()
    return float(loss), np.exp(log_p)


def cross_entropy_backward_formula(p: np.ndarray,
                                   labels: np.ndarray) -> np.ndarray:
    """∂L/∂z = (p − onehot(labels)) / N: predicted minus true
    probabilities, for every logit at once."""
    dz = p.copy()
    dz[np.arange(len(labels)), labels] -= 1
    return dz / len(labels)


# ------------------------------------------------------------------ the layers


class Parameter:
    """A learnable array ``data`` and ``grad``, the gradient of the loss with respect to it."""

    def __init__(self, data: np.ndarray) -> None:
        self.data = data
        self.grad = np.zeros_like(data)

    def __repr__(self) -> str:
        return f"Parameter(shape={self.data.shape}, dtype={self.data.dtype})"


def _dtype(dtype: object) -> str:
    """``"float32"`` or ``"float64"``, from a name or a NumPy dtype."""
    try:
        name = np.dtype(dtype).name
    except TypeError:
        name = None
    if name not in DTYPES:
        raise ValueError(f"dtype must be one of 'float32', 'float64'; got {dtype!r}")
    return name


def _floats(name: str, x: object, ndim: int | None = None, dtype: object = None) -> np.ndarray:
    """Refuse anything but a float32/float64 NumPy array of ``ndim`` dimensions (and ``dtype``)."""
    if not isinstance(x, np.ndarray) or x.dtype.name not in DTYPES:
        kind = f"dtype {x.dtype}" if isinstance(x, np.ndarray) else type(x).__name__
        raise TypeError(f"{name} must be a NumPy array of float32 or float64, got {kind}")
    if ndim is not None and x.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimensions, got shape {x.shape}")
    if dtype is not None and x.dtype != dtype:
        raise TypeError(f"{name} must have the layer's dtype {dtype}, got {x.dtype}")
    if x.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {x.shape}")
    return x


def _init(rng: np.random.Generator, shape: tuple[int, ...], fan_in: int, dtype: str) -> Parameter:
    """PyTorch's default initialisation: uniform on ``[-1/sqrt(fan_in), 1/sqrt(fan_in)]``."""
    bound = 1 / np.sqrt(fan_in)
    return Parameter(rng.uniform(-bound, bound, shape).astype(dtype))


class Layer:
    """One step of a network: ``forward`` computes and remembers, ``backward`` runs the chain rule.

    Call a layer, ``layer(x)``, rather than ``layer.forward(x)`` (as in PyTorch): the call
    checks ``x`` first, and remembers the output's shape so that ``backward`` can check
    ``g``. A layer may hold :class:`Parameter` s, listed by :meth:`parameters`.
    """

    ndim: int | None = None  # the number of dimensions forward expects

    def parameters(self) -> dict[str, Parameter]:
        return {}

    def count_parameters(self) -> int:
        """How many learnable numbers the layer (or network) holds."""
        return sum(p.data.size for p in self.parameters().values())

    def forward(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def backward(self, g: np.ndarray) -> np.ndarray | None:
        raise NotImplementedError

    def __call__(self, x: np.ndarray) -> np.ndarray:
        self._out = None  # a failed forward pass leaves nothing to backpropagate
        weight = self.parameters().get("weight")
        _floats("x", x, self.ndim, weight.data.dtype if weight else None)
        if weight is not None and x.shape[1] != weight.data.shape[1]:
            raise ValueError(f"x must have {weight.data.shape[1]} channels or features on axis 1 "
                             f"(weight shape {weight.data.shape}), got shape {x.shape}")
        y = self.forward(x)
        self._out = (y.shape, y.dtype)
        return y

    def check_grad(self, g: np.ndarray) -> None:
        """Refuse a gradient ``g`` that does not match the last output of the layer."""
        if getattr(self, "_out", None) is None:
            raise RuntimeError(f"{type(self).__name__}: call the layer on a batch before backward")
        shape, dtype = self._out
        _floats("g", g, len(shape), dtype)
        if g.shape != shape:
            raise ValueError(f"g must have the shape of the last output {shape}, got {g.shape}")


class Linear(Layer):
    """A fully connected layer, ``y = x wᵀ + b`` (:func:`linear_forward_formula`)."""

    ndim = 2

    def __init__(self, in_features: int, out_features: int, *, dtype: object = "float32",
                 seed: int = 0) -> None:
        n_in = check_int("in_features", in_features, minimum=1)
        n_out = check_int("out_features", out_features, minimum=1)
        rng = np.random.default_rng(check_int("seed", seed, minimum=0))
        self.weight = _init(rng, (n_out, n_in), n_in, _dtype(dtype))
        self.bias = _init(rng, (n_out,), n_in, _dtype(dtype))

    def parameters(self) -> dict[str, Parameter]:
        return {"weight": self.weight, "bias": self.bias}

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.x = x  # kept for the backward pass
        return linear_forward_formula(x, self.weight.data, self.bias.data)

    def backward(self, g: np.ndarray) -> np.ndarray:
        self.check_grad(g)
        dx, dw, db = linear_backward_formula(self.x, self.weight.data, g)
        self.weight.grad += dw
        self.bias.grad += db
        return dx


class Conv2d(Layer):
    """A convolution layer, ``y = conv2d(x, w) + b``, as one matrix product with the columns of
    :func:`cnnbook.ops.im2col` (:func:`conv_forward_formula`); the layer keeps the columns
    for the backward pass. ``needs_input_grad = False`` skips ``∂L/∂x``, which nobody needs
    for a first layer (PyTorch skips it there too).
    """

    ndim = 4

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int | Pair,
                 stride: int | Pair = 1, padding: int | Pair = 0, *,
                 dtype: object = "float32", seed: int = 0) -> None:
        c_in = check_int("in_channels", in_channels, minimum=1)
        c_out = check_int("out_channels", out_channels, minimum=1)
        self.kernel_size = check_tuple("kernel_size", kernel_size, 2, minimum=1)
        self.stride = check_tuple("stride", stride, 2, minimum=1)
        self.padding = check_tuple("padding", padding, 2, minimum=0)
        rng = np.random.default_rng(check_int("seed", seed, minimum=0))
        fan_in = c_in * self.kernel_size[0] * self.kernel_size[1]
        self.weight = _init(rng, (c_out, c_in, *self.kernel_size), fan_in, _dtype(dtype))
        self.bias = _init(rng, (c_out,), fan_in, _dtype(dtype))
        self.needs_input_grad = True

    def parameters(self) -> dict[str, Parameter]:
        return {"weight": self.weight, "bias": self.bias}

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.x_shape = x.shape
        y, self.cols = conv_forward_formula(x, self.weight.data, self.bias.data, self.stride,
                                            self.padding)
        return y

    def backward(self, g: np.ndarray) -> np.ndarray | None:
        self.check_grad(g)
        dx, dw, db = conv_backward_formula(g, self.weight.data, self.cols, self.x_shape,
                                           self.stride, self.padding, self.needs_input_grad)
        self.weight.grad += dw
        self.bias.grad += db
        return dx


class ReLU(Layer):
    """``y = max(0, x)`` on any shape (:func:`relu_forward_formula`)."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.x = x
        return relu_forward_formula(x)

    def backward(self, g: np.ndarray) -> np.ndarray:
        self.check_grad(g)
        return relu_backward_formula(self.x, g)


class Sigmoid(Layer):
    """``y = 1 / (1 + exp(-x))`` on any shape (:func:`sigmoid_forward_formula`)."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.y = sigmoid_forward_formula(x)
        return self.y

    def backward(self, g: np.ndarray) -> np.ndarray:
        self.check_grad(g)
        return sigmoid_backward_formula(self.y, g)


class Tanh(Layer):
    """``y = tanh(x)`` on any shape (:func:`tanh_forward_formula`)."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.y = tanh_forward_formula(x)
        return self.y

    def backward(self, g: np.ndarray) -> np.ndarray:
        self.check_grad(g)
        return tanh_backward_formula(self.y, g)


class _Pool2d(Layer):
    """What the pooling layers share: ``kernel_size`` and ``stride`` (default: the kernel)."""

    ndim = 4

    def __init__(self, kernel_size: int | Pair, stride: int | Pair | None = None) -> None:
        self.kernel_size = check_tuple("kernel_size", kernel_size, 2, minimum=1)
        self.stride = self.kernel_size if stride is None else check_tuple(
            "stride", stride, 2, minimum=1)


class MaxPool2d(_Pool2d):
    """The largest value of each window (:func:`max_pool_forward_formula`); the layer keeps
    each window's winner for the backward pass, which sends the window's gradient there."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.x_shape = x.shape
        y, self.winner = max_pool_forward_formula(x, self.kernel_size, self.stride)
        return y

    def backward(self, g: np.ndarray) -> np.ndarray:
        self.check_grad(g)
        return max_pool_backward_formula(g, self.winner, self.x_shape, self.kernel_size,
                                         self.stride)


class AvgPool2d(_Pool2d):
    """The mean of each window (:func:`avg_pool_forward_formula`)."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.x_shape = x.shape
        return avg_pool_forward_formula(x, self.kernel_size, self.stride)

    def backward(self, g: np.ndarray) -> np.ndarray:
        self.check_grad(g)
        return avg_pool_backward_formula(g, self.x_shape, self.kernel_size, self.stride)


class Flatten(Layer):
    """``(N, C, H, W)`` to ``(N, C·H·W)``; backward reshapes ``g`` back."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        if x.ndim < 2:
            raise ValueError(f"x must have a batch axis and more, got shape {x.shape}")
        self.x_shape = x.shape
        return x.reshape(len(x), -1)

    def backward(self, g: np.ndarray) -> np.ndarray:
        self.check_grad(g)
        return g.reshape(self.x_shape)


class SoftmaxCrossEntropy:
    """The loss of ``torch.nn.CrossEntropyLoss`` (:func:`cross_entropy_forward_formula`):
    ``loss_fn(z, labels)`` returns the loss, then ``loss_fn.backward()`` returns ``∂L/∂z``."""

    def __call__(self, logits: np.ndarray, labels: np.ndarray) -> float:
        logits = _floats("logits", logits, 2)
        labels = np.asarray(labels)
        if labels.dtype.kind not in "iu" or labels.shape != logits.shape[:1]:
            raise ValueError(f"labels must be {logits.shape[0]} integers (one per row of logits), "
                             f"got dtype {labels.dtype} and shape {labels.shape}")
        if labels.min() < 0 or labels.max() >= logits.shape[1]:
            raise ValueError(f"labels must lie in [0, {logits.shape[1] - 1}], got "
                             f"{labels.min()} to {labels.max()}")
        loss, self.p = cross_entropy_forward_formula(logits, labels)
        self.labels = labels
        return loss

    def backward(self) -> np.ndarray:
        """``∂L/∂z`` for the last call."""
        if not hasattr(self, "p"):
            raise RuntimeError("SoftmaxCrossEntropy: call the loss on a batch before backward")
        return cross_entropy_backward_formula(self.p, self.labels)


class Sequential(Layer):
    """Layers applied one after the other; ``backward`` visits them in reverse order.

    Give the layers as arguments (named ``"0"``, ``"1"``, ... as in ``torch.nn.Sequential``)
    or as keywords (named by them, e.g. ``conv1=Conv2d(...)``); a parameter is named
    ``"<layer>.<weight|bias>"``, the keys of a PyTorch ``state_dict``.
    """

    def __init__(self, *layers: Layer, **named: Layer) -> None:
        if layers and named:
            raise TypeError("give the layers either all by position or all by name, not both")
        self.layers = {str(i): layer for i, layer in enumerate(layers)} | named
        for name, layer in self.layers.items():
            if not isinstance(layer, Layer):
                raise TypeError(f"layer {name!r} must be a Layer, got {type(layer).__name__}")
        if not self.layers:
            raise ValueError("Sequential needs at least one layer")

    def parameters(self) -> dict[str, Parameter]:
        return {f"{name}.{key}": p for name, layer in self.layers.items()
                for key, p in layer.parameters().items()}

    def forward(self, x: np.ndarray) -> np.ndarray:
        for layer in self.layers.values():
            x = layer(x)
        return x

    def backward(self, g: np.ndarray) -> np.ndarray | None:
        self.check_grad(g)
        for layer in reversed(self.layers.values()):
            g = layer.backward(g)
            if g is None:  # a first layer that was told not to compute ∂L/∂x
                break
        return g

    def zero_grad(self) -> None:
        for p in self.parameters().values():
            p.grad[...] = 0

    def predict(self, x: np.ndarray, batch_size: int = 1000) -> np.ndarray:
        """The highest-scoring class of every row of ``x``, computed ``batch_size`` at a time."""
        batch_size = check_int("batch_size", batch_size, minimum=1)
        return np.concatenate([self(x[i : i + batch_size]).argmax(axis=1)
                               for i in range(0, len(x), batch_size)])

    def load_state_dict(self, state: Mapping[str, object]) -> None:
        """Copy the arrays (or torch tensors) of a PyTorch ``state_dict`` into the parameters."""
        params = self.parameters()
        if set(state) != set(params):
            raise ValueError(f"state_dict keys must be {sorted(params)}; missing "
                             f"{sorted(set(params) - set(state))}, "
                             f"unexpected {sorted(set(state) - set(params))}")
        for key, p in params.items():
            value = as_array(f"state_dict[{key!r}]", state[key])
            if value.shape != p.data.shape:
                raise ValueError(f"state_dict[{key!r}] must have shape {p.data.shape}, "
                                 f"got {value.shape}")
            p.data[...] = value

    def state_dict(self) -> dict[str, object]:
        """The parameters as torch tensors (copies), ready for ``module.load_state_dict``."""
        import torch  # only here: the network itself needs nothing but NumPy

        return {k: torch.from_numpy(p.data.copy()) for k, p in self.parameters().items()}

    def to_torch(self) -> object:
        """The same network as a ``torch.nn.Sequential``: same names, weights and dtype."""
        model = _torch_twin(self)
        model.load_state_dict(self.state_dict())
        return model


def _torch_twin(layer: Layer) -> object:
    """The ``torch.nn`` module that computes what ``layer`` computes (weights not copied)."""
    import torch
    from torch import nn

    if isinstance(layer, Sequential):
        return nn.Sequential(OrderedDict((k, _torch_twin(v)) for k, v in layer.layers.items()))
    if isinstance(layer, Conv2d | Linear):
        shape, dtype = layer.weight.data.shape, getattr(torch, layer.weight.data.dtype.name)
        if isinstance(layer, Linear):
            return nn.Linear(shape[1], shape[0], dtype=dtype)
        return nn.Conv2d(shape[1], shape[0], shape[2:], layer.stride, layer.padding, dtype=dtype)
    if isinstance(layer, _Pool2d):
        pool = nn.MaxPool2d if isinstance(layer, MaxPool2d) else nn.AvgPool2d
        return pool(layer.kernel_size, layer.stride)
    simple = {ReLU: nn.ReLU, Sigmoid: nn.Sigmoid, Tanh: nn.Tanh, Flatten: nn.Flatten}
    if type(layer) not in simple:
        raise TypeError(f"no torch.nn twin for a {type(layer).__name__} layer")
    return simple[type(layer)]()


def lenet5(activation: str = "relu", pool: str = "max", padding: int = 2, *,
           num_classes: int = 10, dtype: str = "float32", seed: int = 0) -> Sequential:
    """LeNet-5 as :class:`cnnbook.models.LeNet5`, with the same ``state_dict`` keys.

    ``conv1`` does not compute ``∂L/∂x``: nobody needs the gradient of the images.
    """
    act = {"relu": ReLU, "sigmoid": Sigmoid, "tanh": Tanh}[
        check_choice("activation", activation, ("relu", "sigmoid", "tanh"))]
    down = {"max": MaxPool2d, "avg": AvgPool2d}[check_choice("pool", pool, ("max", "avg"))]
    padding = check_int("padding", padding, minimum=0)
    side = ((28 + 2 * padding - 4) // 2 - 4) // 2
    if side < 1:
        raise ValueError(f"padding={padding} leaves no pixels for a 28×28 input")
    kw = {"dtype": dtype}
    net = Sequential(
        conv1=Conv2d(1, 6, 5, padding=padding, seed=seed, **kw), act1=act(), pool1=down(2),
        conv2=Conv2d(6, 16, 5, seed=seed + 1, **kw), act2=act(), pool2=down(2),
        flatten=Flatten(), fc1=Linear(16 * side * side, 120, seed=seed + 2, **kw), act3=act(),
        fc2=Linear(120, 84, seed=seed + 3, **kw), act4=act(),
        fc3=Linear(84, check_int("num_classes", num_classes, minimum=2), seed=seed + 4, **kw))
    net.layers["conv1"].needs_input_grad = False
    return net


def finite_differences(f: Callable[[], float], array: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """``d f() / d array`` by central differences, one entry at a time (float64, for checks).

    ``f`` reads ``array`` (a parameter's data, or an input) each time it is called; every
    entry is nudged by ``±eps`` in place and restored: ``(f(a + eps) - f(a - eps)) / 2 eps``.
    """
    _floats("array", array, array.ndim if isinstance(array, np.ndarray) else None)
    eps = check_real("eps", eps, positive=True)
    return finite_differences_formula(f, array, eps)


def finite_differences_formula(f: Callable[[], float], a: np.ndarray,
                               eps: float) -> np.ndarray:
    """∂f/∂a[i] ≈ (f(a + ε e_i) − f(a − ε e_i)) / 2ε for every entry i of
    a, nudged in place and restored; the error shrinks like ε².
    Unchecked: call :func:`finite_differences`."""
    grad = np.zeros_like(a)
    for i in np.ndindex(a.shape):
        kept = a[i]
        a[i] = kept + eps
        up = f()
        a[i] = kept - eps
        down = f()
        a[i] = kept
        grad[i] = (up - down) / (2 * eps)
    return grad
