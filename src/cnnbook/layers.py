"""A tiny network library in NumPy: every layer's forward pass and its backward pass, written out.

There is no autograd tape. Each layer remembers in ``forward`` what its ``backward`` will
need, and ``backward(grad_out)`` applies the chain rule by hand: given ``dL/dy`` for its
output ``y`` it returns ``dL/dx`` for its input ``x`` and *adds* the gradients of its
parameters to their ``grad`` (as PyTorch does; :meth:`Sequential.zero_grad` clears them).
Shapes and names follow PyTorch, so a :class:`Sequential` loads a ``state_dict`` of the
equivalent ``torch.nn`` network and computes the same numbers.
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


class Layer:
    """One step of a network: ``forward`` computes and remembers, ``backward`` runs the chain rule.

    Call a layer, ``layer(x)``, rather than ``layer.forward(x)`` (as in PyTorch): the call
    checks ``x`` first, and remembers the output's shape so that ``backward`` can check
    ``grad_out``. A layer may hold :class:`Parameter` s, listed by :meth:`parameters`.
    """

    ndim: int | None = None  # the number of dimensions forward expects

    def parameters(self) -> dict[str, Parameter]:
        return {}

    def forward(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def backward(self, grad_out: np.ndarray) -> np.ndarray | None:
        raise NotImplementedError

    def __call__(self, x: np.ndarray) -> np.ndarray:
        self._out = None  # a failed forward pass leaves nothing to backpropagate
        params = self.parameters()
        weight = params.get("weight")
        _floats("x", x, self.ndim, weight.data.dtype if weight else None)
        if weight is not None and x.shape[1] != weight.data.shape[1]:
            raise ValueError(f"x must have {weight.data.shape[1]} channels or features on axis 1 "
                             f"(weight shape {weight.data.shape}), got shape {x.shape}")
        y = self.forward(x)
        self._out = (y.shape, y.dtype)
        return y

    def check_grad(self, grad_out: np.ndarray) -> None:
        """Refuse a ``grad_out`` that does not match the last output of the layer."""
        if getattr(self, "_out", None) is None:
            raise RuntimeError(f"{type(self).__name__}: call the layer on a batch before backward")
        shape, dtype = self._out
        _floats("grad_out", grad_out, len(shape), dtype)
        if grad_out.shape != shape:
            raise ValueError(f"grad_out must have the shape of the last output {shape}, "
                             f"got {grad_out.shape}")


def _init(rng: np.random.Generator, shape: tuple[int, ...], fan_in: int, dtype: str) -> Parameter:
    """PyTorch's default initialisation: uniform on ``[-1/sqrt(fan_in), 1/sqrt(fan_in)]``."""
    bound = 1 / np.sqrt(fan_in)
    return Parameter(rng.uniform(-bound, bound, shape).astype(dtype))


class Conv2d(Layer):
    """``y = conv2d(x, W) + b``: ``x`` ``(N, C, H, W)`` and ``W`` ``(O, C, kh, kw)`` make ``y``
    ``(N, O, H', W')``, computed as one matrix product with :func:`cnnbook.ops.im2col`'s columns.

    ``cols`` ``(N, C*kh*kw, L)`` holds every window of ``x`` as a column (``L = H' W'``) and
    ``y = W_mat @ cols + b`` with ``W_mat = W.reshape(O, C*kh*kw)``. The layer keeps ``cols``
    for the backward pass, where, with ``g = dL/dy`` as ``(N, O, L)``:
    ``dL/dW_mat = sum_n g[n] @ cols[n]^T``, ``dL/db = sum_{n,l} g[n, :, l]`` and
    ``dL/dx = col2im(W_mat^T @ g)``: each window's gradient is added back to the pixels it
    was read from. These are :func:`cnnbook.ops.conv2d_backward`'s three gradients.
    ``needs_input_grad = False`` skips ``dL/dx``, which a first layer does not need.
    """

    ndim = 4

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int | tuple[int, int],
                 stride: int | tuple[int, int] = 1, padding: int | tuple[int, int] = 0, *,
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
        n, _, h, w = self.x_shape = x.shape
        h_out, w_out = ops.conv_output_size((h, w), self.kernel_size, self.stride, self.padding)
        self.cols = ops.im2col(x, self.kernel_size, self.stride, self.padding)  # (N, C*kh*kw, L)
        w_mat = self.weight.data.reshape(len(self.weight.data), -1)  # (O, C*kh*kw)
        y = w_mat @ self.cols + self.bias.data[:, None]  # (N, O, L)
        return y.reshape(n, -1, h_out, w_out)

    def backward(self, grad_out: np.ndarray) -> np.ndarray | None:
        self.check_grad(grad_out)
        w = self.weight.data
        g = grad_out.reshape(len(grad_out), len(w), -1)  # (N, O, L)
        self.weight.grad += (g @ self.cols.transpose(0, 2, 1)).sum(axis=0).reshape(w.shape)
        self.bias.grad += g.sum(axis=(0, 2))
        if not self.needs_input_grad:
            return None
        grad_cols = w.reshape(len(w), -1).T @ g  # (N, C*kh*kw, L)
        return ops.col2im(grad_cols, self.x_shape[2:], self.kernel_size, self.stride, self.padding)


