"""Chapter 6's figures draw what they are given: architecture, activations, training runs."""

import dataclasses

import numpy as np
import pytest
import torch

from cnnbook import train
from cnnbook.activations import activation, activation_derivative
from cnnbook.figures.lenet import (
    history_columns,
    plot_activations,
    plot_architecture,
    plot_confusion_matrix,
    plot_history,
    plot_misclassified,
    plot_step_losses,
)
from cnnbook.models import CourseNet, LeNet5


def test_plot_activations_rejects_bad_arguments():
    with pytest.raises(ValueError, match=r"names\[1\] must be one of"):
        plot_activations(["relu", "swish"])
    with pytest.raises(ValueError, match="names must be a non-empty sequence"):
        plot_activations("relu")
    with pytest.raises(ValueError, match="limit must be > 0"):
        plot_activations(limit=0)
    with pytest.raises(ValueError, match="saturation must be below limit = 6.0, got 7.0"):
        plot_activations(saturation=7.0)
    with pytest.raises(ValueError, match="points must be an integer >= 2"):
        plot_activations(points=1)


def test_plot_draws_each_function_with_its_slope():
    fig = plot_activations(("sigmoid", "relu"), limit=4.0, points=81, saturation=3.0)
    assert len(fig.axes) == 2
    x = np.linspace(-4, 4, 81)
    for ax, name in zip(fig.axes, ("sigmoid", "relu"), strict=True):
        curves = {line.get_label(): line for line in ax.get_lines()}
        np.testing.assert_allclose(curves["function"].get_ydata(), activation(name, x))
        np.testing.assert_allclose(curves["derivative"].get_ydata(), activation_derivative(name, x))
        np.testing.assert_allclose(curves["function"].get_xdata(), x)
        assert len(ax.patches) == 2  # the two shaded tails
    assert fig.axes[0].get_legend() is not None


def test_plot_without_saturation_shades_nothing():
    fig = plot_activations()
    assert [len(ax.patches) for ax in fig.axes] == [0, 0, 0]


def test_plot_writes_every_shape_and_one_box_per_map():
    fig = plot_architecture(LeNet5.modern(), (1, 28, 28), title="LeNet-5", max_maps=4)
    ax = fig.axes[0]
    texts = [t.get_text() for t in ax.texts]
    for shape in ("1 × 28 × 28", "6 × 28 × 28", "6 × 14 × 14", "16 × 10 × 10", "16 × 5 × 5",
                  "120", "84", "10"):
        assert shape in texts
    assert "flatten\n400" in texts
    boxes = [p for p in ax.patches if type(p).__name__ == "Rectangle"]
    assert len(boxes) == 1 + 4 * 4 + 3  # input, four stacks capped at 4 maps, three bars
    assert ax.get_title() == "LeNet-5"


def test_plot_architecture_rejects_bad_max_maps():
    with pytest.raises(ValueError, match="max_maps must be an integer >= 1, got 0"):
        plot_architecture(CourseNet(), (1, 28, 28), max_maps=0)


def records(n: int, seed: int = 0) -> list[dict]:
    rng = np.random.default_rng(seed)
    return [
        {
            "epoch": i + 1,
            "train_loss": float(rng.random()),
            "train_accuracy": float(rng.random()),
            "test_accuracy": float(rng.random()),
            "train_seconds": float(i),
        }
        for i in range(n)
    ]


@dataclasses.dataclass
class Epoch:
    epoch: int
    train_loss: float
    train_accuracy: float
    test_accuracy: float
    train_seconds: float


@dataclasses.dataclass
class Run:
    epochs: list


@dataclasses.dataclass
class Columns:  # the shape of cnnbook.train.History
    train_loss: list
    train_accuracy: list
    test_accuracy: list
    train_seconds: list

    def records(self):
        return [
            {"epoch": i + 1, **{k: v[i] for k, v in dataclasses.asdict(self).items()}}
            for i in range(len(self.train_loss))
        ]


def all_shapes(recs: list[dict]) -> list:
    cols = {k: [r[k] for r in recs] for k in recs[0] if k != "epoch"}
    return [
        recs,
        Run([Epoch(**r) for r in recs]),
        Run(recs),
        Columns(**cols),
        cols,
        [Epoch(**r) for r in recs],
    ]


def test_every_history_shape_gives_the_same_columns():
    recs = records(4)
    expected = {k: np.array([r[k] for r in recs], dtype=float) for k in recs[0]}
    for shape in all_shapes(recs):
        cols = history_columns(shape)
        for key in ("epoch", "train_loss", "train_accuracy", "test_accuracy"):
            np.testing.assert_array_equal(cols[key], expected[key])


