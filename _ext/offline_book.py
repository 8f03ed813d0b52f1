"""A Sphinx extension that keeps the book's pages free of requests to other hosts.

jupyter-book always loads sphinx-thebe, which adds its configuration script to every page
(twice: a console error, ``THEBE_JS_URL`` declared twice), names a CDN for thebe itself, and
appends its per-page configuration to every doctree. The book does not offer thebe (live
code needs a Binder server anyway), so both are taken out again through Sphinx's public
events: the scripts from the page's ``script_files`` in ``html-page-context``, the
configuration nodes in a ``doctree-resolved`` handler that runs after sphinx-thebe's.

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

#: What sphinx-thebe puts on a page: its script file, the script that configures it, and the
#: raw HTML of its per-page configuration.
THEBE_SCRIPT = "sphinx-thebe.js"
THEBE_MARKERS = ("THEBE_JS_URL", "text/x-thebe-config", "kernelName =")


def drop_cdn_links(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Remove CDN Font Awesome links from the raw HTML of ``docname``'s outputs."""
    for node in doctree.findall(nodes.raw):
        if "html" in node.get("format", "").split():
            html = node.astext()
            cleaned = CDN_FONT_AWESOME.sub("", html)
            if cleaned != html:
                node.children = [nodes.Text(cleaned)]


def is_thebe(script: object) -> bool:
    """Whether an entry of a page's ``script_files`` is one of sphinx-thebe's scripts."""
    filename = str(getattr(script, "filename", None) or "")
    body = str(getattr(script, "attributes", {}).get("body", ""))
    return Path(filename).name == THEBE_SCRIPT or any(m in body for m in THEBE_MARKERS)


def drop_thebe_scripts(app: Sphinx, pagename: str, templatename: str, context: dict,
                       doctree: object) -> None:
    """Leave sphinx-thebe's scripts out of the page."""
    if "script_files" in context:
        context["script_files"] = [s for s in context["script_files"] if not is_thebe(s)]


def drop_thebe_config(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Remove the raw HTML nodes with sphinx-thebe's per-page configuration."""
    for node in list(doctree.findall(nodes.raw)):
        if any(marker in node.astext() for marker in THEBE_MARKERS):
            node.parent.remove(node)


def launch_notebooks_only(app: Sphinx, pagename: str, templatename: str, context: dict,
                          doctree: object) -> None:
    """Drop the launch buttons of pages whose source is not a ``.ipynb`` notebook."""
    if Path(app.env.doc2path(pagename)).suffix != ".ipynb" and "header_buttons" in context:
        context["header_buttons"] = [
            b for b in context["header_buttons"] if b.get("label") != "launch-buttons"
        ]


def setup(app: Sphinx) -> dict[str, object]:
    app.connect("doctree-resolved", drop_cdn_links)
    # after sphinx-thebe's update_thebe_context (default priority 500)
    app.connect("doctree-resolved", drop_thebe_config, priority=600)
    app.connect("html-page-context", drop_thebe_scripts)
    # after sphinx-book-theme's add_launch_buttons (priority 501)
    app.connect("html-page-context", launch_notebooks_only, priority=502)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
