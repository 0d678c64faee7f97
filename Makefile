# Two commands do all the set-up on a fresh machine with Python 3.11+:
#   make run    create .venv, install, migrate, load the demo data once, serve
#   make test   create .venv, install, run the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
export FLASK_APP := tracker

.PHONY: run test lint audit bench install translations extract-messages screenshots clean

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python 3.11+ is needed")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Reinstall whenever a requirements file changes.
$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed translations

# Compiled catalogues (.mo) are build output, made from the .po sources.
translations: $(VENV)/.installed
	$(BIN)/pybabel compile -d tracker/translations

extract-messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -o tracker/translations/messages.pot --no-location --sort-output --project "Banso Tracker" .
	$(BIN)/pybabel update -i tracker/translations/messages.pot -d tracker/translations --no-fuzzy-matching --ignore-obsolete

run: install
	$(BIN)/flask db upgrade
	@test -f instance/.demo-loaded || { $(BIN)/flask demo load && touch instance/.demo-loaded; }
	$(BIN)/flask run --host $(HOST) --port $(PORT)

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check tracker tests config.py gunicorn.conf.py bench

# Static security checks: bandit over the code (must be clean; each exception is
# marked `# nosec` with its reason) and pip-audit over the pinned dependencies
# (fails on a known vulnerability). PIP_AUDIT_ARGS=--strict also fails when a package
# could not be audited; .ci/run sets it whenever PyPI's vulnerability data is reachable.
PIP_AUDIT_ARGS ?=
audit: install
	$(BIN)/bandit -q -c pyproject.toml -r tracker config.py
	$(BIN)/pip-audit $(PIP_AUDIT_ARGS) -r requirements.txt -r requirements-dev.txt --no-deps --disable-pip --progress-spinner off

# Benchmarks: generate data, serve with gunicorn, measure pages and floors → bench/results.md.
# BENCH_COMPANIES=1000 BENCH_SESSIONS=50000 for a quick run; PostgreSQL too when TEST_DATABASE_URL is set.
bench: install
	$(BIN)/python bench/run.py

# Regenerates docs/*.png from the running app in Chromium.
screenshots: install
	UPDATE_SCREENSHOTS=1 $(BIN)/python -m pytest tests/browser -k screenshot

clean:
	rm -rf $(VENV) .pytest_cache
