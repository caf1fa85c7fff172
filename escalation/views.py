"""On-call pages: who is on call, the schedule calendar, overrides, handoff notes, iCal feeds."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from escalation import calendar, feeds, services
from escalation.forms import HandoffNoteForm, OverrideForm
from escalation.models import HandoffNote, OnCallFeed, Override, Schedule, Shift
from helpdesk import clock
from helpdesk.access import agent_side_required
from helpdesk.errors import DomainError

CALENDAR_WEEKS = 4
FEED_PAST = timedelta(days=30)


def _schedule(pk: int) -> Schedule:
    return get_object_or_404(Schedule, pk=pk)


def _now_and_next(shifts: list[Shift], now: datetime) -> tuple[Shift | None, Shift | None]:
    current = next((s for s in shifts if s.starts_at <= now < s.ends_at), None)
    upcoming = next((s for s in shifts if s.starts_at > now), None)
    return current, upcoming


@require_GET
@agent_side_required
def oncall_list(request: HttpRequest) -> HttpResponse:
    now = clock.now()
    schedules = list(
        Schedule.objects.prefetch_related(
            Prefetch(
                "shifts",
                queryset=Shift.objects.filter(ends_at__gt=now).select_related("user"),
                to_attr="coming",
            )
        )
    )
    rows = []
    for schedule in schedules:
        current, upcoming = _now_and_next(schedule.coming, now)
        rows.append(
            {
                "schedule": schedule,
                "now": current,
                "next": upcoming,
                "gaps": calendar.gaps(schedule.coming, now),
                "mine": [s for s in schedule.coming if s.user_id == request.user.pk][:1],
            }
        )
    feed = OnCallFeed.objects.filter(user=request.user).first()
    ctx = {"nav": "oncall", "rows": rows, "my_feed": feed, "now": now}
    return render(request, "escalation/oncall_list.html", ctx)


def _schedule_ctx(request: HttpRequest, schedule: Schedule, now: datetime) -> dict:
    zone = ZoneInfo(schedule.time_zone)
    today = now.astimezone(zone).date()
    first_day = today - timedelta(days=today.weekday())
    start, _ = calendar.day_bounds(first_day, zone)
    _, end = calendar.day_bounds(first_day + timedelta(days=7 * CALENDAR_WEEKS - 1), zone)
    shifts = list(
        Shift.objects.filter(schedule=schedule, ends_at__gt=start, starts_at__lt=end)
        .select_related("user", "override__covers_for")
        .order_by("starts_at")
    )
    current, upcoming = _now_and_next(shifts, now)
    may_note = services.can_manage(request.user) or (
        current is not None and current.user_id == request.user.pk
    )
    return {
        "nav": "oncall",
        "schedule": schedule,
        "zone": zone,
        "weeks": calendar.weeks(shifts, zone=zone, now=now, count=CALENDAR_WEEKS),
        "gaps": calendar.gaps(shifts, now),
        "current": current,
        "upcoming": upcoming,
        "can_manage": services.can_manage(request.user),
        "may_note": may_note,
        "notes": list(
            HandoffNote.objects.filter(schedule=schedule, handed_off_in__isnull=True)
            .select_related("author")
            .order_by("created_at")
        ),
        "note_form": HandoffNoteForm(),
        "feed_url": request.build_absolute_uri(reverse("oncall_feed", args=[schedule.feed_token])),
        "now": now,
    }


@require_GET
@agent_side_required
def oncall_schedule(request: HttpRequest, pk: int) -> HttpResponse:
    now = clock.now()
    schedule = _schedule(pk)
    return render(request, "escalation/schedule.html", _schedule_ctx(request, schedule, now))


def _local_input(value: datetime, zone: ZoneInfo) -> str:
    return value.astimezone(zone).strftime("%Y-%m-%dT%H:%M")


@require_GET
@agent_side_required
def override_form(request: HttpRequest, pk: int) -> HttpResponse:
    """The cover panel for one piece of a shift: 'I'll cover' confirms it in one more click."""
    schedule = _schedule(pk)
    zone = ZoneInfo(schedule.time_zone)
    shift = get_object_or_404(
        Shift.objects.select_related("user"), schedule=schedule, pk=request.GET.get("shift")
    )
    try:
        starts_at = datetime.fromisoformat(request.GET["from"])
        ends_at = datetime.fromisoformat(request.GET["until"])
    except (KeyError, ValueError):
        starts_at, ends_at = shift.starts_at, shift.ends_at
    # Only the shift's own window can be prefilled; the form can then widen or narrow it.
    starts_at, ends_at = max(starts_at, shift.starts_at), min(ends_at, shift.ends_at)
    form = OverrideForm(
        zone=zone,
        initial={
            "starts_at": _local_input(starts_at, zone),
            "ends_at": _local_input(ends_at, zone),
            "covers_for": shift.user_id,
        },
    )
    ctx = {
        "schedule": schedule,
        "shift": shift,
        "form": form,
        "starts_at": starts_at.astimezone(zone),
        "ends_at": ends_at.astimezone(zone),
        "can_manage": services.can_manage(request.user),
    }
    return render(request, "escalation/_override_form.html", ctx)


