"""viz.explorer: clear errors for bad settings, a first view equal to PyTorch, a self-contained
page within its size budget (the widget's JavaScript itself is tested in tests/js)."""

from __future__ import annotations

import base64
import importlib
import io
import json
import re

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from PIL import Image
from torch import nn

from cnnbook.viz import style
from cnnbook.viz.explorer import FALLBACK_BYTES, explorer

# the module itself (cnnbook.viz re-exports the function under the module's name)
module = importlib.import_module("cnnbook.viz.explorer")

CONFIG = re.compile(r'<script type="application/json" class="cx-config">(.*?)</script>', re.S)


def config_of(html) -> dict:
    return json.loads(CONFIG.search(html.data).group(1).replace("<\\/", "</"))


def numbers(v) -> np.ndarray:
    """An array of the config: a list, or base64 float64 bytes."""
    if isinstance(v, str):
        return np.frombuffer(base64.b64decode(v), dtype="<f8")
    return np.asarray(v, dtype=np.float64)


def rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


def ints(shape, low=-3, high=4, seed=0) -> np.ndarray:
    return rng(seed).integers(low, high, size=shape).astype(np.float64)


def t(a) -> torch.Tensor:
    return torch.tensor(a, dtype=torch.float64)


# (op, x, weight, keyword settings, torch's answer for one example)
CASES = [
    ("conv2d", ints((1, 7, 7)), ints((1, 1, 3, 3), seed=1), {"stride": 2, "padding": 1},
     lambda x, w: F.conv2d(t(x)[None], t(w), stride=2, padding=1)),
    ("conv2d", ints((4, 6, 5)), ints((4, 2, 3, 2), seed=1),
     {"padding": "same", "groups": 2, "padding_mode": "reflect", "dilation": (1, 2)},
     lambda x, w: _module(nn.Conv2d(4, 4, (3, 2), padding="same", groups=2, bias=False,
                                    dilation=(1, 2), padding_mode="reflect"), w)(t(x)[None])),
    ("conv1d", ints((2, 9)), ints((2, 1, 4), seed=1),
     {"padding": "same", "groups": 2, "padding_mode": "circular"},
     lambda x, w: _module(nn.Conv1d(2, 2, 4, padding="same", groups=2, bias=False,
                                    padding_mode="circular"), w)(t(x)[None])),
    ("convolve2d", ints((2, 5, 5)), ints((3, 2, 2, 3), seed=1), {"padding": (1, 0)},
     lambda x, w: F.conv2d(t(x)[None], t(w).flip(-2, -1), padding=(1, 0))),
    ("convolve1d", ints((1, 8)), ints((1, 1, 3), seed=1), {"dilation": 2, "padding": 2},
     lambda x, w: F.conv1d(t(x)[None], t(w).flip(-1), dilation=2, padding=2)),
    ("conv_transpose2d", ints((2, 3, 4)), ints((2, 2, 3, 3), seed=1),
     {"stride": 2, "padding": 1, "output_padding": 1, "groups": 2},
     lambda x, w: F.conv_transpose2d(t(x)[None], t(w), stride=2, padding=1,
                                     output_padding=1, groups=2)),
    ("conv_transpose1d", ints((1, 5)), ints((1, 3, 2), seed=1), {"stride": 3, "dilation": 2},
     lambda x, w: F.conv_transpose1d(t(x)[None], t(w), stride=3, dilation=2)),
    ("max_pool2d", ints((3, 7, 6)), None, {"kernel_size": 3, "stride": 2, "padding": 1,
                                           "ceil_mode": True},
     lambda x, w: F.max_pool2d(t(x)[None], 3, 2, 1, ceil_mode=True)),
    ("max_pool1d", ints((1, 11)), None, {"kernel_size": 2, "dilation": 2},
     lambda x, w: F.max_pool1d(t(x)[None], 2, dilation=2)),
    ("avg_pool2d", ints((1, 5, 5)), None, {"kernel_size": 2, "padding": 1, "ceil_mode": True,
                                           "count_include_pad": False},
     lambda x, w: F.avg_pool2d(t(x)[None], 2, padding=1, ceil_mode=True,
                               count_include_pad=False)),
    ("avg_pool1d", ints((2, 10)), None, {"kernel_size": 3, "stride": 2, "padding": 1},
     lambda x, w: F.avg_pool1d(t(x)[None], 3, 2, 1)),
]


def _module(layer: nn.Module, w) -> nn.Module:
    layer = layer.double()
    with torch.no_grad():
        layer.weight.copy_(t(w))
    return layer


def _call(op, x, w, kwargs, **extra):
    args = (op, x) if w is None else (op, x, w)
    return explorer(*args, **kwargs, **extra)


