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

.PHONY: all deps venv build run test test-swift install release clean conformance-expected bench-engine

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

test-swift:
	$(SWIFT) test

release: deps
	$(SWIFT) build -c release

## install: copy the release binary to $(PREFIX)/bin.
install: release
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 .build/release/mlrepro $(DESTDIR)$(PREFIX)/bin/mlrepro

clean:
	rm -rf .build out

## conformance-expected: re-render the engine's conformance cases with Python's Jinja2 (expected outputs).
conformance-expected: venv
	$(PYTHON) scripts/conformance_expected.py

## bench-engine: engine throughput (parse, render) on the synthetic 1,000-file template, release build.
SYNTHETIC ?= ../shared/bench/make_synthetic_template.py
bench-engine:
	@rm -rf bench/work/synthetic && mkdir -p bench/work
	python3 $(SYNTHETIC) 1000 bench/work/synthetic
	$(SWIFT) build -c release --product mlrepro-bench-engine
	.build/release/mlrepro-bench-engine bench/work/synthetic/copier 10
