"""cnnbook.layers: every backward pass against finite differences and torch.autograd; bad input."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from cnnbook import layers, ops
from cnnbook.models import LeNet5

RNG = np.random.default_rng(0)


def autograd(f, grad_out, *arrays):
    """``f(*arrays)`` and the gradients of ``sum(f(*arrays) * grad_out)`` for every array."""
    leaves = [torch.tensor(a, requires_grad=True) for a in arrays]
    out = f(*leaves)
    (out * torch.from_numpy(grad_out)).sum().backward()
    return out.detach().numpy(), [leaf.grad.numpy() for leaf in leaves]


def run_layer(layer, x, grad_out):
    """Forward, then backward: the output, dL/dx and each parameter's gradient (by name)."""
    y = layer(x)
    grad_x = layer.backward(grad_out)
    return y, grad_x, {k: p.grad for k, p in layer.parameters().items()}


def close(a, b, tol=1e-10):
    np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


def away_from_zero(shape):
    """Values with |v| >= 0.1, so a finite difference never steps across ReLU's kink."""
    z = RNG.standard_normal(shape)
    return np.sign(z) * (0.1 + np.abs(z))


# ---------------------------------------------------------------- finite differences


def test_finite_differences_recover_a_known_gradient():
    a = RNG.standard_normal((3, 4))
    before = a.copy()
    grad = layers.finite_differences(lambda: float((a**3).sum() + np.sin(a).sum()), a)
    close(grad, 3 * a**2 + np.cos(a), 1e-8)
    assert np.array_equal(a, before)  # every nudge was undone


def check_against_finite_differences(layer, x, tol=1e-7):
    """dL/dx and every parameter gradient of ``L = sum(layer(x) * R)`` against central
    differences of L."""
    r = RNG.standard_normal(layer(x).shape)
    _, grad_x, grads = run_layer(layer, x, r)

    def loss() -> float:
        return float((layer(x) * r).sum())

    if grad_x is not None:
        close(grad_x, layers.finite_differences(loss, x), tol)
    for name, p in layer.parameters().items():
        close(grads[name], layers.finite_differences(loss, p.data), tol)


@pytest.mark.parametrize(
    ("layer", "shape"),
    [
        (layers.Conv2d(2, 3, (3, 2), stride=(2, 1), padding=(1, 2), dtype="float64"), (2, 2, 5, 4)),
        (layers.Conv2d(1, 2, 3, dtype="float64", seed=3), (1, 1, 4, 4)),
        (layers.Linear(4, 3, dtype="float64"), (2, 4)),
        (layers.ReLU(), (2, 3, 4)),
        (layers.Sigmoid(), (2, 5)),
        (layers.Tanh(), (3, 2, 2, 2)),
        (layers.MaxPool2d(2), (2, 2, 4, 5)),
        (layers.MaxPool2d(3, stride=1), (1, 2, 4, 4)),  # overlapping windows
        (layers.AvgPool2d(2), (2, 2, 4, 4)),
        (layers.AvgPool2d((2, 3), stride=1), (1, 2, 3, 4)),
        (layers.Flatten(), (2, 3, 2, 2)),
    ],
    ids=lambda v: type(v).__name__ if isinstance(v, layers.Layer) else str(v),
)
def test_every_backward_equals_finite_differences(layer, shape):
    check_against_finite_differences(layer, away_from_zero(shape))


def test_a_small_network_backward_equals_finite_differences():
    net = layers.Sequential(layers.Conv2d(1, 2, 3, padding=1, dtype="float64"), layers.Tanh(),
                            layers.MaxPool2d(2), layers.Flatten(),
                            layers.Linear(8, 3, dtype="float64", seed=1), layers.Sigmoid())
    check_against_finite_differences(net, away_from_zero((2, 1, 4, 4)))


def test_softmax_cross_entropy_backward_equals_finite_differences():
    logits, labels = RNG.standard_normal((4, 5)), np.array([0, 4, 2, 2])
    loss_fn = layers.SoftmaxCrossEntropy()
    loss_fn(logits, labels)
    close(loss_fn.backward(), layers.finite_differences(lambda: loss_fn(logits, labels), logits),
          1e-8)


# ---------------------------------------------------------------- against torch.autograd


