# iil-lms: `make run` serves the demo, `make test` checks everything (as root on Debian 12).
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# One pytest-xdist worker per core; each worker serves its own copy of a demo built once
# per run to the browser journeys (tests/browser/conftest.py).
PYTEST_ARGS ?= -q -n auto --dist load

# Debian's python3 makes virtual environments only with python3-venv (it holds ensurepip).
VENV_PACKAGE := $(if $(wildcard $(BIN)/python),,$(shell $(PYTHON) -c "import ensurepip" \
	>/dev/null 2>&1 || echo python3-venv))
# What the app needs to render PDFs (WeasyPrint) in every script it prints.
RUN_PACKAGES := $(VENV_PACKAGE) libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
	fonts-noto-core fonts-dejavu-core
# What the tests need on top: a PostgreSQL server, a browser, PDF tools, a load generator.
TEST_PACKAGES := $(RUN_PACKAGES) postgresql chromium poppler-utils wrk iproute2 zbar-tools

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Installs the named Debian packages that are missing (one `apt-get update`, only if needed).
define apt_install
	@missing=""; \
	if command -v dpkg-query >/dev/null; then \
		for p in $(1); do \
			dpkg-query -W -f='$${Status}' "$$p" 2>/dev/null | grep -q "install ok installed" \
				|| missing="$$missing $$p"; \
		done; \
	fi; \
	if [ -n "$$missing" ]; then \
		echo "==> Installing system packages:$$missing"; \
		$(SUDO) apt-get update -qq \
		&& DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends \
			$$missing >/dev/null; \
	fi
endef

PO_FILES := $(wildcard src/iil_lms/locale/*/LC_MESSAGES/*.po)
MO_FILES := $(PO_FILES:.po=.mo)

.PHONY: help run test lint lock audit i18n bench vendor system-packages-run system-packages-test

help:
	@echo "make run    install, migrate, load the demo, serve on http://$(HOST):$(PORT) with the job worker"
	@echo "make test   lint, then the tests on SQLite and again on PostgreSQL"
	@echo "make lint   ruff check, ruff format --check, mypy, import contracts, vulture"
	@echo "make lock   re-resolve uv.lock to the newest versions in range, show what moved"
	@echo "make audit  known vulnerabilities of the locked dependencies (needs the network)"
	@echo "make i18n | bench | vendor   translations, benchmarks, vendored assets"

$(BIN)/python:
	@echo "==> Creating $(VENV)"
	@$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); exit 1; }

# uv installs exactly what uv.lock pins (with hashes); it comes pinned and hashed itself.
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)
UV := $(BIN)/uv
$(UV): requirements/uv.txt | $(BIN)/python
	@$(BIN)/pip install --quiet --disable-pip-version-check --require-hashes --no-deps \
		-r requirements/uv.txt
	@touch $@

# Stamps: the install runs again only when the lock changes. --inexact keeps uv itself.
# --compile-bytecode: uv writes no .pyc files by default, and where PYTHONDONTWRITEBYTECODE
# is set (containers, CI) every Python process then compiles every module it imports
# (importing the app cost 11 s of CPU instead of 5 s; the tests start hundreds of processes).
$(VENV)/.installed-run: uv.lock pyproject.toml | system-packages-run $(UV)
	@echo "==> Installing iil-lms and its locked dependencies into $(VENV)"
	@$(UV) sync --quiet --locked --inexact --compile-bytecode
	@touch $@

$(VENV)/.installed-dev: uv.lock pyproject.toml | system-packages-test $(UV)
	@echo "==> Installing iil-lms with the dev extra (locked) into $(VENV)"
	@$(UV) sync --quiet --locked --inexact --compile-bytecode --extra dev
	@touch $@ $(VENV)/.installed-run

# Brings uv.lock in line with pyproject.toml (keeping every pin still in range), or with
# UPGRADE=1 moves every dependency to the newest version in range; prints what moved.
# Run it on purpose, then `make test` and `make audit`.
lock: $(UV)
	@cp uv.lock $(VENV)/uv.lock.before 2>/dev/null || true
	@$(UV) lock --quiet $(if $(UPGRADE),--upgrade)
	@$(BIN)/python scripts/lock_changes.py $(VENV)/uv.lock.before uv.lock

# Known vulnerabilities of the locked set (asks PyPI's vulnerability data, so it needs the
# network and is not part of `make test`): before a release and after `make lock`.
audit: $(VENV)/.installed-dev
	@$(UV) export --quiet --frozen --extra dev --no-emit-project --no-hashes \
		--format requirements-txt -o $(VENV)/audit-requirements.txt
	@$(BIN)/python scripts/audit.py $(VENV)/audit-requirements.txt

system-packages-run:
	$(call apt_install,$(RUN_PACKAGES))

system-packages-test:
	$(call apt_install,$(TEST_PACKAGES))

# Compiled catalogs are committed; rebuild them when a .po file is newer (after an edit).
%.mo: %.po | $(VENV)/.installed-run
	@$(BIN)/pybabel -q compile -i $< -o $@

run: system-packages-run $(VENV)/.installed-run $(MO_FILES)
	@$(BIN)/iil-lms migrate
	@if $(BIN)/iil-lms --help | grep -qw load-curriculum; then \
		$(BIN)/iil-lms load-curriculum curricula/iil-core; \
	fi
	@$(BIN)/iil-lms demo
	@echo "==> Serving on http://$(HOST):$(PORT), with the job worker beside it (Ctrl-C stops both)"
	@$(BIN)/iil-lms worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/iil-lms serve --host $(HOST) --port $(PORT)

# Every step runs even when an earlier one fails; the summary names what failed. Once
# installed, the tests run with no network but loopback (scripts/loopback-only.sh).
OFFLINE := scripts/loopback-only.sh
test: system-packages-test $(VENV)/.installed-dev $(MO_FILES)
	@failed=""; \
	$(BIN)/python -m compileall -q -j 0 src tests bench >/dev/null || true; \
	echo "==> Lint"; \
	$(MAKE) --no-print-directory lint || failed="$$failed lint"; \
	echo "==> Tests on SQLite (no network but loopback)"; \
	$(OFFLINE) $(BIN)/pytest $(PYTEST_ARGS) || failed="$$failed sqlite"; \
	echo "==> Tests on PostgreSQL (those that reach a database; browser journeys ran above)"; \
	IIL_TEST_DB=postgres $(OFFLINE) $(BIN)/pytest $(PYTEST_ARGS) -m "not browser" \
		|| failed="$$failed postgresql"; \
	if [ -n "$$failed" ]; then echo "==> make test FAILED:$$failed"; exit 1; fi; \
	echo "==> make test passed: lint, SQLite, PostgreSQL"

lint: $(VENV)/.installed-dev
	@failed=""; \
	$(BIN)/ruff check src tests bench || failed="$$failed ruff-check"; \
	RUFF_OUTPUT_FORMAT=concise $(BIN)/ruff format --check src tests bench || failed="$$failed ruff-format"; \
	$(BIN)/mypy src || failed="$$failed mypy"; \
	$(BIN)/lint-imports --no-cache || failed="$$failed import-contracts"; \
	$(BIN)/vulture || failed="$$failed vulture"; \
	if [ -n "$$failed" ]; then echo "==> make lint FAILED:$$failed"; exit 1; fi

i18n: $(VENV)/.installed-dev
	@if [ -f scripts/i18n.sh ]; then bash scripts/i18n.sh; \
	else echo "scripts/i18n.sh does not exist yet"; exit 1; fi

bench: system-packages-test $(VENV)/.installed-dev
	@$(BIN)/python -m bench

vendor:
	@if [ -f scripts/vendor-assets.sh ]; then bash scripts/vendor-assets.sh; \
	else echo "scripts/vendor-assets.sh does not exist yet"; exit 1; fi
