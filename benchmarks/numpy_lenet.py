"""Time one epoch of the NumPy LeNet-5 (cnnbook.layers) against PyTorch's, on the same batches.

Run: ``python benchmarks/numpy_lenet.py [--threads 2] [--batch-size 256] [--seed 0]``
(a minute or two on 2 cores), and add ``--full`` to then train the NumPy LeNet on all
60,000 MNIST training images in float32 and report its test accuracy (several minutes).

* agreement first: on one batch in float64, the NumPy LeNet's loss and gradients must equal
  PyTorch's (to 1e-10, relative), or nothing is timed;
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

import time  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402

from cnnbook import data, layers, optim, train  # noqa: E402
from cnnbook.models import LeNet5  # noqa: E402


def check_agreement(images: np.ndarray, labels: np.ndarray, seed: int) -> float:
    """Before timing anything: the NumPy LeNet's loss and gradients on one batch equal
    PyTorch's in float64 (returns the largest gap, relative to each gradient's largest entry)."""
    torch.manual_seed(seed)
    model = LeNet5.modern().double()
    net = layers.lenet5(dtype="float64")
    net.load_state_dict(model.state_dict())
    x, t = images[:32].astype(np.float64), labels[:32]
    loss_fn = layers.SoftmaxCrossEntropy()
    loss = loss_fn(net(x), t)
    net.backward(loss_fn.backward())
    expected = torch.nn.functional.cross_entropy(model(torch.from_numpy(x)), torch.from_numpy(t))
    expected.backward()
    grads = {k: p.grad.numpy() for k, p in model.named_parameters()}
    gap = max(np.abs(p.grad - grads[k]).max() / np.abs(grads[k]).max()
              for k, p in net.parameters().items())
    if not (gap < 1e-10 and np.isclose(loss, expected.item(), rtol=1e-12)):
        raise SystemExit(f"the NumPy LeNet disagrees with PyTorch (gradient gap {gap:.1e}); "
                         "not timing it")
    return gap


def time_epoch(images: np.ndarray, labels: np.ndarray, batch_size: int,
               seed: int) -> optim.Lockstep:
    """One epoch of Adam steps per library, in lockstep: same batches, same initial weights."""
    torch.manual_seed(seed)
    model = LeNet5.modern()
    net = layers.lenet5()
    net.load_state_dict(model.state_dict())
    model = model.to(memory_format=torch.channels_last)  # as train.fit: faster on a CPU
    order = np.random.default_rng(seed).permutation(len(labels))
    batches = (order[i : i + batch_size] for i in range(0, len(order), batch_size))
    record = optim.lockstep(net, optim.Adam(net.parameters(), lr=1e-3),
                            model, torch.optim.Adam(model.parameters(), lr=1e-3),
                            ((images[b], labels[b]) for b in batches), progress=True)
    ours, theirs = np.mean(record.losses, axis=0)
    print(f"mean loss over the epoch: numpy {ours:.4f}, torch {theirs:.4f}; largest weight "
          f"difference at the end (float32): {record.differences[-1]:.2e}")
    return record


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
    gap = check_agreement(timed.images.numpy(), timed.labels.numpy(), args.seed)
    print(f"agreement with PyTorch on one batch in float64: gradients within {gap:.0e} "
          "(relative)", flush=True)
    print(f"one epoch: {len(timed):,} images in batches of {args.batch_size}, "
          f"{args.threads} thread(s) per library", flush=True)
    seconds = time_epoch(timed.images.numpy(), timed.labels.numpy(), args.batch_size,
                         args.seed).seconds
    ratio = seconds["numpy"] / seconds["torch"]
    print(f"numpy {seconds['numpy']:.1f} s, torch {seconds['torch']:.1f} s: ratio numpy / torch "
          f"{ratio:.2f} (target: at most 4: {ratio <= 4})", flush=True)
    if args.full:
        epochs = train.RECIPE.epochs if args.epochs is None else args.epochs
        full_run(train_split, test_split, epochs, args.seed)


if __name__ == "__main__":
    main(ARGS)
