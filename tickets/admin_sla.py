"""Admin for SLA configuration: calendars (with periods and holidays) and policies."""

from __future__ import annotations

import difflib
import functools
import zoneinfo

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.html import format_html, format_html_join

from tickets.models import BusinessCalendar, CalendarPeriod, Holiday, SlaEvent, SlaPolicy, SlaTarget
from tickets.models.sla import check_periods
from tickets.sla import calendars, durations, policy_checks


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


@functools.cache
def iana_zones() -> tuple[str, ...]:
    """Every zone of the IANA database, sorted (about 600); the legacy aliases are left out."""
    return tuple(sorted(z for z in zoneinfo.available_timezones() if "/" in z or z == "UTC"))


class TimeZoneInput(forms.TextInput):
    """A text box with the IANA zones as a datalist: typing "par" offers Europe/Paris, so the
    zone is picked from the list with the browser's own search rather than typed blind."""

    def __init__(self, attrs=None):
        super().__init__({"list": "iana-zones", "autocomplete": "off", "size": 32, **(attrs or {})})

    def render(self, name, value, attrs=None, renderer=None):
        options = format_html_join("", '<option value="{}">', ((z,) for z in iana_zones()))
        field = super().render(name, value, attrs, renderer)
        return format_html('{}<datalist id="iana-zones">{}</datalist>', field, options)


class BusinessCalendarForm(forms.ModelForm):
    class Meta:
        model = BusinessCalendar
        fields = ["name", "timezone"]
        widgets = {"timezone": TimeZoneInput}
        help_texts = {"timezone": "Pick from the list: type a city or region to search."}

    def clean_timezone(self) -> str:
        value = (self.cleaned_data.get("timezone") or "").strip()
        if value in iana_zones():
            return value
        close = difflib.get_close_matches(value, iana_zones(), n=1, cutoff=0.6)
        hint = f" Did you mean {close[0]}?" if close else ""
        raise ValidationError(
            f"“{value}” is not a time zone of the IANA list (like Europe/Paris or "
            f"America/New_York): pick one from the list.{hint}",
            code="unknown_timezone",
        )


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(admin.ModelAdmin):
    form = BusinessCalendarForm
    list_display = ["name", "timezone"]
    inlines = [PeriodInline, HolidayInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        calendars.forget()


_TARGET_HELP = (
    "Business time on the policy's calendar, as HH:MM:SS or “DD HH:MM:SS”. A day here is 24 "
    "business hours: “2 00:00:00” is 48 business hours, six working days on a 09:00–17:00 "
    "calendar."
)


class SlaPolicyForm(forms.ModelForm):
    class Meta:
        model = SlaPolicy
        fields = "__all__"  # noqa: DJ007 - the admin edits every field of a policy
        help_texts = {
            "first_response": _TARGET_HELP,
            "update_interval": (
                "Periodic customer update while the ticket is open and not waiting on them. "
                + _TARGET_HELP
            ),
            "resolution": _TARGET_HELP,
            "warning_percent": "1 to 99: warn this share of the target before it is due.",
        }


def _in_business_time(field: str, label: str):
    def show(model_admin: admin.ModelAdmin, policy: SlaPolicy) -> str:
        return durations.describe(getattr(policy, field), calendars.spec_for(policy.calendar_id))

    show.short_description = label
    show.admin_order_field = field
    return show


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    form = SlaPolicyForm
    list_display = [
        "position",
        "name",
        "severity",
        "tier",
        "channel",
        "calendar",
        "first_response_time",
        "update_time",
        "resolution_time",
        "is_active",
    ]
    list_display_links = ["name"]
    list_editable = ["position", "is_active"]
    list_filter = ["is_active", "severity", "tier", "channel", "calendar"]
    list_select_related = ["calendar"]
    ordering = ["position", "id"]
    readonly_fields = ["targets_in_business_time"]

    first_response_time = _in_business_time("first_response", "First response")
    update_time = _in_business_time("update_interval", "Customer update")
    resolution_time = _in_business_time("resolution", "Resolution")

    @admin.display(description="In business time")
    def targets_in_business_time(self, policy: SlaPolicy) -> str:
        if policy.pk is None:
            return "Shown once the policy is saved on its calendar."
        spec = calendars.spec_for(policy.calendar_id)
        return format_html_join(
            "",
            "<div>{}: {}</div>",
            (
                (label, durations.describe(getattr(policy, field), spec))
                for field, label in (
                    ("first_response", "First response"),
                    ("update_interval", "Customer update"),
                    ("resolution", "Resolution"),
                )
            ),
        )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # Legal, but probably not what was meant: said once, beside the "saved" message.
        for warning in policy_checks.warnings(obj):
            messages.warning(request, warning)


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
