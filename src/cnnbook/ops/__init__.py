"""Convolution from scratch: every operation of the book in NumPy.

Each core operation comes twice: a vectorised ``name`` (sliding windows or im2col
and one matrix product, the way libraries do it) and a ``name_loop`` twin that
reads like the formula. All follow PyTorch's shapes and semantics. A function a
chapter shows is split in two: the public, checked wrapper (validation, batch axis,
padding, dtype) and ``name_formula``, the formula alone in the book's symbols, which
does no checking.

Empty arrays are refused, with one exception that PyTorch makes too: a batch of no
examples (``N = 0``). Every operation with a batch axis (the layers, pooling, padding,
im2col/col2im, the backward passes) returns an empty batch of the right shape for it
(see :mod:`cnnbook.ops._batch`); an empty channel or spatial axis is refused.
"""

from cnnbook.ops.arithmetic import LayerField as LayerField
from cnnbook.ops.arithmetic import ReceptiveField as ReceptiveField
from cnnbook.ops.arithmetic import conv_output_size as conv_output_size
from cnnbook.ops.arithmetic import conv_parameters as conv_parameters
from cnnbook.ops.arithmetic import conv_transpose_output_size as conv_transpose_output_size
from cnnbook.ops.arithmetic import count_parameters as count_parameters
from cnnbook.ops.arithmetic import effective_kernel_size as effective_kernel_size
from cnnbook.ops.arithmetic import linear_parameters as linear_parameters
from cnnbook.ops.arithmetic import pool_output_size as pool_output_size
from cnnbook.ops.arithmetic import receptive_field as receptive_field
from cnnbook.ops.arithmetic import same_padding as same_padding
from cnnbook.ops.conv import conv1d as conv1d
from cnnbook.ops.conv import conv1d_loop as conv1d_loop
from cnnbook.ops.conv import conv2d as conv2d
from cnnbook.ops.conv import conv2d_formula as conv2d_formula
from cnnbook.ops.conv import conv2d_loop as conv2d_loop
from cnnbook.ops.correlate import MODES as MODES
from cnnbook.ops.correlate import convolve1d as convolve1d
from cnnbook.ops.correlate import convolve1d_formula as convolve1d_formula
from cnnbook.ops.correlate import convolve1d_loop as convolve1d_loop
from cnnbook.ops.correlate import convolve2d as convolve2d
from cnnbook.ops.correlate import convolve2d_loop as convolve2d_loop
from cnnbook.ops.correlate import correlate1d as correlate1d
from cnnbook.ops.correlate import correlate1d_formula as correlate1d_formula
from cnnbook.ops.correlate import correlate1d_loop as correlate1d_loop
from cnnbook.ops.correlate import correlate2d as correlate2d
from cnnbook.ops.correlate import correlate2d_formula as correlate2d_formula
from cnnbook.ops.correlate import correlate2d_loop as correlate2d_loop
from cnnbook.ops.correlate import flip as flip
from cnnbook.ops.correlate import mode_window as mode_window
from cnnbook.ops.fft import fft_convolve1d as fft_convolve1d
from cnnbook.ops.fft import fft_convolve1d_formula as fft_convolve1d_formula
from cnnbook.ops.fft import fft_convolve2d as fft_convolve2d
from cnnbook.ops.fft import fft_length as fft_length
from cnnbook.ops.padding import PAD_MODES as PAD_MODES
from cnnbook.ops.padding import pad1d as pad1d
from cnnbook.ops.padding import pad2d as pad2d
from cnnbook.ops.windows import col2im as col2im
from cnnbook.ops.windows import im2col as im2col
from cnnbook.ops.windows import sliding_windows1d as sliding_windows1d
from cnnbook.ops.windows import sliding_windows2d as sliding_windows2d

# isort: split
# pooling, backward passes and transposed convolution
from cnnbook.ops.backward import avg_pool2d_backward as avg_pool2d_backward
from cnnbook.ops.backward import conv2d_backward as conv2d_backward
from cnnbook.ops.backward import conv2d_backward_loop as conv2d_backward_loop
from cnnbook.ops.backward import conv2d_bias_grad as conv2d_bias_grad
from cnnbook.ops.backward import conv2d_input_grad as conv2d_input_grad
from cnnbook.ops.backward import conv2d_weight_grad as conv2d_weight_grad
from cnnbook.ops.backward import correlate2d_input_grad as correlate2d_input_grad
from cnnbook.ops.backward import (
    correlate2d_input_grad_formula as correlate2d_input_grad_formula,
)
from cnnbook.ops.backward import max_pool2d_backward as max_pool2d_backward
from cnnbook.ops.pooling import POOL_MODES as POOL_MODES
from cnnbook.ops.pooling import avg_pool1d as avg_pool1d
from cnnbook.ops.pooling import avg_pool2d as avg_pool2d
from cnnbook.ops.pooling import global_avg_pool2d as global_avg_pool2d
from cnnbook.ops.pooling import max_pool1d as max_pool1d
from cnnbook.ops.pooling import max_pool2d as max_pool2d
from cnnbook.ops.pooling import min_pool1d as min_pool1d
from cnnbook.ops.pooling import min_pool2d as min_pool2d
from cnnbook.ops.pooling import pool2d as pool2d
from cnnbook.ops.pooling import pool2d_formula as pool2d_formula
from cnnbook.ops.pooling import pool2d_loop as pool2d_loop
from cnnbook.ops.pooling import sum_pool1d as sum_pool1d
from cnnbook.ops.pooling import sum_pool2d as sum_pool2d
from cnnbook.ops.transposed import conv_transpose2d as conv_transpose2d
from cnnbook.ops.transposed import conv_transpose2d_loop as conv_transpose2d_loop
