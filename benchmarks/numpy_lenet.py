"""Time one epoch of the NumPy LeNet-5 (cnnbook.layers) against PyTorch's, on the same batches.

Run: ``python benchmarks/numpy_lenet.py [--threads 2] [--batch-size 256] [--seed 0]``
(about a minute on 2 cores), and add ``--full`` to then train the NumPy LeNet on all
60,000 MNIST training images in float32 and report its test accuracy (several minutes).

* speed: the modern LeNet-5 of :mod:`cnnbook.models` and :func:`cnnbook.layers.lenet5`
  start from the same weights and take one epoch of Adam steps (learning rate 1e-3) on
  the same shuffled mini-batches, step by step in turn, so that both meet the same load
  on a shared machine. Each step (forward, loss, backward, update) is timed on its own;
  the script prints both totals and their ratio. Target: NumPy at most 4x PyTorch.
* ``--full``: :data:`cnnbook.train.RECIPE` (Adam under the one-cycle schedule) for
  ``--epochs`` epochs with :func:`cnnbook.optim.fit`, then the accuracy on the 10,000
  test images. Target: at least 98.5 %.

Both libraries get ``--threads`` threads: torch through ``torch.set_num_threads`` and
NumPy's BLAS through ``OPENBLAS_NUM_THREADS``/``OMP_NUM_THREADS``, which must be set before
NumPy loads, hence the few lines above the imports.
"""

from __future__ import annotations

import argparse
import os


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2, help="threads for each library")
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--limit", type=int, default=None,
                        help="time only the first LIMIT training images (a quick trial)")
    parser.add_argument("--full", action="store_true",
                        help="then train the NumPy LeNet on the full training set")
    parser.add_argument("--epochs", type=int, default=None,
                        help="epochs of the full run (default: the book's recipe)")
    args = parser.parse_args()
    if args.threads < 1 or args.batch_size < 1 or (args.limit is not None and args.limit < 1):
        parser.error("--threads, --batch-size and --limit must be positive integers")
    return args


ARGS = _arguments() if __name__ == "__main__" else None
if ARGS is not None:  # before NumPy is imported: its BLAS reads these once, when it loads
    for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[variable] = str(ARGS.threads)

import math  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402
from tqdm.auto import tqdm  # noqa: E402

from cnnbook import data, layers, optim, train  # noqa: E402
from cnnbook.models import LeNet5  # noqa: E402


def time_epoch(images: torch.Tensor, labels: torch.Tensor, batch_size: int,
               seed: int) -> dict[str, float]:
    """Seconds of one epoch of Adam steps, per library, on the same batches and weights."""
    torch.manual_seed(seed)
    model = LeNet5.modern()
    net = layers.lenet5()
    net.load_state_dict(model.state_dict())
    fmt = torch.channels_last  # as cnnbook.train.fit: PyTorch's faster layout on a CPU
    model = model.to(memory_format=fmt)
    torch_opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    numpy_opt = optim.Adam(net.parameters(), lr=1e-3)
    loss_fn, torch_loss = layers.SoftmaxCrossEntropy(), nn.CrossEntropyLoss()
    x_np, y_np = images.numpy(), labels.numpy()
    x_torch = images.contiguous(memory_format=fmt)
    order = np.random.default_rng(seed).permutation(len(labels))
    seconds = {"numpy": 0.0, "torch": 0.0}
    losses = {"numpy": 0.0, "torch": 0.0}
    steps = math.ceil(len(labels) / batch_size)
    for i in tqdm(range(steps), desc="one epoch, both libraries"):
        batch = order[i * batch_size : (i + 1) * batch_size]
        start = time.perf_counter()
        loss = loss_fn(net(x_np[batch]), y_np[batch])
        numpy_opt.zero_grad()
        net.backward(loss_fn.backward())
        numpy_opt.step()
        seconds["numpy"] += time.perf_counter() - start
        losses["numpy"] += loss / steps

        index = torch.from_numpy(batch)
        start = time.perf_counter()
        t_loss = torch_loss(model(x_torch[index]), labels[index])
        torch_opt.zero_grad()
        t_loss.backward()
        torch_opt.step()
        seconds["torch"] += time.perf_counter() - start
        losses["torch"] += t_loss.item() / steps
    weights = {k: v.detach().numpy() for k, v in model.state_dict().items()}
    drift = max(np.abs(p.data - weights[k]).max() for k, p in net.parameters().items())
    print(f"mean loss over the epoch: numpy {losses['numpy']:.4f}, torch {losses['torch']:.4f}; "
          f"largest weight difference at the end (float32): {drift:.2e}")
    return seconds


def full_run(train_split: data.Split, test_split: data.Split, epochs: int, seed: int) -> None:
    """Train the NumPy LeNet with the book's recipe on the whole training set; print the result."""
    net = layers.lenet5(seed=seed)
    optimizer = optim.Adam(net.parameters(), lr=train.RECIPE.lr)
    start = time.perf_counter()
    losses = optim.fit(net, optimizer, train_split.images.numpy(), train_split.labels.numpy(),
                       epochs=epochs, batch_size=train.RECIPE.batch_size, seed=seed,
                       schedule=train.one_cycle)
    seconds = time.perf_counter() - start
    predictions = net.predict(test_split.images.numpy())
    accuracy = float((predictions == test_split.labels.numpy()).mean())
    print(f"full run: {epochs} epochs on {len(train_split):,} images in float32, "
          f"{seconds:.1f} s of training, last loss {losses[-1]:.4f}, "
          f"test accuracy {accuracy:.2%} (target: at least 98.5 %: {accuracy >= 0.985})")


def main(args: argparse.Namespace) -> None:
    torch.set_num_threads(args.threads)
    train_split, test_split = data.load("mnist", train=True), data.load("mnist", train=False)
    timed = train.subset(train_split, args.limit)
    print(f"one epoch: {len(timed):,} images in batches of {args.batch_size}, "
          f"{args.threads} thread(s) per library", flush=True)
    seconds = time_epoch(timed.images, timed.labels, args.batch_size, args.seed)
    ratio = seconds["numpy"] / seconds["torch"]
    print(f"numpy {seconds['numpy']:.1f} s, torch {seconds['torch']:.1f} s: ratio numpy / torch "
          f"{ratio:.2f} (target: at most 4: {ratio <= 4})", flush=True)
    if args.full:
        epochs = train.RECIPE.epochs if args.epochs is None else args.epochs
        full_run(train_split, test_split, epochs, args.seed)


if __name__ == "__main__":
    main(ARGS)
