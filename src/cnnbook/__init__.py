"""cnnbook: the code behind the CNN book.

The package computes (``cnnbook.ops``), draws (``cnnbook.viz``), loads the data
(``cnnbook.data``), and trains (``cnnbook.models``, ``cnnbook.train``). The
chapters only narrate and call.
"""

__version__ = "0.1.0"
