#!/usr/bin/env bash
# Put a pinned MathJax inside the book, so that its pages typeset maths with no network.
#
# npm fetches the release tarball once; its SHA-512 is checked against the pin below and the
# files a page can ask for (the tex-mml-chtml bundle, TeX extensions, CHTML fonts, menu,
# accessibility and speech data) are unpacked into $DEST. Sphinx copies that folder into the
# HTML (html_extra_path in _config.yml) and mathjax_path points at it. Runs in a moment, and
# offline, once the pinned version is in place.
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION=3.2.2
SHA512=06df9249553c7811b6ef30a155ec0e89c62ced7b1db78d2a9b8f94a47c97ee4d3f3bd36588f73ec7bee4d7f144b0fb2328f64626fb5164cd6f3be81e5b43a11b
DEST=node_modules/book-extra/mathjax

if [ "$(cat "$DEST/VERSION" 2>/dev/null)" = "$VERSION" ]; then
  exit 0
fi
command -v npm >/dev/null || { echo "fetch_mathjax: npm is needed once to fetch MathJax $VERSION" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
npm pack "mathjax@$VERSION" --pack-destination "$tmp" --silent >/dev/null
tarball="$tmp/mathjax-$VERSION.tgz"
echo "$SHA512  $tarball" | sha512sum --check --quiet -
tar -xzf "$tarball" -C "$tmp"

rm -rf "$DEST"
mkdir -p "$DEST/output"
src="$tmp/package/es5"
cp "$tmp/package/LICENSE" "$src/tex-mml-chtml.js" "$DEST/"
cp -r "$src/input" "$src/ui" "$src/a11y" "$src/sre" "$DEST/"
cp -r "$src/output/chtml" "$src/output/chtml.js" "$DEST/output/"
echo "$VERSION" > "$DEST/VERSION"
echo "fetch_mathjax: MathJax $VERSION in $DEST ($(du -sh "$DEST" | cut -f1))"
