# hrsearch — one command per habit. `make demo` and `make test` build .venv/ first if missing.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# Extra pip options for torch; on an ordinary machine with internet use
#   make setup TORCH_INDEX="--index-url https://download.pytorch.org/whl/cpu"
TORCH_INDEX ?=
# The demo corpus: ../shared/corpus where it exists, else CORPUS=path, else documents fetched by symbol.
CORPUS ?= $(wildcard ../shared/corpus)
INDEX_DIR ?= .hrsearch/index
DEMO_FIRST ?= demo/manifest.txt
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: setup test test-server lint typecheck bench demo serve clean browser

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet torch==2.13.0 $(TORCH_INDEX)
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[dev]'
	touch $@

test: setup
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The integration and reliability tests again, against a real `chroma run` on 127.0.0.1 (less the
# tests marked store_independent, and the kill sweep at 2 events of each run instead of 4: both
# suites run in CI, and each samples other kill points).
KILL_SWEEP_POINTS ?= 2
test-server: setup
	KILL_SWEEP_POINTS=$(KILL_SWEEP_POINTS) $(BIN)/python -m pytest -p tests.server_mode --chroma-server tests/integration tests/reliability $(PYTEST_ARGS)

# ruff, mypy, then the import contracts of pyproject.toml (the layers between packages, no cycles).
lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

typecheck: setup
	$(BIN)/mypy

bench: setup
	$(BIN)/python -m benchmarks.run --index-dir $(INDEX_DIR)

# The demo answers after indexing its first part (DEMO_FIRST, paths relative to the corpus) and
# indexes the rest in the background while it serves (`hrsearch demo`, README "The demo").
demo: setup
	@if [ -n "$(CORPUS)" ]; then \
	  echo "demo corpus: $(CORPUS)"; \
	  exec $(BIN)/hrsearch demo "$(CORPUS)" --first $(DEMO_FIRST) --index-dir $(INDEX_DIR) --host $(HOST) --port $(PORT); \
	else \
	  echo "no ../shared/corpus and no CORPUS=path: fetching the United States' 2020 UPR documents"; \
	  $(BIN)/hrsearch fetch A/HRC/46/15 A/HRC/46/15/Add.1 A/HRC/WG.6/36/USA/1 A/HRC/WG.6/36/USA/2 A/HRC/WG.6/36/USA/3 --into .hrsearch/documents || exit 1; \
	  exec $(BIN)/hrsearch demo .hrsearch/documents --index-dir $(INDEX_DIR) --host $(HOST) --port $(PORT); \
	fi

serve: setup
	$(BIN)/hrsearch serve --index-dir $(INDEX_DIR) --host $(HOST) --port $(PORT)

# Debian's Chromium for the browser tests (Playwright drives it; it never downloads a browser).
browser:
	@if [ -x /usr/bin/chromium ]; then echo "chromium present: /usr/bin/chromium"; \
	elif [ "$$(id -u)" = "0" ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; fi

clean:
	rm -rf .hrsearch .pytest_cache .mypy_cache .ruff_cache .import_linter_cache test-artifacts
