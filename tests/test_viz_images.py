"""Images, filter banks and feature maps draw exactly what they are given."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from cnnbook import data
from cnnbook.viz.images import (
    plot_feature_maps,
    plot_filters,
    plot_images,
)


def image_axes(fig):
    return [ax for ax in fig.axes if ax.images and ax.get_label() != "<colorbar>"]


@settings(max_examples=10)
@given(n=st.integers(1, 13), ncols=st.integers(1, 6), channels=st.sampled_from([None, 1, 3]))
def test_plot_images_one_axes_per_image_titled_with_its_label(n, ncols, channels):
    rng = np.random.default_rng(n)
    shape = (n, 6, 5) if channels is None else (n, channels, 6, 5)
    images = rng.random(shape)
    labels = rng.integers(0, 10, n)
    fig = plot_images(images, labels, ncols=ncols)
    axes = image_axes(fig)
    assert len(axes) == len(fig.axes) == n
    assert [ax.get_title() for ax in axes] == [str(v) for v in labels]
    for ax, img in zip(axes, images, strict=True):
        drawn = ax.images[0].get_array()
        expected = (
            img if channels is None else (img[0] if channels == 1 else img.transpose(1, 2, 0))
        )
        np.testing.assert_array_equal(drawn, expected)
    # rows of ncols: the first row holds min(n, ncols) axes
    assert sum(ax.get_subplotspec().rowspan.start == 0 for ax in axes) == min(n, ncols)
    plt.close(fig)


def test_plot_images_class_names_tensors_and_ragged_lists():
    images = torch.rand(3, 1, 28, 28)
    fig = plot_images(images, torch.tensor([2, 0, 1]), classes=("cat", "dog", "ant"), title="t")
    assert [ax.get_title() for ax in image_axes(fig)] == ["ant", "cat", "dog"]
    assert fig.get_suptitle() == "t"
    photo = data.sample_photo(40)
    fig = plot_images([photo, photo[:10, :7]], ["big", "crop"])
    shapes = [ax.images[0].get_array().shape for ax in image_axes(fig)]
    assert shapes == [photo.shape, (10, 7)]
    fig = plot_images(np.zeros((2, 4, 4)))
    assert [ax.get_title() for ax in fig.axes] == ["", ""]


def test_plot_images_rejects_bad_input():
    with pytest.raises(ValueError, match="images must have 3 or 4 dimensions, got 2"):
        plot_images(np.zeros((28, 28)))
    with pytest.raises(ValueError, match=r"C = 1 or 3, got shape \(2, 2, 5, 5\)"):
        plot_images(np.zeros((2, 2, 5, 5)))
    with pytest.raises(ValueError, match=r"labels must have one entry per image \(3\), got 2"):
        plot_images(np.zeros((3, 5, 5)), [1, 2])
    with pytest.raises(ValueError, match=r"images\[1\] must have 2 or 3 dimensions, got 1"):
        plot_images([np.zeros((3, 3)), np.zeros(3)])
    with pytest.raises(TypeError, match="ncols must be an integer"):
        plot_images(np.zeros((3, 5, 5)), ncols=2.0)


@settings(max_examples=8)
@given(out_ch=st.integers(1, 7), in_ch=st.integers(1, 3), k=st.integers(1, 5))
def test_plot_filters_draws_every_kernel_on_one_symmetric_scale(out_ch, in_ch, k):
    rng = np.random.default_rng(out_ch * 10 + in_ch)
    weight = rng.normal(size=(out_ch, in_ch, k, k))
    fig = plot_filters(weight)
    axes = image_axes(fig)
    assert len(axes) == out_ch * in_ch
    limit = np.abs(weight).max()
    for i, ax in enumerate(axes):
        c, o = divmod(i, out_ch)  # row = input channel, column = filter
        np.testing.assert_array_equal(ax.images[0].get_array(), weight[o, c])
        assert ax.images[0].get_clim() == (-limit, limit)
    colorbars = [ax for ax in fig.axes if ax.get_label() == "<colorbar>"]
    assert len(colorbars) == 1
    plt.close(fig)


def test_plot_filters_labels_and_bad_weights():
    conv = torch.nn.Conv2d(2, 3, 3)
    fig = plot_filters(conv.weight, title="conv")
    axes = image_axes(fig)
    assert [ax.get_title() for ax in axes[:3]] == ["0", "1", "2"]
    assert [axes[i].get_ylabel() for i in (0, 3)] == ["in 0", "in 1"]
    assert fig.get_suptitle() == "conv"
    with pytest.raises(ValueError, match=r"weight must have 4 dimensions, got 3 \(shape"):
        plot_filters(np.zeros((6, 5, 5)))
    plot_filters(np.zeros((2, 1, 3, 3)))  # all-zero weights still draw


def test_plot_feature_maps_shared_and_separate_scales():
    maps = np.stack([np.full((4, 4), 1.0), np.full((4, 4), 3.0), np.eye(4)])
    fig = plot_feature_maps(maps[None], title="conv1")
    axes = image_axes(fig)
    assert [ax.get_title() for ax in axes] == ["channel 0", "channel 1", "channel 2"]
    assert all(ax.images[0].get_clim() == (0.0, 3.0) for ax in axes)
    for ax, m in zip(axes, maps, strict=True):
        np.testing.assert_array_equal(ax.images[0].get_array(), m)
    fig = plot_feature_maps(maps - 2.0, shared=False)
    assert [ax.images[0].get_clim() for ax in image_axes(fig)] == [
        (-1.0, 1.0),  # all -1: signed
        (0.0, 1.0),  # all +1: magnitude from zero
        (-2.0, 2.0),
    ]


def test_plot_feature_maps_rejects_bad_maps():
    with pytest.raises(ValueError, match="maps must have 3 or 4 dimensions, got 2"):
        plot_feature_maps(np.zeros((5, 5)))
    with pytest.raises(ValueError, match=r"batch of one \(1, C, H, W\), got shape \(2, 3, 5, 5\)"):
        plot_feature_maps(np.zeros((2, 3, 5, 5)))


def colorbar_axes(fig):
    return [ax for ax in fig.axes if ax.get_label() == "<colorbar>"]


def test_plot_filters_titles_and_a_scale_per_kernel():
    bank = np.stack([np.full((3, 3), 1 / 9), np.diag([5.0, -1.0, 0.0])])[:, None]
    fig = plot_filters(bank, titles=["blur", "sharp"], shared=False)
    axes = image_axes(fig)
    assert [ax.get_title() for ax in axes] == ["blur", "sharp"]
    # each kernel on its own symmetric scale: the ninths fill the blur's scale
    assert [ax.images[0].get_clim() for ax in axes] == [(-1 / 9, 1 / 9), (-5.0, 5.0)]
    assert len(colorbar_axes(fig)) == 2
    shared = plot_filters(bank, titles=("blur", "sharp"))
    assert all(ax.images[0].get_clim() == (-5.0, 5.0) for ax in image_axes(shared))
    assert len(colorbar_axes(shared)) == 1
    wide = plot_filters(np.ones((2, 3, 2, 2)), titles=["a", "b"])  # titles head the columns
    assert [ax.get_title() for ax in image_axes(wide)] == ["a", "b", "", "", "", ""]
    with pytest.raises(ValueError, match=r"titles must be 2 strings, got \['blur'\]"):
        plot_filters(bank, titles=["blur"])
    with pytest.raises(TypeError, match="shared must be"):
        plot_filters(bank, shared="no")
    plt.close("all")


def test_plot_feature_maps_titles_and_a_colour_bar_per_map():
    rng = np.random.default_rng(3)
    maps = np.stack([rng.random((5, 5)), 40 * rng.standard_normal((5, 5)), rng.random((5, 5))])
    names = ["blur", "sharpen", "Sobel x"]
    fig = plot_feature_maps(maps, shared=False, titles=names)
    axes = image_axes(fig)
    assert [ax.get_title() for ax in axes] == names
    bars = colorbar_axes(fig)
    assert len(bars) == len(maps)
    for ax, m in zip(axes, maps, strict=True):
        low, high = ax.images[0].get_clim()
        assert high == pytest.approx(np.abs(m).max())
        assert low == (-high if m.min() < 0 else 0.0)
    # on one shared scale the big map sets every limit, and there is one bar
    fig = plot_feature_maps(maps, titles=names)
    limit = np.abs(maps).max()
    assert all(ax.images[0].get_clim() == (-limit, limit) for ax in image_axes(fig))
    assert len(colorbar_axes(fig)) == 1
    with pytest.raises(ValueError, match="titles must be 3 strings"):
        plot_feature_maps(maps, titles=names[:2])
    with pytest.raises(ValueError, match="titles must be 3 strings"):
        plot_feature_maps(maps, titles=["a", "b", 3])
    plt.close("all")
