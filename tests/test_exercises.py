"""cnnbook.exercises: questions asked in the page, checked in Jupyter with the same keys."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from IPython.display import HTML, Markdown
from torch import nn

from cnnbook import exercises, ops
from cnnbook.exercises import Verdict, ask, check, drill, render_markdown, solution
from cnnbook.viz.style import INK, NEGATIVE_COLOR, ROLE_COLORS

KEY = re.compile(r'data-quiz="([^"]*)"')
EXTERNAL = re.compile(r"""(?:\b(?:src|href)\s*=\s*["']?(?:https?:)?//)|https?://""", re.I)


@pytest.fixture(autouse=True)
def _fresh_kernel():
    """Each test starts as a fresh kernel: no question asked, no script inlined yet."""
    exercises.reset()
    yield
    exercises.reset()


def _key(widget: HTML) -> dict:
    match = KEY.search(widget.data)
    assert match, "no data-quiz attribute in the widget"
    return json.loads(html.unescape(match.group(1)))


def _stride(**overrides) -> HTML:
    args = {
        "answer": ops.conv_output_size(32, 5, stride=2, padding=1),
        "hint": "Use the size formula with $n = 32$, $k = 5$, $p = 1$ and $s = 2$.",
        "solution": r"$\lfloor (32 + 2 - 5)/2 \rfloor + 1$ windows.",
    }
    args.update(overrides)
    return ask("c4-stride", "Output width of `nn.Conv2d(1, 1, 5, stride=2, padding=1)`?", **args)


# --- the key the page receives -----------------------------------------------------------


def test_the_key_in_the_widget_is_the_key_registered_and_torch_agrees():
    widget = _stride()
    assert isinstance(widget, HTML)
    key = _key(widget)
    torch_width = nn.Conv2d(1, 1, 5, stride=2, padding=1)(torch.zeros(1, 1, 32, 32)).shape[-1]
    assert key == {"id": "c4-stride", "kind": "integer", "answer": torch_width, "tolerance": 0.0}
    assert key == exercises._ASKED["c4-stride"].key()
    assert exercises.asked() == ("c4-stride",)


def test_kinds_follow_the_type_of_the_answer():
    assert _key(ask("n", "q", answer=np.int64(3), hint="h", solution="s"))["kind"] == "integer"
    real = _key(ask("r", "q", answer=0.25, hint="h", solution="s"))
    assert real["kind"] == "number" and real["tolerance"] == pytest.approx(0.005)
    big = _key(ask("b", "q", answer=-400.0, hint="h", solution="s"))
    assert big["tolerance"] == pytest.approx(2.0)
    same = _key(ask("p", "q", answer=ops.same_padding(4), hint="h", solution="s"))
    assert same == {"id": "p", "kind": "array", "answer": [1, 2], "tolerance": 0.0, "shape": [2]}
    out = torch.arange(6.0).reshape(2, 3) / 4
    arr = _key(ask("a", "q", answer=out, hint="h", solution="s", tolerance=0.01))
    assert arr["shape"] == [2, 3] and arr["answer"] == (out.numpy()).tolist()
    assert arr["tolerance"] == 0.01
    pick = _key(ask("c", "q", choices=["valid", "same", "full"], answer="same", hint="h",
                    solution="s"))
    assert pick["kind"] == "choice" and pick["answer"] == 1
    assert pick["choices"] == ["valid", "same", "full"]
    scalar = _key(ask("t", "q", answer=torch.tensor(7), hint="h", solution="s"))
    assert scalar["kind"] == "integer" and scalar["answer"] == 7


def test_choices_need_not_be_strings():
    key = _key(ask("c4-same", "Which pair?", choices=[(1, 1), (1, 2), (2, 1)],
                   answer=ops.same_padding(4), hint="h", solution="s"))
    assert key["answer"] == 1 and key["choices"] == ["(1, 1)", "(1, 2)", "(2, 1)"]
    assert check("c4-same", (1, 2)).correct
    assert check("c4-same", "(1, 2)").correct
    assert not check("c4-same", (2, 1)).correct


# --- checking in Jupyter ------------------------------------------------------------------


def test_a_right_answer_is_right_and_says_where_the_solution_is(capsys):
    _stride()
    verdict = check("c4-stride", 15)
    assert isinstance(verdict, Verdict)
    assert verdict.correct and verdict.valid
    printed = capsys.readouterr().out
    assert printed.startswith("✓ Right") and "exercises.solution('c4-stride')" in printed
    assert repr(verdict) == "Verdict('c4-stride': right)"
    assert check("c4-stride", np.int64(15)).correct
    assert check("c4-stride", 15.0).correct
    assert check("c4-stride", torch.tensor(15)).correct


def test_a_wrong_answer_gets_the_hint_and_never_the_key(capsys):
    _stride()
    for wrong in (14, 16, 15.5, -15):
        verdict = check("c4-stride", wrong)
        assert verdict.valid and not verdict.correct
        printed = capsys.readouterr().out
        assert printed.startswith("✗ Not right yet")
        assert "Use the size formula" in printed
        assert "15" not in printed.replace(str(wrong), "")
    assert repr(verdict) == "Verdict('c4-stride': wrong)"


@pytest.mark.parametrize(
    ("given", "says"),
    [
        ("15", "got '15' (str)"),
        ([15], "array of shape (1,); pass one number (e.g. x.item())"),
        (np.ones((2, 2)), "array of shape (2, 2)"),
        (True, "a bool"),
        (None, "got None"),
        (float("nan"), "not a finite number"),
    ],
)
def test_a_malformed_number_says_what_is_expected(given, says, capsys):
    _stride()
    verdict = check("c4-stride", given)
    assert not verdict.valid and not verdict.correct
    printed = capsys.readouterr().out
    assert "c4-stride expects a whole number (an int)" in printed
    assert says in printed
    assert "exercises.check('c4-stride', 12)" in printed
    assert repr(verdict) == "Verdict('c4-stride': not checked)"


def test_an_array_question_checks_shape_then_values(capsys):
    x = np.arange(9.0).reshape(3, 3)
    k = np.array([[1.0, 0.0], [0.0, -1.0]])
    key = ops.correlate2d(x, k, mode="valid")
    ask("c2-corr", "Correlate.", answer=key.astype(int), hint="top-left minus bottom-right",
        solution="all -4")
    assert check("c2-corr", [[-4, -4], [-4, -4]]).correct
    assert check("c2-corr", torch.full((2, 2), -4.0)).correct
    assert not check("c2-corr", [[-4, -4], [-4, -3.9]]).correct  # integers are exact
    for bad, says in (([-4, -4, -4, -4], "got shape (4,)"), ([[-4, -4], [-4]], "got [[-4, -4]"),
                      ("-4 -4; -4 -4", "(str)"), (-4, "got shape ()")):
        verdict = check("c2-corr", bad)
        assert not verdict.valid
        printed = capsys.readouterr().out
        assert "c2-corr expects a 2 × 2 array of numbers" in printed and says in printed
        assert "exercises.check('c2-corr', [[1, 2], [3, 4]])" in printed


def test_a_float_array_is_right_within_its_tolerance():
    ask("c3-mean", "Means?", answer=np.array([1 / 3, 2 / 3]), hint="h", solution="s")
    assert check("c3-mean", [0.333, 0.667]).correct
    assert check("c3-mean", [[0.333, 0.667]]).correct  # one row answers a 1-D question
    assert not check("c3-mean", [0.32, 0.667]).correct


def test_a_choice_accepts_the_option_or_its_words(capsys):
    ask("c3-flip", "Which?", choices=["correlation", "convolution"], answer="correlation",
        hint="Look at the kernel's orientation.", solution="Correlation.")
    assert check("c3-flip", "correlation").correct
    assert check("c3-flip", "  Correlation ").correct
    assert not check("c3-flip", "convolution").correct
    capsys.readouterr()
    verdict = check("c3-flip", 0)
    assert not verdict.valid
    assert "c3-flip expects one of 'correlation', 'convolution'" in capsys.readouterr().out


def test_an_unknown_or_not_yet_asked_id_is_explained(capsys):
    verdict = check("c4-stride", 15)
    assert not verdict.valid and not verdict.correct
    printed = capsys.readouterr().out
    assert "No question 'c4-stride' has been asked in this kernel" in printed
    assert "Run the cell that shows the question first" in printed
    _stride()
    ask("c4-same", "q", answer=3, hint="h", solution="s")
    check("c4-strid", 15)
    printed = capsys.readouterr().out
    assert "Did you mean 'c4-stride'?" in printed and "Asked so far: c4-stride, c4-same" in printed
    verdict = check(4, 15)
    assert "must be a string like 'c4-stride', got 4 (int)" in capsys.readouterr().out
    assert not verdict.valid


def test_solution_shows_the_worked_solution(capsys):
    _stride()
    shown = solution("c4-stride")
    assert isinstance(shown, Markdown)
    assert r"\lfloor (32 + 2 - 5)/2 \rfloor" in shown.data and "c4-stride" in shown.data
    assert solution("c9-none") is None
    assert "No question 'c9-none'" in capsys.readouterr().out


def test_asking_again_replaces_the_question():
    _stride()
    _stride(answer=16)
    assert check("c4-stride", 16).correct and not check("c4-stride", 15).correct
    assert exercises.asked() == ("c4-stride",)


@given(st.integers(-10**6, 10**6), st.integers(1, 1000))
def test_integers_are_exact(answer, offset):
    ask("h-int", "q", answer=answer, hint="h", solution="s")
    assert check("h-int", answer).correct
    assert not check("h-int", answer + offset).correct


@given(st.integers(1, 6), st.integers(1, 6), st.integers(0, 2**16))
def test_arrays_of_any_small_shape(rows, cols, seed):
    values = np.random.default_rng(seed).integers(-9, 10, size=(rows, cols))
    ask("h-arr", "q", answer=values, hint="h", solution="s")
    assert check("h-arr", values.tolist()).correct
    changed = values.copy()
    changed[-1, -1] += 1
    assert check("h-arr", changed).valid and not check("h-arr", changed).correct
    if rows != cols and min(rows, cols) > 1:
        assert not check("h-arr", values.T).valid


# --- bad questions ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "error", "says"),
    [
        ({"qid": 4}, TypeError, "qid must be a string"),
        ({"qid": "c4 stride"}, ValueError, "qid must be 1-64 letters"),
        ({"qid": "-c4"}, ValueError, "qid must be"),
        ({"question": ""}, ValueError, "question must not be empty"),
        ({"hint": None}, TypeError, "hint must be a string of Markdown"),
        ({"solution": "  "}, ValueError, "solution must not be empty"),
        ({"answer": True}, TypeError, "answer must not be a bool"),
        ({"answer": "15"}, TypeError, "answer must be an int, a float"),
        ({"answer": float("inf")}, ValueError, "answer must be finite"),
        ({"answer": np.zeros((2, 2, 2))}, ValueError, "1 or 2 dimensions"),
        ({"answer": np.zeros(37)}, ValueError, "1 to 36 numbers"),
        ({"answer": [[1, 2], [3]]}, TypeError, "answer must be an int"),
        ({"tolerance": -1}, ValueError, "tolerance must be a finite number >= 0"),
        ({"tolerance": "0.1"}, TypeError, "tolerance must be a real number"),
        ({"choices": ["a"], "answer": "a"}, TypeError, "at least 2 options"),
        ({"choices": "ab", "answer": "a"}, TypeError, "at least 2 options"),
        ({"choices": ["a", "a"], "answer": "a"}, ValueError, "distinct"),
        ({"choices": ["a", "b"], "answer": "c"}, ValueError, "answer must be one of the choices"),
        ({"choices": ["a", "b"], "answer": "a", "tolerance": 0.1}, ValueError, "not to choices"),
    ],
)
def test_a_bad_question_is_refused_clearly(args, error, says):
    full = {"qid": "c1-q", "question": "q?", "answer": 3, "hint": "h", "solution": "s"}
    full.update(args)
    qid, question = full.pop("qid"), full.pop("question")
    with pytest.raises(error, match=re.escape(says)):
        ask(qid, question, **full)
    assert exercises.asked() == ()


