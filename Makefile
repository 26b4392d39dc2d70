# Two commands for a newcomer: `make run` and `make test` (see README).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: install run notifier test lint check-config demo clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	ADUAN_DEVELOPMENT=1 $(PY) run_bot.py --console --web

notifier: $(STAMP)
	$(PY) run_notifier.py --once

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m mypy models bot notifier web

test: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m mypy models bot notifier web
	$(PY) -m pytest

check-config: $(STAMP)
	$(PY) manage.py config check

demo: $(STAMP)
	$(PY) manage.py demo

clean:
	rm -rf $(VENV) var/*.db var/*.db-*