def _back(request: HttpRequest, schedule: Schedule) -> HttpResponse:
    url = reverse("oncall_schedule", args=[schedule.pk])
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


@require_POST
@agent_side_required
def override_add(request: HttpRequest, pk: int) -> HttpResponse:
    schedule = _schedule(pk)
    zone = ZoneInfo(schedule.time_zone)
    form = OverrideForm(request.POST, zone=zone)
    if form.is_valid():
        data = form.cleaned_data
        covering = data["user"] or request.user
        try:
            services.override_create(
                schedule=schedule,
                user=covering,
                covers_for=data["covers_for"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                actor=request.user,
                now=clock.now(),
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            who = "You" if covering == request.user else covering.display_name
            messages.success(
                request,
                f"{who} will be on call from {data['starts_at']:%a %d %b %H:%M} "
                f"until {data['ends_at']:%a %d %b %H:%M}.",
            )
            return _back(request, schedule)
    ctx = {"schedule": schedule, "form": form, "can_manage": services.can_manage(request.user)}
    return render(request, "escalation/_override_form.html", ctx)


@require_POST
@agent_side_required
def override_remove(request: HttpRequest, pk: int, override_id: int) -> HttpResponse:
    schedule = _schedule(pk)
    override = get_object_or_404(
        Override.objects.select_related("schedule"), pk=override_id, schedule=schedule
    )
    try:
        services.override_delete(override=override, actor=request.user, now=clock.now())
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "The cover is removed.")
    return _back(request, schedule)


@require_POST
@agent_side_required
def note_add(request: HttpRequest, pk: int) -> HttpResponse:
    now = clock.now()
    schedule = _schedule(pk)
    ctx = _schedule_ctx(request, schedule, now)
    if not ctx["may_note"]:
        messages.error(request, "Only the person on call (or a manager) leaves handoff notes.")
        return _back(request, schedule)
    form = HandoffNoteForm(request.POST)
    if form.is_valid():
        try:
            services.handoff_note_add(
                schedule=schedule, author=request.user, body=form.cleaned_data["body"], now=now
            )
        except DomainError as exc:
            form.add_error("body", exc.message)
        else:
            messages.success(request, "Your note goes out with the next handoff.")
            return _back(request, schedule)
    ctx["note_form"] = form
    return render(request, "escalation/schedule.html", ctx)


@require_POST
@agent_side_required
def schedule_feed_rotate(request: HttpRequest, pk: int) -> HttpResponse:
    schedule = _schedule(pk)
    try:
        services.schedule_feed_rotate(schedule=schedule, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "New feed address: the old one no longer works.")
    return _back(request, schedule)


@require_POST
@agent_side_required
def personal_feed_rotate(request: HttpRequest) -> HttpResponse:
    services.personal_feed_rotate(user=request.user)
    messages.success(request, "Your calendar feed has a new address; the old one no longer works.")
    return redirect("oncall")


def _ics(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response


@require_GET
def schedule_feed(request: HttpRequest, token: str) -> HttpResponse:
    """No login: the secret in the URL is the credential, for calendar apps."""
    schedule = Schedule.objects.filter(feed_token=token).first()
    if schedule is None or not constant_time_compare(schedule.feed_token, token):
        raise Http404
    shifts = Shift.objects.filter(
        schedule=schedule, ends_at__gt=clock.now() - FEED_PAST
    ).select_related("user", "schedule")
    return _ics(
        feeds.shifts_calendar(f"On call: {schedule.name}", shifts, with_schedule=False), "oncall"
    )


@require_GET
def personal_feed(request: HttpRequest, token: str) -> HttpResponse:
    feed = OnCallFeed.objects.select_related("user").filter(token=token).first()
    if feed is None or not feed.user.is_active or not feed.user.is_agent_side:
        raise Http404
    shifts = Shift.objects.filter(
        user=feed.user, ends_at__gt=clock.now() - FEED_PAST
    ).select_related("user", "schedule")
    name = f"My on-call shifts ({feed.user.display_name})"
    return _ics(feeds.shifts_calendar(name, shifts, with_schedule=True), "my-oncall")
