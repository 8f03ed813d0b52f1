"""Shifts, equivariance of convolution and the tolerance to shifts that pooling buys."""

import functools

import numpy as np
import pytest
import scipy.ndimage
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from cnnbook import ops
from cnnbook.invariance import map_changes, relative_change, shift_image, shift_sensitivity


@settings(max_examples=60)
@given(
    h=st.integers(1, 9),
    w=st.integers(1, 9),
    down=st.integers(-10, 10),
    right=st.integers(-10, 10),
    fill=st.sampled_from([0.0, -1.5]),
    seed=st.integers(0, 2**16),
)
def test_shift_image_equals_scipy_whole_pixel_shift(h, w, down, right, fill, seed):
    x = np.random.default_rng(seed).normal(size=(2, 3, h, w))
    expected = scipy.ndimage.shift(x, (0, 0, down, right), order=0, mode="constant", cval=fill)
    assert np.array_equal(shift_image(x, down, right, fill=fill), expected)


@settings(max_examples=40)
@given(down=st.integers(-4, 4), right=st.integers(-4, 4), seed=st.integers(0, 2**16))
def test_shift_image_moves_every_pixel_exactly(down, right, seed):
    x = np.random.default_rng(seed).normal(size=(6, 7))
    y = shift_image(x, down, right)
    for i, j in np.ndindex(*x.shape):
        if 0 <= i - down < 6 and 0 <= j - right < 7:
            assert y[i, j] == x[i - down, j - right]
        else:
            assert y[i, j] == 0.0
    # a shift there and back loses only what fell over the edge
    back = shift_image(y, -down, -right)
    keep = shift_image(np.ones_like(x), down, right)
    assert np.array_equal(back, x * shift_image(keep, -down, -right))


def test_shift_image_keeps_shape_dtype_and_input():
    x = np.arange(12, dtype=np.float32).reshape(1, 3, 4)
    before = x.copy()
    y = shift_image(x, 1, -1)
    assert y.shape == x.shape and y.dtype == np.float32
    assert np.array_equal(x, before)
    assert np.array_equal(y[0], [[0, 0, 0, 0], [1, 2, 3, 0], [5, 6, 7, 0]])
    assert np.array_equal(shift_image(x, 0, 0), x)
    assert np.array_equal(shift_image(x, 3, 0), np.zeros_like(x))


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"down": 1.5}, TypeError, r"down must be an integer, got 1\.5"),
        ({"right": "2"}, TypeError, r"right must be an integer, got '2'"),
        ({"fill": "zero"}, TypeError, r"fill must be a real number, got 'zero'"),
    ],
)
def test_shift_image_rejects_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        shift_image(np.zeros((3, 3)), **kwargs)


def test_shift_image_rejects_a_signal():
    with pytest.raises(ValueError, match=r"x must have 2 or 3 or 4 dimensions, got 1"):
        shift_image(np.zeros(5), 1, 0)


@settings(max_examples=40)
@given(
    down=st.integers(-3, 3),
    right=st.integers(-3, 3),
    k=st.integers(1, 4),
    seed=st.integers(0, 2**16),
)
def test_convolution_is_equivariant_away_from_the_border(down, right, k, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(1, 2, 12, 11))
    w = rng.normal(size=(3, 2, k, k))
    shifted_then_conv = ops.conv2d(shift_image(x, down, right), w)
    conv_then_shifted = shift_image(ops.conv2d(x, w), down, right)
    # an output that sees a cell emptied by the shift, or is emptied itself, may differ
    m_top, m_left = max(down, 0) + k - 1, max(right, 0) + k - 1
    m_bottom, m_right = max(-down, 0) + k - 1, max(-right, 0) + k - 1
    h, w_ = conv_then_shifted.shape[-2:]
    inner = (..., slice(m_top, h - m_bottom), slice(m_left, w_ - m_right))
    np.testing.assert_allclose(shifted_then_conv[inner], conv_then_shifted[inner], atol=1e-12)


def test_convolution_is_equivariant_everywhere_when_the_image_has_a_blank_border():
    rng = np.random.default_rng(3)
    x = np.zeros((1, 1, 16, 16))
    x[..., 5:11, 5:11] = rng.normal(size=(6, 6))
    w = torch.tensor(rng.normal(size=(4, 1, 3, 3)))
    conv = functools.partial(F.conv2d, weight=w, padding=1)
    moved = conv(torch.tensor(shift_image(x, 2, -3))).numpy()
    np.testing.assert_allclose(moved, shift_image(conv(torch.tensor(x)).numpy(), 2, -3), atol=1e-12)


@settings(max_examples=40)
@given(n=st.integers(1, 4), seed=st.integers(0, 2**16))
def test_relative_change_is_the_norm_ratio_per_example(n, seed):
    rng = np.random.default_rng(seed)
    a, b = rng.normal(size=(n, 2, 3, 3)), rng.normal(size=(n, 2, 3, 3))
    expected = [np.sqrt(((b[i] - a[i]) ** 2).sum() / (a[i] ** 2).sum()) for i in range(n)]
    np.testing.assert_allclose(relative_change(a, b), expected, rtol=1e-12)
    assert np.array_equal(relative_change(a, a), np.zeros(n))


def test_relative_change_of_a_blank_example_is_nan():
    before = np.array([[0.0, 0.0], [3.0, 4.0]])
    after = np.array([[1.0, 0.0], [3.0, 0.0]])
    out = relative_change(before, after)
    assert np.isnan(out[0]) and out[1] == pytest.approx(0.8)


