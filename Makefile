# Two entry points (see README): `make scan` and `make test`. Everything else is setup they share.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: scan test lint setup native native-clean system-packages scanners

# Exits as secpipe does: 1 here, because the gate fails on the deliberately vulnerable example.
scan: setup native scanners
	@$(BIN)/secpipe scan examples/vulnerable-app || { status=$$?; \
	  echo "secpipe scan exited $$status (0 gate passed, 1 gate failed, 2 usage error)"; exit $$status; }

test: setup native system-packages scanners lint
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

# ruff (pyflakes, pycodestyle, import order, bugbear, pyupgrade) and mypy, as configured in pyproject.toml.
lint: setup
	$(BIN)/ruff check .
	$(BIN)/mypy

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

# The per-finding hot path compiled with mypyc (pipeline/native.py says which modules, and keeps
# a stale build from ever being imported). Rebuilt when one of those sources changes; without a
# C compiler it says so and secpipe runs from its sources.
NATIVE_SOURCES := $(shell $(PYTHON) pipeline/native.py)
NATIVE_STAMP := $(VENV)/.native

# Bytecode too, as pip writes it for an installed package: with PYTHONDONTWRITEBYTECODE=1 (common
# in CI images) an editable checkout would otherwise compile every module at every start.
native: $(NATIVE_STAMP)
	@$(BIN)/python -m compileall -q pipeline parsers reports lambdas

$(NATIVE_STAMP): $(STAMP) pipeline/native.py pipeline/native_build.py $(NATIVE_SOURCES)
	$(BIN)/python -m pipeline.native_build
	touch $(NATIVE_STAMP)

native-clean:
	$(BIN)/python -m pipeline.native_build clean
	rm -f $(NATIVE_STAMP)

# Debian packages the real-scanner and browser tests use (wapiti for DAST, chromium for the
# console and report tests). Installed only when running as root and missing.
system-packages:
	@bash scripts/install-system-packages.sh

# The Python scanners, each in its own pinned environment (pipeline/tools/scanners.lock).
scanners: setup
	$(BIN)/secpipe tools install
