"""The convolution explorer in the built book, driven like a reader drives it.

Every explorer on every page shows the numbers Python embedded (which are cnnbook.ops'
output). On the Explorer page the tests set 30+ settings through the controls, read back the
displayed cells, shape, formula and PyTorch code, and compare them with torch
(scripts/golden_cases.py's ``reference``); they try settings PyTorch refuses and extreme ones,
check the receptive-field highlights against torch, use the keyboard only, and take
screenshots at phone and desktop width. Run by ``make browser`` after the build.
"""

from __future__ import annotations

import base64
import contextlib
import importlib.util
import io
import json
import re
from pathlib import Path

import numpy as np
import pytest
import torch

from .conftest import HTML, SCREENSHOTS, open_tab, toc_pages

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("golden_cases", REPO / "scripts" / "golden_cases.py")
golden = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(golden)

# What one explorer shows, read from its DOM (.cx-app): the input cells per channel (the
# input's own cells, not padding), the kernels, the outputs, shape, formula, message, code.
# The cells a grid shows (it keeps hidden ones for later).
CELLS = ".cx-row:not([hidden]) > .cx-cell:not([hidden])"

READ_JS = """(app) => {
  const CELLS = '""" + CELLS + """';
  const num = (c) => c.dataset.value === '-inf' ? -Infinity : Number(c.dataset.value);
  const grids = (role) => Array.from(app.querySelectorAll('.cx-s-' + role + ' .cx-grid'))
    .filter((g) => !g.closest('[hidden]'));
  const values = (role, cls) => grids(role).map((g) =>
    Array.from(g.querySelectorAll(CELLS + cls)).map(num));
  const shape = app.querySelector('.cx-s-output .cx-shape').dataset.shape;
  return {
    refused: app.classList.contains('cx-refused'),
    message: app.querySelector('.cx-message').textContent,
    error: app.querySelector('.cx-message').classList.contains('cx-error'),
    shape: shape ? JSON.parse(shape) : null,
    x: values('input', '.cx-value'),
    w: values('kernel', '.cx-value'),
    out: values('output', ''),
    pending: grids('output').map((g) => g.querySelectorAll(CELLS + '.cx-pending').length)
      .reduce((a, b) => a + b, 0),
    formula: Array.from(app.querySelectorAll('.cx-formula-line')).map((l) => l.textContent),
    code: app.querySelector('.cx-code code').textContent,
    inputGrids: grids('input').length,
  };
}"""

# The flat indices of the input cells and output cells carrying a highlight class.
MARKS_JS = """(app, [inputClasses, outputClass]) => {
  const CELLS = '""" + CELLS + """';
  const shown = (role) => Array.from(app.querySelectorAll('.cx-s-' + role + ' .cx-grid'))
    .filter((g) => !g.closest('[hidden]'));
  const marked = (cells, classes) => cells.flatMap((c, i) =>
    classes.some((k) => c.classList.contains(k)) ? [i] : []);
  const inputs = shown('input').flatMap((g) => Array.from(g.querySelectorAll(CELLS + '.cx-value')));
  const outputs = shown('output').flatMap((g) => Array.from(g.querySelectorAll(CELLS)));
  return {inputs: marked(inputs, inputClasses), outputs: marked(outputs, [outputClass])};
}"""

PER_AXIS = ("size", "kernelSize", "stride", "padding", "dilation", "outputPadding")
SELECTS = ("op", "dims", "source", "padKind", "paddingMode")
NUMBERS = ("inChannels", "outChannels", "groups")
CHECKS = ("ceilMode", "countIncludePad")
ORDER = ("op", "dims", "source", "inChannels", "outChannels", "groups", *PER_AXIS[:3],
         "padKind", *PER_AXIS[3:], "paddingMode", "ceilMode", "countIncludePad")

