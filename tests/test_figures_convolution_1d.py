"""Chapter 1's figures draw exactly the arrays they are given (or compute with ops)."""

import numpy as np
import pytest
from matplotlib.figure import Figure

from cnnbook import ops
from cnnbook.figures import convolution_1d as figures
from cnnbook.viz.signals import output_positions


def _stems(ax, index=0):
    """(positions, values) of the index-th stem plot on ``ax``."""
    container = [c for c in ax.containers if hasattr(c, "markerline")][index]
    return container.markerline.get_xdata(), container.markerline.get_ydata()


@pytest.mark.parametrize("mode", ["valid", "same", "full"])
@pytest.mark.parametrize("flip", [True, False])
def test_plot_convolution1d_draws_the_ops_result(mode, flip):
    x, k = np.array([0, 1, 2, 3, 2, 1, 0, 1.0]), np.array([1, 2, -1.0])
    fig = figures.plot_convolution1d(x, k, mode=mode, flip=flip)
    ref = np.convolve(x, k, mode) if flip else np.correlate(x, k, mode)
    np.testing.assert_array_equal(fig.result, ref)
    mine = ops.convolve1d(x, k, mode) if flip else ops.correlate1d(x, k, mode)
    np.testing.assert_array_equal(fig.result, mine)
    signal, kernel, output = fig.axes
    np.testing.assert_array_equal(_stems(signal)[1], x)
    np.testing.assert_array_equal(_stems(kernel)[1], k)
    pos, val = _stems(output)
    np.testing.assert_array_equal(val, ref)
    np.testing.assert_array_equal(pos, output_positions(ref.size, k.size, mode))
    if flip:  # the flipped kernel is drawn next to the kernel
        np.testing.assert_array_equal(_stems(kernel, 1)[1], k[::-1])
    else:
        assert len(kernel.containers) == 1


def test_plot_convolution1d_labels_each_output_with_its_index():
    x, w = np.array([2.0, 1.0, 0.0, 3.0, 1.0]), np.array([1.0, 2.0, 3.0])
    fig = figures.plot_convolution1d(x, w)
    output = fig.axes[2]
    labels = [(t.get_text(), t.xy) for t in output.texts]
    assert [int(text) for text, _ in labels] == list(range(7))
    y = np.convolve(x, w)
    # y[5] = x[3] w[2] + x[4] w[1] is drawn over the centre of its window x[3..5], at 4
    assert labels[5][1] == (4.0, y[5])


def test_plot_convolution1d_places_a_kernel_longer_than_the_signal():
    x, w = np.array([1.0, -1.0]), np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    for mode in ("same", "valid"):
        fig = figures.plot_convolution1d(x, w, mode=mode, flip=False)
        pos, val = _stems(fig.axes[2])
        expected = np.correlate(x, w, mode)
        np.testing.assert_array_equal(val, expected)
        full = np.correlate(x, w, "full")
        start = next(i for i in range(full.size) if np.array_equal(full[i:i + val.size], val))
        np.testing.assert_array_equal(pos, np.arange(val.size) + start - 2.0)


def _line_data(ax):
    return [line.get_ydata() for line in ax.get_lines()]


def test_plot_smoothing_draws_best_and_widest():
    rng = np.random.default_rng(0)
    t = np.linspace(0, 1, 80)
    clean = np.sin(2 * np.pi * t)
    noisy = clean + 0.3 * rng.standard_normal(80)
    smoothed = {w: ops.convolve1d(noisy, np.ones(w) / w, "same") for w in (1, 5, 9)}
    errors = np.array([np.sqrt(np.mean((smoothed[w] - clean) ** 2)) for w in smoothed])
    fig = figures.plot_smoothing(t, noisy, clean, smoothed, errors)
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    best = (1, 5, 9)[int(errors.argmin())]
    drawn = _line_data(fig.axes[0])
    assert len(drawn) == 4
    np.testing.assert_array_equal(drawn[2], smoothed[best])
    np.testing.assert_array_equal(drawn[3], smoothed[9])
    np.testing.assert_array_equal(_line_data(fig.axes[1])[0], errors)
    assert fig.axes[1].get_lines()[1].get_xdata()[0] == best
    with pytest.raises(ValueError, match=r"rms_error must have one value per length \(3\), got 2"):
        figures.plot_smoothing(t, noisy, clean, smoothed, errors[:2])
    with pytest.raises(ValueError, match=r"smoothed\[5\] must have length 80, got 79"):
        figures.plot_smoothing(t, noisy, clean, {**smoothed, 5: smoothed[5][1:]}, errors)
    with pytest.raises(TypeError, match="smoothed must be a non-empty mapping"):
        figures.plot_smoothing(t, noisy, clean, {}, errors)