@st.composite
def conv_cases(draw):
    c_in, c_out = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    padding = (draw(st.integers(0, 2)), draw(st.integers(0, 2)))
    size = (draw(st.integers(1, 7)), draw(st.integers(1, 7)))
    assume(all(n + 2 * p >= k for n, p, k in zip(size, padding, kernel, strict=True)))
    return draw(st.integers(1, 3)), c_in, c_out, kernel, stride, padding, size


@settings(max_examples=30)
@given(conv_cases(), st.integers(0, 2**16))
def test_conv2d_equals_torch_for_every_parameter_and_the_input(case, seed):
    n, c_in, c_out, kernel, stride, padding, size = case
    layer = layers.Conv2d(c_in, c_out, kernel, stride, padding, dtype="float64", seed=seed)
    x = RNG.standard_normal((n, c_in, *size))
    w, b = layer.weight.data.copy(), layer.bias.data.copy()
    out_shape = (n, c_out, *ops.conv_output_size(size, kernel, stride, padding))
    g = RNG.standard_normal(out_shape)
    y, grad_x, grads = run_layer(layer, x, g)
    expected, (ex, ew, eb) = autograd(lambda x, w, b: F.conv2d(x, w, b, stride, padding), g,
                                      x, w, b)
    close(y, expected)
    close(grad_x, ex)
    close(grads["weight"], ew)
    close(grads["bias"], eb)
    # and the book's own backward functions, which recompute what the layer kept
    for got, want in zip((grad_x, grads["weight"], grads["bias"]),
                         ops.conv2d_backward(x, w, g, stride, padding), strict=True):
        close(got, want)


@settings(max_examples=25)
@given(st.integers(1, 4), st.integers(1, 6), st.integers(1, 6), st.integers(0, 2**16))
def test_linear_equals_torch(n, n_in, n_out, seed):
    layer = layers.Linear(n_in, n_out, dtype="float64", seed=seed)
    x, g = RNG.standard_normal((n, n_in)), RNG.standard_normal((n, n_out))
    w, b = layer.weight.data.copy(), layer.bias.data.copy()
    y, grad_x, grads = run_layer(layer, x, g)
    expected, (ex, ew, eb) = autograd(F.linear, g, x, w, b)
    close(y, expected)
    close(grad_x, ex)
    close(grads["weight"], ew)
    close(grads["bias"], eb)


@st.composite
def pool_cases(draw):
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    stride = draw(st.one_of(st.none(), st.tuples(st.integers(1, 3), st.integers(1, 3))))
    size = (draw(st.integers(kernel[0], 7)), draw(st.integers(kernel[1], 7)))
    return draw(st.integers(1, 2)), draw(st.integers(1, 3)), kernel, stride, size


@settings(max_examples=40)
@given(pool_cases(), st.sampled_from(["max", "avg"]), st.booleans())
def test_pooling_equals_torch(case, kind, ties):
    n, c, kernel, stride, size = case
    layer = (layers.MaxPool2d if kind == "max" else layers.AvgPool2d)(kernel, stride)
    x = RNG.standard_normal((n, c, *size))
    if ties:  # a ReLU'd map: many windows hold several equal zeros
        x = np.maximum(x, 0)
    f = F.max_pool2d if kind == "max" else F.avg_pool2d
    out_shape = f(torch.from_numpy(x), kernel, stride).shape
    g = RNG.standard_normal(tuple(out_shape))
    y, grad_x, _ = run_layer(layer, x, g)
    expected, (ex,) = autograd(lambda x: f(x, kernel, stride), g, x)
    close(y, expected)
    close(grad_x, ex)
    stride = kernel if stride is None else stride
    book = (ops.max_pool2d_backward(x, g, kernel, stride) if kind == "max"
            else ops.avg_pool2d_backward(g, x.shape, kernel, stride))
    close(grad_x, book)


@settings(max_examples=25)
@given(st.lists(st.integers(1, 4), min_size=1, max_size=4),
       st.sampled_from(["relu", "sigmoid", "tanh", "flatten"]))
def test_activations_and_flatten_equal_torch(shape, kind):
    if kind == "flatten":
        assume(len(shape) >= 2)
    layer = {"relu": layers.ReLU, "sigmoid": layers.Sigmoid, "tanh": layers.Tanh,
             "flatten": layers.Flatten}[kind]()
    f = {"relu": torch.relu, "sigmoid": torch.sigmoid, "tanh": torch.tanh,
         "flatten": lambda x: x.flatten(1)}[kind]
    x = 4 * RNG.standard_normal(shape)
    g = RNG.standard_normal(tuple(f(torch.from_numpy(x)).shape))
    y, grad_x, _ = run_layer(layer, x, g)
    expected, (ex,) = autograd(f, g, x)
    close(y, expected, 1e-12)
    close(grad_x, ex, 1e-12)


def test_relu_has_slope_zero_at_zero_as_torch():
    x = np.array([[-1.0, 0.0, 2.0]])
    _, grad_x, _ = run_layer(layers.ReLU(), x, np.ones_like(x))
    _, (expected,) = autograd(torch.relu, np.ones_like(x), x)
    assert grad_x.tolist() == expected.tolist() == [[0.0, 0.0, 1.0]]


def test_sigmoid_does_not_overflow_for_large_inputs():
    x = np.array([[-1000.0, -40.0, 0.0, 40.0, 1000.0]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        y = layers.Sigmoid()(x)
    close(y, torch.sigmoid(torch.from_numpy(x)).numpy(), 1e-15)


def test_softmax_cross_entropy_equals_torch_even_for_huge_logits():
    logits = RNG.standard_normal((6, 4)) * np.array([[1], [1], [100], [1000], [1], [1]])
    labels = np.array([3, 0, 1, 2, 2, 0])
    loss_fn = layers.SoftmaxCrossEntropy()
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        loss = loss_fn(logits, labels)
        grad = loss_fn.backward()
    leaf = torch.tensor(logits, requires_grad=True)
    expected = F.cross_entropy(leaf, torch.from_numpy(labels))
    expected.backward()
    assert np.isclose(loss, expected.item(), rtol=1e-12)
    close(grad, leaf.grad.numpy(), 1e-12)


# ---------------------------------------------------------------- LeNet-5, state_dict


@pytest.mark.parametrize(("activation", "pool"), [("relu", "max"), ("sigmoid", "avg")])
def test_lenet5_gradients_equal_torch_for_every_parameter(activation, pool):
    torch.manual_seed(1)
    model = LeNet5(activation=activation, pool=pool).double()
    net = layers.lenet5(activation, pool, dtype="float64")
    net.load_state_dict(model.state_dict())
    x, labels = RNG.standard_normal((3, 1, 28, 28)), np.array([1, 7, 7])
    loss_fn = layers.SoftmaxCrossEntropy()
    loss = loss_fn(net(x), labels)
    net.backward(loss_fn.backward())
    expected = F.cross_entropy(model(torch.from_numpy(x)), torch.from_numpy(labels))
    expected.backward()
    assert np.isclose(loss, expected.item(), rtol=1e-12)
    torch_params = dict(model.named_parameters())
    assert set(net.parameters()) == set(torch_params)
    for name, p in net.parameters().items():
        close(p.grad, torch_params[name].grad.numpy(), 1e-9)


def test_lenet5_skips_only_the_gradient_of_the_images():
    net = layers.lenet5(dtype="float64")
    x = RNG.standard_normal((2, 1, 28, 28))
    assert net.backward(np.ones_like(net(x))) is None
    net.layers["conv1"].needs_input_grad = True
    grad_x = net.backward(np.ones_like(net(x)))
    assert grad_x.shape == x.shape and np.abs(grad_x).max() > 0


@settings(max_examples=6)
@given(st.integers(0, 6), st.integers(2, 12))
def test_lenet5_matches_the_torch_model_for_any_padding(padding, classes):
    model = LeNet5(padding=padding, num_classes=classes)
    net = layers.lenet5(padding=padding, num_classes=classes)
    shapes = {k: tuple(v.shape) for k, v in model.state_dict().items()}
    assert {k: p.data.shape for k, p in net.parameters().items()} == shapes
    assert net.count_parameters() == sum(p.numel() for p in model.parameters())


def test_lenet5_has_61706_parameters_like_chapter_6():
    assert layers.lenet5().count_parameters() == 61_706 == ops.count_parameters(LeNet5())


def test_a_single_layer_counts_its_parameters_as_torch_does():
    assert layers.Linear(400, 120).count_parameters() == 400 * 120 + 120
    torch_conv = torch.nn.Conv2d(6, 16, 5)
    assert layers.Conv2d(6, 16, 5).count_parameters() == ops.count_parameters(torch_conv)
    assert layers.ReLU().count_parameters() == 0


def test_state_dict_round_trip_through_torch():
    torch.manual_seed(0)
    model = LeNet5.modern()
    net = layers.lenet5(seed=5)
    before = net(RNG.standard_normal((2, 1, 28, 28)).astype(np.float32))
    net.load_state_dict(model.state_dict())
    x = RNG.standard_normal((4, 1, 28, 28)).astype(np.float32)
    with torch.no_grad():
        expected = model(torch.from_numpy(x)).numpy()
    y = net(x)
    assert y.dtype == np.float32 and not np.allclose(before, y[:2])
    np.testing.assert_allclose(y, expected, rtol=1e-4, atol=1e-5)
    other = LeNet5.modern()
    other.load_state_dict(net.state_dict())
    for k, v in other.state_dict().items():
        assert torch.equal(v, model.state_dict()[k])
    saved = net.state_dict()["fc3.bias"]
    saved += 1  # a copy: changing it leaves the network alone
    assert torch.equal(net.state_dict()["fc3.bias"], model.fc3.bias.detach())


def test_float32_stays_float32_through_forward_and_backward():
    net = layers.lenet5("sigmoid", "avg")
    net.layers["conv1"].needs_input_grad = True
    x = RNG.standard_normal((2, 1, 28, 28)).astype(np.float32)
    y = net(x)
    assert y.dtype == np.float32
    assert net.backward(np.ones_like(y)).dtype == np.float32
    assert all(p.grad.dtype == np.float32 for p in net.parameters().values())


def test_backward_adds_to_the_gradients_until_zero_grad():
    layer = layers.Linear(3, 2, dtype="float64")
    x, g = RNG.standard_normal((4, 3)), RNG.standard_normal((4, 2))
    layer(x)
    layer.backward(g)
    once = layer.weight.grad.copy()
    layer.backward(g)
    close(layer.weight.grad, 2 * once)
    net = layers.Sequential(layer)
    net.zero_grad()
    assert not layer.weight.grad.any() and not layer.bias.grad.any()


def test_initial_weights_are_seeded_and_as_torch_bounds_them():
    a, b, c = (layers.Conv2d(6, 16, 5, seed=s) for s in (0, 0, 1))
    assert np.array_equal(a.weight.data, b.weight.data)
    assert not np.array_equal(a.weight.data, c.weight.data)
    bound = 1 / np.sqrt(6 * 25)  # torch's default for Conv2d and Linear: U(-1/sqrt(fan_in), ..)
    assert np.abs(a.weight.data).max() <= bound < 1.1 * np.abs(a.weight.data).max()
    assert np.abs(a.bias.data).max() <= bound


def test_sequential_names_follow_torch():
    net = layers.Sequential(layers.Linear(2, 3), layers.ReLU(), layers.Linear(3, 1))
    model = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.ReLU(), torch.nn.Linear(3, 1))
    assert list(net.parameters()) == list(model.state_dict())
    net.load_state_dict(model.state_dict())
    x = RNG.standard_normal((5, 2)).astype(np.float32)
    with torch.no_grad():
        np.testing.assert_allclose(net(x), model(torch.from_numpy(x)).numpy(), rtol=1e-5)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_to_torch_builds_a_twin_that_computes_the_same(dtype):
    net = layers.Sequential(
        conv=layers.Conv2d(2, 3, (3, 2), stride=(2, 1), padding=1, dtype=dtype), act=layers.Tanh(),
        pool=layers.AvgPool2d(2, stride=1), inner=layers.Sequential(layers.Sigmoid(),
                                                                    layers.MaxPool2d((1, 2))),
        flat=layers.Flatten(), fc=layers.Linear(12, 5, dtype=dtype), relu=layers.ReLU())
    model = net.to_torch()
    assert [name for name, _ in model.named_children()] == list(net.layers)
    assert isinstance(model.inner[1], torch.nn.MaxPool2d) and model.conv.stride == (2, 1)
    x = RNG.standard_normal((2, 2, 6, 5)).astype(dtype)
    with torch.no_grad():
        expected = model(torch.from_numpy(x)).numpy()
    assert expected.dtype == dtype
    # float32 rounds at about 1e-7 of the values (order 0.1): an absolute floor for outputs near 0
    tol = {"rtol": 1e-5, "atol": 1e-6} if dtype == "float32" else {"rtol": 1e-12, "atol": 1e-14}
    np.testing.assert_allclose(net(x), expected, **tol)
    with pytest.raises(TypeError, match="no torch.nn twin"):
        layers.Sequential(layers.Layer()).to_torch()


def test_predict_takes_the_largest_score_in_batches():
    net = layers.Sequential(layers.Flatten(), layers.Linear(4, 3))
    x = RNG.standard_normal((7, 1, 2, 2)).astype(np.float32)
    assert np.array_equal(net.predict(x, batch_size=3), net(x).argmax(axis=1))


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("make", "error", "name"),
    [
        (lambda: layers.Conv2d(0, 6, 5), ValueError, "in_channels"),
        (lambda: layers.Conv2d(1, 6.0, 5), TypeError, "out_channels"),
        (lambda: layers.Conv2d(1, 6, (5, 0)), ValueError, "kernel_size"),
        (lambda: layers.Conv2d(1, 6, 5, stride=0), ValueError, "stride"),
        (lambda: layers.Conv2d(1, 6, 5, padding=-1), ValueError, "padding"),
        (lambda: layers.Conv2d(1, 6, 5, padding="same"), TypeError, "padding"),
        (lambda: layers.Conv2d(1, 6, 5, dtype="int32"), ValueError, "dtype"),
        (lambda: layers.Conv2d(1, 6, 5, dtype="float16"), ValueError, "dtype"),
        (lambda: layers.Linear(3, 2, dtype=3), ValueError, "dtype"),
        (lambda: layers.Linear(3, 2, seed=-1), ValueError, "seed"),
        (lambda: layers.Linear(3, True), TypeError, "out_features"),
        (lambda: layers.MaxPool2d(0), ValueError, "kernel_size"),
        (lambda: layers.AvgPool2d(2, stride=(1, 2, 3)), ValueError, "stride"),
        (lambda: layers.Sequential(), ValueError, "at least one layer"),
        (lambda: layers.Sequential(layers.ReLU(), act=layers.ReLU()), TypeError, "either"),
        (lambda: layers.Sequential(np.zeros(3)), TypeError, "layer '0'"),
        (lambda: layers.lenet5("gelu"), ValueError, "activation"),
        (lambda: layers.lenet5(pool="min"), ValueError, "pool"),
        (lambda: layers.lenet5(padding=-1), ValueError, "padding"),
        (lambda: layers.lenet5(num_classes=1), ValueError, "num_classes"),
    ],
)
def test_bad_hyper_parameters_are_refused(make, error, name):
    with pytest.raises(error, match=name):
        make()


