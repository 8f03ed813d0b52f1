"""The built book as a reader's browser shows it: every page loads offline, cleanly and complete.

Run by ``make browser`` (part of ``make test``) after the build; see conftest.py.
"""

from __future__ import annotations

import importlib.util
import re
from urllib.parse import urlsplit

import pytest
import yaml

from .conftest import ROOT, toc_pages

pytestmark = pytest.mark.browser

#: The word the search page must find, and a page that must be among its results.
SEARCH_WORD = "dilation"
SEARCH_HIT = "chapters/04_padding_stride_dilation"

PAGES = toc_pages()
TAG_WITH_URL = re.compile(r"<(script|link|img|iframe|source|video|audio)\b[^>]*>", re.I)
EXTERNAL_ATTR = re.compile(r"""\b(?:src|href)\s*=\s*["']?(?:https?:)?//""", re.I)
RAW_MATH = re.compile(r"\$[^$\s][^$\n]*\$|\\\(|\\\[")

# The reader's text of <main>, without code, already typeset maths, scripts and styles.
PROSE_JS = """() => {
  const main = document.querySelector('main').cloneNode(true);
  main.querySelectorAll('pre, code, .highlight, mjx-container, script, style')
      .forEach(e => e.remove());
  return main.innerText;
}"""
UNTYPESET_JS = """() => Array.from(document.querySelectorAll('main .math'))
  .filter(m => !m.querySelector('mjx-container') || m.querySelector('mjx-merror'))
  .map(m => m.textContent.slice(0, 80))"""
BROKEN_IMAGES_JS = """() => Array.from(document.images)
  .filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src.slice(0, 100))"""


# Code blocks of cells, and code a cell shows as HTML (IPython's Code of inspect.getsource),
# that are wider than their box (printed text outputs are not code and may scroll)
WIDE_CODE_JS = """() => Array.from(document.querySelectorAll(
    'main div.cell_input pre, main div.cell_output div.text_html div.highlight pre'))
  .filter(pre => pre.scrollWidth > pre.clientWidth + 1)
  .map(pre => pre.textContent.split('\\n').sort((a, b) => b.length - a.length)[0])"""

# How many characters of code fit across a code cell: its width over one character's width.
CHARACTERS_JS = """() => {
  const pre = document.querySelector('main div.cell_input pre');
  if (!pre) return null;
  const style = getComputedStyle(pre), probe = document.createElement('span');
  probe.textContent = '0'.repeat(100);
  probe.style.font = style.font;
  pre.appendChild(probe);
  const width = probe.getBoundingClientRect().width / 100;
  probe.remove();
  const inner = pre.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  return Math.floor(inner / width);
}"""


def _page_width() -> int:
    """``PAGE_WIDTH`` of the notebook policy (tests/test_notebooks.py)."""
    spec = importlib.util.spec_from_file_location("policy", ROOT / "tests" / "test_notebooks.py")
    policy = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(policy)
    return policy.PAGE_WIDTH


def _html(page: str) -> str:
    return f"{page}.html"


def test_built_pages_name_no_external_script_style_or_image(built_html):
    """Static check: no tag in the HTML loads anything from another host."""
    offenders = []
    pages = sorted(built_html.rglob("*.html"))
    assert len(pages) > len(PAGES)
    for path in pages:
        for tag in TAG_WITH_URL.finditer(path.read_text(encoding="utf-8")):
            is_link = tag.group(1).lower() == "link"
            is_navigation = is_link and not re.search(r"rel=.?(stylesheet|preload|icon)", tag[0])
            if EXTERNAL_ATTR.search(tag[0]) and not is_navigation:
                offenders.append(f"{path.relative_to(built_html)}: {tag[0][:150]}")
    assert not offenders, "external resources:\n" + "\n".join(offenders)


def test_page_loads_offline_and_complete(book_page):
    assert not book_page.external, f"requests to other hosts: {book_page.external}"
    assert not book_page.errors, f"console errors: {book_page.errors}"
    assert not book_page.failed, f"failed requests: {book_page.failed}"
    assert not book_page.page.evaluate(BROKEN_IMAGES_JS), "images that did not load"


