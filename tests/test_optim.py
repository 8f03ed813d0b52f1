"""cnnbook.optim: SGD and Adam take PyTorch's steps; 100 steps of LeNet-5 stay on torch's path."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from cnnbook import data, layers, optim, train
from cnnbook.models import LeNet5

RNG = np.random.default_rng(0)


def same_steps(make_numpy, make_torch, steps=5, shapes=((3, 4), (2,))):
    """Run both optimisers on identical parameters fed identical random gradients; return the
    largest difference of the parameters after each step and how far they moved in all."""
    start = [RNG.standard_normal(s) for s in shapes]
    params = [layers.Parameter(a.copy()) for a in start]
    tensors = [torch.tensor(a, requires_grad=True) for a in start]
    ours, theirs = make_numpy(params), make_torch(tensors)
    differences = []
    for _ in range(steps):
        for p, t in zip(params, tensors, strict=True):
            g = RNG.standard_normal(p.data.shape)
            p.grad[...] = g
            t.grad = torch.from_numpy(g.copy())
        ours.step()
        theirs.step()
        differences.append(max(np.abs(p.data - t.detach().numpy()).max()
                               for p, t in zip(params, tensors, strict=True)))
    moved = max(np.abs(p.data - a).max() for p, a in zip(params, start, strict=True))
    return differences, moved


@settings(max_examples=40)
@given(lr=st.floats(1e-3, 0.5), momentum=st.sampled_from([0.0, 0.5, 0.9, 0.99]),
       dampening=st.sampled_from([0.0, 0.1, 1.0]), weight_decay=st.sampled_from([0.0, 1e-2]),
       nesterov=st.booleans())
def test_sgd_takes_torchs_steps(lr, momentum, dampening, weight_decay, nesterov):
    if nesterov and (momentum == 0 or dampening != 0):
        nesterov = False
    kw = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
              nesterov=nesterov)
    differences, moved = same_steps(lambda p: optim.SGD(p, **kw),
                                    lambda t: torch.optim.SGD(t, **kw))
    assert max(differences) < 1e-12 and moved > 1e-4


@settings(max_examples=40)
@given(lr=st.floats(1e-4, 0.1), beta1=st.sampled_from([0.0, 0.5, 0.9]),
       beta2=st.sampled_from([0.9, 0.999]), eps=st.sampled_from([1e-8, 1e-3, 1.0]),
       weight_decay=st.sampled_from([0.0, 1e-2]))
def test_adam_takes_torchs_steps(lr, beta1, beta2, eps, weight_decay):
    kw = dict(lr=lr, betas=(beta1, beta2), eps=eps, weight_decay=weight_decay)
    differences, moved = same_steps(lambda p: optim.Adam(p, **kw),
                                    lambda t: torch.optim.Adam(t, **kw))
    assert max(differences) < 1e-12 and moved > 1e-6


def test_adam_first_step_moves_every_weight_by_lr():
    # with bias correction, the first step is lr * g / (|g| + eps'): about lr for every entry
    p = layers.Parameter(np.zeros(5))
    p.grad[...] = [1e-3, -2.0, 5.0, -7.0, 1e-2]
    optim.Adam([p], lr=0.1, eps=1e-12).step()
    np.testing.assert_allclose(p.data, -0.1 * np.sign(p.grad), rtol=1e-8)


def test_sgd_without_momentum_is_plain_gradient_descent():
    p = layers.Parameter(np.array([1.0, -2.0]))
    p.grad[...] = [0.5, 4.0]
    optim.SGD([p], lr=0.1).step()
    np.testing.assert_allclose(p.data, [0.95, -2.4])


def test_a_schedule_may_change_lr_and_zero_grad_clears():
    net = layers.Sequential(layers.Linear(2, 1, dtype="float64"))
    sgd = optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
    sgd.lr = 0.0
    net(np.ones((1, 2)))
    net.backward(np.ones((1, 1)))
    before = {k: p.data.copy() for k, p in net.parameters().items()}
    sgd.step()
    assert all(np.array_equal(p.data, before[k]) for k, p in net.parameters().items())
    sgd.zero_grad()
    assert not any(p.grad.any() for p in net.parameters().values())


# ---------------------------------------------------------------- 100 steps of LeNet-5

STEPS, BATCH = 100, 8


@pytest.fixture(scope="module")
def batches():
    """The first 100 mini-batches of 8 MNIST training images, in a seeded order.

    Meanwhile torch runs on one thread: batches this small gain nothing from a second one,
    and lose a lot when other processes keep the cores busy.
    """
    try:
        split = data.load("mnist", train=True)
    except data.DataError as exc:
        pytest.skip(f"MNIST is not available: {exc}")
    order = np.random.default_rng(0).permutation(len(split))[: STEPS * BATCH]
    images = split.images.numpy()[order].astype(np.float64)
    labels = split.labels.numpy()[order]
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield [(images[i : i + BATCH], labels[i : i + BATCH]) for i in range(0, len(order), BATCH)]
    torch.set_num_threads(threads)


@pytest.mark.parametrize(
    ("make_numpy", "make_torch"),
    [
        (lambda p: optim.SGD(p, lr=0.02, momentum=0.9),
         lambda t: torch.optim.SGD(t, lr=0.02, momentum=0.9)),
        (lambda p: optim.Adam(p, lr=1e-3), lambda t: torch.optim.Adam(t, lr=1e-3)),
    ],
    ids=["sgd-momentum", "adam"],
)
def test_100_steps_of_lenet5_end_within_1e_6_of_torch(batches, make_numpy, make_torch):
    torch.manual_seed(0)
    model = LeNet5.modern().double()
    net = layers.lenet5(dtype="float64")
    net.load_state_dict(model.state_dict())
    start = {k: v.clone() for k, v in model.state_dict().items()}
    ours, theirs = make_numpy(net.parameters()), make_torch(model.parameters())
    loss_fn = layers.SoftmaxCrossEntropy()
    losses = []
    for x, y in batches:
        loss = loss_fn(net(x), y)
        ours.zero_grad()
        net.backward(loss_fn.backward())
        ours.step()
        expected = F.cross_entropy(model(torch.from_numpy(x)), torch.from_numpy(y))
        theirs.zero_grad()
        expected.backward()
        theirs.step()
        losses.append((loss, expected.item()))
    weights = {k: v.detach().numpy() for k, v in model.state_dict().items()}
    difference = max(np.abs(p.data - weights[k]).max() for k, p in net.parameters().items())
    moved = max((model.state_dict()[k] - v).abs().max().item() for k, v in start.items())
    assert difference < 1e-6, difference
    assert moved > 0.05  # the weights travelled far: the agreement is not trivial
    assert np.allclose(*zip(*losses, strict=True), rtol=1e-6)
    first, last = np.mean([a for a, _ in losses[:10]]), np.mean([a for a, _ in losses[-10:]])
    assert last < 0.8 * first  # and both networks learned


def tiny_twins(seed=0):
    """A small NumPy network and its torch twin with the same weights, and 6 batches."""
    torch.manual_seed(seed)
    model = torch.nn.Sequential(torch.nn.Conv2d(1, 3, 3), torch.nn.Tanh(), torch.nn.Flatten(),
                                torch.nn.Linear(12, 4)).double()
    net = layers.Sequential(layers.Conv2d(1, 3, 3, dtype="float64"), layers.Tanh(),
                            layers.Flatten(), layers.Linear(12, 4, dtype="float64"))
    net.load_state_dict(model.state_dict())
    rng = np.random.default_rng(seed)
    batches = [(rng.standard_normal((5, 1, 4, 4)), rng.integers(0, 4, 5)) for _ in range(6)]
    return net, model, batches


def test_lockstep_records_every_step_and_can_tell_two_paths_apart():
    net, model, batches = tiny_twins()
    record = optim.lockstep(net, optim.SGD(net.parameters(), lr=0.1, momentum=0.9),
                            model, torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9),
                            batches)
    assert len(record.differences) == len(record.losses) == 6
    assert max(record.differences) < 1e-13
    assert all(np.isclose(a, b, rtol=1e-12) for a, b in record.losses)
    assert record.seconds["numpy"] > 0 and record.seconds["torch"] > 0
    net, model, batches = tiny_twins()
    apart = optim.lockstep(net, optim.SGD(net.parameters(), lr=0.1, momentum=0.9),
                           model, torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.8),
                           batches)
    assert apart.differences[0] < 1e-13 < 1e-4 < apart.differences[-1]  # momentum shows later
    with pytest.raises(ValueError, match="same names"):
        optim.lockstep(layers.lenet5(), optim.SGD(net.parameters()), model,
                       torch.optim.SGD(model.parameters()), batches)


def test_profile_step_times_every_layer_in_both_libraries():
    net = layers.lenet5()
    net.layers["conv1"].needs_input_grad = False
    x = RNG.standard_normal((32, 1, 28, 28)).astype(np.float32)
    y = RNG.integers(0, 10, 32)
    before = {k: p.data.copy() for k, p in net.parameters().items()}
    profile = optim.profile_step(net, x, y, repeat=2)
    assert profile.layers == list(net.layers)
    for library in ("numpy", "torch"):
        for key in ("forward", "backward"):
            seconds = profile.seconds[library][key]
            assert seconds.shape == (12,) and np.all(seconds > 0) and np.all(seconds < 5)
    # the convolutions cost more than flattening, in both libraries
    for library in ("numpy", "torch"):
        total = profile.seconds[library]["forward"] + profile.seconds[library]["backward"]
        assert total[profile.layers.index("conv2")] > total[profile.layers.index("flatten")]
    assert all(np.array_equal(p.data, before[k]) for k, p in net.parameters().items())
    assert not net.layers["conv1"].needs_input_grad
    # what is kept for the backward pass: im2col's columns here, the images in torch
    conv1 = profile.layers.index("conv1")
    assert profile.kept["numpy"][conv1] == 32 * 25 * 28 * 28 * 4 == 25 * x.nbytes
    assert profile.kept["torch"][conv1] == x.nbytes
    assert profile.kept["numpy"][profile.layers.index("flatten")] == 0
    pool1 = profile.layers.index("pool1")  # both keep one int64 winner per window
    assert profile.kept["numpy"][pool1] == profile.kept["torch"][pool1] == 32 * 6 * 14 * 14 * 8
    with pytest.raises(TypeError, match="net must be a Sequential"):
        optim.profile_step(layers.ReLU(), x, y)
    with pytest.raises(ValueError, match="repeat"):
        optim.profile_step(net, x, y, repeat=0)


def test_fit_learns_and_follows_the_schedule():
    rng = np.random.default_rng(1)
    centres = rng.standard_normal((3, 1, 4, 4))
    labels = rng.integers(0, 3, 300)
    images = centres[labels] + 0.3 * rng.standard_normal((300, 1, 4, 4))
    net = layers.Sequential(layers.Conv2d(1, 4, 3, dtype="float64"), layers.ReLU(),
                            layers.Flatten(), layers.Linear(16, 3, dtype="float64", seed=1))
    adam = optim.Adam(net.parameters(), lr=0.05)
    losses = optim.fit(net, adam, images, labels, epochs=3, batch_size=32, progress=False,
                       schedule=train.one_cycle)
    steps = math.ceil(300 / 32)
    assert len(losses) == 3 * steps
    assert np.mean(losses[-steps:]) < 0.1 * np.mean(losses[:steps])
    assert adam.lr == pytest.approx(0.05 * train.one_cycle(3 * steps - 1, 3 * steps))
    assert (net.predict(images) == labels).mean() > 0.95
    again = layers.Sequential(layers.Conv2d(1, 4, 3, dtype="float64"), layers.ReLU(),
                              layers.Flatten(), layers.Linear(16, 3, dtype="float64", seed=1))
    same = optim.fit(again, optim.Adam(again.parameters(), lr=0.05), images, labels, epochs=3,
                     batch_size=32, progress=False, schedule=train.one_cycle)
    assert same == losses  # seeded: the same batches, the same losses


# ---------------------------------------------------------------- bad hyper-parameters


def params():
    return [layers.Parameter(np.zeros(3))]


@pytest.mark.parametrize(
    ("make", "error", "match"),
    [
        (lambda: optim.SGD(params(), lr=-0.1), ValueError, "lr must be a finite number >= 0"),
        (lambda: optim.SGD(params(), lr=float("nan")), ValueError, "lr"),
        (lambda: optim.SGD(params(), lr="0.1"), TypeError, "lr must be a real number"),
        (lambda: optim.SGD(params(), momentum=1.0), ValueError, r"momentum must lie in \[0, 1"),
        (lambda: optim.SGD(params(), momentum=-0.5), ValueError, "momentum"),
        (lambda: optim.SGD(params(), dampening=1.5), ValueError, "dampening"),
        (lambda: optim.SGD(params(), weight_decay=-1), ValueError, "weight_decay"),
        (lambda: optim.SGD(params(), weight_decay=float("inf")), ValueError, "weight_decay"),
        (lambda: optim.SGD(params(), nesterov=True), ValueError, "nesterov=True needs momentum"),
        (lambda: optim.SGD(params(), momentum=0.9, dampening=0.1, nesterov=True), ValueError,
         "dampening = 0"),
        (lambda: optim.SGD(params(), momentum=0.9, nesterov=1), TypeError, "nesterov"),
        (lambda: optim.Adam(params(), betas=(1.0, 0.999)), ValueError, r"betas\[0\]"),
        (lambda: optim.Adam(params(), betas=(0.9, -0.1)), ValueError, r"betas\[1\]"),
        (lambda: optim.Adam(params(), betas=0.9), ValueError, "betas must be a pair"),
        (lambda: optim.Adam(params(), eps=0.0), ValueError, "eps must be > 0"),
        (lambda: optim.Adam(params(), weight_decay=-1e-4), ValueError, "weight_decay"),
        (lambda: optim.Adam([], lr=0.1), ValueError, "at least one Parameter"),
        (lambda: optim.Adam([np.zeros(3)]), TypeError, r"params\[0\] must be a Parameter"),
        (lambda: optim.Adam(params() * 2), ValueError, "same Parameter twice"),
    ],
)
def test_bad_hyper_parameters_are_refused(make, error, match):
    with pytest.raises(error, match=match):
        make()


def test_a_bad_learning_rate_is_refused_later_too():
    sgd = optim.SGD(params(), lr=0.1)
    with pytest.raises(ValueError, match="lr"):
        sgd.lr = -1.0
    assert sgd.lr == 0.1


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (dict(epochs=0), ValueError, "epochs"),
        (dict(batch_size=0), ValueError, "batch_size"),
        (dict(seed=-1), ValueError, "seed"),
        (dict(labels=np.zeros(3, dtype=int)), ValueError, "same length"),
    ],
)
def test_fit_refuses_bad_arguments(kwargs, error, match):
    net = layers.Sequential(layers.Flatten(), layers.Linear(4, 2, dtype="float64"))
    args = dict(images=np.zeros((4, 1, 2, 2)), labels=np.zeros(4, dtype=int), progress=False)
    with pytest.raises(error, match=match):
        optim.fit(net, optim.SGD(net.parameters(), lr=0.1), **{**args, **kwargs})
