# Team Tracker: `make run` to try it, `make test` to check it. `make help` lists the rest.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
# Two pytest workers (pytest-xdist): each gets its own migrated database; PYTEST_ARGS= for one.
PYTEST_ARGS ?= -n 2

.PHONY: bench-markdown load help install install-dev run serve migrate test test-sqlite test-postgres test-browser lint format clean bench bench-plans bench-matrix

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 16

$(VENV)/.runtime: requirements.txt constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt -c constraints.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt constraints.txt $(VENV)/.runtime
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt -c constraints.txt
	touch $@

install: $(VENV)/.runtime  ## create .venv with the pinned runtime dependencies

install-dev: $(VENV)/.dev  ## add the test and lint tools

migrate: install  ## upgrade the database to the newest schema
	$(FLASK) db upgrade

run: migrate  ## install, migrate, seed the demo on an empty database, serve on 127.0.0.1:5000 with the job worker
	$(FLASK) tracker seed-demo --if-empty
	@echo "Team Tracker on http://$(HOST):$(PORT), with its job worker (Ctrl-C stops both)"
	@# The worker (e-mail) runs beside the server and stops with it, however the server ends.
	@$(FLASK) tracker worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(FLASK) run --host $(HOST) --port $(PORT)

serve: migrate  ## production-style: gunicorn with 4 workers on 127.0.0.1:8000 (run `$(FLASK) tracker worker` as a second process: docs/operations.md)
	$(BIN)/gunicorn --config gunicorn.conf.py wsgi:app

lint: install-dev  ## ruff (lint and format check), then mypy (configured in pyproject.toml)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: install-dev  ## ruff: fix what can be fixed and format
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: lint test-sqlite  ## lint and type check, then the whole suite on SQLite

test-sqlite: install-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-postgres: install-dev  ## the whole suite on PostgreSQL (PG_TEST_URL)
	TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/python -m pytest $(PYTEST_ARGS)

test-browser: install-dev  ## only the browser tests (Playwright driving /usr/bin/chromium)
	$(BIN)/python -m pytest -m browser tests/browser

$(VENV)/.load: requirements-load.txt constraints.txt $(VENV)/.runtime
	$(BIN)/python -m pip install --quiet -r requirements-load.txt -c constraints.txt
	touch $@

load: $(VENV)/.load  ## mixed reads/writes on gunicorn (4 workers), SQLite then PostgreSQL; checks no write is lost
	$(BIN)/python load/run.py

bench: install-dev  ## org scale (2,000 members): pages, exports, gunicorn+wrk; SQLite and PostgreSQL
	$(BIN)/python bench/org.py

bench-plans: install-dev  ## every page's SQL statements and query plans at org scale (both engines)
	$(BIN)/python bench/plans.py

bench-markdown: install-dev  ## the cost of rendering the costliest notes, before and after the budget
	$(BIN)/python bench/markdown.py

bench-matrix: install-dev  ## time the skill matrix page and exports (500 members) against raw SQL
	$(BIN)/python bench/matrix.py

clean:  ## remove the virtualenv and caches (keeps instance/, your data)
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
