"""Chapter 6's one-off figures: LeNet drawn, its activations, how its training went.

:func:`plot_architecture` draws a model as the arrays one input becomes (stacks of maps,
then bars of features, from :func:`cnnbook.summary.architecture_stages`);
:func:`plot_activations` draws each activation with its derivative; :func:`plot_history`,
:func:`plot_confusion_matrix` and :func:`plot_misclassified` show how a training run went;
:func:`plot_step_losses` draws the loss of every step of several short runs side by side.

A *history* is one run's per-epoch record, in any of the shapes the book meets:
``cnnbook.train.History`` (columns, with ``.records()``), an object with an ``.epochs``
list, a list of per-epoch dicts or dataclasses, or a dict of columns. Each epoch needs
``train_loss``, ``train_accuracy`` and ``test_accuracy``; ``epoch`` defaults to 1, 2, ...;
``test_loss`` is drawn when every epoch has it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import PowerNorm
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, Rectangle
from matplotlib.ticker import MaxNLocator, PercentFormatter
from torch import nn

from cnnbook._checks import as_label_pair, check_choice, check_int, check_real
from cnnbook.activations import ACTIVATIONS, activation, activation_derivative
from cnnbook.summary import architecture_stages
from cnnbook.viz.images import plot_images
from cnnbook.viz.style import INK, book_style, figsize, magnitude_cmap, role_color, text_color

#: How the book writes each function.
FORMULAS: dict[str, str] = {
    "sigmoid": r"$\sigma(x) = 1/(1+e^{-x})$",
    "tanh": r"$\tanh x$",
    "relu": r"$\mathrm{ReLU}(x) = \max(0, x)$",
}


def plot_activations(
    names: Sequence[str] = ("sigmoid", "tanh", "relu"), *, limit: float = 6.0,
    points: int = 401, saturation: float | None = None,
) -> Figure:
    """One panel per activation on ``[-limit, limit]``: the function (solid) and its slope (dashed).

    ``saturation`` shades ``|x| >= saturation`` in every panel, where the sigmoid and
    tanh are nearly flat and pass almost no gradient back.
    """
    if isinstance(names, str) or not isinstance(names, Sequence) or len(names) == 0:
        raise ValueError(f"names must be a non-empty sequence of {tuple(ACTIVATIONS)}, "
                         f"got {names!r}")
    for i, name in enumerate(names):
        check_choice(f"names[{i}]", name, ACTIVATIONS)
    limit = check_real("limit", limit, positive=True)
    points = check_int("points", points, minimum=2)
    if saturation is not None:
        saturation = check_real("saturation", saturation, positive=True)
        if saturation >= limit:
            raise ValueError(f"saturation must be below limit = {limit}, got {saturation}")
    x = np.linspace(-limit, limit, points)
    with book_style():
        fig, axes = plt.subplots(1, len(names), figsize=(2.6 * len(names), 2.4),
                                 sharey=True, layout="constrained", squeeze=False)
        for ax, name in zip(axes[0], names, strict=True):
            ax.axhline(0, color=INK, lw=0.6)
            ax.axvline(0, color=INK, lw=0.6)
            if saturation is not None:
                for lo, hi in ((-limit, -saturation), (saturation, limit)):
                    ax.axvspan(lo, hi, color=role_color("padding"), alpha=0.35, lw=0)
            ax.plot(x, activation(name, x), color=role_color("input"), label="function")
            slope = activation_derivative(name, x)
            ax.plot(x, slope, "--", color=role_color("kernel"), label="derivative")
            ax.set(title=FORMULAS[name], xlabel="$x$", xlim=(-limit, limit), ylim=(-1.2, 2.2))
            ax.grid(alpha=0.3)
        axes[0, 0].legend(loc="upper left")
    return fig


def _shape_text(shape: tuple[int, ...]) -> str:
    return " × ".join(str(d) for d in shape)


def plot_architecture(
    model: nn.Module, input_size: Sequence[int], *, title: str | None = None,
    max_maps: int = 6, ax: Axes | None = None,
) -> Figure:
    """Draw ``model`` as the arrays one input of ``input_size`` (no batch axis) becomes.

    A ``C × H × W`` stage is a stack of up to ``max_maps`` squares of side ∝ ``H`` (the
    count ``C`` is written below it); a flat stage of ``F`` features is a bar whose
    height grows with ``√F``. Above each stage: the layer that made it. Draws on ``ax``
    when given; returns the figure.
    """
    max_maps = check_int("max_maps", max_maps, minimum=1)
    stages = architecture_stages(model, input_size)
    tallest = max((s.shape[-2] for s in stages if len(s.shape) == 3), default=1)
    widest_flat = max((s.shape[0] for s in stages if len(s.shape) == 1), default=1)
    step = 0.09  # offset between stacked maps
    with book_style():
        if ax is None:
            _, ax = plt.subplots(figsize=(1.15 * len(stages) + 0.4, 2.6), layout="constrained")
        x, prev, prev_right = 0.0, None, 0.0
        for stage in stages:
            color = role_color(stage.role)
            if len(stage.shape) == 3:
                c, h, w = stage.shape
                side_h, side_w = h / tallest, w / tallest
                n = min(c, max_maps)
                for i in reversed(range(n)):  # back to front, so the front map is drawn last
                    ax.add_patch(Rectangle((x + i * step, -side_h / 2 + i * step), side_w, side_h,
                                           facecolor=color, edgecolor=INK, lw=0.6, alpha=0.85))
                left, right = x, x + side_w + (n - 1) * step
                top = side_h / 2 + (n - 1) * step
            else:
                height = 1.0 * np.sqrt(stage.shape[0] / widest_flat)
                ax.add_patch(Rectangle((x, -height / 2), 0.12, height, facecolor=color,
                                       edgecolor=INK, lw=0.6))
                left, right, top = x, x + 0.12, height / 2
            centre = (left + right) / 2
            ax.text(centre, -0.68, _shape_text(stage.shape), ha="center", va="top", fontsize=8)
            ax.text(centre, max(top, 0.5) + 0.08, stage.title.replace(", ", ",\n"),
                    ha="center", va="bottom", fontsize=8)
            if prev is not None:
                ax.add_patch(FancyArrowPatch((prev_right + 0.04, 0), (left - 0.04, 0),
                                             arrowstyle="-|>", mutation_scale=8, color=INK,
                                             lw=0.8))
                if len(prev.shape) == 3 and len(stage.shape) == 1:  # the flatten step
                    ax.text((prev_right + left) / 2, 0.06, f"flatten\n{np.prod(prev.shape)}",
                            ha="center", va="bottom", fontsize=7, color=INK)
            prev, prev_right = stage, right
            x = right + (0.6 if len(stage.shape) == 3 else 0.45)
        ax.set(xlim=(-0.15, x - 0.3), ylim=(-0.95, 1.15), aspect="equal")
        ax.set_axis_off()
        if title:
            ax.set_title(title)
    return ax.figure


#: The per-epoch values every history must have.
HISTORY_KEYS: tuple[str, ...] = ("train_loss", "train_accuracy", "test_accuracy")

#: A per-epoch value drawn when a history has it.
OPTIONAL_KEY = "test_loss"


def _record(item: object) -> dict[str, object]:
    if dataclasses.is_dataclass(item) and not isinstance(item, type):
        return dataclasses.asdict(item)
    if isinstance(item, Mapping):
        return dict(item)
    return {k: getattr(item, k) for k in ("epoch", *HISTORY_KEYS) if hasattr(item, k)}


def history_columns(history: object, name: str = "history") -> dict[str, np.ndarray]:
    """One float array per key (``epoch`` and :data:`HISTORY_KEYS`) from any history shape."""
    if hasattr(history, "epochs") and not isinstance(history, Mapping):
        records = [_record(e) for e in history.epochs]
    elif callable(getattr(history, "records", None)):
        records = [_record(e) for e in history.records()]
    else:
        if dataclasses.is_dataclass(history) and not isinstance(history, type):
            history = dataclasses.asdict(history)
        if isinstance(history, Mapping):  # columns: {"train_loss": [...], ...}
            lengths = {len(v) for v in history.values() if isinstance(v, Sequence)}
            if len(lengths) > 1:
                raise ValueError(f"{name}: columns have different lengths {sorted(lengths)}")
            n = lengths.pop() if lengths else 0
            records = [{k: v[i] for k, v in history.items()} for i in range(n)]
        elif isinstance(history, Sequence) and not isinstance(history, str):
            records = [_record(e) for e in history]
        else:
            raise TypeError(
                f"{name} must be a list of per-epoch dicts, an object with .epochs or "
                f".records(), or a dict of columns; got {type(history).__name__}"
            )
    if not records:
        raise ValueError(f"{name} is empty: it has no epochs to plot")
    columns = {}
    for key in HISTORY_KEYS:
        missing = [i for i, r in enumerate(records) if key not in r]
        if missing:
            raise ValueError(f"{name}: epoch {missing[0]} has no {key!r} (needs {HISTORY_KEYS})")
        columns[key] = np.array([float(r[key]) for r in records])
    columns["epoch"] = np.array([float(r.get("epoch", i + 1)) for i, r in enumerate(records)])
    if all(OPTIONAL_KEY in r for r in records):
        columns[OPTIONAL_KEY] = np.array([float(r[OPTIONAL_KEY]) for r in records])
    return columns


def _runs(histories: object) -> dict[str, dict[str, np.ndarray]]:
    """``{name: history}`` or one history -> ``{name: columns}``."""
    if isinstance(histories, Mapping) and not any(k in histories for k in HISTORY_KEYS):
        if not histories:
            raise ValueError("histories must name at least one run, got an empty dict")
        return {str(k): history_columns(h, f"histories[{k!r}]") for k, h in histories.items()}
    return {"": history_columns(histories, "histories")}


def plot_history(histories: object, *, title: str | None = None) -> Figure:
    """Loss and accuracy per epoch, train (dashed) and test (solid), for one or several runs.

    ``histories`` is one history or ``{"run name": history, ...}``; each run gets its own
    colour, on the same two panels so the runs compare directly. The test loss is drawn
    for the runs that recorded it.
    """
    runs = _runs(histories)
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    with book_style():
        fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=figsize("wide"), layout="constrained")
        fractions = True
        for i, (name, h) in enumerate(runs.items()):
            color = colors[i % len(colors)] if len(runs) > 1 else role_color("input")
            ax_loss.plot(h["epoch"], h["train_loss"], "--o", color=color, ms=3, label=name)
            if OPTIONAL_KEY in h:
                ax_loss.plot(h["epoch"], h[OPTIONAL_KEY], "-o", color=color, ms=3)
            ax_acc.plot(h["epoch"], h["train_accuracy"], "--o", color=color, ms=3)
            ax_acc.plot(h["epoch"], h["test_accuracy"], "-o", color=color, ms=3)
            fractions &= bool(np.all(h["train_accuracy"] <= 1) and np.all(h["test_accuracy"] <= 1))
        ax_loss.set(xlabel="epoch", ylabel="loss (cross-entropy)")
        ax_acc.set(xlabel="epoch", ylabel="accuracy")
        if fractions:
            ax_acc.yaxis.set_major_formatter(PercentFormatter(xmax=1, decimals=0))
        for ax in (ax_loss, ax_acc):
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            ax.grid(alpha=0.3)
        kinds = [
            Line2D([], [], color=INK, ls="--", marker="o", ms=3, label="train"),
            Line2D([], [], color=INK, ls="-", marker="o", ms=3, label="test"),
        ]
        ax_acc.legend(handles=kinds, loc="lower right")
        if any(OPTIONAL_KEY in h for h in runs.values()):
            ax_loss.legend(handles=kinds, loc="upper right")
        if len(runs) > 1:  # the runs' colours, above the panels
            handles = [Line2D([], [], color=colors[i % len(colors)], label=name)
                       for i, name in enumerate(runs)]
            fig.legend(handles=handles, loc="outside upper center", ncols=len(runs))
        if title:
            fig.suptitle(title)
    return fig


def _class_names(classes: Sequence[object] | None, n: int) -> list[str]:
    if classes is None:
        return [str(i) for i in range(n)]
    names = [str(c) for c in classes]
    if len(names) != n:
        raise ValueError(f"classes must name all {n} classes, got {len(names)}")
    return names


def plot_confusion_matrix(
    cm: object, classes: Sequence[object] | None = None, *, title: str | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Draw a confusion matrix (rows: true class, columns: predicted) with its counts written in.

    A cell's colour is its share of its row, on a square-root scale so that a handful of
    mistakes still shows next to a diagonal of thousands. Draws on ``ax`` when given;
    returns the figure.
    """
    arr = np.asarray(cm.detach().cpu().numpy() if hasattr(cm, "detach") else cm)
    if arr.dtype.kind not in "iuf":
        raise TypeError(f"cm must be an array of counts, got dtype {arr.dtype}")
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1] or arr.size == 0:
        raise ValueError(f"cm must be a square n × n matrix, got shape {arr.shape}")
    if np.any(arr < 0):
        raise ValueError("cm must not hold negative counts")
    n = len(arr)
    names = _class_names(classes, n)
    totals = arr.sum(axis=1, keepdims=True)
    share = np.divide(arr, totals, out=np.zeros(arr.shape), where=totals > 0)
    integral = arr.dtype.kind in "iu" or bool(np.all(arr == np.round(arr)))
    side = min(7.0, max(2.8, 0.42 * n + 1.2))
    cmap = magnitude_cmap("input")
    norm = PowerNorm(gamma=0.5, vmin=0.0, vmax=1.0)
    with book_style():
        if ax is None:
            _, ax = plt.subplots(figsize=(side, side), layout="constrained")
        ax.imshow(share, cmap=cmap, norm=norm, interpolation="nearest")
        size = 9 if n <= 10 else 7
        for (i, j), value in np.ndenumerate(arr):
            text = f"{int(value)}" if integral else f"{value:.2f}"
            color = "#9a9a9a" if value == 0 else text_color(cmap(norm(share[i, j])))
            ax.text(j, i, text, ha="center", va="center", fontsize=size, color=color)
        ax.set_xticks(range(n), names)
        if max(map(len, names)) > 2:  # long names: slant them so they do not collide
            ax.tick_params(axis="x", labelrotation=45)
            for label in ax.get_xticklabels():
                label.set(ha="right", rotation_mode="anchor")
        ax.set_yticks(range(n), names)
        ax.set(xlabel="predicted", ylabel="true")
        ax.tick_params(length=0)
        for spine in ax.spines.values():
            spine.set_visible(False)
        if title:
            ax.set_title(title)
    return ax.figure


