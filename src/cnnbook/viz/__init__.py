"""cnnbook.viz: the book's pictures and step-through animations.

``style`` holds the visual language (a colour per role); the other modules draw
arrays, signals and animations in it. Every name below is re-exported here.
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
    final_frame,
    storyboard,
    to_html,
    to_jshtml,
)
from cnnbook.viz.array_row import draw_array_row
from cnnbook.viz.grid import CellGrid, draw_array, format_value
from cnnbook.viz.signals import plot_convolution1d, plot_signal, show_flip

# isort: split
# data figures: images, bar charts, training, network shape tables
from cnnbook.viz.bars import plot_bars
from cnnbook.viz.images import sample_photo, show_feature_maps, show_filters, show_images
from cnnbook.viz.shifts import plot_shift_sensitivity
from cnnbook.viz.summary import LayerRow, LayerSummary, layer_summary
from cnnbook.viz.training import (
    confusion_matrix,
    plot_confusion_matrix,
    plot_history,
    show_misclassified,
)

# isort: split
# activation functions and their slopes; a network drawn as its stages
from cnnbook.viz.activations import activation, activation_derivative, plot_activations
from cnnbook.viz.architecture import Stage, architecture_stages, plot_architecture

# isort: split
# kernel fitting: two fits' losses and kernel paths
from cnnbook.viz.fitting import plot_kernel_fits

# isort: split
# 1-D convolution at work: smoothing, steps, wrap-around, timings, causality, sensitivity
from cnnbook.viz.figures1d import (
    plot_perturbation_response,
    plot_sensitivity,
    plot_smoothing,
    plot_step_detection,
    plot_timings,
    plot_wraparound,
)

# isort: split
# feature maps side by side: signed responses on one scale, what a shift changed
from cnnbook.viz.maps import map_changes, show_shift_changes, show_signed_maps

# isort: split
# one array under several paddings, side by side at one scale
from cnnbook.viz.padded_grids import plot_padded_grids
