# Inkbook: the README's commands. Everything runs inside scripts/devenv.py, which supplies
# development secrets and, unless DATABASE_URL is set, a project-local PostgreSQL (.data/postgres).
PYTHON ?= python3
VENV := .venv
VPY := $(VENV)/bin/python
DEVENV := $(VPY) scripts/devenv.py
PYTEST_ARGS ?=

.PHONY: help messages messages-update install run serve demo test test-clocks lint types-baseline schema lock stop-db clean-data backup-check bench bench-install bench-peer load prereqs-run prereqs-test
.DEFAULT_GOAL := help

## make help: this list (each target's first `## ` comment line in the Makefile)
help:
	@awk '/^## /{ if (!doc) doc = substr($$0, 4); next } \
	  /^[A-Z_]+ *[:?+]?=/{ next } \
	  /^[a-z][a-z0-9-]*:/{ if (doc) { t = $$1; sub(/:.*/, "", t); sub("^make " t ": ", "", doc); \
	    printf "  make %-16s %s\n", t, doc } } \
	  { doc = "" }' $(MAKEFILE_LIST)

# The system packages each command needs (README "Two commands"): one message naming what is
# missing and the apt-get line that installs it, before anything else runs.
prereqs-run:
	@scripts/prereqs.sh run
prereqs-test:
	@scripts/prereqs.sh test

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(VPY) -m pip install -q --disable-pip-version-check --upgrade pip
	$(VPY) -m pip install -q --disable-pip-version-check -r requirements.txt
	touch $@

