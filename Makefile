# The two commands:  make        set everything up and build the default documents
#                    make test   run the tests (sets up first if needed)
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV   := .venv
PY     := $(VENV)/bin/python
# The stamp's name changes with the pins, so editing a requirements file reinstalls.
STAMP  := $(VENV)/.installed-$(shell cat requirements.txt requirements-test.txt package-lock.json | cksum | cut -d' ' -f1)

BUILD_STAMP := $(VENV)/.installed-build-$(shell cat requirements.txt | cksum | cut -d' ' -f1)

.PHONY: all setup setup-build build check test lint schema messages bench images clean help

all: build

help:
	@echo "make          set up (venv, pinned packages, system libraries) and build output/"
	@echo "make test     run the test suite (and the lint and type checks)"
	@echo "make setup-build  only what building needs: no browser, no test packages (for CI build jobs)"
	@echo "make lint     ruff (lint and format) and mypy, as make test runs them"
	@echo "make check    validate profile_src/ only"
	@echo "make schema   regenerate schema/*.json from the source models"
	@echo "make messages extract the interface's words, update the catalogues in locales/ and check them"
	@echo "make bench    time full, no-op and one-edit builds, and the PDF handbook, against bare WeasyPrint;"
	@echo "              and the live preview: a save to the reloaded handbook, an edit to its new PDF"
	@echo "              read 1,000 synthetic scans of the printed worksheet (accuracy and pages a second)"
	@echo "              and time \`make test\` step by step against its 2-minute goal (scripts/bench_tests.py)"
	@echo "              (scripts/bench_pdf.py --instructions counts CPU instructions with valgrind)"
	@echo "make images   redraw the README's page images (needs pdftoppm: apt-get install poppler-utils)"
	@echo "make clean    remove the virtual environment, caches, pip's build folders and the documents the build made"

setup: $(STAMP)

$(STAMP): requirements.txt requirements-test.txt package-lock.json scripts/install-system-deps.sh
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' || \
	  { echo "Python 3.11 or newer is needed (found: $$($(PYTHON) --version))"; exit 1; }
	scripts/install-system-deps.sh
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-test.txt
	npm ci --no-audit --no-fund --loglevel=error
	rm -f $(VENV)/.installed-*
	touch $@

# Building only (CI build jobs): the runtime packages and the system libraries WeasyPrint needs.
setup-build: $(BUILD_STAMP)

$(BUILD_STAMP): requirements.txt scripts/install-system-deps.sh
	scripts/install-system-deps.sh --build-only
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

build: setup
	$(PY) build.py

check: setup
	$(PY) build.py check

# Lint, format and types first (seconds), then output/ brought up to date as `make` does (a no-op when
# nothing changed), then the tests, which read the default documents from output/ and never write there.
# Compiled modules are kept (__pycache__), even where the environment says not to write them: without
# them each test process compiles every test module again to rewrite its asserts (3 s of a 2-core run).
test: lint build
	PYTHONDONTWRITEBYTECODE= $(PY) -m pytest

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

schema: setup
	$(PY) build.py schema

# Extract the interface's words, update every catalogue, then compile them (pybabel checks each translation's
# placeholders; the .mo files are not committed: the build reads the .po files). tests/test_messages.py fails
# when a catalogue lacks a message, keeps a fuzzy one or breaks a placeholder.
messages: setup
	$(VENV)/bin/pybabel extract -F babel.cfg -k N_ -k ngettext:1,2 --no-location --sort-output -o locales/messages.pot .
	$(VENV)/bin/pybabel update -i locales/messages.pot -d locales --ignore-pot-creation-date --no-fuzzy-matching
	$(VENV)/bin/pybabel compile -d locales --statistics

bench: setup
	$(PY) scripts/bench_build.py
	$(PY) scripts/bench_pdf.py
	$(PY) scripts/bench_serve.py
	$(PY) scripts/bench_scans.py
	$(PY) scripts/bench_tests.py

images: build
	$(PY) scripts/sample_summary.py output/sample
	for page in 1 3 9 16; do \
	  pdftoppm -png -r 60 -f $$page -l $$page -singlefile output/neutral/handbook.pdf docs/images/handbook-page-$$page; \
	done
	for page in 1 2; do \
	  pdftoppm -png -r 50 -f $$page -l $$page -singlefile output/neutral/worksheets/profile.pdf docs/images/worksheet-page-$$page; \
	  pdftoppm -png -r 50 -f $$page -l $$page -singlefile output/sample/summary/summary.pdf docs/images/summary-page-$$page; \
	done
	pdftoppm -png -r 50 -f 3 -l 3 -singlefile output/sample/filled/ada.pdf docs/images/worksheet-filled-page-3
	for page in 1 2 3 14 16 17; do \
	  pdftoppm -png -r 40 -f $$page -l $$page -singlefile output/neutral/packets/introduction-half-day.pdf docs/images/packet-page-$$page; \
	done
	for page in 2 3; do \
	  pdftoppm -png -r 40 -f $$page -l $$page -singlefile output/neutral/packets/introduction-half-day-trainer.pdf docs/images/trainer-page-$$page; \
	done
	for page in 1 6 7 20; do \
	  pdftoppm -png -r 40 -f $$page -l $$page -singlefile output/neutral/packets/introduction-half-day-slides.pdf docs/images/slides-page-$$page; \
	done

# The documents go through the build itself, which removes only the files its manifest lists:
# your own files in output/ stay.
clean:
	if [ -x $(PY) ]; then $(PY) build.py clean; fi
	rm -rf $(VENV) .pytest_cache node_modules .hypothesis build profilepress.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
