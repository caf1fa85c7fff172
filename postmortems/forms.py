"""Input of the postmortem pages: people are picked by username among the support side."""

from __future__ import annotations

from datetime import UTC, datetime, time

from django import forms

from helpdesk.models import User
from tickets.selectors import agent_choices, agents

from .models import MAX_SECTION_CHARS, ActionKind, ActionStatus


class PersonField(forms.ChoiceField):
    def __init__(self, *, required: bool = False, **kwargs):
        super().__init__(required=required, **kwargs)
        self.choices = lambda: [("", "—"), *agent_choices()]

    def clean(self, value):
        value = super().clean(value)
        return agents().filter(username=value).first() if value else None


class SectionForm(forms.Form):
    text = forms.CharField(required=False, max_length=MAX_SECTION_CHARS, widget=forms.Textarea)


class EntryForm(forms.Form):
    text = forms.CharField(required=False, max_length=500)
    starred = forms.NullBooleanField(required=False)
    hidden = forms.NullBooleanField(required=False)


class EntryAddForm(forms.Form):
    at = forms.DateTimeField(help_text="UTC")
    text = forms.CharField(max_length=500)


class ActionForm(forms.Form):
    title = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=ActionKind.choices)
    owner = PersonField()
    due = forms.DateField(required=False, help_text="Empty: 15 days for a P1, 30 otherwise.")
    link = forms.URLField(required=False, max_length=500, assume_scheme="https")
    status = forms.ChoiceField(choices=ActionStatus.choices, required=False)

    def due_at(self) -> datetime | None:
        day = self.cleaned_data.get("due")
        # Due at the end of the chosen day (UTC): "due on the 12th" includes the 12th.
        return datetime.combine(day, time(23, 59), tzinfo=UTC) if day else None


class SubmitForm(forms.Form):
    reviewer = PersonField(required=True)


class OwnerForm(forms.Form):
    owner = PersonField()


class ListFilterForm(forms.Form):
    state = forms.ChoiceField(
        required=False,
        choices=[("", "Any state"), ("draft", "Draft"), ("in_review", "In review"),
                 ("published", "Published")],
    )  # fmt: skip
    overdue = forms.BooleanField(required=False)


def user_label(user: User | None) -> str:
    return user.display_name if user else "nobody"
