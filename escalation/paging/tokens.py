"""Single-use links that acknowledge or resolve a page from a notification."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.conf import settings

from escalation.models import Page, PageToken
from escalation.models.pages import hash_token
from helpdesk.models import User


def lifetime() -> timedelta:
    return timedelta(hours=getattr(settings, "ESCALATION_LINK_HOURS", 12))


def issue(*, page: Page, user: User, action: str, now: datetime) -> str:
    """A new random token; only its hash is kept. The raw value goes into the message."""
    raw = secrets.token_urlsafe(32)
    PageToken.objects.create(
        page=page, user=user, action=action, token_hash=hash_token(raw), expires_at=now + lifetime()
    )
    return raw


def find(raw: str) -> PageToken | None:
    if not raw or len(raw) > 100:
        return None
    return (
        PageToken.objects.select_related("page__ticket", "user")
        .filter(token_hash=hash_token(raw))
        .first()
    )
