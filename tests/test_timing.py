"""time_call / time_sizes measure what they are given; crossover finds the last change of lead."""

import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cnnbook.timing import crossover, time_call, time_sizes


def test_time_call_passes_arguments_and_repeats():
    calls = []
    seconds = time_call(lambda a, b=0: calls.append((a, b)), 3, b=4, repeat=3, min_time=1e-6)
    assert calls and set(calls) == {(3, 4)}
    assert len(calls) >= 3  # calibration run + repeat measurements of at least one call each
    assert seconds > 0


def test_time_call_batches_fast_calls_until_min_time():
    calls = []
    time_call(lambda: calls.append(1), repeat=1, min_time=0.01)
    # a call that appends to a list takes far less than 10 ms, so many calls are batched
    assert len(calls) > 100


def test_time_call_measures_a_sleep():
    # sleeping never takes less than asked, so the best measurement is at least that long
    assert time_call(time.sleep, 0.002, repeat=2, min_time=1e-4) >= 0.002


def test_time_sizes_builds_inputs_per_size():
    seen = []
    times = time_sizes(lambda x: seen.append(len(x)), lambda n: (np.ones(n),), [1, 3, 5],
                       repeat=1, min_time=1e-6)
    assert times.shape == (3,) and np.all(times > 0)
    assert set(seen) == {1, 3, 5}


@pytest.mark.parametrize(
    ("sizes", "slow", "fast", "expected"),
    [
        ([1, 2, 4, 8], [1, 2, 4, 8], [3, 3, 3, 3], 4),  # fast wins from 4 on
        ([1, 2, 4, 8], [5, 5, 5, 5], [1, 2, 3, 4], 1),  # fast wins everywhere
        ([1, 2, 4, 8], [1, 1, 1, 1], [2, 2, 2, 2], None),  # fast never wins
        ([1, 2, 4, 8], [1, 3, 3, 9], [2, 2, 4, 4], 8),  # an early lucky win at 2 does not count
        ([1, 2, 4, 8], [1, 2, 3, 3], [2, 1, 1, 4], None),  # lead lost again at the end
        ([10, 20], [1.0, 1.0], [1.0, 0.5], 20),  # a tie is not a win
    ],
)
def test_crossover_examples(sizes, slow, fast, expected):
    assert crossover(sizes, slow, fast) == expected


@settings(max_examples=60)
@given(st.lists(st.tuples(st.floats(0.1, 10), st.floats(0.1, 10)), min_size=1, max_size=12))
def test_crossover_is_where_fast_wins_from_then_on(pairs):
    slow, fast = (np.array(v) for v in zip(*pairs, strict=True))
    sizes = np.arange(1, len(pairs) + 1) * 3
    found = crossover(sizes, slow, fast)
    wins = fast < slow
    if found is None:
        assert not wins[-1]
    else:
        i = int(np.flatnonzero(sizes == found)[0])
        assert wins[i:].all()
        assert i == 0 or not wins[i - 1]


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: time_call(42), TypeError, r"fn must be callable, got 42"),
        (lambda: time_call(print, repeat=0), ValueError, r"repeat must be an integer >= 1, got 0"),
        (lambda: time_call(print, min_time=0), ValueError, r"min_time must be > 0, got 0"),
        (lambda: time_sizes(print, lambda n: (n,), []), ValueError, r"sizes must hold at least"),
        (lambda: time_sizes(print, lambda n: n, [1]), TypeError, r"make_args\(1\) must return a"),
        (lambda: time_sizes(print, lambda n: (n,), [1, -2]), ValueError, r"sizes\[1\] must be"),
        (lambda: crossover([1, 2], [1, 2, 3], [1, 2]), ValueError, r"one time per size"),
        (lambda: crossover([2, 1], [1, 2], [1, 2]), ValueError, r"increase strictly, got \[2"),
        (lambda: crossover([], [], []), ValueError, r"non-empty 1-D sequence"),
    ],
)
def test_bad_arguments_are_named(call, error, match):
    with pytest.raises(error, match=match):
        call()
