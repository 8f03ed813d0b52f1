"""One drawing API across the kit and the chapters' figure modules.

Every public drawing is ``plot_<what>`` and returns a ``Figure``; every animation is
``animate_<op>``; a single-panel drawing takes ``ax=None`` (keyword-only) and, given an axes,
draws there and returns ``ax.figure``; the kernel argument is ``weight``.
"""

import importlib
import inspect
import pkgutil
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

import cnnbook.figures
import cnnbook.viz
from cnnbook import viz
from cnnbook.figures import convolution_1d, correlation_vs_convolution, lenet, pooling
from cnnbook.models import CourseNet

CHAPTERS = Path(__file__).resolve().parent.parent / "chapters"
FIGURE_MODULES = [
    importlib.import_module(f"cnnbook.figures.{m.name}")
    for m in pkgutil.iter_modules(cnnbook.figures.__path__)
]
KIT_MODULES = [
    importlib.import_module(f"cnnbook.viz.{m.name}")
    for m in pkgutil.iter_modules(cnnbook.viz.__path__)
]


def _public_functions(module):
    return [
        (name, fn) for name, fn in vars(module).items()
        if inspect.isfunction(fn) and fn.__module__ == module.__name__ and not name.startswith("_")
    ]


DRAWINGS = [
    (f"{m.__name__}.{name}", fn)
    for m in [*KIT_MODULES, *FIGURE_MODULES] for name, fn in _public_functions(m)
    if name.startswith(("plot_", "animate_"))
]


def test_no_show_or_draw_names_remain():
    names = [f"{m.__name__}.{n}" for m in [*KIT_MODULES, *FIGURE_MODULES]
             for n, _ in _public_functions(m)]
    assert not [n for n in names if n.rsplit(".", 1)[1].startswith(("show_", "draw_"))]
    assert not [n for n in dir(viz) if n.startswith(("show_", "draw_"))]
    assert len(DRAWINGS) > 30


@pytest.mark.parametrize(("name", "fn"), DRAWINGS, ids=[n for n, _ in DRAWINGS])
def test_signatures_follow_the_rules(name, fn):
    params = inspect.signature(fn).parameters
    assert "k" not in params and "w" not in params, f"{name}: the kernel argument is weight"
    if "ax" in params:
        assert params["ax"].kind is inspect.Parameter.KEYWORD_ONLY and params["ax"].default is None
    annotation = inspect.signature(fn).return_annotation
    expected = "StepAnimation" if name.rsplit(".", 1)[1].startswith("animate_") else "Figure"
    assert annotation == expected, f"{name} returns {annotation}"


@pytest.mark.parametrize("module", FIGURE_MODULES, ids=lambda m: m.__name__)
def test_a_figure_module_is_named_after_its_chapter(module):
    name = module.__name__.rsplit(".", 1)[1]
    chapters = sorted(CHAPTERS.glob(f"[0-9][0-9]_{name}.ipynb"))
    if not chapters:  # a chapter being written: its figures may come first
        pytest.skip(f"no chapters/NN_{name}.ipynb yet")
    assert len(chapters) == 1
    source = chapters[0].read_text(encoding="utf-8")
    assert f"from cnnbook.figures import {name} as figures" in source


x5 = np.arange(25.0).reshape(5, 5)
SINGLE_PANEL = {
    "plot_array": lambda ax: viz.plot_array(x5, ax=ax),
    "plot_array_row": lambda ax: viz.plot_array_row([x5, x5[:2, :2]], ax=ax),
    "plot_signal": lambda ax: viz.plot_signal([1.0, -1.0], ax=ax),
    "plot_bars": lambda ax: viz.plot_bars({"a": [1.0, 2.0]}, ["u", "v"], ax=ax),
    "plot_wraparound": lambda ax: convolution_1d.plot_wraparound(np.ones(6), np.ones(4), ax=ax),
    "plot_timings": lambda ax: convolution_1d.plot_timings([1, 2], {"a": [1.0, 2.0]}, ax=ax),
    "plot_sensitivity": lambda ax: convolution_1d.plot_sensitivity([0.0, 1.0, 0.5], ax=ax),
    "plot_flip": lambda ax: correlation_vs_convolution.plot_flip(x5[:3, :3], ax=ax),
    "plot_shift_sensitivity": lambda ax: pooling.plot_shift_sensitivity(
        {"a": np.ones((2, 3))}, [1, 2], ax=ax),
    "plot_architecture": lambda ax: lenet.plot_architecture(CourseNet(), (1, 28, 28), ax=ax),
    "plot_confusion_matrix": lambda ax: lenet.plot_confusion_matrix(np.eye(3, dtype=int), ax=ax),
}


def test_every_kit_drawing_with_an_ax_argument_is_tested_below():
    """(A chapter's figure module tests its own; the first ones are here too.)"""
    kit = {name.rsplit(".", 1)[1] for name, fn in DRAWINGS
           if name.startswith("cnnbook.viz.") and "ax" in inspect.signature(fn).parameters}
    assert kit and kit <= set(SINGLE_PANEL)


@pytest.mark.parametrize("name", sorted(SINGLE_PANEL))
def test_single_panel_drawings_draw_on_the_given_axes(name):
    fig, (left, right) = plt.subplots(1, 2)
    out = SINGLE_PANEL[name](right)
    assert out is fig and isinstance(out, Figure)
    assert right.has_data() or right.texts or right.collections or right.patches
    assert not (left.has_data() or left.texts or left.collections or left.patches)
    alone = SINGLE_PANEL[name](None)
    assert isinstance(alone, Figure) and alone is not fig
