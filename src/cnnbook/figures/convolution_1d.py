"""Chapter 1's one-off figures: 1-D convolution drawn, and at work.

:func:`plot_convolution1d` draws a signal, a kernel and their convolution as stems; the
others draw arrays the chapter has already computed (the computing stays in
:mod:`cnnbook.ops`): smoothing, step finding, wrap-around, timings, causality and
sensitivity. Colours follow the book's roles: inputs blue, kernels orange, outputs green,
highlights red.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from cnnbook import ops
from cnnbook._checks import as_array, check_bool, check_choice, check_int, check_real
from cnnbook.ops.correlate import mode_window
from cnnbook.viz.signals import MODES, plot_signal
from cnnbook.viz.style import book_style, figsize, role_color

__all__ = [
    "plot_convolution1d",
    "plot_perturbation_response",
    "plot_sensitivity",
    "plot_smoothing",
    "plot_step_detection",
    "plot_timings",
    "plot_wraparound",
]


def plot_convolution1d(
    x: object, weight: object, mode: str = "full", *, flip: bool = True
) -> Figure:
    """Three stacked stem plots: the signal, the kernel, and their convolution.

    ``flip=True`` is true convolution (``ops.convolve1d``) and also shows the flipped
    kernel; ``flip=False`` is correlation (``ops.correlate1d``). Each output value is
    drawn under the centre of the window it summarises and labelled with its index
    ``n`` in the returned array, so the drawing and the text name the same ``y[n]``.
    ``fig.result`` holds the output.
    """
    xs = as_array("x", x, ndim=1).astype(np.float64)
    ws = as_array("weight", weight, ndim=1).astype(np.float64)
    check_choice("mode", mode, MODES)
    flip = check_bool("flip", flip)
    y = ops.convolve1d(xs, ws, mode) if flip else ops.correlate1d(xs, ws, mode)
    op = "convolve1d" if flip else "correlate1d"
    start = mode_window(xs.size, ws.size, mode, op)[0]  # where y[0] is in the full output
    pos = np.arange(y.size) + start - (ws.size - 1) / 2  # full output i: centre i - (k-1)/2
    with book_style():
        width, _ = figsize("wide")
        fig, axes = plt.subplots(3, 1, figsize=(width, 4.8), sharex=True, layout="constrained")
        plot_signal(xs, role="input", label="x", title="signal x", ax=axes[0])
        centre = (ws.size - 1) / 2
        plot_signal(ws, role="kernel", label="w", start=-centre, ax=axes[1],
                    title="kernel w, centred" + (", and flip(w)" if flip else ""))
        if flip:
            m, s, _ = axes[1].stem(-centre + np.arange(ws.size) + 0.15, ops.flip(ws), basefmt=" ",
                                   label="flip(w)")
            m.set(color=role_color("kernel"), markerfacecolor="white", markersize=5)
            s.set(color=role_color("kernel"), linestyle=":", linewidth=1.4)
            axes[1].legend(loc="upper right")
        name = "convolution y = x * w" if flip else "correlation y = x ⋆ w"
        plot_signal(y, role="output", start=float(pos[0]),
                    title=f"{name}, mode {mode!r}; each stem labelled with n of y[n]", ax=axes[2])
        for n, (p, v) in enumerate(zip(pos, y, strict=True)):
            axes[2].annotate(f"{n}", (p, v), textcoords="offset points", ha="center",
                             xytext=(0, 5 if v >= 0 else -12), fontsize=7,
                             color=role_color("output"))
        axes[2].margins(y=0.25)
        axes[2].set_xlabel("position along x (each y[n] under the centre of its window)")
    fig.result = y  # type: ignore[attr-defined]
    return fig


def _signals(name: str, signals: Mapping[object, object], length: int | None = None
             ) -> dict[object, np.ndarray]:
    """Check a non-empty mapping of 1-D arrays (all of ``length`` if given)."""
    if not isinstance(signals, Mapping) or not signals:
        raise TypeError(f"{name} must be a non-empty mapping of 1-D arrays, got {signals!r}")
    out = {key: as_array(f"{name}[{key!r}]", value, ndim=1).astype(np.float64)
           for key, value in signals.items()}
    for key, value in out.items():
        if length is not None and value.size != length:
            raise ValueError(f"{name}[{key!r}] must have length {length}, got {value.size}")
    return out


def plot_smoothing(t: object, noisy: object, clean: object, smoothed: Mapping[int, object],
                   rms_error: object) -> Figure:
    """A noisy signal smoothed by moving averages, and the error against the kernel length.

    ``smoothed`` maps each kernel size ``k`` (taps of the average) to the smoothed signal;
    ``rms_error`` holds the error for the lengths in the same order. The left panel draws
    the best and the longest average over the noisy and clean signals, the right panel the
    error curve with the best length marked.
    """
    t = as_array("t", t, ndim=1).astype(np.float64)
    noisy = as_array("noisy", noisy, ndim=1)
    clean = as_array("clean", clean, ndim=1)
    for name, arr in (("noisy", noisy), ("clean", clean)):
        if arr.size != t.size:
            raise ValueError(f"{name} must have the length of t ({t.size}), got {arr.size}")
    curves = _signals("smoothed", smoothed, t.size)
    widths = np.array(list(curves))
    errors = as_array("rms_error", rms_error, ndim=1)
    if errors.size != widths.size:
        raise ValueError(f"rms_error must have one value per length ({widths.size}), "
                         f"got {errors.size}")
    best = widths[int(errors.argmin())]
    blue, green, red = (role_color(r) for r in ("input", "output", "highlight"))
    with book_style():
        fig, (ax_signal, ax_error) = plt.subplots(1, 2, figsize=(8.4, 2.8), width_ratios=[2, 1])
        ax_signal.plot(t, noisy, color=blue, alpha=0.35, lw=0.8, label="noisy input")
        ax_signal.plot(t, clean, color="black", lw=1, ls="--", label="clean signal")
        for taps, style in [(best, "-"), (widths.max(), ":")]:
            ax_signal.plot(t, curves[taps], color=green, ls=style, lw=1.5,
                           label=f"moving average, k = {taps}")
        ax_signal.set(xlabel="t", title="smoothing a noisy signal")
        ax_signal.legend(loc="lower left", fontsize=7)
        ax_error.plot(widths, errors, "o-", ms=3, color=green)
        ax_error.axvline(best, color=red, lw=1)
        ax_error.set(xlabel="kernel size k", ylabel="RMS error", title="too little, too much")
        fig.tight_layout()
    return fig


def plot_step_detection(signal: object, responses: Mapping[str, object], found: object,
                        threshold: float, *, title: str = "a noisy signal") -> Figure:
    """A signal, its responses to some kernels, and the steps found, one panel each.

    ``responses`` maps a panel title to a filtered signal; ``found`` holds the step
    positions (marked on the signal and on the last response); dotted lines show
    ``±threshold`` on the response panels; ``title`` heads the signal's panel.
    """
    signal = as_array("signal", signal, ndim=1).astype(np.float64)
    curves = _signals("responses", responses, signal.size)
    found = as_array("found", found, ndim=1).astype(int)
    threshold = check_real("threshold", threshold)
    if threshold < 0:
        raise ValueError(f"threshold must be >= 0, got {threshold}")
    colours = [role_color("kernel")] * (len(curves) - 1) + [role_color("output")]
    red = role_color("highlight")
    with book_style():
        fig, axes = plt.subplots(len(curves) + 1, 1, figsize=(7.6, 1.55 * (len(curves) + 1)),
                                 sharex=True)
        axes[0].plot(signal, color=role_color("input"), lw=0.9)
        axes[0].set_title(title)
        for ax, (title, curve), colour in zip(axes[1:], curves.items(), colours, strict=True):
            ax.plot(curve, color=colour, lw=1.0)
            ax.set_title(title)
            for level in (-threshold, threshold):
                ax.axhline(level, color="grey", lw=0.7, ls=":")
        for position in found:
            axes[0].axvline(position, color=red, lw=1, ls="--")
        axes[-1].plot(found, list(curves.values())[-1][found], "o", color=red, ms=4)
        axes[-1].set_xlabel("n")
        fig.tight_layout()
    return fig


def plot_wraparound(linear: object, circular: object, *, ax: Axes | None = None) -> Figure:
    """Linear ("full") against circular convolution, with arrows for the wrapped tail.

    The circular result has the signal's length ``N``; every linear output from ``N`` on
    is added onto the circular output ``N`` places earlier, which the arrows show.
    """
    linear = as_array("linear", linear, ndim=1).astype(np.float64)
    circular = as_array("circular", circular, ndim=1).astype(np.float64)
    n = circular.size
    if linear.size < n:
        raise ValueError(f"linear must be at least as long as circular ({n}), got {linear.size}")
    with book_style():
        if ax is None:
            _, ax = plt.subplots(figsize=(7.0, 2.8))
        ax.stem(np.arange(linear.size) - 0.12, linear, linefmt=role_color("output"),
                basefmt=" ", label="linear (full)")
        ax.stem(np.arange(n) + 0.12, circular, linefmt=role_color("highlight"), markerfmt="s",
                basefmt=" ", label="circular (length N)")
        low = min(linear.min(), circular.min(), 0.0)
        span = max(linear.max(), circular.max()) - low
        for tail in range(n, linear.size):  # an arrow below the axis from each wrapped output
            ax.annotate("", xy=(tail - n + 0.12, low - 0.04 * span),
                        xytext=(tail - 0.12, low - 0.04 * span),
                        arrowprops={"arrowstyle": "->", "color": "grey",
                                    "connectionstyle": "arc3,rad=-0.15"})
        ax.axvline(n - 0.5, color="grey", lw=0.8, ls=":")
        ax.set(xlabel="n", xticks=np.arange(linear.size), ylim=(low - 0.2 * span, None))
        ax.legend(loc="upper right")
    return ax.figure


def plot_timings(sizes: Sequence[int], seconds: Mapping[str, object], *,
                 crossover: int | None = None, crossover_label: str = "faster from n = {n}",
                 ax: Axes | None = None) -> Figure:
    """Time per call against problem size on log–log axes, one line per method.

    ``seconds`` maps a label to the times for ``sizes`` (drawn in milliseconds);
    a dashed line marks ``crossover``, the size from which the last method wins, in the
    legend as ``crossover_label`` with ``{n}`` filled in.
    """
    sizes = as_array("sizes", sizes, ndim=1)
    curves = _signals("seconds", seconds, sizes.size)
    styles = ["o-", "o:", "s-", "^-", "v:"]
    colours = [role_color("input"), role_color("input"), role_color("output"),
               role_color("kernel"), "grey"]
    if len(curves) > len(styles):
        raise ValueError(f"seconds can hold at most {len(styles)} methods, got {len(curves)}")
    with book_style():
        if ax is None:
            _, ax = plt.subplots(figsize=(6.0, 3.6))
        for (label, times), style, colour in zip(curves.items(), styles, colours, strict=False):
            ax.loglog(sizes, times * 1e3, style, ms=3, color=colour, label=label,
                      alpha=0.6 if style.endswith(":") else 1.0)
        if crossover is not None:
            ax.axvline(crossover, color=role_color("highlight"), lw=1, ls="--",
                       label=crossover_label.format(n=crossover))
        ax.set(xlabel="length n of signal and kernel", ylabel="milliseconds per call")
        ax.legend()
    return ax.figure


def plot_perturbation_response(changes: Mapping[str, object], at: int) -> Figure:
    """How much each output moved after one input changed, one panel per variant.

    ``changes`` maps a panel title to ``|y_after - y_before|``; a dashed line marks the
    step ``at`` where the input was changed, so outputs left of it reacted early.
    """
    curves = _signals("changes", changes)
    at = check_int("at", at, minimum=0)
    with book_style():
        fig, axes = plt.subplots(1, len(curves), figsize=(3.8 * len(curves), 2.4), sharey=True,
                                 squeeze=False)
        for ax, (title, change) in zip(axes[0], curves.items(), strict=True):
            ax.stem(np.arange(change.size), change, linefmt=role_color("output"), basefmt=" ")
            ax.axvline(at, color=role_color("highlight"), lw=1, ls="--")
            ax.set(title=title, xlabel="output step t")
        axes[0, 0].set_ylabel("|change in y[t]|")
        fig.tight_layout()
    return fig


def plot_sensitivity(sensitivity: object, *, title: str | None = None,
                     ylabel: str = "|∂ y / ∂ x|", ax: Axes | None = None) -> Figure:
    """Stems of how strongly one output reacts to each input, its field shaded.

    The shaded span runs from the first to the last non-zero entry of ``sensitivity``.
    """
    values = np.abs(as_array("sensitivity", sensitivity, ndim=1).astype(np.float64))
    seen = np.flatnonzero(values > 0)
    if seen.size == 0:
        raise ValueError("sensitivity must have a non-zero entry, got all zeros")
    with book_style():
        if ax is None:
            _, ax = plt.subplots(figsize=(7.0, 2.2))
        ax.stem(np.arange(values.size), values, linefmt=role_color("input"), markerfmt="o",
                basefmt=" ")
        ax.axvspan(seen.min() - 0.5, seen.max() + 0.5, color=role_color("highlight"), alpha=0.08)
        ax.set(xlabel="input step", ylabel=ylabel, title=title)
    return ax.figure
