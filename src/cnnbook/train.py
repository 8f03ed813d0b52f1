"""Training and evaluating the book's networks on in-memory MNIST / Fashion-MNIST.

The whole dataset already sits in one tensor (:mod:`cnnbook.data`), so a mini-batch is
just ``images[indices]`` for a slice of a seeded random permutation: no ``DataLoader``.
:func:`fit` trains with :data:`RECIPE`, the book's recipe (the chapter shows its loop,
:func:`train_epoch`); :func:`evaluate` and :func:`confusion_matrix` say how well a trained
network does. :func:`record_steps` trains with plain SGD or Adam at a constant rate and
keeps the loss of every step, and :func:`relative_gradients` measures how strongly each
layer is pushed, so that networks can be compared step by step.
``python -m cnnbook.train --model lenet5 --dataset mnist`` runs :func:`fit` from a shell
and prints, as its last line, one JSON object with the result.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import os
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from torch import nn
from tqdm.auto import tqdm

from cnnbook import data
from cnnbook._checks import as_label_pair, check_choice, check_int, check_real
from cnnbook.models import MODELS, build


@dataclass(frozen=True)
class Recipe:
    """How the book trains: Adam under a one-cycle learning-rate schedule.

    The rate warms up from ``lr / 25`` to ``lr`` over the first ``warmup`` of the steps,
    then anneals towards zero, so a few epochs at a high peak rate do the work of many
    at Adam's default 1e-3.
    """

    epochs: int = 2
    batch_size: int = 256  # as benchmarks/lenet.py's plain recipe: only the schedule differs
    lr: float = 0.01  # the peak of the one-cycle schedule
    warmup: float = 0.25  # fraction of the steps spent warming up


RECIPE = Recipe()


@dataclass
class History:
    """Per-epoch record of one run; ``train_seconds`` is cumulative and excludes evaluation.

    ``train_loss`` and ``train_accuracy`` are measured on the mini-batches as they were
    trained (free to compute, a little pessimistic since the weights improve during the
    epoch); ``test_loss`` and ``test_accuracy`` on the test split after the epoch.
    """

    train_loss: list[float] = field(default_factory=list)
    train_accuracy: list[float] = field(default_factory=list)
    test_accuracy: list[float] = field(default_factory=list)
    train_seconds: list[float] = field(default_factory=list)
    test_loss: list[float] = field(default_factory=list)

    def records(self) -> list[dict[str, float | int]]:
        """One plain dict per epoch (``epoch`` counts from 1), ready for JSON.

        A column that was not recorded (shorter than ``train_loss``) is left out.
        """
        columns = dataclasses.asdict(self)
        n = len(self.train_loss)
        return [
            {"epoch": i + 1, **{k: v[i] for k, v in columns.items() if len(v) == n}}
            for i in range(n)
        ]


def one_cycle(step: int, total: int, warmup: float = RECIPE.warmup) -> float:
    """The learning-rate factor at ``step`` of ``total``: the peak rate times this.

    A linear warm-up from 1/25 to 1 over the first ``warmup`` fraction of the steps,
    then a cosine decay to 0 (the shape of ``torch.optim.lr_scheduler.OneCycleLR``).
    """
    rise = max(1, round(warmup * total))
    if step < rise:
        return 0.04 + 0.96 * step / rise
    return 0.5 * (1 + math.cos(math.pi * min(1.0, (step - rise) / max(1, total - rise))))


def default_device() -> str:
    """``"cuda"`` when PyTorch sees a GPU, else ``"cpu"``."""
    return "cuda" if torch.cuda.is_available() else "cpu"


def _sync(device: torch.device) -> None:
    if device.type == "cuda":  # GPU work is asynchronous: wait before reading the clock
        torch.cuda.synchronize(device)


@torch.no_grad()
def _score(
    model: nn.Module, split: data.Split, batch_size: int, device: str | None
) -> tuple[float, float, torch.Tensor]:
    """Accuracy, mean cross-entropy and predicted labels of ``model`` on ``split``."""
    device = torch.device(device or next(model.parameters()).device)
    was_training = model.training
    model.eval()
    preds, total = [], 0.0
    for i in range(0, len(split), check_int("batch_size", batch_size, minimum=1)):
        logits = model(split.images[i : i + batch_size].to(device))
        labels = split.labels[i : i + batch_size].to(device)
        total += nn.functional.cross_entropy(logits, labels, reduction="sum").item()
        preds.append(logits.argmax(1))
    model.train(was_training)
    predictions = torch.cat(preds).cpu()
    accuracy = (predictions == split.labels).double().mean().item()
    return accuracy, total / len(split), predictions


def evaluate(
    model: nn.Module, split: data.Split, batch_size: int = 1000, device: str | None = None
) -> tuple[float, torch.Tensor]:
    """Accuracy of ``model`` on ``split`` and its predicted labels (int64, on the CPU)."""
    accuracy, _, predictions = _score(model, split, batch_size, device)
    return accuracy, predictions


def mean_loss(
    model: nn.Module, split: data.Split, batch_size: int = 1000, device: str | None = None
) -> float:
    """The mean cross-entropy of ``model`` on ``split`` (what :func:`fit` records)."""
    return _score(model, split, batch_size, device)[1]


def confusion_matrix(y_true: object, y_pred: object, n_classes: int) -> np.ndarray:
    """Counts ``cm[t, p]`` of examples of true class ``t`` predicted as ``p`` (int64)."""
    n_classes = check_int("n_classes", n_classes, minimum=1)
    t, p = as_label_pair(y_true, y_pred, n_classes)
    # each (t, p) pair is one cell of the flattened n × n matrix
    counts = np.bincount(t * n_classes + p, minlength=n_classes * n_classes)
    return counts.reshape(n_classes, n_classes)


def fit(
    model: nn.Module, train: data.Split, test: data.Split, epochs: int = RECIPE.epochs,
    batch_size: int = RECIPE.batch_size, lr: float = RECIPE.lr, seed: int = 0, *,
    warmup: float = RECIPE.warmup, device: str | None = None, progress: bool = True,
    on_epoch: Callable[[dict[str, float | int]], None] | None = None,
) -> History:
    """Train ``model`` in place with Adam and a one-cycle schedule; evaluate after each epoch.

    Checks the arguments, moves the model and the data to ``device``, sets up the
    optimiser and the schedule, and runs :func:`train_epoch` ``epochs`` times, timing
    each epoch and measuring the test loss and accuracy after it (``on_epoch`` gets the
    record).
    """
    epochs = check_int("epochs", epochs, minimum=1)
    batch_size = check_int("batch_size", batch_size, minimum=1)
    lr, warmup = check_real("lr", lr, positive=True), check_real("warmup", warmup)
    if not 0 <= warmup < 1:
        raise ValueError(f"warmup must be a fraction in [0, 1), got {warmup}")
    device = torch.device(device or default_device())
    torch.manual_seed(check_int("seed", seed, minimum=0))
    order = torch.Generator().manual_seed(seed)  # the shuffling, independent of everything else
    fmt = torch.channels_last  # conv kernels run faster on pixel-major memory
    model.to(device, memory_format=fmt).train()
    images, labels = train.images.to(device, memory_format=fmt), train.labels.to(device)
    steps = math.ceil(len(train) / batch_size)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: one_cycle(step, epochs * steps, warmup))
    history, seconds = History(), 0.0
    for epoch in range(epochs):
        _sync(device)
        start = time.perf_counter()
        batches = torch.randperm(len(train), generator=order).to(device).split(batch_size)
        batches = tqdm(batches, desc=f"epoch {epoch + 1}/{epochs}", disable=not progress)
        loss, accuracy = train_epoch(model, images, labels, batches, optimizer, schedule)
        _sync(device)
        seconds += time.perf_counter() - start  # evaluation below is not training time
        history.train_loss.append(loss)
        history.train_accuracy.append(accuracy)
        test_accuracy, test_loss, _ = _score(model, test, 1000, str(device))
        history.test_accuracy.append(test_accuracy)
        history.test_loss.append(test_loss)
        history.train_seconds.append(seconds)
        if on_epoch is not None:
            on_epoch(history.records()[-1])
    return history


def train_epoch(
    model: nn.Module, images: torch.Tensor, labels: torch.Tensor,
    batches: Iterable[torch.Tensor], optimizer: torch.optim.Optimizer,
    schedule: torch.optim.lr_scheduler.LRScheduler,
) -> tuple[float, float]:
    """One epoch: for every mini-batch of indices, the five steps of
    training. Returns the mean loss and the accuracy on the batches.
    Unchecked: :func:`fit` makes the batches and calls it.
    """
    loss_fn = nn.CrossEntropyLoss()
    total_loss, correct = 0.0, 0
    for idx in batches:
        logits = model(images[idx])            # the forward pass
        loss = loss_fn(logits, labels[idx])    # the loss
        optimizer.zero_grad(set_to_none=True)  # forget the old gradients
        loss.backward()                        # the backward pass
        optimizer.step()                       # one step of Adam
        schedule.step()                        # and of the learning rate
        total_loss += loss.detach() * len(idx)
        correct += (logits.argmax(1) == labels[idx]).sum()
    return float(total_loss) / len(labels), int(correct) / len(labels)


#: The optimisers :func:`record_steps` can use, at a constant rate.
OPTIMIZERS: tuple[str, ...] = ("sgd", "adam")


@dataclass(frozen=True)
class Steps:
    """What :func:`record_steps` measured.

    ``loss[t]`` is the mini-batch loss of step ``t``, computed before that step's update;
    ``weight_change[name]`` is ``‖w_end − w_start‖ / ‖w_start‖`` for every weight tensor
    (parameters named ``*.weight``) over the whole run.
    """

    loss: np.ndarray
    weight_change: dict[str, float]


def record_steps(
    model: nn.Module, split: data.Split, steps: int, *, optimizer: str = "sgd",
    lr: float = 0.1, batch_size: int = 64, seed: int = 0, device: str | None = None,
    progress: bool = False,
) -> Steps:
    """Train ``model`` in place for ``steps`` mini-batches of plain SGD or Adam at rate ``lr``.

    The batches are slices of seeded permutations of ``split`` (a fresh one each pass), the
    same for every model given the same ``seed``, so that runs differ only in the model.
    Unlike :func:`fit` there is no schedule, no momentum and no evaluation: the point is
    the loss of every single step.
    """
    steps = check_int("steps", steps, minimum=1)
    batch_size = check_int("batch_size", batch_size, minimum=1)
    lr = check_real("lr", lr, positive=True)
    check_choice("optimizer", optimizer, OPTIMIZERS)
    if batch_size > len(split):
        raise ValueError(f"batch_size must be at most the {len(split)} images of the split, "
                         f"got {batch_size}")
    device = torch.device(device or default_device())
    model.to(device).train()
    images, labels = split.images.to(device), split.labels.to(device)
    order = torch.Generator().manual_seed(check_int("seed", seed, minimum=0))
    per_pass = len(split) // batch_size
    batches = torch.cat([
        torch.randperm(len(split), generator=order)[: per_pass * batch_size]
        for _ in range(math.ceil(steps / per_pass))
    ]).view(-1, batch_size)[:steps].to(device)
    rule = torch.optim.SGD if optimizer == "sgd" else torch.optim.Adam
    opt = rule(model.parameters(), lr=lr)
    start = {n: p.detach().clone() for n, p in model.named_parameters() if n.endswith("weight")}
    losses = torch.empty(steps)
    for t, idx in enumerate(tqdm(batches, desc=optimizer, disable=not progress)):
        loss = nn.functional.cross_entropy(model(images[idx]), labels[idx])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        losses[t] = loss.detach()
    end = dict(model.named_parameters())
    change = {n: ((end[n].detach() - w).norm() / w.norm()).item() for n, w in start.items()}
    return Steps(losses.numpy().astype(np.float64), change)


def leaves_plateau(loss: object, *, below: float = 2.2, window: int = 10) -> int | None:
    """The first step ``t`` at which the mean loss of steps ``t .. t + window - 1`` is under
    ``below``, or ``None`` if it never is: when a run leaves the plateau at ln 10 ≈ 2.303,
    the loss of guessing among ten classes.
    """
    loss = np.asarray(loss, dtype=float)
    if loss.ndim != 1:
        raise ValueError(f"loss must be 1-D (one value per step), got shape {loss.shape}")
    window = check_int("window", window, minimum=1)
    below = check_real("below", below)
    if len(loss) < window:
        return None
    means = np.convolve(loss, np.ones(window) / window, mode="valid")
    hits = np.flatnonzero(means < below)
    return int(hits[0]) if hits.size else None


def relative_gradients(
    model: nn.Module, images: torch.Tensor, labels: torch.Tensor
) -> dict[str, float]:
    """``‖∂L/∂w‖ / ‖w‖`` for every weight tensor of ``model`` on one batch, keyed by layer.

    ``L`` is the mean cross-entropy of the batch; plain gradient descent at rate ``η``
    would change each layer's weights by ``η`` times this, relative to their size. The
    model's gradients are left zeroed (``None``).
    """
    check_int("images in the batch", len(images), minimum=1)
    model.zero_grad(set_to_none=True)
    nn.functional.cross_entropy(model(images), labels).backward()
    ratios = {
        name.removesuffix(".weight"): (p.grad.norm() / p.norm()).item()
        for name, p in model.named_parameters() if name.endswith("weight")
    }
    model.zero_grad(set_to_none=True)
    return ratios


@dataclass(frozen=True)
class Checkpoint:
    """What :func:`save_checkpoint` stores: weights, the history and how they were made."""

    state_dict: dict[str, torch.Tensor]
    history: History
    recipe: dict[str, float | int | str]


def save_checkpoint(
    path: str | Path, model: nn.Module, history: History,
    recipe: dict[str, float | int | str] | None = None,
) -> Path:
    """Write ``model``'s weights, ``history`` and ``recipe`` to ``path`` atomically.

    The file is written next to its destination and renamed into place with
    :func:`os.replace`, so a crash never leaves a half-written checkpoint behind.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "state_dict": {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()},
        "history": dataclasses.asdict(history),
        "recipe": dict(recipe if recipe is not None else dataclasses.asdict(RECIPE)),
    }
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            torch.save(payload, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def load_checkpoint(path: str | Path, model: nn.Module | None = None) -> Checkpoint:
    """Read a checkpoint (tensors and plain types only: ``weights_only=True``).

    When ``model`` is given its weights are replaced by the stored ones.
    """
    payload = torch.load(Path(path), map_location="cpu", weights_only=True)
    if model is not None:
        model.load_state_dict(payload["state_dict"])
    return Checkpoint(payload["state_dict"], History(**payload["history"]), payload["recipe"])


def subset(split: data.Split, limit: int | None) -> data.Split:
    """The first ``limit`` examples of ``split`` (all of them when ``limit`` is None)."""
    if limit is None:
        return split
    limit = check_int("limit", limit, minimum=1)
    return dataclasses.replace(split, images=split.images[:limit], labels=split.labels[:limit])


def run(
    model: str = "lenet5", dataset: str = "mnist", epochs: int | None = None, seed: int = 0, *,
    device: str | None = None, limit: int | None = None, progress: bool = True,
    on_epoch: Callable[[dict[str, float | int]], None] | None = None,
) -> tuple[nn.Module, History]:
    """Seed, build ``model``, load ``dataset`` and :func:`fit` with :data:`RECIPE`.

    ``epochs`` overrides the recipe's; ``limit`` trains and tests on the first
    ``limit`` images of each split (for quick trials).
    """
    check_choice("model", model, MODELS)
    torch.manual_seed(check_int("seed", seed, minimum=0))  # same seed, same initial weights
    net = build(model)
    train, test = (subset(data.load(dataset, train=t), limit) for t in (True, False))
    history = fit(
        net, train, test, epochs=RECIPE.epochs if epochs is None else epochs,
        batch_size=RECIPE.batch_size, lr=RECIPE.lr, seed=seed, warmup=RECIPE.warmup,
        device=device, progress=progress, on_epoch=on_epoch,
    )
    return net, history


def _int_at_least(minimum: int) -> Callable[[str], int]:
    """An argparse ``type`` that accepts integers >= ``minimum``."""

    def integer(text: str) -> int:  # argparse names it in "invalid integer value"
        value = int(text)
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be an integer >= {minimum}, got {value}")
        return value

    return integer


def main(argv: Sequence[str] | None = None) -> dict[str, object]:
    """The command line: train, print progress, and end stdout with one JSON object."""
    parser = argparse.ArgumentParser(
        prog="python -m cnnbook.train", description="Train one of the book's networks.")
    parser.add_argument("--model", default="lenet5", choices=list(MODELS))
    parser.add_argument("--dataset", default="mnist", choices=list(data.DATASETS))
    parser.add_argument("--epochs", type=_int_at_least(1), default=None,
                        help=f"default: the book's recipe ({RECIPE.epochs})")
    parser.add_argument("--seed", type=_int_at_least(0), default=0)
    parser.add_argument("--device", choices=["cpu", "cuda"], default=None,
                        help="default: cuda when available, else cpu")
    parser.add_argument("--checkpoint", type=Path, default=None, help="save the weights here")
    parser.add_argument("--limit", type=_int_at_least(1), default=None,
                        help="use only the first LIMIT images of each split")
    parser.add_argument("--threads", type=_int_at_least(1), default=None,
                        help="CPU threads for torch (1 is far faster on a busy machine)")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bars")
    args = parser.parse_args(argv)
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    device = args.device or default_device()

    def report(epoch: dict[str, float | int]) -> None:
        print("epoch {epoch}: loss {train_loss:.4f}, train {train_accuracy:.2%}, "
              "test {test_accuracy:.2%}, {train_seconds:.1f} s".format(**epoch), flush=True)

    net, history = run(args.model, args.dataset, args.epochs, args.seed, device=device,
                       limit=args.limit, progress=not args.no_progress, on_epoch=report)
    recipe = {**dataclasses.asdict(RECIPE), "epochs": len(history.train_loss),
              "model": args.model, "dataset": args.dataset, "seed": args.seed}
    if args.checkpoint is not None:
        save_checkpoint(args.checkpoint, net, history, recipe)
    result = {**recipe, "device": device, "threads": torch.get_num_threads(),
              "test_accuracy": history.test_accuracy[-1],
              "train_seconds": history.train_seconds[-1], "history": history.records()}
    print(json.dumps(result), flush=True)
    return result


if __name__ == "__main__":
    main()
