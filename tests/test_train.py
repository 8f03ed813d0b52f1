"""cnnbook.train: learning on a small MNIST subset, reproducibility, checkpoints and the CLI."""

import json
import os
import re
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from cnnbook import data, train
from cnnbook.models import LeNet5

N_TRAIN, N_TEST = 2_000, 1_000


@pytest.fixture(scope="module", autouse=True)
def _one_thread():
    """Tiny batches gain nothing from a second thread, and lose much on a busy machine."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def splits():
    try:
        full = data.load("mnist", train=True), data.load("mnist", train=False)
    except data.DataError as exc:
        pytest.skip(f"MNIST is not available: {exc}")
    return train.subset(full[0], N_TRAIN), train.subset(full[1], N_TEST)


def fit_small(splits, seed=0, epochs=2, **kwargs):
    torch.manual_seed(seed)
    model = LeNet5.modern()
    history = train.fit(model, *splits, epochs=epochs, batch_size=64, lr=0.01, seed=seed,
                        device="cpu", progress=False, **kwargs)
    return model, history


@pytest.fixture(scope="module")
def trained(splits):
    return fit_small(splits)


def test_training_learns_far_above_chance(splits, trained):
    model, history = trained
    assert len(history.train_loss) == 2
    assert history.train_loss[1] < history.train_loss[0] < 2.31  # 2.30 = ln 10 is guessing
    assert history.test_accuracy[-1] > 0.8  # chance is 0.1
    assert 0 < history.train_seconds[0] < history.train_seconds[1]
    accuracy, predictions = train.evaluate(model, splits[1])
    assert accuracy == history.test_accuracy[-1]
    assert predictions.dtype == torch.int64 and predictions.shape == (N_TEST,)
    with torch.no_grad():
        direct = model(splits[1].images).argmax(1)
    assert torch.equal(predictions, direct)
    assert accuracy == pytest.approx((direct == splits[1].labels).double().mean().item())


def test_same_seed_same_history_other_seed_differs(splits, trained):
    _, first = trained
    _, again = fit_small(splits, seed=0)
    assert again.train_loss == first.train_loss
    assert again.test_accuracy == first.test_accuracy
    _, other = fit_small(splits, seed=1, epochs=1)
    assert other.train_loss[0] != first.train_loss[0]


def test_history_records_and_on_epoch(splits):
    seen = []
    _, history = fit_small(splits, epochs=1, on_epoch=seen.append)
    records = history.records()
    assert seen == records
    assert records[0]["epoch"] == 1
    assert set(records[0]) == {"epoch", "train_loss", "train_accuracy", "test_accuracy",
                               "train_seconds", "test_loss"}
    assert json.loads(json.dumps(records)) == records


def test_test_loss_is_the_mean_cross_entropy_on_the_test_split(splits, trained):
    model, history = trained
    with torch.no_grad():
        logits = model(splits[1].images)
    # the mean of -log softmax at the true class, written out
    log_probs = logits - torch.logsumexp(logits, dim=1, keepdim=True)
    expected = -log_probs[torch.arange(len(logits)), splits[1].labels].mean().item()
    assert history.test_loss[-1] == pytest.approx(expected, rel=1e-5)
    assert train.mean_loss(model, splits[1], batch_size=300) == pytest.approx(expected, rel=1e-5)
    assert len(history.test_loss) == len(history.test_accuracy) == 2


def test_records_leave_out_columns_that_were_not_recorded():
    history = train.History(train_loss=[1.0], train_accuracy=[0.5], test_accuracy=[0.6],
                            train_seconds=[2.0])  # as benchmarks/lenet.py builds one
    assert history.records() == [{"epoch": 1, "train_loss": 1.0, "train_accuracy": 0.5,
                                  "test_accuracy": 0.6, "train_seconds": 2.0}]


def test_record_steps_keeps_the_loss_of_every_step(splits):
    torch.manual_seed(0)
    model = LeNet5.modern()
    twin = LeNet5.modern()
    twin.load_state_dict(model.state_dict())
    steps = train.record_steps(model, splits[0], 30, optimizer="sgd", lr=0.1, batch_size=64,
                               seed=5, device="cpu")  # 30 of the 31 full batches of one pass
    assert steps.loss.shape == (30,) and steps.loss.dtype == np.float64
    # the same steps by hand: the batches are slices of seeded permutations of the split
    order = torch.Generator().manual_seed(5)
    perm = torch.randperm(len(splits[0]), generator=order)
    opt = torch.optim.SGD(twin.parameters(), lr=0.1)
    start = twin.conv1.weight.detach().clone()
    for t in range(30):
        idx = perm[64 * t: 64 * (t + 1)]
        loss = torch.nn.functional.cross_entropy(twin(splits[0].images[idx]),
                                                 splits[0].labels[idx])
        assert steps.loss[t] == pytest.approx(loss.item(), rel=1e-5, abs=1e-6)
        opt.zero_grad()
        loss.backward()
        opt.step()
    moved = ((twin.conv1.weight - start).norm() / start.norm()).item()
    assert steps.weight_change["conv1.weight"] == pytest.approx(moved, rel=1e-4)
    assert set(steps.weight_change) == {f"{n}.weight" for n in ("conv1", "conv2", "fc1", "fc2",
                                                                "fc3")}
    assert steps.loss[-10:].mean() < steps.loss[:10].mean()  # it learns


def test_record_steps_passes_over_the_split_again_and_uses_adam(splits):
    small = train.subset(splits[0], 128)
    torch.manual_seed(0)
    model = LeNet5.modern()
    twin = LeNet5.modern()
    twin.load_state_dict(model.state_dict())
    steps = train.record_steps(model, small, 5, optimizer="adam", lr=1e-3, batch_size=64,
                               seed=1, device="cpu")
    order = torch.Generator().manual_seed(1)
    perms = [torch.randperm(128, generator=order) for _ in range(3)]
    batches = torch.cat(perms).view(-1, 64)
    opt = torch.optim.Adam(twin.parameters(), lr=1e-3)
    for t in range(5):
        idx = batches[t]
        loss = torch.nn.functional.cross_entropy(twin(small.images[idx]), small.labels[idx])
        assert steps.loss[t] == pytest.approx(loss.item(), rel=1e-5, abs=1e-6)
        opt.zero_grad()
        loss.backward()
        opt.step()


def test_record_steps_rejects_bad_arguments(splits):
    model = LeNet5()
    with pytest.raises(ValueError, match="optimizer must be one of 'sgd', 'adam'; got 'lbfgs'"):
        train.record_steps(model, splits[0], 3, optimizer="lbfgs")
    with pytest.raises(ValueError, match="steps must be an integer >= 1, got 0"):
        train.record_steps(model, splits[0], 0)
    with pytest.raises(ValueError, match="batch_size must be at most the 2000 images"):
        train.record_steps(model, splits[0], 1, batch_size=5000)


def test_relative_gradients_divide_each_layers_gradient_by_its_weights(splits):
    torch.manual_seed(0)
    model = LeNet5.simplified()
    x, y = splits[0].images[:32], splits[0].labels[:32]
    ratios = train.relative_gradients(model, x, y)
    assert list(ratios) == ["conv1", "conv2", "fc1", "fc2", "fc3"]
    weights = [model.conv1.weight, model.fc3.weight]
    grads = torch.autograd.grad(torch.nn.functional.cross_entropy(model(x), y), weights)
    for name, w, g in zip(["conv1", "fc3"], weights, grads, strict=True):
        assert ratios[name] == pytest.approx((g.norm() / w.norm()).item(), rel=1e-5)
    assert all(p.grad is None for p in model.parameters())


def test_leaves_plateau_finds_the_first_window_below_the_level():
    loss = np.array([2.31, 2.30, 2.30, 2.25, 2.0, 1.5, 1.0, 0.5])
    # window means by hand: (2.31+2.30)/2, (2.30+2.30)/2, (2.30+2.25)/2 = 2.275, 2.125, ...
    assert train.leaves_plateau(loss, below=2.2, window=2) == 3
    assert train.leaves_plateau(loss, below=2.2, window=1) == 4
    assert train.leaves_plateau(loss, below=0.1, window=2) is None
    assert train.leaves_plateau(loss[:3], window=10) is None
    with pytest.raises(ValueError, match=r"loss must be 1-D"):
        train.leaves_plateau([[2.3]])
    with pytest.raises(ValueError, match="window must be an integer >= 1"):
        train.leaves_plateau(loss, window=0)


def test_fit_rejects_bad_arguments(splits):
    model = LeNet5()
    with pytest.raises(ValueError, match=r"epochs must be an integer >= 1, got 0"):
        train.fit(model, *splits, epochs=0)
    with pytest.raises(TypeError, match=r"batch_size must be an integer, got 6.4"):
        train.fit(model, *splits, batch_size=6.4)
    with pytest.raises(ValueError, match=r"lr must be > 0, got -0.1"):
        train.fit(model, *splits, lr=-0.1)


def test_checkpoint_round_trip(tmp_path, splits, trained, monkeypatch):
    model, history = trained
    path = tmp_path / "sub" / "lenet.pt"
    calls = []
    real_load = torch.load

    def spy_load(*args, **kwargs):
        calls.append(kwargs.get("weights_only"))
        return real_load(*args, **kwargs)

    monkeypatch.setattr(torch, "load", spy_load)
    assert train.save_checkpoint(path, model, history) == path
    assert [p.name for p in path.parent.iterdir()] == ["lenet.pt"]  # no temporary file left
    fresh = LeNet5.modern()
    ckpt = train.load_checkpoint(path, fresh)
    assert calls == [True]
    assert ckpt.history == history
    assert ckpt.recipe == {"epochs": train.RECIPE.epochs, "batch_size": train.RECIPE.batch_size,
                           "lr": train.RECIPE.lr, "warmup": train.RECIPE.warmup}
    assert torch.equal(train.evaluate(fresh, splits[1])[1], train.evaluate(model, splits[1])[1])


def test_checkpoint_is_written_atomically(tmp_path, trained, monkeypatch):
    model, history = trained
    path = tmp_path / "lenet.pt"
    path.write_bytes(b"old")
    replaced = []
    real_replace = os.replace

    def spy_replace(src, dst):
        replaced.append((Path(src).parent, Path(dst)))
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", spy_replace)
    train.save_checkpoint(path, model, history)
    assert replaced == [(tmp_path, path)]  # written beside the target, then renamed

    def broken_save(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(torch, "save", broken_save)
    with pytest.raises(OSError, match="disk full"):
        train.save_checkpoint(path, model, history)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lenet.pt"]  # old file intact
    assert train.load_checkpoint(path).history == history


def test_default_device_follows_cuda_availability(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert train.default_device() == "cuda"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert train.default_device() == "cpu"


def test_cli_prints_json_last(capsys, tmp_path, splits):
    ckpt = tmp_path / "cli.pt"
    result = train.main(["--model", "lenet5", "--dataset", "mnist", "--epochs", "1",
                         "--seed", "3", "--limit", "500", "--device", "cpu", "--no-progress",
                         "--checkpoint", str(ckpt)])
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith("epoch 1: loss")
    last = json.loads(lines[-1])
    assert last == json.loads(json.dumps(result))
    assert {"test_accuracy", "train_seconds", "history"} <= set(last)
    (epoch,) = last["history"]
    assert {"epoch", "train_seconds", "test_accuracy"} <= set(epoch)
    assert last["test_accuracy"] == last["history"][-1]["test_accuracy"]
    assert last["train_seconds"] == last["history"][-1]["train_seconds"]
    assert last["epochs"] == 1 and last["seed"] == 3 and last["model"] == "lenet5"
    assert last["threads"] == torch.get_num_threads()
    assert train.load_checkpoint(ckpt).recipe["seed"] == 3


@pytest.mark.parametrize(
    ("argv", "message"),
    [(["--model", "vgg"], r"invalid choice: 'vgg' \(choose from '?lenet5'?, '?lenet5-1998'?"),
     (["--dataset", "cifar"], r"invalid choice: 'cifar' \(choose from '?mnist'?, '?fashion-mnist"),
     (["--epochs", "0"], r"--epochs: must be an integer >= 1, got 0"),
     (["--threads", "0"], r"--threads: must be an integer >= 1, got 0"),
     (["--seed", "-1"], r"--seed: must be an integer >= 0, got -1"),
     (["--limit", "ten"], r"--limit: invalid integer value: 'ten'"),
     (["--device", "tpu"], r"invalid choice: 'tpu' \(choose from '?cpu'?, '?cuda'?\)")],
)
def test_cli_bad_arguments(capsys, argv, message):
    with pytest.raises(SystemExit) as exit_info:
        train.main(argv)
    assert exit_info.value.code == 2
    assert re.search(message, capsys.readouterr().err)


@settings(max_examples=40)
@given(total=st.integers(1, 400), warmup=st.floats(0, 0.95))
def test_one_cycle_rises_then_anneals(total, warmup):
    factors = np.array([train.one_cycle(s, total, warmup) for s in range(total + 1)])
    rise = max(1, round(warmup * total))
    assert factors[0] == 0.04 and factors.min() >= 0 and factors.max() <= 1
    assert factors[rise] == 1.0 and np.all(np.diff(factors[: rise + 1]) > 0)
    if rise < total:  # then half a cosine from the peak down to 0 at the last step
        s = np.arange(rise, total + 1)
        np.testing.assert_allclose(
            factors[rise:], 0.5 * (1 + np.cos(np.pi * (s - rise) / (total - rise))), atol=1e-15)


def brute_force_confusion(y_true, y_pred, n):
    cm = np.zeros((n, n), dtype=np.int64)
    for t in range(n):
        for p in range(n):
            cm[t, p] = sum(1 for a, b in zip(y_true, y_pred, strict=True) if a == t and b == p)
    return cm

@settings(max_examples=40)
@given(data=st.data(), n=st.integers(1, 6), length=st.integers(0, 40))
def test_confusion_matrix_equals_brute_force_count(data, n, length):
    labels = hnp.arrays(np.int64, length, elements=st.integers(0, n - 1))
    y_true, y_pred = data.draw(labels), data.draw(labels)
    cm = train.confusion_matrix(y_true, y_pred, n)
    np.testing.assert_array_equal(cm, brute_force_confusion(y_true, y_pred, n))
    assert cm.dtype == np.int64 and cm.sum() == length
    np.testing.assert_array_equal(cm.sum(axis=1), np.bincount(y_true, minlength=n))
    assert np.trace(cm) == np.sum(y_true == y_pred)

def test_confusion_matrix_accepts_tensors_and_lists():
    cm = train.confusion_matrix(torch.tensor([0, 1, 1, 2]), [0, 2, 1, 2], 3)
    np.testing.assert_array_equal(cm, [[1, 0, 0], [0, 1, 1], [0, 0, 1]])

def test_confusion_matrix_rejects_bad_labels():
    with pytest.raises(ValueError, match="same length, got 3 and 2"):
        train.confusion_matrix([0, 1, 1], [0, 1], 2)
    with pytest.raises(ValueError, match=r"y_pred must hold labels in \[0, 2\), found 2"):
        train.confusion_matrix([0, 1], [0, 2], 2)
    with pytest.raises(ValueError, match=r"y_true must hold labels in \[0, 3\), found -1"):
        train.confusion_matrix([-1, 1], [0, 1], 3)
    with pytest.raises(TypeError, match="y_true must hold integer class labels, got dtype float64"):
        train.confusion_matrix([0.0, 1.0], [0, 1], 2)
    with pytest.raises(ValueError, match=r"y_true must be 1-D .* got shape \(1, 2\)"):
        train.confusion_matrix([[0, 1]], [0, 1], 2)
    with pytest.raises(ValueError, match="n_classes must be an integer >= 1, got 0"):
        train.confusion_matrix([0], [0], 0)
