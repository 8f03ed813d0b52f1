"""Playing the book's step-through animations: in HTML, as a last frame, as a storyboard.

Every animation of :mod:`cnnbook.viz.animate` is a :class:`StepAnimation`: one frame
per output position, frames drawn independently of each other (so any frame can be
shown on its own), and the computed ``result`` kept on the object for checking.

The HTML player is matplotlib's own, through its public API: :func:`to_jshtml` renders
the frames with ``FuncAnimation.to_jshtml`` and then post-processes the HTML it returns,
turning every embedded PNG frame into a small-palette PNG (the diagrams are flat colours
and text, so they look the same at a quarter of the size) and giving the frame image its
alternative text.
"""

from __future__ import annotations

import base64
import math
import re
import warnings
from collections.abc import Callable, Sequence
from html import escape
from io import BytesIO

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import HTML
from matplotlib.animation import FuncAnimation
from matplotlib.figure import Figure
from PIL import Image

from cnnbook._checks import check_int, check_real
from cnnbook.viz.grid import CellGrid, CellMarks
from cnnbook.viz.layout import HEADER_GID
from cnnbook.viz.style import EMBED_LIMIT_MB, INK, book_style

#: Resolution of animation frames: enough for digits in cells, small enough to embed.
ANIMATION_DPI = 84

#: Colours per embedded frame (see :func:`palette_png`).
PALETTE_COLORS = 48

#: Megabytes of full-colour frames matplotlib may render before they are made palette PNGs.
RAW_EMBED_LIMIT_MB = 64.0

#: Milliseconds per frame when played.
FRAME_MS = 900


class StepAnimation:
    """The frames of a step-by-step computation, drawn on one matplotlib figure.

    ``update(i)`` draws step ``i`` from scratch (not from the previous frame).
    ``result`` is the array the animation computes and writes; ``grids`` names the
    drawn arrays (e.g. ``"input"``, ``"kernel"``, ``"output"``) so their cells can be
    read back, and ``marks`` the outlines on them (the current window, the current
    output cell). The book never plays one live: :func:`to_html` turns it into HTML,
    :func:`plot_final_frame` and :func:`plot_storyboard` into still pictures.
    """

    def __init__(
        self,
        fig: Figure,
        update: Callable[[int], object],
        n_steps: int,
        result: np.ndarray,
        grids: dict[str, CellGrid],
        marks: dict[str, CellMarks] | None = None,
        interval: int = FRAME_MS,
    ) -> None:
        self.figure = fig
        self._update = update
        self.n_steps = n_steps
        self.result = result
        self.grids = grids
        self.marks = {} if marks is None else marks
        self.interval = interval

    def set_step(self, i: int) -> None:
        """Update the artists to show step ``i`` (``0 <= i < n_steps``) without rendering."""
        self._update(i)

    def plot_step(self, i: int) -> Figure:
        """Draw step ``i`` (negative counts from the end) on the figure and return it."""
        i = check_int("i", i)
        if not -self.n_steps <= i < self.n_steps:
            raise ValueError(f"i must lie in [{-self.n_steps}, {self.n_steps}), got {i}")
        self.set_step(i % self.n_steps)
        return self.figure

    def func_animation(self) -> FuncAnimation:
        """The steps as a matplotlib ``FuncAnimation`` (played once, not repeated)."""

        def frame(i: int) -> list:
            self.set_step(i)
            return []

        return FuncAnimation(self.figure, frame, frames=self.n_steps, interval=self.interval,
                             repeat=False)


def _check_animation(anim: object) -> StepAnimation:
    if not isinstance(anim, StepAnimation):
        raise TypeError(
            f"anim must be an animation made by cnnbook.viz (a StepAnimation), "
            f"got {type(anim).__name__}"
        )
    return anim


#: A PNG frame as matplotlib's HTML player embeds it: base64 in a JavaScript string, its
#: lines joined by backslash-newline (``_embedded_frames`` in ``matplotlib.animation``).
FRAME = re.compile(r'"data:image/png;base64,([A-Za-z0-9+/=\\\n]*)"')


def palette_png(png: bytes, colors: int = PALETTE_COLORS) -> bytes:
    """``png`` with at most ``colors`` colours (no dithering), compressed as far as PNG goes."""
    with Image.open(BytesIO(png)) as image:
        small = image.convert("RGB").quantize(colors=colors, dither=Image.Dither.NONE)
    out = BytesIO()
    small.save(out, format="png", optimize=True)
    return out.getvalue()


def _small_frame(match: re.Match) -> str:
    png = base64.b64decode(match.group(1).replace("\\\n", ""))
    data = base64.encodebytes(palette_png(png)).decode("ascii")
    return '"data:image/png;base64,' + data.replace("\n", "\\\n") + '"'


def palette_frames(html: str) -> tuple[str, int]:
    """Every embedded PNG frame of matplotlib's HTML player made a palette PNG.

    Returns the new HTML and the number of frames it embeds.
    """
    return FRAME.subn(_small_frame, html)