@pytest.mark.parametrize(("op", "x", "w", "kwargs", "reference"), CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_the_embedded_first_view_equals_torch(op, x, w, kwargs, reference):
    config = config_of(_call(op, x, w, kwargs))
    expected = reference(x, w)[0].detach().numpy()
    assert config["expected"]["shape"] == list(expected.shape)
    np.testing.assert_allclose(numbers(config["expected"]["out"]), expected.ravel(), rtol=0,
                               atol=1e-9)
    example = config["example"]
    assert np.array_equal(numbers(example["x"]), x.ravel())
    assert example["xShape"][0] == x.shape[0] and np.prod(example["xShape"]) == x.size
    state = config["state"]
    assert state["op"] + str(state["dims"]) == module.EXPLORER_OPS[op][0] + op[-2]
    assert state["inChannels"] == x.shape[0]
    assert state["outChannels"] == expected.shape[0]


def test_bias_is_embedded_and_added():
    x, w, b = ints((2, 4, 4)), ints((3, 2, 3, 3), seed=1), np.array([0.5, -1.0, 2.0])
    config = config_of(explorer("conv2d", x, w, b, padding=1))
    expected = F.conv2d(t(x)[None], t(w), t(b), padding=1)[0].numpy()
    np.testing.assert_allclose(numbers(config["expected"]["out"]), expected.ravel(), atol=1e-9)
    assert np.array_equal(numbers(config["example"]["bias"]), b)


def test_one_channel_arrays_may_drop_their_channel_axes():
    x, w = ints((6, 6)), ints((3, 3), seed=1)
    config = config_of(explorer("conv2d", x, w))
    expected = F.conv2d(t(x)[None, None], t(w)[None, None])[0].numpy()
    np.testing.assert_allclose(numbers(config["expected"]["out"]), expected.ravel())
    assert config["expected"]["shape"] == [1, 4, 4]
    batched = config_of(explorer("conv2d", x[None, None], w[None, None]))
    assert batched["expected"] == config["expected"]


def test_colours_come_from_the_style_module():
    colors = config_of(explorer("max_pool2d", ints((1, 4, 4)), kernel_size=2))["colors"]
    for role in ("input", "kernel", "output", "padding", "highlight"):
        assert colors[role] == style.ROLE_COLORS[role]
    assert colors["negative"] == style.NEGATIVE_COLOR


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: explorer("conv3d", ints((1, 3, 3)), ints((1, 1, 1, 1))), ValueError,
         r"op must be one of 'conv1d', 'conv2d'"),
        (lambda: explorer("conv2d", ints((1, 3, 3))), TypeError, r"conv2d needs a weight"),
        (lambda: explorer("max_pool2d", ints((1, 3, 3)), ints((2, 2))), TypeError,
         r"kernel_size, not weight"),
        (lambda: explorer("max_pool2d", ints((1, 3, 3))), TypeError, r"needs kernel_size"),
        (lambda: explorer("conv2d", ints((1, 3, 3)), ints((1, 1, 2, 2)), kernel_size=2),
         TypeError, r"leave kernel_size out"),
        (lambda: explorer("conv2d", ints((5, 3, 3)), ints((1, 5, 1, 1))), ValueError,
         r"at most 4 channels"),
        (lambda: explorer("conv2d", ints((1, 33, 3)), ints((1, 1, 1, 1))), ValueError,
         r"at most 32 cells per axis"),
        (lambda: explorer("conv2d", ints((2, 1, 3, 3)), ints((1, 1, 1, 1))), ValueError,
         r"one example \(batch size 1\)"),
        (lambda: explorer("conv2d", ints((1, 3, 3)), ints((1, 1, 5, 5))), ValueError,
         r"larger than the \(padded\) input"),
        (lambda: explorer("conv2d", ints((1, 8, 8)), ints((1, 1, 3, 3)), padding="same",
                          stride=2), ValueError, r"padding='same' is not supported"),
        (lambda: explorer("conv2d", ints((1, 3, 3)), ints((1, 1, 1, 1)), padding="full"),
         ValueError, r"padding must be one of 'valid', 'same'"),
        (lambda: explorer("conv_transpose2d", ints((1, 3, 3)), ints((1, 1, 3, 3)),
                          padding="same"), ValueError, r"padding must be numbers"),
        (lambda: explorer("conv_transpose2d", ints((1, 3, 3)), ints((1, 1, 3, 3)),
                          padding_mode="reflect"), ValueError, r"padding_mode must be 'zeros'"),
        (lambda: explorer("conv2d", ints((1, 3, 3)), ints((1, 1, 1, 1)), padding_mode="wrap"),
         ValueError, r"padding_mode must be one of"),
        (lambda: explorer("conv_transpose2d", ints((1, 3, 3)), ints((1, 1, 3, 3)), stride=2,
                          output_padding=2), ValueError, r"output_padding must be smaller"),
        (lambda: explorer("max_pool2d", ints((1, 5, 5)), kernel_size=3, padding=2), ValueError,
         r"padding must be at most half"),
        (lambda: explorer("max_pool2d", ints((1, 5, 5)), kernel_size=2, ceil_mode=1), TypeError,
         r"ceil_mode must be True or False"),
        (lambda: explorer("avg_pool2d", ints((1, 5, 5)), kernel_size=2, dilation=2),
         ValueError, r"has no dilation"),
        (lambda: explorer("conv2d", ints((1, 5, 5)), ints((1, 1, 1, 1)), stride=0), ValueError,
         r"stride must be an integer >= 1"),
        (lambda: explorer("conv2d", ints((1, 5, 5)), ints((1, 1, 1, 1)), digits=np.ones(3)),
         ValueError, r"digits must have 2 or 3 dimensions"),
        (lambda: explorer("conv2d", ints((1, 5, 5)), ints((1, 1, 1, 1)),
                          digits=np.full((1, 4, 4), 300.0)), ValueError, r"digits must hold"),
        (lambda: explorer("conv2d", ints((1, 5, 5)), ints((1, 1, 1, 1)), title=3), TypeError,
         r"title must be a string"),
        (lambda: explorer("conv_transpose2d", ints((1, 32, 32)), ints((1, 1, 4, 4)), stride=3),
         ValueError, r"more than 64 cells per axis"),
    ],
)
def test_bad_input_gives_a_clear_error(call, error, match):
    with pytest.raises(error, match=match):
        call()


