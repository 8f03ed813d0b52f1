"""Empty batches: a batch of ``N = 0`` examples, which PyTorch accepts, gives an empty result.

The argument checks (:mod:`cnnbook._checks`) refuse empty arrays, and rightly so for a
signal, a kernel or a channel axis of length 0. A batch of no examples is different: it
is what the last, empty slice of a data set looks like, and PyTorch's layers return an
empty batch of the right shape for it. :func:`empty_batch_ok` gives an operation the same
rule: it runs the operation on one example of zeros (so every check on the other axes
still applies) and returns the result's first ``0`` entries. Only the batch axis may be
empty: an empty channel or spatial axis is refused, as before.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np

__all__ = ["empty_batch", "empty_batch_ok", "no_examples"]

F = TypeVar("F", bound=Callable[..., Any])


def empty_batch(x: object, ndim: int | tuple[int, ...]) -> np.ndarray | None:
    """One example of zeros shaped like ``x``'s examples, if ``x`` is a batch of none.

    ``x`` counts as an empty batch when it has one of the ``ndim`` numbers of
    dimensions, its first axis has length 0 and no other axis does; otherwise (also for
    anything that is not an array) the answer is ``None`` and the caller checks ``x`` as
    usual. The stand-in keeps ``x``'s dtype, so a bad dtype is still refused.
    """
    if hasattr(x, "detach") and hasattr(x, "numpy"):  # a torch tensor
        x = x.detach().cpu().numpy()
    if not isinstance(x, np.ndarray | list | tuple):
        return None
    try:
        arr = np.asarray(x)
    except ValueError:  # ragged: the checks will say so
        return None
    allowed = (ndim,) if isinstance(ndim, int) else ndim
    if arr.ndim not in allowed or arr.shape[0] != 0 or 0 in arr.shape[1:]:
        return None
    return np.zeros((1, *arr.shape[1:]), dtype=arr.dtype)


def no_examples(result: Any) -> Any:
    """The first 0 entries of a result (of each array, for a tuple of arrays)."""
    if isinstance(result, tuple):
        return tuple(r[:0] for r in result)
    return result[:0]


def empty_batch_ok(ndim: int | tuple[int, ...]) -> Callable[[F], F]:
    """Let an operation whose first argument is a batch take a batch of no examples.

    ``ndim`` is the number of dimensions of a batched first argument (the unbatched
    form has no batch axis to be empty).
    """

    def decorate(fn: F) -> F:
        first = next(iter(inspect.signature(fn).parameters))

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            batch = args[0] if args else kwargs.get(first)
            one = empty_batch(batch, ndim)
            if one is None:
                return fn(*args, **kwargs)
            if args:
                return no_examples(fn(one, *args[1:], **kwargs))
            return no_examples(fn(**{**kwargs, first: one}))

        return wrapper  # type: ignore[return-value]

    return decorate
