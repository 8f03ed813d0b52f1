r"""Questions that check the reader's answer: in the book's pages, offline, and in Jupyter.

:func:`ask` registers a question in the running kernel and returns its widget, an
``IPython.display.HTML`` object: in the built book the reader types or picks an answer
and is told right or wrong (a hint after a wrong answer, the worked solution on
request) by the page itself, with no kernel and nothing sent anywhere. In Jupyter the
same question can also be answered from code, with the same id::

    exercises.check("c4-stride", 15)     # prints right / wrong (and the hint), never the key
    exercises.solution("c4-stride")      # the worked solution

:func:`drill` returns a widget that makes up problems without end (output sizes, "same"
padding, parameter counts, receptive fields) and checks them with the book's JavaScript
arithmetic (``web/arithmetic.js``, the same engine as the explorer).

Kinds of answer, chosen by the type of ``answer``:

- a whole number (``int``): exact;
- a real number (``float``): within ``tolerance`` (default ``0.005 * max(1, |answer|)``,
  about three significant digits);
- a choice: ``answer`` is one of ``choices``; the reader picks it;
- a small array (a list, tuple, NumPy array or tensor of 1 or 2 dimensions, at most
  :data:`MAX_CELLS` numbers): exact for integers, within ``tolerance`` for floats. The
  reader types rows like ``1 2 3; 4 5 6`` or a Python list ``[[1, 2, 3], [4, 5, 6]]``;
  a single row also answers a 1-D question (shapes are compared without their 1s).

How a chapter adds a question
-----------------------------
In a code cell tagged ``remove-input`` (the reader sees the widget, not the call), after
``from cnnbook import exercises, ops``, with the key computed by ``cnnbook``, never typed::

    width = ops.conv_output_size(32, 5, stride=2, padding=1)
    exercises.ask(
        "c4-stride",
        "Output width of `nn.Conv2d(1, 1, 5, stride=2, padding=1)` on a 32-pixel-wide input?",
        answer=width,
        hint="Use the size formula with $n = 32$, $k = 5$, $p = 1$ and $s = 2$.",
        solution=rf"$\lfloor (32 + 2 - 5)/2 \rfloor + 1 = {width}$.",
    )

and, where it applies, a hidden cell (tag ``remove-cell``) that checks the key against
torch. Ids are ``c<chapter>-<name>``, unique in the whole book (the page remembers answers
by id). Question, hint and solution are short Markdown: paragraphs, ``- `` lists,
``*emphasis*``, ``**strong**``, ```code```, ``$inline$`` and ``$$display$$`` maths (typeset
by the page's MathJax); no roles or directives, so numbers go in by f-string (``rf"..."``,
with TeX's braces doubled). The hint must not give the key away. A drill is one call in a
``remove-input`` cell: ``exercises.drill("output-size")`` (kinds: :data:`DRILLS`).
"""

from __future__ import annotations

import difflib
import html
import json
import math
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from numbers import Integral, Real
from typing import Any

import numpy as np
from IPython.display import HTML, Markdown

from cnnbook._checks import check_choice, check_int, check_real
from cnnbook.viz.style import INK, NEGATIVE_COLOR, ROLE_COLORS

__all__ = [
    "DRILLS",
    "KINDS",
    "MAX_CELLS",
    "Question",
    "Verdict",
    "ask",
    "asked",
    "check",
    "drill",
    "render_markdown",
    "reset",
    "solution",
]

#: Kinds of question; :func:`ask` picks one from the type of the answer.
KINDS: tuple[str, ...] = ("integer", "number", "choice", "array")

#: Drills the page can generate (see ``web/quiz.js``).
DRILLS: tuple[str, ...] = ("output-size", "same-padding", "parameters", "receptive-field")

#: The most numbers an array answer may hold (the reader types them).
MAX_CELLS = 36

#: Relative default tolerance of real-valued answers: ``0.005 * max(1, |answer|)``.
DEFAULT_RELATIVE_TOLERANCE = 0.005

_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")

