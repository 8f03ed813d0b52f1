"""Arrays drawn side by side: every value written, one cell size, clear errors."""

import numpy as np
import pytest
from matplotlib.collections import PolyCollection

from cnnbook.viz.array_row import plot_array_row
from cnnbook.viz.grid import parse_value


def _cell_collections(fig):
    ax = fig.axes[0]
    return [c for c in ax.collections if isinstance(c, PolyCollection) and len(c.get_paths())]


def test_every_value_is_written_in_order_and_titles_follow():
    a = np.arange(6.0).reshape(2, 3)
    b = np.array([-1.5, 2.0])
    fig = plot_array_row([a, b], titles=["left", "right"], roles=["input", "output"])
    assert len(fig.axes) == 1
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert texts[6] == "left" and texts[-1] == "right"
    written = [parse_value(t) for t in texts[:6] + texts[7:9]]
    assert written == [*a.ravel(), *b]


def test_all_arrays_share_one_cell_size():
    fig = plot_array_row([np.zeros((6, 6)), np.ones((3, 3)), np.ones((1, 2))])
    cells = _cell_collections(fig)[:3]
    sizes = {
        tuple(np.round(np.ptp(path.vertices[:4], axis=0), 9))
        for c in cells
        for path in c.get_paths()
    }
    assert sizes == {(1.0, 1.0)}
    assert sum(len(c.get_paths()) for c in cells) == 36 + 9 + 2


def test_highlights_outline_the_chosen_cells_only():
    fig = plot_array_row([np.zeros((3, 3)), np.zeros((2, 2))], highlights=[[(0, 1), (2, 2)], None])
    outlines = [c for c in fig.axes[0].collections if len(c.get_paths()) == 2]
    assert len(outlines) == 1
    corners = sorted(tuple(np.round(p.vertices[0], 2)) for p in outlines[0].get_paths())
    # no titles: the grids start 0.2 cells from the top-left corner; outlines are inset
    assert corners == [(1.26, 0.26), (2.26, 2.26)]


def test_a_common_scale_colours_equal_values_equally():
    fig = plot_array_row([np.array([[1.0, 4.0]]), np.array([[1.0]])], vmax=4.0)
    first, second = _cell_collections(fig)[:2]
    assert np.allclose(first.get_facecolor()[0], second.get_facecolor()[0])
    alone = plot_array_row([np.array([[1.0, 4.0]]), np.array([[1.0]])])
    first, second = _cell_collections(alone)[:2]
    assert not np.allclose(first.get_facecolor()[0], second.get_facecolor()[0])


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "match"),
    [
        (([],), {}, TypeError, r"arrays must be a non-empty list of arrays, got list"),
        ((np.zeros((2, 2)),), {}, TypeError, r"arrays must be a non-empty list.*ndarray"),
        (([np.zeros((2, 2, 2))],), {}, ValueError, r"arrays\[0\] must have 1 or 2 dimensions"),
        (([np.zeros(2)], ["a", "b"]), {}, ValueError, r"titles must have one entry per array"),
        (([np.zeros(2)],), {"roles": "bias"}, ValueError, r"roles must be one of 'input'"),
        (([np.zeros(2)],), {"highlights": [[(3, 0)]]}, ValueError, r"lies outside the array"),
        (([np.zeros(2)],), {"vmax": -1.0}, ValueError, r"vmax must be > 0, got -1\.0"),
        (([np.zeros(2)],), {"gap": -1}, ValueError, r"gap must be >= 0 cells, got -1"),
    ],
)
def test_bad_arguments_are_refused(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        plot_array_row(*args, **kwargs)
