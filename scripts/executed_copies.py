"""Write the notebooks the book build executed, with every output, for nbval to run again.

jupyter-book keeps each executed notebook in its cache (``_build/.jupyter_cache``) with all of
its outputs, those of hidden cells included: the values the prose glues in are outputs of hidden
cells. (The copies in ``_build/jupyter_execute`` drop the outputs of removed cells, so nbval
would find "new" outputs there and could not compare the glued values.) This script writes, for
every page of the book's cache (``.ipynb`` chapters and MyST Markdown pages alike), its code cells
with their tags and cached outputs, to ``OUT/<the page's path>.ipynb``; ``make notebooks`` then
runs nbval on ``OUT``, which executes each one again and compares every output. A page whose
source changed since its cached run is an error: there is nothing to compare it with until the
book is built again.

Run: ``python scripts/executed_copies.py [--cache _build/.jupyter_cache] [--out _build/reproduce]``
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

import nbformat
from jupyter_cache import get_cache

ROOT = Path(__file__).resolve().parent.parent


def write_copies(cache_path: Path, out: Path) -> list[Path]:
    """Write one executed copy per cached page of the book under ``out``; return their paths."""
    if not cache_path.is_dir():
        raise SystemExit(f"no notebook cache at {cache_path}: build the book first (make build)")
    cache = get_cache(str(cache_path))
    shutil.rmtree(out, ignore_errors=True)
    written, stale = [], []
    for record in cache.list_project_records():
        source = Path(record.uri)
        if not source.exists():
            continue  # a page removed from the book since
        cached = cache.get_cached_project_nb(record.uri)
        if cached is None:
            stale.append(str(source))
            continue
        notebook = cache.get_cache_bundle(cached.pk).nb  # its code cells, tags and all outputs
        target = out / source.resolve().relative_to(ROOT).with_suffix(".ipynb")
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, target)
        written.append(target)
    if stale:
        raise SystemExit("executed outputs are stale (rebuild the book): " + ", ".join(stale))
    if not written:
        raise SystemExit(f"the cache at {cache_path} holds no executed page")
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=ROOT / "_build" / ".jupyter_cache")
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "reproduce")
    args = parser.parse_args(argv)
    for path in write_copies(args.cache, args.out):
        print(path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path)


if __name__ == "__main__":
    sys.exit(main())
