# Yiwang — two commands: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PYTEST := $(BIN)/pytest -q

.PHONY: demo test install lint test-sqlite test-postgres test-browser clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit("需要 Python ≥ 3.11" if sys.version_info < (3, 11) else 0)'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

install: $(VENV)/.installed

## demo: install, migrate, generate the demo city (small), serve http://127.0.0.1:8000 with a worker
demo: install
	YIWANG_DEBUG=true $(BIN)/yiwang migrate --noinput -v0
	YIWANG_DEBUG=true $(BIN)/yiwang demo --scale small
	YIWANG_DEBUG=true $(BIN)/yiwang serve --with-worker --port 8000

## test: lint, checks, pytest on SQLite and PostgreSQL, then the browser tests
test: install lint test-sqlite test-postgres test-browser

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	YIWANG_ENV=test $(BIN)/yiwang check
	YIWANG_ENV=test $(BIN)/yiwang makemigrations --check --dry-run

test-sqlite: install
	$(PYTEST)

test-postgres: install
	scripts/with-postgres $(PYTEST)

test-browser: install
	scripts/check-chromium
	$(PYTEST) -m browser tests/browser

clean:
	rm -rf $(VENV) var
