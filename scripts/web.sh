#!/usr/bin/env bash
# The web process of `make run` (Procfile.dev): gunicorn, as in production. With HELPDESK_DEV=1
# (`make run DEV=1`), Django's runserver with autoreload instead. The settings module comes from
# DJANGO_SETTINGS_MODULE, set by the Makefile. HELPDESK_WEB_BIND: address (127.0.0.1:8000).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bind=${HELPDESK_WEB_BIND:-127.0.0.1:8000}
if [[ ${HELPDESK_DEV:-} == 1 ]]; then
    exec .venv/bin/python manage.py runserver "$bind"
fi
# Two workers of four threads: the pages wait mostly on PostgreSQL, and the machine may have two
# cores shared with the database, the Celery worker and beat.
exec .venv/bin/gunicorn helpdesk.wsgi:application \
    --bind "$bind" \
    --workers "${HELPDESK_WEB_WORKERS:-2}" \
    --threads 4 \
    --graceful-timeout 5 \
    --access-logfile - \
    --access-logformat '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'
