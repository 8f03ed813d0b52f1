"""cnnbook: the code behind the CNN book.

The package computes (``cnnbook.ops``), draws (the kit ``cnnbook.viz``, and each
chapter's one-off figures in ``cnnbook.figures``), loads the data (``cnnbook.data``),
and trains (``cnnbook.models``, ``cnnbook.train``); the other modules hold one idea
each. The chapters only narrate and call. CONTRIBUTING.md draws the layers.
"""

__version__ = "0.1.0"