def _wrong_title(true: str, pred: str) -> str:
    sep = "\n→ " if len(true) + len(pred) > 9 else " → "
    return f"{true}{sep}{pred}"


def plot_misclassified(
    images: object,
    y_true: object,
    y_pred: object,
    classes: Sequence[object] | None = None,
    *,
    max_images: int = 24,
    ncols: int = 8,
    title: str | None = None,
) -> Figure:
    """The first ``max_images`` images whose prediction is wrong, titled "true → predicted"."""
    max_images = check_int("max_images", max_images, minimum=1)
    n = None if classes is None else len(classes)
    t, p = as_label_pair(y_true, y_pred, n)
    n_images = len(images)
    if n_images != len(t):
        raise ValueError(
            f"images and labels must match: {n_images} images, {len(t)} labels in y_true"
        )
    wrong = np.flatnonzero(t != p)
    shown = wrong[:max_images]
    if title is None:
        title = f"{len(shown)} of {len(wrong)} misclassified (true → predicted)"
    if len(shown) == 0:
        with book_style():
            fig, ax = plt.subplots(figsize=figsize("small", scale=0.6))
            ax.text(0.5, 0.5, "no misclassified images", ha="center", va="center")
            ax.set_axis_off()
        return fig
    names = _class_names(classes, int(max(t.max(), p.max())) + 1 if classes is None else n)
    labels = [_wrong_title(names[t[i]], names[p[i]]) for i in shown]
    picked = images[shown] if hasattr(images, "shape") else [images[i] for i in shown]
    fig = plot_images(picked, labels, ncols=ncols, title=title)
    for ax in fig.axes:
        ax.title.set_color(role_color("highlight"))
    return fig


