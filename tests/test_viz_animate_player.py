"""Tests for playing animations: HTML with controls, last frame, plot_storyboard."""

import re

import numpy as np
import pytest
from IPython.display import HTML
from matplotlib.figure import Figure

from cnnbook.viz import (
    animate_conv1d,
    animate_conv2d,
    animate_multichannel,
    animate_pool2d,
    describe,
    plot_final_frame,
    plot_storyboard,
    to_html,
)
from cnnbook.viz.player import frame_image, storyboard_steps, to_jshtml


def _frames(html: str) -> int:
    return len(re.findall(r"data:image/png;base64,", html))


def test_to_html_embeds_every_frame_with_controls_under_one_megabyte():
    # the typical book case: 5×5 input, 3×3 kernel, no padding (9 frames)
    x = np.random.default_rng(0).integers(0, 4, size=(5, 5))
    anim = animate_conv2d(x, np.array([[1, 0, -1], [2, 0, -2], [1, 0, -1]]))
    html = to_html(anim)
    assert isinstance(html, HTML)
    assert _frames(html.data) == anim.n_steps == 9
    assert "<script" in html.data and "animation" in html.data.lower()
    assert re.search(r"(play|pause)", html.data, re.I)
    assert len(html.data.encode()) < 1_000_000


def test_to_jshtml_plays_once_and_closes_the_figure():
    import matplotlib.pyplot as plt

    anim = animate_pool2d(np.arange(4.0).reshape(2, 2), 1)
    assert plt.fignum_exists(anim.figure.number)
    html = to_jshtml(anim, fps=2)
    assert _frames(html) == 4
    assert not plt.fignum_exists(anim.figure.number)
    assert re.search(r'value="once" id="[^"]+"\s*checked', html)  # stops on the last frame


def test_the_frame_image_says_in_words_what_it_shows():
    anim = animate_conv2d(np.arange(25.0).reshape(5, 5), np.ones((3, 3)), padding=1)
    text = describe(anim)
    assert "5×5 input ⋆ 3×3 kernel, padding 1" in text
    assert "⌊(5 + 2·1 − 3)/1⌋ + 1 = 5" in text and text.endswith("in 25 steps")
    html = to_jshtml(anim)
    assert html.count("<img ") == 1
    assert f'<img alt="{text}" id="_anim_img' in html
    others = [animate_conv1d(np.arange(4.0), np.ones(2)), animate_pool2d(np.ones((2, 2)), 1),
              animate_multichannel(np.ones((2, 3, 3)), np.ones((2, 2, 2)))]
    for other, words in zip(others, ["1-D", "max pool", "2 input channels"], strict=True):
        assert words in describe(other)
    given = to_html(animate_pool2d(np.ones((2, 2)), 1), alt='a "max" pool').data
    assert '<img alt="a &quot;max&quot; pool" id="_anim_img' in given


def test_plot_final_frame_shows_the_finished_output():
    anim = animate_conv2d(np.arange(9.0).reshape(3, 3), np.ones((2, 2)))
    fig = plot_final_frame(anim)
    assert isinstance(fig, Figure) and fig is anim.figure
    np.testing.assert_array_equal(anim.grids["output"].values(), anim.result)
    assert anim.marks["output"].mask[-1, -1]


def test_storyboard_spreads_panels_from_first_to_last_step():
    anim = animate_conv2d(np.arange(16.0).reshape(4, 4), np.ones((2, 2)))  # 9 steps
    fig = plot_storyboard(anim, 3)
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert titles == ["step 1 of 9", "step 5 of 9", "step 9 of 9"]
    assert all(ax.images for ax in fig.axes if ax.get_title())
    assert storyboard_steps(9, 3) == [0, 4, 8]
    assert storyboard_steps(2, 5) == [0, 1]
    assert storyboard_steps(7, 1) == [6]


def test_frames_differ_from_step_to_step():
    anim = animate_pool2d(np.arange(4.0).reshape(2, 2), 1)
    first, last = frame_image(anim, 0, dpi=40), frame_image(anim, -1, dpi=40)
    assert first.shape == last.shape and first.shape[2] == 4
    assert not np.array_equal(first, last)


def test_bad_arguments_are_rejected():
    anim = animate_pool2d(np.ones((2, 2)), 1)
    with pytest.raises(TypeError, match="anim must be an animation made by cnnbook.viz"):
        to_html(object())
    with pytest.raises(TypeError, match="anim must be .* got Figure"):
        plot_final_frame(anim.figure)
    with pytest.raises(ValueError, match="n must be an integer >= 1"):
        plot_storyboard(anim, 0)
    with pytest.raises(ValueError, match=r"i must lie in \[-4, 4\), got 4"):
        anim.plot_step(4)
    with pytest.raises(ValueError, match="fps must be > 0"):
        to_html(anim, fps=0)
    with pytest.raises(TypeError, match="alt must be a string or None, got int"):
        to_html(anim, alt=3)
    with pytest.raises(TypeError, match="anim must be an animation"):
        describe(anim.figure)


def _embedded_pngs(html: str) -> list[bytes]:
    import base64

    from cnnbook.viz.player import FRAME

    return [base64.b64decode(m.group(1).replace("\\\n", "")) for m in FRAME.finditer(html)]


def test_frames_are_palette_pngs_of_matplotlibs_own_player():
    from io import BytesIO

    from PIL import Image

    from cnnbook.viz.player import ANIMATION_DPI, PALETTE_COLORS

    anim = animate_conv2d(np.arange(16.0).reshape(4, 4), np.ones((3, 3)))
    width, height = anim.figure.get_size_inches() * ANIMATION_DPI
    pngs = _embedded_pngs(to_jshtml(anim))
    assert len(pngs) == anim.n_steps == 4
    for png in pngs:
        with Image.open(BytesIO(png)) as image:
            assert image.mode == "P" and len(image.getcolors()) <= PALETTE_COLORS
            assert abs(image.size[0] - width) <= 1 and abs(image.size[1] - height) <= 1


def test_palette_frames_are_smaller_and_look_the_same():
    from io import BytesIO

    import matplotlib as mpl
    from PIL import Image

    from cnnbook.viz.player import ANIMATION_DPI, palette_frames

    anim = animate_pool2d(np.arange(16.0).reshape(4, 4), 2)
    with mpl.rc_context({"savefig.dpi": ANIMATION_DPI}):
        raw = anim.func_animation().to_jshtml(default_mode="once")
    small, frames = palette_frames(raw)
    assert frames == anim.n_steps
    assert len(small) < 0.6 * len(raw)
    for before, after in zip(_embedded_pngs(raw), _embedded_pngs(small), strict=True):
        a = np.asarray(Image.open(BytesIO(before)).convert("RGB"), dtype=float)
        b = np.asarray(Image.open(BytesIO(after)).convert("RGB"), dtype=float)
        assert a.shape == b.shape and np.abs(a - b).mean() < 2.0  # of 255


def test_the_player_uses_only_matplotlibs_public_interface():
    import inspect

    from matplotlib.animation import Animation

    from cnnbook.viz import player

    assert not issubclass(player.StepAnimation, Animation)
    source = inspect.getsource(player)
    for private in ("HTMLWriter", "_hit_limit", "_total_bytes", "_saved_frames",
                    "_draw_was_started", "_html_representation"):
        assert private not in source


def test_an_animation_over_the_embed_limit_warns(monkeypatch):
    from cnnbook.viz import player

    monkeypatch.setattr(player, "EMBED_LIMIT_MB", 0.001)
    with pytest.warns(UserWarning, match="more than the book's limit"):
        to_jshtml(animate_pool2d(np.ones((2, 2)), 1))
