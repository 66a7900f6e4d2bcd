# `make run` and `make test` do all set-up on a fresh machine (Python >= 3.11, no internet
# but the package index): create .venv, install, then run or test.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

export PREFECT_SERVER_ANALYTICS_ENABLED ?= false
export DO_NOT_TRACK ?= 1

.PHONY: install install-dev run test lint format clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

run: install  ## ingest the sources in sources.yaml into warehouse/newsflow.duckdb
	$(BIN)/newsflow ingest

test: install-dev  ## the test suite (long suites: pytest -m slow)
	$(BIN)/pytest -q -m "not slow"

lint: install-dev
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format: install-dev
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) warehouse/*.duckdb warehouse/*.wal .pytest_cache