# Settings a reader might try, each a change of some controls from the page's first view.
# A number for a per-axis control fills both axes in 2-D and the one axis in 1-D.
SETTINGS = [
    {},
    {"stride": 1},
    {"stride": 3},
    {"padKind": "same", "stride": 1},
    {"padKind": "same", "stride": 1, "kernelSize": 4},
    {"padKind": "valid"},
    {"dilation": 2},
    {"dilation": [2, 1], "padding": [2, 0], "stride": [1, 2]},
    {"paddingMode": "reflect"},
    {"paddingMode": "replicate", "padding": 3},
    {"paddingMode": "circular", "padKind": "same", "stride": 1, "kernelSize": 4},
    {"inChannels": 4, "outChannels": 4, "groups": 4},
    {"inChannels": 4, "outChannels": 2, "groups": 2, "size": [9, 8]},
    {"inChannels": 3, "outChannels": 4, "kernelSize": [2, 3]},
    {"op": "convolve"},
    {"op": "convolve", "paddingMode": "reflect", "kernelSize": 2, "stride": 1},
    {"op": "transpose", "stride": 2, "padding": 0},
    {"op": "transpose", "stride": 2, "padding": 1, "outputPadding": 1},
    {"op": "transpose", "stride": 3, "dilation": 2, "outputPadding": 2, "size": 3},
    {"op": "transpose", "inChannels": 2, "outChannels": 4, "groups": 2},
    {"op": "max_pool", "kernelSize": 2, "stride": 2, "padding": 0},
    {"op": "max_pool", "kernelSize": 3, "stride": 2, "padding": 1, "ceilMode": True},
    {"op": "max_pool", "kernelSize": 2, "stride": 1, "padding": 0, "dilation": 2},
    {"op": "avg_pool", "kernelSize": 3, "stride": 2, "padding": 1, "ceilMode": True,
     "countIncludePad": False},
    {"op": "avg_pool", "kernelSize": 2, "stride": 2, "padding": 1},
    {"dims": "1", "size": 20, "kernelSize": 5, "stride": 2, "padding": 2},
    {"dims": "1", "padKind": "same", "kernelSize": 4, "stride": 1, "paddingMode": "circular"},
    {"dims": "1", "op": "transpose", "size": 6, "stride": 3, "padding": 1, "outputPadding": 2},
    {"dims": "1", "op": "max_pool", "size": 5, "kernelSize": 2, "stride": 2, "padding": 1,
     "ceilMode": True},
    {"dims": "1", "op": "avg_pool", "size": 9, "kernelSize": 3, "stride": 2, "padding": 0},
    {"dims": "1", "size": 100, "kernelSize": 9, "dilation": 3, "stride": 1, "padding": 0},
    {"size": 32, "kernelSize": 5, "padding": 2, "stride": 1},
    {"source": "digit", "size": 28, "kernelSize": 5, "stride": 1, "padding": 0,
     "inChannels": 2, "outChannels": 2},
    {"source": "random", "new": 2},
    {"size": 5, "kernelSize": 7, "padding": 1},
    {"stride": 8},
]

# Settings PyTorch refuses (the words its message uses), or beyond the explorer's limits.
REFUSED = [
    ({"kernelSize": 9, "padding": 0}, "Kernel size can't be greater than actual input size"),
    ({"padKind": "same", "stride": 2}, "padding='same' is not supported for strided"),
    ({"op": "transpose", "stride": 2, "outputPadding": 2},
     "output padding must be smaller than either stride or dilation"),
    ({"paddingMode": "reflect", "padding": 7}, "Padding size should be less than"),
    ({"paddingMode": "circular", "padding": 8}, "wrapping around more than once"),
    ({"inChannels": 3, "groups": 2}, "in_channels must be divisible by groups"),
    ({"inChannels": 2, "outChannels": 3, "groups": 2}, "out_channels must be divisible"),
    ({"op": "max_pool", "kernelSize": 2, "padding": 2}, "half of kernel size"),
    ({"op": "transpose", "size": 2, "kernelSize": 2, "stride": 1, "padding": 3},
     "Output size is too small"),
    ({"op": "max_pool", "kernelSize": 9, "stride": 1, "padding": 0},
     "Output size is too small"),
    ({"stride": 0}, "non-positive stride is not supported"),
    ({"padding": -1}, "negative padding is not supported"),
    ({"dilation": 0}, "dilation should be greater than zero"),
]
LIMITED = [
    ({"size": 40}, "at most 32 cells per axis"),
    ({"op": "transpose", "size": 32, "stride": 4}, "at most 64"),
    ({"inChannels": 5}, "at most 4 channels"),
    ({"stride": ""}, "Type a whole number"),
]


