"""Signed maps share one symmetric scale; shift changes are |map - reference| on its scale."""

import numpy as np
import pytest
import scipy.signal
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.figure import Figure

from cnnbook import ops
from cnnbook.invariance import shift_image
from cnnbook.viz.maps import map_changes, show_shift_changes, show_signed_maps


def test_signed_maps_share_one_symmetric_scale():
    rng = np.random.default_rng(0)
    image = rng.random((12, 12))
    h = np.array([[1.0, 0.0, -1.0], [2.0, 0.0, -2.0], [1.0, 0.0, -1.0]])
    conv = scipy.signal.convolve2d(image, h, "valid")
    fig = show_signed_maps(image, [conv, -conv[None, None]], ["a", "b"])
    assert isinstance(fig, Figure) and len(fig.axes) == 3
    assert [ax.get_title() for ax in fig.axes] == ["photo x", "a", "b"]
    gray, *signed = (ax.get_images()[0] for ax in fig.axes)
    np.testing.assert_array_equal(gray.get_array(), image)
    scale = np.percentile(np.abs(conv), 99)
    for im, expected in zip(signed, [conv, -conv], strict=True):
        np.testing.assert_array_equal(im.get_array(), expected)
        assert im.get_clim() == pytest.approx((-scale, scale), rel=1e-12)
    fixed = show_signed_maps(image, [conv], ["c"], image_title="x", scale=2.0)
    assert fixed.axes[0].get_title() == "x"
    assert fixed.axes[1].get_images()[0].get_clim() == (-2.0, 2.0)


def test_signed_maps_reject_bad_input():
    image = np.zeros((5, 5))
    with pytest.raises(TypeError, match="maps must be a non-empty list"):
        show_signed_maps(image, np.zeros((3, 3)), ["a"])
    with pytest.raises(ValueError, match=r"maps\[0\] must be a 2-D map"):
        show_signed_maps(image, [np.zeros((2, 3, 3))], ["a"])
    with pytest.raises(ValueError, match="titles must be 2 strings"):
        show_signed_maps(image, [image, image], ["a"])
    with pytest.raises(ValueError, match="scale"):
        show_signed_maps(image, [image], ["a"], scale=-1.0)


@settings(max_examples=10, deadline=None)
@given(shift=st.integers(1, 3), seed=st.integers(0, 50))
def test_map_changes_are_differences_on_the_reference_scale(shift, seed):
    rng = np.random.default_rng(seed)
    image = rng.random((1, 1, 8, 8))
    stages = {}
    for s in (0, shift):
        moved = shift_image(image, down=0, right=s)
        stages[s] = [moved, ops.max_pool2d(moved, 2)]
    ref, change = map_changes(stages)
    for m, r in zip(stages[0], ref, strict=True):
        np.testing.assert_allclose(r, m[0, 0] / m.max(), rtol=1e-15)
    for m, m0, c in zip(stages[shift], stages[0], change, strict=True):
        np.testing.assert_allclose(c, np.abs(m - m0)[0, 0] / m0.max(), rtol=1e-15)
    assert ref[0].max() == 1.0
    # the columns the shift filled with zeros changed by the whole reference value
    np.testing.assert_array_equal(change[0][:, :shift], ref[0][:, :shift])


def test_shift_change_grid_and_bad_input():
    maps = {0: [np.eye(4), np.ones((2, 2))], 1: [np.zeros((4, 4)), np.ones((2, 2))],
            2: [np.eye(4), np.zeros((2, 2))]}
    fig = show_shift_changes(maps, ["digit", "pooled"])
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
        show_shift_changes(maps, ["digit"])
