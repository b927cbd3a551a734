# Two commands set up everything on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

OLDEST := .venv-oldest
OLDEST_STAMP := $(OLDEST)/.installed

.PHONY: demo test test-oldest bench lint clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

test: $(STAMP)
	$(BIN)/python -m pytest -n 2 -q

# The suite against the oldest dependency versions pyproject.toml allows (constraints-oldest.txt),
# in a venv of its own; Schemathesis needs pytest 8, so its tests are left out of this run.
$(OLDEST_STAMP): pyproject.toml constraints-oldest.txt .ci/oldest_requirements.py
	test -x $(OLDEST)/bin/python || $(PYTHON) -m venv $(OLDEST)
	$(OLDEST)/bin/python -m pip install --quiet --upgrade pip
	$(OLDEST)/bin/python .ci/oldest_requirements.py > $(OLDEST)/requirements.txt
	$(OLDEST)/bin/python -m pip install --quiet -c constraints-oldest.txt -e . -r $(OLDEST)/requirements.txt
	touch $(OLDEST_STAMP)

test-oldest: $(OLDEST_STAMP)
	$(OLDEST)/bin/python -m pytest -n 2 -q -p no:cacheprovider --ignore=tests/test_server_openapi.py

demo: $(STAMP)
	$(BIN)/python examples/demo.py

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

lint: $(STAMP)
	$(BIN)/ruff check hookmock tests examples benchmarks tools
	$(BIN)/ruff format --check hookmock tests examples benchmarks tools
	$(BIN)/mypy

clean:
	rm -rf $(VENV) $(OLDEST) dist build .pytest_cache .mypy_cache .ruff_cache