CONV = layers.Conv2d(2, 3, 3)  # float32


@pytest.mark.parametrize(
    ("layer", "x", "error", "match"),
    [
        (CONV, [[[[0.0] * 4] * 4] * 2], TypeError, "x must be a NumPy array"),
        (CONV, np.zeros((1, 2, 4, 4), dtype=np.int64), TypeError, "got dtype int64"),
        (CONV, np.zeros((1, 2, 4, 4), dtype=np.float16), TypeError, "float32 or float64"),
        (CONV, np.zeros((1, 2, 4, 4)), TypeError, "layer's dtype float32"),
        (CONV, np.zeros((2, 4, 4), dtype=np.float32), ValueError, "4 dimensions"),
        (CONV, np.zeros((1, 3, 4, 4), dtype=np.float32), ValueError, "2 channels"),
        (CONV, np.zeros((0, 2, 4, 4), dtype=np.float32), ValueError, "empty"),
        (CONV, np.zeros((1, 2, 2, 2), dtype=np.float32), ValueError, "kernel_size"),
        (layers.Linear(3, 2), np.zeros((4, 2), dtype=np.float32), ValueError, "3 channels or "
                                                                                "features"),
        (layers.Linear(3, 2), np.zeros((4, 3, 1), dtype=np.float32), ValueError, "2 dimensions"),
        (layers.MaxPool2d(3), np.zeros((1, 1, 2, 5)), ValueError, "kernel_size"),
        (layers.AvgPool2d(2), np.zeros((1, 4, 4)), ValueError, "4 dimensions"),
        (layers.ReLU(), torch.zeros(3), TypeError, "NumPy array"),
        (layers.Flatten(), np.zeros(3), ValueError, "batch axis"),
    ],
)
def test_bad_inputs_are_refused(layer, x, error, match):
    with pytest.raises(error, match=match):
        layer(x)


