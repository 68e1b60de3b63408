# The one entry point: make run | test | lint | bench | migrate
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
STAMP := $(VENV)/.installed

export COWORKING_DATABASE_URL ?= sqlite:///./coworking.db

.PHONY: run test lint bench migrate install clean messages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/alembic upgrade head

# h11, not httptools: h11 refuses headers over 16 KiB (DESIGN §7), httptools has no limit.
run: migrate
	COWORKING_SEED_DEMO=$${COWORKING_SEED_DEMO:-true} \
	  $(BIN)/uvicorn app.main:app --host $(HOST) --port $(PORT) --no-proxy-headers --no-access-log \
	  --http h11 --h11-max-incomplete-event-size 16384

# SQLite always; PostgreSQL too when COWORKING_TEST_POSTGRES_URL is set (mandatory with CI=true).
# TEST_WORKERS processes (pytest-xdist), each with databases of its own; the live-server tests
# run together on one of them (tests/conftest.py). TEST_WORKERS=0 runs in this process.
# The browser tests run after them in a pytest of their own: Playwright's sync API keeps an
# event loop running in its thread, which the other tests' asyncio.run() cannot share.
TEST_WORKERS ?= 2
test: install
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadgroup --no-loadscope-reorder \
	  --ignore=tests/browser $(PYTEST_ARGS)
	$(BIN)/pytest tests/browser $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check app tests bench alembic
	$(BIN)/ruff format --check app tests bench alembic
	$(BIN)/mypy app tests bench

# The web catalogues: texts of app/web and the details of the services' refusals (the error
# classes' first arguments, DESIGN §10: shown in the page's language); then fill in de's msgstrs.
MESSAGE_KEYWORDS := ValidationFailed OutsideOpeningHours IdempotencyKeyReused NotAuthenticated \
  Forbidden NotFound Conflict BookingConflict MemberDoubleBooked CompanySeatsExhausted RateLimited
messages: install
	$(BIN)/pybabel extract -F babel.cfg --no-location --sort-output --project ohv-coworking \
	  $(addprefix -k ,$(MESSAGE_KEYWORDS)) -o app/web/translations/messages.pot .
	$(BIN)/pybabel update -i app/web/translations/messages.pot -d app/web/translations \
	  --no-fuzzy-matching

bench: install
	$(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache coworking.db*