#: Colours of the widget, from the book's style: CSS custom properties on every widget.
_COLORS = {
    "--cnnbook-quiz-accent": ROLE_COLORS["input"],
    "--cnnbook-quiz-right": ROLE_COLORS["output"],
    "--cnnbook-quiz-wrong": ROLE_COLORS["highlight"],
    "--cnnbook-quiz-hint": ROLE_COLORS["kernel"],
    "--cnnbook-quiz-solution": NEGATIVE_COLOR,
    "--cnnbook-quiz-muted": ROLE_COLORS["padding"],
    "--cnnbook-quiz-ink": INK,
}


@dataclass(frozen=True)
class Question:
    """A registered question: its text, kind, key and help.

    ``answer`` is the key as the page receives it: an int, a float, the index of the
    right choice, or the array as nested lists. ``shape`` is the array's shape (``()``
    for the other kinds).
    """

    qid: str
    text: str
    kind: str
    answer: Any
    tolerance: float
    hint: str
    solution: str
    choices: tuple[object, ...] = ()
    shape: tuple[int, ...] = ()

    def key(self) -> dict[str, Any]:
        """What the page needs to check an answer (embedded in the widget as JSON)."""
        key: dict[str, Any] = {"id": self.qid, "kind": self.kind, "answer": self.answer,
                               "tolerance": self.tolerance}
        if self.kind == "choice":
            key["choices"] = [_label(c) for c in self.choices]
        if self.kind == "array":
            key["shape"] = list(self.shape)
        return key

    def expects(self) -> str:
        """The kind of answer in words, for messages."""
        if self.kind == "integer":
            return "a whole number (an int)"
        if self.kind == "number":
            return "a number"
        if self.kind == "choice":
            return "one of " + ", ".join(repr(_label(c)) for c in self.choices)
        dims = " × ".join(str(n) for n in self.shape)
        return f"a {dims} array of numbers (a list, NumPy array or tensor)"


@dataclass(frozen=True)
class Verdict:
    """The outcome of :func:`check`: ``correct``, and ``valid`` (False for a malformed answer)."""

    qid: str
    correct: bool
    valid: bool
    message: str

    def __repr__(self) -> str:
        state = "right" if self.correct else "wrong" if self.valid else "not checked"
        return f"Verdict({self.qid!r}: {state})"


_ASKED: dict[str, Question] = {}
_SENT: set[str] = set()  # assets already inlined in this kernel's outputs
_DRILLS_MADE: list[int] = [0]


def reset() -> None:
    """Forget every question asked in this kernel (and inline the scripts again)."""
    _ASKED.clear()
    _SENT.clear()
    _DRILLS_MADE[0] = 0


def asked() -> tuple[str, ...]:
    """Ids of the questions asked in this kernel so far, in order."""
    return tuple(_ASKED)


# --- asking ---------------------------------------------------------------------------------


def _check_id(qid: object) -> str:
    if not isinstance(qid, str):
        raise TypeError(f"qid must be a string like 'c4-stride', got {qid!r} "
                        f"({type(qid).__name__})")
    if not _ID.fullmatch(qid):
        raise ValueError(f"qid must be 1-64 letters, digits, '-' or '_' starting with a letter "
                         f"or digit (like 'c4-stride'), got {qid!r}")
    return qid


