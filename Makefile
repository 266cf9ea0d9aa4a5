# Two commands: `make run` and `make test`. Both install what they need into .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: install run test typecheck bench lint vendor text-order

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

install: $(BIN)/.installed

run: install
	$(BIN)/tangram serve --init

# The engine is typed strict ([tool.mypy] in pyproject.toml); an error fails the build before any test runs.
typecheck: install
	$(BIN)/mypy

test: typecheck
	$(BIN)/pytest $(PYTEST_ARGS)

bench: install
	$(BIN)/python -m bench $(BENCH_ARGS)

lint: install
	$(BIN)/ruff check .

vendor: install
	$(BIN)/python -m builder_ui.vendor

text-order: install
	$(BIN)/python -m runtime.io.text_order_table
