# The two commands a newcomer needs: `make demo` and `make test`.
# Both create the virtual environment on first use and keep it installed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
DEMO_DB ?= demo.rrp.sqlite
# Snapshot and Pilot tests run with a fixed terminal, no cursor blink and a fixed clock.
export TEXTUAL_ANIMATIONS := none

.PHONY: demo test test-long lint bench bench-pg bench-national clean

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test,images,serve]"
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/rrp demo --db $(DEMO_DB)

test: $(STAMP)
	$(BIN)/lint-imports
	$(BIN)/ruff check rrp tests benchmarks
	scripts/with_pg.sh $(BIN)/python -m pytest -n 2 -q -m "not long"

test-long: $(STAMP)
	scripts/with_pg.sh $(BIN)/python -m pytest -q -m long

bench: $(STAMP)
	$(BIN)/python benchmarks/engine.py
	$(BIN)/python benchmarks/import_export.py --wards 50 --weeks 52
	$(BIN)/python benchmarks/startup.py --wards 50 --weeks 52 --repeat 1
	$(BIN)/python benchmarks/save_to_chart.py --wards 19 --weeks 52 --repeat 2
	$(BIN)/python benchmarks/help_open.py --repeat 2
	$(BIN)/python benchmarks/national_dashboard.py --wards 50 --weeks 52 --repeat 1

# 50 writers + 10 dashboard readers + killed clients on a throwaway PostgreSQL server.
bench-pg: $(STAMP)
	scripts/with_pg.sh $(BIN)/python benchmarks/pg_load.py
	scripts/with_pg.sh $(BIN)/python benchmarks/national_dashboard.py --wards 50 --weeks 52 --repeat 1 --pg

# The national dashboard at full size (2,000 wards x 260 weeks) on SQLite and PostgreSQL.
bench-national: $(STAMP)
	scripts/with_pg.sh $(BIN)/python benchmarks/national_dashboard.py --pg

clean:
	rm -rf $(VENV) $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm
