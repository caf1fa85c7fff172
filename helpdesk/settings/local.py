"""`make run`: the product as it runs in production, served on 127.0.0.1 over plain HTTP.

DEBUG is off (the branded 404 and 500 pages, never Django's debug pages), static files are the
collected, hashed set that whitenoise serves, and the web server is gunicorn (scripts/web.sh).
Only what HTTPS on a public host needs differs from production: no SSL redirect, no HSTS, cookies
not marked Secure (http://127.0.0.1:8000 has no TLS), and mail printed by the worker since there is
no relay. `make run DEV=1` uses helpdesk.settings.dev instead (runserver, DEBUG, autoreload).
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

from .base import *  # noqa: F403
from .base import BASE_DIR

DEBUG = False


def _machine_secret_key(path: Path) -> str:
    """A random key kept in var/, so sessions survive a restart. Web, worker and beat start at
    once: the key is written to a file of its own and linked into place, so all read one key."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f"{path.name}.{os.getpid()}")
        draft.write_text(secrets.token_urlsafe(60))
        draft.chmod(0o600)
        with contextlib.suppress(FileExistsError):
            os.link(draft, path)
        draft.unlink()
    return path.read_text().strip()


SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or _machine_secret_key(
    BASE_DIR / "var" / "secret-key"
)
STATIC_ROOT = Path(os.environ.get("HELPDESK_STATIC_ROOT", BASE_DIR / "var" / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