EXTERNAL = re.compile(
    r"""(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}|\b(?:src|href)\s*=\s*["'](?!data:)""", re.I)


def test_the_html_names_no_external_resource():
    digits = rng().integers(0, 256, size=(3, 28, 28))
    html = explorer("conv2d", ints((1, 9, 9)), ints((1, 1, 3, 3)), digits=digits,
                    include_code=True).data
    assert not EXTERNAL.findall(html), EXTERNAL.findall(html)[:3]
    assert "<script>" in html and "<style>" in html


def test_the_noscript_picture_is_a_small_png_with_alt_text():
    for x, kwargs in ((ints((1, 5, 5)), {"padding": 1}),
                      (ints((4, 32, 32)), {"padding": 2, "groups": 4})):
        w = ints((1, 1, 3, 3)) if x.shape[0] == 1 else ints((4, 1, 5, 5))
        html = explorer("conv2d", x, w, **kwargs).data
        fallback = re.search(r'<noscript>.*?<img src="data:image/png;base64,([^"]+)" '
                             r'alt="([^"]+)"', html, re.S)
        assert fallback, "no noscript picture"
        assert len(fallback.group(1)) <= FALLBACK_BYTES
        image = Image.open(io.BytesIO(base64.b64decode(fallback.group(1))))
        assert image.format == "PNG" and min(image.size) > 100
        assert len(fallback.group(2)) > 20


def test_arrays_travel_exactly_and_compactly():
    x = rng().normal(size=(2, 6, 6))
    config = config_of(explorer("max_pool2d", x, kernel_size=2))
    assert isinstance(config["example"]["x"], str)
    assert np.array_equal(numbers(config["example"]["x"]), x.ravel())  # every bit
    assert config_of(explorer("max_pool2d", ints((1, 4, 4)), kernel_size=2))["example"]["x"][:3] \
        == ints((1, 4, 4)).ravel()[:3].astype(int).tolist()


def test_digits_are_shipped_as_bytes():
    digits = rng().random((2, 28, 28))
    shipped = config_of(explorer("max_pool2d", ints((1, 4, 4)), kernel_size=2,
                                 digits=digits))["digits"]
    assert shipped["shape"] == [2, 28, 28]
    pixels = np.frombuffer(base64.b64decode(shipped["data"]), dtype=np.uint8)
    assert np.array_equal(pixels, np.rint(digits * 255).astype(np.uint8).ravel())


def test_the_code_comes_once_per_process_unless_asked(monkeypatch):
    monkeypatch.setattr(module, "_code_emitted", False)
    x, w = ints((1, 4, 4)), ints((1, 1, 2, 2))
    first, second = explorer("conv2d", x, w).data, explorer("conv2d", x, w).data
    assert "CnnbookEngine" in first and "CnnbookEngine" not in second
    assert "CnnbookEngine" in explorer("conv2d", x, w, include_code=True).data
    monkeypatch.setitem(__import__("sys").modules, "google.colab", object())
    assert "CnnbookEngine" in explorer("conv2d", x, w).data  # Colab: every output


def test_the_widget_adds_at_most_300_kB_to_a_page():
    """The largest setting with code, digits and picture; two more instances without code."""
    digits = rng().integers(0, 256, size=(8, 28, 28))
    big = explorer("conv2d", rng().normal(size=(4, 32, 32)), rng().normal(size=(4, 4, 5, 5)),
                   padding=2, digits=digits, include_code=True).data
    more = [explorer("conv1d", ints((2, 64)), ints((2, 2, 5)), include_code=False).data,
            explorer("max_pool2d", ints((4, 28, 28)), kernel_size=2, include_code=False).data]
    total = len(big.encode()) + sum(len(h.encode()) for h in more)
    assert total <= 300_000, f"{total} bytes"
