# Two commands matter: `make demo` and `make test`. Both set up from nothing.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)
CHROMIUM ?= /usr/bin/chromium

.PHONY: demo test install lint typecheck imports unit e2e bench chromium clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

# Debian's Chromium for the browser tests; Playwright never downloads a browser here.
chromium:
	@test -x $(CHROMIUM) || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
	@test -x $(CHROMIUM) && echo "chromium: $$($(CHROMIUM) --version 2>/dev/null)"

lint: install
	$(BIN)/ruff check src tests bench

typecheck: install
	$(BIN)/mypy

imports: install
	$(BIN)/lint-imports

unit: install
	$(BIN)/pytest -m "not e2e"

e2e: install chromium
	$(BIN)/pytest -m e2e

test: install chromium lint typecheck imports
	ETAIL_CHROMIUM=$(CHROMIUM) $(BIN)/pytest

demo: install
	$(BIN)/etail demo

bench: install
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .etail
