# OrderHub: `make run` starts the demo, `make test` runs every test. Both set themselves up.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell sha1sum requirements.txt | cut -c1-12)
MIGRATE_ENV := FLASK_APP=app:create_app FAB_CREATE_DB=False FAB_UPDATE_PERMS=False SANDBOX_ENABLED=False

.PHONY: run test install migrate worker scheduler bench clean browser

$(STAMP): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP) translations

# Compiled catalogues (app/translations/*/LC_MESSAGES/messages.mo) are built here, never committed.
.PHONY: translations
translations: $(STAMP)
	$(VENV)/bin/pybabel -q compile -d app/translations

migrate: install
	$(MIGRATE_ENV) $(VENV)/bin/flask db upgrade -d migrations

run: migrate
	$(PY) run.py

worker: install
	$(PY) run.py worker

scheduler: install
	$(PY) run.py scheduler

# The browser tests drive Debian's Chromium (never a downloaded browser build).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Chromium for the browser tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "Chromium is missing: run 'sudo apt-get install chromium' for the browser tests"; exit 1; fi; }

test: install browser
	$(PY) -m pytest $(PYTEST_ARGS)

bench: install
	for b in bench/*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

clean:
	rm -rf $(VENV) instance .pytest_cache
