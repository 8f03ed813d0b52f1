"""Tests for the 1-D correlation/convolution animation: frames, written values, errors."""

import re

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from cnnbook import ops
from cnnbook.viz import animate_conv1d, describe, plot_final_frame
from cnnbook.viz.grid import format_value

MODES = ("valid", "same", "full")


def _written(grid):
    return [t.get_text() for t in grid.texts.ravel()]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("flip", [False, True])
@pytest.mark.parametrize("k", [[1, 0, -2], [1, -1, 2, 1]])
def test_values_and_frames_equal_numpy_and_ops(mode, flip, k):
    x = np.array([1, 2, 0, -1, 3, 1, 2])
    anim = animate_conv1d(x, k, mode=mode, flip=flip)
    ref = np.convolve(x, k, mode) if flip else np.correlate(x, k, mode)
    mine = ops.convolve1d(x, k, mode) if flip else ops.correlate1d(x, k, mode)
    assert anim.n_steps == ref.size
    np.testing.assert_array_equal(anim.result, ref)
    np.testing.assert_array_equal(anim.result, mine)
    plot_final_frame(anim)
    assert _written(anim.grids["output"]) == [format_value(v) for v in ref]


@pytest.mark.parametrize("flip", [False, True])
def test_each_step_shows_products_that_sum_to_the_output(flip):
    x, k = np.array([3, -1, 2, 0, 1]), np.array([2, 1, -1])
    anim = animate_conv1d(x, k, mode="full", flip=flip)
    slid = torch.flip(torch.tensor(k), [0]).numpy() if flip else k
    assert _written(anim.grids["kernel"]) == [format_value(v) for v in slid]
    for n in range(anim.n_steps):
        anim.set_step(n)
        products = anim.grids["products"].values()
        assert products.sum() == anim.result[n]
        out = anim.grids["output"].values().ravel()
        np.testing.assert_array_equal(out[: n + 1], anim.result[: n + 1])
        assert np.isnan(out[n + 1 :]).all()
        # the kernel sits under window n of the padded signal
        assert anim.grids["kernel"].x == anim.grids["input"].x + n


@settings(max_examples=20)
@given(
    st.integers(1, 8).flatmap(
        lambda n: st.tuples(
            st.lists(st.floats(-5, 5), min_size=n, max_size=n),
            st.integers(1, n).flatmap(lambda m: st.lists(st.floats(-5, 5), min_size=m,
                                                         max_size=m)),
        )
    ),
    st.sampled_from(MODES),
    st.booleans(),
)
def test_random_signals_match_numpy(xk, mode, flip):
    x, k = (np.array(v, dtype=np.float64) for v in xk)
    anim = animate_conv1d(x, k, mode=mode, flip=flip)
    ref = np.convolve(x, k, mode) if flip else np.correlate(x, k, mode)
    np.testing.assert_allclose(anim.result, ref, rtol=1e-12, atol=1e-12)
    plot_final_frame(anim)
    assert _written(anim.grids["output"]) == [format_value(v) for v in anim.result]


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"x": np.zeros((2, 3)), "weight": [1]}, ValueError, "x must have 1 dimensions"),
        ({"x": [1, 2, 3], "weight": [[1]]}, ValueError, "weight must have 1 dimensions"),
        ({"x": ["a"], "weight": [1]}, TypeError, "x must be an array of real numbers"),
        ({"x": [1, 2], "weight": [1, 2, 3]}, ValueError, "weight must not be longer than x"),
        ({"x": [1, 2], "weight": [1], "mode": "circular"}, ValueError, "mode must be one of"),
        ({"x": [1, 2], "weight": [1], "flip": "yes"}, TypeError, "flip must be True or False"),
    ],
)
def test_bad_input_is_rejected(kwargs, error, match):
    with pytest.raises(error, match=match):
        animate_conv1d(**kwargs)


@pytest.mark.parametrize("mode", ["full", "same", "valid"])
@pytest.mark.parametrize("flip", [True, False])
def test_header_numbers_the_outputs_as_the_formula_does(mode, flip):
    """The header's range of n is where the sum's formula puts the array's entries."""
    x, w = np.array([2.0, 0, 1, 3, 1, 2]), np.array([1.0, 2, -1])
    anim = animate_conv1d(x, w, mode, flip=flip)
    first = int(re.search(r"n = (−?\d+),", describe(anim)).group(1).replace("−", "-"))
    k, full = w.size, np.convolve(x, w) if flip else np.correlate(x, w, "full")
    # np.convolve's full output starts at n = 0 of x*w; the full correlation at n = -(k - 1)
    start = first - (0 if flip else -(k - 1))
    assert np.allclose(anim.result, full[start : start + anim.result.size])
