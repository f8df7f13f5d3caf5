# One command sets up and runs the main job (make demo); one sets up and passes the
# tests (make test). Each creates the virtual environment itself.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DATA ?= $(CURDIR)/data
export POET_LANDING_DIR ?= $(DATA)/landing
export POET_WAREHOUSE ?= $(DATA)/warehouse.duckdb
export POET_PUBLISHED ?= $(DATA)/poet.duckdb
export DAGSTER_HOME ?= $(DATA)/dagster_home
UI_PORT ?= 3000
# Test workers (pytest-xdist): each real refresh in the suite uses about one core.
TEST_WORKERS ?= 2

.PHONY: setup demo run synth test lint ui bench clean docs

# The locked packages, installed by uv with pip's indexes (pip when uv cannot): .ci/install.py
$(STAMP): pyproject.toml requirements.lock .ci/install.py
	@$(PYTHON) -m venv $(VENV)
	@echo "Installing into $(VENV) (a minute or two the first time)"
	@$(PYTHON) .ci/install.py $(VENV)
	@touch $(STAMP)

setup: $(STAMP)

demo: setup
	@mkdir -p "$(POET_LANDING_DIR)" "$(DAGSTER_HOME)"
	@if [ -z "$$(ls -A "$(POET_LANDING_DIR)")" ]; then \
		echo "Landing folder is empty: generating 2014-like returns for 2013 and 2014"; \
		$(BIN)/poet synth --out "$(POET_LANDING_DIR)" --waves 2013,2014; \
	fi
	@$(BIN)/poet run
	@$(BIN)/poet summary --brief
	@echo "Full summary: .venv/bin/poet summary   Dagster UI: make ui (then http://127.0.0.1:3000)"
	@echo "Reports: $${POET_REPORTS:-$(DATA)/reports}/index.html (national, one per organisation, poet_tables.xlsx)"

run: setup
	@$(BIN)/poet run

synth: setup
	$(BIN)/poet synth --out "$(POET_LANDING_DIR)"

test: setup
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder --durations=20

lint: setup
	$(BIN)/ruff check .

# exec: make's shell is replaced, so Ctrl-C and SIGTERM reach `poet ui`, which stops
# dagster dev and every process it started.
ui: setup
	@mkdir -p "$(DAGSTER_HOME)"
	@exec $(BIN)/poet ui --port $(UI_PORT)

docs: setup
	$(BIN)/poet docs

bench: setup
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf data dbt_project/target dbt_project/logs .pytest_cache
