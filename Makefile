# One obvious command for each job. `make run` and `make test` are what the README shows.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-fast lint typecheck bench demo clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)  ## migrate, create a demo site and an admin (once), serve on 127.0.0.1:8000
	$(BIN)/collector migrate
	$(BIN)/collector bootstrap
	COLLECTOR_DEMO=true $(BIN)/collector serve

demo: $(STAMP)  ## fill site 1 with 30 days of realistic traffic
	$(BIN)/collector demo --site 1

test: $(STAMP) lint typecheck  ## every suite: unit, golden, fuzz, integration (real uvicorn)
	$(BIN)/pytest

test-fast: $(STAMP)
	$(BIN)/pytest -m "not slow"

lint: $(STAMP)
	$(BIN)/ruff check collector dashboards tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

bench: $(STAMP)  ## ingest next to a bare Starlette 204 route (needs wrk); stats queries and rollup; dashboard pages
	$(BIN)/python -m bench.ingest
	$(BIN)/python -m bench.stats
	$(BIN)/python -m bench.dashboard

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
