# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV := $(BIN)/uv
WORKSPACE ?= demo-workspace
CUSTOMERS ?= 50000

.PHONY: demo test lint typecheck unit bench bench-import bench-clv bench-voice bench-journeys bench-scale bench-dashboard clean system-deps

$(UV):
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip uv

$(VENV)/.installed: pyproject.toml | $(UV)
	$(UV) pip install --python $(BIN)/python --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(UV)
	$(UV) pip install --python $(BIN)/python --quiet -e ".[test,spark,bench]"
	touch $(VENV)/.installed $@

demo: $(VENV)/.installed
	$(BIN)/emptychair demo $(WORKSPACE) --customers $(CUSTOMERS)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check src tests bench docs
	$(BIN)/ruff format --check src tests bench docs

typecheck: $(VENV)/.installed-test
	$(BIN)/mypy

# The Spark tests need a Java runtime (17), the printed brief and the browser tests need
# Chromium: install Debian's when they are missing.
system-deps:
	@command -v java >/dev/null 2>&1 || \
		(apt-get update -qq && apt-get install -y -qq openjdk-17-jre-headless >/dev/null)
	@command -v chromium >/dev/null 2>&1 || \
		(apt-get update -qq && apt-get install -y -qq chromium >/dev/null)

test: $(VENV)/.installed-test system-deps lint typecheck
	SPARK_LOCAL_IP=127.0.0.1 $(BIN)/pytest

unit: $(VENV)/.installed-test
	$(BIN)/pytest tests/unit -q

bench: bench-import bench-clv bench-voice bench-journeys bench-scale bench-dashboard

bench-import: $(VENV)/.installed-test
	$(BIN)/python bench/import_orders.py

# CLV against lifetimes at 100k, 1M and 10M customers (lifetimes runs in its own child).
bench-clv: $(VENV)/.installed-test
	$(BIN)/python bench/clv.py --record

# Sentiment against VADER, vaderSentiment-fr, TextBlob(-fr) and TF-IDF; the verbatim pipeline.
bench-voice: $(VENV)/.installed-test
	$(BIN)/python bench/sentiment.py
	$(BIN)/python bench/voice_pipeline.py

# Variants and directly-follows graph against pm4py (AGPL: run from its own environment,
# made by the script under bench/_data/, never a dependency of the package).
bench-journeys: $(VENV)/.installed-test
	$(BIN)/python bench/journeys.py --sizes 1000000 10000000

# RFM summary and cohorts: DuckDB against Spark local[2] and plain pandas, with a chart.
bench-scale: $(VENV)/.installed-test
	$(BIN)/python bench/scale.py --record

# Every dashboard page on the server and in Chromium, on a 50,000-customer demo.
bench-dashboard: $(VENV)/.installed-test
	$(BIN)/python bench/dashboard.py

clean:
	rm -rf $(VENV) $(WORKSPACE) .pytest_cache .mypy_cache .ruff_cache
