# The command index of the project: `make` (or `make help`) lists every target.
.DEFAULT_GOAL := help
MAKEFLAGS += --no-builtin-rules
SHELL := /usr/bin/env bash
.SHELLFLAGS := -eu -o pipefail -c

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

##@ Development

.PHONY: help
help: ## Show this list of targets
	@awk 'BEGIN {FS = ":.*##"} /^##@/ {printf "\n%s\n", substr($$0, 5)} /^[a-zA-Z0-9_-]+:.*##/ {printf "  %-18s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[detection,dashboards,dev]'
	touch $(STAMP)

.PHONY: install
install: $(STAMP) ## Create .venv and install the project with every extra

.PHONY: lint
lint: $(STAMP) ## Lint and check formatting (ruff), read-only
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

.PHONY: format
format: $(STAMP) ## Fix lint findings and format the code
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

.PHONY: test
test: lint ## Lint, then run the whole test suite (unit, integration, replays)
	$(PY) -m pytest

.PHONY: bench
bench: $(STAMP) ## Benchmark generation and publish throughput, and peak memory
	$(PY) -m producers.bench
