# MTG Tracker — two commands to know: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Reinstall when the project or the locked versions change.
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml requirements-dev.lock | cksum | cut -d' ' -f1)
# One resolution for every platform and Python >= 3.11, with the hash of every file (see `make lock`).
UV_COMPILE = $(BIN)/uv pip compile pyproject.toml --universal --generate-hashes --python-version 3.11 --quiet
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint bench install format clean migrate demo lock forecast-acceptance

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml requirements-dev.lock
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements-dev.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

install: $(STAMP)

# After changing dependencies in pyproject.toml (or to take upgrades: delete the lock files first).
# Versions already locked are kept where they still fit; the Dockerfile installs requirements.lock,
# `make install` requirements-dev.lock, both with --require-hashes.
lock: $(BIN)/python
	$(BIN)/python -m pip install --quiet 'uv>=0.5'
	$(UV_COMPILE) --extra otel -o requirements.lock
	$(UV_COMPILE) --extra dev -o requirements-dev.lock

migrate: install
	$(BIN)/mtg-tracker db upgrade

demo: migrate
	$(BIN)/mtg-tracker catalog load-demo --if-empty

run: demo  ## install, migrate the embedded SQLite database, load the demo catalog if empty, serve
	$(BIN)/mtg-tracker serve --host $(HOST) --port $(PORT)

# Test modules run in parallel, one per worker at a time (module fixtures such as the real catalog copy are
# built once); TEST_WORKERS=0 runs them in this process (for a debugger or -x).
TEST_WORKERS ?= auto
test: install  ## every test; PostgreSQL/Redis too when MTG_TEST_DATABASE_URL / MTG_TEST_REDIS_URL are set
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --maxprocesses 4 --dist loadfile $(PYTEST_ARGS)

forecast-acceptance: install  ## the heavy real-data forecast acceptance test (deselected by `make test`)
	$(BIN)/python -m pytest -m acceptance -s tests/forecast/test_real_data.py $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check src tests bench scripts migrations
	$(BIN)/ruff format --check src tests bench scripts migrations
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/bandit --quiet --severity-level medium --recursive src scripts
	$(BIN)/hadolint Dockerfile

format: install
	$(BIN)/ruff format src tests bench scripts migrations
	$(BIN)/ruff check --fix src tests bench scripts migrations

bench: install  ## benchmarks; results are appended to bench/results and summarised in docs/BENCHMARKS.md
	$(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