class Linear(Layer):
    """``y = x W^T + b``: ``x`` ``(N, in)``, ``W`` ``(out, in)``, ``y`` ``(N, out)``.

    Backward, with ``g = dL/dy`` ``(N, out)``: ``dL/dx = g W`` ``(N, in)``,
    ``dL/dW = g^T x`` ``(out, in)``, ``dL/db = sum_n g[n]`` ``(out,)``.
    """

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
        self.x = x
        return x @ self.weight.data.T + self.bias.data

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        self.check_grad(grad_out)
        self.weight.grad += grad_out.T @ self.x
        self.bias.grad += grad_out.sum(axis=0)
        return grad_out @ self.weight.data


class ReLU(Layer):
    """``y = max(0, x)``, any shape. Backward: ``dL/dx = g * [x > 0]`` (slope 0 at 0, as torch)."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.positive = x > 0
        return np.maximum(x, 0)

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        self.check_grad(grad_out)
        return grad_out * self.positive


class Sigmoid(Layer):
    """``y = 1 / (1 + exp(-x))``, any shape. Backward: ``dL/dx = g * y * (1 - y)``."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.y = 0.5 + 0.5 * np.tanh(0.5 * x)  # the same function, and exp cannot overflow
        return self.y

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        self.check_grad(grad_out)
        return grad_out * self.y * (1 - self.y)


class Tanh(Layer):
    """``y = tanh(x)``, any shape. Backward: ``dL/dx = g * (1 - y^2)``."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.y = np.tanh(x)
        return self.y

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        self.check_grad(grad_out)
        return grad_out * (1 - self.y**2)


class _Pool2d(Layer):
    """Pooling as im2col: each ``k × k`` window of each channel becomes a column, then one
    number per column. ``(N, C, H, W)`` becomes ``(N, C, H', W')``; the backward pass
    builds the columns' gradient and :func:`cnnbook.ops.col2im` adds it back onto the pixels.
    """

    ndim = 4

    def __init__(self, kernel_size: int | tuple[int, int],
                 stride: int | tuple[int, int] | None = None) -> None:
        self.kernel_size = check_tuple("kernel_size", kernel_size, 2, minimum=1)
        self.stride = self.kernel_size if stride is None else check_tuple(
            "stride", stride, 2, minimum=1)

    def columns(self, x: np.ndarray) -> np.ndarray:
        """``(N*C, kh*kw, L)``: the windows of every channel, one per column."""
        n, c, h, w = self.x_shape = x.shape
        self.out_shape = (n, c, *ops.pool_output_size((h, w), self.kernel_size, self.stride))
        return ops.im2col(x.reshape(n * c, 1, h, w), self.kernel_size, self.stride)

    def fold(self, grad_cols: np.ndarray) -> np.ndarray:
        """The columns' gradient added back onto the pixels: ``(N, C, H, W)``."""
        n, c, h, w = self.x_shape
        return ops.col2im(grad_cols, (h, w), self.kernel_size, self.stride).reshape(n, c, h, w)


class MaxPool2d(_Pool2d):
    """The largest value of each window. Backward: the window's gradient ``g[n, c, i, j]`` goes,
    whole, to its winner (the first maximum in reading order, as in PyTorch), 0 elsewhere.
    The same as :func:`cnnbook.ops.max_pool2d_backward`, which recomputes the winners.
    """

    def forward(self, x: np.ndarray) -> np.ndarray:
        cols = self.columns(x)
        self.winner = cols.argmax(axis=1)[:, None]  # (N*C, 1, L): kept for backward
        self.cols_shape = cols.shape
        return cols.max(axis=1).reshape(self.out_shape)

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        self.check_grad(grad_out)
        grad_cols = np.zeros(self.cols_shape, grad_out.dtype)
        np.put_along_axis(grad_cols, self.winner, grad_out.reshape(len(grad_cols), 1, -1), axis=1)
        return self.fold(grad_cols)


