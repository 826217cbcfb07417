# Two entry points for a fresh machine: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

# Lua 5.4 itself where installed, else the same Lua embedded through lupa (a test dependency).
LUA := $(shell command -v lua5.4 2>/dev/null || echo "$(BIN)/python tests/lua/lupa_lua.py")
# Debian packages the tests use where they can: installed by `make test` when it may (root or
# passwordless sudo, with apt); otherwise the tests that need them skip with one line.
SYSTEM_DEPS := tmux lua5.4 lua-check chromium chromium-driver

.PHONY: run test system-deps lint typecheck pytest lua-test bench constraints clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# constraints.txt pins the versions the suite was last run with, so a fresh clone installs
# the same ones; `make constraints` writes it anew from the test venv.
$(STAMP): pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/pip install -q -c constraints.txt -e .
	touch $@

$(TEST_STAMP): pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/pip install -q -c constraints.txt -e '.[test]'
	touch $@ $(STAMP)

run: $(STAMP)
	$(BIN)/wezmp

test: $(TEST_STAMP) system-deps
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(MAKE) --no-print-directory lua-test
	$(BIN)/pytest -n auto --dist worksteal --cov --cov-report=term --cov-fail-under=85

system-deps:
	@missing=""; for p in $(SYSTEM_DEPS); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if ! command -v apt-get >/dev/null 2>&1; then \
	  echo "not installed:$$missing (no apt-get): their tests skip"; exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then sudo=""; \
	elif sudo -n true 2>/dev/null; then sudo="sudo -n"; \
	else echo "not installed:$$missing (needs root): their tests skip"; exit 0; fi; \
	export DEBIAN_FRONTEND=noninteractive; \
	$$sudo apt-get install -y -qq $$missing >/dev/null 2>&1 || \
	{ $$sudo apt-get update -qq >/dev/null 2>&1 && \
	  $$sudo apt-get install -y -qq $$missing >/dev/null 2>&1; } || \
	echo "could not install$$missing: their tests skip"

lua-test: $(TEST_STAMP)
	$(LUA) tests/lua/syntax.lua lua/*.lua
	@if command -v luacheck >/dev/null 2>&1; then luacheck -q --no-color lua tests/lua; \
	else echo "luacheck not installed: lint skipped (apt-get install lua-check)"; fi
	$(LUA) tests/lua/run.lua

bench: $(TEST_STAMP)
	for b in bench/*.py; do $(BIN)/python $$b || exit 1; done

constraints: $(TEST_STAMP)
	$(BIN)/pip freeze --exclude-editable | grep -v '^-e ' > constraints.txt

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .coverage
