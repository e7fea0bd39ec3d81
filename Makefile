# mlrepro — build, run, test, benchmark.
SHELL := /bin/bash
SWIFT ?= swift
CONFIG ?= debug
PREFIX ?= /usr/local
VENV ?= $(CURDIR)/.venv
PYTHON := $(VENV)/bin/python
BIN := .build/$(CONFIG)/mlrepro
RUN_DIR ?= out/my-study
export MLREPRO_TEST_VENV := $(VENV)
# Release builds link the Swift standard library and Foundation statically: process start
# (which dominates small projects) dropped from 17-18 ms to 12-16 ms when this was measured.
RELEASE := -c release --static-swift-stdlib

.PHONY: dist test-install test-dist all deps venv build run test test-swift test-copier test-cookiecutter install release clean bench test-stack conformance-expected bench-engine test-template bench-probe test-hostile test-authors test-bake examples test-examples fuzz template-locks stress-ddp

all: build

## deps: system packages (libgit2-dev, pkg-config); installs them when run as root.
deps:
	@scripts/deps.sh

## venv: Python tools the tests drive (Jinja2, copier, validators), pinned in Tests/requirements.txt.
venv: $(VENV)/.installed
$(VENV)/.installed: Tests/requirements.txt
	python3 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --disable-pip-version-check -r Tests/requirements.txt
	touch $@

# SwiftPM reuses a build plugin's commands until Package.swift changes: a template file added or removed
# would not be embedded (an edit is seen). When the list of files under Templates/ changed since the last
# make, Package.swift's time is updated so the next build embeds them again.
TEMPLATE_LIST := $(shell mkdir -p .build && find Templates -print | LC_ALL=C sort > .build/templates-list.new && \
    { cmp -s .build/templates-list.new .build/templates-list || \
      { touch Package.swift; mv .build/templates-list.new .build/templates-list; echo changed; }; })

build: deps
	$(SWIFT) build -c $(CONFIG)

## run: build, then generate a project from the built-in template with defaults.
run: build
	@rm -rf $(RUN_DIR)
	@mkdir -p $(dir $(RUN_DIR))
	$(BIN) init $(RUN_DIR) --defaults
	@echo "Generated project: $(CURDIR)/$(RUN_DIR)"

## test: everything CI runs.
test: deps venv
	$(SWIFT) build
	$(MAKE) test-swift
	$(MAKE) test-examples
	$(MAKE) test-template
	$(MAKE) test-copier
	$(MAKE) test-cookiecutter
	$(MAKE) test-hostile
	$(MAKE) test-authors
	$(MAKE) test-bake
	$(MAKE) test-stack
	$(MAKE) test-dist test-install

test-swift:
	$(SWIFT) test

## test-template: projects generated from Templates/ml-research by the built binary: every framework's
## files through ruff, schemas, hadolint, shellcheck; one sklearn project installed, tested and trained.
## MLREPRO_TEMPLATE_FRAMEWORKS="sklearn jax" trains more frameworks for real.
## The shipped lock's wheels are downloaded once into MLREPRO_WHEEL_CACHE and installed offline with --require-hashes.
MLREPRO_WHEEL_CACHE ?= $(CURDIR)/out/wheel-cache
test-template: venv
	$(SWIFT) build
	MLREPRO_BIN=$(CURDIR)/.build/debug/mlrepro MLREPRO_WHEEL_CACHE=$(MLREPRO_WHEEL_CACHE) \
	    $(PYTHON) -m pytest -q -p no:cacheprovider --durations=15 Tests/TemplateTests

## stress-ddp: STRESS_COUNT (default 50) consecutive 2-process torchrun jobs (gloo, CPU) of a generated project for
## each of STRESS_FRAMEWORKS, in one virtualenv (STRESS_VENV) with the CPU torch wheel from TORCH_WHEELS; counts
## successes and failures, keeps failed jobs' logs in out/stress-ddp, fails on any failed job. Not part of `make test`.
STRESS_COUNT ?= 50
STRESS_FRAMEWORKS ?= pytorch lightning
STRESS_VENV ?= $(CURDIR)/out/ddp-venv
stress-ddp: build
	python3 scripts/stress_ddp.py --mlrepro $(BIN) --count $(STRESS_COUNT) --frameworks $(STRESS_FRAMEWORKS) \
	    --venv $(STRESS_VENV) --work out/stress-ddp

## examples: regenerate Examples/my-study (built-in template, fixed answers, reproducible record).
## test-examples: fail when Examples/ has drifted from the built-in template (`mlrepro check`).
EXAMPLE := Examples/my-study
examples: build
	rm -rf $(EXAMPLE)
	SOURCE_DATE_EPOCH=1767225600 $(BIN) init $(EXAMPLE) --defaults --no-git --no-probe --quiet \
	    --data 'author_name=Ada Lovelace' --data author_email=ada@example.org
	rm -f $(EXAMPLE)/.env

