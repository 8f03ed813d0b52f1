"""Penultimate activations, PCA through the SVD against the covariance's eigenvectors."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from cnnbook.embedding import PCA, layer_inputs, nearest_centroid_accuracy, pca
from cnnbook.models import LeNet5


def fixed_sign(vectors: np.ndarray) -> np.ndarray:
    """Rows flipped so that the entry of largest size is positive."""
    return vectors * np.sign(vectors[np.arange(len(vectors)), np.abs(vectors).argmax(1)])[:, None]


@settings(max_examples=40)
@given(n=st.integers(5, 40), d=st.integers(2, 8), seed=st.integers(0, 2**16))
def test_pca_equals_the_eigenvectors_of_the_covariance(n, d, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d)) @ rng.normal(size=(d, d)) + rng.normal(size=d)
    k = min(2, d)
    result = pca(x, k)
    values, vectors = np.linalg.eigh(np.cov(x, rowvar=False))  # ascending order
    values, vectors = values[::-1], vectors[:, ::-1].T
    if np.isclose(values[k - 1], values[k]) if k < d else False:
        return  # a tie: the directions are not unique
    assert np.allclose(result.variance, values[:k])
    assert np.allclose(result.ratio, values[:k] / values.sum())
    assert np.allclose(result.components, fixed_sign(vectors[:k]), atol=1e-8)
    assert np.allclose(result.mean, x.mean(axis=0))
    coords = result.transform(x)
    assert np.allclose(coords, (x - x.mean(0)) @ fixed_sign(vectors[:k]).T, atol=1e-8)
    assert np.allclose(coords.var(axis=0, ddof=1), values[:k])


def test_pca_of_points_on_a_line_finds_the_line():
    t = np.linspace(-1, 1, 11)
    x = np.stack([3 * t + 1, -4 * t, np.zeros_like(t)], axis=1)
    result = pca(x, 1)
    assert np.allclose(result.components, [[-0.6, 0.8, 0]])  # the larger entry is positive
    assert np.allclose(result.ratio, [1.0])
    assert np.allclose(result.transform(x)[:, 0], -5 * t)


def test_pca_rejects_bad_input():
    with pytest.raises(ValueError, match=r"k must be at most min\(N, D\) = 2"):
        pca(np.zeros((5, 2)), 3)
    with pytest.raises(ValueError, match="x must have 2 dimensions"):
        pca(np.zeros(5))
    with pytest.raises(TypeError, match="k must be an integer"):
        pca(np.zeros((5, 2)), 1.0)
    fitted = pca(np.random.default_rng(0).normal(size=(6, 3)))
    assert isinstance(fitted, PCA)
    with pytest.raises(ValueError, match="x must have 3 columns, got 2"):
        fitted.transform(np.zeros((2, 2)))


def test_layer_inputs_are_lenets_penultimate_activations():
    torch.manual_seed(0)
    net = LeNet5.modern()
    x = torch.randn(7, 1, 28, 28)
    with torch.no_grad():
        _, c2 = net.features(x)
        h = net.act(net.fc2(net.act(net.fc1(net.down(c2).flatten(1)))))
    got = layer_inputs(net, net.fc3, x, batch_size=3)
    assert got.shape == (7, 84)
    assert np.allclose(got, h.numpy(), atol=1e-6)
    assert np.allclose(layer_inputs(net, net.conv2, x[:2]).reshape(2, 6, 14, 14),
                       net.down(net.features(x[:2])[0]).detach().numpy(), atol=1e-6)


def test_layer_inputs_rejects_a_foreign_or_shared_layer():
    net = LeNet5.modern()
    x = torch.zeros(2, 1, 28, 28)
    with pytest.raises(ValueError, match="layer must be a module of the model"):
        layer_inputs(net, LeNet5.modern().fc3, x)
    with pytest.raises(ValueError, match="called once per forward pass; it was called 4 times"):
        layer_inputs(net, net.act, x)


def test_nearest_centroid_accuracy_against_a_loop():
    rng = np.random.default_rng(1)
    labels = rng.integers(0, 3, 60)
    points = rng.normal(size=(60, 2)) + labels[:, None] * 0.8
    means = {c: points[labels == c].mean(0) for c in range(3)}
    hits = [min(means, key=lambda c: np.sum((p - means[c]) ** 2)) == y
            for p, y in zip(points, labels, strict=True)]
    assert nearest_centroid_accuracy(points, labels) == np.mean(hits)
    separated = np.array([[0.0, 0], [0.1, 0], [5, 5], [5.1, 5]])
    assert nearest_centroid_accuracy(separated, torch.tensor([0, 0, 1, 1])) == 1.0
    with pytest.raises(ValueError, match="labels must be 4 integers"):
        nearest_centroid_accuracy(separated, [0.0, 0, 1, 1])
