import hashlib
import os

from .base import *  # noqa: F403
from .base import BASE_DIR, DATABASES

DEBUG = False
_REDIS_BASE = REDIS_URL.rsplit("/", 1)[0]  # noqa: F405
# Under pytest-xdist each worker (gw0, gw1, ...) takes its own pair of Redis databases, 12 apart;
# pytest-django already gives each worker its own test database.
_XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
_REDIS_DB_OFFSET = 12 * int(_XDIST_WORKER[2:]) if _XDIST_WORKER.startswith("gw") else 0


def _redis_db(variable: str, default: int) -> str:
    return str(int(os.environ.get(variable, default)) + _REDIS_DB_OFFSET)


# The broker of the Celery workers that live and browser tests start.
TEST_CELERY_BROKER_URL = _REDIS_BASE + "/" + _redis_db("HELPDESK_TEST_BROKER_DB", 8)
# Tasks a test enqueues (a delivery nudged after a notice is written) go where the workers that
# tests start consume, never to the development broker.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", TEST_CELERY_BROKER_URL)
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast logins in tests
MEDIA_ROOT = BASE_DIR / "var" / "test-media"
AXES_FAILURE_LIMIT = 5
CACHES = {
    "default": {
        "BACKEND": "helpdesk.cache.RedisCache",
        # Own Redis dbs for tests; HELPDESK_TEST_CACHE_DB / _BROKER_DB separate two runs at once.
        "LOCATION": _REDIS_BASE + "/" + _redis_db("HELPDESK_TEST_CACHE_DB", 9),
        "KEY_PREFIX": "helpdesk-test",
    }
}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# One test database per checkout: a CI clone and a developer's tree on one machine never share it.
# HELPDESK_TEST_DB_SUFFIX separates two runs in one checkout.
DATABASES["default"]["TEST"] = {
    "NAME": "test_helpdesk_"
    + hashlib.sha1(str(BASE_DIR).encode()).hexdigest()[:8]
    + os.environ.get("HELPDESK_TEST_DB_SUFFIX", "")
}
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
