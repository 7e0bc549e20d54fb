# Roster: `make run` serves the app with demo data; `make test` runs every test.
SHELL := /bin/bash
PORT ?= 8000
PYTEST_ARGS ?=
# uv from PATH when it works, else installed with pip (into the pyenv Python chosen by .python-version).
UV := $(shell if uv --version >/dev/null 2>&1; then echo uv; else python3 -m pip install -q uv >&2 && echo "python3 -m uv"; fi)
PY := .venv/bin/python

.PHONY: run test venv migrate seed lint format bench worker

venv: .venv/.synced
.venv/.synced: pyproject.toml uv.lock .python-version
	$(UV) sync --frozen
	@touch $@

migrate: venv
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo

run: seed
	@echo "Roster is starting at http://127.0.0.1:$(PORT)/ (sign in with a demo login above)"
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

worker: migrate
	$(PY) manage.py db_worker

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