# --- the widget's HTML ------------------------------------------------------------------


def test_the_first_widget_of_a_kernel_carries_the_scripts_once():
    first, second = _stride().data, ask("c4-b", "q", answer=1, hint="h", solution="s").data
    assert first.count('data-cnnbook="quiz.js"') == 1 and 'data-cnnbook="quiz.css"' in first
    assert "quiz.js" not in second and "<style" not in second
    assert "CnnbookQuiz.init(" in first and "CnnbookQuiz.init(" in second
    practice = drill("output-size").data
    assert 'data-cnnbook="arithmetic.js"' in practice and "quiz.js" not in practice
    assert "arithmetic.js" not in drill("parameters").data
    exercises.reset()
    assert 'data-cnnbook="quiz.js"' in _stride().data


def test_a_drill_first_on_a_page_carries_both_scripts_arithmetic_first():
    page = drill("receptive-field", seed=7).data
    assert page.index('data-cnnbook="arithmetic.js"') < page.index('data-cnnbook="quiz.js"')
    assert 'data-drill="receptive-field"' in page and 'data-seed="7"' in page


def test_in_colab_every_widget_carries_the_scripts(monkeypatch):
    monkeypatch.setitem(sys.modules, "google.colab", object())
    assert 'data-cnnbook="quiz.js"' in _stride().data
    assert 'data-cnnbook="quiz.js"' in _stride().data


