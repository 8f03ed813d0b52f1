"""Chapter 7's one-off figures: the NumPy LeNet beside its PyTorch twin.

:func:`plot_differences` draws how far the weights of the NumPy network stray from
PyTorch's, step by step (the ``differences`` of :func:`cnnbook.optim.lockstep`), with the
tolerance the chapter asserts; :func:`plot_profile` draws where one training step spends
its time, layer by layer and pass by pass, in both libraries (a
:class:`cnnbook.optim.Profile`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from cnnbook._checks import as_array, check_real
from cnnbook.optim import Profile
from cnnbook.viz.style import INK, book_style, figsize, role_color

LIBRARIES = {"numpy": "NumPy (this chapter)", "torch": "PyTorch"}


def plot_differences(differences: Mapping[str, Sequence[float]], *,
                     tolerance: float | None = 1e-6, ax: Axes | None = None) -> Figure:
    """The largest weight difference after each step, one line per run, on a log scale.

    ``differences`` maps a run's name (an optimiser, say) to one value per step; steps
    where the two networks agree exactly (difference 0) have no point on the log axis.
    ``tolerance`` draws the bound the differences must stay under as a dashed line.
    """
    if not isinstance(differences, Mapping) or not differences:
        raise TypeError("differences must be a non-empty mapping from a run's name to its "
                        f"differences per step, got {type(differences).__name__}")
    runs = {name: as_array(f"differences[{name!r}]", d, ndim=1)
            for name, d in differences.items()}
    for name, d in runs.items():
        if np.any(d < 0) or not np.all(np.isfinite(d)):
            raise ValueError(f"differences[{name!r}] must be finite and >= 0")
    if tolerance is not None:
        tolerance = check_real("tolerance", tolerance, positive=True)
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    with book_style():
        if ax is None:
            _, ax = plt.subplots(figsize=figsize("medium"), layout="constrained")
        for i, (name, d) in enumerate(runs.items()):
            steps = np.arange(1, len(d) + 1)
            ax.semilogy(steps, np.where(d > 0, d, np.nan), color=colors[i % len(colors)],
                        label=name)
        if tolerance is not None:
            ax.axhline(tolerance, color=INK, ls="--", lw=1, label=f"tolerance {tolerance:g}")
        ax.set(xlabel="optimiser step", ylabel="largest |w_NumPy − w_PyTorch|")
        ax.grid(alpha=0.3, which="major")
        ax.legend(loc="best")
    return ax.figure


def plot_profile(profile: Profile, *, unit: float = 1e-3, ax: Axes | None = None) -> Figure:
    """One pair of bars per layer (NumPy above, PyTorch below), split into the forward pass
    (solid) and the backward pass (light), in multiples of ``unit`` seconds (ms by default).
    """
    if not isinstance(profile, Profile):
        raise TypeError(f"profile must be a cnnbook.optim.Profile, got {type(profile).__name__}")
    unit = check_real("unit", unit, positive=True)
    n = len(profile.layers)
    for library in LIBRARIES:
        for key in ("forward", "backward"):
            if np.shape(profile.seconds[library][key]) != (n,):
                raise ValueError(f"profile.seconds[{library!r}][{key!r}] must hold one time "
                                 f"per layer ({n})")
    colors = {"numpy": role_color("input"), "torch": role_color("output")}
    with book_style():
        if ax is None:
            _, ax = plt.subplots(figsize=(figsize("medium")[0], 0.32 * n + 0.9),
                                 layout="constrained")
        rows = np.arange(n)
        for offset, library in zip((-0.2, 0.2), LIBRARIES, strict=True):
            forward = np.asarray(profile.seconds[library]["forward"]) / unit
            backward = np.asarray(profile.seconds[library]["backward"]) / unit
            ax.barh(rows + offset, forward, height=0.38, color=colors[library])
            ax.barh(rows + offset, backward, left=forward, height=0.38, color=colors[library],
                    alpha=0.35)
        ax.set_yticks(rows, profile.layers)
        ax.invert_yaxis()  # the first layer on top, as the data flows
        ax.set_xlabel("ms per step" if unit == 1e-3 else f"time per step (units of {unit:g} s)")
        ax.grid(alpha=0.3, axis="x")
        handles = [Patch(color=colors[lib], label=name) for lib, name in LIBRARIES.items()]
        handles += [Patch(color=INK, label="forward"), Patch(color=INK, alpha=0.35,
                                                             label="backward")]
        ax.legend(handles=handles, loc="lower right")
    return ax.figure
