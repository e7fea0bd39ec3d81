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

.PHONY: all deps venv build run test test-swift install release clean bench-probe

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

## bench-probe: wall time of `mlrepro probe` without GPU tools (target < 300 ms) and with fakes (< 1 s).
bench-probe: release
	scripts/bench-probe.sh .build/release/mlrepro

release: deps
	$(SWIFT) build -c release

## install: copy the release binary to $(PREFIX)/bin.
install: release
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 .build/release/mlrepro $(DESTDIR)$(PREFIX)/bin/mlrepro

clean:
	rm -rf .build out
