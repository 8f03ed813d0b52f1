"""Tests for the 2-D convolution and transposed-convolution animations."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from cnnbook import ops
from cnnbook.viz import (
    GALLERY,
    animate_conv2d,
    animate_conv_transpose2d,
    animate_gallery,
    plot_final_frame,
)
from cnnbook.viz.grid import format_value


def _written(grid):
    return [t.get_text() for t in grid.texts.ravel()]


def _header(anim):
    return [t.get_text() for t in anim.figure.axes[0].texts]


def _ints(shape, seed):
    return np.random.default_rng(seed).integers(-3, 4, size=shape).astype(np.float64)


def _torch_conv(x, k, **kw):
    return F.conv2d(torch.tensor(x)[None, None], torch.tensor(k)[None, None], **kw)[0, 0].numpy()


@settings(max_examples=12)
@given(
    st.tuples(st.integers(1, 6), st.integers(1, 6)),
    st.tuples(st.integers(1, 3), st.integers(1, 3)),
    st.integers(0, 2), st.integers(1, 3), st.integers(1, 2), st.integers(0, 99),
)
def test_conv2d_frames_and_values_equal_torch_and_ops(size, ksize, p, s, d, seed):
    assume(all(n + 2 * p >= d * (k - 1) + 1 for n, k in zip(size, ksize, strict=True)))
    x, k = _ints(size, seed), _ints(ksize, seed + 1)
    anim = animate_conv2d(x, k, padding=p, stride=s, dilation=d)
    ref = _torch_conv(x, k, padding=p, stride=s, dilation=d)
    assert anim.n_steps == ref.size
    np.testing.assert_array_equal(anim.result, ref)
    np.testing.assert_array_equal(
        anim.result, ops.conv2d(x[None, None], k[None, None], stride=s, padding=p, dilation=d)[0, 0]
    )
    plot_final_frame(anim)
    assert _written(anim.grids["output"]) == [format_value(v) for v in ref.ravel()]
    # the last window: kh·kw outlined input cells, products summing to the last output
    assert anim.grids["input"].values().shape == (size[0] + 2 * p, size[1] + 2 * p)
    assert len(anim.grids["input"].ax.collections) > 0
    assert anim.grids["products"].values().sum() == ref.ravel()[-1]


def test_every_step_writes_products_summing_to_its_output_cell():
    x, k = _ints((4, 5), 0), _ints((2, 3), 1)
    anim = animate_conv2d(x, k, padding=(1, 0), stride=(1, 2))
    ref = _torch_conv(x, k, padding=(1, 0), stride=(1, 2))
    padded = np.pad(x, ((1, 1), (0, 0)))
    for step, (i, j) in enumerate(np.ndindex(*ref.shape)):
        anim.set_step(step)
        products = anim.grids["products"].values()
        window = padded[i : i + 2, 2 * j : 2 * j + 3]
        np.testing.assert_array_equal(products, window * k)
        assert products.sum() == ref[i, j]
        out = anim.grids["output"].values().ravel()
        np.testing.assert_array_equal(out[: step + 1], ref.ravel()[: step + 1])
        assert np.isnan(out[step + 1 :]).all()


def test_padding_and_dilated_window_are_drawn():
    anim = animate_conv2d(np.ones((5, 5)), np.ones((3, 3)), padding=1, dilation=2)
    grid = anim.grids["input"]
    assert grid.padding.sum() == 7 * 7 - 5 * 5
    assert grid.padding[0].all() and not grid.padding[1, 1:-1].any()
    anim.set_step(0)
    mask = anim.marks["input"].mask
    assert [tuple(c) for c in np.argwhere(mask)] == [(r, c) for r in (0, 2, 4) for c in (0, 2, 4)]
    outlines = anim.marks["input"].outlines.get_paths()
    corners = sorted(tuple(int(v) for v in p.vertices.min(axis=0) - (grid.x, grid.y))
                     for p in outlines)
    assert corners == [(c, r) for c in (0, 2, 4) for r in (0, 2, 4)]  # holes in between
    anim.set_step(anim.n_steps - 1)
    assert np.argwhere(anim.marks["output"].mask).tolist() == [[2, 2]]


@pytest.mark.parametrize(
    ("shape", "kw", "formula"),
    [
        ((5, 5), {"padding": 1, "stride": 2}, "output size ⌊(5 + 2·1 − 3)/2⌋ + 1 = 3"),
        ((7, 7), {"dilation": 2}, "output size ⌊(7 + 2·0 − 2·(3 − 1) − 1)/1⌋ + 1 = 3"),
        ((4, 6), {}, "height ⌊(4 + 2·0 − 3)/1⌋ + 1 = 2;   width ⌊(6 + 2·0 − 3)/1⌋ + 1 = 4"),
    ],
)
def test_header_states_the_output_size_formula_with_numbers(shape, kw, formula):
    anim = animate_conv2d(np.zeros(shape), np.ones((3, 3)), **kw)
    assert formula in _header(anim)
    out = [ops.conv_output_size(n, 3, kw.get("stride", 1), kw.get("padding", 0),
                                kw.get("dilation", 1)) for n in shape]
    assert anim.result.shape == tuple(out)


@settings(max_examples=10)
@given(
    st.tuples(st.integers(1, 3), st.integers(1, 3)), st.integers(1, 3), st.integers(1, 3),
    st.integers(0, 4), st.integers(0, 2), st.integers(1, 2), st.integers(0, 99),
)
def test_conv_transpose2d_equals_torch_and_ops(size, ksize, s, p, op, d, seed):
    assume(op < max(s, d))  # what PyTorch accepts, padding beyond d·(k − 1) included
    assume(all((n - 1) * s - 2 * p + d * (ksize - 1) + op + 1 >= 1 for n in size))
    x, k = _ints(size, seed), _ints((ksize, ksize), seed + 1)
    anim = animate_conv_transpose2d(x, k, stride=s, padding=p, output_padding=op, dilation=d)
    ref = F.conv_transpose2d(torch.tensor(x)[None, None], torch.tensor(k)[None, None], stride=s,
                             padding=p, output_padding=op, dilation=d)[0, 0].numpy()
    assert anim.n_steps == ref.size
    np.testing.assert_array_equal(anim.result, ref)
    mine = ops.conv_transpose2d(x[None, None], k[None, None], stride=s, padding=p,
                                output_padding=op, dilation=d)[0, 0]
    np.testing.assert_array_equal(anim.result, mine)
    plot_final_frame(anim)
    assert _written(anim.grids["output"]) == [format_value(v) for v in ref.ravel()]
    # the kernel is drawn rotated by 180°, and products sum to the last output
    assert anim.grids["kernel"].values().tolist() == torch.flip(torch.tensor(k), [0, 1]).tolist()
    assert anim.grids["products"].values().sum() == ref.ravel()[-1]


def test_transposed_stretches_the_input_with_zeros_drawn_as_padding():
    x = np.array([[1.0, 2.0], [3.0, 4.0]])
    anim = animate_conv_transpose2d(x, np.ones((3, 3)), stride=2)
    grid = anim.grids["input"]
    assert grid.values().shape == (3 + 2 * 2, 3 + 2 * 2)  # stretched to 3×3, padded by 2
    assert (~grid.padding).sum() == x.size
    np.testing.assert_array_equal(grid.values()[~grid.padding], x.ravel())
    assert "output size (2 − 1)·2 − 2·0 + 1·(3 − 1) + 0 + 1 = 5" in _header(anim)


def test_transposed_direct_view_adds_output_padding_after_and_cuts_large_padding():
    x = _ints((3, 3), 5)
    k = _ints((3, 3), 6)
    odd = animate_conv_transpose2d(x, k, stride=2, padding=1, output_padding=1)
    canvas, pad = odd.grids["input"].values(), odd.grids["input"].padding
    assert canvas.shape == (5 + 1 + 2, 5 + 1 + 2)  # stretched 5, one zero before, two after
    assert pad[-2:].all() and pad[:, -2:].all() and pad[0].all() and not pad[1, 1]
    assert odd.result.shape == (6, 6)
    # padding 3 > d·(k − 1) = 2: PyTorch accepts it, and the direct view cuts one row off
    big = animate_conv_transpose2d(x, k, stride=2, padding=3)
    ref = F.conv_transpose2d(torch.tensor(x)[None, None], torch.tensor(k)[None, None],
                             stride=2, padding=3)[0, 0].numpy()
    np.testing.assert_array_equal(big.result, ref)
    assert big.grids["input"].values().shape == (5 - 2, 5 - 2)
    assert "x stretched, edges cut" in _header(big)


@pytest.mark.parametrize("case", list(GALLERY))
def test_gallery_cases_equal_torch(case):
    anim = animate_gallery(case)
    kind, shape, kw = GALLERY[case]
    x = anim.grids["input"].values()[~anim.grids["input"].padding].reshape(shape)
    k = torch.tensor([[1.0, 0.0, -1.0], [2.0, 0.0, -2.0], [1.0, 0.0, -1.0]], dtype=torch.float64)
    k = k[None, None]
    fn = F.conv2d if kind == "conv" else F.conv_transpose2d
    ref = fn(torch.tensor(x)[None, None], k, **kw)[0, 0].numpy()
    np.testing.assert_array_equal(anim.result, ref)
    assert anim.n_steps == ref.size


@pytest.mark.parametrize(
    ("fn", "kwargs", "error", "match"),
    [
        (animate_conv2d, {"x": np.zeros(4), "weight": np.ones((2, 2))}, ValueError,
         "x must have 2 dimensions"),
        (animate_conv2d, {"x": np.zeros((2, 2)), "weight": np.ones((3, 3))}, ValueError,
         "kernel_size 3 .* larger than the padded input size 2"),
        (animate_conv2d, {"x": np.zeros((4, 4)), "weight": np.ones((2, 2)), "stride": 0},
         ValueError, "stride must be an integer >= 1"),
        (animate_conv2d, {"x": np.zeros((4, 4)), "weight": np.ones((2, 2)), "padding": 1.5},
         TypeError, "padding must be an integer"),
        (animate_conv_transpose2d, {"x": np.zeros((2, 2)), "weight": np.ones((3, 3)), "padding": 3},
         ValueError, "padding 3 is too large: the output size would be -2"),
        (animate_conv_transpose2d, {"x": np.zeros((2, 2)), "weight": np.ones((3, 3)), "stride": 2,
                                    "output_padding": 2},
         ValueError, "output_padding must be smaller than stride or dilation"),
        (animate_conv_transpose2d, {"x": [["a"]], "weight": np.ones((3, 3))}, TypeError,
         "x must be an array of real numbers"),
        (animate_gallery, {"case": "huge"}, ValueError, "case must be one of"),
    ],
)
def test_bad_input_is_rejected(fn, kwargs, error, match):
    with pytest.raises(error, match=match):
        fn(**kwargs)
