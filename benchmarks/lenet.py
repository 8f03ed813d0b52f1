"""Time the book's LeNet-5 recipe against the plain one, side by side, on MNIST.

Run: ``python benchmarks/lenet.py [--seed 0] [--threads 2]`` (a few minutes on 2 cores).

* plain: Adam at its default rate 1e-3, batch 256, a ``DataLoader`` over a
  ``TensorDataset``, 10 epochs (the recipe the LeNet article used);
* book: :data:`cnnbook.train.RECIPE` through :func:`cnnbook.train.fit`.

Both train the modern LeNet-5 from the same initial weights on the same normalised
tensors and are evaluated on the 10,000 test images after every epoch; evaluation
is not counted as training time. For each it prints the training seconds until the
test accuracy first reaches 98.9 % and the final accuracy. Targets: book / plain
time ratio at most 0.25, book final accuracy at least 99.0 %.
"""

from __future__ import annotations

import argparse
import time

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from cnnbook import data, train
from cnnbook.models import LeNet5

TARGET = 0.989


def plain(model: nn.Module, train_split: data.Split, test_split: data.Split,
          seed: int) -> train.History:
    """The plain recipe, with the same bookkeeping as :func:`cnnbook.train.fit`."""
    loader = DataLoader(TensorDataset(train_split.images, train_split.labels), batch_size=256,
                        shuffle=True, generator=torch.Generator().manual_seed(seed))
    optimizer = torch.optim.Adam(model.parameters())
    loss_fn, history, seconds = nn.CrossEntropyLoss(), train.History(), 0.0
    for _ in range(10):
        start, total, correct = time.perf_counter(), 0.0, 0
        model.train()
        for x, y in loader:
            logits = model(x)
            loss = loss_fn(logits, y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(y)
            correct += (logits.argmax(1) == y).sum().item()
        seconds += time.perf_counter() - start
        history.train_loss.append(total / len(train_split))
        history.train_accuracy.append(correct / len(train_split))
        history.test_accuracy.append(train.evaluate(model, test_split)[0])
        history.train_seconds.append(seconds)
        print(f"  plain epoch {len(history.train_loss)}: test {history.test_accuracy[-1]:.2%}, "
              f"{seconds:.1f} s", flush=True)
    return history


def seconds_to(history: train.History, target: float = TARGET) -> float:
    """Training seconds at the end of the first epoch whose test accuracy reaches ``target``."""
    for accuracy, seconds in zip(history.test_accuracy, history.train_seconds, strict=True):
        if accuracy >= target:
            return seconds
    return float("inf")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    train_split, test_split = data.load("mnist", train=True), data.load("mnist", train=False)

    torch.manual_seed(args.seed)
    model = LeNet5.modern()
    initial = {k: v.clone() for k, v in model.state_dict().items()}
    print(f"plain: Adam lr 1e-3, batch 256, DataLoader, 10 epochs "
          f"(torch threads {torch.get_num_threads()})", flush=True)
    histories = {"plain": plain(model, train_split, test_split, args.seed)}

    model = LeNet5.modern()
    model.load_state_dict(initial)
    print(f"book: {train.RECIPE}", flush=True)
    histories["book"] = train.fit(
        model, train_split, test_split, seed=args.seed, device="cpu", progress=False,
        on_epoch=lambda e: print(f"  book epoch {e['epoch']}: test {e['test_accuracy']:.2%}, "
                                 f"{e['train_seconds']:.1f} s", flush=True))

    times = {name: seconds_to(h) for name, h in histories.items()}
    for name, h in histories.items():
        print(f"{name:>5}: {times[name]:7.1f} s to {TARGET:.1%}, final test accuracy "
              f"{h.test_accuracy[-1]:.2%} after {len(h.train_loss)} epochs "
              f"({h.train_seconds[-1]:.1f} s)")
    baseline = times["plain"]
    if baseline == float("inf"):  # never reached: its whole run is a lower bound on its time
        baseline = histories["plain"].train_seconds[-1]
        print(f"plain never reached {TARGET:.1%}: the ratio below is an upper bound")
    print(f"ratio book / plain time to {TARGET:.1%}: {times['book'] / baseline:.3f} "
          f"(target: at most 0.25; book final >= 99.0 %: "
          f"{histories['book'].test_accuracy[-1] >= 0.99})")


if __name__ == "__main__":
    main()
