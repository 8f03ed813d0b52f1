"""Tests for cnnbook.viz.grid: arrays drawn as cells with their values written in."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.colors import to_rgba

from cnnbook.viz import style
from cnnbook.viz.grid import (
    CellGrid,
    CellMarks,
    cell_canvas,
    fill_until,
    format_term,
    format_value,
    parse_value,
    plot_array,
    written_sum,
)


def _texts(ax):
    """Cell texts of the first grid drawn on ``ax`` (the axes' texts, minus a title)."""
    return [t.get_text() for t in ax.texts]


@pytest.mark.parametrize(
    ("value", "text"),
    [(3, "3"), (-2.0, "−2"), (0.25, "0.25"), (-1.5, "−1.5"), (1 / 3, "0.33"), (12.345, "12.3"),
     (123.6, "124"), (-0.0, "0"), (-0.001, "0"), (float("nan"), ""), (float("inf"), "∞"),
     (float("-inf"), "−∞"), (2.0e6, "2000000")],
)
def test_format_value_is_short_and_readable(value, text):
    assert format_value(value) == text


def test_format_value_honours_fmt():
    assert format_value(1 / 3, ".3f") == "0.333"
    assert format_value(-2, ".1f") == "−2.0"


@settings(max_examples=60, deadline=None)
@given(st.floats(-999, 999, allow_nan=False))
def test_parse_value_inverts_format_value_to_its_precision(v):
    tol = 0.5 if abs(v) >= 99.5 else 0.05 if abs(v) >= 9.995 else 0.005
    assert parse_value(format_value(v)) == pytest.approx(v, abs=tol + 1e-12)


def test_plot_array_writes_every_value_in_row_major_order():
    a = np.array([[1, -2, 3], [0, 4, -1]])
    ax = plot_array(a, role="kernel").axes[0]
    assert _texts(ax) == [format_value(v) for v in a.ravel()]
    assert len(ax.collections[0].get_paths()) == a.size


def test_plot_array_one_dimensional_is_one_row_and_title_comes_last():
    t = torch.arange(5.0) - 2
    ax = plot_array(t, title="a signal").axes[0]
    assert _texts(ax) == ["−2", "−1", "0", "1", "2", "a signal"]
    ys = {round(ax.texts[i].get_position()[1], 6) for i in range(5)}
    assert len(ys) == 1


def test_plot_array_colours_by_role_sign_and_magnitude():
    a = np.array([[-2.0, 0.0, 2.0]])
    for role in ("input", "kernel", "output"):
        fig, ax = cell_canvas(3, 1)
        grid = CellGrid(ax, a, role=role)
        faces = grid.facecolors().reshape(-1, 4)
        assert np.allclose(faces[0], to_rgba(style.NEGATIVE_COLOR), atol=0.02)
        assert np.allclose(faces[1], to_rgba("white"), atol=0.02)
        assert np.allclose(faces[2], to_rgba(style.role_color(role)), atol=0.02)


def test_padding_cells_are_grey_and_dashed():
    x = np.pad(np.arange(1.0, 5.0).reshape(2, 2), 1)
    fig, ax = cell_canvas(4, 4)
    pad = np.ones((4, 4), bool)
    pad[1:3, 1:3] = False
    grid = CellGrid(ax, x, padding=pad)
    grey = to_rgba(style.ROLE_COLORS["padding"])
    faces = grid.facecolors()
    assert np.allclose(faces[pad], grey) and not np.allclose(faces[1, 1], grey)
    styles = grid.cells.get_linestyle()
    assert styles[0] != styles[5]  # cell (0, 0) is padding, cell (1, 1) is not
    ax2 = plot_array(x, padding=1).axes[0]
    assert len(ax2.texts) == 16


def test_highlight_outlines_exactly_the_given_cells():
    ax = plot_array(np.zeros((3, 3)), highlight=[(0, 1), (2, 2)]).axes[0]
    marks = ax.collections[-1].get_paths()
    corners = sorted(tuple(int(v) for v in m.vertices.min(axis=0)) for m in marks)
    assert corners == [(1, 0), (2, 2)]  # (column, row) of the outlined cells
    ax = plot_array(np.zeros((3, 3)), highlight=np.eye(3, dtype=bool)).axes[0]
    assert len(ax.collections[-1].get_paths()) == 3


def test_nan_cells_are_empty_and_values_read_back():
    fig, ax = cell_canvas(3, 1)
    grid = CellGrid(ax, np.array([[1.5, np.nan, -2.0]]))
    assert [t.get_text() for t in grid.texts.ravel()] == ["1.5", "", "−2"]
    back = grid.values()
    assert back[0, 0] == 1.5 and np.isnan(back[0, 1]) and back[0, 2] == -2.0
    grid.set_values(np.array([[7.0, 8.0, 9.0]]))
    assert np.array_equal(grid.values(), [[7.0, 8.0, 9.0]])


def test_move_and_marks_follow_the_grid():
    fig, ax = cell_canvas(6, 2)
    grid = CellGrid(ax, np.ones((1, 2)))
    grid.move(3, 1)
    assert tuple(grid.cells.get_paths()[1].vertices.min(axis=0)) == (4, 1)
    assert grid.center(0, 1) == (4.5, 1.5)
    assert grid.texts[0, 1].get_position() == (4.5, 1.5)
    marks = CellMarks(grid)
    marks.show(np.array([[False, True]]))
    (outline,) = marks.outlines.get_paths()
    assert tuple(np.round(outline.vertices.min(axis=0), 2)) == (4.06, 1.06)


def test_text_is_readable_on_dark_cells():
    fig, ax = cell_canvas(2, 1)
    grid = CellGrid(ax, np.array([[0.1, 5.0]]), role="input")
    assert grid.texts[0, 0].get_color() == "black"
    assert grid.texts[0, 1].get_color() == "white"


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"a": np.zeros((2, 2, 2))}, ValueError, "a must have 1 or 2 dimensions"),
        ({"a": [["x"]]}, TypeError, "a must be an array of real numbers"),
        ({"a": np.zeros((2, 2)), "role": "bias"}, ValueError, "role must be one of"),
        ({"a": np.zeros((2, 2)), "highlight": [(2, 0)]}, ValueError, "highlight cell"),
        ({"a": np.zeros((2, 2)), "highlight": np.ones((3, 3), bool)}, ValueError,
         "highlight mask must have shape"),
        ({"a": np.zeros((3, 3)), "padding": 2}, ValueError, "padding 2 leaves no inner cells"),
        ({"a": np.zeros((3, 3)), "padding": -1}, ValueError, "padding must be an integer >= 0"),
        ({"a": np.zeros((3, 3)), "vmax": 0}, ValueError, "vmax must be > 0"),
    ],
)
def test_plot_array_rejects_bad_input(kwargs, error, match):
    with pytest.raises(error, match=match):
        plot_array(**kwargs)


