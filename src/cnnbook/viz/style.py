"""The book's one visual language: a colour per role, colormaps, figure sizes.

Every picture in the book draws an array in the colour of its *role*: the input
is blue, the kernel orange, the output green, padding grey, and the cells the
reader should look at right now are outlined in red. Values are coloured by sign
and magnitude: positive values take the role's colour, negative values purple,
zero is white, and the stronger the value the deeper the colour.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

import matplotlib as mpl
import numpy as np
from matplotlib.colors import Colormap, LinearSegmentedColormap, to_rgb

from cnnbook._checks import check_choice, check_real

ROLES: tuple[str, ...] = ("input", "kernel", "output", "padding", "highlight")

#: One colour per role, used for cell fills, stems, lines and legends alike.
ROLE_COLORS: dict[str, str] = {
    "input": "#3b75af",
    "kernel": "#ef8636",
    "output": "#3f9a3b",
    "padding": "#c8c8c8",
    "highlight": "#d1352b",
}

#: Negative values take this colour whatever the role, so a sign reads the same everywhere.
NEGATIVE_COLOR = "#8e63b5"

#: Colour of lines and text that are not data (grid lines, cell borders, labels).
INK = "#333333"

#: Side of one drawn array cell, in inches.
CELL_INCHES = 0.42

#: Named figure sizes (width, height) in inches; small, because the book is read on screens.
FIGSIZES: dict[str, tuple[float, float]] = {
    "small": (3.6, 2.6),
    "medium": (5.6, 3.4),
    "wide": (7.6, 2.8),
    "square": (3.6, 3.6),
    "tall": (4.0, 5.0),
}

#: Animations embedded with ``to_jshtml`` stop growing past this many megabytes.
EMBED_LIMIT_MB = 4.0

#: The rcParams the book uses: small figures, modest dpi, quiet axes.
BOOK_RC: dict[str, object] = {
    "figure.figsize": FIGSIZES["medium"],
    "figure.dpi": 80,
    "savefig.dpi": 110,
    "savefig.bbox": "tight",
    "font.size": 10,
    "axes.titlesize": 10,
    "axes.labelsize": 9,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "legend.fontsize": 8,
    "legend.frameon": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": INK,
    "axes.labelcolor": INK,
    "text.color": INK,
    "xtick.color": INK,
    "ytick.color": INK,
    "axes.prop_cycle": mpl.cycler(
        color=[ROLE_COLORS[r] for r in ("input", "kernel", "output", "highlight")]
        + [NEGATIVE_COLOR, "#7f7f7f"]
    ),
    "image.cmap": "gray",
    "animation.embed_limit": EMBED_LIMIT_MB,
}


def role_color(role: str) -> str:
    """Return the hex colour of ``role`` (one of :data:`ROLES`)."""
    check_choice("role", role, ROLES)
    return ROLE_COLORS[role]


@cache
def sign_cmap(role: str = "input") -> Colormap:
    """Diverging colormap for ``role``: purple (negative) -> white (zero) -> role colour.

    Use it with a symmetric range ``vmin=-m, vmax=m`` (see :func:`value_colors`).
    """
    color = role_color(role)
    # an odd number of levels puts exact white at the centre (zero)
    return LinearSegmentedColormap.from_list(
        f"cnnbook_sign_{role}", [NEGATIVE_COLOR, "white", color], N=255
    )


@cache
def magnitude_cmap(role: str = "input") -> Colormap:
    """Sequential colormap for ``role``: white (zero) -> role colour (largest magnitude)."""
    color = role_color(role)
    return LinearSegmentedColormap.from_list(f"cnnbook_mag_{role}", ["white", color])


def value_colors(values: object, role: str = "input", vmax: float | None = None) -> np.ndarray:
    """RGBA fill colours (shape ``values.shape + (4,)``) for values drawn in ``role``.

    Zero is white; ``+vmax`` is the role colour and ``-vmax`` the negative colour.
    ``vmax`` defaults to the largest magnitude in ``values`` (1 if they are all zero).
    Colours are kept light enough for black digits on top (see :func:`text_color`).
    """
    v = np.asarray(values, dtype=np.float64)
    if vmax is None:
        vmax = float(np.max(np.abs(v))) if v.size and np.any(v) else 1.0
    vmax = check_real("vmax", vmax, positive=True)
    t = 0.5 + 0.5 * np.clip(v / vmax, -1.0, 1.0)
    return sign_cmap(role)(t)


def text_color(fill: object) -> str:
    """Black or white, whichever reads better on the RGB(A) colour ``fill``."""
    r, g, b = to_rgb(fill)  # type: ignore[arg-type]
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return "white" if luminance < 0.45 else "black"


def figsize(name: str = "medium", *, scale: float = 1.0) -> tuple[float, float]:
    """Return the named figure size (see :data:`FIGSIZES`) scaled by ``scale``."""
    check_choice("name", name, tuple(FIGSIZES))
    scale = check_real("scale", scale, positive=True)
    w, h = FIGSIZES[name]
    return (w * scale, h * scale)


def apply_style() -> None:
    """Set matplotlib's rcParams to the book's style (small figures, modest dpi)."""
    mpl.rcParams.update(BOOK_RC)


@contextmanager
def book_style(size: str | None = None) -> Iterator[None]:
    """Context in which figures use the book's style (and the named default size)."""
    rc = dict(BOOK_RC)
    if size is not None:
        rc["figure.figsize"] = figsize(size)
    with mpl.rc_context(rc):
        try:
            yield
        finally:
            interactive = mpl.is_interactive()
    # Jupyter's inline backend switches interactive mode on when the first figure loads
    # it; rc_context would switch it off again, and later pyplot figures would not show.
    mpl.interactive(interactive)
