"""Tests for cnnbook.viz.signals: stem plots, convolution of signals, a kernel and its flip."""

import numpy as np
import pytest
import torch
from matplotlib.axes import Axes
from matplotlib.colors import to_rgba

from cnnbook.viz import plot_signal
from cnnbook.viz.signals import output_positions
from cnnbook.viz.style import role_color


def _stems(ax, index=0):
    """(positions, values) of the index-th stem plot on ``ax``."""
    container = [c for c in ax.containers if hasattr(c, "markerline")][index]
    return container.markerline.get_xdata(), container.markerline.get_ydata()


def test_plot_signal_draws_each_sample_in_the_role_colour():
    ax = plot_signal(torch.tensor([1.0, -2.0, 0.5]), role="kernel", start=-1).axes[0]
    assert isinstance(ax, Axes)
    pos, val = _stems(ax)
    np.testing.assert_array_equal(pos, [-1, 0, 1])
    np.testing.assert_array_equal(val, [1.0, -2.0, 0.5])
    marker = ax.containers[0].markerline
    assert np.allclose(to_rgba(marker.get_color()), to_rgba(role_color("kernel")))


def test_outputs_sit_under_the_centre_of_their_window():
    # "same" lines output n up with sample n; "valid" starts at the first full window
    np.testing.assert_array_equal(output_positions(5, 3, "same"), np.arange(5))
    np.testing.assert_array_equal(output_positions(3, 3, "valid"), [1, 2, 3])
    np.testing.assert_array_equal(output_positions(7, 3, "full"), np.arange(-1, 6))


@pytest.mark.parametrize(
    ("fn", "kwargs", "error", "match"),
    [
        (plot_signal, {"x": np.zeros((2, 2))}, ValueError, "x must have 1 dimensions"),
        (plot_signal, {"x": [1.0], "role": "weights"}, ValueError, "role must be one of"),
        (plot_signal, {"x": [1.0], "start": "0"}, TypeError, "start must be a real number"),
    ],
)
def test_bad_input_is_rejected(fn, kwargs, error, match):
    with pytest.raises(error, match=match):
        fn(**kwargs)
