"""Alert sources' secrets: random, shown once, stored as SHA-256."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from escalation.models import AlertSource


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def rotate(source: AlertSource) -> str:
    """A new secret for the source (saved); the raw value is returned to be shown once."""
    raw = secrets.token_urlsafe(32)
    source.secret_hash = _hash(raw)
    if source.pk:
        source.save(update_fields=["secret_hash"])
    return raw


def matches(source: AlertSource, raw: str) -> bool:
    return (
        bool(raw)
        and bool(source.secret_hash)
        and hmac.compare_digest(source.secret_hash, _hash(raw))
    )
