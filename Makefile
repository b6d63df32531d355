# Two commands matter: `make demo` builds the demo pack, `make test` runs every test.
# While working: `make lint` (ruff, notebook pairs) and `make test-fast` (no kernels, no PDFs; under a minute).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
APT_PACKAGES := chromium libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core poppler-utils
STAMP  := $(VENV)/.installed

LINT_PATHS := lib tests $(wildcard notebooks/*.py)

.PHONY: demo test test-fast lint hooks setup system-deps clean help

help:  ## List the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

demo: setup  ## Set up, load the demo account into data/crm.duckdb and build the demo pack for the last full month
	$(BIN)/crmreports demo
	$(BIN)/crmreports pack --period last --pack demo

test: setup  ## Set up and run the whole test suite
	$(BIN)/python -m pytest -q

test-fast: setup  ## The tests that start no kernel and render no PDF, without the heavy ones (tests/conftest.py)
	$(BIN)/python -m pytest -q -m "not slow and not heavy" --durations=10

# All three checks run; the target fails if any did. The notebooks are linted through their jupytext pairs.
lint: setup  ## ruff check, ruff format --check, and every notebooks/*.py in sync with its .ipynb
	@rc=0; \
	$(BIN)/ruff check --output-format concise $(LINT_PATHS) || rc=1; \
	$(BIN)/ruff format --check --output-format concise $(LINT_PATHS) || rc=1; \
	for f in notebooks/*.py notebooks/*.ipynb; do \
	  case $$f in *.py) pair=$${f%.py}.ipynb;; *) pair=$${f%.ipynb}.py;; esac; \
	  [ -f "$$pair" ] || { echo "$$f: its jupytext pair $$pair is missing"; rc=1; }; \
	done; \
	for py in notebooks/*.py; do \
	  [ -f "$${py%.py}.ipynb" ] || continue; \
	  d=$$($(BIN)/jupytext --diff "$$py" "$${py%.py}.ipynb" 2>&1) || { echo "$$d"; rc=1; continue; }; \
	  [ -z "$$d" ] || { echo "$$d"; echo "$$py and its .ipynb differ: run $(BIN)/jupytext --sync $$py"; rc=1; }; \
	done; \
	[ $$rc -eq 0 ] && echo "lint: ok"; exit $$rc

hooks: setup  ## Install the git pre-commit hooks (.pre-commit-config.yaml: ruff, jupytext --sync)
	$(BIN)/pre-commit install

setup: system-deps $(STAMP)  ## Virtual environment with the project installed editable

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

system-deps:  ## apt packages: chromium (PDF engine), pango (WeasyPrint, its fallback), poppler for PDF checks
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=""; [ "$$(id -u)" -ne 0 ] && SUDO=sudo; \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

clean:  ## Remove the virtual environment, the store and rendered reports
	rm -rf $(VENV) data reports/*/