def explorer_pages() -> list[str]:
    """The pages of the TOC whose built HTML holds an explorer."""
    return [p for p in toc_pages()
            if (HTML / f"{p}.html").exists()
            and 'class="cnnbook-explorer"' in (HTML / f"{p}.html").read_text(encoding="utf-8")]


def _numbers(v) -> np.ndarray:
    if isinstance(v, str):
        return np.frombuffer(base64.b64decode(v), dtype="<f8")
    return np.asarray(v, dtype=np.float64)


class Widget:
    """One explorer on an open page, with the state its controls should now hold."""

    def __init__(self, tab, index: int = 0):
        self.tab, self.page = tab, tab.page
        self.root = self.page.locator("div.cnnbook-explorer").nth(index)
        self.app = self.root.locator(".cx-app")
        self.config = json.loads(self.root.locator("script.cx-config").text_content())
        self.state = {k: (list(v) if isinstance(v, list) else v)
                      for k, v in self.config["state"].items()}
        self.prefix = self.app.locator("select").first.get_attribute("id").removesuffix("op")

    def control(self, name: str):
        return self.page.locator(f"#{self.prefix}{name}")

    def set(self, changes: dict) -> None:
        """Change the controls as a reader would, and the expected state with them."""
        for name in sorted(changes, key=lambda n: ORDER.index(n) if n in ORDER else 99):
            value = changes[name]
            if name == "new":
                for _ in range(value):
                    self.app.get_by_role("button", name="new example").click()
                    self.state["seed"] += 1
                continue
            if name in SELECTS:
                self.control(name).select_option(str(value))
                self.state[name] = int(value) if name == "dims" else value
            elif name in CHECKS:
                self.control(name).set_checked(value)
                self.state[name] = value
            elif name in NUMBERS:
                self.control(name).fill(str(value))
                self.state[name] = value
            else:
                axes = value if isinstance(value, list) else (
                    [value] * 2 if self.state["dims"] == 2 else [None, value])
                for axis, v in zip(("h", "w"), axes, strict=True):
                    if v is not None:
                        self.control(f"{name}-{axis}").fill(str(v))
                self.state[name] = [a if b is None else b for a, b in
                                    zip(self.state[name], axes, strict=True)]

    def read(self) -> dict:
        return self.app.evaluate(READ_JS)

    def setting(self) -> dict:
        """The layer the state describes, in arithmetic.js's (and golden_cases.py's) terms."""
        st = self.state
        two = st["dims"] == 2

        def axes(v):
            return list(v) if two else [v[1]]

        pool = st["op"] in ("max_pool", "avg_pool")
        s = {"op": st["op"], "dims": st["dims"], "size": axes(st["size"]),
             "inChannels": st["inChannels"], "kernelSize": axes(st["kernelSize"]),
             "stride": axes(st["stride"]), "ceilMode": st["ceilMode"],
             "countIncludePad": st["countIncludePad"],
             "dilation": [1] * st["dims"] if st["op"] == "avg_pool" else axes(st["dilation"])}
        numbers = st["padKind"] == "numbers" or st["op"] not in ("conv", "convolve")
        s["padding"] = axes(st["padding"]) if numbers else st["padKind"]
        if not pool:
            s.update(outChannels=st["outChannels"], groups=st["groups"])
        if st["op"] in ("conv", "convolve"):
            s["paddingMode"] = st["paddingMode"]
        if st["op"] == "transpose":
            s["outputPadding"] = axes(st["outputPadding"])
        return s


