# The two commands of the README:
#   make demo   install, load the demo organization and serve it on http://127.0.0.1:8000
#   make test   install everything the tests need and run them on SQLite and PostgreSQL
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?=

.PHONY: demo test test-sqlite test-postgres lint install install-dev clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is required")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-base: requirements/base.lock pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements/base.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

# requirements/oracle.lock: reference packages the tests compare against. gbstats
# pins numpy<2 and pandas<2 for its dataframe front end, which the tests never import;
# its statistics modules need only numpy, scipy and pydantic, so it goes in without
# its declared dependencies.
$(VENV)/.installed-dev: requirements/dev.lock requirements/oracle.lock pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements/dev.lock
	$(BIN)/pip install --quiet --require-hashes --no-deps -r requirements/oracle.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@ $(VENV)/.installed-base

install: $(VENV)/.installed-base
install-dev: $(VENV)/.installed-dev

demo: install
	$(BIN)/pilothouse demo

# The two databases' runs are independent (each has its own data dir and database), so
# they run side by side; each one's output is printed whole when it ends.
test: install-dev
	scripts/system-deps
	$(MAKE) --no-print-directory --jobs=2 --output-sync=target test-sqlite test-postgres

test-sqlite:
	@echo "== tests on SQLite"
	$(BIN)/pytest $(PYTEST_ARGS)

test-postgres:
	@echo "== tests on PostgreSQL"
	scripts/with-postgres $(BIN)/pytest $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/lint-imports
	PILOTHOUSE_DATA_DIR=$$(mktemp -d) PILOTHOUSE_SECRET_KEY=lint-only-$$(date +%s)-not-a-secret-just-long-enough \
		$(BIN)/pilothouse manage makemigrations --check --dry-run

clean:
	rm -rf $(VENV) var
