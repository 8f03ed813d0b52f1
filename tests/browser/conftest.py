"""Serve the built book on localhost and open it in Debian's headless Chromium.

The HTML folder is ``$CNNBOOK_HTML`` (default ``_build/html``), built from the book at
``$CNNBOOK_BOOK`` (default: this repository), whose ``_toc.yml`` lists the pages to check.
``make browser`` sets ``CNNBOOK_BROWSER=1``: then a missing book or browser is an error.
Otherwise (a plain ``pytest tests``) these tests skip unless the book is built and newer than
its sources.
"""

from __future__ import annotations

import functools
import http.server
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

ROOT = Path(os.environ.get("CNNBOOK_BOOK", Path(__file__).resolve().parents[2]))
HTML = Path(os.environ.get("CNNBOOK_HTML", ROOT / "_build" / "html")).resolve()
SCREENSHOTS = Path(os.environ.get("CNNBOOK_SCREENSHOTS", HTML.parent / "screenshots"))
REQUIRED = os.environ.get("CNNBOOK_BROWSER") == "1"
CHROMIUM = os.environ.get("CNNBOOK_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
BOOK_FILES = ["_config.yml", "_toc.yml", "references.bib"]
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


def toc_pages() -> list[str]:
    """Every page of ``_toc.yml``, root first, as a path without suffix."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    pages = [toc["root"]]
    for part in toc.get("parts", []):
        for chapter in part.get("chapters", []):
            pages.append(chapter["file"])
            pages.extend(section["file"] for section in chapter.get("sections", []))
    return pages


def _stale_reason() -> str | None:
    """Why the built book cannot be tested as it is, or None.

    Under ``make browser`` only a missing book counts: the build has just run.
    """
    built = HTML / "searchindex.js"  # rewritten by every build
    if not built.exists():
        return f"no built book in {HTML} (make book)"
    if REQUIRED:
        return None
    pages = [p for page in toc_pages() for p in ROOT.glob(f"{page}.*")]
    newest = max([ROOT / name for name in BOOK_FILES] + pages, key=lambda f: f.stat().st_mtime)
    if newest.stat().st_mtime > built.stat().st_mtime:
        return f"the book in {HTML} is older than {newest.relative_to(ROOT)} (make book)"
    return None


def _unavailable(reason: str) -> None:
    if REQUIRED:
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def built_html() -> Path:
    """The built book's HTML folder (skips, or fails under make browser, without one)."""
    if reason := _stale_reason():
        _unavailable(reason)
    return HTML


@pytest.fixture(scope="session")
def book_url(built_html: Path) -> Iterator[str]:
    """The book served by Python's http.server on a free localhost port, for the session."""
    handler = functools.partial(_QuietHandler, directory=str(built_html))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()
    thread.join()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (Playwright's own browsers are not used)."""
    if not Path(CHROMIUM).exists():
        _unavailable(f"no Chromium at {CHROMIUM} (make chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (make setup)")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class BookTab:
    """A browser tab on the served book, and what it did: console errors, requests."""

    page: object
    base: str
    errors: list[str] = field(default_factory=list)
    external: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    def open(self, path: str) -> None:
        """Load ``path`` of the book and wait until MathJax has typeset it (if it has maths)."""
        self.page.goto(self.base + path, wait_until="load")
        self.page.evaluate(
            "() => window.MathJax && MathJax.startup ? MathJax.startup.promise.then(() => 1) : 0"
        )


def open_tab(browser, book_url: str) -> tuple[BookTab, object]:
    """A fresh tab (and its context) that blocks, and logs, requests to other hosts."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = BookTab(context.new_page(), book_url)

    def route(route) -> None:
        url = urlsplit(route.request.url)
        if url.scheme in ("data", "blob") or url.hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            tab.external.append(route.request.url)
            route.abort()

    context.route("**/*", route)
    tab.page.on("console", lambda m: m.type == "error" and tab.errors.append(m.text))
    tab.page.on("pageerror", lambda e: tab.errors.append(f"uncaught: {e}"))
    tab.page.on("requestfailed", lambda r: tab.failed.append(f"{r.url} ({r.failure})"))
    return tab, context


@pytest.fixture
def tab(browser, book_url) -> Iterator[BookTab]:
    """A fresh tab on the served book."""
    result, context = open_tab(browser, book_url)
    yield result
    context.close()


@pytest.fixture(scope="module", params=toc_pages())
def book_page(request, browser, book_url) -> Iterator[BookTab]:
    """Each page of _toc.yml, opened once for all the checks of a module, and screenshotted."""
    result, context = open_tab(browser, book_url)
    result.open(f"{request.param}.html")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    name = request.param.replace("/", "__")
    result.page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)
    yield result
    context.close()
