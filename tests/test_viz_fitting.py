"""The kernel-fit figure draws the losses and the (flipped) kernel paths it is given."""

import numpy as np
import pytest
from matplotlib.figure import Figure

from cnnbook.kernel_fitting import KernelFit, fit_both_ways, make_task
from cnnbook.viz.fitting import plot_kernel_fits


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
