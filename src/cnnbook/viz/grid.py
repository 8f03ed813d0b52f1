"""Arrays as grids of cells with their values written in.

The book draws every small array the same way: one square cell per entry, the
value printed in the middle, the fill coloured by sign and magnitude in the
colour of the array's role (see :mod:`cnnbook.viz.style`). A :class:`CellGrid`
is such a drawing placed anywhere on an axes whose units are cells, so several
arrays can share one picture and an animation can update them in place.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import PolyCollection
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.text import Text

from cnnbook._checks import as_array, check_choice, check_real, check_tuple
from cnnbook.viz.style import (
    CELL_INCHES,
    INK,
    ROLE_COLORS,
    ROLES,
    book_style,
    text_color,
    value_colors,
)

#: Colour of cell borders.
EDGE = "#6b6b6b"


def format_value(value: float, fmt: str | None = None) -> str:
    """Short text for one cell: integers as ``3``, floats with at most two decimals.

    ``fmt`` (a format spec such as ``".3f"``) overrides the default. ``nan`` is an
    empty cell (``""``) and infinities are ``∞``/``−∞``.
    """
    v = float(value)
    if math.isnan(v):
        return ""
    if math.isinf(v):
        return "∞" if v > 0 else "−∞"
    if fmt is not None:
        text = format(v, fmt)
    elif v == round(v) and abs(v) < 1e6:
        text = str(int(round(v)))
    else:
        digits = 0 if abs(v) >= 100 else 1 if abs(v) >= 10 else 2
        text = f"{v:.{digits}f}"
        if "." in text:
            text = text.rstrip("0").rstrip(".")
    if text in ("-0", "-0.0", "-0.00"):
        text = "0"
    return text.replace("-", "−")  # a true minus sign is as wide as a plus


def format_term(value: float) -> str:
    """A value as a term of a written sum: negative values in parentheses, ``(−3)``."""
    text = format_value(value)
    return f"({text})" if text.startswith("−") else text


def written_sum(values: Iterable[float]) -> str:
    """``"1 + (−2) + 3"``: the values written as a sum."""
    return " + ".join(format_term(v) for v in values)


def parse_value(text: str) -> float:
    """Inverse of :func:`format_value` (``""`` is ``nan``); for reading drawn values back."""
    if text == "":
        return math.nan
    return float(text.replace("−", "-").replace("∞", "inf"))


def _font_size(texts: Iterable[str], cell_inches: float) -> float:
    """A font size (points) at which the longest text fits in one cell."""
    longest = max((len(t) for t in texts), default=1)
    by_width = cell_inches * 72 * 0.82 / (0.62 * max(longest, 2))
    return float(min(by_width, cell_inches * 72 * 0.42, 11.0))


def _mask(name: str, cells: object, shape: tuple[int, int]) -> np.ndarray:
    """A boolean mask of ``shape`` from a mask array or an iterable of ``(row, col)`` pairs."""
    if cells is None:
        return np.zeros(shape, dtype=bool)
    arr = np.asarray(cells)
    if arr.dtype == bool:
        if arr.shape != shape:
            raise ValueError(f"{name} mask must have shape {shape}, got {arr.shape}")
        return arr
    mask = np.zeros(shape, dtype=bool)
    for cell in cells:  # type: ignore[attr-defined]
        i, j = check_tuple(name, cell, 2, minimum=0)
        if i >= shape[0] or j >= shape[1]:
            raise ValueError(f"{name} cell {(i, j)} lies outside the array of shape {shape}")
        mask[i, j] = True
    return mask


def _row_cells(cells: object) -> object:
    """For a 1-D array: a 1-D mask or plain indices become cells of its one row."""
    if cells is None:
        return None
    arr = np.asarray(cells)
    if arr.dtype == bool and arr.ndim == 1:
        return arr[None, :]
    if arr.ndim == 1 and arr.dtype.kind in "iu":
        return [(0, int(j)) for j in arr]
    return cells


class CellGrid:
    """A 2-D array drawn as cells on ``ax`` with its top-left corner at ``(x, y)``.

    The axes' units are cells and its y axis points down (see :func:`cell_canvas`).
    ``values`` may contain ``nan`` for cells not filled yet; ``padding`` marks cells
    drawn as padding (grey, dashed border) whatever the role. The font size fits the
    longest of ``values`` (or of ``text_sample``, the values the grid will show later).
    """

    def __init__(
        self,
        ax: Axes,
        values: np.ndarray,
        *,
        x: float = 0.0,
        y: float = 0.0,
        role: str = "input",
        fmt: str | None = None,
        vmax: float | None = None,
        padding: np.ndarray | None = None,
        fontsize: float | None = None,
        text_sample: np.ndarray | None = None,
    ) -> None:
        self.ax, self.x, self.y, self.role, self.fmt = ax, x, y, role, fmt
        self.shape: tuple[int, int] = values.shape  # type: ignore[assignment]
        self.padding = np.zeros(self.shape, bool) if padding is None else padding
        finite = values[np.isfinite(values)]
        if vmax is None:
            vmax = float(np.abs(finite).max()) if finite.size else 1.0
        self.vmax = vmax or 1.0
        if fontsize is None:
            sample = np.ravel(values if text_sample is None else text_sample)
            fontsize = _font_size([format_value(v, fmt) for v in sample], cell_inches(ax))
        # one collection for all the cell squares: far fewer artists to create and draw
        dashed = (0, (2, 2))
        self.cells = PolyCollection(
            self._squares(), edgecolors=EDGE, linewidths=0.8, zorder=1,
            linestyles=[dashed if p else "solid" for p in self.padding.ravel()],
        )
        ax.add_collection(self.cells, autolim=False)
        self.texts = np.empty(self.shape, dtype=object)
        for (i, j), pad in np.ndenumerate(self.padding):
            self.texts[i, j] = ax.text(
                x + j + 0.5, y + i + 0.5, "", ha="center", va="center", fontsize=fontsize,
                zorder=3, fontstyle="italic" if pad else "normal",
            )
        self.set_values(values)

    def _squares(self, inset: float = 0.0, mask: np.ndarray | None = None) -> list[np.ndarray]:
        """Corner coordinates of every cell (or of the cells in ``mask``), shrunk by ``inset``."""
        lo, hi = inset, 1.0 - inset
        unit = np.array([(lo, lo), (hi, lo), (hi, hi), (lo, hi)])
        cells = np.argwhere(np.ones(self.shape, bool) if mask is None else mask)
        return [unit + (self.x + j, self.y + i) for i, j in cells]

    def set_values(self, values: np.ndarray) -> None:
        """Write ``values`` (same shape; ``nan`` = empty) into the cells and recolour them."""
        fills = value_colors(np.nan_to_num(values, nan=0.0, posinf=0.0, neginf=0.0),
                             self.role, self.vmax)
        fills[np.isnan(values)] = to_rgba("white")
        fills[self.padding] = to_rgba(ROLE_COLORS["padding"])
        self.cells.set_facecolor(fills.reshape(-1, 4))
        for (i, j), v in np.ndenumerate(values):
            text = self.texts[i, j]
            text.set_text(format_value(v, self.fmt))
            text.set_color("#555555" if self.padding[i, j] else text_color(fills[i, j]))

    def facecolors(self) -> np.ndarray:
        """The RGBA fill of every cell, shape ``(rows, cols, 4)``."""
        return np.asarray(self.cells.get_facecolor()).reshape(*self.shape, 4)

    def values(self) -> np.ndarray:
        """The values currently written in the cells, read back from the text (``nan`` = empty)."""
        return np.vectorize(lambda t: parse_value(t.get_text()), otypes=[float])(self.texts)

    def move(self, x: float, y: float) -> None:
        """Move the grid so that its top-left corner is at ``(x, y)``."""
        self.x, self.y = x, y
        self.cells.set_verts(self._squares())
        for (i, j), text in np.ndenumerate(self.texts):
            text.set_position((x + j + 0.5, y + i + 0.5))

    def center(self, i: float, j: float) -> tuple[float, float]:
        """Axes coordinates of the centre of cell ``(i, j)``."""
        return (self.x + j + 0.5, self.y + i + 0.5)

    def outline(self, **style: object) -> Rectangle:
        """A rectangle around the whole grid (added to the axes and returned)."""
        rect = Rectangle((self.x, self.y), self.shape[1], self.shape[0], fill=False, **style)
        self.ax.add_patch(rect)
        return rect

    def label(self, text: str, *, below: bool = False, **style: object) -> Text:
        """Write ``text`` centred above (or below) the grid."""
        yy = self.y + self.shape[0] + 0.25 if below else self.y - 0.25
        style = {"fontsize": 9, "color": INK, **style}
        return self.ax.text(
            self.x + self.shape[1] / 2, yy, text, ha="center", va="top" if below else "bottom",
            **style,
        )


class CellMarks:
    """Thick outlines over some cells of a :class:`CellGrid`, movable from frame to frame."""

    def __init__(self, grid: CellGrid, color: str = ROLE_COLORS["highlight"], width: float = 2.4):
        self.grid = grid
        self.outlines = PolyCollection(
            [], facecolors="none", edgecolors=color, linewidths=width, zorder=4
        )
        grid.ax.add_collection(self.outlines, autolim=False)
        self.mask = np.zeros(grid.shape, dtype=bool)

    def show(self, mask: np.ndarray) -> None:
        """Outline exactly the cells where ``mask`` is true."""
        self.mask = np.asarray(mask, dtype=bool)
        self.outlines.set_verts(self.grid._squares(inset=0.06, mask=self.mask))


def fill_until(grid: CellGrid, marks: CellMarks, values: np.ndarray, step: int) -> None:
    """Show ``values`` in ``grid`` up to cell ``step`` (row by row), the rest empty,
    and outline cell ``step``: the output of an animation after ``step + 1`` steps."""
    shown = np.full(values.size, np.nan)
    shown[: step + 1] = values.ravel()[: step + 1]
    grid.set_values(shown.reshape(grid.shape))
    current = np.zeros(values.size, dtype=bool)
    current[step] = True
    marks.show(current.reshape(grid.shape))


def padding_mask(
    shape: tuple[int, ...], start: tuple[int, ...], inner: tuple[int, ...]
) -> np.ndarray:
    """True on the padding cells of a padded array of ``shape``.

    The input's own cells form the block of ``inner`` cells whose first cell is at
    ``start`` (one entry per axis); every other cell is padding.
    """
    mask = np.ones(shape, dtype=bool)
    mask[tuple(slice(a, a + n) for a, n in zip(start, inner, strict=True))] = False
    return mask


def cell_axes(ax: Axes, width: float, height: float) -> Axes:
    """Make ``ax`` measure ``width`` × ``height`` cells, square, y pointing down, no frame."""
    ax.set_xlim(0, width)
    ax.set_ylim(height, 0)
    ax.set_aspect("equal")
    ax.axis("off")
    return ax


def cell_inches(ax: Axes) -> float:
    """How many inches one cell of the cell axes ``ax`` measures on its figure."""
    pos = ax.get_position()
    fig_w, fig_h = ax.figure.get_size_inches()
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    return min(pos.width * fig_w / abs(x1 - x0), pos.height * fig_h / abs(y1 - y0))


def cell_canvas(
    width: float, height: float, *, cell_inches: float = CELL_INCHES
) -> tuple[Figure, Axes]:
    """A figure whose single axes measures ``width`` × ``height`` cells, y pointing down."""
    fig = plt.figure(figsize=(width * cell_inches, height * cell_inches))
    return fig, cell_axes(fig.add_axes((0, 0, 1, 1)), width, height)


def plot_array(
    a: object,
    *,
    role: str = "input",
    fmt: str | None = None,
    highlight: object = None,
    title: str | None = None,
    padding: int | tuple[int, int] = 0,
    vmax: float | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Draw a 2-D (or 1-D, as one row) array as cells with its values written in.

    ``role`` picks the colour (see :data:`cnnbook.viz.style.ROLES`); ``highlight`` is
    a boolean mask or an iterable of ``(row, col)`` cells (plain indices for a 1-D
    array) outlined in the highlight colour; ``padding`` (rows, cols) marks that many
    outer cells as padding. With ``ax=None`` a new figure sized to the array is made;
    a given ``ax`` is set up to fit the array (limits, equal aspect, no frame).
    Returns the figure.
    """
    arr = as_array("a", a, ndim=(1, 2)).astype(np.float64)
    check_choice("role", role, ROLES)
    ph, pw = check_tuple("padding", padding, 2, minimum=0)
    if arr.ndim == 1:
        arr, ph = arr[None, :], 0
        highlight = _row_cells(highlight)
    if 2 * ph >= arr.shape[0] or 2 * pw >= arr.shape[1]:
        raise ValueError(
            f"padding {padding!r} leaves no inner cells in an array of shape {arr.shape}"
        )
    if vmax is not None:
        vmax = check_real("vmax", vmax, positive=True)
    pad_mask = padding_mask(arr.shape, (ph, pw), (arr.shape[0] - 2 * ph, arr.shape[1] - 2 * pw))
    marks = _mask("highlight", highlight, arr.shape)
    top = 0.9 if title else 0.1
    width, height = arr.shape[1] + 0.2, arr.shape[0] + top + 0.1
    with book_style():
        if ax is None:
            _, ax = cell_canvas(width, height)
        else:
            cell_axes(ax, width, height)
        grid = CellGrid(ax, arr, x=0.1, y=top, role=role, fmt=fmt, vmax=vmax, padding=pad_mask)
        CellMarks(grid).show(marks)
        if title:
            grid.label(title, fontsize=10)
    return ax.figure
