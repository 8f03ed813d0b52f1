"""Tests for the pooling and multi-channel animations."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from cnnbook import ops
from cnnbook.viz import animate_multichannel, animate_pool2d, plot_final_frame
from cnnbook.viz.grid import format_value


def _written(grid):
    return [t.get_text() for t in grid.texts.ravel()]


def _torch_pool(x, k, s, p, mode):
    t = torch.tensor(x)[None, None]
    if mode == "max":
        out = F.max_pool2d(t, k, s, p)
    elif mode == "min":
        out = -F.max_pool2d(-t, k, s, p)
    else:
        out = F.avg_pool2d(t, k, s, p) * (k * k if mode == "sum" else 1)
    return out[0, 0].numpy()


@settings(max_examples=12)
@given(
    st.sampled_from(["max", "avg", "min", "sum"]), st.integers(1, 3), st.integers(1, 3),
    st.integers(0, 1), st.integers(3, 6), st.integers(0, 99),
)
def test_pool_values_and_frames_equal_torch_and_ops(mode, k, s, p, n, seed):
    p = min(p, k // 2)
    x = np.random.default_rng(seed).integers(-4, 9, size=(n, n + 1)).astype(np.float64)
    anim = animate_pool2d(x, k, stride=s, padding=p, mode=mode)
    ref = _torch_pool(x, k, s, p, mode)
    assert anim.n_steps == ref.size
    np.testing.assert_allclose(anim.result, ref, rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(anim.result, ops.pool2d(x[None], k, s, p, mode=mode)[0])
    plot_final_frame(anim)
    assert _written(anim.grids["output"]) == [format_value(v) for v in anim.result.ravel()]


@pytest.mark.parametrize("mode", ["max", "min"])
def test_winning_cell_is_ringed_and_holds_the_output(mode):
    x = np.array([[1, 5, 2, 0], [3, 4, 8, 1], [0, 2, 6, 7], [9, 1, 3, 2]], dtype=float)
    anim = animate_pool2d(x, 2, mode=mode)
    grid = anim.grids["input"]
    (ring,) = [p for p in grid.ax.patches if type(p).__name__ == "Circle"]
    for step, (i, j) in enumerate(np.ndindex(*anim.result.shape)):
        anim.set_step(step)
        assert ring.get_visible()
        col, row = (int(v) for v in np.subtract(ring.center, (grid.x, grid.y)))
        assert anim.marks["input"].mask[row, col]  # the ring is inside the window
        assert x[row, col] == anim.result[i, j]
    text = [t.get_text() for t in grid.ax.texts if t.get_text().startswith(f"{mode}(")]
    assert text == [f"{mode}(6, 7, 3, 2) = {format_value(anim.result[1, 1])}"]


def test_average_pool_writes_its_sum_and_count():
    anim = animate_pool2d(np.arange(16.0).reshape(4, 4), 2, mode="avg")
    anim.set_step(0)
    texts = [t.get_text() for t in anim.grids["input"].ax.texts]
    assert "(0 + 1 + 4 + 5) / 4 = 2.5" in texts


def test_padding_cells_are_drawn_as_padding_with_infinities_for_max():
    anim = animate_pool2d(np.ones((4, 4)), 3, stride=2, padding=1)
    grid = anim.grids["input"]
    assert grid.padding.sum() == 6 * 6 - 16
    assert {t.get_text() for t in grid.texts[grid.padding]} == {"−∞"}


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"x": np.zeros((4, 4)), "kernel_size": 2, "mode": "median"}, ValueError,
         "mode must be one of 'max', 'avg', 'min', 'sum'"),
        ({"x": np.zeros((2, 4, 4)), "kernel_size": 2}, ValueError, "x must have 2 dimensions"),
        ({"x": np.zeros((4, 4)), "kernel_size": 0}, ValueError, "kernel_size must be an integer"),
        ({"x": np.zeros((4, 4)), "kernel_size": 2, "padding": 2}, ValueError,
         "padding must be at most half the window"),
    ],
)
def test_pool_rejects_bad_input(kwargs, error, match):
    with pytest.raises(error, match=match):
        animate_pool2d(**kwargs)


@pytest.mark.parametrize("bias", [None, 1.5])
@pytest.mark.parametrize(("c", "pad", "stride"), [(1, 0, 1), (2, 1, 2), (3, 0, 1)])
def test_multichannel_sums_channels_like_torch(c, pad, stride, bias):
    rng = np.random.default_rng(c)
    x = rng.integers(-2, 3, size=(c, 4, 4)).astype(np.float64)
    w = rng.integers(-1, 2, size=(c, 3, 3)).astype(np.float64)
    anim = animate_multichannel(x, w, bias=bias, padding=pad, stride=stride)
    b = None if bias is None else torch.tensor([bias], dtype=torch.float64)
    ref = F.conv2d(torch.tensor(x)[None], torch.tensor(w)[None], b, stride, pad)[0, 0].numpy()
    np.testing.assert_allclose(anim.result, ref, rtol=1e-12, atol=1e-12)
    assert anim.n_steps == ref.size
    # each channel with its own slice: a grouped convolution, one group per channel
    per_channel = F.conv2d(torch.tensor(x)[None], torch.tensor(w)[:, None], None, stride, pad,
                           groups=c)
    np.testing.assert_array_equal(anim.partial_sums, per_channel[0].numpy())
    np.testing.assert_allclose(anim.partial_sums.sum(0) + (bias or 0), ref, atol=1e-12)
    plot_final_frame(anim)
    assert _written(anim.grids["output"]) == [format_value(v) for v in ref.ravel()]
    texts = [t.get_text() for t in anim.figure.axes[0].texts]
    (line,) = [t.removesuffix(" (last term: bias)") for t in texts if t.startswith("y[")]
    terms = [format_value(v) for v in anim.partial_sums[:, -1, -1]] + (
        [] if bias is None else [format_value(bias)])
    written = " + ".join(f"({t})" if t.startswith("−") else t for t in terms)
    assert line == f"y[{ref.shape[0] - 1}, {ref.shape[1] - 1}] = {written} = " + format_value(
        ref[-1, -1])


def test_multichannel_accepts_a_conv_weight_with_one_output_channel():
    x, w = np.ones((2, 3, 3)), np.ones((1, 2, 2, 2))
    anim = animate_multichannel(x, w)
    np.testing.assert_array_equal(anim.result, ops.conv2d(x, w)[0])


@pytest.mark.parametrize(
    ("x", "w", "match"),
    [
        (
            np.ones((2, 3, 3)),
            np.ones((3, 2, 2)),
            "weight must have one kernel slice per input channel",
        ),
        (np.ones((2, 3, 3)), np.ones((2, 2, 2, 2)), "weight must have one output channel"),
        (np.ones((5, 3, 3)), np.ones((5, 2, 2)), "x must have at most 4 channels"),
        (np.ones((3, 3)), np.ones((1, 2, 2)), "x must have 3 dimensions"),
    ],
)
def test_multichannel_rejects_bad_input(x, w, match):
    with pytest.raises(ValueError, match=match):
        animate_multichannel(x, w)
