# Two commands on a fresh machine with Python 3.11+ and make: `make dev` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
UV := $(or $(shell command -v uv 2>/dev/null),$(CURDIR)/.tools/bin/uv)
# `make serve` uses the DAGSTER_HOME given (a folder holding a copy of deploy/dagster.yaml), or deploy/
SERVE_HOME := $(or $(DAGSTER_HOME),$(CURDIR)/deploy)
export DAGSTER_HOME := $(CURDIR)/dagster_home
export UV_PYTHON_DOWNLOADS := never
# use the system trust store (where a machine keeps its own CA), not only the bundled roots
export UV_SYSTEM_CERTS := 1
# Install with bytecode compiled, so that a fresh install runs at full speed on its first run, also
# where PYTHONDONTWRITEBYTECODE is set (as in many containers): Python then never writes the .pyc of
# what it imports and would compile every import again in every process (seconds per process).
export UV_COMPILE_BYTECODE := 1
# this project's own modules: an editable install, outside site-packages, compiled in place
COMPILE_PROJECT := python -m compileall -q gh_assets
DEV_PORT ?= 3000
SERVE_HOST ?= 127.0.0.1
# the code location `make serve` serves (the tests serve one with Coiled's cloud replaced)
SERVE_MODULE ?= gh_assets.definitions

.PHONY: dev serve query test test-fast lint bench soak sync system-packages

$(CURDIR)/.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/python -m pip install --quiet uv

sync: $(UV)
	$(UV) sync --frozen
	$(UV) run --frozen --no-sync $(COMPILE_PROJECT)

# The product alone (the runtime dependencies, without the test tools) under `dg dev`. A script's
# background job starts with SIGINT ignored, and Dagster then ignores SIGTERM too: SIGINT is set
# back to its default first, so that Ctrl-C and `kill` stop the server.
dev: $(UV)
	$(UV) run --frozen --no-dev $(COMPILE_PROJECT)
	$(UV) run --frozen --no-dev --no-sync python -c 'import os, signal, sys; \
	signal.signal(signal.SIGINT, signal.SIG_DFL); os.execvp(sys.argv[1], sys.argv[1:])' \
	dg dev -w workspace.yaml -h 127.0.0.1 -p $(DEV_PORT)

# The production deployment: the code server, the webserver and the daemon as separate processes
# over PostgreSQL (DAGSTER_POSTGRES_URL), kept up by gh_assets/defs/deployment/serve.py (README: Deploy).
serve: $(UV)
	$(UV) run --frozen --no-dev $(COMPILE_PROJECT)
	DAGSTER_HOME=$(SERVE_HOME) $(UV) run --frozen --no-dev --no-sync python -c 'import os, signal, sys; \
	signal.signal(signal.SIGINT, signal.SIG_DFL); os.execvp(sys.argv[1], sys.argv[1:])' \
	python -m gh_assets.defs.deployment.serve --host $(SERVE_HOST) --port $(DEV_PORT) \
	--module $(SERVE_MODULE)

# A SQL query over the tables with DuckDB (a runtime dependency): make query SQL="SELECT ..."
# DuckDB gets the query as typed: make neither expands it (`$(value ...)`: a JSON path's `$.a.b`
# would lose `$.`) nor exports it; the shell gets it in single quotes.
unexport SQL
query: $(UV)
	GH_ASSETS_QUERY='$(subst ','"'"',$(value SQL))' $(UV) run --frozen --no-dev python -c \
	'import duckdb, os; duckdb.sql(os.environ["GH_ASSETS_QUERY"]).show(max_rows=100)'

# the Debian packages of the services the tests start (Ceph, Chromium, a Java runtime), when missing
system-packages:
	bash .ci/install-system-packages.sh

test: sync system-packages
	$(UV) run --frozen pytest

# the unit tier: no services, about 30 s on 2 cores
test-fast: sync
	$(UV) run --frozen pytest gh_assets_tests/unit

lint: sync
	$(UV) run --frozen ruff check gh_assets gh_assets_tests bench
	$(UV) run --frozen ruff format --check gh_assets gh_assets_tests bench

soak: sync
	$(UV) run --frozen python -m gh_assets_tests.soak

bench: sync
	$(UV) run --frozen python -m bench.run
