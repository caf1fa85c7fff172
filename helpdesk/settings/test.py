import hashlib
import os

from .base import *  # noqa: F403
from .base import BASE_DIR, DATABASES

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast logins in tests
MEDIA_ROOT = BASE_DIR / "var" / "test-media"
AXES_FAILURE_LIMIT = 5
CACHES = {
    "default": {
        "BACKEND": "helpdesk.cache.RedisCache",
        "LOCATION": REDIS_URL.rsplit("/", 1)[0] + "/9",  # noqa: F405 - own Redis db for tests
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
