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


def _build(tmp_path: Path, extensions: list[str]) -> str:
    """A one-page Sphinx project built to HTML with ``extensions``; the page's HTML."""
    from sphinx.application import Sphinx

    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text(
        f"import sys\nsys.path.insert(0, {str(ROOT / '_ext')!r})\n"
        f"extensions = {extensions!r}\nthebe_config = {{}}\n"
    )
    (src / "index.rst").write_text("Title\n=====\n\nSome text.\n")
    out = tmp_path / "html"
    app = Sphinx(str(src), str(src), str(out), str(tmp_path / "doctrees"), "html",
                 status=None, warning=None, freshenv=True)
    app.build()
    return (out / "index.html").read_text(encoding="utf-8")


def test_sphinx_thebe_still_adds_its_scripts_and_config(tmp_path):
    """The canary: the day this fails, sphinx-thebe adds nothing and the workaround can go."""
    html = _build(tmp_path, ["sphinx_thebe"])
    assert "THEBE_JS_URL" in html and "sphinx-thebe.js" in html
    assert "text/x-thebe-config" in html


def test_the_extension_leaves_thebe_out_of_the_page(tmp_path):
    html = _build(tmp_path, ["sphinx_thebe", "offline_book"])
    for marker in ("THEBE_JS_URL", "sphinx-thebe.js", "text/x-thebe-config", "kernelName"):
        assert marker not in html
    assert "Some text." in html and "<script" in html  # the rest of the page is kept


def test_only_thebe_scripts_are_dropped_from_the_context():
    thebe = [SimpleNamespace(filename="_static/sphinx-thebe.js", attributes={"async": "async"}),
             SimpleNamespace(filename=None, attributes={"body": 'const THEBE_JS_URL = "x"'})]
    kept = [SimpleNamespace(filename="_static/doctools.js", attributes={}),
            SimpleNamespace(filename=None, attributes={"body": "var x = 1"})]
    context = {"script_files": thebe[:1] + kept[:1] + thebe[1:] + kept[1:]}
    offline_book.drop_thebe_scripts(SimpleNamespace(), "page", "page.html", context, None)
    assert context["script_files"] == kept
