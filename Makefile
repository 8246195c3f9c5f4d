# GridReady — the README names these targets.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
export FLASK_APP := wsgi
# The address printed in certificate QR codes and e-mail links: `make run` serves on HOST:PORT, so it is
# that address unless PUBLIC_BASE_URL is given (on 0.0.0.0, the machine's first network address).
PUBLIC_HOST := $(if $(filter 0.0.0.0,$(HOST)),$(shell hostname -I 2>/dev/null | cut -d' ' -f1),$(HOST))
PUBLIC_BASE_URL ?= http://$(PUBLIC_HOST):$(PORT)
# the demo's certificates (seeded before `run` serves) carry the same address
run setup seed: export PUBLIC_BASE_URL := $(PUBLIC_BASE_URL)
# The project root is importable even when the editable install predates a new package.
export PYTHONPATH := $(CURDIR)

.PHONY: run setup system-deps install translations db seed test test-pg faults a11y-scan serve worker bench bench-deps lint check-migrations

## First command: install everything, build the database, seed the demo once, serve on http://127.0.0.1:5000
run: setup seed
	@echo "GridReady on http://$(HOST):$(PORT)  (Ctrl-C to stop)"
	@cat instance/demo-logins.txt 2>/dev/null | sed 's/^/  demo login: /' || true
	@$(BIN)/huey_consumer wsgi.huey -w 2 -q & pid=$$!; trap "kill $$pid 2>/dev/null" EXIT INT TERM; \
	SESSION_COOKIE_SECURE=0 $(BIN)/flask run --host $(HOST) --port $(PORT)

setup: system-deps install translations db

system-deps:
	@bash scripts/system-deps.sh

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[dev]"
	@touch $@

install: $(VENV)/.installed

translations: install
	@$(BIN)/python scripts/i18n.py compile

db: install
	@$(BIN)/flask db upgrade

# Seeds the demo data the first time only (instance/.seeded marks it); `flask seed-demo` is idempotent anyway.
seed: db
	@if [ ! -f instance/.seeded ]; then $(BIN)/flask seed-demo && touch instance/.seeded; \
	 else $(BIN)/flask seed-demo | sed -n '/Demo logins/,$$p'; fi

## Second command: the whole test suite (SQLite; set TEST_DATABASE_URL for PostgreSQL)
test: system-deps install translations
	$(BIN)/pytest $(PYTEST_ARGS)

## Live fault tests: a private PostgreSQL cluster restarted and gunicorn workers killed under saves (needs root)
faults: system-deps install translations
	GRIDREADY_FAULTS=1 $(BIN)/pytest tests/faults

## The axe-core accessibility scan alone (it runs in `make test` too): every page, each role, both languages,
## long (over 40 minutes on a loaded machine); every finding in $(A11Y_REPORT). Fewer pages: make a11y-scan A11Y_PAGES='^/reports/'
## PYTEST_ARGS='-k "hr and zh"' (docs/accessibility.md)
A11Y_REPORT ?= instance/axe-report.json
a11y-scan: system-deps install translations
	mkdir -p $(dir $(A11Y_REPORT)) && rm -f $(A11Y_REPORT)
	AXE_REPORT=$(A11Y_REPORT) GRIDREADY_A11Y_PAGES='$(A11Y_PAGES)' $(BIN)/pytest -m browser tests/browser/test_accessibility.py $(PYTEST_ARGS)

test-pg: system-deps install translations
	TEST_DATABASE_URL=$${TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/gridready_test} $(BIN)/pytest

## Production-style server: gunicorn with several workers on DATABASE_URL
serve: install translations db
	$(BIN)/gunicorn -w $${WORKERS:-4} -b $(HOST):$(PORT) --access-logfile - wsgi:app

worker: install
	$(BIN)/huey_consumer wsgi.huey -w $${TASK_WORKERS:-2}

# The load generator and the proxy the exam-day benchmark uses (Debian packages).
bench-deps:
	@command -v wrk >/dev/null && command -v nginx >/dev/null || \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk nginx; }

bench: install translations bench-deps
	@for b in bench/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

lint: install
	$(BIN)/ruff check .

check-migrations: install
	@rm -f /tmp/gridready-drift.db
	DATABASE_URL=sqlite:////tmp/gridready-drift.db $(BIN)/flask db upgrade
	DATABASE_URL=sqlite:////tmp/gridready-drift.db $(BIN)/flask db check
