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
# data figures: images, training, network shape tables
from cnnbook.viz.images import sample_photo, show_feature_maps, show_filters, show_images
from cnnbook.viz.summary import LayerRow, LayerSummary, layer_summary
from cnnbook.viz.training import (
    confusion_matrix,
    plot_confusion_matrix,
    plot_history,
    show_misclassified,
)
