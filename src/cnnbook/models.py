"""The networks the book trains: LeNet-5 in three versions, and the small course networks.

Every model takes a batch of ``(N, 1, 28, 28)`` images and returns ``(N, num_classes)``
logits (no softmax: ``torch.nn.CrossEntropyLoss`` applies it).

- :class:`LeNet5` is LeNet-5's layout with one activation and one kind of pooling
  throughout. :meth:`LeNet5.modern` (ReLU and max pooling, also ``LeNet5()``) is what
  the book trains; :meth:`LeNet5.simplified` (sigmoid and average pooling) is the
  simplification that Dive into Deep Learning trains and presents as the original.
- :class:`LeNet1998` follows LeCun et al. (1998, section II.B and appendix A) more
  closely: the scaled tanh ``1.7159 tanh(2a/3)``, subsampling layers that add each 2×2
  window and multiply it by a trainable coefficient plus a trainable bias, the partial
  connection table of ``C3`` (:data:`C3_TABLE`), ``C5`` as a convolution, a 32×32 input
  field (the digit padded with background) and the weights drawn uniformly in
  ±2.4 / fan-in. Its output layer is an ordinary linear layer, not the paper's RBF units.
- :func:`initialise` re-draws a model's weights by a named rule (``"xavier"``,
  ``"lecun1998"``), so the initialisation can be compared like any other choice.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn

from cnnbook import data
from cnnbook._checks import check_choice, check_int, check_real

#: LeNet-5's squashing function (LeCun et al. 1998, appendix A): f(a) = A tanh(S a).
SCALED_TANH_A = 1.7159
SCALED_TANH_S = 2 / 3


class ScaledTanh(nn.Module):
    """``A tanh(S a)`` with LeNet-5's ``A = 1.7159`` and ``S = 2/3``, so that f(±1) = ±1."""

    def forward(self, a: torch.Tensor) -> torch.Tensor:
        return SCALED_TANH_A * torch.tanh(SCALED_TANH_S * a)


class AffineSigmoid(nn.Module):
    """``gain · σ(scale · a) + shift``: the sigmoid stretched, steepened or moved.

    ``tanh a = 2 σ(2a) − 1``, so tanh is the sigmoid made four times steeper *and*
    centred on zero; the two presets of :data:`ACTIVATIONS` make one change each.
    """

    def __init__(self, gain: float = 1.0, scale: float = 1.0, shift: float = 0.0) -> None:
        super().__init__()
        self.gain = check_real("gain", gain)
        self.scale = check_real("scale", scale)
        self.shift = check_real("shift", shift)

    def forward(self, a: torch.Tensor) -> torch.Tensor:
        return self.gain * torch.sigmoid(self.scale * a) + self.shift

    def extra_repr(self) -> str:
        return f"gain={self.gain}, scale={self.scale}, shift={self.shift}"


#: The activations a :class:`LeNet5` can use, by name.
ACTIVATIONS: dict[str, Callable[[], nn.Module]] = {
    "relu": nn.ReLU,
    "sigmoid": nn.Sigmoid,
    "tanh": nn.Tanh,
    "scaled-tanh": ScaledTanh,
    # σ(a) − 1/2: centred on zero, the sigmoid's slope (at most 1/4)
    "centred-sigmoid": lambda: AffineSigmoid(shift=-0.5),
    # 2σ(2a): tanh's slope (at most 1), the sigmoid's positive outputs
    "steep-sigmoid": lambda: AffineSigmoid(gain=2.0, scale=2.0),
}
POOLS: dict[str, type[nn.Module]] = {"max": nn.MaxPool2d, "avg": nn.AvgPool2d}


