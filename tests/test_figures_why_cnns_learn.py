"""Chapter 8's figures: what they draw, from what, and what they refuse."""

import numpy as np
import pytest
from matplotlib.figure import Figure

from cnnbook.figures import why_cnns_learn as figures


def test_inductive_bias_draws_bars_with_their_values_and_one_line_per_run():
    accuracy = {"LeNet-5": [0.99, 0.94], "dense": [0.97, 0.88]}
    shifted = {"LeNet-5": [0.99, 0.98, 0.95], "dense": [0.97, 0.94, 0.76]}
    fig = figures.plot_inductive_bias(accuracy, ["60,000", "1,000"], shifted, [0, 1, 2])
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    bars, lines = fig.axes
    heights = sorted(round(p.get_height(), 2) for p in bars.patches)
    assert heights == [0.88, 0.94, 0.97, 0.99]
    assert sorted(t.get_text() for t in bars.texts) == ["88.0%", "94.0%", "97.0%", "99.0%"]
    assert [list(line.get_ydata()) for line in lines.lines] == list(shifted.values())
    assert [t.get_text() for t in lines.get_legend().get_texts()] == ["LeNet-5", "dense"]


def test_inductive_bias_rejects_mismatched_lengths():
    with pytest.raises(ValueError, match=r"accuracy\['a'\] must have 2 values, got 1"):
        figures.plot_inductive_bias({"a": [0.9]}, ["x", "y"], {"a": [1.0]}, [0])
    with pytest.raises(ValueError, match=r"shifted\['a'\] must have 2 values"):
        figures.plot_inductive_bias({"a": [0.9]}, ["x"], {"a": [1.0]}, [0, 1])
    with pytest.raises(TypeError, match="conditions must be a non-empty list"):
        figures.plot_inductive_bias({"a": [0.9]}, "x", {"a": [1.0]}, [0])


def test_checkpoints_one_row_per_moment_each_on_its_own_scale():
    rng = np.random.default_rng(0)
    arrays = {"step 0": rng.normal(size=(6, 5, 5)), "step 20": 10 * rng.normal(size=(6, 5, 5))}
    fig = figures.plot_checkpoints(arrays)
    assert len(fig.axes) == 12
    assert [fig.axes[0].get_ylabel(), fig.axes[6].get_ylabel()] == ["step 0", "step 20"]
    for row, maps in enumerate(arrays.values()):
        limit = np.abs(maps).max()
        assert fig.axes[6 * row].images[0].get_clim() == pytest.approx((-limit, limit))
    unsigned = figures.plot_checkpoints({"a": np.ones((2, 3, 3))}, signed=False)
    assert unsigned.axes[0].images[0].get_clim() == (0.0, 1.0)


def test_checkpoints_reject_bad_input():
    with pytest.raises(TypeError, match="arrays must be a non-empty mapping"):
        figures.plot_checkpoints({})
    with pytest.raises(ValueError, match="maps of one shape"):
        figures.plot_checkpoints({"a": np.ones((2, 3, 3)), "b": np.ones((3, 3, 3))})
    with pytest.raises(ValueError, match=r"arrays\['a'\] must have 3 dimensions"):
        figures.plot_checkpoints({"a": np.ones((3, 3))})


def test_attribution_grid_digit_then_each_method():
    rng = np.random.default_rng(1)
    digits = rng.random((3, 8, 8))
    maps = {"saliency": rng.random((3, 8, 8)), "occlusion": rng.normal(size=(3, 8, 8))}
    fig = figures.plot_attribution(digits, maps, ["7", "2", "1 → 7"])
    assert len(fig.axes) == 9
    assert [ax.get_title() for ax in fig.axes[:3]] == ["7", "saliency", "occlusion"]
    assert fig.axes[6].get_title() == "1 → 7"
    assert np.array_equal(fig.axes[3].images[0].get_array(), digits[1])
    low, high = fig.axes[2].images[0].get_clim()  # signed: symmetric about zero
    assert low == -high == -np.abs(maps["occlusion"][0]).max()
    assert fig.axes[1].images[0].get_clim()[0] == 0.0


def test_attribution_rejects_bad_input():
    digits = np.zeros((2, 4, 4))
    with pytest.raises(ValueError, match=r"titles must have one entry per image \(2\)"):
        figures.plot_attribution(digits, {"a": digits}, ["x"])
    with pytest.raises(ValueError, match=r"must have the shape of images \(2, 4, 4\)"):
        figures.plot_attribution(digits, {"a": np.zeros((2, 3, 3))}, ["x", "y"])
    with pytest.raises(TypeError, match="maps must be a non-empty mapping"):
        figures.plot_attribution(digits, {}, ["x", "y"])


def test_randomisation_starts_at_the_trained_network():
    corr = {"saliency": [0.5, 0.3], "Grad-CAM": [0.1, 0.0]}
    fig = figures.plot_randomisation(corr, ["fc3", "fc2"])
    ax = fig.axes[0]
    assert [list(line.get_ydata()) for line in ax.lines[:2]] == [[1.0, 0.5, 0.3], [1.0, 0.1, 0.0]]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["trained", "…fc3", "…fc2"]
    with pytest.raises(ValueError, match=r"correlations\['saliency'\] must have 3 values"):
        figures.plot_randomisation({"saliency": [1, 2]}, ["a", "b", "c"])


def test_flip_rates_and_embedding_draw_on_a_given_axes():
    import matplotlib.pyplot as plt

    fig, (a, b) = plt.subplots(1, 2)
    assert figures.plot_flip_rates([0, 0.1], {"FGSM": [0, 0.2], "random": [0, 0]}, ax=a) is fig
    assert [list(line.get_ydata()) for line in a.lines] == [[0, 0.2], [0, 0]]
    points = np.array([[0.0, 0], [1, 1], [5, 5], [6, 6]])
    got = figures.plot_embedding(points, np.array([0, 0, 1, 1]), [False, True, False, False], ax=b)
    assert got is fig
    assert [t.get_text() for t in b.texts] == ["0", "1"]
    assert b.texts[1].get_position() == (5.5, 5.5)
    assert len(b.collections) == 3  # two classes and the crosses
    assert b.get_legend().get_texts()[0].get_text() == "misclassified (1)"


def test_embedding_rejects_bad_input():
    with pytest.raises(ValueError, match=r"points must be \(N, 2\)"):
        figures.plot_embedding(np.zeros((3, 3)), np.zeros(3, int))
    with pytest.raises(ValueError, match="labels must be 3 integers"):
        figures.plot_embedding(np.zeros((3, 2)), np.zeros(3))
    with pytest.raises(ValueError, match="wrong must be a mask of 3 entries"):
        figures.plot_embedding(np.zeros((3, 2)), np.zeros(3, int), [True])
