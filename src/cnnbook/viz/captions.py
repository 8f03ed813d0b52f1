"""The words and formulas an animation writes: sizes, settings, sums, all with their numbers.

An animation's header states the output-size formula with the actual numbers, e.g.
``⌊(5 + 2·1 − 3)/2⌋ + 1 = 3``, once if both axes agree and once per axis if they do not;
its title names the shapes and the settings that differ from the default.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from cnnbook.viz.grid import format_term, format_value, written_sum

#: The value each hyper-parameter has when it is not mentioned.
DEFAULTS = {"padding": 0, "stride": 1, "dilation": 1}


def size_formula(n: int, k: int, s: int, p: int, d: int, out: int) -> str:
    """The output-size formula with numbers, e.g. ``⌊(5 + 2·1 − 3)/2⌋ + 1 = 3``."""
    span = f"{k}" if d == 1 else f"{d}·({k} − 1) − 1"
    return f"⌊({n} + 2·{p} − {span})/{s}⌋ + 1 = {out}"


def transpose_size_formula(n: int, k: int, s: int, p: int, op: int, d: int, out: int) -> str:
    """The transposed-convolution output size with numbers: ``(n−1)·s − 2p + d·(k−1) + op + 1``."""
    return f"({n} − 1)·{s} − 2·{p} + {d}·({k} − 1) + {op} + 1 = {out}"


def size_line(rule: Callable[..., str], *per_axis: Sequence[int]) -> str:
    """``rule`` applied to both axes: one formula if they agree, else one per axis."""
    h, w = (rule(*(v[a] for v in per_axis)) for a in (0, 1))
    return f"output size {h}" if h == w else f"height {h};   width {w}"


def shape_text(a: np.ndarray) -> str:
    """``"5×5"``: the shape of ``a``."""
    return "×".join(str(n) for n in a.shape)


def settings_text(**pairs: tuple[int, int]) -> str:
    """``", padding 1, stride 2"``: the settings (one pair per name) that are not the default."""
    return "".join(
        f", {name} {v[0] if v[0] == v[1] else v}"
        for name, v in pairs.items() if v != (DEFAULTS[name],) * 2
    )


def sum_of_products(a: np.ndarray, b: np.ndarray, total: float) -> str:
    """``"1·2 + 3·(−1) = −1"``: the products written out, then their sum."""
    products = " + ".join(f"{format_term(u)}·{format_term(v)}" for u, v in zip(a, b, strict=True))
    return f"{products} = {format_value(total)}"


def pooling_text(values: np.ndarray, mode: str, result: float) -> str:
    """What one pooling window computes, written out: ``"max(1, 3, 2, 0) = 3"``."""
    items = [format_value(v) for v in values.ravel()]
    if mode in ("max", "min"):
        return f"{mode}({', '.join(items)}) = {format_value(result)}"
    total = written_sum(values.ravel())
    if mode == "sum":
        return f"{total} = {format_value(result)}"
    return f"({total}) / {values.size} = {format_value(result)}"
