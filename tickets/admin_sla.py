"""Admin for SLA configuration: calendars (with periods and holidays) and policies."""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet

from tickets.models import BusinessCalendar, CalendarPeriod, Holiday, SlaEvent, SlaPolicy, SlaTarget
from tickets.models.sla import check_periods
from tickets.sla import calendars


class PeriodFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        periods = [
            (
                form.cleaned_data["weekday"],
                form.cleaned_data["opens"],
                form.cleaned_data.get("closes"),
            )
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("weekday") is not None
            and form.cleaned_data.get("opens")
        ]
        try:
            check_periods(periods)
        except ValidationError as exc:
            raise ValidationError(exc.messages) from exc


class PeriodInline(admin.TabularInline):
    model = CalendarPeriod
    formset = PeriodFormSet
    extra = 0


class HolidayInline(admin.TabularInline):
    model = Holiday
    extra = 0


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(admin.ModelAdmin):
    list_display = ["name", "timezone"]
    inlines = [PeriodInline, HolidayInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        calendars.forget()


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = [
        "position",
        "name",
        "severity",
        "tier",
        "channel",
        "calendar",
        "first_response",
        "update_interval",
        "resolution",
        "is_active",
    ]
    list_display_links = ["name"]
    list_editable = ["position", "is_active"]
    list_filter = ["is_active", "severity", "tier", "channel", "calendar"]
    ordering = ["position", "id"]


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SlaTarget)
class SlaTargetAdmin(ReadOnly):
    list_display = ["ticket", "kind", "cycle", "due_at", "warned_at", "breached_at", "fulfilled_at"]
    list_filter = ["kind"]
    raw_id_fields = ["ticket"]
    list_select_related = ["ticket"]
    show_full_result_count = False


@admin.register(SlaEvent)
class SlaEventAdmin(ReadOnly):
    list_display = ["at", "ticket", "target_kind", "cycle", "kind", "due_at"]
    list_filter = ["kind", "target_kind"]
    list_select_related = ["ticket"]
    show_full_result_count = False