def test_the_widget_loads_nothing_from_elsewhere_and_is_reproducible():
    widgets = [_stride().data, drill("same-padding").data,
               ask("c1-c", "q", choices=["x", "y"], answer="x", hint="h", solution="s").data]
    for widget in widgets:
        assert not EXTERNAL.search(widget), EXTERNAL.search(widget)
    exercises.reset()
    assert _stride().data == widgets[0]  # a re-executed notebook gives the same output


def test_the_widget_uses_the_book_colours_from_style():
    page = _stride().data
    for color in (ROLE_COLORS["input"], ROLE_COLORS["output"], ROLE_COLORS["highlight"],
                  ROLE_COLORS["kernel"], NEGATIVE_COLOR, INK):
        assert color in page
    css = exercises._web("quiz.css")
    assert set(re.findall(r"#[0-9a-fA-F]{3,6}\b", css)) <= {"#fff"}  # only white is typed
    used = set(re.findall(r"var\((--cnnbook-quiz-[a-z-]+)\)", css))
    assert used and used <= set(exercises._COLORS)


def test_the_widget_is_labelled_and_escapes_its_text():
    page = ask("c1-x", "Is `a < b` & $x < y$?", answer=1, hint="h", solution="s").data
    assert 'for="cnnbook-quiz-c1-x-input"' in page and 'id="cnnbook-quiz-c1-x-input"' in page
    assert "<code>a &lt; b</code> &amp;" in page
    assert r'<span class="math notranslate nohighlight">\(x &lt; y\)</span>' in page
    choice = ask("c1-y", "q", choices=["<b>", "b"], answer="b", hint="h", solution="s").data
    assert "<span>&lt;b&gt;</span>" in choice and 'type="radio"' in choice
    assert "<legend>Pick one</legend>" in choice


