# The web, worker, beat and migrate services of docker-compose.yml all run this image.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app \
    DJANGO_SETTINGS_MODULE=helpdesk.settings.prod

WORKDIR /app

# Dependencies first, read from pyproject.toml, so code changes do not reinstall them.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

COPY . .
# collectstatic needs a 50+ character key to import the production settings; it is not kept.
RUN pip install --no-deps . \
    && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin helpdesk \
    && mkdir -p var/media \
    && DJANGO_SECRET_KEY=collectstatic-at-build-time-only-this-is-not-a-secret-key \
       python manage.py collectstatic --noinput --verbosity 0 \
    && chown -R helpdesk:helpdesk var

USER helpdesk
EXPOSE 8000
CMD ["gunicorn", "helpdesk.wsgi:application", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