test-examples: build
	$(BIN) check $(EXAMPLE)

## fuzz: mutation fuzzing of answers files (parse, validate, plan), templates (parse, render), template
## paths, and project records fed to check and update (FUZZ_TARGET=answers|engine|paths|records|all), for
## FUZZ_SECONDS (default 600, shared by the targets) from FUZZ_SEED; a crash, a hang, or a file outside the
## fuzzed project that changed keeps its input as out/fuzz/crash-*.
FUZZ_SECONDS ?= 600
FUZZ_SEED ?= 1
FUZZ_TARGET ?= all
fuzz: deps
	$(SWIFT) build $(RELEASE) --product mlrepro-fuzz
	@mkdir -p out/fuzz
	@status=0; .build/release/mlrepro-fuzz --seconds $(FUZZ_SECONDS) --seed $(FUZZ_SEED) --target $(FUZZ_TARGET) --work out/fuzz \
	    --corpus Templates/ml-research || status=$$?; \
	if [ $$status -ne 0 ]; then \
	    for f in out/fuzz/current-*; do [ -e "$$f" ] || continue; \
	        kept="out/fuzz/crash-$$(date +%Y%m%d%H%M%S)-$${f##*/current-}"; cp "$$f" "$$kept"; \
	        echo "fuzz: exit $$status; the input is kept as $$kept"; done; \
	    exit 1; fi

## test-copier: small copier-format fixtures, one per construct, rendered by copier 9.19.1 (in .venv) and by
## mlrepro, compared file by file with modes.
test-copier: venv
	$(SWIFT) build
	MLREPRO_BIN=$(CURDIR)/.build/debug/mlrepro $(PYTHON) -m pytest -q -p no:cacheprovider Tests/copier

## test-cookiecutter: small cookiecutter fixtures rendered by cookiecutter 2.7.1 (in .venv) and by mlrepro, compared.
test-cookiecutter: venv
	$(SWIFT) build
	MLREPRO_BIN=$(CURDIR)/.build/debug/mlrepro $(PYTHON) -m pytest -q -p no:cacheprovider Tests/cookiecutter

## test-hostile: hostile answers files and templates, interruptions, failed writes, secrets (drives the binary).
test-hostile: venv
	$(SWIFT) build
	MLREPRO_BIN=$(CURDIR)/.build/debug/mlrepro $(PYTHON) -m pytest -q -p no:cacheprovider Tests/hostile

## test-authors: Docs/authors.md's tutorial pasted in order (it must write Tests/Fixtures/authors-tutorial), the
## fixture linted, baked with its own tests, snapshotted, released v1.0.0 -> v1.1.0 and updated; the CI snippets.
## Also: every relative link and anchor in the repository's Markdown files resolves (Tests/authors/test_doc_links.py).
test-authors: venv
	$(SWIFT) build
	MLREPRO_BIN=$(CURDIR)/.build/debug/mlrepro $(PYTHON) -m pytest -q -p no:cacheprovider Tests/authors

## test-bake: the built-in template linted (`mlrepro lint`), then every pairwise answer combination
## of it rendered and validated.
BAKE_DIR ?= out/bake
test-bake: venv
	$(SWIFT) build
	$(BIN) lint
	rm -rf $(BAKE_DIR)
	PATH="$(VENV)/bin:$$PATH" $(BIN) bake --output $(BAKE_DIR) --validate --venv $(VENV)

## bench-probe: wall time of `mlrepro probe` without GPU tools (target < 300 ms) and with fakes (< 1 s).
bench-probe: release
	scripts/bench-probe.sh .build/release/mlrepro

release: deps
	$(SWIFT) build $(RELEASE)

## install: the distributed tree (stripped binary, bundled libgit2, man page, completions) into $(PREFIX).
install: dist
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/mlrepro $(DESTDIR)$(PREFIX)/share
	install -m 0755 $(DIST_TREE)/bin/mlrepro $(DESTDIR)$(PREFIX)/bin/mlrepro
	install -m 0755 $(DIST_TREE)/lib/mlrepro/* $(DESTDIR)$(PREFIX)/lib/mlrepro/
	cp -R $(DIST_TREE)/share/. $(DESTDIR)$(PREFIX)/share/

## dist: dist/mlrepro-<version>-py3-none-<platform>.whl, dist/mlrepro-<version>-<target>.tar.gz and dist/SHA256SUMS
## from the release build: stamped with the commit, debug information split off into out/dist/, stripped, libgit2
## and what it needs beyond the manylinux baseline bundled in lib/mlrepro/ (scripts/dist/build_dist.py).
MLREPRO_VERSION := $(shell sed -nE 's/.*static let current = "([^"]+)".*/\1/p' Sources/MLReproCore/Record/Version.swift)
DIST_TARGET = $(shell .build/release/mlrepro --version | sed -n 's/^target: //p')
DIST_TREE = out/dist/mlrepro-$(MLREPRO_VERSION)-$(DIST_TARGET)
dist: release
	@scripts/deps.sh dist
	rm -rf dist
	python3 scripts/dist/build_dist.py --binary .build/release/mlrepro --out dist --work out/dist