class LeNet5(nn.Module):
    """LeNet-5's layout: two 5×5 convolutions (6 and 16 maps), each pooled 2×2, fc 120-84-10.

    One ``activation`` (a name in :data:`ACTIVATIONS`) follows every layer but the last,
    and one ``pool`` (``"max"`` or ``"avg"``) follows each convolution. With
    ``padding=2`` a 28×28 image keeps its size through ``conv1``, so ``conv2`` sees
    14×14 and leaves 16 maps of 5×5 = 400 features for ``fc1``. The weights start as
    PyTorch initialises ``Conv2d`` and ``Linear``: uniform in ±1/√fan-in.
    """

    def __init__(
        self, activation: str = "relu", pool: str = "max", padding: int = 2,
        num_classes: int = 10,
    ) -> None:
        super().__init__()
        self.activation = check_choice("activation", activation, ACTIVATIONS)
        self.pool = check_choice("pool", pool, POOLS)
        padding = check_int("padding", padding, minimum=0)
        num_classes = check_int("num_classes", num_classes, minimum=2)
        size = ((28 + 2 * padding - 4) // 2 - 4) // 2  # side of the maps after pool2
        if size < 1:
            raise ValueError(f"padding={padding} leaves no pixels for a 28×28 input")
        self.conv1 = nn.Conv2d(1, 6, kernel_size=5, padding=padding)
        self.conv2 = nn.Conv2d(6, 16, kernel_size=5)
        self.fc1 = nn.Linear(16 * size * size, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, num_classes)
        self.act = ACTIVATIONS[activation]()
        self.down = POOLS[pool](kernel_size=2)

    @classmethod
    def modern(cls, **kwargs: int) -> LeNet5:
        """Today's habit, the book's default: ReLU and max pooling."""
        return cls(activation="relu", pool="max", **kwargs)

    @classmethod
    def simplified(cls, **kwargs: int) -> LeNet5:
        """Sigmoid and average pooling: Dive into Deep Learning's LeNet, not LeCun's.

        LeNet-5 squashed with a scaled tanh and subsampled with trainable coefficients
        (:class:`LeNet1998`).
        """
        return cls(activation="sigmoid", pool="avg", **kwargs)

    def features(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """The activated maps after ``conv1`` (6 maps) and after ``conv2`` (16 maps)."""
        c1 = self.act(self.conv1(x))
        c2 = self.act(self.conv2(self.down(c1)))
        return c1, c2

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        _, c2 = self.features(x)
        x = self.down(c2).flatten(1)
        x = self.act(self.fc1(x))
        x = self.act(self.fc2(x))
        return self.fc3(x)


class Subsampling(nn.Module):
    """LeNet-5's subsampling layer: each 2×2 window summed, times a trainable coefficient,
    plus a trainable bias, one pair per map (the squashing comes after, in the network).

    ``y[n, c, i, j] = w[c] · Σ_{u,v<2} x[n, c, 2i+u, 2j+v] + b[c]``: two parameters per map.
    """

    def __init__(self, channels: int) -> None:
        super().__init__()
        channels = check_int("channels", channels, minimum=1)
        self.weight = nn.Parameter(torch.ones(channels))
        self.bias = nn.Parameter(torch.zeros(channels))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        window_sums = 4 * nn.functional.avg_pool2d(x, 2)
        return window_sums * self.weight[:, None, None] + self.bias[:, None, None]


#: Table I of LeCun et al. (1998): the ``S2`` maps each of ``C3``'s 16 maps reads. The first
#: six read three neighbouring maps, the next six four neighbouring maps, the next three
#: four maps that are not all neighbours, and the last all six.
C3_TABLE: tuple[tuple[int, ...], ...] = (
    (0, 1, 2), (1, 2, 3), (2, 3, 4), (3, 4, 5), (0, 4, 5), (0, 1, 5),
    (0, 1, 2, 3), (1, 2, 3, 4), (2, 3, 4, 5), (0, 3, 4, 5), (0, 1, 4, 5), (0, 1, 2, 5),
    (0, 1, 3, 4), (1, 2, 4, 5), (0, 2, 3, 5),
    (0, 1, 2, 3, 4, 5),
)


def _uniform(like: torch.Tensor, bound: torch.Tensor) -> torch.Tensor:
    """Uniform in ±``bound`` (one bound per entry of ``like``'s first axis)."""
    bound = bound.to(like).reshape(-1, *([1] * (like.dim() - 1)))
    return (2 * torch.rand_like(like) - 1) * bound


class TableConv2d(nn.Module):
    """A convolution in which output map ``o`` reads only the input maps ``table[o]``.

    Only the kernels of the listed (output, input) pairs exist as parameters, so the
    layer holds ``k²·Σ|table[o]| + C_out`` numbers; ``full_weight()`` places them in a
    ``(C_out, C_in, k, k)`` kernel whose other entries are zero.
    """

    def __init__(self, in_channels: int, table: tuple[tuple[int, ...], ...],
                 kernel_size: int) -> None:
        super().__init__()
        self.in_channels = check_int("in_channels", in_channels, minimum=1)
        self.kernel_size = check_int("kernel_size", kernel_size, minimum=1)
        if not table or any(not row or len(set(row)) != len(row)
                            or not all(0 <= c < in_channels for c in row) for row in table):
            raise ValueError(f"table must list, for each output map, distinct input maps "
                             f"in 0..{in_channels - 1}; got {table!r}")
        self.table = tuple(tuple(row) for row in table)
        pairs = [(o, c) for o, row in enumerate(self.table) for c in row]
        self.register_buffer("out_index", torch.tensor([o for o, _ in pairs]), persistent=False)
        self.register_buffer("in_index", torch.tensor([c for _, c in pairs]), persistent=False)
        fans = [len(self.table[o]) * kernel_size**2 for o, _ in pairs]
        self.register_buffer("fan_in", torch.tensor(fans, dtype=torch.float32),
                             persistent=False)  # of the unit each kernel feeds
        self.out_channels = len(self.table)
        self.weight = nn.Parameter(torch.empty(len(pairs), kernel_size, kernel_size))
        self.bias = nn.Parameter(torch.empty(self.out_channels))
        with torch.no_grad():  # as PyTorch's Conv2d: uniform in ±1/√fan-in
            self.weight.copy_(_uniform(self.weight, 1 / self.fan_in.sqrt()))
            row_fans = torch.tensor([len(row) * kernel_size**2 for row in self.table])
            self.bias.copy_(_uniform(self.bias, 1 / row_fans.sqrt()))

    def full_weight(self) -> torch.Tensor:
        """The ``(C_out, C_in, k, k)`` kernel: the table's kernels, zeros elsewhere."""
        k = self.kernel_size
        full = self.weight.new_zeros(self.out_channels, self.in_channels, k, k)
        return full.index_put((self.out_index, self.in_index), self.weight)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return nn.functional.conv2d(x, self.full_weight(), self.bias)


class LeNet1998(nn.Module):
    """LeNet-5 as LeCun et al. (1998) describe it, but for its output layer.

    ``C1`` (6 maps, 5×5) on the 28×28 digit padded by 2 with the background value (the
    paper's 32×32 field); ``S2`` and ``S4`` are :class:`Subsampling`; ``C3`` is a
    :class:`TableConv2d` with :data:`C3_TABLE`; ``C5`` a 5×5 convolution to 120 maps of
    1×1; ``F6`` 84 units. Every layer but the last is squashed by :class:`ScaledTanh`. The
    paper's output layer, 10 Euclidean RBF units with fixed ±1 codes, is here a linear
    layer ``out`` (84 → ``num_classes``) trained with the cross-entropy like the others.
    The weights are drawn by :func:`initialise`'s ``"lecun1998"`` rule.

    ``background`` is the value of a background pixel in the model's input: by default
    MNIST's black after the book's standardisation, ``-mean/std``.
    """

    def __init__(self, num_classes: int = 10, background: float | None = None) -> None:
        super().__init__()
        num_classes = check_int("num_classes", num_classes, minimum=2)
        mnist = data.DATASETS["mnist"]
        self.background = (-mnist.mean / mnist.std if background is None
                           else check_real("background", background))
        self.c1 = nn.Conv2d(1, 6, kernel_size=5)
        self.s2 = Subsampling(6)
        self.c3 = TableConv2d(6, C3_TABLE, kernel_size=5)
        self.s4 = Subsampling(16)
        self.c5 = nn.Conv2d(16, 120, kernel_size=5)
        self.f6 = nn.Linear(120, 84)
        self.out = nn.Linear(84, num_classes)
        self.act = ScaledTanh()
        initialise(self, "lecun1998")

    def features(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """The squashed maps of ``C1`` (6 of 28×28) and ``C3`` (16 of 10×10)."""
        x = nn.functional.pad(x, (2, 2, 2, 2), value=self.background)  # 28×28 -> 32×32
        c1 = self.act(self.c1(x))
        c3 = self.act(self.c3(self.act(self.s2(c1))))
        return c1, c3

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        _, c3 = self.features(x)
        x = self.act(self.c5(self.act(self.s4(c3)))).flatten(1)
        return self.out(self.act(self.f6(x)))


#: Weight initialisations by name (the biases are left alone, except where noted).
INITIALISATIONS: tuple[str, ...] = ("xavier", "lecun1998")


@torch.no_grad()
def initialise(model: nn.Module, rule: str) -> nn.Module:
    """Draw the weights of every convolution, linear and subsampling layer by ``rule``.

    - ``"xavier"``: Glorot and Bengio's uniform rule, ±√(6 / (fan-in + fan-out)), as
      Dive into Deep Learning initialises its LeNet (biases unchanged);
    - ``"lecun1998"``: uniform in ±2.4 / fan-in, LeCun et al. (1998, appendix A); the
      paper gives no rule for biases, and here they start at 0.

    The fan-in of a unit is the number of inputs it reads (``C_in k²`` for a
    convolution, 4 for a 2×2 subsampling, the table's row times ``k²`` in ``C3``).
    Returns ``model``.
    """
    check_choice("rule", rule, INITIALISATIONS)
    for module in model.modules():
        if isinstance(module, nn.Conv2d | nn.Linear):
            if rule == "xavier":
                nn.init.xavier_uniform_(module.weight)
                continue
            bound = 2.4 / module.weight[0].numel()  # fan-in: C_in k² or in_features
            nn.init.uniform_(module.weight, -bound, bound)
        elif isinstance(module, TableConv2d):
            if rule == "xavier":
                raise ValueError("the xavier rule needs one fan-in per layer; a TableConv2d "
                                 "has one per output map")
            module.weight.copy_(_uniform(module.weight, 2.4 / module.fan_in))
        elif isinstance(module, Subsampling):
            if rule == "xavier":
                continue  # no fan-out to speak of: keep the coefficients at 1
            bound = 2.4 / 4
            nn.init.uniform_(module.weight, -bound, bound)
        else:
            continue
        if rule == "lecun1998":
            nn.init.zeros_(module.bias)
    return model


class CourseNet(nn.Module):
    """The course's small CNN: conv 1→10 and 10→20 (5×5), each max-pooled 2×2, fc 320→10."""

    def __init__(self, num_classes: int = 10) -> None:
        super().__init__()
        num_classes = check_int("num_classes", num_classes, minimum=2)
        self.conv1 = nn.Conv2d(1, 10, kernel_size=5)  # 28 -> 24, pooled to 12
        self.conv2 = nn.Conv2d(10, 20, kernel_size=5)  # 12 -> 8, pooled to 4
        self.fc = nn.Linear(20 * 4 * 4, num_classes)
        self.pool = nn.MaxPool2d(2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = torch.relu(self.pool(self.conv1(x)))
        x = torch.relu(self.pool(self.conv2(x)))
        return self.fc(x.flatten(1))


class CourseNet3(nn.Module):
    """The course's homework: three 3×3 convolutions (10, 20, 30 maps) and fc 120-60-30-10.

    The spatial sizes run 28 → 26 → 13 → 13 (``conv2`` is padded) → 6 → 4 → 2, so
    ``fc1`` sees 30·2·2 = 120 features. ReLU sits between the fc layers too: without
    it three linear layers would collapse into one.
    """

    def __init__(self, num_classes: int = 10) -> None:
        super().__init__()
        num_classes = check_int("num_classes", num_classes, minimum=2)
        self.conv1 = nn.Conv2d(1, 10, kernel_size=3)
        self.conv2 = nn.Conv2d(10, 20, kernel_size=3, padding=1)
        self.conv3 = nn.Conv2d(20, 30, kernel_size=3)
        self.fc1 = nn.Linear(30 * 2 * 2, 60)
        self.fc2 = nn.Linear(60, 30)
        self.fc3 = nn.Linear(30, num_classes)
        self.pool = nn.MaxPool2d(2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for conv in (self.conv1, self.conv2, self.conv3):
            x = torch.relu(self.pool(conv(x)))
        x = torch.relu(self.fc1(x.flatten(1)))
        x = torch.relu(self.fc2(x))
        return self.fc3(x)


MODELS: dict[str, Callable[[], nn.Module]] = {
    "lenet5": LeNet5.modern,
    "lenet5-1998": LeNet1998,
    "lenet5-simplified": LeNet5.simplified,
    "coursenet": CourseNet,
    "coursenet3": CourseNet3,
}


def build(name: str) -> nn.Module:
    """A fresh, randomly initialised model by name: one of :data:`MODELS`."""
    return MODELS[check_choice("name", name, MODELS)]()
