"""Chapter 4's figure: one array under several paddings."""

import numpy as np
import pytest

from cnnbook.figures import padding_stride_dilation as figures


def test_panels_titles_and_common_scale():
    x = np.arange(25.0).reshape(5, 5)
    k = np.array([[1.0, 0.0, -1.0], [2.0, 7.0, -2.0], [1.0, 0.0, -1.0]])
    fig = figures.plot_padded_grids(x, k, {"valid": 0, "same": 1, "full": 2})
    assert len(fig.axes) == 4
    titles = ["valid: p = 0, output 3×3", "same: p = 1, output 5×5", "full: p = 2, output 7×7",
              "kernel w: 3×3"]
    for ax, title in zip(fig.axes, titles, strict=True):  # plot_array writes titles as text
        assert title in [t.get_text() for t in ax.texts]
    widths = {round(abs(np.diff(ax.get_xlim())[0]), 9) for ax in fig.axes}
    assert len(widths) == 1  # one cell size in every panel
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "24" in texts and "0" in texts
    kernel_texts = [t.get_text() for t in fig.axes[3].texts]
    assert "7" in kernel_texts and "−2" in kernel_texts and "24" not in kernel_texts


def test_bad_input():
    x, k = np.ones((4, 4)), np.ones((3, 3))
    with pytest.raises(ValueError, match=r"paddings\['a'\] must be an integer >= 0, got -1"):
        figures.plot_padded_grids(x, k, {"a": -1})
    with pytest.raises(TypeError, match="paddings must be a non-empty mapping"):
        figures.plot_padded_grids(x, k, {})
    with pytest.raises(ValueError, match="x"):
        figures.plot_padded_grids(np.ones(4), k, {"a": 0})
