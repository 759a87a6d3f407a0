# つなぐ — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
HOST   ?= 127.0.0.1
export FLASK_APP := app

.PHONY: run test install translations messages db lint bench clean system-packages-run system-packages-test

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q --upgrade pip
	@# pyopenjtalk-plus replaced pyopenjtalk-ndy; both are the module pyopenjtalk, so a venv that
	@# had the old one loses both and gets pyopenjtalk-plus cleanly.
	if $(BIN)/pip show -q pyopenjtalk-ndy >/dev/null 2>&1; then $(BIN)/pip uninstall -q -y pyopenjtalk-ndy pyopenjtalk-plus; fi
	$(BIN)/pip install -q -e ".[test,voices]"
	touch $@

install: $(VENV)/.installed

## The Debian packages (ffmpeg, fonts, Open JTalk; for tests also chromium, gettext, strace,
## slapd): installed when this machine allows it, otherwise named (scripts/system-packages.sh).
system-packages-run:
	@scripts/system-packages.sh run

system-packages-test:
	@scripts/system-packages.sh test

translations: install
	$(BIN)/python scripts/i18n.py compile >/dev/null

## messages: re-extract every area's strings into its ja catalogue (then translate them)
messages: install
	$(BIN)/python scripts/i18n.py update

db: translations
	$(BIN)/flask db upgrade
	$(BIN)/flask demo load

run: system-packages-run db
	@echo ""
	@echo "  つなぐ is served at http://$(HOST):$(PORT)  (Ctrl+C to stop)"
	@echo ""
	$(BIN)/python -m app.serve --host $(HOST) --port $(PORT)

## test: fails when browser or media tests were skipped for want of a system package,
## unless ALLOW_SKIP=1 (tests/conftest.py).
test: system-packages-test translations
	TSUNAGU_FULL_SUITE=1 ALLOW_SKIP=$(ALLOW_SKIP) $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check app tests scripts benchmarks
	$(BIN)/ruff format --check app tests scripts benchmarks

bench: translations
	@for script in benchmarks/bench_*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache
