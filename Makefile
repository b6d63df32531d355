# Two commands matter: `make demo` builds the demo pack, `make test` runs every test.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
APT_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core poppler-utils
STAMP  := $(VENV)/.installed

.PHONY: demo test setup system-deps clean help

help:  ## List the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

demo: setup  ## Set up, load the demo account into data/crm.duckdb and build the demo pack for the last full month
	$(BIN)/crmreports demo
	$(BIN)/crmreports pack --period last --pack demo

test: setup  ## Set up and run the whole test suite
	$(BIN)/python -m pytest -q

setup: system-deps $(STAMP)  ## Virtual environment with the project installed editable

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

system-deps:  ## apt packages: pango for the PDF engine (WeasyPrint), poppler for PDF checks
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=""; [ "$$(id -u)" -ne 0 ] && SUDO=sudo; \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

clean:  ## Remove the virtual environment, the store and rendered reports
	rm -rf $(VENV) data reports/*/
