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
