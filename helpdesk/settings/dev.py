from .base import *  # noqa: F403

DEBUG = True
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# No SMTP relay in development: mail is printed by the worker.
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