class AvgPool2d(_Pool2d):
    """The mean of each window. Backward: ``g[n, c, i, j] / (kh * kw)`` goes to every pixel of
    the window (as :func:`cnnbook.ops.avg_pool2d_backward`)."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        cols = self.columns(x)
        self.cols_shape = cols.shape
        return cols.mean(axis=1).reshape(self.out_shape)

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        self.check_grad(grad_out)
        share = grad_out.reshape(len(grad_out) * grad_out.shape[1], 1, -1) / self.cols_shape[1]
        return self.fold(np.broadcast_to(share, self.cols_shape))


class Flatten(Layer):
    """``(N, C, H, W)`` to ``(N, C*H*W)``. Backward: ``g`` reshaped back to ``(N, C, H, W)``."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        if x.ndim < 2:
            raise ValueError(f"x must have a batch axis and more, got shape {x.shape}")
        self.x_shape = x.shape
        return x.reshape(len(x), -1)

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        self.check_grad(grad_out)
        return grad_out.reshape(self.x_shape)


class SoftmaxCrossEntropy:
    """The mean over the batch of ``-log softmax(z)[label]`` (``torch.nn.CrossEntropyLoss``).

    Backward: ``dL/dz = (softmax(z) - onehot(label)) / N``: the predicted probabilities
    minus the true ones, for every logit at once.
    """

    def __call__(self, logits: np.ndarray, labels: np.ndarray) -> float:
        logits = _floats("logits", logits, 2)
        labels = np.asarray(labels)
        if labels.dtype.kind not in "iu" or labels.shape != logits.shape[:1]:
            raise ValueError(f"labels must be {logits.shape[0]} integers (one per row of logits), "
                             f"got dtype {labels.dtype} and shape {labels.shape}")
        if labels.min() < 0 or labels.max() >= logits.shape[1]:
            raise ValueError(f"labels must lie in [0, {logits.shape[1] - 1}], got "
                             f"{labels.min()} to {labels.max()}")
        shifted = logits - logits.max(axis=1, keepdims=True)  # exp cannot overflow now
        log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        self.p, self.labels = np.exp(log_p), labels
        return float(-log_p[np.arange(len(labels)), labels].mean())

    def backward(self) -> np.ndarray:
        """``dL/dz`` for the last call."""
        if not hasattr(self, "p"):
            raise RuntimeError("SoftmaxCrossEntropy: call the loss on a batch before backward")
        grad = self.p.copy()
        grad[np.arange(len(self.labels)), self.labels] -= 1
        return grad / len(self.labels)


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

    def backward(self, grad_out: np.ndarray) -> np.ndarray | None:
        self.check_grad(grad_out)
        for layer in reversed(self.layers.values()):
            grad_out = layer.backward(grad_out)
            if grad_out is None:  # a first layer that was told not to compute dL/dx
                break
        return grad_out

    def zero_grad(self) -> None:
        for p in self.parameters().values():
            p.grad[...] = 0

    def predict(self, x: np.ndarray, batch_size: int = 1000) -> np.ndarray:
        """The highest-scoring class of every row of ``x``, computed ``batch_size`` at a time."""
        batch_size = check_int("batch_size", batch_size, minimum=1)
        return np.concatenate([self(x[i : i + batch_size]).argmax(axis=1)
                               for i in range(0, len(x), batch_size)])

    def count_parameters(self) -> int:
        """How many learnable numbers the network holds."""
        return sum(p.data.size for p in self.parameters().values())

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
    """LeNet-5 as :class:`cnnbook.models.LeNet5`, with the same ``state_dict`` keys."""
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
    net.layers["conv1"].needs_input_grad = False  # nobody asks for dL/d(image)
    return net


def finite_differences(f: Callable[[], float], array: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """``d f() / d array`` by central differences, one entry at a time (float64, for checks).

    ``f`` reads ``array`` (a parameter's data, or an input) each time it is called; every
    entry is nudged by ``±eps`` in place and restored.
    """
    _floats("array", array, array.ndim if isinstance(array, np.ndarray) else None)
    eps = check_real("eps", eps, positive=True)
    grad = np.zeros_like(array)
    for i in np.ndindex(array.shape):
        kept = array[i]
        array[i] = kept + eps
        up = f()
        array[i] = kept - eps
        down = f()
        array[i] = kept
        grad[i] = (up - down) / (2 * eps)
    return grad