def test_drill_checks_its_arguments():
    with pytest.raises(ValueError, match="kind must be one of 'output-size'"):
        drill("stride")
    with pytest.raises(TypeError, match="seed must be an integer"):
        drill("parameters", seed=1.5)
    with pytest.raises(ValueError, match=r"seed must be an integer in \[0, 2\*\*32\)"):
        drill("parameters", seed=2**32)
    ids = re.findall(r'--drill" id="([^"]+)"', drill("parameters").data + drill(
        "parameters").data)
    assert len(ids) == 2 and len(set(ids)) == 2


# --- Markdown ---------------------------------------------------------------------------


def test_markdown_maths_code_emphasis_and_lists():
    out = render_markdown("The size is $\\lfloor n/2 \\rfloor$, **not** *n*; `x$1$`.\n\n"
                          "- one $a$\n- two\n\n$$y = x^2$$ costs \\$5.")
    assert out == (
        '<p>The size is <span class="math notranslate nohighlight">\\(\\lfloor n/2 \\rfloor\\)'
        "</span>, <strong>not</strong> <em>n</em>; <code>x$1$</code>.</p>"
        '<ul><li>one <span class="math notranslate nohighlight">\\(a\\)</span></li>'
        "<li>two</li></ul>"
        '<p><span class="math notranslate nohighlight">\\[y = x^2\\]</span> costs $5.</p>'
    )


