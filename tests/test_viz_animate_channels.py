"""animate_multichannel names what it draws in the book's symbols: x[c], w[c] and y.

(Its arithmetic is tested against torch in tests/test_viz_animate_pool.py.)
"""

import matplotlib.pyplot as plt
import numpy as np

from cnnbook.viz import animate_multichannel


def test_the_labels_use_the_notation_of_the_book():
    rng = np.random.default_rng(0)
    x = rng.integers(0, 3, size=(3, 4, 4)).astype(float)
    w = rng.integers(-1, 2, size=(3, 2, 2)).astype(float)
    anim = animate_multichannel(x, w)
    texts = {t.get_text() for t in anim.figure.axes[0].texts}
    assert {"channel 0: x[0]", "channel 2: x[2]", "kernel w[0]", "kernel w[2]",
            "output y"} <= texts
    assert not any(t.startswith("kernel ") and "w[" not in t for t in texts)
    for c in range(3):  # each drawn slice is the kernel slice its label names
        np.testing.assert_array_equal(anim.grids[f"kernel{c}"].values(), w[c])
        np.testing.assert_array_equal(anim.grids[f"input{c}"].values(), x[c])
    plt.close(anim.figure)