## test-dist: the wheel's metadata and contents (twine, check-wheel-contents), its platform tag against what the
## binary and bundled libraries need (auditwheel), the release workflow and action.yml against their schemas
## (check-jsonschema; actionlint too when it is on PATH).
DIST_VENV ?= $(CURDIR)/.venv-dist
$(DIST_VENV)/.installed: scripts/dist/requirements.txt
	python3 -m venv $(DIST_VENV)
	$(DIST_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r scripts/dist/requirements.txt
	touch $@
test-dist: dist $(DIST_VENV)/.installed
	scripts/dist/check-dist.sh $(DIST_VENV) dist

## test-install: the wheel installed with pip on a bare Debian root (python3 and python3-venv only: no Swift, no
## libgit2, no git), then --version, init (with its git commit), init from a file:// git template, check, update.
## The root is built once with debootstrap into DEBIAN_ROOT (as root) and reused.
DEBIAN_ROOT ?= $(CURDIR)/out/debian-root
test-install: dist
	scripts/dist/test-install.sh dist/mlrepro-$(MLREPRO_VERSION)-py3-none-*.whl $(DEBIAN_ROOT)

clean:
	rm -rf .build out

## bench: mlrepro vs copier vs cookiecutter vs cp -r (writes bench/results.md).
BENCH_VENV ?= $(CURDIR)/.venv-bench
BENCH_RUNS ?= 5
$(BENCH_VENV)/.installed: bench/requirements.txt
	python3 -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r bench/requirements.txt
	touch $@

bench: deps $(BENCH_VENV)/.installed
	$(SWIFT) build $(RELEASE)
	$(BENCH_VENV)/bin/python scripts/bench.py --mlrepro .build/release/mlrepro \
	    --venv $(BENCH_VENV) --work bench/work --results bench/results.md --runs $(BENCH_RUNS)

## test-stack: the generated project's MLflow + PostgreSQL + S3 stack, end to end without Docker.
STACK_DIR ?= out/stack
test-stack: build
	@scripts/deps.sh stack
	rm -rf $(STACK_DIR)
	$(BIN) init $(STACK_DIR) --defaults --no-probe --data framework=sklearn --data accelerator=cpu \
	    --data tracking=mlflow-server
	python3 -m venv $(STACK_DIR)/.venv
	$(STACK_DIR)/.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '$(STACK_DIR)' \
	    'moto[server]==5.2.5' psycopg2-binary==2.9.13
	$(STACK_DIR)/.venv/bin/python scripts/test_stack.py --project $(STACK_DIR) --python $(STACK_DIR)/.venv/bin/python

## template-locks: re-resolve the hashed lock files the built-in template ships (Templates/ml-research/locks/,
## docker/mlflow/requirements.lock) with uv from PyPI (and the PyTorch index for torch frameworks). Data, refreshed
## deliberately: review the diff, then commit. LOCK_FRAMEWORKS="sklearn pytorch" LOCK_PYTHONS="3.11" narrow it. Existing pins
## are kept (a new dependency adds only its own packages); UPGRADE_LOCKS=1 re-resolves every pin to the newest.
LOCK_VENV ?= $(CURDIR)/.venv-locks
LOCK_FRAMEWORKS ?= sklearn tensorflow jax
LOCK_PYTHONS ?= 3.10 3.11 3.12
UV_VERSION ?= 0.13.9
template-locks: build venv
	test -x $(LOCK_VENV)/bin/uv || { python3 -m venv $(LOCK_VENV) && $(LOCK_VENV)/bin/pip install --quiet uv==$(UV_VERSION); }
	$(PYTHON) scripts/template_locks.py --mlrepro $(BIN) --uv $(LOCK_VENV)/bin/uv \
	    --frameworks $(LOCK_FRAMEWORKS) --pythons $(LOCK_PYTHONS) --mlflow-image

## conformance-expected: re-render the engine's conformance cases with Python's Jinja2 (expected outputs).
conformance-expected: venv
	$(PYTHON) scripts/conformance_expected.py

## bench-engine: engine throughput (parse, render) on the synthetic 1,000-file template, release build.
SYNTHETIC ?= ../shared/bench/make_synthetic_template.py
bench-engine:
	@rm -rf bench/work/synthetic && mkdir -p bench/work
	python3 $(SYNTHETIC) 1000 bench/work/synthetic
	$(SWIFT) build $(RELEASE) --product mlrepro-bench-engine
	.build/release/mlrepro-bench-engine bench/work/synthetic/copier 10
