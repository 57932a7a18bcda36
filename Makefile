# Quartiers en transition — two commands for a newcomer: `make demo` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
UV := $(BIN)/uv
UV_VERSION := 0.13.9
VENDOR := src/quartiers/web/static/vendor
DEMO_OUT ?= demo-out

.PHONY: demo test install install-dev assets lint typecheck pytest serve bench clean lock

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet "uv==$(UV_VERSION)"

$(VENV)/.installed: $(BIN)/python requirements.lock pyproject.toml
	$(UV) pip install --quiet --compile-bytecode --python $(BIN)/python -r requirements.lock
	$(UV) pip install --quiet --python $(BIN)/python --no-deps -e .
	$(BIN)/python -m compileall -q src  # bytecode written once, even under PYTHONDONTWRITEBYTECODE
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.lock
	$(UV) pip install --quiet --compile-bytecode --python $(BIN)/python -r requirements-dev.lock
	touch $@

install: $(VENV)/.installed assets
install-dev: $(VENV)/.installed-dev assets

# Front-end assets come from npm (no CDN) and are copied into the package.
$(VENDOR)/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p $(VENDOR)
	cp node_modules/maplibre-gl/dist/maplibre-gl.js node_modules/maplibre-gl/dist/maplibre-gl.css \
	   node_modules/maplibre-gl/LICENSE.txt $(VENDOR)/
	touch $@
assets: $(VENDOR)/.installed

demo: install
	$(BIN)/quartiers demo --out $(DEMO_OUT) --force
	$(BIN)/quartiers report $(DEMO_OUT) --force
	@echo "Fiches diagnostic (PDF, HTML) : $(DEMO_OUT)/fiches/"
	@echo "Application web : make serve, puis ouvrir http://127.0.0.1:8000/"

lint: install-dev
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/lint-imports

typecheck: install-dev
	$(BIN)/mypy

pytest: install-dev
	$(BIN)/python -m pytest -n 2 --timeout=600

test: lint typecheck pytest

serve: install
	$(BIN)/quartiers serve $(DEMO_OUT)

bench: install-dev
	for f in benchmarks/bench_*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

# Regenerate the pinned lock files after changing dependencies in pyproject.toml.
lock: $(BIN)/python
	$(UV) pip compile pyproject.toml --python-version 3.11 -o requirements.lock --no-header -q
	$(UV) pip compile pyproject.toml --extra dev --python-version 3.11 -o requirements-dev.lock --no-header -q

clean:
	rm -rf $(VENV) node_modules $(VENDOR) $(DEMO_OUT) .pytest_cache .mypy_cache .ruff_cache
