"""Saliency, occlusion, Grad-CAM and the randomisation check, against independent computations."""

import numpy as np
import pytest
import scipy.ndimage
import scipy.stats
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from cnnbook import ops
from cnnbook.attribution import (
    grad_cam,
    input_gradient,
    lenet_grad_cam,
    lenet_head,
    occlusion,
    occlusion_grid,
    onto_input,
    patch_masks,
    randomisation_check,
    randomised,
    rank_correlation,
    saliency,
)
from cnnbook.models import LeNet5


def small_cnn(channels: int = 1, seed: int = 0, dtype=torch.float64) -> nn.Module:
    torch.manual_seed(seed)
    net = nn.Sequential(
        nn.Conv2d(channels, 3, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(3 * 4 * 4, 4),
    )
    return net.to(dtype)


def images(n: int = 3, channels: int = 1, seed: int = 1) -> torch.Tensor:
    return torch.randn(n, channels, 8, 8, generator=torch.Generator().manual_seed(seed),
                       dtype=torch.float64)


class Linear2(nn.Module):
    """A linear classifier of 4 × 4 images, and a layer it never uses."""

    def __init__(self, weight: torch.Tensor) -> None:
        super().__init__()
        self.fc = nn.Linear(16, weight.shape[0]).double()
        self.unused = nn.Linear(3, 3).double()
        with torch.no_grad():
            self.fc.weight.copy_(weight)
            self.fc.bias.zero_()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(x.flatten(1))


# --- saliency -----------------------------------------------------------------------------

def test_input_gradient_is_the_diagonal_of_the_jacobian():
    net, x = small_cnn(), images(3)
    targets = torch.tensor([0, 3, 1])
    jac = torch.autograd.functional.jacobian(net, x)  # (N, classes, N, C, H, W)
    expected = torch.stack([jac[n, targets[n], n] for n in range(3)])
    assert torch.allclose(input_gradient(net, x, targets), expected)
    for n in range(3):  # image n's score depends on image n only
        assert torch.equal(jac[n, :, (n + 1) % 3], torch.zeros_like(jac[n, :, 0]))


def test_input_gradient_matches_central_differences():
    net, x = small_cnn(), images(1)
    grad = input_gradient(net, x, 2)
    h, numeric = 1e-6, torch.zeros_like(x)
    with torch.no_grad():
        for idx in np.ndindex(*x.shape):
            up, down = x.clone(), x.clone()
            up[idx] += h
            down[idx] -= h
            numeric[idx] = (net(up)[0, 2] - net(down)[0, 2]) / (2 * h)
    assert torch.allclose(grad, numeric, atol=1e-7)


def test_default_target_is_the_predicted_class_and_the_model_mode_is_kept():
    net, x = small_cnn(), images(4)
    net.train()
    predicted = net(x).argmax(1)
    assert torch.equal(input_gradient(net, x), input_gradient(net, x, predicted))
    assert net.training
    assert all(p.grad is None for p in net.parameters())  # the weights get no gradient


def test_saliency_is_the_largest_absolute_gradient_over_channels():
    net, x = small_cnn(channels=3), images(2, channels=3)
    x.requires_grad_(True)
    net(x)[:, 1].sum().backward()
    expected = x.grad.abs().numpy().max(axis=1)
    got = saliency(net, x.detach(), 1)
    assert got.shape == (2, 8, 8)
    assert np.allclose(got, expected)


def test_saliency_of_a_linear_model_is_its_weights():
    weight = torch.arange(32, dtype=torch.float64).reshape(2, 16) - 10
    net = Linear2(weight)
    got = saliency(net, images(2)[:, :, :4, :4], [0, 1])
    assert np.allclose(got[0], np.abs(weight[0].numpy()).reshape(4, 4))
    assert np.allclose(got[1], np.abs(weight[1].numpy()).reshape(4, 4))


def test_numpy_images_are_accepted():
    net, x = small_cnn(), images(2)
    assert np.allclose(saliency(net, x.numpy(), 0), saliency(net, x, 0))


# --- occlusion ----------------------------------------------------------------------------

@settings(max_examples=30)
@given(h=st.integers(1, 9), w=st.integers(1, 9), patch=st.integers(1, 4), stride=st.integers(1, 3))
def test_patch_masks_against_a_loop(h, w, patch, stride):
    if patch > min(h, w):
        with pytest.raises(ValueError, match="kernel must fit inside the input"):
            patch_masks((h, w), patch, stride)
        return
    masks = patch_masks((h, w), patch, stride)
    expected = []
    for i in range(0, h - patch + 1, stride):
        for j in range(0, w - patch + 1, stride):
            mask = np.zeros((h, w))
            mask[i : i + patch, j : j + patch] = 1
            expected.append(mask)
    assert np.array_equal(masks, np.array(expected))


def occlusion_by_loop(net, x, target, patch, stride, fill):
    """Hide one patch at a time, as Zeiler and Fergus describe it."""
    with torch.no_grad():
        p0 = net(x[None]).softmax(1)[0, target]
        h, w = x.shape[-2:]
        rows = range(0, h - patch + 1, stride)
        cols = range(0, w - patch + 1, stride)
        grid = np.zeros((len(rows), len(cols)))
        for a, i in enumerate(rows):
            for b, j in enumerate(cols):
                hidden = x.clone()
                hidden[:, i : i + patch, j : j + patch] = fill
                grid[a, b] = p0 - net(hidden[None]).softmax(1)[0, target]
    total, count = np.zeros((h, w)), np.zeros((h, w))
    for a, i in enumerate(rows):
        for b, j in enumerate(cols):
            total[i : i + patch, j : j + patch] += grid[a, b]
            count[i : i + patch, j : j + patch] += 1
    with np.errstate(invalid="ignore", divide="ignore"):
        return grid, np.where(count > 0, total / count, np.nan)


@pytest.mark.parametrize(("patch", "stride", "fill"), [(3, 1, 0.0), (2, 2, -0.5), (3, 2, 1.0)])
def test_occlusion_against_a_loop_over_patch_positions(patch, stride, fill):
    net, x = small_cnn(channels=2), images(3, channels=2)
    targets = net(x).argmax(1)
    grid = occlusion_grid(net, x, patch=patch, stride=stride, fill=fill)
    pixels = occlusion(net, x, targets, patch=patch, stride=stride, fill=fill)
    for n in range(3):
        want_grid, want_pixels = occlusion_by_loop(net, x[n], targets[n], patch, stride, fill)
        assert np.allclose(grid[n], want_grid)
        assert np.allclose(pixels[n], want_pixels, equal_nan=True)


def test_occlusion_leaves_nan_only_where_no_patch_reaches():
    net, x = small_cnn(), images(1)
    pixels = occlusion(net, x, 0, patch=3, stride=2)  # positions 0, 2, 4: pixel 7 is missed
    assert np.isnan(pixels[0, 7]).all() and np.isnan(pixels[0, :, 7]).all()
    assert np.isfinite(pixels[0, :7, :7]).all()


def test_occlusion_of_pixels_the_model_ignores_is_zero():
    weight = torch.zeros(2, 16, dtype=torch.float64)
    weight[0, :8] = 1.0  # class 0 reads only the top half of the image
    net = Linear2(weight)
    x = torch.ones(1, 1, 4, 4, dtype=torch.float64)
    grid = occlusion_grid(net, x, 0, patch=2, stride=2)
    assert np.allclose(grid[0, 1], 0) and np.all(grid[0, 0] > 0)


# --- Grad-CAM -----------------------------------------------------------------------------

class ConvHead(nn.Module):
    """A 1×1 convolution with known weights, flattened into a linear layer."""

    def __init__(self, head: torch.Tensor) -> None:
        super().__init__()
        self.conv = nn.Conv2d(1, 2, 1, bias=False).double()
        self.fc = nn.Linear(8, 2, bias=False).double()
        with torch.no_grad():
            self.conv.weight.copy_(torch.tensor([1.0, -2.0]).reshape(2, 1, 1, 1))
            self.fc.weight.copy_(head)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(self.conv(x).flatten(1))


def test_grad_cam_by_hand():
    x = torch.tensor([[[[1.0, 2.0], [0.0, -1.0]]]], dtype=torch.float64)
    head = torch.tensor([[1.0, 0, 0, 1, 0, 2, 0, 0], [0, 0, 0, 0, 1, 1, 1, 1]], dtype=torch.float64)
    net = ConvHead(head)
    maps = net.conv(x)  # A^1 = x, A^2 = -2x

    def rest(A):
        return net.fc(A.flatten(1))

    # y_0 = A^1_00 + A^1_11 + 2 A^2_01, so α_1 = 2/4, α_2 = 2/4
    expected0 = np.maximum(0.5 * x[0, 0].numpy() + 0.5 * (-2 * x[0, 0].numpy()), 0)
    # y_1 = the sum of A^2: α_1 = 0, α_2 = 1
    expected1 = np.maximum(-2 * x[0, 0].numpy(), 0)
    assert np.allclose(grad_cam(rest, maps, 0)[0], expected0)
    assert np.allclose(grad_cam(rest, maps, [1])[0], expected1)
    assert np.allclose(expected0, [[0, 0], [0, 0.5]]) and np.allclose(expected1, [[0, 0], [0, 2]])
    assert np.allclose(net(x).detach(), rest(maps).detach())


def test_grad_cam_with_global_average_pooling_is_cam():
    """Behind global average pooling, α_k is the class weight over Z: Grad-CAM = CAM / Z."""
    torch.manual_seed(0)
    conv, fc = nn.Conv2d(1, 4, 3).double(), nn.Linear(4, 3).double()
    x = images(2)
    with torch.no_grad():
        A = torch.relu(conv(x))
        cam = torch.einsum("k,nkij->nij", fc.weight[2], A)
    got = grad_cam(lambda maps: fc(maps.mean(dim=(2, 3))), A, 2)
    assert np.allclose(got, np.maximum(cam.numpy(), 0) / (6 * 6))


def test_lenet_head_is_the_rest_of_the_forward_pass():
    torch.manual_seed(3)
    net = LeNet5.modern()
    x = torch.randn(4, 1, 28, 28)
    _, maps = net.features(x)
    assert maps.shape == (4, 16, 10, 10)
    assert torch.allclose(lenet_head(net)(maps), net(x))
    simplified = LeNet5.simplified()
    assert torch.allclose(lenet_head(simplified)(simplified.features(x)[1]), simplified(x))


def test_lenet_grad_cam_weights_the_rectified_maps_of_conv2():
    torch.manual_seed(4)
    net = LeNet5.modern().double()
    x = torch.randn(3, 1, 28, 28, dtype=torch.float64)
    targets = torch.tensor([4, 7, 0])
    A = net.features(x)[1].detach()
    # α from the full Jacobian of the scores with respect to the maps
    jac = torch.autograd.functional.jacobian(lenet_head(net), A)  # (N, 10, N, 16, 10, 10)
    alpha = torch.stack([jac[n, targets[n], n].mean(dim=(1, 2)) for n in range(3)])
    expected = torch.relu(torch.einsum("nk,nkij->nij", alpha, A)).numpy()
    got = lenet_grad_cam(net, x, targets)
    assert got.shape == (3, 10, 10) and np.allclose(got, expected)
    assert (got > 0).any()


def test_grad_cam_rejects_bad_arguments():
    maps = torch.zeros(1, 2, 3, 3)
    with pytest.raises(TypeError, match=r"maps must be a float tensor of feature maps"):
        grad_cam(lambda a: a.flatten(1), np.zeros((1, 2, 3, 3)))
    with pytest.raises(TypeError, match=r"maps must be a float tensor of feature maps"):
        grad_cam(lambda a: a.flatten(1), torch.zeros(2, 3, 3))
    with pytest.raises(TypeError, match="head must be callable"):
        grad_cam("head", maps)
    with pytest.raises(ValueError, match=r"class indices in \[0, 17\]"):
        grad_cam(lambda a: a.flatten(1), maps, 18)
    with pytest.raises(TypeError, match="model must be a LeNet5, got Sequential"):
        lenet_head(small_cnn())


@settings(max_examples=30)
@given(
    h=st.integers(1, 6), w=st.integers(1, 6), jump=st.integers(1, 3),
    start=st.sampled_from([-1.0, 0.0, 0.5, 4.5]), seed=st.integers(0, 2**16),
)
def test_onto_input_is_bilinear_interpolation_between_field_centres(h, w, jump, start, seed):
    maps = np.random.default_rng(seed).normal(size=(2, h, w))
    size = (jump * h + 3, jump * w + 2)
    field = ops.LayerField(size=5, jump=jump, start=start)
    got = onto_input(maps, field, size)
    u, v = np.meshgrid(np.arange(size[0]), np.arange(size[1]), indexing="ij")
    coords = [(u - start) / jump, (v - start) / jump]
    for n in range(2):
        expected = scipy.ndimage.map_coordinates(maps[n], coords, order=1, mode="nearest")
        assert np.allclose(got[n], expected)


def test_onto_input_puts_lenet_conv2_cells_at_their_field_centres():
    net = LeNet5.modern()
    field = ops.receptive_field([net.conv1, net.down, net.conv2])
    assert (field.size, field.jump, field.start) == (14, 2, 4.5)
    cell = np.zeros((1, 10, 10))
    cell[0, 3, 6] = 1.0
    placed = onto_input(cell, field, 28)
    # the cell's centre is at pixel 4.5 + 2*3 = 10.5 down, 16.5 across: between four pixels
    peak = np.argwhere(placed[0] == placed[0].max())
    assert peak.tolist() == [[10, 16], [10, 17], [11, 16], [11, 17]]
    assert np.isclose(placed[0].sum(), 4.0)  # a tent 2 pixels wide: 4 pixels per cell


def test_onto_input_rejects_bad_arguments():
    with pytest.raises(TypeError, match="field must be a receptive field"):
        onto_input(np.zeros((1, 2, 2)), (1, 2, 0.5), 4)
    with pytest.raises(ValueError, match="maps must have 3 dimensions"):
        onto_input(np.zeros((2, 2)), ops.LayerField(1, 1, 0.0), 4)


# --- rank correlation and randomisation -------------------------------------------------------

@settings(max_examples=40)
@given(seed=st.integers(0, 2**16), n=st.integers(2, 30), levels=st.sampled_from([3, 6, 1000]))
def test_rank_correlation_equals_scipy_spearman_with_ties(seed, n, levels):
    rng = np.random.default_rng(seed)
    a = rng.integers(0, levels, size=(4, n)).astype(float)
    b = a + rng.integers(0, levels, size=(4, n))
    got = rank_correlation(a, b)
    for k in range(4):
        if np.ptp(a[k]) == 0 or np.ptp(b[k]) == 0:
            assert np.isnan(got[k])
        else:
            assert np.isclose(got[k], scipy.stats.spearmanr(a[k], b[k]).statistic)


def test_rank_correlation_cares_only_for_order():
    a = np.random.default_rng(0).normal(size=(3, 5, 5))
    assert np.allclose(rank_correlation(a, np.exp(a)), 1)
    assert np.allclose(rank_correlation(a, -a), -1)


@pytest.mark.parametrize(
    ("a", "b", "error", "match"),
    [
        (np.zeros((2, 3)), np.zeros((3, 2)), ValueError, "must have the same shape"),
        (np.zeros(3), np.zeros(3), ValueError, r"same shape \(N, \.\.\.\)"),
        (np.array([[1.0, np.nan]]), np.ones((1, 2)), ValueError, "must be finite"),
        (np.array([["a", "b"]]), np.ones((1, 2)), TypeError, "a must be an array of real"),
    ],
)
def test_rank_correlation_rejects_bad_input(a, b, error, match):
    with pytest.raises(error, match=match):
        rank_correlation(a, b)


def test_randomised_redraws_only_the_named_layers():
    net = LeNet5.modern()
    before = {k: v.clone() for k, v in net.state_dict().items()}
    state = torch.random.get_rng_state()
    twin = randomised(net, ["fc3", "conv2"], seed=5)
    assert torch.equal(torch.random.get_rng_state(), state)  # the global stream is untouched
    for key, value in net.state_dict().items():
        assert torch.equal(value, before[key])  # the original is untouched
        changed = not torch.equal(twin.state_dict()[key], value)
        assert changed == key.startswith(("fc3", "conv2")), key
    again = randomised(net, ["fc3", "conv2"], seed=5)
    assert all(torch.equal(again.state_dict()[k], v) for k, v in twin.state_dict().items())


def test_randomised_rejects_bad_layers():
    net = LeNet5.modern()
    with pytest.raises(ValueError, match=r"layers must name layers of the model \['conv1', "):
        randomised(net, ["fc4"])
    with pytest.raises(ValueError, match="has no weights to redraw"):
        randomised(net, ["act"])
    with pytest.raises(TypeError, match="layers must be a non-empty list"):
        randomised(net, "fc3")
    with pytest.raises(TypeError, match="model must be a torch.nn.Module"):
        randomised(lambda x: x, ["fc3"])


def blob_classifier() -> Linear2:
    """Class 0 looks at the top-left corner, class 1 at the bottom-right: a 'trained' model."""
    u, v = np.meshgrid(np.arange(4), np.arange(4), indexing="ij")
    blob0 = np.exp(-((u - 0.5) ** 2 + (v - 0.5) ** 2))
    blob1 = np.exp(-((u - 2.5) ** 2 + (v - 2.5) ** 2))
    return Linear2(torch.tensor(np.stack([blob0, blob1]).reshape(2, 16)))


def test_randomisation_check_drops_when_the_used_weights_are_random():
    net, x = blob_classifier(), images(5)[:, :, :4, :4]
    corr = randomisation_check(net, x, saliency, ["fc"], targets=0, seed=1)
    assert corr.shape == (1, 5)
    assert np.all(corr < 0.9)  # the blob's order of pixels is gone
    same = randomisation_check(net, x, saliency, ["fc"], targets=0, seed=1)
    assert np.array_equal(corr, same)


def test_randomisation_check_must_not_drop_for_an_unused_layer():
    net, x = blob_classifier(), images(5)[:, :, :4, :4]
    corr = randomisation_check(net, x, saliency, ["unused", "fc"], seed=2)
    assert np.allclose(corr[0], 1)  # the maps do not depend on the unused layer
    assert np.all(corr[1] < 0.9)


def test_randomisation_check_explains_the_trained_models_classes():
    net, x = small_cnn(), images(4)
    predicted = net(x).argmax(1)
    calls = []

    def method(model, imgs, targets):
        calls.append(targets)
        return saliency(model, imgs, targets)

    randomisation_check(net, x, method, ["4", "0"])
    assert len(calls) == 3 and all(torch.equal(t, predicted) for t in calls)
    with pytest.raises(TypeError, match="layers must be a non-empty list"):
        randomisation_check(net, x, method, [])


def test_randomisation_check_of_lenet_grad_cam_down_to_the_first_layer():
    torch.manual_seed(0)
    net = LeNet5.modern()
    x = torch.randn(4, 1, 28, 28)
    layers = ["fc3", "fc2", "fc1", "conv2", "conv1"]
    corr = randomisation_check(net, x, lenet_grad_cam, layers, targets=3)
    assert corr.shape == (5, 4)
    last = lenet_grad_cam(randomised(net, layers), x, 3)
    assert np.allclose(corr[-1], rank_correlation(lenet_grad_cam(net, x, 3), last), equal_nan=True)


# --- bad input shared by every method ------------------------------------------------------------

@pytest.mark.parametrize("method", [saliency, occlusion, occlusion_grid])
def test_methods_reject_bad_images_and_targets(method):
    net = small_cnn()
    with pytest.raises(ValueError, match=r"images must have 4 dimensions"):
        method(net, torch.zeros(8, 8, dtype=torch.float64))
    with pytest.raises(TypeError, match="images must be a floating-point tensor"):
        method(net, torch.zeros(1, 1, 8, 8, dtype=torch.int64))
    with pytest.raises(ValueError, match=r"class indices in \[0, 3\]"):
        method(net, images(2), 4)
    with pytest.raises(ValueError, match=r"one per image \(2\)"):
        method(net, images(2), [0, 1, 2])
    with pytest.raises(TypeError, match="targets must be None, a class index or integers"):
        method(net, images(2), 1.5)
    with pytest.raises(TypeError, match="model must be a torch.nn.Module"):
        method(lambda x: x, images(2))
