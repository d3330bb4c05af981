# Two commands matter: `make run` and `make test`. Both create .venv and install on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DEMO := data/demo.duckdb
DEMO_LEADS ?= 300000

.PHONY: install run demo test lint typecheck imports unit audit bench clean

TEST_STAMP := $(VENV)/.installed-test-stamp

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The tests also need the Spark extra (pyspark's jars, about 460 MB, and PyHive); `make run` does not.
$(TEST_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,spark]'
	touch $(TEST_STAMP)

install: $(STAMP)

$(DEMO): | $(STAMP)
	$(BIN)/leadline demo --leads $(DEMO_LEADS) --out $(DEMO)

demo: $(STAMP)
	$(BIN)/leadline demo --leads $(DEMO_LEADS) --out $(DEMO)

run: $(STAMP) $(DEMO)
	$(BIN)/leadline serve

lint: $(STAMP)
	$(BIN)/ruff check .

typecheck: $(STAMP)
	$(BIN)/mypy

# Import contracts (pyproject.toml [tool.importlinter]): pages -> dashboard -> loaders -> metrics -> common.
imports: $(STAMP)
	$(BIN)/lint-imports

unit: $(TEST_STAMP)
	$(BIN)/pytest

test: lint typecheck imports unit

# Dependency advisories (pip-audit) and the security lint against .ci/audit-ignore.toml; needs PyPI.
audit: $(STAMP)
	$(BIN)/python .ci/audit.py

bench: $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache
