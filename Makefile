# MTG Tracker — two commands to know: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint bench install format clean migrate demo forecast-acceptance

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/mtg-tracker db upgrade

demo: migrate
	$(BIN)/mtg-tracker catalog load-demo --if-empty

run: demo  ## install, migrate the embedded SQLite database, load the demo catalog if empty, serve
	$(BIN)/mtg-tracker serve --host $(HOST) --port $(PORT)

test: install  ## every test; PostgreSQL/Redis too when MTG_TEST_DATABASE_URL / MTG_TEST_REDIS_URL are set
	$(BIN)/python -m pytest $(PYTEST_ARGS)

forecast-acceptance: install  ## the heavy real-data forecast acceptance test (deselected by `make test`)
	$(BIN)/python -m pytest -m acceptance -s tests/forecast/test_real_data.py $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check src tests bench scripts migrations
	$(BIN)/ruff format --check src tests bench scripts migrations
	$(BIN)/mypy
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff format src tests bench scripts migrations
	$(BIN)/ruff check --fix src tests bench scripts migrations

bench: install  ## benchmarks; results are appended to bench/results and summarised in docs/BENCHMARKS.md
	$(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
