"""Playing the book's step-through animations: in HTML, as a last frame, as a storyboard.

Every animation of :mod:`cnnbook.viz.animate` is a :class:`StepAnimation`: one frame
per output position, frames drawn independently of each other (so any frame can be
shown on its own), and the computed ``result`` kept on the object for checking.
"""

from __future__ import annotations

import base64
import math
import warnings
from collections.abc import Callable, Sequence
from html import escape
from io import BytesIO
from pathlib import Path
from tempfile import TemporaryDirectory

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import HTML
from matplotlib.animation import FuncAnimation, HTMLWriter
from matplotlib.figure import Figure
from PIL import Image

from cnnbook._checks import check_int, check_real
from cnnbook.viz.grid import CellGrid, CellMarks
from cnnbook.viz.layout import HEADER_GID
from cnnbook.viz.style import EMBED_LIMIT_MB, INK, book_style

#: Resolution of animation frames: enough for digits in cells, small enough to embed.
ANIMATION_DPI = 84

#: Colours per embedded frame (see :class:`PaletteHTMLWriter`).
PALETTE_COLORS = 48

#: Milliseconds per frame when played.
FRAME_MS = 900


class StepAnimation(FuncAnimation):
    """A :class:`~matplotlib.animation.FuncAnimation` whose frames are the steps of a computation.

    ``update(i)`` draws step ``i`` from scratch (not from the previous frame).
    ``result`` is the array the animation computes and writes; ``grids`` names the
    drawn arrays (e.g. ``"input"``, ``"kernel"``, ``"output"``) so their cells can be
    read back, and ``marks`` the outlines on them (the current window, the current
    output cell).
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
        self._draw = update
        self.n_steps = n_steps
        self.result = result
        self.grids = grids
        self.marks = {} if marks is None else marks
        self.figure = fig
        super().__init__(fig, self._frame, frames=n_steps, interval=interval, repeat=False)
        # the book never plays animations live (only as HTML or static frames), so
        # matplotlib's "Animation was deleted without rendering anything" is noise here
        self._draw_was_started = True

    def _frame(self, i: int) -> list:
        self._draw(i)
        return []

    def set_step(self, i: int) -> None:
        """Update the artists to show step ``i`` (``0 <= i < n_steps``) without rendering."""
        self._draw(i)

    def plot_step(self, i: int) -> Figure:
        """Draw step ``i`` (negative counts from the end) on the figure and return it."""
        i = check_int("i", i)
        if not -self.n_steps <= i < self.n_steps:
            raise ValueError(f"i must lie in [{-self.n_steps}, {self.n_steps}), got {i}")
        self.set_step(i % self.n_steps)
        return self.figure


def _check_animation(anim: object) -> StepAnimation:
    if not isinstance(anim, StepAnimation):
        raise TypeError(
            f"anim must be an animation made by cnnbook.viz (a StepAnimation), "
            f"got {type(anim).__name__}"
        )
    return anim


class PaletteHTMLWriter(HTMLWriter):
    """``HTMLWriter`` that embeds PNG frames with a small colour palette.

    The book's diagrams are flat colours and text, so a palette of
    :data:`PALETTE_COLORS` colours looks the same and makes frames about 4× smaller.
    """

    def grab_frame(self, **savefig_kwargs: object) -> None:
        if not self.embed_frames or self._hit_limit:
            return super().grab_frame(**savefig_kwargs)
        raw = BytesIO()
        self.fig.savefig(raw, format="png", dpi=self.dpi, **savefig_kwargs)
        image = Image.open(raw).convert("RGB")
        small = image.quantize(colors=PALETTE_COLORS, dither=Image.Dither.NONE)
        png = BytesIO()
        small.save(png, format="png", optimize=True)
        data = base64.encodebytes(png.getvalue()).decode("ascii")
        # the same bookkeeping as HTMLWriter: frames past the embed limit are dropped
        self._total_bytes += len(data)
        if self._total_bytes >= self._bytes_limit:
            warnings.warn(
                f"animation exceeds animation.embed_limit ({self._bytes_limit} bytes); "
                "later frames are dropped",
                stacklevel=2,
            )
            self._hit_limit = True
        else:
            self._saved_frames.append(data)


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
    twice.
    """
    anim = _check_animation(anim)
    fps = 1000 / FRAME_MS if fps is None else check_real("fps", fps, positive=True)
    if alt is None:
        alt = describe(anim)
    elif not isinstance(alt, str):
        raise TypeError(f"alt must be a string or None, got {type(alt).__name__}")
    with mpl.rc_context({"animation.embed_limit": EMBED_LIMIT_MB}), TemporaryDirectory() as tmp:
        path = Path(tmp, "animation.html")
        writer = PaletteHTMLWriter(fps=fps, embed_frames=True, default_mode="once")
        anim.save(str(path), writer=writer, dpi=ANIMATION_DPI)
        html = path.read_text()
    plt.close(anim.figure)
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
