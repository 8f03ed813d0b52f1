"""Tests for cnnbook.viz.style: role colours, colormaps, sizes and rcParams."""

import matplotlib as mpl
import numpy as np
import pytest
from matplotlib.colors import to_rgba

from cnnbook.viz import style


def test_every_role_has_a_distinct_colour():
    colours = [style.role_color(r) for r in style.ROLES]
    assert len(set(colours)) == len(style.ROLES)
    assert style.NEGATIVE_COLOR not in colours


def test_unknown_role_is_rejected_by_name():
    with pytest.raises(ValueError, match="role must be one of .*'kernel'.*got 'weights'"):
        style.role_color("weights")
    with pytest.raises(ValueError, match="role"):
        style.sign_cmap("bias")


@pytest.mark.parametrize("role", ["input", "kernel", "output"])
def test_sign_cmap_runs_negative_white_role(role):
    cmap = style.sign_cmap(role)
    assert np.allclose(cmap(0.0), to_rgba(style.NEGATIVE_COLOR), atol=1e-2)
    assert np.allclose(cmap(0.5), to_rgba("white"), atol=1e-2)
    assert np.allclose(cmap(1.0), to_rgba(style.role_color(role)), atol=1e-2)
    mag = style.magnitude_cmap(role)
    assert np.allclose(mag(0.0), to_rgba("white"), atol=1e-2)
    assert np.allclose(mag(1.0), to_rgba(style.role_color(role)), atol=1e-2)


def test_value_colors_encode_sign_and_magnitude():
    c = style.value_colors(np.array([-2.0, 0.0, 1.0, 2.0]), role="kernel")
    assert c.shape == (4, 4)
    assert np.allclose(c[0], to_rgba(style.NEGATIVE_COLOR), atol=1e-2)
    assert np.allclose(c[1], to_rgba("white"), atol=1e-2)
    assert np.allclose(c[3], to_rgba(style.role_color("kernel")), atol=1e-2)
    # half the magnitude lies between white and the full colour
    assert np.all(c[2, :3] >= c[3, :3] - 1e-9) and not np.allclose(c[2], c[3])
    # an all-zero array is all white, and an explicit vmax saturates larger values
    assert np.allclose(style.value_colors(np.zeros(3)), 1.0)
    assert np.allclose(style.value_colors([5.0], vmax=1.0)[0], to_rgba(style.role_color("input")))
    with pytest.raises(ValueError, match="vmax must be > 0"):
        style.value_colors([1.0], vmax=0.0)


def test_text_color_contrasts_with_the_fill():
    assert style.text_color("white") == "black"
    assert style.text_color("#101010") == "white"
    assert style.text_color(style.role_color("input")) == "white"


def test_figsize_and_errors():
    assert style.figsize("small") == style.FIGSIZES["small"]
    w, h = style.figsize("wide", scale=0.5)
    assert (w, h) == (style.FIGSIZES["wide"][0] / 2, style.FIGSIZES["wide"][1] / 2)
    with pytest.raises(ValueError, match="name must be one of"):
        style.figsize("huge")
    with pytest.raises(ValueError, match="scale must be > 0"):
        style.figsize("small", scale=-1)


def test_apply_style_and_context_set_rcparams():
    with mpl.rc_context():
        style.apply_style()
        assert mpl.rcParams["animation.embed_limit"] == style.EMBED_LIMIT_MB
        assert mpl.rcParams["figure.dpi"] <= 100
    before = tuple(mpl.rcParams["figure.figsize"])
    with style.book_style("small"):
        assert tuple(mpl.rcParams["figure.figsize"]) == style.FIGSIZES["small"]
    assert tuple(mpl.rcParams["figure.figsize"]) == before


def test_book_style_keeps_interactive_mode_switched_on_inside_it():
    """Jupyter's inline backend turns interactive mode on when the first figure loads it;
    leaving book_style must not turn it off again (later figures would not show), while
    the book's rcParams are still undone."""
    before, dpi = mpl.is_interactive(), mpl.rcParams["figure.dpi"]
    try:
        mpl.interactive(False)
        with style.book_style():
            mpl.interactive(True)  # what loading the inline backend does
            assert mpl.rcParams["figure.dpi"] == style.BOOK_RC["figure.dpi"]
        assert mpl.is_interactive()
        assert mpl.rcParams["figure.dpi"] == dpi
    finally:
        mpl.interactive(before)
