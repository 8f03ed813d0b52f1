"""Time cnnbook.ops.conv2d against PyTorch, and the loop version against the vectorised one.

Run: ``python benchmarks/ops.py [--threads 2]``. The problem is one layer of a small
CNN on a batch: float32, 64 images, 16 -> 32 channels, 32x32 pixels, 3x3 kernel,
padding 1. The loop version is far too slow for the whole batch, so it is timed on
a slice (1 image, 2 output channels) and its time scaled up by the ratio of
multiply-adds, which is exact for a loop that does one multiply-add per step.
"""

from __future__ import annotations

import argparse
import os

THREADS = "2"
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, THREADS)  # before NumPy loads its BLAS

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from cnnbook.ops import conv2d, conv2d_loop  # noqa: E402
from cnnbook.timing import time_call  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=int(os.environ["OMP_NUM_THREADS"]),
                        help="torch threads (NumPy's BLAS threads come from OMP_NUM_THREADS)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 16, 32, 32), dtype=np.float32)
    w = rng.standard_normal((32, 16, 3, 3), dtype=np.float32)
    b = rng.standard_normal(32, dtype=np.float32)
    xt, wt, bt = torch.from_numpy(x), torch.from_numpy(w), torch.from_numpy(b)

    expected = F.conv2d(xt, wt, bt, padding=1).numpy()
    np.testing.assert_allclose(conv2d(x, w, b, padding=1), expected, rtol=1e-4, atol=1e-4)
    x_slice, w_slice, b_slice = x[:1], w[:2], b[:2]
    np.testing.assert_allclose(conv2d_loop(x_slice, w_slice, b_slice, padding=1),
                               expected[:1, :2], rtol=1e-4, atol=1e-4)

    t_torch = time_call(F.conv2d, xt, wt, bt, padding=1, repeat=7, min_time=0.2)
    t_numpy = time_call(conv2d, x, w, b, padding=1, repeat=7, min_time=0.2)
    t_slice = time_call(conv2d_loop, x_slice, w_slice, b_slice, padding=1, repeat=3)
    scale = (x.shape[0] * w.shape[0]) / (x_slice.shape[0] * w_slice.shape[0])
    t_loop = t_slice * scale

    print(f"conv2d, float32, x {tuple(x.shape)}, weight {tuple(w.shape)}, padding 1; "
          f"torch threads {torch.get_num_threads()}, OMP_NUM_THREADS "
          f"{os.environ['OMP_NUM_THREADS']}")
    print(f"  torch.nn.functional.conv2d  {t_torch * 1e3:10.2f} ms")
    print(f"  cnnbook.ops.conv2d          {t_numpy * 1e3:10.2f} ms")
    print(f"  cnnbook.ops.conv2d_loop     {t_loop * 1e3:10.0f} ms  (measured "
          f"{t_slice * 1e3:.0f} ms on 1 image x 2 output channels, scaled x{scale:.0f})")
    print(f"ratio conv2d / torch:          {t_numpy / t_torch:8.2f}  (target: at most 2)")
    print(f"ratio conv2d_loop / conv2d:    {t_loop / t_numpy:8.0f}")


if __name__ == "__main__":
    main()
