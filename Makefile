# Two entry points for a fresh clone: `make demo` runs the offline demo, `make test` the tests.
# Both create .venv, install ResearchOS with its dev extras and the system packages it needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SYSTEM_PACKAGES := git bubblewrap chromium

.PHONY: demo test lint system-deps docs

demo: system-deps $(STAMP)
	$(BIN)/researchos demo

test: system-deps $(STAMP)
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

docs: $(STAMP)
	$(BIN)/researchos docs build

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

# Installs what is missing when we may (root with apt); otherwise says what to install.
system-deps:
	@missing=""; for p in $(SYSTEM_PACKAGES); do \
	  case $$p in bubblewrap) c=bwrap;; *) c=$$p;; esac; \
	  command -v $$c >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else echo "please install:$$missing (e.g. sudo apt-get install$$missing)"; fi; fi
