"""Calendar specs, cached in the process for a minute: every queue row and every engine pass
needs them, and they change only when someone edits a calendar in the admin."""

from __future__ import annotations

import time

from tickets.models import BusinessCalendar

from .businesstime import CalendarSpec

TTL_SECONDS = 60
_cache: dict[int, tuple[float, CalendarSpec]] = {}


def spec_for(calendar_id: int) -> CalendarSpec:
    hit = _cache.get(calendar_id)
    if hit and time.monotonic() - hit[0] < TTL_SECONDS:
        return hit[1]
    calendar = BusinessCalendar.objects.prefetch_related("periods", "holidays").get(pk=calendar_id)
    spec = calendar.spec()
    _cache[calendar_id] = (time.monotonic(), spec)
    return spec


def forget() -> None:
    """Drop the cache (after a calendar is edited, and between tests)."""
    _cache.clear()


def _forget_on_change(**kwargs) -> None:
    forget()


def connect() -> None:
    """Forget cached specs when a calendar, period or holiday changes in this process."""
    from django.db.models.signals import post_delete, post_save

    from tickets.models import CalendarPeriod, Holiday

    for model in (BusinessCalendar, CalendarPeriod, Holiday):
        post_save.connect(_forget_on_change, sender=model, dispatch_uid=f"sla-cal-{model.__name__}")
        post_delete.connect(
            _forget_on_change, sender=model, dispatch_uid=f"sla-cal-d-{model.__name__}"
        )
