# The two commands of the README: `make chat` (offline try-out) and `make test` (the whole suite).
# Each sets itself up on a fresh machine: a .venv with the project installed from pyproject.toml.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
SAMPLES_DB := sqlite:///data/samples.db

.PHONY: install chat run test lint typecheck pytest bench clean

$(INSTALLED): pyproject.toml
	@echo "Setting up: a virtual environment in $(VENV), with Rassegna and the libraries in"
	@echo "pyproject.toml (python-telegram-bot, httpx, trafilatura, ...). Once, about a minute."
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(INSTALLED)
	@echo "Set up. Starting..."

install: $(INSTALLED)

## The offline try-out: the real bot against a local fake Telegram, chatted with in the terminal
## (the bundled sample articles are ingested on first use, dated as if just published).
## `make chat FEEDS=feeds.toml` also adds that file's feeds and polls them once (network).
chat: $(INSTALLED)
	$(BIN)/rassegna --database-url $(SAMPLES_DB) chat $(if $(FEEDS),--feeds $(FEEDS))

## The bot for real, with TELEGRAM_BOT_TOKEN in .env.
run: $(INSTALLED)
	$(BIN)/rassegna run

## Lint, format check, types, then every test.
test: lint typecheck pytest

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(INSTALLED)
	$(BIN)/mypy

pytest: $(INSTALLED)
	$(BIN)/pytest -q

bench: $(INSTALLED)
	$(BIN)/python bench/startup.py
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/query.py
	cd bench && ../$(BIN)/python commands.py

clean:
	rm -rf $(VENV) data/samples.db .pytest_cache .mypy_cache .ruff_cache