def test_bad_gradients_are_refused():
    layer = layers.Conv2d(1, 2, 3)
    with pytest.raises(RuntimeError, match="before backward"):
        layers.Conv2d(1, 2, 3).backward(np.zeros((1, 2, 2, 2), np.float32))
    layer(np.zeros((1, 1, 4, 4), np.float32))
    with pytest.raises(ValueError, match=r"g must have the shape .*\(1, 2, 2, 2\)"):
        layer.backward(np.zeros((1, 2, 3, 3), np.float32))
    with pytest.raises(TypeError, match="g must have the layer's dtype float32"):
        layer.backward(np.zeros((1, 2, 2, 2)))
    with pytest.raises(ValueError, match="g must have 4 dimensions"):
        layer.backward(np.zeros((2, 2, 2), np.float32))
    with pytest.raises(RuntimeError, match="before backward"):  # a failed call forgets the last
        try:
            layer(np.zeros((1, 3, 4, 4), np.float32))
        except ValueError:
            pass
        layer.backward(np.zeros((1, 2, 2, 2), np.float32))


@pytest.mark.parametrize(
    ("logits", "labels", "error", "match"),
    [
        (np.zeros((3, 4)), np.array([0.0, 1.0, 2.0]), ValueError, "labels must be 3 integers"),
        (np.zeros((3, 4)), np.array([0, 1]), ValueError, "labels must be 3 integers"),
        (np.zeros((3, 4)), np.array([0, 1, 4]), ValueError, r"labels must lie in \[0, 3\]"),
        (np.zeros((3, 4)), np.array([-1, 1, 2]), ValueError, r"labels must lie in \[0, 3\]"),
        (np.zeros(4), np.array([0]), ValueError, "logits must have 2 dimensions"),
        (np.zeros((3, 4), dtype=np.int32), np.array([0, 1, 2]), TypeError, "logits"),
    ],
)
def test_bad_labels_and_logits_are_refused(logits, labels, error, match):
    with pytest.raises(error, match=match):
        layers.SoftmaxCrossEntropy()(logits, labels)