# The local S3 server (scripts/s3-dev-server.js) and its pinned npm packages; reinstalled when the
# lockfile changes. Needs Node.js >= 20 on PATH.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The compiled catalogues (docs/i18n.md, "Catalogues"): a .mo is rebuilt when its .po is newer; never
# committed (.gitignore). msgfmt comes with gettext (scripts/prereqs.sh).
PO_FILES := $(wildcard locale/*/LC_MESSAGES/*.po)
MO_FILES := $(PO_FILES:.po=.mo)

locale/%.mo: locale/%.po
	msgfmt --check-format -o $@ $<

## make messages: compile the translation catalogues (make install does it too)
messages: $(MO_FILES)

## make messages-update: extract the marked strings into locale/mn's catalogues (django and djangojs)
## (the product's, not the tests'), then translate the new msgids (docs/i18n.md, "Catalogues");
## tattoo/tests/test_catalogue.py checks them.
MESSAGES_IGNORE := -i node_modules -i bench -i .data -i .venv -i staticfiles -i test-artifacts -i tests -i testing
messages-update: install
	$(DEVENV) --test -- python manage.py makemessages -l mn --no-location --no-obsolete $(MESSAGES_IGNORE)
	$(DEVENV) --test -- python manage.py makemessages -d djangojs -l mn --no-location --no-obsolete $(MESSAGES_IGNORE)

## make install: the virtualenv (.venv, requirements.txt), node_modules and the compiled catalogues
install: $(VENV)/.installed node_modules/.installed messages

## make run: the whole product on http://127.0.0.1:8000 (Ctrl-C stops it)
## Ports: PORT (web), WORKER_PORT, SANDBOX_PORT, S3_PORT. The seed runs with the S3 server up (its demo image).
run: prereqs-run install
	$(DEVENV) -- python manage.py migrate --no-input
	$(DEVENV) -- python -m testing.s3 -- python manage.py seed
	$(DEVENV) -- honcho -f Procfile start

## make serve: the production shape on this machine (scripts/serve.py)
## gunicorn gthread (WEB_WORKERS x WEB_THREADS), DEBUG off, collected static, the psycopg pool, Redis (REDIS_URL, else 127.0.0.1:6379 if it
## answers), the jobs worker, the QPay worker + sandbox. SERVE_INSTANCES=2: two web instances, two job
## workers. SERVE_DATABASE=inkbook_scale serves the benchmark's scale data (bench/seed_scale.py).
serve: prereqs-run install
	$(DEVENV) -- python scripts/serve.py

## make demo: the main flow over HTTP against the stack `make run` serves (same port variables)
demo: install
	$(DEVENV) -- python scripts/demo.py

## make test: the whole suite against real services, in a random order (after the import layers)
## Installs what it needs, checks the layers (import-linter, pyproject.toml), then runs pytest
## (pytest-randomly prints its seed; replay one with PYTEST_ARGS="--randomly-seed=N").
test: prereqs-test install
	$(VENV)/bin/lint-imports --no-cache
	$(DEVENV) --test -- python -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

## make test-clocks: the date-sensitive modules again at five clock instants (DST weekends, New Year, 29 Feb, ...)
test-clocks: prereqs-test install
	scripts/test_clocks.sh $(PYTEST_ARGS)

## make lint: ruff (check, format), the import layers, mypy against mypy-baseline.txt (docs/types.md)
## The baseline only shrinks: a new type error fails, and so does one fixed but still listed.
lint: install
	$(VPY) -m ruff check .
	$(VPY) -m ruff format --check .
	$(VENV)/bin/lint-imports --no-cache
	scripts/types.sh check

## make types-baseline: after fixing type errors, drop them from mypy-baseline.txt (docs/types.md)
## Refuses while mypy reports an error the baseline lacks (fix it instead); TYPES_BASELINE_ALLOW_NEW=1
## takes them in, for a merge or a move that renames the errors' module (say why in the commit).
types-baseline: install
	scripts/types.sh sync

## make schema: regenerate the committed OpenAPI document (in English: the labels of choices are translatable)
schema: install
	$(DEVENV) --test -- python manage.py spectacular --lang en --file docs/openapi.yaml --validate

## make lock: compile requirements.in into requirements.txt (every pin)
lock: install
	$(VENV)/bin/pip-compile -q --strip-extras --no-emit-index-url requirements.in -o requirements.txt

## make stop-db: stop the project-local PostgreSQL cluster (.data/postgres)
stop-db:
	$(VPY) scripts/devenv.py stop-db

## make clean-data: stop that cluster and delete .data (databases, development secrets, the bucket)
clean-data: stop-db
	rm -rf .data

## make backup-check: backup drill: pg_dump the development database, restore it into a scratch one, check it
backup-check: install
	$(DEVENV) -- python scripts/backup_check.py

# load-test tools (bench/requirements.txt: locust, py-spy) in their own venv, so `make test` stays lean
.venv-bench/.installed: bench/requirements.txt
	$(PYTHON) -m venv .venv-bench
	.venv-bench/bin/pip install -q --disable-pip-version-check -r bench/requirements.txt
	touch $@

## make bench-install: the load-test tools (locust, py-spy) in their own venv (.venv-bench)
bench-install: .venv-bench/.installed

# django-appointment (PyPI) for the side-by-side create benchmark, in its own venv; never committed
.venv-peer/.installed: bench/peer_requirements.txt
	$(PYTHON) -m venv .venv-peer
	.venv-peer/bin/pip install -q --disable-pip-version-check -r bench/peer_requirements.txt
	touch $@

## make bench-peer: booking create in-process, Inkbook vs django-appointment 3.12 in one run (bench/create_vs_peer.py)
bench-peer: install .venv-peer/.installed
	$(DEVENV) --test -- python -m bench.create_vs_peer

## make load: the Locust scenario against `make serve` on the scale data (bench/load.py, bench/README.md)
## Seed it first: $(DEVENV) --test -- python -m bench.seed_scale. LOAD_ARGS="--instances 2 --seconds 60"
LOAD_ARGS ?=
load: install bench-install
	$(DEVENV) -- python -m bench.load $(LOAD_ARGS)

## make bench: the benchmarks (bench/README.md): each seeds its own database (inkbook_bench) and prints figures
bench: install
	$(DEVENV) --test -- python -m bench.reads
	$(DEVENV) --test -- python -m bench.inprocess
	$(DEVENV) --test -- python -m bench.bookings
	$(DEVENV) --test -- python -m bench.payments
	$(DEVENV) --test -- python -m bench.jobs
	$(DEVENV) --test -- python -m bench.images
	$(DEVENV) --test -- python -m bench.consultations