def test_maths_is_typeset(book_page):
    page = book_page.page
    assert not page.evaluate(UNTYPESET_JS), "maths left untypeset or with a TeX error"
    raw = RAW_MATH.findall(page.evaluate(PROSE_JS))
    assert not raw, f"raw TeX in the text: {raw[:5]}"
    maths = page.locator("main .math").count()  # one per formula of the source
    assert page.locator("main mjx-container").count() >= maths


def test_animations_step_forward(book_page):
    animations = book_page.page.locator("main div.animation")
    for i in range(animations.count()):
        animation = animations.nth(i)
        frame = animation.locator("img").first
        slider = animation.locator("input.anim-slider")
        assert frame.get_attribute("alt"), f"animation {i}: no text alternative"
        before, position = frame.get_attribute("src"), slider.input_value()
        animation.get_by_role("button", name="Next frame").click()
        assert slider.input_value() != position, f"animation {i}: the slider did not move"
        assert frame.get_attribute("src") != before, f"animation {i}: the frame did not change"


def test_solutions_stay_folded_until_clicked(book_page):
    solutions = book_page.page.locator("main div.solution.dropdown")
    for i in range(solutions.count()):
        solution = solutions.nth(i)
        body = solution.locator("> :not(.admonition-title)").first
        assert body.is_hidden(), f"solution {i} is shown before it is clicked"
        solution.locator("button.toggle-button").click()
        body.wait_for(state="visible", timeout=5_000)


def test_notebook_pages_launch_on_colab_and_binder_and_download(book_page, request):
    page = request.node.callspec.params["book_page"]
    hrefs = book_page.page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
    if not (ROOT / f"{page}.ipynb").exists():  # Colab cannot open a Markdown page
        assert not [h for h in hrefs if "colab" in h], "a launch button on a Markdown page"
        return
    repository = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]
    repo, branch = urlsplit(repository["url"]).path.rstrip("/"), repository["branch"]
    assert any(h.endswith(f"/github{repo}/blob/{branch}/{page}.ipynb") for h in hrefs), "no Colab"
    binder = f"/v2/gh{repo}/{branch}?urlpath=lab/tree/{page}.ipynb"
    assert any(binder in h for h in hrefs), "no Binder"
    download = next(h for h in hrefs if h.endswith(f"_sources/{page}.ipynb"))
    assert book_page.page.request.get(download).ok, f"the download {download} is not served"


def test_sidebar_links_every_page_of_the_toc(tab):
    tab.open(_html(PAGES[0]))
    hrefs = tab.page.eval_on_selector_all(
        ".bd-sidebar-primary a[href]", "links => links.map(a => a.href)"
    )
    linked = {urlsplit(h).path.lstrip("/").removesuffix(".html") for h in hrefs}
    linked |= {"intro"} if "" in linked or "index" in linked else set()
    missing = [p for p in PAGES if p not in linked]
    assert not missing, f"pages of _toc.yml the sidebar does not link: {missing}"


def test_search_finds_the_word(tab):
    tab.open(f"search.html?q={SEARCH_WORD}")
    results = tab.page.locator("#search-results ul.search li a")
    results.first.wait_for(timeout=15_000)
    pages = {urlsplit(h).path.lstrip("/").removesuffix(".html")
             for h in results.evaluate_all("links => links.map(a => a.href)")}
    assert SEARCH_HIT in pages, f"searching {SEARCH_WORD!r} found {sorted(pages)}"


def test_code_fits_the_page(book_page):
    """No code cell, and no code a cell shows, needs a horizontal scrollbar at desktop width."""
    wide = book_page.page.evaluate(WIDE_CODE_JS)
    assert not wide, f"code wider than the page: {wide[:3]}"
    fits = book_page.page.evaluate(CHARACTERS_JS)
    if fits is not None:  # the notebook policy's line limit is what fits here
        assert fits >= _page_width(), f"only {fits} characters fit across a code cell"
