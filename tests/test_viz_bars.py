"""Tests for grouped bar charts."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

from cnnbook.viz import plot_bars


def _heights(ax):
    return [p.get_height() for p in ax.patches]


def test_each_series_is_one_bar_per_label_grouped_around_the_ticks():
    train, test = np.array([0.1, 0.3, 0.6]), torch.tensor([0.2, 0.2, 0.6])
    ax = plot_bars({"train": train, "test": test}, ["a", "b", "c"], ylabel="share").axes[0]
    assert _heights(ax) == pytest.approx([*train, *test.tolist()])
    centres = [p.get_x() + p.get_width() / 2 for p in ax.patches]
    np.testing.assert_allclose(centres, [-0.2, 0.8, 1.8, 0.2, 1.2, 2.2])
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b", "c"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["train", "test"]
    assert ax.get_ylabel() == "share" and ax.get_yscale() == "linear"
    ax.figure.canvas.draw()  # the legend sits above the axes, clear of the bars
    legend_box = ax.get_legend().get_window_extent()
    assert legend_box.y0 >= ax.get_window_extent().y1 - 1
    plt.close(ax.figure)


def test_one_series_draws_on_the_given_axes_without_a_legend_and_log_scale():
    fig, ax = plt.subplots()
    out = plot_bars({"ratio": [1e-3, 1e-1]}, [1, 2], log=True, ax=ax)
    assert out is fig and ax.get_legend() is None and ax.get_yscale() == "log"
    assert _heights(ax) == pytest.approx([1e-3, 1e-1])
    assert all(p.get_width() == pytest.approx(0.8) for p in ax.patches)
    plt.close(fig)


def test_bad_input_is_named():
    with pytest.raises(TypeError, match="series must be a non-empty mapping"):
        plot_bars({}, ["a"])
    with pytest.raises(TypeError, match="series must be a non-empty mapping .* got list"):
        plot_bars([1, 2], ["a", "b"])
    with pytest.raises(TypeError, match="labels must be a non-empty list"):
        plot_bars({"s": [1]}, "a")
    with pytest.raises(ValueError, match=r"one value per label \(2\), got 3"):
        plot_bars({"s": [1, 2, 3]}, ["a", "b"])
    with pytest.raises(ValueError, match=r"series\['s'\] must have 1 dimensions"):
        plot_bars({"s": [[1, 2]]}, ["a", "b"])
    with pytest.raises(ValueError, match=r"must be positive on a log axis"):
        plot_bars({"s": [0.0, 1.0]}, ["a", "b"], log=True)
    with pytest.raises(TypeError, match="log must be True or False"):
        plot_bars({"s": [1.0]}, ["a"], log="yes")
    with pytest.raises(TypeError, match=r"series\['s'\] must be an array of real numbers"):
        plot_bars({"s": ["x"]}, ["a"])
