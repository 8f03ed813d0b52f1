"""The book's step-through animations, in one place.

Each function returns a :class:`~cnnbook.viz.player.StepAnimation`: one frame per
output position, ``anim.result`` equal to the matching :mod:`cnnbook.ops` function.
Show one with :func:`to_html`; for print, use :func:`plot_final_frame` or
:func:`plot_storyboard`.

In a notebook, make and show an animation in the same cell, e.g.
``viz.to_html(viz.animate_conv2d(x, weight, padding=1))``: ``to_html`` closes the
animation's figure, so the notebook does not also show it as a still picture.
"""

from cnnbook.viz.animate1d import animate_conv1d as animate_conv1d
from cnnbook.viz.animate2d import GALLERY as GALLERY
from cnnbook.viz.animate2d import animate_conv2d as animate_conv2d
from cnnbook.viz.animate2d import animate_conv_transpose2d as animate_conv_transpose2d
from cnnbook.viz.animate2d import animate_gallery as animate_gallery
from cnnbook.viz.animate_channels import animate_multichannel as animate_multichannel
from cnnbook.viz.animate_pool import animate_pool2d as animate_pool2d
from cnnbook.viz.player import StepAnimation as StepAnimation
from cnnbook.viz.player import describe as describe
from cnnbook.viz.player import plot_final_frame as plot_final_frame
from cnnbook.viz.player import plot_storyboard as plot_storyboard
from cnnbook.viz.player import to_html as to_html
from cnnbook.viz.player import to_jshtml as to_jshtml
