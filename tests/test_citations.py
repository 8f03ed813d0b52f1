"""Every citation names an entry that says, in the entry, what the work says that the book cites.

A citation must say what the cited work says. So that each one is checked once and can be
checked again, the entry of every cited work carries an ``annote`` field: one or two sentences,
in the book's own words, of what the work says that the book relies on, and where (abstract,
section, table). This test keeps every cited key present and annotated.
"""

import json
import re
from pathlib import Path

import pytest
from pybtex.database import parse_file

ROOT = Path(__file__).resolve().parent.parent
BIB = parse_file(str(ROOT / "references.bib"))
CITE = re.compile(r"\{cite(?::[a-z]+)?\}`([^`]+)`")


def _texts() -> dict[str, str]:
    pages = {}
    for path in sorted((ROOT / "chapters").glob("*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        pages[path.name] = "\n".join("".join(c["source"]) for c in cells)
    for path in [ROOT / "intro.md", *sorted((ROOT / "appendix").glob("*.md"))]:
        pages[path.name] = path.read_text(encoding="utf-8")
    return pages


def _cited() -> dict[str, set[str]]:
    cited: dict[str, set[str]] = {}
    for page, text in _texts().items():
        for match in CITE.finditer(text):
            for key in match.group(1).split(","):
                cited.setdefault(key.strip(), set()).add(page)
    return cited


CITED = _cited()


def test_the_book_cites_works():
    assert len(CITED) >= 10


@pytest.mark.parametrize("key", sorted(CITED))
def test_cited_entry_exists_and_says_what_the_work_says(key):
    assert key in BIB.entries, f"{key} (cited in {sorted(CITED[key])}) is not in references.bib"
    annote = BIB.entries[key].fields.get("annote", "").strip()
    assert len(annote) >= 40, (
        f"{key}: add an annote: what the work says that {sorted(CITED[key])} cite it for, and where"
    )
