"""pad1d / pad2d against torch.nn.functional.pad, and their argument checks."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from cnnbook.ops import pad1d, pad2d

TORCH_MODE = {"zeros": "constant", "constant": "constant", "reflect": "reflect",
              "replicate": "replicate", "circular": "circular"}


def _limit(mode: str, size: int) -> int:
    return {"reflect": size - 1, "circular": size}.get(mode, 4)


@settings(max_examples=60)
@given(data=st.data(), mode=st.sampled_from(list(TORCH_MODE)))
def test_pad2d_matches_torch(data, mode):
    h, w = data.draw(st.integers(1, 6)), data.draw(st.integers(1, 6))
    rng = np.random.default_rng(data.draw(st.integers(0, 2**16)))
    x = rng.standard_normal((2, 3, h, w))
    left, right = (data.draw(st.integers(0, min(3, _limit(mode, w)))) for _ in range(2))
    top, bottom = (data.draw(st.integers(0, min(3, _limit(mode, h)))) for _ in range(2))
    expected = F.pad(torch.from_numpy(x), (left, right, top, bottom), mode=TORCH_MODE[mode])
    np.testing.assert_array_equal(pad2d(x, (left, right, top, bottom), mode), expected.numpy())
    if (left, top) == (right, bottom):
        np.testing.assert_array_equal(pad2d(x, (top, left), mode), expected.numpy())


@settings(max_examples=40)
@given(data=st.data(), mode=st.sampled_from(list(TORCH_MODE)))
def test_pad1d_matches_torch(data, mode):
    n = data.draw(st.integers(1, 7))
    x = np.random.default_rng(data.draw(st.integers(0, 2**16))).standard_normal((2, 3, n))
    left, right = (data.draw(st.integers(0, min(4, _limit(mode, n)))) for _ in range(2))
    expected = F.pad(torch.from_numpy(x), (left, right), mode=TORCH_MODE[mode]).numpy()
    np.testing.assert_array_equal(pad1d(x, (left, right), mode), expected)
    if left == right:
        np.testing.assert_array_equal(pad1d(x, left, mode), expected)


def test_constant_value_and_int_padding():
    x = np.arange(6.0).reshape(2, 3)
    expected = F.pad(torch.from_numpy(x), (2, 2, 2, 2), value=-1.5).numpy()
    np.testing.assert_array_equal(pad2d(x, 2, value=-1.5), expected)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: pad2d(np.ones((3, 3)), -1), ValueError, r"padding must be an integer >= 0"),
        (lambda: pad2d(np.ones((3, 3)), (1, 2, 3)), ValueError, r"padding must be .*\(1, 2, 3\)"),
        (lambda: pad2d(np.ones((3, 3)), 1.5), TypeError, r"padding must be an integer, got 1.5"),
        (lambda: pad2d(np.ones(3), 1), ValueError, r"x must have at least 2 dimensions, got 1"),
        (lambda: pad2d(np.ones((3, 3)), 1, "mirror"), ValueError, r"mode must be one .*'mirror'"),
        (lambda: pad2d(np.ones((3, 3)), 3, "reflect"), ValueError,
         r"padding \(3, 3\) on axis -2 must be smaller than the input size 3 for mode 'reflect'"),
        (lambda: pad1d(np.ones((2, 3)), 4, "circular"), ValueError,
         r"must be at most the input size 3 for mode 'circular'"),
        (lambda: pad1d(np.ones((2, 3)), 1, "reflect", value=2.0), ValueError,
         r"value is only used by mode 'zeros'"),
        (lambda: pad1d(np.array(["a"]), 1), TypeError, r"x must be an array of real numbers"),
    ],
)
def test_bad_arguments(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_torch_refuses_the_same_reflect_padding():
    with pytest.raises(RuntimeError, match="Padding size should be less than"):
        F.pad(torch.ones(1, 3, 3), (3, 3, 3, 3), mode="reflect")