def describe(anim: StepAnimation) -> str:
    """The animation in words, for screen readers: its title, formula and step count."""
    anim = _check_animation(anim)
    anim.set_step(0)
    lines = [t.get_text() for ax in anim.figure.axes for t in ax.texts
             if t.get_gid() == HEADER_GID and t.get_text()]
    steps = f"step-by-step animation in {anim.n_steps} step{'s' * (anim.n_steps != 1)}"
    return ". ".join([*lines, steps[0].upper() + steps[1:]])


def to_jshtml(anim: StepAnimation, fps: float | None = None, alt: str | None = None) -> str:
    """The animation as a self-contained HTML string with play/pause/step buttons.

    Frames are palette PNGs at :data:`ANIMATION_DPI`; the player stops on the last
    frame. The frame image gets ``alt`` as its alternative text (default:
    :func:`describe`). The figure is closed afterwards so a notebook does not show it
    twice. Warns if the frames take more than ``animation.embed_limit`` megabytes.
    """
    anim = _check_animation(anim)
    fps = 1000 / FRAME_MS if fps is None else check_real("fps", fps, positive=True)
    if alt is None:
        alt = describe(anim)
    elif not isinstance(alt, str):
        raise TypeError(f"alt must be a string or None, got {type(alt).__name__}")
    # matplotlib's limit applies to its full-colour frames: leave them room, and apply the
    # book's limit to the palette frames that are embedded in the end
    rc = {"savefig.dpi": ANIMATION_DPI, "animation.embed_limit": RAW_EMBED_LIMIT_MB}
    with mpl.rc_context(rc):
        html = anim.func_animation().to_jshtml(fps=fps, embed_frames=True, default_mode="once")
    plt.close(anim.figure)
    html, frames = palette_frames(html)
    if frames != anim.n_steps:
        raise RuntimeError(f"matplotlib embedded {frames} frames, expected {anim.n_steps}")
    if len(html) > EMBED_LIMIT_MB * 1024 * 1024:
        warnings.warn(f"the animation takes {len(html) / 2**20:.1f} MB, more than the book's "
                      f"limit of {EMBED_LIMIT_MB} MB", stacklevel=2)
    return html.replace('<img id="_anim_img', f'<img alt="{escape(alt)}" id="_anim_img', 1)


def to_html(anim: StepAnimation, fps: float | None = None, alt: str | None = None) -> HTML:
    """The animation as an ``IPython.display.HTML`` object: it plays in the static book."""
    return HTML(to_jshtml(anim, fps, alt))


def plot_final_frame(anim: StepAnimation) -> Figure:
    """The last frame as a static figure (the finished computation), for print readers."""
    return _check_animation(anim).plot_step(-1)


def frame_image(anim: StepAnimation, i: int, dpi: float = 150) -> np.ndarray:
    """Frame ``i`` rendered at ``dpi`` as an RGBA image array."""
    fig = _check_animation(anim).plot_step(i)
    buffer = BytesIO()
    fig.savefig(buffer, format="png", dpi=check_real("dpi", dpi, positive=True),
                bbox_inches=None)
    return np.asarray(Image.open(buffer).convert("RGBA"))


def storyboard_steps(n_steps: int, n: int) -> list[int]:
    """``n`` steps spread evenly from the first to the last of ``n_steps`` (fewer if short)."""
    n = min(check_int("n", n, minimum=1), n_steps)
    if n == 1:
        return [n_steps - 1]
    return sorted({round(k * (n_steps - 1) / (n - 1)) for k in range(n)})


def plot_storyboard(
    anim: StepAnimation, n: int = 4, ncols: int | None = None, scale: float = 0.75
) -> Figure:
    """A small multiple of ``n`` frames (first to last) in one static figure, for print.

    Each panel is the animation's frame shrunk by ``scale``; wide frames are stacked
    in one column, narrow ones placed side by side (or ``ncols`` columns).
    """
    anim = _check_animation(anim)
    steps = storyboard_steps(anim.n_steps, n)
    scale = check_real("scale", scale, positive=True)
    images = [frame_image(anim, i) for i in steps]
    plt.close(anim.figure)
    w, h = anim.figure.get_size_inches() * scale
    ncols = min(len(images), _cols(w, h)) if ncols is None else check_int("ncols", ncols, minimum=1)
    nrows = math.ceil(len(images) / ncols)
    with book_style():
        size = (ncols * w, nrows * (h + 0.3))
        fig, axes = plt.subplots(nrows, ncols, squeeze=False, figsize=size)
        for ax in axes.ravel():
            ax.axis("off")
        for ax, img, i in zip(axes.ravel(), images, steps, strict=False):
            ax.imshow(img, interpolation="antialiased")
            ax.set_title(f"step {i + 1} of {anim.n_steps}", fontsize=9, color=INK)
        fig.tight_layout(pad=0.3)
    return fig


def _cols(w: int, h: int) -> int:
    """Columns of a storyboard: wide frames one under another, narrow ones side by side."""
    return 1 if w > 1.8 * h else 2 if w > 0.9 * h else 3


def step_positions(shape: Sequence[int]) -> list[tuple[int, ...]]:
    """Output positions in the order the animations visit them (row by row)."""
    return [tuple(int(v) for v in idx) for idx in np.ndindex(*shape)]
