# Quick start: `make site` builds site/ from content/; `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: site test serve check clean bench

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

site: $(VENV)/.installed
	$(BIN)/medguide check
	$(BIN)/medguide build

check: $(VENV)/.installed
	$(BIN)/medguide check

serve: $(VENV)/.installed
	$(BIN)/medguide serve

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest

# Build speed at 100 and 1,000 medicines; writes bench/results.md (about 20 minutes on 2 cores).
bench: $(VENV)/.installed
	$(BIN)/python -m bench.run

clean:
	rm -rf site $(VENV)
