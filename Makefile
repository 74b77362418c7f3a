# Quick start: `make site` builds site/ from content/; `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: site test serve check schema review-report clean

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "medguide needs Python 3.11 or newer"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip==26.3

# Reinstall whenever the project's dependencies change.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

# `make site ALLOW_OVERDUE=1` publishes guides whose review is overdue (logged, with a banner).
OVERDUE_FLAG := $(if $(ALLOW_OVERDUE),--allow-overdue)

site: $(VENV)/.installed
	$(BIN)/medguide check $(OVERDUE_FLAG)
	$(BIN)/medguide build $(OVERDUE_FLAG)

check: $(VENV)/.installed
	$(BIN)/medguide check

serve: $(VENV)/.installed
	$(BIN)/medguide serve

# After changing generator/model.py: regenerate the JSON Schema editors use (a test checks it).
schema: $(VENV)/.installed
	$(BIN)/medguide schema --output content/medicine.schema.json

review-report: $(VENV)/.installed
	$(BIN)/medguide review-report

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest

clean:
	rm -rf site $(VENV)
