"""The self-checking questions and drills of the built book, answered in a real browser.

Every question widget on every page is answered once wrongly (the page says so and shows the
hint) and once rightly, its solution revealed; the page's progress line must count it and
remember it across a reload. Fifty drill problems are read from the page, solved with torch,
and must be judged right. Run by ``make browser`` after the build; see conftest.py.
"""

from __future__ import annotations

import html
import itertools
import json
import re
import warnings
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from cnnbook.exercises import DRILLS

from .conftest import SCREENSHOTS, open_tab, toc_pages

pytestmark = pytest.mark.browser

#: Every chapter page must ask at least this many questions (issue 13).
MIN_QUESTIONS = 4
CHAPTER = re.compile(r"chapters/0[0-9]_")
DRILL_PROBLEMS = 50
SEED = 2026

QUESTION_TAG = re.compile(r'<div class="cnnbook-quiz cnnbook-quiz--question"[^>]*>')
DRILL_TAG = re.compile(r'<div class="cnnbook-quiz cnnbook-quiz--drill"[^>]*data-drill="([^"]+)"')
KEY_ATTR = re.compile(r'data-quiz="([^"]*)"')

# TeX inside an element that MathJax has not typeset once (or typeset with an error)
UNTYPESET_JS = """(root) => Array.from(root.querySelectorAll('.math'))
  .filter(m => m.querySelectorAll('mjx-container').length !== 1 || m.querySelector('mjx-merror'))
  .map(m => m.textContent)"""
QUESTIONS = "main .cnnbook-quiz--question"
PROGRESS = "main .cnnbook-quiz-progress-text"
# an element overflows the widget (or the widget the viewport) at phone width
OVERFLOW_JS = """(root) => {
  const box = root.getBoundingClientRect();
  const out = [];
  if (box.right > window.innerWidth + 0.5) out.push(`widget right edge ${box.right}`);
  root.querySelectorAll('*').forEach(e => {
    const b = e.getBoundingClientRect();
    if (b.width && b.right > box.right + 0.5) out.push(`${e.tagName}.${e.className} ${b.right}`);
  });
  return out;
}"""


def _page_html(built_html: Path, page: str) -> str:
    path = built_html / f"{page}.html"
    return path.read_text(encoding="utf-8") if path.exists() else ""


def question_counts(built_html: Path, pages: list[str]) -> dict[str, int]:
    """Question widgets per page of the built book, counted in its HTML."""
    return {page: len(QUESTION_TAG.findall(_page_html(built_html, page))) for page in pages}


def short_chapters(counts: dict[str, int], minimum: int = MIN_QUESTIONS) -> dict[str, int]:
    """Chapter pages (``chapters/0N_*``) with fewer than ``minimum`` questions."""
    return {page: n for page, n in counts.items() if CHAPTER.match(page) and n < minimum}


def _keys(built_html: Path, page: str) -> list[dict]:
    """The answer keys the page's question widgets carry, in page order."""
    text = _page_html(built_html, page)
    return [json.loads(html.unescape(KEY_ATTR.search(tag).group(1)))
            for tag in QUESTION_TAG.findall(text)]


@pytest.fixture(scope="module")
def quiz_pages(built_html) -> list[str]:
    """Pages of the TOC that ask questions."""
    return [page for page, n in question_counts(built_html, toc_pages()).items() if n]


@pytest.fixture(scope="module")
def drill_pages(built_html) -> dict[str, list[str]]:
    """Pages of the TOC with drills, and the kinds of their drills in page order."""
    found = {page: DRILL_TAG.findall(_page_html(built_html, page)) for page in toc_pages()}
    return {page: kinds for page, kinds in found.items() if kinds}


def _right_answer(key: dict) -> str | int:
    """What a reader types (or the index they pick) to answer ``key`` rightly."""
    if key["kind"] == "choice":
        return key["answer"]
    if key["kind"] == "array":
        rows = key["answer"] if len(key["shape"]) == 2 else [key["answer"]]
        return "; ".join(" ".join(repr(v) for v in row) for row in rows)
    return repr(key["answer"])


def _wrong_answer(key: dict) -> str | int:
    off = 10 * key["tolerance"] + 1
    if key["kind"] == "choice":
        return (key["answer"] + 1) % len(key["choices"])
    if key["kind"] == "array":
        rows = [list(r) for r in (key["answer"] if len(key["shape"]) == 2 else [key["answer"]])]
        rows[0][0] += off
        return "; ".join(" ".join(repr(v) for v in row) for row in rows)
    return repr(key["answer"] + off)


