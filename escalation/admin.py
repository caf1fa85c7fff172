"""Admin for on-call schedules. Every save re-materialises the schedule's shifts, like the app's
own services do, so the admin can never leave the calendar stale."""

from __future__ import annotations

from django.contrib import admin

from escalation.models import Override, Rotation, RotationMember, Schedule, Shift
from escalation.services import schedule_materialise
from helpdesk import clock


def _refresh(schedule_ids) -> None:
    now = clock.now()
    for schedule in Schedule.objects.filter(pk__in=set(schedule_ids)):
        schedule_materialise(schedule=schedule, now=now)


class RefreshingAdmin(admin.ModelAdmin):
    """Re-materialises the schedule of whatever was saved or deleted."""

    def _schedule_id(self, obj) -> int:
        return obj.pk if isinstance(obj, Schedule) else obj.schedule_id

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        _refresh([self._schedule_id(form.instance)])

    def delete_model(self, request, obj):
        schedule_id = self._schedule_id(obj)
        super().delete_model(request, obj)
        _refresh([schedule_id])

    def delete_queryset(self, request, queryset):
        ids = [self._schedule_id(obj) for obj in queryset]
        super().delete_queryset(request, queryset)
        _refresh(ids)


class RotationInline(admin.TabularInline):
    model = Rotation
    extra = 0
    fields = (
        "name",
        "layer",
        "length",
        "shift_hours",
        "handoff_weekday",
        "handoff_time",
        "time_zone",
        "starts_on",
        "ends_on",
    )
    show_change_link = True


class RotationMemberInline(admin.TabularInline):
    model = RotationMember
    extra = 1
    autocomplete_fields = ("user",)


@admin.register(Schedule)
class ScheduleAdmin(RefreshingAdmin):
    list_display = ("name", "time_zone", "materialised_until")
    search_fields = ("name",)
    readonly_fields = ("feed_token", "materialised_until")
    inlines = [RotationInline]


@admin.register(Rotation)
class RotationAdmin(RefreshingAdmin):
    list_display = (
        "name",
        "schedule",
        "layer",
        "length",
        "handoff_weekday",
        "handoff_time",
        "time_zone",
    )
    list_filter = ("schedule",)
    inlines = [RotationMemberInline]


@admin.register(Override)
class OverrideAdmin(RefreshingAdmin):
    list_display = ("schedule", "user", "covers_for", "starts_at", "ends_at", "created_by")
    list_filter = ("schedule",)
    autocomplete_fields = ("user", "covers_for")
    readonly_fields = ("created_by", "created_at")

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by, obj.created_at = request.user, clock.now()
        super().save_model(request, obj, form, change)


@admin.register(Shift)
class ShiftAdmin(admin.ModelAdmin):
    """Shifts are derived from the rules: shown, never edited."""

    list_display = ("schedule", "user", "starts_at", "ends_at", "override", "handed_off_at")
    list_filter = ("schedule",)
    list_select_related = ("schedule", "user", "override")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