def torch_output(setting: dict, shown: dict) -> torch.Tensor:
    """torch's output for the arrays the explorer shows (its x and its w, read from the DOM)."""
    shape = (setting["inChannels"], *setting["size"])
    x = torch.tensor(np.concatenate(shown["x"]), dtype=torch.float64).reshape(shape)
    w = None
    if setting["op"] not in ("max_pool", "avg_pool"):
        first, groups = setting["inChannels"], setting["groups"]
        if setting["op"] == "transpose":
            dims = (first, setting["outChannels"] // groups)
        else:
            dims = (setting["outChannels"], first // groups)
        w = torch.tensor(np.concatenate(shown["w"]), dtype=torch.float64).reshape(
            *dims, *setting["kernelSize"])
    return golden.reference(setting, x, w)


def run_code(code: str) -> str:
    """Run the displayed Python as a reader would paste it; return what it printed."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "<explorer code>", "exec"), {})  # noqa: S102
    return out.getvalue().strip()


def check_against_torch(widget: Widget) -> dict:
    shown = widget.read()
    setting = widget.setting()
    assert not shown["refused"], f"{setting}: refused: {shown['message']}"
    expected = torch_output(setting, shown)
    assert shown["shape"] == list(expected.shape), setting
    np.testing.assert_allclose(np.concatenate(shown["out"]), expected.numpy().ravel(),
                               rtol=0, atol=1e-9, err_msg=str(setting))
    # the formula ends, axis by axis, in the output size
    assert [int(re.search(r"= (\d+)$", line)[1]) for line in shown["formula"]] == \
        list(expected.shape[1:]), shown["formula"]
    # the code runs as shown and prints the shape the explorer displays
    assert run_code(shown["code"]) == f"torch.Size({[1, *expected.shape]})", shown["code"]
    assert f"# torch.Size({[1, *expected.shape]})" in shown["code"]
    return shown


@pytest.fixture(scope="module")
def explorer_url() -> str:
    pages = [p for p in explorer_pages() if "explorer" in p.rsplit("/", 1)[-1]]
    if not pages:
        pytest.fail("no Explorer page in the built book's TOC", pytrace=False)
    return f"{pages[0]}.html"


@pytest.fixture
def widget(browser, book_url, explorer_url):
    tab, context = open_tab(browser, book_url)
    tab.open(explorer_url)
    yield Widget(tab)
    assert not tab.errors, f"console errors: {tab.errors}"
    assert not tab.external, f"requests to other hosts: {tab.external}"
    context.close()


def test_every_explorer_shows_the_numbers_python_embedded(built_html, browser, book_url):
    pages = explorer_pages()
    assert pages, "no page of the book holds an explorer"
    seen = 0
    for page in pages:
        tab, context = open_tab(browser, book_url)
        tab.open(f"{page}.html")
        count = tab.page.locator("div.cnnbook-explorer").count()
        for i in range(count):
            w = Widget(tab, i)
            shown = w.read()
            expected = w.config["expected"]
            assert shown["shape"] == expected["shape"], f"{page} #{i}"
            np.testing.assert_allclose(np.concatenate(shown["out"]), _numbers(expected["out"]),
                                       rtol=0, atol=1e-9, err_msg=f"{page} #{i}")
            assert shown["pending"] == 0 and not shown["refused"]
            seen += 1
        assert not tab.errors, f"{page}: console errors {tab.errors}"
        context.close()
    assert seen >= 1


@pytest.mark.parametrize("changes", SETTINGS, ids=[json.dumps(s) for s in SETTINGS])
def test_a_setting_shows_what_torch_computes(widget, changes):
    widget.set(changes)
    check_against_torch(widget)


@pytest.mark.parametrize(("changes", "words"), REFUSED, ids=[w for _, w in REFUSED])
def test_a_refused_setting_says_why_and_the_page_stays_whole(widget, changes, words):
    widget.set(changes)
    shown = widget.read()
    assert shown["refused"] and shown["error"], shown["message"]
    assert "PyTorch refuses" in shown["message"] and words in shown["message"], shown["message"]
    setting = widget.setting()
    x = torch.zeros(setting["inChannels"], *setting["size"], dtype=torch.float64)
    with pytest.raises((RuntimeError, ValueError)):  # torch refuses it too
        golden.reference(setting, x, _zero_weight(setting))
    assert "PyTorch refuses" in shown["code"]
    with pytest.raises((RuntimeError, ValueError)):
        run_code(shown["code"])
    assert shown["inputGrids"] >= 1, "the input is no longer drawn"
    widget.set({"op": "conv", "dims": "2", "inChannels": 1, "outChannels": 2, "groups": 1,
                "size": 7, "kernelSize": 3, "stride": 1, "padKind": "numbers", "padding": 1,
                "dilation": 1, "paddingMode": "zeros"})
    check_against_torch(widget)  # and the reader can carry on


def _zero_weight(setting: dict) -> torch.Tensor | None:
    """A weight of the setting's shape, or None when its groups leave no shape."""
    if setting["op"] in ("max_pool", "avg_pool"):
        return None
    c_in, c_out, g = setting["inChannels"], setting["outChannels"], setting["groups"]
    first, second = (c_in, c_out // g) if setting["op"] == "transpose" else (c_out, c_in // g)
    return torch.zeros(first, max(second, 1), *setting["kernelSize"], dtype=torch.float64)


@pytest.mark.parametrize(("changes", "words"), LIMITED, ids=[w for _, w in LIMITED])
def test_a_setting_beyond_the_limits_says_so(widget, changes, words):
    widget.set(changes)
    shown = widget.read()
    assert shown["refused"] and shown["error"] and words in shown["message"], shown["message"]


HOVERED = [
    {},
    {"paddingMode": "reflect", "padding": 2, "stride": 1},
    {"op": "transpose", "stride": 2},
    {"op": "max_pool", "kernelSize": 3, "stride": 2, "padding": 1, "ceilMode": True},
    {"dims": "1", "op": "avg_pool", "size": 9, "kernelSize": 3, "stride": 2, "padding": 1},
    {"inChannels": 2, "outChannels": 2, "groups": 2, "paddingMode": "circular"},
]


@pytest.mark.parametrize("changes", HOVERED, ids=[json.dumps(s) for s in HOVERED])
def test_hovering_shows_receptive_fields_as_torch_finds_them(widget, changes):
    widget.set(changes)
    shown = check_against_torch(widget)
    setting = widget.setting()
    reach = golden.reaches(setting, (setting["inChannels"], *setting["size"])).numpy()
    outputs = widget.app.locator(f".cx-s-output figure:not([hidden]) .cx-grid {CELLS}")
    inputs = widget.app.locator(f".cx-s-input figure:not([hidden]) .cx-grid {CELLS}.cx-value")
    n_out, n_in = outputs.count(), inputs.count()
    assert (n_in, n_out) == reach.shape and n_out == sum(len(o) for o in shown["out"])
    for o in sorted({0, n_out // 2, n_out - 1}):
        outputs.nth(o).hover()
        marks = widget.app.evaluate(MARKS_JS, [["cx-window", "cx-winner", "cx-field"],
                                               "cx-current"])
        assert marks["outputs"] == [o]
        assert marks["inputs"] == np.flatnonzero(reach[:, o]).tolist(), f"output {o}"
    for i in sorted({0, n_in // 2, n_in - 1}):
        inputs.nth(i).hover()
        marks = widget.app.evaluate(MARKS_JS, [["cx-current"], "cx-reached"])
        assert marks["outputs"] == np.flatnonzero(reach[i]).tolist(), f"input {i}"


def test_steps_play_pause_and_the_slider(widget):
    app = widget.app
    total = sum(len(o) for o in widget.read()["out"])
    app.get_by_role("button", name="first step").click()
    assert widget.read()["pending"] == total - 1
    app.get_by_role("button", name="next step").click()
    assert widget.read()["pending"] == total - 2
    assert "step 2 of" in app.locator(".cx-steplabel").text_content()
    assert re.search(r"y\[0, 0, 1\] = .* = ", app.locator(".cx-steptext").text_content())
    widget.control("slider").fill("5")
    assert widget.read()["pending"] == total - 5
    app.get_by_role("button", name="play").click()
    widget.page.wait_for_timeout(1600)
    app.get_by_role("button", name="pause").click()
    after = widget.read()["pending"]
    assert after < total - 5
    widget.page.wait_for_timeout(800)
    assert widget.read()["pending"] == after, "it kept playing after pause"
    app.get_by_role("button", name="last step").click()
    assert widget.read()["pending"] == 0


def test_every_control_is_labelled_and_the_widget_works_by_keyboard(widget):
    page, app = widget.page, widget.app
    for control in app.locator("select, input, button").all():
        if not control.is_visible():
            continue
        name = control.evaluate(
            "(c) => c.labels && c.labels.length ? c.labels[0].textContent "
            ": c.getAttribute('aria-label') || c.textContent")
        assert name and name.strip(), control.evaluate("(c) => c.outerHTML")
    widget.control("op").focus()
    page.keyboard.press("ArrowDown")  # correlation -> true convolution
    widget.state["op"] = "convolve"
    check_against_torch(widget)
    widget.control("stride-h").focus()
    page.keyboard.press("ArrowUp")  # stride 2 -> 3 (height)
    widget.state["stride"][0] = 3
    check_against_torch(widget)
    # Tab into the output grid, walk it with the arrows: the window follows the focus
    app.locator(".cx-s-output .cx-grid").first.locator("[tabindex='0']").focus()
    page.keyboard.press("ArrowRight")
    focused = page.evaluate("() => document.activeElement.className")
    assert "cx-current" in focused
    assert app.locator(".cx-s-input .cx-window").count() == 9
    # Enter on an input cell edits it; the output follows
    cell = app.locator(f".cx-s-input {CELLS}.cx-value").nth(8)
    cell.focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Control+A")
    page.keyboard.type("9")
    page.keyboard.press("Enter")
    shown = check_against_torch(widget)
    assert shown["x"][0][8] == 9
    assert "You edited 1 value" in shown["message"]


# The theme's sticky header and back-to-top button would lie over a screenshot of one element.
UNSTICK = (".bd-header, .bd-header-article, .skip-link, #pst-back-to-top "
           "{ visibility: hidden !important; }")


def test_screenshots_at_phone_and_desktop_width(widget):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = widget.page
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=SCREENSHOTS / f"explorer-{width}.png", full_page=True)
        widget.root.screenshot(path=SCREENSHOTS / f"explorer-widget-{width}.png", style=UNSTICK)
        wide = page.evaluate("() => document.documentElement.scrollWidth")
        assert wide <= width + 1, f"the page scrolls sideways at {width} px ({wide} px)"
    widget.set({"padKind": "same", "stride": 2})
    widget.root.screenshot(path=SCREENSHOTS / "explorer-refused-390.png", style=UNSTICK)
    widget.set({"padKind": "numbers", "stride": 1, "size": 32, "kernelSize": 5, "padding": 2})
    widget.root.screenshot(path=SCREENSHOTS / "explorer-32x32-390.png", style=UNSTICK)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 391