def _answer(widget, key: dict, answer: str | int) -> str:
    """Give ``answer`` to the widget with Enter (or Check for a choice); return the verdict."""
    if key["kind"] == "choice":
        widget.locator("input[type=radio]").nth(answer).check()
        widget.get_by_role("button", name="Check").click()
    else:
        field = widget.locator("input.cnnbook-quiz-input")
        field.fill(answer)
        field.press("Enter")
    feedback = widget.locator(".cnnbook-quiz-feedback")
    feedback.wait_for(state="visible")
    return feedback.get_attribute("class")


def _progress(page) -> str:
    return page.locator(PROGRESS).inner_text()


def test_chapter_pages_ask_at_least_four_questions_and_the_book_has_every_drill(built_html):
    """Issue 13: every chapter checks the reader at least 4 times; each drill is offered.

    Fails until the chapters' owners add their questions (cnnbook.exercises.ask) and drills.
    """
    pages = toc_pages()
    if not any(CHAPTER.match(p) for p in pages):
        pytest.skip("no chapter page (chapters/0N_*) in this book's _toc.yml")
    short = short_chapters(question_counts(built_html, pages))
    assert not short, f"chapters with fewer than {MIN_QUESTIONS} questions: {short}"
    offered = {kind for page in pages for kind in DRILL_TAG.findall(_page_html(built_html, page))}
    missing = [kind for kind in DRILLS if kind not in offered]
    assert not missing, f"drills no page offers: {missing} (cnnbook.exercises.drill)"


def test_the_question_count_flags_a_short_chapter(tmp_path):
    """The count above can fail: a chapter with 3 widgets is reported, 4 pass."""
    widget = '<div class="cnnbook-quiz cnnbook-quiz--question" id="q" data-quiz="{}">'
    (tmp_path / "chapters").mkdir()
    (tmp_path / "chapters/01_a.html").write_text(widget * 3)
    (tmp_path / "chapters/02_b.html").write_text(widget * 4)
    (tmp_path / "intro.html").write_text("")
    pages = ["intro", "chapters/01_a", "chapters/02_b", "chapters/03_missing"]
    assert short_chapters(question_counts(tmp_path, pages)) == {
        "chapters/01_a": 3, "chapters/03_missing": 0}


def test_question_ids_are_unique_in_the_book(built_html):
    """The page remembers answers by id: two questions must never share one."""
    ids = [key["id"] for page in toc_pages() for key in _keys(built_html, page)]
    assert len(ids) == len(set(ids)), f"repeated question ids: {sorted(ids)}"


def test_every_question_says_wrong_then_right_and_remembers(tab, built_html, quiz_pages):
    if not quiz_pages:
        pytest.skip("no page asks a question yet")
    for page in quiz_pages:
        tab.open(f"{page}.html")
        keys = _keys(built_html, page)
        widgets = tab.page.locator(QUESTIONS)
        assert widgets.count() == len(keys)
        assert _progress(tab.page) == f"0 of {len(keys)} questions on this page answered right"
        for i, key in enumerate(keys):
            widget = widgets.nth(i)
            where = f"{page}: {key['id']}"
            hint, solution = widget.locator(".cnnbook-quiz-hint"), widget.locator(
                ".cnnbook-quiz-solution")
            assert hint.is_hidden() and solution.is_hidden(), f"{where}: help shown too early"
            assert "is-wrong" in _answer(widget, key, _wrong_answer(key)), where
            assert hint.is_visible(), f"{where}: no hint after a wrong answer"
            assert "Not right" in widget.locator(".cnnbook-quiz-feedback").inner_text()
            assert "is-right" in _answer(widget, key, _right_answer(key)), where
            assert widget.locator(".cnnbook-quiz-feedback").inner_text().startswith("Right")
            widget.get_by_role("button", name="Show solution").click()
            assert solution.is_visible(), f"{where}: the solution did not open"
            for shown in (widget.locator(".cnnbook-quiz-text"), hint, solution):
                assert not shown.evaluate(UNTYPESET_JS), f"{where}: maths left untypeset"
            assert widget.get_by_role("button", name="Hide solution").is_visible()
            assert _progress(tab.page).startswith(f"{i + 1} of {len(keys)} "), where
        tab.page.reload()
        tab.page.locator(PROGRESS).wait_for()
        assert _progress(tab.page).startswith(f"{len(keys)} of {len(keys)} "), page
        assert widgets.locator(".cnnbook-quiz-badge:visible").count() == len(keys), page
        tab.page.get_by_role("button", name="Forget my answers").click()
        assert _progress(tab.page).startswith(f"0 of {len(keys)} "), page
    assert not tab.errors, f"console errors: {tab.errors}"
    assert not tab.external, f"requests to other hosts: {tab.external}"


