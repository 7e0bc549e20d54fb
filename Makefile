# Roster: `make run` serves the app with demo data; `make test` runs every test.
SHELL := /bin/bash
PORT ?= 8000
PYTEST_ARGS ?=
# uv from PATH when it works, else installed with pip (into the pyenv Python chosen by .python-version).
UV := $(shell if uv --version >/dev/null 2>&1; then echo uv; else python3 -m pip install -q uv >&2 && echo "python3 -m uv"; fi)
PY := .venv/bin/python

.PHONY: run test venv migrate seed lint format bench worker

# Links in emails follow the port served (an explicit SITE_URL, in the environment or .env, wins).
SITE_URL_FOR_PORT = $$(grep -qs '^SITE_URL=' .env || echo "SITE_URL=$${SITE_URL:-http://127.0.0.1:$(PORT)}")
# How often `make worker` runs the scheduled jobs (seconds).
JOBS_EVERY ?= 3600

venv: .venv/.synced
.venv/.synced: pyproject.toml uv.lock .python-version
	@echo "Installing dependencies (uv sync)"
	@$(UV) sync --frozen --quiet
	@touch $@

migrate: venv
	@echo "Migrating the database"
	@$(PY) manage.py migrate --noinput --verbosity 0

seed: migrate
	@$(PY) manage.py seed_demo

run: seed
	@echo "Serving Roster at http://127.0.0.1:$(PORT)/ (demo logins in README.md; Ctrl-C stops)"
	@env $(SITE_URL_FOR_PORT) $(PY) manage.py runserver 127.0.0.1:$(PORT)

# The scheduled jobs (README "Scheduled jobs") every JOBS_EVERY seconds, without a cron; with
# TASKS_BACKEND=django_tasks_db.DatabaseBackend also the email worker (else emails go at once).
worker: migrate
	@echo "Running the scheduled jobs every $(JOBS_EVERY) s (Ctrl-C stops)"
	@export PYTHONUNBUFFERED=1 $(SITE_URL_FOR_PORT); \
	$(PY) manage.py run_scheduled_jobs --every $(JOBS_EVERY) & jobs=$$!; \
	trap 'kill $$jobs 2>/dev/null' EXIT; \
	if [[ "$${TASKS_BACKEND:-}" == *DatabaseBackend ]] || grep -qs '^TASKS_BACKEND=.*DatabaseBackend' .env; then \
		echo "Running the email worker (manage.py db_worker)"; $(PY) manage.py db_worker; \
	else wait $$jobs; fi

test: venv
	ROSTER_TESTING=1 .venv/bin/pytest $(PYTEST_ARGS)

lint: venv
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

format: venv
	.venv/bin/ruff check --fix .
	.venv/bin/ruff format .

bench: venv
	$(PY) bench/run.py
