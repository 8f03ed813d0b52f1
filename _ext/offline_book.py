"""A Sphinx extension that keeps the book's pages free of requests to other hosts.

jupyter-book always loads sphinx-thebe, which adds its configuration script to every page twice
(a console error: ``THEBE_JS_URL`` declared twice) and names a CDN for thebe itself. The book
does not offer thebe (live code needs a Binder server anyway), so its listeners are removed.

matplotlib's ``to_jshtml`` animations link Font Awesome 4 from a CDN for their button icons;
the theme already ships Font Awesome, so those links are dropped from notebook outputs.

Colab and Binder open notebooks, not MyST Markdown pages: the landing page (``intro.md``, which
executes a cell) keeps its download button but gets no launch buttons, which would not work.
"""

from __future__ import annotations

import re
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx

#: ``<link>`` tags of notebook HTML outputs that fetch Font Awesome from a CDN.
CDN_FONT_AWESOME = re.compile(
    r"""<link\b[^>]*\bhref\s*=\s*["']?(?:https?:)?//[^"'\s>]*font-?awesome[^>]*>\s*""", re.I
)


def drop_cdn_links(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Remove CDN Font Awesome links from the raw HTML of ``docname``'s outputs."""
    for node in doctree.findall(nodes.raw):
        if "html" in node.get("format", "").split():
            html = node.astext()
            cleaned = CDN_FONT_AWESOME.sub("", html)
            if cleaned != html:
                node.children = [nodes.Text(cleaned)]


def remove_thebe(app: Sphinx) -> None:
    """Disconnect sphinx-thebe's page scripts and per-page configuration."""
    for event in ("env-before-read-docs", "doctree-resolved"):
        for listener in list(app.events.listeners.get(event, [])):
            if getattr(listener.handler, "__module__", "").startswith("sphinx_thebe"):
                app.disconnect(listener.id)


def launch_notebooks_only(app: Sphinx, pagename: str, templatename: str, context: dict,
                          doctree: object) -> None:
    """Drop the launch buttons of pages whose source is not a ``.ipynb`` notebook."""
    if Path(app.env.doc2path(pagename)).suffix != ".ipynb" and "header_buttons" in context:
        context["header_buttons"] = [
            b for b in context["header_buttons"] if b.get("label") != "launch-buttons"
        ]


def setup(app: Sphinx) -> dict[str, object]:
    remove_thebe(app)
    app.connect("doctree-resolved", drop_cdn_links)
    # after sphinx-book-theme's add_launch_buttons (priority 501)
    app.connect("html-page-context", launch_notebooks_only, priority=502)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
