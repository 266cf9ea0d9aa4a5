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

# One pytest worker per core; a test file stays on one worker (its module fixtures — a browser, a site —
# are set up once). PYTEST_WORKERS= runs in one process.
PYTEST_WORKERS ?= -n auto --dist loadfile

test: typecheck
	$(BIN)/pytest $(PYTEST_WORKERS) $(PYTEST_ARGS)

bench: install
	$(BIN)/python -m bench $(BENCH_ARGS)

lint: install
	$(BIN)/ruff check .

vendor: install
	$(BIN)/python -m builder_ui.vendor

text-order: install
	$(BIN)/python -m runtime.io.text_order_table
