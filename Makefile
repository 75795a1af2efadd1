# One obvious command for each job. `make run` and `make test` are what the README shows.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# The request path compiled with mypyc (collector/native.py lists it; setup.py builds it).
NATIVE_SRC := setup.py collector/native.py $(shell $(PYTHON) -c "import runpy; print(' '.join(m.replace('.', '/') + '.py' for m in runpy.run_path('collector/native.py')['COMPILED_MODULES']))")
NATIVE := build/.native

.PHONY: run test test-fast lint typecheck bench demo build clean

# Installed plain first; $(NATIVE) then compiles next to the sources, with the types of
# the installed dependencies.
$(STAMP): pyproject.toml setup.py
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip setuptools
	COLLECTOR_COMPILE=0 $(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

# An edited module is compiled again (its older compiled copy would shadow it).
$(NATIVE): $(STAMP) $(NATIVE_SRC)
	$(BIN)/python setup.py --quiet build_ext --inplace
	mkdir -p build && touch $(NATIVE)

build: $(NATIVE)  ## compile the request path again after editing it (make run/test/bench do it too)

run: $(NATIVE)  ## migrate, create a demo site and an admin (once), serve on 127.0.0.1:8000
	$(BIN)/collector migrate
	$(BIN)/collector bootstrap
	COLLECTOR_DEMO=true $(BIN)/collector serve

demo: $(STAMP)  ## fill site 1 with 30 days of realistic traffic
	$(BIN)/collector demo --site 1

# Every suite on the compiled request path, as installed; then the in-process suites again
# on the plain modules (what a machine without a C compiler runs), which is also where
# coverage can see every line (it cannot trace compiled code): below the floor fails.
COVERAGE_FLOOR := 90

test: $(NATIVE) lint typecheck  ## every suite: unit, golden, fuzz, integration (real uvicorn), browser
	$(BIN)/pytest
	COLLECTOR_PLAIN_MODULES=1 $(BIN)/pytest -q -p no:cacheprovider -m "not slow and not browser" \
		--cov=collector --cov-report=term:skip-covered --cov-fail-under=$(COVERAGE_FLOOR)

test-fast: $(NATIVE)
	$(BIN)/pytest -m "not slow"

lint: $(STAMP)
	$(BIN)/ruff check collector tests bench tools setup.py
	$(BIN)/ruff format --check collector tests bench tools setup.py

typecheck: $(STAMP)
	$(BIN)/mypy

bench: $(NATIVE)  ## ingest next to a bare Starlette 204 route (needs wrk), on SQLite and PostgreSQL; stats queries and rollup; dashboard pages
	$(BIN)/python -m bench.ingest
	$(BIN)/python -m bench.pg_ingest
	$(BIN)/python -m bench.pg_driver
	$(BIN)/python -m bench.accesslog
	$(BIN)/python -m bench.stats
	$(BIN)/python -m bench.pg_stats
	$(BIN)/python -m bench.dashboard

clean:
	rm -rf $(VENV) build .pytest_cache .mypy_cache .ruff_cache
	find collector -name '*.so' -delete
