# ysched-tui: `make run` opens the console on the example jobs, `make test` runs every check.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-dev
RUN_STAMP := $(VENV)/.installed

.PHONY: run test lint bench screenshots daemon clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(RUN_STAMP): pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet -e .
	$(PY) -m compileall -q ysched_tui
	touch $@

$(STAMP): pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet -e '.[dev]'
	$(PY) -m compileall -q ysched_tui
	touch $@ $(RUN_STAMP)

run: $(RUN_STAMP)
	cd examples && ../$(VENV)/bin/ysched-tui --db ../.ysched-demo.db --jobs ysched.toml

daemon: $(RUN_STAMP)
	cd examples && ../$(VENV)/bin/ysched-tui --db ../.ysched-demo.db --jobs ysched.toml daemon

lint: $(STAMP)
	$(VENV)/bin/ruff check ysched_tui tests bench examples screenshots
	$(VENV)/bin/mypy ysched_tui
	$(VENV)/bin/lint-imports

test: lint
	$(PY) -m pytest -q -p no:cacheprovider tests

bench: $(STAMP)
	$(PY) -m bench

screenshots: $(STAMP)
	$(PY) screenshots/make_screenshots.py

clean:
	rm -rf $(VENV) .ysched-demo.db* build *.egg-info
