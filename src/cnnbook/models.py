"""The networks the book trains: LeNet-5 (original and modern) and the small course networks.

Every model takes a batch of ``(N, 1, 28, 28)`` images and returns ``(N, num_classes)``
logits (no softmax: ``torch.nn.CrossEntropyLoss`` applies it).
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn

from cnnbook._checks import check_choice, check_int

ACTIVATIONS: dict[str, type[nn.Module]] = {"relu": nn.ReLU, "sigmoid": nn.Sigmoid}
POOLS: dict[str, type[nn.Module]] = {"max": nn.MaxPool2d, "avg": nn.AvgPool2d}


class LeNet5(nn.Module):
    """LeNet-5: two 5×5 convolutions (6 and 16 maps), each pooled 2×2, then fc 120-84-10.

    ``activation="sigmoid", pool="avg"`` is the 1998 network (:meth:`original`);
    ``activation="relu", pool="max"`` is today's habit (:meth:`modern`). With
    ``padding=2`` a 28×28 image keeps its size through ``conv1``, so ``conv2`` sees
    14×14 and leaves 16 maps of 5×5 = 400 features for ``fc1``.
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
    def original(cls, **kwargs: int) -> LeNet5:
        """LeCun et al.'s choices: sigmoid activations and average pooling."""
        return cls(activation="sigmoid", pool="avg", **kwargs)

    @classmethod
    def modern(cls, **kwargs: int) -> LeNet5:
        """The same layers with ReLU and max pooling."""
        return cls(activation="relu", pool="max", **kwargs)

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
    "lenet5-original": LeNet5.original,
    "coursenet": CourseNet,
    "coursenet3": CourseNet3,
}


def build(name: str) -> nn.Module:
    """A fresh, randomly initialised model by name: one of :data:`MODELS`."""
    return MODELS[check_choice("name", name, MODELS)]()
