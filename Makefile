# Two entry points for a fresh machine: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: run test lint typecheck pytest lua-test bench clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[test]'
	touch $@ $(STAMP)

run: $(STAMP)
	$(BIN)/wezmp

test: $(TEST_STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(MAKE) --no-print-directory lua-test
	$(BIN)/pytest --cov --cov-report=term --cov-fail-under=85

lua-test:
	@if command -v lua5.4 >/dev/null 2>&1; then \
	  for f in lua/*.lua lua/*/*.lua; do [ ! -f "$$f" ] || luac5.4 -p "$$f" || exit 1; done; \
	  if command -v luacheck >/dev/null 2>&1; then luacheck -q --no-color lua tests/lua; fi; \
	  if [ -f tests/lua/run.lua ]; then lua5.4 tests/lua/run.lua; fi; \
	else echo "lua5.4 not installed: run .ci/run or apt-get install lua5.4" >&2; exit 1; fi

bench: $(TEST_STAMP)
	for b in bench/*.py; do $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .coverage
