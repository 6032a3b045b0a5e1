# Everything a fresh machine needs: `make run` (set up, clean seeds/ into cleaned/) and
# `make test` (set up, run the tests). The virtualenv is rebuilt when the lock changes.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
UV_VERSION := 0.13.9
# Test processes (pytest-xdist): one per core of the 2-core CI machine. Each starts its own
# Prefect test harness, so more is faster only with the cores and memory to match.
TEST_JOBS ?= 2

# No traffic leaves loopback: Prefect's analytics and telemetry off everywhere we run it.
export PREFECT_SERVER_ANALYTICS_ENABLED := false
export DO_NOT_TRACK := 1

.PHONY: setup run test test-fast test-all test-slow lint format golden lock bench bench-dedup bench-dedup-rss bench-flow bench-realdev ui clean-output

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check uv==$(UV_VERSION)
	$(BIN)/uv pip sync -q --compile-bytecode --python $(BIN)/python requirements.lock
	$(BIN)/uv pip install -q --python $(BIN)/python --no-deps -e .
	touch $@

# Bytecode is compiled at install: machines here set PYTHONDONTWRITEBYTECODE, and without
# .pyc files `import prefect` alone takes 4.6 s instead of 1.3 s.

setup: $(STAMP)

run: setup
	$(BIN)/ingest run seeds --out cleaned
	@echo "make run: done; the ingest command is $(BIN)/ingest (to type it bare: source $(BIN)/activate)"

# The default run: everything but the end-to-end and kill tests that start real servers,
# clusters and browsers (-m slow, about 15 minutes more on 2 cores): make test-all runs both.
test: setup
	$(BIN)/pytest -m "not slow" -n $(TEST_JOBS)

test-fast: test

# The slow tests run one at a time: they time real processes, servers and browsers.
test-all: test test-slow

test-slow: setup
	$(BIN)/pytest -m slow

lint: setup
	$(BIN)/ruff check src flows tests bench
	$(BIN)/ruff format --check src flows tests bench
	$(BIN)/mypy

format: setup
	$(BIN)/ruff format src flows tests bench
	$(BIN)/ruff check --fix src flows tests bench

# Rewrite tests/golden/*.json from the current code; review with `git diff tests/golden`.
golden: setup
	$(BIN)/python -m tests.golden.regenerate

# Performance harness (bench/README.md): results in bench/out/results.json and a table.
# The 100k figures: make bench BENCH_SIZES=1000,10000,100000 (~25 min in all on 2 cores).
BENCH_SIZES ?= 1000,10000
bench: setup
	$(BIN)/python bench/run_bench.py --sizes $(BENCH_SIZES)

# Residue removal on real scraped text (bench/realdev/): spans leaked and sentences kept, per
# outlet, with no profile and no rules file.
bench-realdev: setup
	$(BIN)/python bench/realdev.py

# Deduplication figures side by side and issue #15's targets, met or missed
# (bench/dedup_bench.py; bench/out/dedup.json): 10k and 100k aggregator dumps with and
# without dedup and a 1% re-run of each, one story in 4k and 8k dumps, and a simulated
# 1M-document index. 10k only: make bench-dedup DEDUP_SIZES=10000.
DEDUP_SIZES ?= 10000 100000
bench-dedup: setup
	$(BIN)/python bench/dedup_bench.py figures --sizes $(DEDUP_SIZES)

# Only the peak-RSS targets: the dedup run at each size, all started together (peak RSS does
# not depend on the load; the 100k run takes about an hour on 2 busy cores).
bench-dedup-rss: setup
	$(BIN)/python bench/dedup_bench.py figures --rss-only --sizes $(DEDUP_SIZES) --group --sim 0

# The local Prefect server and UI on 127.0.0.1:4200 (data in .prefect/); Ctrl-C stops it.
# `ingest run` from this checkout then records its runs there (docs/orchestration.md).
ui: setup
	$(BIN)/ingest ui

# Wall time of `ingest run` with the Prefect flow vs the library alone (bench/out/flow_overhead.json).
bench-flow: setup
	$(BIN)/python bench/flow_overhead.py

# Re-resolve pinned versions (commit the result).
lock: setup
	$(BIN)/uv pip compile -q pyproject.toml --extra dev --python-version 3.11 -o requirements.lock
