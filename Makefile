# Two commands set up everything on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test bench lint clean

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

demo: $(STAMP)
	@echo "== the demo: the example receiver's tests, events sent to it, then two receivers graded =="
	$(BIN)/python examples/demo.py

bench: $(STAMP)
	@echo "== benchmarks: several minutes; each figure is printed as its benchmark finishes =="
	$(BIN)/python benchmarks/run.py

lint: $(STAMP)
	$(BIN)/ruff check hookmock tests examples benchmarks tools
	$(BIN)/ruff format --check hookmock tests examples benchmarks tools
	$(BIN)/mypy

clean:
	rm -rf $(VENV) dist build .pytest_cache .mypy_cache .ruff_cache
