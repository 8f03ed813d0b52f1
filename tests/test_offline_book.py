"""The book's Sphinx extension keeps CDN links out of notebook outputs (_ext/offline_book.py)."""

import importlib.util
import re
from pathlib import Path
from types import SimpleNamespace

import matplotlib.pyplot as plt
from docutils import nodes
from matplotlib.animation import FuncAnimation

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("offline_book", ROOT / "_ext" / "offline_book.py")
offline_book = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(offline_book)

EXTERNAL_LINK = re.compile(r"<link\b[^>]*(https?:)?//", re.I)


def _jshtml() -> str:
    fig, ax = plt.subplots(figsize=(1, 1))
    anim = FuncAnimation(fig, lambda i: ax.set_title(str(i)), frames=2)
    return anim.to_jshtml()


def test_matplotlib_animation_html_loses_its_cdn_link_and_keeps_the_rest():
    html = _jshtml()
    assert EXTERNAL_LINK.search(html), "matplotlib no longer links a CDN: the extension can go"
    cleaned = offline_book.CDN_FONT_AWESOME.sub("", html)
    assert not EXTERNAL_LINK.search(cleaned)
    assert len(html) - len(cleaned) < 200
    assert cleaned.count("<button") == html.count("<button") > 0


def test_only_html_outputs_are_cleaned():
    link = '<link rel="stylesheet" href="https://cdn.example/font-awesome.min.css">'
    doc = nodes.document(None, None)
    doc += nodes.raw("", link + "<p>kept</p>", format="html")
    doc += nodes.raw("", link, format="latex")
    doc += nodes.raw("", '<link rel="stylesheet" href="_static/local.css">', format="html")
    offline_book.drop_cdn_links(SimpleNamespace(), doc, "page")
    assert [n.astext() for n in doc.findall(nodes.raw)] == [
        "<p>kept</p>", link, '<link rel="stylesheet" href="_static/local.css">'
    ]