def _curve_style(label: str, colors: dict[str, str], dashes: dict[str, str]) -> dict[str, str]:
    first, _, second = label.partition(", ")
    palette = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    styles = ("-", "--", ":", "-.")
    color = colors.setdefault(first, palette[len(colors) % len(palette)])
    dash = dashes.setdefault(second, styles[len(dashes) % len(styles)])
    return {"color": color, "linestyle": dash}


def plot_step_losses(
    panels: Mapping[str, Mapping[str, object]], *, reference: float | None = None,
    steps_axis: str = "step", title: str | None = None,
) -> Figure:
    """The loss of every training step: one panel per entry of ``panels``, one curve per run.

    ``panels`` maps a panel title to ``{run label: per-step losses}`` (a single panel is
    ``{"": runs}``). A label ``"A, B"`` takes its colour from ``A`` and its line style
    from ``B``, the same in every panel, so a grid of choices (activation, pooling) reads
    at a glance. ``reference`` draws a dotted horizontal line, e.g. at ln 10, the loss of
    a network that guesses among ten classes. The panels share their y-axis.
    """
    if not isinstance(panels, Mapping) or not panels:
        raise TypeError(f"panels must map a title to {{label: losses}}, got {panels!r}")
    curves: dict[str, dict[str, np.ndarray]] = {}
    for title_, runs in panels.items():
        if not isinstance(runs, Mapping) or not runs:
            raise TypeError(f"panels[{title_!r}] must map a run label to its losses, got {runs!r}")
        curves[str(title_)] = {}
        for label, losses in runs.items():
            arr = np.asarray(losses, dtype=float)
            if arr.ndim != 1 or arr.size == 0 or not np.all(np.isfinite(arr)):
                raise ValueError(f"panels[{title_!r}][{label!r}] must be a non-empty 1-D array "
                                 f"of finite losses, got shape {arr.shape}")
            curves[str(title_)][str(label)] = arr
    if reference is not None:
        reference = check_real("reference", reference)
    colors: dict[str, str] = {}
    dashes: dict[str, str] = {}
    with book_style():
        fig, axes = plt.subplots(1, len(curves), figsize=(3.8 * len(curves) + 0.4, 2.9),
                                 sharey=True, layout="constrained", squeeze=False)
        handles = {}
        for ax, (panel, runs) in zip(axes[0], curves.items(), strict=True):
            for label, loss in runs.items():
                (line,) = ax.plot(np.arange(len(loss)), loss, lw=1.1, label=label,
                                  **_curve_style(label, colors, dashes))
                handles.setdefault(label, line)
            if reference is not None:
                ax.axhline(reference, color=INK, lw=0.8, ls=":")
            ax.set(title=panel, xlabel=steps_axis)
            ax.grid(alpha=0.3)
        axes[0, 0].set_ylabel("loss of the step's batch")
        fig.legend(handles=list(handles.values()), loc="outside upper center",
                   ncols=min(len(handles), 3))
        if title:
            fig.suptitle(title)
    return fig