def test_plot_history_draws_each_run_as_given():
    runs = {
        "modern LeNet": records(5, 1),
        "simplified LeNet": Run([Epoch(**r) for r in records(3, 2)]),
    }
    fig = plot_history(runs, title="LeNet")
    ax_loss, ax_acc = fig.axes
    assert len(ax_loss.lines) == 2 and len(ax_acc.lines) == 4
    for i, recs in enumerate([records(5, 1), records(3, 2)]):
        epochs = [r["epoch"] for r in recs]
        loss, train, test = ax_loss.lines[i], ax_acc.lines[2 * i], ax_acc.lines[2 * i + 1]
        np.testing.assert_array_equal(loss.get_xdata(), epochs)
        np.testing.assert_array_equal(loss.get_ydata(), [r["train_loss"] for r in recs])
        np.testing.assert_array_equal(train.get_ydata(), [r["train_accuracy"] for r in recs])
        np.testing.assert_array_equal(test.get_ydata(), [r["test_accuracy"] for r in recs])
        assert train.get_linestyle() == "--" and test.get_linestyle() == "-"
        assert loss.get_color() == train.get_color() == test.get_color()
    assert ax_loss.lines[0].get_color() != ax_loss.lines[1].get_color()
    assert [t.get_text() for t in fig.legends[0].get_texts()] == list(runs)
    assert [t.get_text() for t in ax_acc.get_legend().get_texts()] == ["train", "test"]
    assert ax_loss.get_legend() is None  # no test loss recorded: no train/test key on it
    assert fig.get_suptitle() == "LeNet"


def test_plot_history_draws_the_test_loss_when_recorded():
    recs = records(3, 4)
    for i, r in enumerate(recs):
        r["test_loss"] = 0.1 * (i + 1)
    history = train.History(**{k: [r[k] for r in recs] for k in recs[0] if k != "epoch"})
    fig = plot_history(history)
    ax_loss = fig.axes[0]
    train_line, test_line = ax_loss.lines
    np.testing.assert_array_equal(train_line.get_ydata(), [r["train_loss"] for r in recs])
    np.testing.assert_allclose(test_line.get_ydata(), [0.1, 0.2, 0.3])
    assert train_line.get_linestyle() == "--" and test_line.get_linestyle() == "-"
    assert [t.get_text() for t in ax_loss.get_legend().get_texts()] == ["train", "test"]
    assert "test_loss" in history_columns(history)
    partial = records(2)
    partial[0]["test_loss"] = 1.0  # not every epoch has it: left out
    assert "test_loss" not in history_columns(partial)


def test_plot_history_single_run_without_epoch_numbers():
    recs = [{k: v for k, v in r.items() if k != "epoch"} for r in records(3)]
    fig = plot_history(recs)
    np.testing.assert_array_equal(fig.axes[0].lines[0].get_xdata(), [1, 2, 3])
    assert fig.axes[0].get_legend() is None and not fig.legends  # one run: no run legend


def test_plot_history_rejects_bad_histories():
    with pytest.raises(ValueError, match=r"histories\['a'\] is empty"):
        plot_history({"a": []})
    with pytest.raises(ValueError, match="histories is empty"):
        plot_history(Run([]))
    with pytest.raises(ValueError, match="got an empty dict"):
        plot_history({})
    bad = records(2)
    del bad[1]["test_accuracy"]
    with pytest.raises(ValueError, match=r"histories\['b'\]: epoch 1 has no 'test_accuracy'"):
        plot_history({"b": bad})
    with pytest.raises(TypeError, match="histories must be a list of per-epoch dicts"):
        plot_history(3.0)
    with pytest.raises(ValueError, match="columns have different lengths"):
        plot_history({"train_loss": [1, 2], "train_accuracy": [1], "test_accuracy": [1]})


def test_plot_confusion_matrix_writes_every_count():
    rng = np.random.default_rng(3)
    y_true, y_pred = rng.integers(0, 4, 200), rng.integers(0, 4, 200)
    cm = train.confusion_matrix(y_true, y_pred, 4)
    fig = plot_confusion_matrix(cm, ["a", "b", "c", "d"], title="cm")
    (ax,) = fig.axes
    written = {
        (round(t.get_position()[1]), round(t.get_position()[0])): t.get_text() for t in ax.texts
    }
    assert written == {(i, j): str(cm[i, j]) for i in range(4) for j in range(4)}
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b", "c", "d"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a", "b", "c", "d"]
    # colour is each cell's share of its true class
    np.testing.assert_allclose(ax.images[0].get_array(), cm / cm.sum(axis=1, keepdims=True))
    assert ax.get_title() == "cm"


def test_plot_confusion_matrix_rejects_bad_input():
    with pytest.raises(ValueError, match=r"cm must be a square n × n matrix, got shape \(2, 3\)"):
        plot_confusion_matrix(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="classes must name all 2 classes, got 3"):
        plot_confusion_matrix(np.eye(2), ["a", "b", "c"])
    with pytest.raises(ValueError, match="cm must not hold negative counts"):
        plot_confusion_matrix(-np.eye(2))
    fig = plot_confusion_matrix(np.zeros((2, 2), dtype=int))  # empty rows still draw
    assert sorted(t.get_text() for t in fig.axes[0].texts) == ["0"] * 4