def test_the_loss_and_finite_differences_refuse_misuse():
    with pytest.raises(RuntimeError, match="before backward"):
        layers.SoftmaxCrossEntropy().backward()
    with pytest.raises(TypeError, match="array must be a NumPy array"):
        layers.finite_differences(lambda: 0.0, [1.0, 2.0])
    with pytest.raises(ValueError, match="eps must be > 0"):
        layers.finite_differences(lambda: 0.0, np.zeros(2), eps=0)


def test_bad_state_dicts_are_refused():
    net = layers.lenet5()
    state = LeNet5.modern().state_dict()
    missing = {k: v for k, v in state.items() if k != "fc3.bias"}
    with pytest.raises(ValueError, match=r"missing \['fc3.bias'\]"):
        net.load_state_dict(missing)
    with pytest.raises(ValueError, match=r"unexpected \['extra'\]"):
        net.load_state_dict({**state, "extra": torch.zeros(1)})
    with pytest.raises(ValueError, match=r"state_dict\['fc1.weight'\] must have shape"):
        net.load_state_dict({**state, "fc1.weight": torch.zeros(120, 256)})
    with pytest.raises(TypeError, match=r"state_dict\['fc1.bias'\]"):
        net.load_state_dict({**state, "fc1.bias": ["a"] * 120})
    with pytest.raises(ValueError, match="batch_size"):
        net.predict(np.zeros((2, 1, 28, 28), np.float32), batch_size=0)
