# `make run` and `make test` do all setup on a fresh machine: they create .venv when missing and
# install the project into it (again only when pyproject.toml changes).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.chalk-installed

.PHONY: run preview test lint docs unit e2e fuzz schema engine bench bench-full catalog-freeze clean

# A first result for a newcomer: the firewall plan for users in Germany and Ireland on port option 2 (README, "For
# the network team"). `make preview` runs the dev stack's Pulumi program offline instead.
run: $(STAMP)
	$(BIN)/chalk-policy plan --regions germany,ireland --option 2

preview: $(STAMP)
	$(BIN)/chalk-policy preview --stack dev

test: lint docs unit

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

# The API reference: HTML from the docstrings of the public API (pdoc) into docs/api, which is not committed; open
# docs/api/index.html. Fails on any warning and on a docstring cross-reference to a name that does not exist
# (see docs/README.md); `make test` runs it, CI with it.
docs: $(STAMP)
	$(BIN)/python docs/build.py

# All tests, tests/e2e included: they get the real Pulumi engine through scripts/pulumi-engine (built from source
# once when Go is present, or a pulumi on PATH) and say why when they skip; with CI=true they never skip. They run on
# every core (pytest-xdist, set in pyproject.toml); PYTEST_ADDOPTS="-n 0" runs them in one process.
unit: $(STAMP)
	$(BIN)/pytest

# Only the end-to-end tests under the real Pulumi engine (tests/e2e).
e2e: $(STAMP)
	$(BIN)/pytest tests/e2e

# The component provider's schema (provider/, chalk_policy/components/provider.py), checked in for reviewers and SDK
# generation; tests/components/test_anatomy.py fails while it is stale.
schema: $(STAMP)
	$(BIN)/python -m chalk_policy.components.provider > sdk/schema.json

# The fuzz harness (tests/fuzz) for CHALK_FUZZ_SECONDS of random cases (10 minutes by default) instead of the fixed
# cases `make test` runs; failures are kept with a repro.sh under $$CHALK_FUZZ_KEEP (see tests/fuzz/README.md).
CHALK_FUZZ_SECONDS ?= 600
fuzz: $(STAMP)
	CHALK_FUZZ_SECONDS=$(CHALK_FUZZ_SECONDS) $(BIN)/pytest tests/fuzz

# Build (first time) or reuse the real Pulumi engine; the last line is for eval: eval "$$(make -s engine)".
engine: $(STAMP)
	$(PYTHON) scripts/pulumi-engine

# Every speed goal as a ratio measured in one run (a few minutes); bench-full also times `make test` in a fresh clone.
bench: $(STAMP)
	$(BIN)/python bench/run.py

bench-full: $(STAMP)
	$(BIN)/python bench/run.py --fresh-clone-test

# After editing chalk_policy/catalog/data/chalk-catalog.yaml: validate it and regenerate the packaged fast path
# (chalk_policy/catalog/packaged.py; tests/catalog/test_packaged.py fails while it is stale).
catalog-freeze: $(STAMP)
	$(BIN)/python -m chalk_policy.catalog.freeze

# --no-compile: the provider SDKs install about 10x faster; modules compile on first import instead.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-compile -e '.[test]'
	touch $(STAMP)

clean:
	rm -rf $(VENV) build *.egg-info .engine
