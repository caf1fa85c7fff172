"""The one clock. Read it once per operation and pass `now` down (DESIGN.md section 3)."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone


def now() -> datetime:
    return timezone.now()
