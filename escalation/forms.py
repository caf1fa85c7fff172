"""Forms of the on-call pages. Times are entered in the schedule's own zone."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django import forms

from helpdesk.models import AGENT_SIDE_ROLES, User


class OverrideForm(forms.Form):
    starts_at = forms.DateTimeField(
        label="From", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    ends_at = forms.DateTimeField(
        label="Until", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    user = forms.ModelChoiceField(
        label="Who covers",
        queryset=User.objects.filter(role__in=AGENT_SIDE_ROLES, is_active=True).order_by(
            "first_name", "last_name", "username"
        ),
        required=False,
        empty_label="Me",
    )
    covers_for = forms.ModelChoiceField(
        queryset=User.objects.filter(role__in=AGENT_SIDE_ROLES),
        required=False,
        widget=forms.HiddenInput,
    )

    def __init__(self, *args, zone: ZoneInfo, **kwargs):
        super().__init__(*args, **kwargs)
        self.zone = zone

    def _aware(self, name: str):
        value = self.cleaned_data.get(name)
        # The browser sends wall time of the schedule's zone, which may not be the server's.
        return value.replace(tzinfo=None).replace(tzinfo=self.zone) if value else None

    def clean(self):
        data = super().clean()
        data["starts_at"], data["ends_at"] = self._aware("starts_at"), self._aware("ends_at")
        return data


class HandoffNoteForm(forms.Form):
    body = forms.CharField(
        label="Handoff note",
        max_length=4000,
        widget=forms.Textarea(
            attrs={"rows": 3, "placeholder": "What the next person on call should know"}
        ),
    )
