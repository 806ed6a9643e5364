# urbansafety — the two commands: `make demo` and `make test` (each sets up .venv first).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test lint typecheck java browser postgres bench messages clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,spark]"
	touch $(STAMP)

# Java 17 runs Spark's tests; installed from Debian's packages when missing (as root).
java:
	@command -v java >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless >/dev/null; \
	  else echo "Java 17 is needed for the Spark tests: install openjdk-17-jre-headless"; exit 1; fi; }

# Chromium draws the HTML reports in the browser tests; installed from Debian's packages when missing (as root).
browser:
	@[ -x /usr/bin/chromium ] || { \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "Chromium is needed for the browser tests: install chromium (/usr/bin/chromium)"; exit 1; fi; }

# PostgreSQL runs the web tests a second time (tests/web/test_postgres.py starts a throw-away
# cluster in a temporary folder, as the postgres user under root); Debian's package when missing.
postgres:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; \
	  else echo "PostgreSQL is needed for the web tests on PostgreSQL: install postgresql"; exit 1; fi; }

demo: $(STAMP)
	$(BIN)/urbansafety demo --workspace demo

test: $(STAMP) java browser postgres
	$(BIN)/python -m pytest -n 2 --dist loadgroup -q

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[dev,spark,bench]"
	$(BIN)/python benchmarks/bench_import.py
	$(BIN)/python benchmarks/bench_hotspots.py
	$(BIN)/python benchmarks/bench_nearrepeat.py
	$(BIN)/python benchmarks/bench_weighting.py
	$(BIN)/python benchmarks/bench_survey_analysis.py
	$(BIN)/python benchmarks/bench_survey_export.py
	$(BIN)/python benchmarks/bench_survey_load.py

# Rebuild the French catalog from the code's and the web templates' messages and scripts/fr_messages.py
# (fails if one lacks French); Django's django.mo is written from the same catalog.
messages: $(STAMP)
	mkdir -p build
	$(BIN)/pybabel extract --no-location -k N_ -k _ -k gettext -o build/urbansafety.pot src/urbansafety
	$(BIN)/python scripts/fr_messages.py

clean:
	rm -rf $(VENV) demo build .pytest_cache
