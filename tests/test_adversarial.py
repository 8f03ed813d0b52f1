"""FGSM's sign step, its random control and the flip rate, against hand-made computations."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from cnnbook.adversarial import fgsm, flip_rate, random_sign


def linear_model(classes: int = 2, seed: int = 0) -> nn.Module:
    torch.manual_seed(seed)
    return nn.Sequential(nn.Flatten(), nn.Linear(12, classes)).double()


def batch(n: int = 20, seed: int = 1) -> torch.Tensor:
    gen = torch.Generator().manual_seed(seed)
    return torch.randn(n, 1, 3, 4, generator=gen, dtype=torch.float64)


def test_fgsm_is_one_sign_step_of_the_loss_gradient():
    net, x = linear_model(3), batch(5)
    labels = torch.tensor([0, 1, 2, 1, 0])
    leaf = x.clone().requires_grad_(True)
    for n in range(5):  # one image at a time, its own loss
        nn.functional.cross_entropy(net(leaf[n : n + 1]), labels[n : n + 1]).backward()
    expected = x + 0.1 * leaf.grad.sign()
    got = fgsm(net, x, labels, 0.1)
    assert torch.allclose(got, expected)
    assert torch.allclose((got - x).abs(), torch.full_like(x, 0.1))  # every pixel moves by ε


def test_fgsm_of_a_linear_model_moves_against_the_weight_difference():
    net, x = linear_model(2), batch(6)
    labels = torch.tensor([0, 1, 0, 1, 1, 0])
    w = net[1].weight.detach().numpy()
    # ∂J/∂x = -(1 - p_y)(w_y - w_other): the sign is that of w_other - w_y
    other = 1 - labels.numpy()
    expected = x.numpy() + 0.3 * np.sign(w[other] - w[labels.numpy()]).reshape(6, 1, 3, 4)
    assert np.allclose(fgsm(net, x, labels, 0.3).numpy(), expected)


def test_fgsm_clips_to_the_bounds_and_raises_the_loss_more_than_random_noise():
    net, x = linear_model(3), batch(50)
    labels = net(x).argmax(1)
    adv = fgsm(net, x, labels, 0.5, bounds=(-1.0, 1.0))
    assert adv.min() >= -1 and adv.max() <= 1
    loss = nn.functional.cross_entropy
    unclipped = fgsm(net, x, labels, 0.05)
    noisy = random_sign(x, 0.05, seed=3)
    with torch.no_grad():
        assert loss(net(unclipped), labels) > loss(net(noisy), labels) > 0
        assert loss(net(unclipped), labels) > loss(net(x), labels)


def test_random_sign_moves_every_pixel_by_epsilon_reproducibly():
    x = batch(4).float()
    a, b, c = random_sign(x, 0.2, seed=1), random_sign(x, 0.2, seed=1), random_sign(x, 0.2, 2)
    assert torch.equal(a, b) and not torch.equal(a, c)
    assert torch.allclose((a - x).abs(), torch.full_like(x, 0.2))
    signs = torch.sign(a - x)
    assert 0.3 < (signs > 0).double().mean() < 0.7
    assert a.dtype == torch.float32


@settings(max_examples=25)
@given(seed=st.integers(0, 2**16), eps=st.lists(st.floats(0, 2), min_size=1, max_size=4))
def test_flip_rate_of_a_linear_two_class_model_by_hand(seed, eps):
    """FGSM lowers the margin (w_y - w_o)·x + b_y - b_o by exactly ε‖w_y - w_o‖₁."""
    net, x = linear_model(2, seed), batch(40, seed + 1)
    labels = torch.randint(0, 2, (40,), generator=torch.Generator().manual_seed(seed))
    w, bias = net[1].weight.detach().numpy(), net[1].bias.detach().numpy()
    y, o = labels.numpy(), 1 - labels.numpy()
    margin = ((w[y] - w[o]) * x.numpy().reshape(40, 12)).sum(1) + bias[y] - bias[o]
    right = margin > 0
    if not right.any():
        return
    width = np.abs(w[y] - w[o]).sum(1)
    expected = [np.mean(margin[right] < e * width[right]) for e in eps]
    got = flip_rate(net, x, labels, eps, batch_size=7)
    near = [np.any(np.isclose(margin[right], e * width[right])) for e in eps]  # ties: skip
    assert np.allclose(np.array(got)[~np.array(near)], np.array(expected)[~np.array(near)])


def test_flip_rate_against_a_loop_for_both_attacks():
    torch.manual_seed(0)
    net = nn.Sequential(nn.Flatten(), nn.Linear(12, 8), nn.ReLU(), nn.Linear(8, 4)).double()
    x = batch(30)
    labels = net(x).argmax(1)
    labels[:5] = (labels[:5] + 1) % 4  # five the model gets wrong: they do not count
    right = net(x).argmax(1) == labels
    for attack in ("fgsm", "random"):
        got = flip_rate(net, x, labels, [0.0, 0.3, 1.0], attack=attack, batch_size=30)
        for e, rate in zip([0.0, 0.3, 1.0], got, strict=True):
            moved = (fgsm(net, x[right], labels[right], e) if attack == "fgsm"
                     else random_sign(x[right], e, seed=0))
            expected = (net(moved).argmax(1) != labels[right]).double().mean().item()
            assert np.isclose(rate, expected)
        assert got[0] == 0


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"epsilon": -0.1}, ValueError, "epsilon must be >= 0"),
        ({"epsilon": "big"}, TypeError, "epsilon must be a real number"),
        ({"bounds": (1.0, 0.0)}, ValueError, "bounds must have low < high"),
        ({"bounds": 1.0}, TypeError, r"bounds must be None or a pair \(low, high\)"),
        ({"labels": torch.tensor([5, 0])}, ValueError, r"class indices in \[0, 1\]"),
    ],
)
def test_fgsm_rejects_bad_arguments(kwargs, error, match):
    args = {"labels": torch.tensor([0, 1]), "epsilon": 0.1} | kwargs
    with pytest.raises(error, match=match):
        fgsm(linear_model(), batch(2), **args)


def test_flip_rate_rejects_bad_arguments():
    net, x = linear_model(), batch(4)
    labels = net(x).argmax(1)
    with pytest.raises(ValueError, match="attack must be one of 'fgsm', 'random'"):
        flip_rate(net, x, labels, [0.1], attack="pgd")
    with pytest.raises(ValueError, match="epsilons must list at least one"):
        flip_rate(net, x, labels, [])
    with pytest.raises(ValueError, match="classifies none of the images correctly"):
        flip_rate(net, x, 1 - labels, [0.1])
    with pytest.raises(TypeError, match="images must be a floating-point tensor"):
        random_sign(np.zeros((1, 1, 2, 2)), 0.1)
