"""Chapter 3's figures: a kernel and its flip, two fits, signed maps."""

import numpy as np
import pytest
import scipy.signal
import torch
from matplotlib.figure import Figure

from cnnbook.figures.correlation_vs_convolution import plot_flip, plot_kernel_fits, plot_signed_maps
from cnnbook.kernel_fitting import KernelFit, fit_both_ways, make_task
from cnnbook.viz.grid import format_value


@pytest.mark.parametrize("k", [np.array([1, 2, -1]), np.arange(9).reshape(3, 3) - 4])
def test_plot_flip_draws_the_kernel_next_to_its_rotation(k):
    fig = plot_flip(k)
    left, right = fig.grids["kernel"], fig.grids["flipped"]
    dims = list(range(k.ndim))
    flipped = torch.flip(torch.tensor(k), dims).numpy().reshape(right.shape)
    assert [t.get_text() for t in right.texts.ravel()] == [format_value(v) for v in flipped.ravel()]
    np.testing.assert_array_equal(left.values(), k.reshape(left.shape))
    assert right.x > left.x + left.shape[1]


@pytest.fixture(scope="module")
def fits():
    hidden = np.array([[1.0, 2.0], [0.0, -1.0]])
    images, targets = make_task(hidden, n_images=4, image_size=5, seed=0)
    return fit_both_ways(images, targets, kernel_size=2, steps=5, lr=0.1, seed=0)


def test_losses_and_flipped_paths_are_drawn(fits):
    corr, conv = fits
    fig = plot_kernel_fits(corr, conv)
    assert isinstance(fig, Figure)
    ax_loss, ax_path = fig.axes
    assert ax_loss.get_yscale() == "log"
    loss_lines = ax_loss.get_lines()
    assert np.array_equal(loss_lines[0].get_ydata(), corr.losses)
    assert np.array_equal(loss_lines[1].get_ydata(), conv.losses)
    paths = [ln for ln in ax_path.get_lines() if len(ln.get_xdata())]
    assert len(paths) == 2 * 4
    flipped = conv.kernels[:, ::-1, ::-1]
    for i, (u, v) in enumerate(np.ndindex(2, 2)):
        assert np.array_equal(paths[2 * i].get_ydata(), corr.kernels[:, u, v])
        assert np.array_equal(paths[2 * i + 1].get_ydata(), flipped[:, u, v])
    # the two layers' paths coincide once flipped
    np.testing.assert_allclose(paths[0].get_ydata(), paths[1].get_ydata(), atol=1e-12)
    labels = [t.get_text() for t in ax_path.get_legend().get_texts()]
    assert labels == ["correlation layer", "convolution layer, flipped"]


def test_unflipped_paths_and_custom_labels(fits):
    corr, conv = fits
    fig = plot_kernel_fits(corr, conv, labels=("a", "b"), flip_second=False)
    paths = [ln for ln in fig.axes[1].get_lines() if len(ln.get_xdata())]
    assert np.array_equal(paths[1].get_ydata(), conv.kernels[:, 0, 0])
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == ["a", "b"]
    assert fig.axes[1].get_title() == "the 4 kernel entries"


def test_bad_input_is_rejected(fits):
    corr, conv = fits
    with pytest.raises(TypeError, match="second must be a KernelFit, got ndarray"):
        plot_kernel_fits(corr, conv.kernels)
    short = KernelFit("convolve", conv.kernels[:3], conv.losses[:3])
    with pytest.raises(ValueError, match="first and second must have the same steps"):
        plot_kernel_fits(corr, short)
    with pytest.raises(ValueError, match="labels must be two strings"):
        plot_kernel_fits(corr, conv, labels=("only one",))


def test_signed_maps_share_one_symmetric_scale():
    rng = np.random.default_rng(0)
    image = rng.random((12, 12))
    h = np.array([[1.0, 0.0, -1.0], [2.0, 0.0, -2.0], [1.0, 0.0, -1.0]])
    conv = scipy.signal.convolve2d(image, h, "valid")
    fig = plot_signed_maps(image, [conv, -conv[None, None]], ["a", "b"])
    assert isinstance(fig, Figure) and len(fig.axes) == 3
    assert [ax.get_title() for ax in fig.axes] == ["photo x", "a", "b"]
    gray, *signed = (ax.get_images()[0] for ax in fig.axes)
    np.testing.assert_array_equal(gray.get_array(), image)
    scale = np.percentile(np.abs(conv), 99)
    for im, expected in zip(signed, [conv, -conv], strict=True):
        np.testing.assert_array_equal(im.get_array(), expected)
        assert im.get_clim() == pytest.approx((-scale, scale), rel=1e-12)
    fixed = plot_signed_maps(image, [conv], ["c"], image_title="x", scale=2.0)
    assert fixed.axes[0].get_title() == "x"
    assert fixed.axes[1].get_images()[0].get_clim() == (-2.0, 2.0)


def test_signed_maps_reject_bad_input():
    image = np.zeros((5, 5))
    with pytest.raises(TypeError, match="maps must be a non-empty list"):
        plot_signed_maps(image, np.zeros((3, 3)), ["a"])
    with pytest.raises(ValueError, match=r"maps\[0\] must be a 2-D map"):
        plot_signed_maps(image, [np.zeros((2, 3, 3))], ["a"])
    with pytest.raises(ValueError, match="titles must be 2 strings"):
        plot_signed_maps(image, [image, image], ["a"])
    with pytest.raises(ValueError, match="scale"):
        plot_signed_maps(image, [image], ["a"], scale=-1.0)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"weight": np.ones((2, 2, 2))}, ValueError, "weight must have 1 or 2 dimensions"),
        ({"weight": []}, ValueError, "weight must not be empty"),
    ],
)
def test_plot_flip_rejects_bad_input(kwargs, error, match):
    with pytest.raises(error, match=match):
        plot_flip(**kwargs)
