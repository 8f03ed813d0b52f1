"""Chapter 7's figures draw what they are given: weight differences per step, a step's profile."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from cnnbook.figures.numpy_lenet import plot_differences, plot_profile
from cnnbook.optim import Profile


def test_plot_differences_draws_one_line_per_run_and_the_tolerance():
    runs = {"SGD": [0.0, 1e-15, 3e-15, 2e-14], "Adam": [1e-16, 1e-16, 5e-16]}
    fig = plot_differences(runs, tolerance=1e-6)
    (ax,) = fig.axes
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert set(lines) == {"SGD", "Adam", "tolerance 1e-06"}
    assert ax.get_yscale() == "log"
    x, y = lines["SGD"].get_data()
    assert list(x) == [1, 2, 3, 4]
    assert np.isnan(y[0]) and list(y[1:]) == [1e-15, 3e-15, 2e-14]  # an exact 0 has no point
    assert list(lines["tolerance 1e-06"].get_ydata()) == [1e-6, 1e-6]


def test_plot_differences_draws_on_a_given_axis_without_tolerance():
    fig, ax = plt.subplots()
    assert plot_differences({"one": [1e-3, 1e-2]}, tolerance=None, ax=ax) is fig
    assert [line.get_label() for line in ax.get_lines()] == ["one"]


@pytest.mark.parametrize(
    ("runs", "kwargs", "error", "match"),
    [
        ([1e-3], {}, TypeError, "differences must be a non-empty mapping"),
        ({}, {}, TypeError, "differences must be a non-empty mapping"),
        ({"a": [1e-3, -1.0]}, {}, ValueError, r"differences\['a'\] must be finite and >= 0"),
        ({"a": [np.inf]}, {}, ValueError, "finite"),
        ({"a": [[1e-3]]}, {}, ValueError, "1 dimensions"),
        ({"a": [1e-3]}, {"tolerance": 0}, ValueError, "tolerance must be > 0"),
    ],
)
def test_plot_differences_refuses_bad_input(runs, kwargs, error, match):
    with pytest.raises(error, match=match):
        plot_differences(runs, **kwargs)


def profile():
    seconds = {"numpy": {"forward": np.array([3e-3, 1e-3]), "backward": np.array([6e-3, 2e-3])},
               "torch": {"forward": np.array([1e-3, 5e-4]), "backward": np.array([2e-3, 5e-4])}}
    kept = {"numpy": np.array([100, 10]), "torch": np.array([10, 10])}
    return Profile(["conv", "pool"], seconds, kept)


def test_plot_profile_stacks_backward_after_forward_for_each_library():
    fig = plot_profile(profile())
    (ax,) = fig.axes
    bars = ax.patches
    assert len(bars) == 8  # 2 layers × 2 libraries × 2 passes
    widths = sorted((round(b.get_y() + b.get_height() / 2, 2), round(b.get_x(), 6),
                     round(b.get_width(), 6)) for b in bars)
    # NumPy's conv row (y = -0.2): forward 3 ms from 0, then backward 6 ms from 3
    assert (-0.2, 0.0, 3.0) in widths and (-0.2, 3.0, 6.0) in widths
    assert (0.2, 0.0, 1.0) in widths and (0.2, 1.0, 2.0) in widths  # PyTorch's conv row
    assert [t.get_text() for t in ax.get_yticklabels()] == ["conv", "pool"]
    assert ax.get_xlabel() == "ms per step"
    assert ax.yaxis_inverted()
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["NumPy (this chapter)", "PyTorch", "forward", "backward"]


def test_plot_profile_refuses_bad_input():
    with pytest.raises(TypeError, match="profile must be a cnnbook.optim.Profile"):
        plot_profile({"numpy": {}})
    broken = profile()
    broken.seconds["torch"]["backward"] = np.array([1e-3])
    with pytest.raises(ValueError, match=r"profile.seconds\['torch'\]\['backward'\] must hold"):
        plot_profile(broken)
    with pytest.raises(ValueError, match="unit must be > 0"):
        plot_profile(profile(), unit=0)
