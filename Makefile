# Two commands set up everything on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

OLDEST := .venv-oldest
OLDEST_STAMP := $(OLDEST)/.installed

.PHONY: demo test test-oldest bench lint clean

# The set-up says what it does: it takes a few minutes the first time, and pip shows each package.
$(STAMP): pyproject.toml
	@echo "== set-up 1/3: a virtual environment in $(VENV) (once, with $(PYTHON)) =="
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "== set-up 2/3: upgrading pip in $(VENV) =="
	$(BIN)/python -m pip install --quiet --upgrade pip
	@echo "== set-up 3/3: installing hookmock and its development tools (2-4 minutes the first time) =="
	$(BIN)/python -m pip install --progress-bar off -e '.[dev]'
	touch $(STAMP)
	@echo "== set-up done: $(VENV) is ready =="

test: $(STAMP)
	$(BIN)/python -m pytest -n 2 -q

# The suite against the oldest dependency versions pyproject.toml allows (constraints-oldest.txt),
# in a venv of its own; Schemathesis and pytest-asyncio need pytest 8, and Locust's recent releases
# pytest 8.3, so their tests are left out of this run. It installs the oldest faker hookmock allows,
# not the one the shipped value pools were built with, so the check that rebuilds them skips there
# even where CI requires it.
$(OLDEST_STAMP): pyproject.toml constraints-oldest.txt .ci/oldest_requirements.py
	test -x $(OLDEST)/bin/python || $(PYTHON) -m venv $(OLDEST)
	$(OLDEST)/bin/python -m pip install --quiet --upgrade pip
	$(OLDEST)/bin/python .ci/oldest_requirements.py > $(OLDEST)/requirements.txt
	$(OLDEST)/bin/python -m pip install --quiet -c constraints-oldest.txt -e . -r $(OLDEST)/requirements.txt
	touch $(OLDEST_STAMP)

test-oldest: $(OLDEST_STAMP)
	HOOKMOCK_REQUIRE_POOLS= $(OLDEST)/bin/python -m pytest -n 2 -q -p no:cacheprovider --ignore=tests/test_server_openapi.py --ignore=tests/test_async.py --ignore=tests/test_load.py

demo: $(STAMP)
	@echo "== the demo: the example receiver's tests, events sent to it, then two receivers graded =="
	$(BIN)/python examples/demo.py

# make bench BENCH_ARGS="--only send,serve --quick" runs a subset; see benchmarks/run.py --help.
BENCH_ARGS ?=
bench: $(STAMP)
	@echo "== benchmarks: about 8 minutes (the first run also makes venvs in .bench-venvs/); each figure is printed as its benchmark finishes =="
	$(BIN)/python benchmarks/run.py $(BENCH_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check hookmock tests examples benchmarks tools
	$(BIN)/ruff format --check hookmock tests examples benchmarks tools
	$(BIN)/mypy

clean:
	rm -rf $(VENV) $(OLDEST) dist build .pytest_cache .mypy_cache .ruff_cache .bench-venvs benchmarks/results.json