def _torch_answer(params: dict) -> int | list[int]:
    """The drill problem's answer, computed by torch alone."""
    layer = params.get("layer")
    if "layers" in params:  # receptive field: the gradient of one output pixel, measured
        stack = []
        for spec in params["layers"]:
            if spec["layer"] == "Conv2d":
                conv = nn.Conv1d(1, 1, spec["kernel_size"], stride=spec["stride"],
                                 dilation=spec["dilation"], bias=False)
                nn.init.ones_(conv.weight)
                stack.append(conv)
            else:
                stack.append(nn.AvgPool1d(spec["kernel_size"], stride=spec["stride"]))
        x = torch.ones(1, 1, 400, requires_grad=True)
        y = nn.Sequential(*stack)(x)
        y[0, 0, y.shape[-1] // 2].backward()
        hit = torch.nonzero(x.grad[0, 0]).flatten()
        return int(hit.max() - hit.min() + 1)
    if params.get("padding") == "same":  # which zeros before and after give torch's output
        n, k, d = params["size"], params["kernel_size"], params["dilation"]
        gen = torch.Generator().manual_seed(0)
        x, w = torch.randn(1, 1, n, generator=gen), torch.randn(1, 1, k, generator=gen)
        with warnings.catch_warnings():  # even kernels: torch warns that it copies the input
            warnings.simplefilter("ignore", UserWarning)
            same = F.conv1d(x, w, padding="same", dilation=d)
        pairs = []
        for a, b in itertools.product(range(k * d + 1), repeat=2):
            try:
                padded = F.conv1d(F.pad(x, (a, b)), w, dilation=d)
            except RuntimeError:  # the kernel does not fit
                continue
            if padded.shape == same.shape and torch.allclose(padded, same):
                pairs.append([a, b])
        assert len(pairs) == 1, f"{params}: {pairs}"
        return pairs[0]
    kwargs = {k: v for k, v in params.items() if k not in ("layer", "size")}
    module = getattr(nn, layer)(**kwargs)
    if "size" not in params:
        return sum(p.numel() for p in module.parameters())
    channels = params.get("in_channels", 1)
    return module(torch.zeros(1, channels, params["size"], params["size"])).shape[-1]


def test_fifty_drill_problems_are_judged_as_torch_computes(tab, drill_pages):
    if not drill_pages:
        pytest.skip("no page has a drill yet")
    solved, kinds_seen = 0, set()
    for page, kinds in drill_pages.items():
        tab.open(f"{page}.html?quiz-seed={SEED}")
        drills = tab.page.locator("main .cnnbook-quiz--drill")
        assert drills.count() == len(kinds)
        rounds = -(-DRILL_PROBLEMS // (len(kinds) * len(drill_pages)))
        for _ in range(rounds):
            for i, kind in enumerate(kinds):
                drill = drills.nth(i)
                problem = drill.locator(".cnnbook-drill-problem")
                params = json.loads(problem.get_attribute("data-params"))
                answer = _torch_answer(params)
                typed = " ".join(map(str, answer)) if isinstance(answer, list) else str(answer)
                field = drill.locator("input.cnnbook-quiz-input")
                if kind not in kinds_seen:  # a wrong answer first: the hint appears
                    wrong = typed + "1"
                    field.fill(wrong)
                    field.press("Enter")
                    assert "is-wrong" in drill.locator(".cnnbook-quiz-feedback").get_attribute(
                        "class"), f"{kind} {params}: {wrong!r} was not judged wrong"
                    assert drill.locator(".cnnbook-quiz-hint").is_visible()
                    kinds_seen.add(kind)
                field.fill(typed)
                field.press("Enter")
                verdict = drill.locator(".cnnbook-quiz-feedback")
                assert "is-right" in verdict.get_attribute("class"), (
                    f"{kind} {params}: torch says {typed}, the page says {verdict.inner_text()!r}"
                    f" to {problem.inner_text()!r}")
                drill.get_by_role("button", name="Show solution").click()
                assert str(answer[-1] if isinstance(answer, list) else answer) in (
                    drill.locator(".cnnbook-quiz-solution").inner_text())
                drill.get_by_role("button", name="New question").click()
                solved += 1
    assert solved >= DRILL_PROBLEMS
    assert not tab.errors, f"console errors: {tab.errors}"


def test_a_question_by_keyboard_alone(tab, built_html, quiz_pages):
    typed = [(p, k) for p in quiz_pages for k in _keys(built_html, p) if k["kind"] != "choice"]
    if not typed:
        pytest.skip("no page asks a question with a typed answer yet")
    page, key = typed[0]
    tab.open(f"{page}.html")
    field_id = f"cnnbook-quiz-{key['id']}-input"
    keyboard = tab.page.keyboard
    for _ in range(400):  # Tab from the top of the page to the answer field
        keyboard.press("Tab")
        if tab.page.evaluate("() => document.activeElement.id") == field_id:
            break
    else:
        pytest.fail(f"Tab never reached the answer field of {key['id']}")
    keyboard.type(str(_wrong_answer(key)))
    keyboard.press("Enter")
    widget = tab.page.locator(f"#cnnbook-quiz-{key['id']}")
    assert "is-wrong" in widget.locator(".cnnbook-quiz-feedback").get_attribute("class")
    keyboard.press("Control+A")
    keyboard.type(str(_right_answer(key)))
    keyboard.press("Enter")
    assert "is-right" in widget.locator(".cnnbook-quiz-feedback").get_attribute("class")
    for _ in range(20):  # on to Show solution, past Check and the maths of the hint
        keyboard.press("Tab")
        if "cnnbook-quiz-show" in tab.page.evaluate("() => document.activeElement.className"):
            break
    else:
        pytest.fail("Tab never reached the Show solution button")
    keyboard.press("Enter")
    assert widget.locator(".cnnbook-quiz-solution").is_visible()
    keyboard.press("Space")
    assert widget.locator(".cnnbook-quiz-solution").is_hidden()
    assert not tab.errors, f"console errors: {tab.errors}"


def test_a_choice_by_keyboard_alone(tab, built_html, quiz_pages):
    choices = [(p, k) for p in quiz_pages for k in _keys(built_html, p) if k["kind"] == "choice"]
    if not choices:
        pytest.skip("no page asks a choice yet")
    page, key = choices[0]
    tab.open(f"{page}.html")
    widget = tab.page.locator(f"#cnnbook-quiz-{key['id']}")
    widget.locator("input[type=radio]").first.focus()
    keyboard = tab.page.keyboard
    keyboard.press("Space")  # picks the first option
    for _ in range(key["answer"]):
        keyboard.press("ArrowDown")
    keyboard.press("Enter")
    assert "is-right" in widget.locator(".cnnbook-quiz-feedback").get_attribute("class")


def test_widgets_fit_a_phone_and_are_labelled(browser, book_url, quiz_pages, drill_pages):
    pages = list(dict.fromkeys([*quiz_pages, *drill_pages]))
    if not pages:
        pytest.skip("no page has a question or a drill yet")
    tab, context = open_tab(browser, book_url)
    try:
        tab.page.set_viewport_size({"width": 390, "height": 844})
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        for page in pages:
            tab.open(f"{page}.html?quiz-seed={SEED}")
            widgets = tab.page.locator("main .cnnbook-quiz")
            for i in range(widgets.count()):
                widget = widgets.nth(i)
                widget.scroll_into_view_if_needed()
                assert not widget.evaluate(OVERFLOW_JS), f"{page} widget {i} overflows at 390 px"
                for field in widget.locator("input.cnnbook-quiz-input").all():
                    label = widget.locator(f"label[for='{field.get_attribute('id')}']")
                    assert label.inner_text().strip(), f"{page} widget {i}: unlabelled field"
                for button in widget.get_by_role("button").all():
                    if button.is_visible():
                        assert button.inner_text().strip(), f"{page} widget {i}: unnamed button"
            name = page.replace("/", "__")
            tab.page.screenshot(path=SCREENSHOTS / f"quiz-390-{name}.png", full_page=True)
            # the first widget after a wrong answer, with its hint and solution open
            first = widgets.first
            field = first.locator("input.cnnbook-quiz-input")
            if field.count():
                field.fill("0.123")
                field.press("Enter")
            first.get_by_role("button", name="Show solution").click()
            assert not first.evaluate(OVERFLOW_JS), f"{page}: the opened widget overflows"
            first.screenshot(path=SCREENSHOTS / f"quiz-390-{name}-answered.png")
        assert not tab.errors, f"console errors: {tab.errors}"
    finally:
        context.close()
