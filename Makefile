# Quick start: `make site` builds site/ from content/; `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: site test test-fast serve check schema review-report clean handout-debs test-debs bench bench-serve mutate

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

# `make site ALLOW_OVERDUE=1` publishes guides whose review is overdue (logged, with a banner).
OVERDUE_FLAG := $(if $(ALLOW_OVERDUE),--allow-overdue)

site: $(VENV)/.installed handout-debs
	$(BIN)/medguide check $(OVERDUE_FLAG)
	$(BIN)/medguide build $(OVERDUE_FLAG)

check: $(VENV)/.installed
	$(BIN)/medguide check

serve: $(VENV)/.installed handout-debs
	$(BIN)/medguide serve

# Browser tests need Debian's Chromium, a font, and Java 17 for the Nu Html Checker.
# apt-get runs only when one of them is missing.
BROWSER_PACKAGES := chromium fonts-liberation
.PHONY: browser-tools
browser-tools:
	@missing=""; \
	for pkg in $(BROWSER_PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$pkg 2>/dev/null | grep -q "ok installed" || missing="$$missing $$pkg"; \
	done; \
	command -v java >/dev/null 2>&1 || missing="$$missing openjdk-17-jre-headless"; \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages:$$missing"; \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y $$missing; \
	fi

# axe-core and vnu-jar, pinned in package-lock.json. --ignore-scripts: vnu-jar's postinstall
# would try to download a JDK; the machine's Java 17 runs vnu.jar instead.
node_modules/.installed: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	touch $@

# After changing generator/model/records.py: regenerate the JSON Schema editors use (a test checks it).
schema: $(VENV)/.installed
	$(BIN)/medguide schema --output content/medicine.schema.json

review-report: $(VENV)/.installed
	$(BIN)/medguide review-report

test: $(VENV)/.installed-test node_modules/.installed browser-tools handout-debs test-debs
	$(BIN)/python -m pytest

# Everything that needs no browser and renders no PDF (WeasyPrint is replaced by a stand-in
# that fails, so a slow test cannot slip in unmarked).
test-fast: $(VENV)/.installed-test
	PYTHONPATH=tests/no_pdf $(BIN)/python -m pytest -m "not browser and not pdf" -q -n 2

# Build speed at 100 and 1,000 medicines; writes bench/results.md (36 to 58 minutes on 2 cores).
bench: $(VENV)/.installed handout-debs
	$(BIN)/python -m bench.run

# How long the preview makes an editor wait, at 6, 200 and 1,000 medicines (bench/serve.py).
bench-serve: $(VENV)/.installed handout-debs
	$(BIN)/python -m bench.serve

# The mutation sweep over the real content (about 5 hours on 2 cores; see README).
mutate: $(VENV)/.installed-test handout-debs
	$(BIN)/python tests/mutate.py

clean:
	rm -rf site $(VENV) node_modules .cache
