"""Every page of the built book names a favicon that the book ships (no 404 in the console)."""

from __future__ import annotations

import re

import pytest

from .conftest import toc_pages

pytestmark = pytest.mark.browser

ICON = re.compile(r"""<link\b[^>]*\brel=["']?(?:shortcut )?icon["']?[^>]*>""", re.I)
HREF = re.compile(r"""\bhref=["']([^"']+)["']""")


@pytest.mark.parametrize("page", toc_pages())
def test_page_links_a_favicon_that_exists(built_html, page):
    path = built_html / f"{page}.html"
    tags = ICON.findall(path.read_text(encoding="utf-8"))
    assert tags, f"{page}.html names no favicon"
    for tag in tags:
        href = HREF.search(tag).group(1)
        assert not re.match(r"(?:https?:)?//", href), f"external favicon {href}"
        assert (path.parent / href).resolve().is_file(), f"{page}.html: {href} is missing"
