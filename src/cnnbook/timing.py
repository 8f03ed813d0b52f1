"""Timing two ways of computing the same thing, and finding where one overtakes the other.

Wall-clock timings are noisy: another process wakes up, a cache is cold. The usual
remedy, used here, is to run a call enough times in a row that one measurement
lasts a noticeable while, repeat that a few times, and keep the *fastest*
measurement: noise only ever adds time. :func:`time_sizes` does this over a range
of problem sizes, and :func:`crossover` reads off the size from which the second
method stays faster than the first.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from cnnbook._checks import check_int, check_real

__all__ = ["crossover", "time_call", "time_sizes"]


def time_call(
    fn: Callable[..., Any],
    *args: Any,
    repeat: int = 5,
    min_time: float = 1e-3,
    **kwargs: Any,
) -> float:
    """Seconds one call ``fn(*args, **kwargs)`` takes: the best of ``repeat`` measurements.

    Each measurement runs the call ``number`` times back to back and divides by
    ``number``, which is chosen (1, 2, 5, 10, 20, ...) so that one measurement
    lasts at least ``min_time`` seconds; very fast calls are thus timed in bulk.
    """
    if not callable(fn):
        raise TypeError(f"fn must be callable, got {fn!r} ({type(fn).__name__})")
    repeat = check_int("repeat", repeat, minimum=1)
    min_time = check_real("min_time", min_time, positive=True)

    def run(number: int) -> float:
        start = time.perf_counter()
        for _ in range(number):
            fn(*args, **kwargs)
        return time.perf_counter() - start

    number, elapsed = 1, run(1)
    step = 1
    while elapsed < min_time:  # calibrate like timeit.Timer.autorange: 2, 5, 10, 20, 50, ...
        number = (1, 2, 5)[step % 3] * 10 ** (step // 3)
        step += 1
        elapsed = run(number)
    best = elapsed
    for _ in range(repeat - 1):
        best = min(best, run(number))
    return best / number


def time_sizes(
    fn: Callable[..., Any],
    make_args: Callable[[int], tuple[Any, ...]],
    sizes: Sequence[int],
    *,
    repeat: int = 5,
    min_time: float = 1e-3,
) -> np.ndarray:
    """Seconds per call of ``fn(*make_args(n))`` for every ``n`` in ``sizes``.

    Each size is timed with :func:`time_call`; its inputs are built once, outside
    the timed region.
    """
    if not callable(make_args):
        raise TypeError(f"make_args must be callable, got {make_args!r}")
    sizes = [check_int(f"sizes[{i}]", n, minimum=0) for i, n in enumerate(sizes)]
    if not sizes:
        raise ValueError("sizes must hold at least one size, got an empty sequence")
    times = []
    for n in sizes:
        args = make_args(n)
        if not isinstance(args, tuple):
            raise TypeError(f"make_args({n}) must return a tuple of arguments, got {type(args)}")
        times.append(time_call(fn, *args, repeat=repeat, min_time=min_time))
    return np.asarray(times)


def crossover(
    sizes: Sequence[float], slow: Sequence[float], fast: Sequence[float]
) -> float | None:
    """The smallest size from which ``fast`` takes less time than ``slow`` at every larger size.

    ``sizes`` must increase strictly; ``slow[i]`` and ``fast[i]`` are the times of the
    two methods at ``sizes[i]``. "Overtakes for good" ignores an early lucky win
    that is lost again at a larger size. Returns ``None`` if ``fast`` is not faster
    at the largest size, and ``sizes[0]`` if it is faster everywhere.
    """
    n = np.asarray(sizes, dtype=np.float64)
    a = np.asarray(slow, dtype=np.float64)
    b = np.asarray(fast, dtype=np.float64)
    if n.ndim != 1 or n.size == 0:
        raise ValueError(f"sizes must be a non-empty 1-D sequence, got shape {n.shape}")
    if a.shape != n.shape or b.shape != n.shape:
        raise ValueError(
            f"slow and fast must have one time per size: sizes has {n.size}, "
            f"slow has shape {a.shape}, fast has shape {b.shape}"
        )
    if np.any(np.diff(n) <= 0):
        raise ValueError(f"sizes must increase strictly, got {n.tolist()}")
    wins = b < a
    if not wins[-1]:
        return None
    losses = np.flatnonzero(~wins)
    first = 0 if losses.size == 0 else int(losses[-1]) + 1
    return sizes[first]
