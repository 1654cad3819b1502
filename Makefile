# The two commands of README.md, and the pieces they are made of.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: up test install install-test browser webserver office lint unit check bench clean

## make up: install and run the whole pipeline on the embedded default, with demo data
up: install
	$(BIN)/baosong up --demo

## make test: install what the tests need and run the whole suite (lint, types, tests)
test: install-test browser webserver office lint
	$(BIN)/pytest -p no:cacheprovider --junitxml=test-results/junit.xml

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# The install is editable (the code is read where it is), so only a change to pyproject.toml
# needs pip again: a stamp file remembers the last install (10 s saved on every make up).
install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[test]'
	@touch $@ $(VENV)/.installed

# apt waits up to 10 minutes for another apt run's lock instead of failing at once.
# Debian's Chromium for the browser tests (Playwright drives it; it never downloads a browser),
# a Chinese font so that its screenshots show text, axe-core for the accessibility checks, and
# the W3C's Nu HTML validator (vnu-jar, run with Java 17) for the published pages' markup
browser:
	@test -x /usr/bin/chromium || (apt-get -o DPkg::Lock::Timeout=600 update -qq && apt-get -o DPkg::Lock::Timeout=600 install -y -qq chromium >/dev/null)
	@fc-list :lang=zh | grep -q . || (apt-get -o DPkg::Lock::Timeout=600 update -qq && apt-get -o DPkg::Lock::Timeout=600 install -y -qq fonts-wqy-microhei >/dev/null)
	@test -d node_modules/axe-core || npm install --no-save --silent axe-core@4
	@test -f node_modules/vnu-jar/build/dist/vnu.jar || npm install --no-save --silent axe-core@4 vnu-jar
	@command -v java >/dev/null || (apt-get -o DPkg::Lock::Timeout=600 update -qq && apt-get -o DPkg::Lock::Timeout=600 install -y -qq openjdk-17-jre-headless >/dev/null)

# nginx, to test the web server config that serves the site bucket (deploy/nginx/)
webserver:
	@command -v nginx >/dev/null || test -x /usr/sbin/nginx || \
		(apt-get -o DPkg::Lock::Timeout=600 update -qq && apt-get -o DPkg::Lock::Timeout=600 install -y -qq nginx >/dev/null)

# LibreOffice (headless) to open the exported xlsx and docx as the office does and print them
# to PDF, poppler's pdftotext to read the PDF back, and Debian's Noto CJK (宋体/黑体 stand-ins)
office:
	@command -v soffice >/dev/null || (apt-get -o DPkg::Lock::Timeout=600 update -qq && apt-get -o DPkg::Lock::Timeout=600 install -y -qq \
		libreoffice-writer-nogui libreoffice-calc-nogui >/dev/null)
	@command -v pdftotext >/dev/null || (apt-get -o DPkg::Lock::Timeout=600 update -qq && apt-get -o DPkg::Lock::Timeout=600 install -y -qq poppler-utils >/dev/null)
	@fc-list | grep -q "Noto Serif CJK" || (apt-get -o DPkg::Lock::Timeout=600 update -qq && apt-get -o DPkg::Lock::Timeout=600 install -y -qq fonts-noto-cjk >/dev/null)

lint:
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

unit: install-test
	$(BIN)/pytest tests/unit -q

bench: install-test
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) var test-results node_modules