def test_relative_change_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match=r"same shape \(N, \.\.\.\), got \(2, 3\) and \(3, 2\)"):
        relative_change(np.ones((2, 3)), np.ones((3, 2)))


def test_max_pooling_forgives_a_shift_inside_its_window():
    # one bright pixel in the left column of a 2x2 window, moved one pixel to the right:
    # the pixels change completely, the max-pooled map not at all
    x = np.zeros((1, 1, 4, 4))
    x[..., 0, 0] = 1.0
    layers = {"max pool": functools.partial(ops.max_pool2d, kernel_size=2)}
    result = shift_sensitivity(x, layers, [1, (1, 0), (0, 2)])
    np.testing.assert_allclose(result["input"][:, 0], np.sqrt(2.0))
    np.testing.assert_allclose(result["max pool"][:, 0], [0.0, 0.0, np.sqrt(2.0)])


def test_pooled_change_is_smaller_than_the_raw_change_on_a_constructed_image():
    # a bar two pixels wide in a 12x12 image, an edge filter and ReLU, then pooling
    x = np.zeros((1, 1, 12, 12))
    x[..., 3:9, 4:6] = 1.0
    edge = np.array([[[[-1.0, 0.0, 1.0]] * 3]])
    layers = {
        "conv": functools.partial(ops.conv2d, weight=edge, padding=1),
        "relu": functools.partial(np.maximum, 0.0),
        "max pool": functools.partial(ops.max_pool2d, kernel_size=2),
    }
    result = shift_sensitivity(x, layers, [1, -1, (1, 0)])
    assert (result["max pool"] < result["relu"]).all()
    assert (result["max pool"] < result["input"]).all()
    # the convolution only moves: its output keeps its size, however it shifts
    conv_out = ops.conv2d(x, edge, padding=1)
    for down, right in [(0, 1), (0, -1), (1, 0)]:
        moved = ops.conv2d(shift_image(x, down, right), edge, padding=1)
        assert np.allclose(moved, shift_image(conv_out, down, right))
        assert np.isclose(np.linalg.norm(moved), np.linalg.norm(conv_out))


def test_shift_sensitivity_shapes_and_a_zero_shift():
    rng = np.random.default_rng(0)
    images = rng.normal(size=(5, 1, 8, 8))
    layers = {"avg": functools.partial(ops.avg_pool2d, kernel_size=2), "twice": np.square}
    result = shift_sensitivity(images, layers, [0, (0, 0), 2])
    assert list(result) == ["input", "avg", "twice"]
    assert all(v.shape == (3, 5) for v in result.values())
    assert all(np.array_equal(v[:2], np.zeros((2, 5))) for v in result.values())
    expected = relative_change(images, shift_image(images, 0, 2))
    np.testing.assert_allclose(result["input"][2], expected)


def test_shift_sensitivity_side_branches_read_their_source():
    rng = np.random.default_rng(1)
    images = rng.normal(size=(4, 1, 8, 8))
    layers = {
        "relu": functools.partial(np.maximum, 0.0),
        "max": functools.partial(ops.max_pool2d, kernel_size=2),
        "avg": ("relu", functools.partial(ops.avg_pool2d, kernel_size=2)),
        "avg squared": np.square,
        "raw squared": ("input", np.square),
    }
    result = shift_sensitivity(images, layers, [1, (2, -1)])
    for row, (down, right) in enumerate([(0, 1), (2, -1)]):
        moved = shift_image(images, down, right)
        relu_before, relu_after = np.maximum(images, 0), np.maximum(moved, 0)
        avg_before = ops.avg_pool2d(relu_before, 2)
        avg_after = ops.avg_pool2d(relu_after, 2)
        np.testing.assert_allclose(result["avg"][row], relative_change(avg_before, avg_after))
        np.testing.assert_allclose(
            result["avg squared"][row], relative_change(avg_before**2, avg_after**2)
        )
        np.testing.assert_allclose(
            result["raw squared"][row], relative_change(images**2, moved**2)
        )
        np.testing.assert_allclose(
            result["max"][row],
            relative_change(ops.max_pool2d(relu_before, 2), ops.max_pool2d(relu_after, 2)),
        )


@pytest.mark.parametrize(
    ("layers", "shifts", "error", "match"),
    [
        ({}, [1], TypeError, r"layers must be a non-empty mapping"),
        ([np.abs], [1], TypeError, r"layers must be a non-empty mapping"),
        ({"f": 3}, [1], TypeError, r"layer 'f' must be callable, got 3"),
        ({"input": np.abs}, [1], ValueError, r"must not use the name 'input'"),
        ({"f": np.abs}, [], ValueError, r"shifts must list at least one shift"),
        ({"f": np.abs}, [1.5], TypeError, r"shifts must be an integer, got 1\.5"),
        ({"f": np.abs}, [(1, 2, 3)], ValueError, r"shifts must be an integer or a sequence of 2"),
        ({"f": ("g", np.abs)}, [1], ValueError, r"layer 'f' reads from 'g', which is neither"),
        ({"f": ("input", None)}, [1], TypeError, r"layer 'f' must be callable, got None"),
    ],
)
def test_shift_sensitivity_rejects_bad_arguments(layers, shifts, error, match):
    with pytest.raises(error, match=match):
        shift_sensitivity(np.ones((1, 1, 4, 4)), layers, shifts)


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
