"""Chapter 5's figures: what a shift changes, map by map and stage by stage."""

import functools

import matplotlib.pyplot as plt
import numpy as np
import pytest

from cnnbook import ops
from cnnbook.figures.pooling import plot_shift_changes, plot_shift_sensitivity
from cnnbook.invariance import map_changes, shift_sensitivity


def test_shift_change_grid_and_bad_input():
    maps = {0: [np.eye(4), np.ones((2, 2))], 1: [np.zeros((4, 4)), np.ones((2, 2))],
            2: [np.eye(4), np.zeros((2, 2))]}
    fig = plot_shift_changes(maps, ["digit", "pooled"])
    assert len(fig.axes) == 6
    titles = [ax.get_title() for ax in fig.axes]
    assert titles == ["digit", "pooled", "change, shift 1 px", "change, shift 1 px",
                      "change, shift 2 px", "change, shift 2 px"]
    shown = [ax.get_images()[0].get_array() for ax in fig.axes]
    np.testing.assert_array_equal(shown[2], np.eye(4))
    np.testing.assert_array_equal(shown[5], np.ones((2, 2)))
    assert all(ax.get_images()[0].get_clim() == (0, 1) for ax in fig.axes)
    with pytest.raises(TypeError, match="stages must be a mapping with a reference"):
        map_changes({0: [np.eye(2)]})
    with pytest.raises(ValueError, match=r"stages\[1\] must hold maps shaped like"):
        map_changes({0: [np.eye(2)], 1: [np.eye(3)]})
    with pytest.raises(ValueError, match="titles must be 2 strings"):
        plot_shift_changes(maps, ["digit"])


def test_one_line_per_stage_through_the_mean_change():
    rng = np.random.default_rng(0)
    images = rng.random(size=(6, 1, 8, 8))
    layers = {"max pool": functools.partial(ops.max_pool2d, kernel_size=2)}
    change = shift_sensitivity(images, layers, [1, 2, 3])
    ax = plot_shift_sensitivity(change, [1, 2, 3]).axes[0]
    lines = ax.get_lines()
    assert [line.get_label() for line in lines] == ["input", "max pool"]
    for line, name in zip(lines, ["input", "max pool"], strict=True):
        assert np.array_equal(line.get_xdata(), [0, 1, 2, 3])
        assert np.allclose(line.get_ydata(), [0, *change[name].mean(axis=1)])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["input", "max pool"]


def test_names_choose_and_order_the_stages_and_nan_is_skipped():
    change = {"a": np.array([[1.0, np.nan], [2.0, 4.0]]), "b": np.ones((2, 3))}
    fig, ax = plt.subplots()
    out = plot_shift_sensitivity(change, [1, 2], names=["b", "a"], ax=ax)
    assert out is fig
    assert [line.get_label() for line in ax.get_lines()] == ["b", "a"]
    assert np.allclose(ax.get_lines()[1].get_ydata(), [0.0, 1.0, 3.0])


def test_many_stages_stay_distinguishable():
    change = {f"stage {i}": np.full((1, 2), float(i)) for i in range(9)}
    ax = plot_shift_sensitivity(change, [1]).axes[0]
    styles = {(ln.get_color(), ln.get_linestyle(), ln.get_marker()) for ln in ax.get_lines()}
    assert len(styles) == 9


@pytest.mark.parametrize(
    ("change", "shifts", "names", "error", "match"),
    [
        ({}, [1], None, TypeError, r"change must be a non-empty mapping"),
        ({"a": np.ones((2, 3))}, [1], None, ValueError, r"must have one row per shift \(1\)"),
        ({"a": np.ones((1, 3))}, [1], ["b"], ValueError, r"names must be stages of change \(a\)"),
        ({"a": np.ones(3)}, [1], None, ValueError, r"change\['a'\] must have 2 dimensions"),
    ],
)
def test_bad_arguments_are_refused(change, shifts, names, error, match):
    with pytest.raises(error, match=match):
        plot_shift_sensitivity(change, shifts, names=names)