def test_markdown_leaves_prices_and_raw_html_alone():
    assert render_markdown("from $5 to $10") == "<p>from $5 to $10</p>"
    assert render_markdown("<script>alert(1)</script>") == (
        "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>")
    with pytest.raises(TypeError, match="text must be a string"):
        render_markdown(3)


# --- the page judges as Jupyter does --------------------------------------------------------

QUIZ_JS = Path(exercises.__file__).parent / "web" / "quiz.js"
SAME_VERDICTS = [  # (qid, answer, [(what the reader types in the page, what they pass in Python)])
    ("j-int", 15, [("15", 15), ("14", 14), ("15.0", 15.0), ("15.5", 15.5), ("x", "x")]),
    ("j-real", 1 / 3, [("0.333", 0.333), ("0.33", 0.33), ("0.32", 0.32), ("-0.333", -0.333)]),
    ("j-arr", [[-4, -4], [-4, -4]], [("-4 -4; -4 -4", [[-4, -4], [-4, -4]]),
                                     ("-4 -4; -4 -3", [[-4, -4], [-4, -3]]),
                                     ("-4 -4 -4 -4", [-4, -4, -4, -4])]),
    ("j-row", (1, 2), [("1 2", [1, 2]), ("[[1, 2]]", [[1, 2]]), ("2 1", [2, 1]),
                       ("1 2 3", [1, 2, 3])]),
]


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_the_page_and_jupyter_give_the_same_verdicts():
    keys, typed, expected = [], [], []
    for qid, answer, cases in SAME_VERDICTS:
        key = _key(ask(qid, "q", answer=answer, hint="h", solution="s"))
        for text, value in cases:
            verdict = check(qid, value)
            keys.append(key)
            typed.append(text)
            expected.append("right" if verdict.correct else "wrong" if verdict.valid else
                            "invalid")
    pick = _key(ask("j-pick", "q", choices=["valid", "same"], answer="same", hint="h",
                    solution="s"))
    for index, label in enumerate(["valid", "same"]):
        verdict = check("j-pick", label)
        keys.append(pick)
        typed.append(index)
        expected.append("right" if verdict.correct else "wrong")
    script = (f"const Q = require({json.dumps(str(QUIZ_JS))});"
              f"const cases = JSON.parse(process.argv[1]);"
              "console.log(JSON.stringify(cases.map(([k, t]) => Q.judge(k, t).status)));")
    out = subprocess.run(["node", "-e", script, json.dumps(list(zip(keys, typed, strict=True)))],
                         capture_output=True, text=True, check=True).stdout
    assert json.loads(out) == expected
    assert expected.count("right") >= 6 and "invalid" in expected and "wrong" in expected
