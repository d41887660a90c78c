# Two commands on a fresh machine: `make demo` (the main job) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install system browser demo test test-pg lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Debian's packages the tests and benches run for real: Chromium for the browser tests (tests/test_browser.py), nginx in
# front of the app (tests/test_behind_proxy.py), wrk for the acknowledgement benches (bench/acks.py); root, or sudo.
system:
	command -v chromium >/dev/null && command -v nginx >/dev/null && command -v wrk >/dev/null || { apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium nginx-light wrk; }

browser: system

demo: $(STAMP)
	$(BIN)/cascade demo

test: $(STAMP) system
	$(BIN)/pytest -q

# The same suite against PostgreSQL (this machine kind runs it on 127.0.0.1:5432, database `test`).
test-pg: $(STAMP) system
	CASCADE_TEST_DATABASE_URL=$${CASCADE_TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/test} $(BIN)/pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy cascade models flows tasks web
	$(BIN)/lint-imports

clean:
	rm -rf demo-out .pytest_cache .mypy_cache .ruff_cache