def _check_text(name: str, value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string of Markdown, got {type(value).__name__}")
    if not value.strip():
        raise ValueError(f"{name} must not be empty")
    return value


def _label(choice: object) -> str:
    return choice if isinstance(choice, str) else str(choice)


def _as_numbers(name: str, value: object) -> np.ndarray | None:
    """``value`` as a real NumPy array, or None when it is not array-like numbers."""
    if hasattr(value, "detach") and hasattr(value, "numpy"):  # a torch tensor
        value = value.detach().cpu().numpy()
    if isinstance(value, str | bytes | dict | set) or value is None:
        return None
    try:
        arr = np.asarray(value)
    except (ValueError, TypeError):  # ragged nested lists
        return None
    if arr.dtype.kind not in "iuf" and not (arr.dtype.kind == "O" and arr.size == 0):
        return None
    return arr


def _default_tolerance(values: np.ndarray) -> float:
    largest = float(np.max(np.abs(values))) if values.size else 0.0
    return DEFAULT_RELATIVE_TOLERANCE * max(1.0, largest)


def _make_question(qid: str, text: str, answer: object, choices: object, tolerance: object,
                   hint: str, solution: str) -> Question:
    if tolerance is not None:
        tolerance = check_real("tolerance", tolerance)
        if not (tolerance >= 0 and math.isfinite(tolerance)):
            raise ValueError(f"tolerance must be a finite number >= 0, got {tolerance}")
    if choices is not None:
        if tolerance is not None:
            raise ValueError("tolerance applies to numbers and arrays, not to choices")
        if isinstance(choices, str) or not isinstance(choices, Sequence) or len(choices) < 2:
            raise TypeError(f"choices must be a list of at least 2 options, got {choices!r}")
        labels = [_label(c) for c in choices]
        if len(set(labels)) != len(labels) or not all(label.strip() for label in labels):
            raise ValueError(f"choices must be distinct and non-empty, got {labels}")
        index = _choice_index(tuple(choices), answer)
        if index is None:
            raise ValueError(f"answer must be one of the choices {labels}, got {answer!r}")
        return Question(qid, text, "choice", index, 0.0, hint, solution, tuple(choices))
    if isinstance(answer, bool | np.bool_):
        raise TypeError("answer must not be a bool: ask a choice, e.g. "
                        "choices=['yes', 'no'], answer='yes'")
    arr = _as_numbers("answer", answer)
    if arr is None or arr.dtype.kind not in "iuf":
        raise TypeError(f"answer must be an int, a float, a small array of numbers, or one of "
                        f"choices=[...]; got {type(answer).__name__}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"answer must be finite, got {answer!r}")
    integer = arr.dtype.kind in "iu"
    if arr.ndim == 0:
        if integer:
            return Question(qid, text, "integer", int(arr), float(tolerance or 0.0), hint,
                            solution)
        tol = _default_tolerance(arr) if tolerance is None else tolerance
        return Question(qid, text, "number", float(arr), tol, hint, solution)
    if arr.ndim > 2 or arr.size == 0 or arr.size > MAX_CELLS:
        raise ValueError(f"an array answer must have 1 or 2 dimensions and 1 to {MAX_CELLS} "
                         f"numbers (the reader types them), got shape {arr.shape}")
    if integer:
        tol, values = float(tolerance or 0.0), arr.astype(np.int64).tolist()
    else:
        tol = _default_tolerance(arr) if tolerance is None else tolerance
        values = arr.astype(np.float64).tolist()
    return Question(qid, text, "array", values, tol, hint, solution, shape=arr.shape)


def ask(qid: str, question: str, *, answer: object, hint: str, solution: str,
        choices: Sequence[object] | None = None, tolerance: float | None = None) -> HTML:
    """Register question ``qid`` in this kernel and return its widget for the page.

    ``answer`` is the key, computed by the notebook; its type picks the kind (see the
    module docstring): with ``choices``, it must be one of them. ``tolerance`` widens
    what counts as right for real-valued answers. ``hint`` is shown after a wrong
    answer, ``solution`` on request; both are Markdown with ``$...$`` maths.
    Asking an id again replaces the question (a re-run cell).
    """
    qid = _check_id(qid)
    text = _check_text("question", question)
    hint = _check_text("hint", hint)
    solution = _check_text("solution", solution)
    q = _make_question(qid, text, answer, choices, tolerance, hint, solution)
    _ASKED.pop(qid, None)
    _ASKED[qid] = q
    return HTML(_assets(("quiz",)) + _question_html(q))


# --- checking in Jupyter --------------------------------------------------------------------


def _choice_index(choices: tuple[object, ...], given: object) -> int | None:
    for i, choice in enumerate(choices):
        try:
            if isinstance(given, type(choice)) and bool(given == choice):
                return i
        except (TypeError, ValueError):  # arrays compared elementwise
            pass
    if isinstance(given, str | Integral | Real) and not isinstance(given, bool):
        wanted = str(given).strip().casefold()
        for i, choice in enumerate(choices):
            if _label(choice).strip().casefold() == wanted:
                return i
    return None


def _squeezed(shape: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(n for n in shape if n != 1)


def _judge(q: Question, given: object) -> tuple[bool | None, str]:
    """(right?, problem): right is None when ``given`` is malformed, with the reason."""
    if q.kind == "choice":
        index = _choice_index(q.choices, given)
        if index is None:
            return None, f"{given!r} is not one of the choices"
        return index == q.answer, ""
    if isinstance(given, bool | np.bool_):
        return None, f"got {given!r}, a bool"
    arr = _as_numbers("answer", given)
    if arr is None:
        return None, f"got {given!r} ({type(given).__name__})"
    if q.kind in ("integer", "number"):
        if arr.ndim:
            return None, (f"got an array of shape {arr.shape}; pass one number"
                          + (" (e.g. x.item())" if arr.size == 1 else ""))
        value = float(arr)
        if not math.isfinite(value):
            return None, f"got {value}, not a finite number"
        return abs(value - q.answer) <= q.tolerance, ""
    if arr.ndim == 0 or _squeezed(arr.shape) != _squeezed(q.shape):
        return None, f"got shape {arr.shape}"
    diff = np.abs(arr.reshape(q.shape).astype(np.float64) - np.asarray(q.answer, np.float64))
    if not np.all(np.isfinite(diff)):
        return None, "got a value that is not a finite number"
    return bool(np.all(diff <= q.tolerance)), ""


def _unknown(qid: object) -> str:
    if not isinstance(qid, str):
        return (f"The question id must be a string like 'c4-stride', got {qid!r} "
                f"({type(qid).__name__}).")
    message = f"No question {qid!r} has been asked in this kernel."
    close = difflib.get_close_matches(qid, _ASKED, n=1)
    if close:
        message += f" Did you mean {close[0]!r}?"
    if _ASKED:
        message += " Asked so far: " + ", ".join(_ASKED) + "."
    return message + " Run the cell that shows the question first (in order, from the top)."


def _example(q: Question) -> str:
    if q.kind == "choice":
        return repr(_label(q.choices[0]))
    if q.kind == "array":
        return repr(np.arange(1, math.prod(q.shape) + 1).reshape(q.shape).tolist())
    return "12" if q.kind == "integer" else "0.5"


def check(qid: str, answer: object) -> Verdict:
    """Check the reader's ``answer`` to question ``qid``; print and return the verdict.

    Right or wrong, and after a wrong answer the hint; never the key. A malformed
    answer (wrong type or shape), an unknown id, or a question not yet asked in this
    kernel gives a message saying what is expected, not an exception.
    """
    q = _ASKED.get(qid) if isinstance(qid, str) else None
    if q is None:
        verdict = Verdict(str(qid), False, False, _unknown(qid))
    else:
        right, problem = _judge(q, answer)
        if right is None:
            example = _example(q)
            message = (f"{qid} expects {q.expects()}; {problem}. "
                       f"For example: exercises.check({qid!r}, {example}).")
            verdict = Verdict(qid, False, False, message)
        elif right:
            verdict = Verdict(qid, True, True, f"✓ Right. exercises.solution({qid!r}) shows "
                                               "the worked solution.")
        else:
            verdict = Verdict(qid, False, True, f"✗ Not right yet. Hint: {q.hint}\nTry again, "
                              f"or see exercises.solution({qid!r}).")
    print(verdict.message)
    return verdict


def solution(qid: str) -> Markdown | None:
    """The worked solution of question ``qid`` (Markdown, shown when it ends a cell)."""
    q = _ASKED.get(qid) if isinstance(qid, str) else None
    if q is None:
        print(_unknown(qid))
        return None
    return Markdown(f"**Solution ({qid}).** {q.solution}")


# --- Markdown -> HTML -----------------------------------------------------------------------

_INLINE = re.compile(
    r"(?P<escape>\\[\\`*$_])"
    r"|(?P<code>`+)(?P<code_body>.+?)(?P=code)"
    r"|\$\$(?P<display>.+?)\$\$"
    r"|\$(?P<math>[^\s$](?:[^$]*?[^\s$])?)\$(?!\d)"
    r"|\*\*(?P<strong>\S(?:.*?\S)?)\*\*"
    r"|\*(?P<em>[^\s*](?:[^*]*?[^\s*])?)\*",
    re.S,
)


def _inline(text: str) -> str:
    out, last = [], 0
    for m in _INLINE.finditer(text):
        out.append(html.escape(text[last:m.start()], quote=False))
        last = m.end()
        if m["escape"]:
            out.append(html.escape(m["escape"][1], quote=False))
        elif m["code"]:
            out.append(f"<code>{html.escape(m['code_body'].strip(), quote=False)}</code>")
        elif m["display"] is not None:
            tex = html.escape(m["display"].strip(), quote=False)
            out.append(f'<span class="math notranslate nohighlight">\\[{tex}\\]</span>')
        elif m["math"] is not None:
            tex = html.escape(m["math"], quote=False)
            out.append(f'<span class="math notranslate nohighlight">\\({tex}\\)</span>')
        elif m["strong"] is not None:
            out.append(f"<strong>{_inline(m['strong'])}</strong>")
        else:
            out.append(f"<em>{_inline(m['em'])}</em>")
    out.append(html.escape(text[last:], quote=False))
    return "".join(out)


def render_markdown(text: str) -> str:
    """The widget's small Markdown as HTML: paragraphs, ``- `` lists, emphasis, code, maths.

    Maths becomes ``\\(...\\)`` / ``\\[...\\]`` in ``span.math``, as Sphinx writes it, so the
    page's MathJax typesets it; everything else is escaped (no raw HTML).
    """
    text = _check_text("text", text)
    blocks = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = block.strip().splitlines()
        if all(line.lstrip().startswith(("- ", "* ")) for line in lines):
            items = "".join(f"<li>{_inline(line.lstrip()[2:].strip())}</li>" for line in lines)
            blocks.append(f"<ul>{items}</ul>")
        else:
            blocks.append(f"<p>{_inline(' '.join(line.strip() for line in lines))}</p>")
    return "".join(blocks)


# --- the page's assets and widgets ----------------------------------------------------------


@cache
def _web(name: str) -> str:
    text = (files("cnnbook") / "web" / name).read_text(encoding="utf-8")
    if "</script" in text.lower() or "</style" in text.lower():
        raise ValueError(f"web/{name} must not contain a closing script or style tag")
    return text


def _in_colab() -> bool:
    return "google.colab" in sys.modules  # each output is a separate frame there


def _assets(needs: tuple[str, ...]) -> str:
    """The scripts and styles a widget needs that this kernel has not inlined yet.

    The book executes each page in its own kernel, so they land once per page, at its
    first widget; in Colab, where every output is its own frame, every widget has them.
    """
    parts = []
    for name in needs:
        if name in _SENT and not _in_colab():
            continue
        _SENT.add(name)
        if name == "quiz":
            parts.append(f'<style data-cnnbook="quiz.css">\n{_web("quiz.css")}</style>')
            parts.append(f'<script data-cnnbook="quiz.js">\n{_web("quiz.js")}</script>')
        else:
            parts.append(f'<script data-cnnbook="{name}.js">\n{_web(name + ".js")}</script>')
    return "\n".join(parts)


def _style_attr() -> str:
    return "; ".join(f"{k}: {v}" for k, v in _COLORS.items())


def _init_script() -> str:
    return ("<script>window.CnnbookQuiz && "
            "CnnbookQuiz.init(document.currentScript.previousElementSibling);</script>")


def _array_words(shape: tuple[int, ...]) -> str:
    if len(shape) == 1:
        example = " ".join(str(i) for i in range(1, min(shape[0], 3) + 1))
        return f"{shape[0]} numbers, like {example}"
    return f"{shape[0]} × {shape[1]}: rows like 1 2; 3 4"


def _question_html(q: Question) -> str:
    dom = f"cnnbook-quiz-{q.qid}"
    key = html.escape(json.dumps(q.key(), separators=(",", ":")), quote=True)
    if q.kind == "choice":
        options = "".join(
            f'<label class="cnnbook-quiz-choice"><input type="radio" name="{dom}-choice" '
            f'value="{i}"> <span>{_inline(_label(c))}</span></label>'
            for i, c in enumerate(q.choices))
        field = (f'<fieldset class="cnnbook-quiz-choices"><legend>Pick one</legend>'
                 f"{options}</fieldset>")
    else:
        words = {"integer": "a whole number", "number": "a number"}
        words = f"Your answer ({words.get(q.kind) or _array_words(q.shape)})"
        mode = ' inputmode="numeric"' if q.kind == "integer" else ""
        field = (f'<label class="cnnbook-quiz-label" for="{dom}-input">{words}</label>'
                 f'<input class="cnnbook-quiz-input" id="{dom}-input" type="text"{mode} '
                 f'autocomplete="off" spellcheck="false" aria-describedby="{dom}-text">')
    call = html.escape(f"exercises.check({q.qid!r}, answer)")
    return (
        f'<div class="cnnbook-quiz cnnbook-quiz--question" id="{dom}" data-quiz="{key}" '
        f'style="{_style_attr()}" role="group" aria-labelledby="{dom}-title">'
        f'<p class="cnnbook-quiz-title" id="{dom}-title">Check your answer'
        f'<span class="cnnbook-quiz-badge" hidden></span></p>'
        f'<div class="cnnbook-quiz-text" id="{dom}-text">{render_markdown(q.text)}</div>'
        f'<form class="cnnbook-quiz-form" novalidate>{field}'
        f'<button type="submit" class="cnnbook-quiz-check">Check</button></form>'
        f'<p class="cnnbook-quiz-feedback" role="status" aria-live="polite"></p>'
        f'<div class="cnnbook-quiz-hint" id="{dom}-hint" hidden><strong>Hint.</strong> '
        f"{render_markdown(q.hint)}</div>"
        f'<button type="button" class="cnnbook-quiz-show" aria-expanded="false" '
        f'aria-controls="{dom}-solution" hidden>Show solution</button>'
        f'<div class="cnnbook-quiz-solution" id="{dom}-solution" hidden>'
        f"<strong>Solution.</strong> {render_markdown(q.solution)}</div>"
        f'<noscript><p class="cnnbook-quiz-noscript">Checking answers needs JavaScript; '
        f"in Jupyter, <code>from cnnbook import exercises</code>, then <code>{call}</code>."
        f"</p></noscript>"
        f'<p class="cnnbook-quiz-jupyter">In Jupyter: <code>{call}</code></p>'
        f"</div>{_init_script()}"
    )


def drill(kind: str, *, seed: int | None = None) -> HTML:
    """A widget that makes up ``kind`` problems (one of :data:`DRILLS`) without end.

    The page generates each problem and checks the answer with ``web/arithmetic.js``.
    ``seed`` makes the sequence of problems the same on every load (random otherwise;
    the page's ``?quiz-seed=N`` also sets it, for tests and bug reports).
    """
    check_choice("kind", kind, DRILLS)
    if seed is not None:
        seed = check_int("seed", seed, minimum=0)
        if seed >= 2**32:
            raise ValueError(f"seed must be an integer in [0, 2**32), got {seed}")
    _DRILLS_MADE[0] += 1
    dom = f"cnnbook-drill-{kind}-{_DRILLS_MADE[0]}"
    seed_attr = "" if seed is None else f' data-seed="{seed}"'
    return HTML(
        _assets(("arithmetic", "quiz"))
        + f'<div class="cnnbook-quiz cnnbook-quiz--drill" id="{dom}" data-drill="{kind}"'
        f'{seed_attr} style="{_style_attr()}" role="group" aria-labelledby="{dom}-title">'
        f'<p class="cnnbook-quiz-title" id="{dom}-title">Drill</p>'
        f'<noscript><p class="cnnbook-quiz-noscript">The drill makes up its problems with '
        f"JavaScript.</p></noscript></div>{_init_script()}"
    )