def test_written_sums_put_negative_terms_in_parentheses():
    assert format_term(-3) == "(−3)" and format_term(0.5) == "0.5"
    assert written_sum([1, -2, 3.25]) == "1 + (−2) + 3.25"


def test_fill_until_shows_the_first_cells_and_outlines_the_current_one():
    fig, ax = cell_canvas(3, 2)
    values = np.arange(6.0).reshape(2, 3)
    grid = CellGrid(ax, np.full((2, 3), np.nan))
    marks = CellMarks(grid)
    fill_until(grid, marks, values, 3)
    shown = grid.values()
    np.testing.assert_array_equal(shown.ravel()[:4], [0, 1, 2, 3])
    assert np.isnan(shown.ravel()[4:]).all()
    assert np.argwhere(marks.mask).tolist() == [[1, 0]]


def test_plot_array_on_a_given_axes_fits_the_array_and_sizes_its_text():
    import matplotlib.pyplot as plt

    fig, (small, big) = plt.subplots(1, 2, figsize=(6, 3))
    plot_array(np.arange(4.0).reshape(2, 2), ax=small, title="2×2")
    plot_array(np.arange(36.0).reshape(6, 6), ax=big)
    assert small.get_xlim() == (0, 2.2) and small.get_ylim() == (2 + 0.9 + 0.1, 0)
    assert big.get_aspect() == 1.0 and not big.axison
    # cells of the 6×6 array are smaller, so are its digits
    assert big.texts[0].get_fontsize() < small.texts[0].get_fontsize()


def test_highlight_of_a_one_dimensional_array_takes_indices_or_a_mask():
    for highlight in ([1, 3], np.array([False, True, False, True])):
        ax = plot_array(np.arange(4.0), highlight=highlight).axes[0]
        corners = sorted(int(p.vertices.min(axis=0)[0]) for p in ax.collections[-1].get_paths())
        assert corners == [1, 3]
    with pytest.raises(ValueError, match="highlight cell \\(0, 4\\) lies outside"):
        plot_array(np.arange(4.0), highlight=[4])
