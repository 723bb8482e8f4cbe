# mirror: the two commands of the quick start are `make demo` and `make test`.
SHELL := /bin/bash
BUILD     ?= build
DEPS_DIR  := $(abspath $(BUILD))/deps
JOBS      ?= $(shell nproc)
CTEST_JOBS ?= 2
TESTS     ?= ON   # TESTS=OFF builds the service only (the container image does)
CMAKE_COMMON = -G Ninja -DMIRROR_DEPS_DIR=$(DEPS_DIR) -DMIRROR_BUILD_TESTS=$(strip $(TESTS))

.PHONY: all setup build build-asan test test-unit test-asan test-e2e test-helm test-zones demo bench bench-wan bench-scale format format-check tidy clean

all: build

setup:
	@scripts/setup.sh --deps-dir $(DEPS_DIR)

# Release build; the binary is build/bin/mirror.
build: setup
	@cmake -S . -B $(BUILD)/release $(CMAKE_COMMON) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DMIRROR_BIN_DIR=$(abspath $(BUILD))/bin >/dev/null
	@cmake --build $(BUILD)/release -j $(JOBS)

# ASan + UBSan build of the same sources and tests.
build-asan: setup
	@cmake -S . -B $(BUILD)/asan $(CMAKE_COMMON) -DCMAKE_BUILD_TYPE=Debug -DMIRROR_SANITIZE=ON >/dev/null
	@cmake --build $(BUILD)/asan -j $(JOBS)

demo: build
	$(BUILD)/bin/mirror demo

# Every suite: unit + integration under the sanitizers, then on the release build the unit suite
# again and the process-level suites. The integration suite (mock clusters, bound by timeouts)
# runs once, under the sanitizers; `ctest -L integration` in build/release runs it there. The code
# must be clang-formatted, build without warnings (-Werror) and pass clang-tidy first.
test: format-check build build-asan tidy
	@scripts/setup-test.sh
	cd $(BUILD)/asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --output-on-failure -j $(CTEST_JOBS) -L 'unit|integration' --timeout 600
	cd $(BUILD)/release && MIRROR_BIN=$(abspath $(BUILD))/bin/mirror ctest --output-on-failure -j $(CTEST_JOBS) --timeout 1200 -LE integration

test-unit: build
	cd $(BUILD)/release && ctest --output-on-failure -j $(CTEST_JOBS) -L unit

test-asan: build-asan
	cd $(BUILD)/asan && ctest --output-on-failure -j $(CTEST_JOBS) -L 'unit|integration'

test-e2e: build
	@scripts/setup-test.sh
	cd $(BUILD)/release && MIRROR_BIN=$(abspath $(BUILD))/bin/mirror ctest --output-on-failure -L e2e

test-helm: build
	@scripts/setup-test.sh
	cd $(BUILD)/release && MIRROR_BIN=$(abspath $(BUILD))/bin/mirror ctest --output-on-failure -L helm

# The zoned test bed's suite (tests/net, label zones; root): locality proven by interface byte
# counters, a follower broker failure and a WAN cut; prints, last, the `zones:` line.
test-zones: build
	@scripts/setup-test.sh
	@rm -f $(BUILD)/release/zones-results.json
	cd $(BUILD)/release && MIRROR_BIN=$(abspath $(BUILD))/bin/mirror ctest --output-on-failure -L zones; rc=$$?; \
	  python3 $(CURDIR)/tests/net/test_zones.py --summary zones-results.json; exit $$rc

# Throughput, CPU per GB, memory and latency against MirrorMaker 2 and a consume-only reader, on
# the real Kafka test bed (tests/bench/run; BENCH_RECORDS sets the size).
bench: build
	@scripts/setup-test.sh
	MIRROR_BIN=$(abspath $(BUILD))/bin/mirror tests/bench/run

# The same contenders with the target on loopback, then behind a link of 40 ms round trip (a
# toxiproxy latency proxy), and mirror per compression codec on that link (tests/bench/run's WAN
# mode; docs/benchmarks.md).
bench-wan: build
	@scripts/setup-test.sh
	BENCH_WAN=1 MIRROR_BIN=$(abspath $(BUILD))/bin/mirror tests/bench/run

# How the cost grows with flows, partitions and record sizes, against MirrorMaker 2 and the copy
# limit (tests/bench/scale; docs/benchmarks.md, "Cost as the work grows").
bench-scale: build
	@scripts/setup-test.sh
	MIRROR_BIN=$(abspath $(BUILD))/bin/mirror tests/bench/scale

SOURCES = find mirror tests \( -name '*.cc' -o -name '*.h' \)

format:
	@$(SOURCES) | xargs clang-format -i

# Fails on any file clang-format would change (`make format` changes them).
format-check: setup
	@$(SOURCES) | xargs clang-format --dry-run --Werror
	@echo "format-check: ok"

# clang-tidy's checks of .clang-tidy (bugprone, concurrency, performance, ...) on mirror/; every
# warning is an error.
tidy: build
	@find mirror -name '*.cc' | sort | xargs -P $(JOBS) -n 4 clang-tidy -p $(BUILD)/release --quiet --extra-arg=-Wno-unknown-warning-option --extra-arg=-Wno-error 2>&1 \
	  | grep -v '^[0-9]* warnings generated' ; test $${PIPESTATUS[2]} -eq 0
	@echo "tidy: ok"

clean:
	rm -rf $(BUILD)/release $(BUILD)/asan $(BUILD)/bin
