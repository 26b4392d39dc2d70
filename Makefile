# Two commands for a newcomer: `make run` and `make test` (see README).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
ADUAN := $(VENV)/bin/aduan
STAMP := $(VENV)/.installed-stamp

.PHONY: install run notifier test lint check-config demo clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(ADUAN) db upgrade
	ADUAN_DEVELOPMENT=1 $(ADUAN) console --web

notifier: $(STAMP)
	$(ADUAN) notifier --once

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m mypy models bot notifier web
	$(VENV)/bin/lint-imports

test: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m mypy models bot notifier web
	$(PY) -m pytest

check-config: $(STAMP)
	$(ADUAN) config check

demo: $(STAMP)
	$(ADUAN) db upgrade
	$(ADUAN) demo

clean:
	rm -rf $(VENV) var/*.db var/*.db-*
