"""kernel_fitting: both layers recover the hidden kernel, and the two learned kernels are flips."""

import numpy as np
import pytest
import scipy.signal
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from cnnbook.kernel_fitting import (
    OPTIMIZERS,
    fit_both_ways,
    fit_kernel,
    forward_pass,
    layer_output,
    make_task,
)
from cnnbook.ops import flip, sliding_windows2d

HIDDEN = np.array([[1.0, 0.5, -1.0], [2.0, 0.0, -0.5], [0.0, -2.0, 1.5]])


def test_make_task_targets_are_correlations_with_the_kernel():
    images, targets = make_task(HIDDEN, n_images=4, image_size=7, seed=3)
    assert images.shape == (4, 7, 7) and targets.shape == (4, 5, 5)
    for image, target in zip(images, targets, strict=True):
        np.testing.assert_allclose(target, scipy.signal.correlate2d(image, HIDDEN, "valid"),
                                   rtol=1e-12, atol=1e-12)


def test_make_task_is_seeded_and_noise_adds_spread():
    a = make_task(HIDDEN, seed=5)
    b = make_task(HIDDEN, seed=5)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    noisy = make_task(HIDDEN, n_images=64, seed=5, noise=0.5)
    residual = noisy[1] - make_task(HIDDEN, n_images=64, seed=5)[1]
    # same images, targets differ by noise of about the requested size
    np.testing.assert_array_equal(noisy[0][:32], a[0])
    assert 0.45 < residual.std() < 0.55


@settings(max_examples=15)
@given(n=st.integers(1, 3), h=st.integers(3, 7), w=st.integers(3, 7),
       kh=st.integers(1, 3), kw=st.integers(1, 3), seed=st.integers(0, 100))