def test_plot_misclassified_shows_the_wrong_ones_in_order():
    images = torch.rand(10, 1, 6, 6)
    y_true = torch.tensor([0, 1, 2, 0, 1, 2, 0, 1, 2, 0])
    y_pred = torch.tensor([0, 2, 2, 1, 1, 0, 0, 1, 2, 2])
    fig = plot_misclassified(images, y_true, y_pred, ("cat", "dog", "ant"), max_images=3)
    wrong = [1, 3, 5]  # the first three of four mistakes
    assert len(fig.axes) == 3
    for ax, i in zip(fig.axes, wrong, strict=True):
        names = ("cat", "dog", "ant")
        title = ax.get_title()
        assert names[y_true[i]] in title and names[y_pred[i]] in title
        assert title.index(names[y_true[i]]) < title.index(names[y_pred[i]])
        np.testing.assert_array_equal(ax.images[0].get_array(), images[i, 0].numpy())
    assert fig.get_suptitle() == "3 of 4 misclassified (true → predicted)"


def test_plot_misclassified_without_mistakes_and_bad_input():
    images = np.zeros((3, 4, 4))
    fig = plot_misclassified(images, [0, 1, 2], [0, 1, 2])
    assert "no misclassified images" in [t.get_text() for t in fig.axes[0].texts]
    fig = plot_misclassified(images, [0, 1, 2], [1, 1, 0])
    assert [ax.get_title() for ax in fig.axes] == ["0 → 1", "2 → 0"]
    with pytest.raises(ValueError, match="3 images, 2 labels in y_true"):
        plot_misclassified(images, [0, 1], [0, 1])
    with pytest.raises(ValueError, match=r"y_pred must hold labels in \[0, 2\), found 2"):
        plot_misclassified(images, [0, 1, 1], [0, 1, 2], classes=["a", "b"])
    with pytest.raises(ValueError, match="max_images must be an integer >= 1"):
        plot_misclassified(images, [0, 1, 2], [0, 1, 2], max_images=0)


def test_plot_step_losses_draws_every_step_with_shared_styles():
    grid = {"sigmoid, avg": [2.3, 2.3, 2.3], "sigmoid, max": [2.3, 2.2, 2.1],
            "relu, avg": [2.3, 1.0, 0.5], "relu, max": [2.3, 0.9, 0.4]}
    other = {k: np.asarray(v) * 0.9 for k, v in grid.items()}
    fig = plot_step_losses({"SGD": grid, "Adam": other}, reference=np.log(10))
    left, right = fig.axes
    assert [ax.get_title() for ax in (left, right)] == ["SGD", "Adam"]
    for ax, runs in ((left, grid), (right, other)):
        curves = [line for line in ax.lines if line.get_label() in runs]
        assert [c.get_label() for c in curves] == list(runs)
        for c in curves:
            np.testing.assert_allclose(c.get_ydata(), runs[c.get_label()])
            np.testing.assert_array_equal(c.get_xdata(), [0, 1, 2])
        ref = [line for line in ax.lines if line.get_label() not in runs]
        assert len(ref) == 1 and ref[0].get_ydata()[0] == pytest.approx(np.log(10))
    by_label = {line.get_label(): line for line in left.lines}
    # colour from the activation, line style from the pooling
    assert by_label["sigmoid, avg"].get_color() == by_label["sigmoid, max"].get_color()
    assert by_label["sigmoid, avg"].get_color() != by_label["relu, avg"].get_color()
    assert by_label["relu, avg"].get_linestyle() == by_label["sigmoid, avg"].get_linestyle()
    assert by_label["relu, max"].get_linestyle() != by_label["relu, avg"].get_linestyle()
    right_by_label = {line.get_label(): line for line in right.lines}
    assert right_by_label["relu, max"].get_color() == by_label["relu, max"].get_color()
    assert [t.get_text() for t in fig.legends[0].get_texts()] == list(grid)


def test_plot_step_losses_rejects_bad_runs():
    with pytest.raises(TypeError, match="panels must map a title"):
        plot_step_losses({})
    with pytest.raises(TypeError, match=r"panels\['a'\] must map a run label"):
        plot_step_losses({"a": [1.0, 2.0]})
    with pytest.raises(ValueError, match=r"panels\['a'\]\['x'\] must be a non-empty 1-D array"):
        plot_step_losses({"a": {"x": [[1.0]]}})
    with pytest.raises(ValueError, match="finite"):
        plot_step_losses({"a": {"x": [1.0, np.nan]}})