def test_plot_step_detection_panels_and_marks():
    signal = np.repeat([0.0, 1.0, 0.0], 20)
    response = ops.convolve1d(signal, np.array([1.0, -1.0]), "same")
    found = np.array([20, 40])
    fig = figures.plot_step_detection(signal, {"a": response, "b": 2 * response}, found, 0.5,
                                  title="steps")
    assert len(fig.axes) == 3 and fig.axes[0].get_title() == "steps"
    assert [ax.get_title() for ax in fig.axes[1:]] == ["a", "b"]
    marks = fig.axes[-1].get_lines()[-1]
    np.testing.assert_array_equal(marks.get_xdata(), found)
    np.testing.assert_array_equal(marks.get_ydata(), 2 * response[found])
    assert len(fig.axes[0].get_lines()) == 1 + len(found)  # the signal, a line per step
    with pytest.raises(ValueError, match="threshold must be >= 0, got -1.0"):
        figures.plot_step_detection(signal, {"a": response}, found, -1.0)


def test_plot_wraparound_arrows_per_wrapped_output():
    x, k = np.arange(1.0, 9.0), np.ones(3)
    linear, circular = ops.convolve1d(x, k), ops.fft_convolve1d(x, k, circular=True)
    fig = figures.plot_wraparound(linear, circular)
    ax = fig.axes[0]
    assert len(ax.texts) == len(linear) - len(circular) == 2
    assert len(ax.containers) == 2  # two stem plots
    np.testing.assert_allclose(ax.containers[1].markerline.get_ydata(), circular)
    with pytest.raises(ValueError, match="linear must be at least as long as circular"):
        figures.plot_wraparound(circular[:3], circular)


def test_plot_timings_lines_and_crossover():
    sizes = [10, 100, 1000]
    seconds = {"slow": np.array([1e-5, 1e-3, 1e-1]), "fast": np.array([1e-4, 2e-4, 1e-3])}
    fig = figures.plot_timings(sizes, seconds, crossover=100, crossover_label="fast from {n}")
    ax = fig.axes[0]
    assert ax.get_xscale() == ax.get_yscale() == "log"
    assert len(ax.get_lines()) == 3
    np.testing.assert_allclose(ax.get_lines()[1].get_ydata(), seconds["fast"] * 1e3)
    assert ax.get_legend().get_texts()[-1].get_text() == "fast from 100"
    assert len(figures.plot_timings(sizes, seconds).axes[0].get_lines()) == 2
    with pytest.raises(ValueError, match=r"seconds\['slow'\] must have length 3, got 2"):
        figures.plot_timings(sizes, {"slow": [1.0, 2.0]})


def test_plot_perturbation_response_one_panel_per_variant():
    changes = {"centred": np.r_[0, 1, 1, 1, 0.0], "causal": np.r_[0, 0, 1, 1, 1.0]}
    fig = figures.plot_perturbation_response(changes, at=2)
    assert len(fig.axes) == 2
    assert [ax.get_title() for ax in fig.axes] == ["centred", "causal"]
    for ax, change in zip(fig.axes, changes.values(), strict=True):
        np.testing.assert_array_equal(ax.containers[0].markerline.get_ydata(), change)
        assert ax.get_lines()[-1].get_xdata()[0] == 2
    with pytest.raises(ValueError, match="at must be an integer >= 0"):
        figures.plot_perturbation_response(changes, at=-1)


def test_plot_sensitivity_shades_the_field():
    values = np.r_[0, 0, -0.5, 1.0, 0.25, 0, 0.0]
    fig = figures.plot_sensitivity(values, title="field")
    ax = fig.axes[0]
    np.testing.assert_array_equal(ax.containers[0].markerline.get_ydata(), np.abs(values))
    span = ax.patches[0]
    assert span.get_x() == 1.5 and span.get_x() + span.get_width() == 4.5
    with pytest.raises(ValueError, match="sensitivity must have a non-zero entry"):
        figures.plot_sensitivity(np.zeros(4))
    with pytest.raises(ValueError, match="sensitivity"):
        figures.plot_sensitivity(np.zeros((2, 2)))


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"x": [1, 2], "weight": [1], "mode": "circular"}, ValueError, "mode must be one of"),
        ({"x": [1, 2], "weight": [1], "flip": 1}, TypeError, "flip must be True or False"),
    ],
)
def test_plot_convolution1d_rejects_bad_input(kwargs, error, match):
    with pytest.raises(error, match=match):
        figures.plot_convolution1d(**kwargs)
