# make run    set up, load the demo data once, run web (gunicorn, DEBUG off) + worker + beat
# make run DEV=1  the same for changing the code: runserver with DEBUG and autoreload
# make test   the same setup, then the migrations check and the whole test suite
# make chaos  the crash tests repeated (CHAOS_REPEAT=100): totals; fails if any round lost or failed
# make lint   ruff check + ruff format --check
# make bench  the same setup, then the benchmark suite against the 1M-ticket dataset (bench/README.md)
# make triage-report  triage both halves of the labelled corpus and print accuracy per dimension
# make stop   stop the private PostgreSQL and Redis; make clean also deletes var/
#
# PostgreSQL and Redis are private servers under var/ (scripts/services.sh) unless DATABASE_URL /
# REDIS_URL are set. Extra pytest arguments: make test PYTEST_ARGS='-k sla -x'.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON := .venv/bin/python
PYTEST_ARGS ?=
HELPDESK_CHROMIUM ?= /usr/bin/chromium
# Every command that talks to PostgreSQL or Redis runs after this prefix.
SERVICES_ENV = eval "$$(scripts/services.sh env)" &&

.PHONY: help setup bootstrap venv services run test chaos lint bench stop clean triage-report

help:
	@sed -n 's/^# \(make .*\)/\1/p' $(firstword $(MAKEFILE_LIST))

bootstrap:
	@scripts/bootstrap.sh

# Only the Python side (no Debian packages), for lint.
venv:
	@scripts/bootstrap.sh --python-only

services:
	@scripts/services.sh start

setup: bootstrap services

# `make run` serves the product as in production (gunicorn, DEBUG off, helpdesk.settings.local);
# `make run DEV=1` is for changing the code: runserver with DEBUG and autoreload.
DEV ?=
# Commas would split the arguments of $(if ...): the two descriptions are variables.
RUN_MODE_DEV := development: runserver, DEBUG on, autoreload
RUN_MODE_PRODUCT := gunicorn, DEBUG off; 'make run DEV=1' for development
run: export DJANGO_SETTINGS_MODULE := $(if $(DEV),helpdesk.settings.dev,helpdesk.settings.local)
run: export HELPDESK_DEV := $(if $(DEV),1,)
run: export PYTHONUNBUFFERED := 1
run: setup
	@$(SERVICES_ENV) $(PYTHON) manage.py migrate --noinput
	@$(SERVICES_ENV) $(PYTHON) manage.py seed_demo --if-empty
	@$(SERVICES_ENV) $(PYTHON) manage.py seed_oncall --if-empty
	@$(SERVICES_ENV) $(PYTHON) manage.py seed_kb --if-empty
	@$(SERVICES_ENV) $(PYTHON) manage.py seed_history --if-empty
	@$(SERVICES_ENV) $(PYTHON) manage.py seed_macros --if-empty
	@$(SERVICES_ENV) $(PYTHON) manage.py seed_workflow --if-empty
	@$(SERVICES_ENV) $(PYTHON) manage.py seed_mail --if-empty
	@$(SERVICES_ENV) $(PYTHON) manage.py seed_triage --if-empty
	@$(SERVICES_ENV) $(PYTHON) manage.py seed_postmortems --if-empty
	@$(SERVICES_ENV) $(PYTHON) manage.py collectstatic --noinput --verbosity 0
	@echo
	@echo "  Helpdesk:  http://127.0.0.1:8000  ($(if $(DEV),$(RUN_MODE_DEV),$(RUN_MODE_PRODUCT)))"
	@echo "  Logins (password 'demo'): agent, engineer, manager, customer; admin at /admin/ (admin / demo)"
	@echo "  Ctrl-C stops web, worker and beat; 'make stop' stops PostgreSQL and Redis."
	@echo
# -e /dev/null: a .env written for docker compose must not leak into the dev processes.
	@$(SERVICES_ENV) exec .venv/bin/honcho -e /dev/null -f Procfile.dev start

test: export DJANGO_SETTINGS_MODULE := helpdesk.settings.test
test: export HELPDESK_CHROMIUM := $(HELPDESK_CHROMIUM)
test: setup
	@$(SERVICES_ENV) $(PYTHON) manage.py makemigrations --check --dry-run
	@$(SERVICES_ENV) $(PYTHON) -m pytest $(PYTEST_ARGS)

# The crash matrix, CHAOS_REPEAT times (default 100), then the totals of every round. Exits
# non-zero when a round failed, errored or crashed, or anything was lost or doubled.
CHAOS_REPEAT ?= 100
# Five SLA scenarios (test_crash.py), five of on-call pages (test_crash_pages.py) and five of
# the IMAP poller killed mid-message (test_crash_mail.py).
CHAOS_SCENARIOS := 15
chaos: export DJANGO_SETTINGS_MODULE := helpdesk.settings.test
chaos: setup
	@rm -f var/chaos-report.jsonl
	@status=0; \
	$(SERVICES_ENV) CHAOS_REPEAT=$(CHAOS_REPEAT) CHAOS_REPORT=$(CURDIR)/var/chaos-report.jsonl \
		$(PYTHON) -m pytest tests/crash/test_crash.py tests/crash/test_crash_pages.py \
		tests/crash/test_crash_mail.py -q -p no:randomly \
		|| status=$$?; \
	$(PYTHON) scripts/chaos_summary.py var/chaos-report.jsonl --pytest-status $$status \
		--expect $$(( $(CHAOS_REPEAT) * $(CHAOS_SCENARIOS) ))

# Gunicorn with production settings on 127.0.0.1, measured against DESIGN.md section 10's budgets;
# results in bench/results/<date>.{json,md}. BENCH_TICKETS sizes the dataset (default 1,000,000).
BENCH_TICKETS ?= 1000000
bench: export BENCH_TICKETS := $(BENCH_TICKETS)
bench: setup
	@if ! command -v wrk >/dev/null 2>&1; then \
		if [ "$$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then \
			echo "bench: installing wrk"; \
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk >/dev/null \
				|| { apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
					apt-get install -y -qq --no-install-recommends wrk >/dev/null; }; \
		else \
			echo "bench: wrk is missing: sudo apt-get install wrk" >&2; exit 1; \
		fi; \
	fi
	@$(SERVICES_ENV) $(PYTHON) -m bench.run

# A scratch database of its own (test_helpdesk_triage_report, kept between runs).
triage-report: setup
	@$(SERVICES_ENV) $(PYTHON) scripts/triage_report.py

lint: venv
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

stop:
	@scripts/services.sh stop

clean: stop
	rm -rf var/
