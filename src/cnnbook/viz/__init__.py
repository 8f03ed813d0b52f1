"""cnnbook.viz: the drawing kit the chapters share, and the step-through animations.

``style`` holds the visual language (a colour per role); the other modules draw arrays,
signals, images and animations in it. The kit holds what two or more chapters draw with;
a figure only one chapter draws lives in :mod:`cnnbook.figures`. Every name below is
re-exported here.

One drawing API: a static drawing is ``plot_<what>`` and returns its matplotlib ``Figure``
(a single-panel one takes ``ax=None``, keyword-only, and returns ``ax.figure`` when given
one); a step-through animation is ``animate_<op>`` and returns a :class:`StepAnimation`.
The kernel argument is ``weight``, and arguments that :mod:`cnnbook.ops` also takes have
its names and order.
"""

# ruff: noqa: F401  (this file only re-exports)

from cnnbook.viz.style import (
    FIGSIZES,
    NEGATIVE_COLOR,
    ROLE_COLORS,
    ROLES,
    apply_style,
    book_style,
    figsize,
    magnitude_cmap,
    role_color,
    sign_cmap,
    text_color,
    value_colors,
)

# isort: split
# arrays as cells, 1-D signals, step-through animations
from cnnbook.viz.animate import (
    GALLERY,
    StepAnimation,
    animate_conv1d,
    animate_conv2d,
    animate_conv_transpose2d,
    animate_gallery,
    animate_multichannel,
    animate_pool2d,
    describe,
    plot_final_frame,
    plot_storyboard,
    to_html,
    to_jshtml,
)
from cnnbook.viz.array_row import plot_array_row
from cnnbook.viz.grid import CellGrid, format_value, plot_array
from cnnbook.viz.signals import plot_signal

# isort: split
# images and bar charts
from cnnbook.viz.bars import plot_bars
from cnnbook.viz.images import plot_feature_maps, plot_filters, plot_images

# isort: split
# the convolution explorer, live in the page
from cnnbook.viz.explorer import explorer
