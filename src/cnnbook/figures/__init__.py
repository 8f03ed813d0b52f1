"""cnnbook.figures: each chapter's one-off figures, one module per chapter.

The rule: a figure that only one chapter draws lives in the module named after that
chapter's notebook, without its number (``chapters/01_convolution_1d.ipynb`` draws with
``cnnbook.figures.convolution_1d``). A figure that a second chapter needs moves to the
drawing kit, :mod:`cnnbook.viz`. Figure modules draw with the kit and take what they draw
from the other modules of the package; nothing imports a figure module but its chapter
and its test (``tests/test_figures_<module>.py``).

A chapter imports its module in one way, ``from cnnbook.figures import convolution_1d as
figures``. This file imports nothing, so adding a chapter's module never touches it.
"""
