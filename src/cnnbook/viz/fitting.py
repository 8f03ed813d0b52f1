"""Two kernel fits side by side: their losses, and the paths their kernel entries take.

Draws two :class:`cnnbook.kernel_fitting.KernelFit` results, typically a correlation layer
and a true-convolution layer trained on the same data. The right panel shows the second
fit's kernels turned by 180° (``flip_second=True``), so that a convolution layer that has
absorbed the flip traces exactly the same nine paths as the correlation layer.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from cnnbook.kernel_fitting import KernelFit
from cnnbook.viz.style import book_style, role_color

__all__ = ["plot_kernel_fits"]


def plot_kernel_fits(
    first: KernelFit,
    second: KernelFit,
    labels: tuple[str, str] = ("correlation layer", "convolution layer"),
    flip_second: bool = True,
) -> Figure:
    """Loss curves (left, log scale) and kernel-entry paths (right) of two fits.

    ``first`` is drawn thick and light, ``second`` thin and dashed on top, so lines that
    coincide stay visible. With ``flip_second`` the second fit's kernels are flipped
    (180°) before drawing. Both fits must have the same number of steps and kernel shape.
    Returns the figure; its two axes carry one legend each.
    """
    for name, fit in (("first", first), ("second", second)):
        if not isinstance(fit, KernelFit):
            raise TypeError(f"{name} must be a KernelFit, got {type(fit).__name__}")
    if first.kernels.shape != second.kernels.shape:
        raise ValueError(
            f"first and second must have the same steps and kernel shape, got kernels "
            f"{first.kernels.shape} and {second.kernels.shape}"
        )
    if len(labels) != 2 or not all(isinstance(lab, str) for lab in labels):
        raise ValueError(f"labels must be two strings, got {labels!r}")
    path_second = second.kernels[:, ::-1, ::-1] if flip_second else second.kernels
    steps = np.arange(first.losses.size)
    with book_style():
        fig, (ax_loss, ax_path) = plt.subplots(1, 2, figsize=(9, 2.8))
        ax_loss.semilogy(steps, first.losses, color=role_color("input"), lw=3, alpha=0.5,
                         label=labels[0])
        ax_loss.semilogy(steps, second.losses, color=role_color("output"), ls="--",
                         label=labels[1])
        ax_loss.set(xlabel="gradient step", ylabel="mean squared error",
                    title="the losses coincide")
        ax_loss.legend()
        thick = {"color": role_color("kernel"), "lw": 3, "alpha": 0.4}
        thin = {"color": "black", "lw": 0.8, "ls": "--"}
        for u, v in np.ndindex(first.kernels.shape[1:]):
            ax_path.plot(steps, first.kernels[:, u, v], **thick)
            ax_path.plot(steps, path_second[:, u, v], **thin)
        ax_path.plot([], [], **thick, label=labels[0])
        ax_path.plot([], [], **thin, label=labels[1] + (", flipped" if flip_second else ""))
        n = first.kernels[0].size
        ax_path.set(xlabel="gradient step", ylabel="kernel entry",
                    title=f"the {n} kernel entries" if n != 9 else "the nine kernel entries")
        ax_path.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1, 1))
        fig.tight_layout()
    return fig
