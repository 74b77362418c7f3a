# Quick start: `make site` builds site/ from content/; `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: site test serve check clean handout-debs test-debs

# Debian packages, installed only when missing: what WeasyPrint needs to draw the PDF
# handouts (Pango, HarfBuzz's subsetter, the handouts' font), and poppler-utils, with which
# the tests read the PDFs back.
HANDOUT_DEBS := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-liberation2
TEST_DEBS := poppler-utils
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
apt_install = dpkg -s $(1) >/dev/null 2>&1 || { echo "installing Debian packages: $(1)"; \
	$(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive \
	apt-get install -y -qq --no-install-recommends $(1) >/dev/null; }

handout-debs:
	@$(call apt_install,$(HANDOUT_DEBS))

test-debs:
	@$(call apt_install,$(TEST_DEBS))

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

site: $(VENV)/.installed handout-debs
	$(BIN)/medguide check
	$(BIN)/medguide build

check: $(VENV)/.installed
	$(BIN)/medguide check

serve: $(VENV)/.installed handout-debs
	$(BIN)/medguide serve

test: $(VENV)/.installed-test handout-debs test-debs
	$(BIN)/python -m pytest

clean:
	rm -rf site $(VENV) .cache
