"""Tests for cnnbook.viz.signals: stem plots, convolution of signals, a kernel and its flip."""

import numpy as np
import pytest
import torch
from matplotlib.axes import Axes
from matplotlib.colors import to_rgba

from cnnbook import ops
from cnnbook.viz import plot_convolution1d, plot_signal, show_flip
from cnnbook.viz.grid import format_value
from cnnbook.viz.signals import output_positions
from cnnbook.viz.style import role_color


def _stems(ax, index=0):
    """(positions, values) of the index-th stem plot on ``ax``."""
    container = [c for c in ax.containers if hasattr(c, "markerline")][index]
    return container.markerline.get_xdata(), container.markerline.get_ydata()


def test_plot_signal_draws_each_sample_in_the_role_colour():
    ax = plot_signal(torch.tensor([1.0, -2.0, 0.5]), role="kernel", start=-1)
    assert isinstance(ax, Axes)
    pos, val = _stems(ax)
    np.testing.assert_array_equal(pos, [-1, 0, 1])
    np.testing.assert_array_equal(val, [1.0, -2.0, 0.5])
    marker = ax.containers[0].markerline
    assert np.allclose(to_rgba(marker.get_color()), to_rgba(role_color("kernel")))


@pytest.mark.parametrize("mode", ["valid", "same", "full"])
@pytest.mark.parametrize("flip", [True, False])
def test_plot_convolution1d_draws_the_ops_result(mode, flip):
    x, k = np.array([0, 1, 2, 3, 2, 1, 0, 1.0]), np.array([1, 2, -1.0])
    fig = plot_convolution1d(x, k, mode=mode, flip=flip)
    ref = np.convolve(x, k, mode) if flip else np.correlate(x, k, mode)
    np.testing.assert_array_equal(fig.result, ref)
    mine = ops.convolve1d(x, k, mode) if flip else ops.correlate1d(x, k, mode)
    np.testing.assert_array_equal(fig.result, mine)
    signal, kernel, output = fig.axes
    np.testing.assert_array_equal(_stems(signal)[1], x)
    np.testing.assert_array_equal(_stems(kernel)[1], k)
    pos, val = _stems(output)
    np.testing.assert_array_equal(val, ref)
    np.testing.assert_array_equal(pos, output_positions(ref.size, k.size, mode))
    if flip:  # the flipped kernel is drawn next to the kernel
        np.testing.assert_array_equal(_stems(kernel, 1)[1], k[::-1])
    else:
        assert len(kernel.containers) == 1


def test_outputs_sit_under_the_centre_of_their_window():
    # "same" lines output n up with sample n; "valid" starts at the first full window
    np.testing.assert_array_equal(output_positions(5, 3, "same"), np.arange(5))
    np.testing.assert_array_equal(output_positions(3, 3, "valid"), [1, 2, 3])
    np.testing.assert_array_equal(output_positions(7, 3, "full"), np.arange(-1, 6))


@pytest.mark.parametrize("k", [np.array([1, 2, -1]), np.arange(9).reshape(3, 3) - 4])
def test_show_flip_draws_the_kernel_next_to_its_rotation(k):
    fig = show_flip(k)
    left, right = fig.grids["kernel"], fig.grids["flipped"]
    dims = list(range(k.ndim))
    flipped = torch.flip(torch.tensor(k), dims).numpy().reshape(right.shape)
    assert [t.get_text() for t in right.texts.ravel()] == [format_value(v) for v in flipped.ravel()]
    np.testing.assert_array_equal(left.values(), k.reshape(left.shape))
    assert right.x > left.x + left.shape[1]


@pytest.mark.parametrize(
    ("fn", "kwargs", "error", "match"),
    [
        (plot_signal, {"x": np.zeros((2, 2))}, ValueError, "x must have 1 dimensions"),
        (plot_signal, {"x": [1.0], "role": "weights"}, ValueError, "role must be one of"),
        (plot_signal, {"x": [1.0], "start": "0"}, TypeError, "start must be a real number"),
        (plot_convolution1d, {"x": [1, 2], "k": [1], "mode": "circular"}, ValueError,
         "mode must be one of"),
        (plot_convolution1d, {"x": [1, 2], "k": [1], "flip": 1}, TypeError,
         "flip must be True or False"),
        (show_flip, {"k": np.ones((2, 2, 2))}, ValueError, "k must have 1 or 2 dimensions"),
        (show_flip, {"k": []}, ValueError, "k must not be empty"),
    ],
)
def test_bad_input_is_rejected(fn, kwargs, error, match):
    with pytest.raises(error, match=match):
        fn(**kwargs)
