# The README's two commands: `make run` and `make test`. Everything else is here for them.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint format system-deps browser-deps bench bench-tenants bench-roster bench-directory bench-notify bench-agreements bench-dashboard clean-data

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP)

# Debian packages: Chromium for browser tests, CJK fonts for pages and PDFs.
system-deps:
	@bash infra/system-deps.sh

browser-deps: system-deps

run: $(STAMP)
	$(PY) -m saas_platform.devrun

# Tests queue Celery tasks on their own Redis database number, never seen by a dev worker.
test: $(STAMP) system-deps
	WANGQIAN_REDIS_DB=1 $(PY) -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: bench-tenants bench-roster bench-directory bench-notify bench-agreements bench-dashboard

bench-tenants: $(STAMP)
	$(PY) bench/bench_tenants.py $(BENCH_ARGS)

bench-roster: $(STAMP)
	timeout 900 $(PY) bench/roster.py $(BENCH_ARGS)

# Employer directory search on 1,000,000 generated names (BENCH_ARGS="--rows 100000" to shrink).
bench-directory: $(STAMP)
	$(PY) bench/directory.py $(BENCH_ARGS)
bench-notify: $(STAMP)
	$(PY) bench/bench_notify.py $(BENCH_ARGS)

clean-data:
	rm -rf .data

bench-agreements: $(STAMP)
	timeout 3600 $(PY) bench/agreements.py $(BENCH_ARGS)

# Statistics dashboard and national export of a 20,000-graduate school (BENCH_ARGS="--graduates 2000").
bench-dashboard: $(STAMP)
	timeout 1800 $(PY) bench/dashboard.py $(BENCH_ARGS)