def test_layer_output_is_scipy_correlate_or_convolve(n, h, w, kh, kw, seed):
    rng = np.random.default_rng(seed)
    images, kernel = rng.standard_normal((n, h, w)), rng.standard_normal((kh, kw))
    corr = layer_output(images, kernel, "correlate")
    conv = layer_output(images, kernel, "convolve")
    for i in range(n):
        np.testing.assert_allclose(corr[i], scipy.signal.correlate2d(images[i], kernel, "valid"),
                                   rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(conv[i], scipy.signal.convolve2d(images[i], kernel, "valid"),
                                   rtol=1e-12, atol=1e-12)


def test_forward_pass_is_torch_conv2d_and_differentiable():
    rng = np.random.default_rng(2)
    images, kernel = rng.standard_normal((3, 6, 5)), rng.standard_normal((3, 2))
    windows = torch.from_numpy(sliding_windows2d(images, (3, 2)).copy())
    k = torch.from_numpy(kernel).requires_grad_(True)
    corr = forward_pass(windows, k, "correlate")
    x = torch.from_numpy(images)[:, None]
    expected = torch.nn.functional.conv2d(x, torch.from_numpy(kernel)[None, None])[:, 0]
    torch.testing.assert_close(corr, expected, rtol=1e-12, atol=1e-12)
    conv = forward_pass(windows, k, "convolve")
    flipped = torch.from_numpy(flip(kernel).copy())[None, None]
    torch.testing.assert_close(conv, torch.nn.functional.conv2d(x, flipped)[:, 0],
                               rtol=1e-12, atol=1e-12)
    (grad,) = torch.autograd.grad(corr.sum(), k)
    torch.testing.assert_close(grad, windows.sum(dim=(0, 1, 2)), rtol=1e-12, atol=1e-12)
    with pytest.raises(ValueError, match="forward must be one of 'correlate', 'convolve'; got"):
        forward_pass(windows, k, "fft")


def test_correlation_layer_recovers_the_hidden_kernel():
    images, targets = make_task(HIDDEN, seed=0)
    fit = fit_kernel(images, targets, np.zeros((3, 3)), "correlate", steps=150, lr=0.1)
    np.testing.assert_allclose(fit.kernel, HIDDEN, atol=1e-6)
    assert fit.losses[-1] < 1e-10 < fit.losses[0]
    assert fit.kernels.shape == (151, 3, 3) and fit.losses.shape == (151,)
    np.testing.assert_array_equal(fit.kernels[0], np.zeros((3, 3)))


def test_convolution_layer_recovers_the_flipped_kernel():
    images, targets = make_task(HIDDEN, seed=1)
    fit = fit_kernel(images, targets, np.zeros((3, 3)), "convolve", steps=150, lr=0.1)
    np.testing.assert_allclose(fit.kernel, flip(HIDDEN), atol=1e-6)
    assert not np.allclose(fit.kernel, HIDDEN, atol=0.1)


def test_noisy_fit_is_the_least_squares_kernel():
    images, targets = make_task(HIDDEN, n_images=16, seed=2, noise=0.3)
    fit = fit_kernel(images, targets, np.zeros((3, 3)), "correlate", steps=300, lr=0.1)
    # the minimiser of the mean squared error, from the normal equations over all windows
    windows = np.lib.stride_tricks.sliding_window_view(images, (3, 3), axis=(1, 2))
    best, *_ = np.linalg.lstsq(windows.reshape(-1, 9), targets.reshape(-1), rcond=None)
    np.testing.assert_allclose(fit.kernel, best.reshape(3, 3), atol=1e-8)
    np.testing.assert_allclose(fit.kernel, HIDDEN, atol=0.1)  # close to, not equal to, the truth
    assert not np.allclose(fit.kernel, HIDDEN, atol=1e-4)


@pytest.mark.parametrize(
    ("optimizer", "weight_decay"),
    [("gd", 0.0), ("gd", 0.05), ("momentum", 0.0), ("adam", 0.0), ("adam", 0.01)],
)
def test_each_optimizer_steps_as_torch_does_on_torch_conv2d(optimizer, weight_decay):
    images, targets = make_task(HIDDEN, n_images=3, image_size=6, seed=4)
    init = np.random.default_rng(1).standard_normal((3, 3))
    fit = fit_kernel(images, targets, init, "correlate", steps=5, lr=0.05,
                     optimizer=optimizer, weight_decay=weight_decay)
    weight = torch.nn.Parameter(torch.tensor(init)[None, None])
    if optimizer == "adam":
        opt = torch.optim.Adam([weight], lr=0.05, weight_decay=weight_decay)
    else:
        opt = torch.optim.SGD([weight], lr=0.05, weight_decay=weight_decay,
                              momentum=0.9 if optimizer == "momentum" else 0.0)
    x, t = torch.tensor(images)[:, None], torch.tensor(targets)[:, None]
    for step in range(5):
        opt.zero_grad()
        loss = torch.nn.functional.mse_loss(torch.nn.functional.conv2d(x, weight), t)
        assert loss.item() == pytest.approx(fit.losses[step], rel=1e-12)
        loss.backward()
        opt.step()
    np.testing.assert_allclose(fit.kernel, weight.detach()[0, 0].numpy(), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_mirrored_layers_stay_mirrored_under_every_optimizer(optimizer):
    images, targets = make_task(HIDDEN, n_images=8, image_size=7, noise=0.2, seed=3)
    corr, conv = fit_both_ways(images, targets, steps=60, lr=0.02, seed=5, optimizer=optimizer,
                               weight_decay=0.01)
    np.testing.assert_allclose(conv.kernels, corr.kernels[:, ::-1, ::-1], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(conv.losses, corr.losses, rtol=1e-10, atol=1e-14)
    assert corr.losses[-1] < 0.5 * corr.losses[0]
    # started from the same kernel instead, the two paths differ
    same = fit_kernel(images, targets, corr.kernels[0], "convolve", steps=60, lr=0.02,
                      optimizer=optimizer, weight_decay=0.01)
    assert not np.allclose(same.kernels[1:], corr.kernels[1:, ::-1, ::-1], atol=1e-3)


@settings(max_examples=8)
@given(kernel_size=st.integers(1, 4), seed=st.integers(0, 1000), noise=st.sampled_from([0, 0.5]))
def test_both_ways_stay_flips_of_each_other_at_every_step(kernel_size, seed, noise):
    hidden = np.random.default_rng(seed + 1).standard_normal((kernel_size, kernel_size))
    images, targets = make_task(hidden, n_images=8, image_size=6, noise=noise, seed=seed)
    corr, conv = fit_both_ways(images, targets, kernel_size, steps=40, lr=0.1, seed=seed)
    assert (corr.forward, conv.forward) == ("correlate", "convolve")
    np.testing.assert_allclose(conv.kernels, flip(corr.kernels), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(conv.losses, corr.losses, rtol=1e-10, atol=1e-14)
    assert corr.losses[-1] < corr.losses[0]


def test_both_ways_start_from_a_seeded_kernel_and_its_flip():
    images, targets = make_task(HIDDEN, seed=0)
    corr, conv = fit_both_ways(images, targets, steps=0, seed=7)
    again, _ = fit_both_ways(images, targets, steps=0, seed=7)
    np.testing.assert_array_equal(corr.kernels, again.kernels)
    np.testing.assert_array_equal(conv.kernel, flip(corr.kernel))
    assert not np.allclose(corr.kernel, conv.kernel)
    assert 0.02 < corr.kernel.std() < 0.3  # init_scale 0.1


def test_bad_arguments_are_named():
    images, targets = make_task(HIDDEN, n_images=2, image_size=5)
    with pytest.raises(ValueError, match="forward must be one of 'correlate', 'convolve'"):
        fit_kernel(images, targets, np.zeros((3, 3)), forward="flip")
    with pytest.raises(ValueError, match=r"targets must have shape \(2, 3, 3\)"):
        fit_kernel(images, targets[:, :2], np.zeros((3, 3)))
    with pytest.raises(ValueError, match=r"kernel of shape \(6, 6\) does not fit"):
        fit_kernel(images, targets, np.zeros((6, 6)))
    with pytest.raises(ValueError, match="lr must be > 0, got -1"):
        fit_kernel(images, targets, np.zeros((3, 3)), lr=-1.0)
    with pytest.raises(TypeError, match="steps must be an integer"):
        fit_kernel(images, targets, np.zeros((3, 3)), steps=1.5)
    with pytest.raises(ValueError, match="images must have 3 dimensions"):
        fit_kernel(images[0], targets, np.zeros((3, 3)))
    with pytest.raises(ValueError, match="optimizer must be one of 'gd', 'momentum', 'adam'"):
        fit_kernel(images, targets, np.zeros((3, 3)), optimizer="rmsprop")
    with pytest.raises(ValueError, match="weight_decay must be >= 0, got -0.5"):
        fit_both_ways(images, targets, weight_decay=-0.5)
    with pytest.raises(ValueError, match="noise must be >= 0, got -0.1"):
        make_task(HIDDEN, noise=-0.1)
    with pytest.raises(ValueError, match="image_size must be an integer >= 3, got 2"):
        make_task(HIDDEN, image_size=2)
    with pytest.raises(ValueError, match="kernel_size must be an integer >= 1, got 0"):
        fit_both_ways(images, targets, kernel_size=0)
