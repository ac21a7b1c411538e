# Paiqian: `make run` and `make test` are the whole set-up on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test unit lint system-deps bench clean

# The job worker runs beside the server (one process per core); Ctrl-C stops both (the worker finishes its
# running job first).
run: $(STAMP) system-deps
	$(BIN)/paiqian migrate
	$(BIN)/paiqian demo --if-empty
	$(BIN)/paiqian worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	$(BIN)/paiqian serve

# One test process per core and one more (pytest-xdist, each taking tests as it frees up): tests also wait, on
# PostgreSQL, on worker processes they start and on Chromium, and the extra process fills those gaps
# (measured on 2 cores: 3 min 11 s with 2 processes, 2 min 58 s with 3).  Each process migrates its own
# database (tests/support/database.py).  TEST_PROCESSES=0 runs in this process alone.
TEST_PROCESSES ?= $(shell echo $$(( $$(nproc) + 1 )))
test: $(STAMP) system-deps lint
	$(BIN)/pytest -n $(TEST_PROCESSES) --dist worksteal

# The gates that keep the code in one shape: formatting, the lint rules, the import layers and the types, configured in
# pyproject.toml.
lint: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest tests/unit

bench: $(STAMP)
	$(BIN)/paiqian migrate
	$(BIN)/paiqian bench roster --workers 50000

# The virtual environment, rebuilt when the project's dependencies change.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# What the suite needs from Debian: Chromium and Chinese fonts for the browser tests, Pango for PDFs
# (WeasyPrint).  Installed with apt when missing; Node.js for the OpenID provider the SSO tests start comes
# with the machine, and the tests install that provider from npm themselves.
SYSTEM_PACKAGES := chromium fonts-noto-cjk libpangoft2-1.0-0
system-deps:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing with apt:" $$missing; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

clean:
	rm -rf $(VENV) build *.egg-info tests/browser/artifacts
