# The two commands of the README, `make run` and `make test`; `make check`, the fast lane; and `make bench`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test check lint bench bench-console bench-variants clean console-types

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.run-deps: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev-deps: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $(VENV)/.run-deps $@

# The OpenAPI checkers nobody here wrote (Redocly, openapi-typescript, tsc), pinned by the lock file.
NPM_TOOLS := tests/js/node_modules/.installed
$(NPM_TOOLS): tests/js/package.json tests/js/package-lock.json
	cd tests/js && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The staff console (console/): Preact and TypeScript, built by Vite into console/dist, which the app serves.
CONSOLE := console/dist/index.html
console/node_modules/.installed: console/package.json console/package-lock.json
	cd console && npm ci --no-audit --no-fund --loglevel=error
	touch $@
$(CONSOLE): console/node_modules/.installed console/index.html console/vite.config.ts console/tsconfig.json $(wildcard console/src/*.ts* console/src/*.css console/src/views/*)
	cd console && npm run --silent build

run: $(VENV)/.run-deps $(CONSOLE)  ## migrate, then serve on http://127.0.0.1:$${PORT:-8000}
	PATH="$(CURDIR)/$(BIN):$$PATH" PORTFOLIO_ENV=$${PORTFOLIO_ENV:-development} ./boot.sh

test: $(VENV)/.dev-deps $(NPM_TOOLS) $(CONSOLE)  ## the whole test suite, on SQLite and on a throw-away PostgreSQL
	./tests/run.sh $(PYTEST_ARGS)

bench: $(VENV)/.dev-deps  ## bench/http.py: gunicorn against a bare-Flask ceiling (BENCH_ARGS go to it)
	./bench/run.sh $(BENCH_ARGS)

bench-console: $(VENV)/.dev-deps $(NPM_TOOLS) $(CONSOLE)  ## bench/console.py: Lighthouse scores and bytes of the console
	$(BIN)/python bench/console.py

bench-variants: $(VENV)/.dev-deps  ## bench/variants.py: variants' bytes, SSIM and times on real photographs
	$(BIN)/python bench/variants.py

check: $(VENV)/.dev-deps  ## the fast lane: lint, format, types, and every test that needs no server (2 processes)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python -m pytest -q -m "not slow" -n 2 -p no:randomly $(PYTEST_ARGS)

console-types: $(VENV)/.run-deps console/node_modules/.installed  ## console/src/schema.d.ts from the OpenAPI document
	FLASK_APP=wsgi PORTFOLIO_ENV=development DATABASE_URL=sqlite:// JOBS_URL=memory:// SECRET_KEY=types $(BIN)/flask openapi > console/openapi.json
	cd console && OPENAPI=openapi.json npm run --silent types && rm openapi.json

lint: $(VENV)/.dev-deps
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) .pytest_cache .coverage htmlcov console/dist console/node_modules
