# ketaclinic: `make demo` runs the demo clinic; `make serve` the production server; `make test` the suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: demo serve install test test-fast test-late-evening guide-shots lint format migrations-check bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

demo: install
	$(BIN)/ketaclinic migrate --noinput
	KETACLINIC_PUBLIC_BASE_URL=http://127.0.0.1:$(PORT) $(BIN)/ketaclinic seed_demo
	@echo "Serving the demo clinic on http://127.0.0.1:$(PORT)  (Ctrl-C to stop)"
	KETACLINIC_PLAIN_HTTP=1 KETACLINIC_PUBLIC_BASE_URL=http://127.0.0.1:$(PORT) \
		$(BIN)/ketaclinic runserver 127.0.0.1:$(PORT) --noreload

# The production server on the configured database (DATABASE_URL, else the SQLite file under
# var/). Behind a TLS proxy see docs/deploy.md; for a loopback trial add KETACLINIC_PLAIN_HTTP=1.
serve: install
	$(BIN)/ketaclinic migrate --noinput
	$(BIN)/ketaclinic serve

# One pytest worker per core.
WORKERS ?= auto

# The whole suite once: lint, migrations in step, the unit/API tests and the browser journeys,
# at the run's clock (KETACLINIC_TEST_CLOCK moves it; see tests/clock.py). CI runs it on SQLite
# at the real time and on PostgreSQL at 23:00 clinic time, when the server's UTC date is already
# tomorrow, so every test meets both clocks. `make test-late-evening` is that second clock here.
# Workers take whole modules (--dist loadscope), so module fixtures are built once.
# DATABASE_URL=postgres://... runs it on PostgreSQL.
test: install lint migrations-check
	$(BIN)/python -m pytest -n $(WORKERS) --dist loadscope --durations=25

test-fast: install
	$(BIN)/python -m pytest -n $(WORKERS) --dist loadscope -m "not e2e" -q

test-late-evening:
	KETACLINIC_TEST_CLOCK=23:00 $(MAKE) --no-print-directory test

# Retake the user guide's screenshots (docs/guide/img) with the browser journeys.
guide-shots: install
	KETACLINIC_GUIDE_SHOTS=1 $(BIN)/python -m pytest -n $(WORKERS) --dist loadscope tests/e2e

lint: install
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

migrations-check: install
	$(BIN)/ketaclinic makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=ketaclinic_devtools.settings $(BIN)/ketaclinic makemigrations devtools --check --dry-run
	$(BIN)/ketaclinic permissions_doc --check
	$(BIN)/ketaclinic audit_doc --check
	$(BIN)/ketaclinic scale_doc --check

bench: install
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) var/ketaclinic.sqlite3* var/static
