"""The dense rival of LeNet, training alike, and accuracy on shifted digits."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from cnnbook import data, ops, train
from cnnbook.inductive_bias import (
    DIRECTIONS,
    dense_network,
    epochs_for,
    matching_width,
    shifted_accuracy,
    train_alike,
)
from cnnbook.models import LeNet5


def test_dense_network_layers_and_parameters():
    net = dense_network([70, 84])
    linear = [m for m in net if isinstance(m, nn.Linear)]
    assert [(m.in_features, m.out_features) for m in linear] == [(784, 70), (70, 84), (84, 10)]
    assert sum(isinstance(m, nn.ReLU) for m in net) == 2
    assert ops.count_parameters(net) == 785 * 70 + 71 * 84 + 85 * 10
    assert net(torch.zeros(3, 1, 28, 28)).shape == (3, 10)


@settings(max_examples=40)
@given(target=st.integers(1, 300_000), second=st.integers(1, 120))
def test_matching_width_is_the_nearest_width(target, second):
    h = matching_width(target, second)
    count = lambda w: 785 * w + (w + 1) * second + (second + 1) * 10  # noqa: E731
    best = min(abs(count(w) - target) for w in range(1, 600))
    assert abs(count(h) - target) == best or h >= 599


def test_the_dense_rival_of_lenet_has_about_its_parameters():
    lenet = LeNet5.modern()
    width = matching_width(ops.count_parameters(lenet))
    rival = dense_network([width, 84])
    assert width == 70 and ops.count_parameters(lenet) == 61_706
    assert ops.count_parameters(rival) == 61_764  # hidden widths 70 and 84
    assert abs(ops.count_parameters(rival) / 61_706 - 1) < 0.001


def test_epochs_for_gives_at_least_the_steps():
    assert epochs_for(469, 60_000, 256) == 2
    assert epochs_for(469, 1000, 256) == 118  # 4 batches an epoch, 472 steps
    assert epochs_for(1, 1, 256) == 1
    with pytest.raises(ValueError, match="n_images must be an integer >= 1"):
        epochs_for(10, 0)


def tiny_split(n: int, seed: int) -> data.Split:
    gen = torch.Generator().manual_seed(seed)
    images = torch.randn(n, 1, 8, 8, generator=gen)
    labels = (images[:, 0, :4].mean(dim=(1, 2)) > images[:, 0, 4:].mean(dim=(1, 2))).long()
    return data.Split(images, labels, ("bottom", "top"), 0.5, 2.0)


def test_train_alike_is_fit_from_the_same_seed():
    split = tiny_split(96, 0)
    builders = {"dense": lambda: dense_network([5], inputs=64, classes=2),
                "conv": lambda: nn.Sequential(nn.Conv2d(1, 2, 3), nn.Flatten(),
                                              nn.Linear(72, 2))}
    runs = train_alike(builders, split, split, epochs=2, seed=3, progress=False)
    assert list(runs) == ["dense", "conv"]
    for name, build in builders.items():
        torch.manual_seed(3)
        net = build()
        history = train.fit(net, split, split, epochs=2, seed=3, progress=False)
        assert history.test_accuracy == runs[name][1].test_accuracy
        for a, b in zip(net.parameters(), runs[name][0].parameters(), strict=True):
            assert torch.equal(a, b)
    with pytest.raises(TypeError, match="builders must be a non-empty mapping"):
        train_alike({}, split, split)


def test_shifted_accuracy_against_padding_and_cropping():
    split = tiny_split(50, 1)
    torch.manual_seed(0)
    net = nn.Sequential(nn.Flatten(), nn.Linear(64, 2))
    black = -0.5 / 2.0  # a pixel of 0 after subtracting 0.5 and dividing by 2
    got = shifted_accuracy(net, split, [0, 1, 3])
    assert got.shape == (3, 4)
    for i, s in enumerate([0, 1, 3]):
        for j, (down, right) in enumerate(DIRECTIONS):
            # pad s pixels of black on the side the image moves away from, then crop
            padded = F.pad(split.images, (s, s, s, s), value=black)
            top, left = s - s * down, s - s * right
            moved = padded[:, :, top : top + 8, left : left + 8]
            with torch.no_grad():
                expected = (net(moved).argmax(1) == split.labels).double().mean().item()
            assert np.isclose(got[i, j], expected)
    assert np.allclose(got[0], train.evaluate(net, split)[0])


def test_shifted_accuracy_rejects_bad_arguments():
    net, split = nn.Sequential(nn.Flatten(), nn.Linear(64, 2)), tiny_split(4, 0)
    with pytest.raises(TypeError, match="split must be a cnnbook.data.Split"):
        shifted_accuracy(net, split.images, [1])
    with pytest.raises(ValueError, match="shifts must be an integer >= 0"):
        shifted_accuracy(net, split, [-1])
    with pytest.raises(ValueError, match="must each list at least one entry"):
        shifted_accuracy(net, split, [])
    with pytest.raises(TypeError, match="hidden must be a non-empty list"):
        dense_network(70)
