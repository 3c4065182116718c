# The front door: `make run` sets everything up and serves the demo,
# `make test` runs the whole suite. Both need only Python 3.11.

PORT ?= 8000
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: run serve test lint demo-data clean

$(PY):
	$(PYTHON) -m venv $(VENV)

$(VENV)/.run-deps: requirements.txt | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.dev-deps: requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@ $(VENV)/.run-deps

demo-data: $(VENV)/.run-deps
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo --port $(PORT)

# The demo serves, delivers webhooks and runs queued imports (the workers beside the server;
# Ctrl-C stops them all).
# Receivers on this machine are allowed in the demo (WEBHOOK_ALLOW_PRIVATE_URLS).
run: demo-data
	@echo "Copydesk: http://127.0.0.1:$(PORT)/admin/  API: http://127.0.0.1:$(PORT)/api/  docs: http://127.0.0.1:$(PORT)/api/docs/"
	@export WEBHOOK_ALLOW_PRIVATE_URLS="$${WEBHOOK_ALLOW_PRIVATE_URLS:-true}"; \
	$(PY) manage.py deliver_webhooks & worker=$$!; \
	$(PY) manage.py process_imports & importer=$$!; \
	trap 'kill -TERM $$worker $$importer 2>/dev/null; wait $$worker $$importer' EXIT INT TERM; \
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

# Production on this host (deploy/serve: nginx in front of gunicorn's threaded workers), with
# the settings from the environment. Local defaults: DEBUG off, plain HTTP on 127.0.0.1, a
# secret key kept in run/secret_key. On a server, set them yourself (README, "Production").
serve: $(VENV)/.run-deps
	@set -e; \
	export DEBUG="$${DEBUG:-false}" ALLOWED_HOSTS="$${ALLOWED_HOSTS:-127.0.0.1,localhost}" \
	  SECURE_SSL_REDIRECT="$${SECURE_SSL_REDIRECT:-false}" SESSION_COOKIE_SECURE="$${SESSION_COOKIE_SECURE:-false}" \
	  CSRF_COOKIE_SECURE="$${CSRF_COOKIE_SECURE:-false}" SECURE_HSTS_SECONDS="$${SECURE_HSTS_SECONDS:-0}"; \
	if [ -z "$${SECRET_KEY:-}" ]; then \
	  mkdir -p run; \
	  [ -s run/secret_key ] || (umask 077; $(PY) -c 'import secrets; print(secrets.token_urlsafe(50))' > run/secret_key); \
	  export SECRET_KEY="$$(cat run/secret_key)"; \
	fi; \
	$(PY) manage.py migrate --noinput; \
	$(PY) manage.py collectstatic --noinput -v0; \
	PORT=$(PORT) exec deploy/serve

test: $(VENV)/.dev-deps
	$(PY) -m pytest

lint: $(VENV)/.dev-deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache run
