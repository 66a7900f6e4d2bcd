# `make run` and `make test` do all set-up on a fresh machine (Python >= 3.11, no internet
# but the package index): create .venv, install, then run or test.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

export PREFECT_SERVER_ANALYTICS_ENABLED ?= false
export DO_NOT_TRACK ?= 1

.PHONY: install install-dev run test lint format clean up down

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

# `make up`: a local Prefect server (UI on http://127.0.0.1:4200, analytics off, its database in
# .prefect-local/) and `newsflow serve` beside it, both in the background; `make down` stops both.
LOCAL := .prefect-local
PREFECT_PORT ?= 4200
UP_ENV := PREFECT_HOME=$(CURDIR)/$(LOCAL)/home PREFECT_SERVER_ANALYTICS_ENABLED=false \
	DO_NOT_TRACK=1 PREFECT_UI_API_URL=http://127.0.0.1:$(PREFECT_PORT)/api
SERVE_ARGS ?= --sources sources.yaml

up: install  ## start a Prefect server and serve the deployments (see docs/operations.md)
	@mkdir -p $(LOCAL)/home
	@if [ -f $(LOCAL)/server.pid ] && kill -0 $$(cat $(LOCAL)/server.pid) 2>/dev/null; then \
		echo "prefect server already running (pid $$(cat $(LOCAL)/server.pid))"; \
	else \
		$(UP_ENV) setsid $(BIN)/prefect server start --host 127.0.0.1 --port $(PREFECT_PORT) \
			> $(LOCAL)/server.log 2>&1 < /dev/null & echo $$! > $(LOCAL)/server.pid; \
	fi
	@echo "waiting for http://127.0.0.1:$(PREFECT_PORT)/api/health ..."
	@for i in $$(seq 1 120); do \
		curl -sf http://127.0.0.1:$(PREFECT_PORT)/api/health > /dev/null && break; sleep 1; \
	done; curl -sf http://127.0.0.1:$(PREFECT_PORT)/api/health > /dev/null \
		|| (echo "server did not start: see $(LOCAL)/server.log"; exit 1)
	@if [ -f $(LOCAL)/serve.pid ] && kill -0 $$(cat $(LOCAL)/serve.pid) 2>/dev/null; then \
		echo "newsflow serve already running (pid $$(cat $(LOCAL)/serve.pid))"; \
	else \
		$(UP_ENV) PREFECT_API_URL=http://127.0.0.1:$(PREFECT_PORT)/api setsid \
			$(BIN)/newsflow serve $(SERVE_ARGS) > $(LOCAL)/serve.log 2>&1 < /dev/null & \
			echo $$! > $(LOCAL)/serve.pid; \
	fi
	@echo "Prefect UI: http://127.0.0.1:$(PREFECT_PORT)  (logs in $(LOCAL)/; stop with make down)"

down:  ## stop what `make up` started
	@for name in serve server; do \
		if [ -f $(LOCAL)/$$name.pid ]; then \
			pid=$$(cat $(LOCAL)/$$name.pid); \
			kill -TERM -- -$$pid 2>/dev/null || kill -TERM $$pid 2>/dev/null || true; \
			for i in $$(seq 1 30); do kill -0 $$pid 2>/dev/null || break; sleep 1; done; \
			kill -KILL -- -$$pid 2>/dev/null || true; \
			rm -f $(LOCAL)/$$name.pid; echo "stopped $$name ($$pid)"; \
		fi; \
	done
