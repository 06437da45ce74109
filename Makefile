# Two commands on a fresh machine with Python 3.11+ and make: `make dev` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
UV := $(or $(shell command -v uv 2>/dev/null),$(CURDIR)/.tools/bin/uv)
export DAGSTER_HOME := $(CURDIR)/dagster_home
export UV_PYTHON_DOWNLOADS := never
# use the system trust store (where a machine keeps its own CA), not only the bundled roots
export UV_NATIVE_TLS := 1

.PHONY: dev test test-fast lint bench soak sync

$(CURDIR)/.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/python -m pip install --quiet uv

sync: $(UV)
	$(UV) sync --frozen

# the product alone: the runtime dependencies, without the test tools (Spark, Playwright, ...)
dev: $(UV)
	$(UV) run --frozen --no-dev dagster dev -w workspace.yaml -h 127.0.0.1 -p 3000

test: sync
	$(UV) run --frozen pytest

# the unit tier: no services, under 90 s on 2 cores
test-fast: sync
	$(UV) run --frozen pytest gh_assets_tests/unit

lint: sync
	$(UV) run --frozen ruff check gh_assets gh_assets_tests bench
	$(UV) run --frozen ruff format --check gh_assets gh_assets_tests bench

soak: sync
	$(UV) run --frozen python -m gh_assets_tests.soak

bench: sync
	$(UV) run --frozen python -m bench.run
