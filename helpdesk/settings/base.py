"""Settings shared by every environment; values come from the environment with safe dev defaults."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "dev-only-insecure-key-do-not-use-in-production")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "csp",
    "helpdesk",
    "tickets",
    "triage",
    "escalation",
    "kb",
    "postmortems",
    "mail",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    # Counts article page views for the knowledge base's usage figures.
    "kb.search.middleware.ArticleViewMiddleware",
]

ROOT_URLCONF = "helpdesk.urls"
WSGI_APPLICATION = "helpdesk.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "helpdesk.context_processors.product",
                "helpdesk.context_processors.notifications",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", "postgres://helpdesk@127.0.0.1:54329/helpdesk"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "helpdesk.User"

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:63799/0")
CACHES = {
    "default": {
        "BACKEND": "helpdesk.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "helpdesk",
        "TIMEOUT": 300,
    }
}

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling: after 5 failures for a username from one address, lock for 15 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("HELPDESK_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
MEDIA_ROOT = Path(os.environ.get("HELPDESK_MEDIA_ROOT", BASE_DIR / "var" / "media"))
# Attachments are never served from MEDIA_URL: only tickets.views_attachments checks access.
MEDIA_URL = "/media-not-served/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Outbound email (the outbox delivers through this SMTP relay)
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "1025"))
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Helpdesk <support@helpdesk.localhost>")
# Where customers' answers go (the polled mailbox); empty: the address of DEFAULT_FROM_EMAIL.
HELPDESK_MAIL_REPLY_TO = os.environ.get("HELPDESK_MAIL_REPLY_TO", "")
# Mailboxes polled for new mail, space-separated URLs: imaps://user:password@host:993/INBOX or
# imap+starttls://user:password@host:143/INBOX (plain IMAP is refused). Passwords are
# percent-encoded. Never in the repository: set it in the environment.
HELPDESK_IMAP_MAILBOXES = os.environ.get("HELPDESK_IMAP_MAILBOXES", "")
# A CA bundle to trust besides the system's (a private mail server's certificate).
HELPDESK_IMAP_CA_FILE = os.environ.get("HELPDESK_IMAP_CA_FILE", "")
# At most this many messages per mailbox per poll: a flood drains over several polls.
HELPDESK_IMAP_BATCH = int(os.environ.get("HELPDESK_IMAP_BATCH", "50"))
HELPDESK_IMAP_POLL_SECONDS = float(os.environ.get("HELPDESK_IMAP_POLL_SECONDS", "30"))
HELPDESK_IMAP_TIMEOUT_SECONDS = 30

# Product settings
HELPDESK_BASE_URL = os.environ.get("HELPDESK_BASE_URL", "http://127.0.0.1:8000")
HELPDESK_OUTBOX_MAX_ATTEMPTS = int(os.environ.get("HELPDESK_OUTBOX_MAX_ATTEMPTS", "6"))
HELPDESK_OUTBOX_SEND_DEADLINE_SECONDS = 60
HELPDESK_WEBHOOK_TIMEOUT_SECONDS = 5
HELPDESK_TICKET_PREFIX = os.environ.get("HELPDESK_TICKET_PREFIX", "SUP")
HELPDESK_PRODUCT_NAME = os.environ.get("HELPDESK_PRODUCT_NAME", "Helpdesk")
HELPDESK_ATTACHMENT_MAX_BYTES = int(
    os.environ.get("HELPDESK_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
)
HELPDESK_QUEUE_PAGE_SIZE = 50
# New mail from an address nobody has: "create" makes it a contact of the organization whose
# domain it is (else it is held), "hold" holds it for an admin to review.
HELPDESK_MAIL_UNKNOWN_SENDERS = os.environ.get("HELPDESK_MAIL_UNKNOWN_SENDERS", "create")
# Lists say "1,000+" past this: counting is a scan, and an agent needs the order of magnitude,
# not the exact figure of a 40,000-ticket team queue (DESIGN.md section 10 allows up to 10,000).
HELPDESK_COUNT_CAP = 1_000
# A word search counts fewer: each candidate is matched against its text, and a common word
# ("users" in a quarter of all tickets) would read thousands of rows to say "1,000+".
HELPDESK_SEARCH_COUNT_CAP = 200
HELPDESK_BEAT_STALE_SECONDS = int(os.environ.get("HELPDESK_BEAT_STALE_SECONDS", "60"))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# Celery: durable by configuration (DESIGN.md section 4).
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL)
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 120
CELERY_TASK_SOFT_TIME_LIMIT = 100
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 600}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"
HELPDESK_ENGINE_TICK_SECONDS = float(os.environ.get("HELPDESK_ENGINE_TICK_SECONDS", "5"))
CELERY_BEAT_SCHEDULE = {
    "engine-tick": {
        "task": "helpdesk.engine_tick_task",
        "schedule": HELPDESK_ENGINE_TICK_SECONDS,
        "options": {"expires": HELPDESK_ENGINE_TICK_SECONDS * 2},
    },
    # New mail from the IMAP mailboxes (mail.imap); nothing to do when none is configured.
    "mail-imap-poll": {
        "task": "mail.imap_poll_task",
        "schedule": HELPDESK_IMAP_POLL_SECONDS,
        "options": {"expires": HELPDESK_IMAP_POLL_SECONDS},
    },
    # The vocabulary that misspelt search words are corrected against (kb.search.spelling).
    "kb-search-words": {
        "task": "kb.search_words_refresh_task",
        "schedule": 3600,
        "options": {"expires": 1800},
    },
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "helpdesk.api_auth.HashedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": [
        "helpdesk.api_throttling.UserThrottle",
        "helpdesk.api_throttling.AnonThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "user": os.environ.get("HELPDESK_API_USER_RATE", "6000/min"),
        "anon": os.environ.get("HELPDESK_API_ANON_RATE", "60/min"),
    },
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "helpdesk.api_errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Helpdesk API",
    "DESCRIPTION": "Tickets, comments, attachments, organizations and contacts.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # The ticket API's enums keep their names when other apps have fields of the same name
    # (an alert's status, a KB article's category): clients generate code from these names.
    "ENUM_NAME_OVERRIDES": {
        "CategoryEnum": "tickets.choices.Category",
        "EnvironmentEnum": "tickets.choices.Environment",
        "StatusEnum": "tickets.choices.Status",
    },
}

# Content-Security-Policy: no inline script or style anywhere; everything is served from static/.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

SESSION_COOKIE_HTTPONLY = True
# Sessions are read from Redis on every page and written through to PostgreSQL, which stays
# the record: losing Redis logs nobody out.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("HELPDESK_LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
