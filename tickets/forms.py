"""Agent-side forms: they parse and validate input; services do the writing."""

from __future__ import annotations

import re

from django import forms
from django.conf import settings
from django.db.models import Q

from helpdesk.models import Role, User
from helpdesk.widgets import FastSelect, FlatChoices

from . import placeholders, queue
from .choices import (
    BusinessImpact,
    Category,
    Channel,
    Environment,
    IssueType,
    Severity,
    Status,
)
from .limits import MAX_COMMENT_CHARS, MAX_DESCRIPTION_CHARS
from .models import Organization, Team
from .security import SECURITY_FLAG_HELP
from .selectors import agent_choices, agents, team_choices

STATUS_FILTERS = [("open", "All open"), *Status.choices, ("all", "Any status")]


def _blank(choices, label="Any"):
    return [("", label), *choices]


class QueueFilterForm(forms.Form):
    status = forms.MultipleChoiceField(choices=STATUS_FILTERS, required=False)
    severity = forms.TypedMultipleChoiceField(
        choices=[(s.value, f"P{s.value} {s.label}") for s in Severity], coerce=int, required=False
    )
    team = forms.CharField(required=False, max_length=60)
    assignee = forms.CharField(required=False, max_length=150)
    organization = forms.CharField(required=False, max_length=80)
    category = forms.ChoiceField(choices=_blank(Category.choices), required=False)
    tag = forms.CharField(required=False, max_length=50)
    security = forms.BooleanField(required=False)
    q = forms.CharField(required=False, max_length=200)
    sla = forms.ChoiceField(choices=_blank(list(queue.SLA_FILTERS.items())), required=False)
    sort = forms.ChoiceField(choices=list(queue.SORT_LABELS.items()), required=False)
    cursor = forms.CharField(required=False, max_length=400)

    def to_query(self) -> queue.QueueQuery:
        """Invalid values are dropped rather than failing the whole page."""
        data = (
            self.cleaned_data
            if self.is_valid()
            else {
                name: self.cleaned_data.get(name) for name in self.fields if name not in self.errors
            }
        )
        return queue.QueueQuery.from_cleaned(data)


class BulkForm(forms.Form):
    ACTIONS = [
        ("assign", "Assign to"),
        ("status", "Set status"),
        ("add_tag", "Add tag"),
        ("merge", "Merge into"),
    ]
    ids = forms.TypedMultipleChoiceField(coerce=int, choices=[], required=True)
    bulk_action = forms.ChoiceField(choices=ACTIONS)
    bulk_assignee = forms.CharField(required=False)
    bulk_status = forms.ChoiceField(choices=_blank(Status.choices, "—"), required=False)
    bulk_tag = forms.CharField(required=False, max_length=50)
    bulk_merge_into = forms.CharField(required=False, max_length=40)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Ids are checked against the access policy in the view; any integer parses here.
        self.fields["ids"].valid_value = lambda value: True
        self.fields["ids"].error_messages["required"] = "Select at least one ticket."

    def clean(self):
        data = super().clean()
        action = data.get("bulk_action")
        if action == "status":
            data["value"] = data.get("bulk_status")
            if not data["value"]:
                self.add_error("bulk_status", "Choose a status.")
        elif action == "add_tag":
            data["value"] = (data.get("bulk_tag") or "").strip()
            if not data["value"]:
                self.add_error("bulk_tag", "Enter a tag.")
        elif action == "merge":
            # Merging is confirmed on its own page (what moves), so it only names the target here.
            data["value"] = (data.get("bulk_merge_into") or "").strip().upper()
            if not re.fullmatch(r"[A-Z][A-Z0-9]*-\d{1,18}", data["value"]):
                self.add_error("bulk_merge_into", "Enter the ticket to merge into (SUP-123).")
        elif action == "assign":
            username = data.get("bulk_assignee") or ""
            data["value"] = None
            if username not in ("", "none"):
                data["value"] = agents().filter(username=username).first()
                if data["value"] is None:
                    self.add_error("bulk_assignee", "Choose an agent.")
        return data


class SavedViewForm(forms.Form):
    name = forms.CharField(max_length=80)
    query = forms.CharField(max_length=1000, required=False)
    is_shared = forms.BooleanField(required=False)


def _agent_choices(blank: str = "Unassigned"):
    return [("", blank), *agent_choices()]


def _team_choices(blank: str = "No team"):
    return [("", blank), *team_choices()]


class TicketFieldsForm(forms.Form):
    """The sidebar of the ticket page. Only fields present in the POST are changed."""

    assignee = forms.ChoiceField(required=False, widget=FastSelect)
    team = forms.ChoiceField(required=False, widget=FastSelect)
    severity = forms.TypedChoiceField(
        choices=[(s.value, f"P{s.value} · {s.label}") for s in Severity],
        coerce=int,
        required=False,
        widget=FastSelect,
    )
    category = forms.ChoiceField(choices=Category.choices, required=False, widget=FastSelect)
    issue_type = forms.ChoiceField(choices=IssueType.choices, required=False, widget=FastSelect)
    environment = forms.ChoiceField(choices=Environment.choices, required=False, widget=FastSelect)
    tags = forms.CharField(required=False, max_length=1000, help_text="Comma separated")
    parent = forms.CharField(required=False, max_length=40, label="Parent incident")
    duplicate_of = forms.CharField(required=False, max_length=40, label="Duplicate of")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Hundreds of agents on every ticket page: handed over as they are (see FlatChoices).
        self.fields["assignee"].choices = FlatChoices(_agent_choices())
        self.fields["team"].choices = FlatChoices(_team_choices())

    def changes(self, resolve_ticket) -> dict:
        """The submitted fields as service arguments; `resolve_ticket(key)` applies the access
        policy to linked tickets and returns None when the key is not visible."""
        data = self.cleaned_data
        changes: dict = {}
        for name in self.data:
            if name not in self.fields:
                continue
            value = data.get(name)
            if name == "assignee":
                changes[name] = User.objects.filter(username=value).first() if value else None
            elif name == "team":
                changes[name] = Team.objects.filter(slug=value).first() if value else None
            elif name == "tags":
                changes[name] = [t for t in (value or "").split(",") if t.strip()]
            elif name in ("parent", "duplicate_of"):
                if not value:
                    changes[name] = None
                else:
                    target = resolve_ticket(value.strip().upper())
                    if target is None:
                        self.add_error(name, f"No ticket {value} that you can see.")
                        continue
                    changes[name] = target
            elif value not in (None, ""):
                changes[name] = value
        return changes


# The Properties panel of the ticket page. Beside each control the page sends the value it
# showed (`seen_<name>`): only a control whose value differs from it was edited, and that shown
# value is what the change expects to replace (tickets/conflicts.py).
SEEN_PREFIX = "seen_"


def split_edits(data) -> tuple[dict[str, str], dict[str, str]]:
    """(the fields edited on the page, the values the page showed for them). A field posted
    without its shown value (a form of its own, a script) counts as edited, with no guard."""
    edited: dict[str, str] = {}
    seen: dict[str, str] = {}
    for name, value in data.items():
        if name.startswith(SEEN_PREFIX) or name == "csrfmiddlewaretoken":
            continue
        shown = data.get(SEEN_PREFIX + name)
        if shown is None:
            edited[name] = value
        elif value.strip() != shown.strip():
            edited[name] = value
            seen[name] = shown
    return edited, seen


class ReplyForm(forms.Form):
    body = forms.CharField(widget=forms.Textarea, max_length=MAX_COMMENT_CHARS)
    is_internal = forms.BooleanField(required=False)
    status = forms.ChoiceField(choices=_blank(Status.choices, "Keep status"), required=False)

    def clean_body(self) -> str:
        body = self.cleaned_data["body"]
        if missing := placeholders.unfilled(body):
            raise forms.ValidationError(
                "Fill in the template's blanks before sending: %(blanks)s.",
                code="unfilled_placeholders",
                params={"blanks": ", ".join(missing)},
            )
        return body


class TicketCreateForm(forms.Form):
    """An agent opens a ticket on a customer's behalf (phone, chat, email)."""

    organization = forms.ModelChoiceField(
        queryset=Organization.objects.all(),
        to_field_name="slug",
        empty_label="Choose the customer…",
    )
    requester = forms.CharField(
        required=False,
        max_length=254,
        help_text="Search by name or email; pick the contact who reported it",
        widget=forms.TextInput(
            attrs={"type": "search", "autocomplete": "off", "placeholder": "Name or email"}
        ),
    )
    channel = forms.ChoiceField(choices=Channel.choices, initial=Channel.PHONE)
    title = forms.CharField(max_length=200)
    description = forms.CharField(
        widget=forms.Textarea, required=False, max_length=MAX_DESCRIPTION_CHARS
    )
    severity = forms.TypedChoiceField(
        choices=[(s.value, f"P{s.value} · {s.label}") for s in Severity],
        coerce=int,
        initial=Severity.P3,
    )
    issue_type = forms.ChoiceField(choices=IssueType.choices, initial=IssueType.QUESTION)
    category = forms.ChoiceField(choices=Category.choices, initial=Category.OTHER)
    environment = forms.ChoiceField(choices=Environment.choices, initial=Environment.PRODUCTION)
    team = forms.ChoiceField(required=False)
    assignee = forms.ChoiceField(required=False)
    affected_users = forms.IntegerField(required=False, min_value=0)
    business_impact = forms.ChoiceField(
        choices=_blank(BusinessImpact.choices, "Not assessed"), required=False
    )
    workaround_available = forms.BooleanField(required=False)
    workaround = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    product_version = forms.CharField(required=False, max_length=60)
    browser = forms.CharField(required=False, max_length=100)
    platform = forms.CharField(required=False, max_length=100)
    account_type = forms.CharField(required=False, max_length=60)
    error_message = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    request_id = forms.CharField(required=False, max_length=120)
    affected_endpoint = forms.CharField(required=False, max_length=200)
    recent_changes = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    tags = forms.CharField(required=False, max_length=1000, help_text="Comma separated")
    is_security = forms.BooleanField(
        required=False,
        label="Security issue",
        help_text=SECURITY_FLAG_HELP,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Hundreds of agents on every ticket page: handed over as they are (see FlatChoices).
        self.fields["assignee"].choices = FlatChoices(_agent_choices())
        self.fields["team"].choices = FlatChoices(_team_choices())

    def clean(self):
        data = super().clean()
        if "requester" not in self.errors:
            data["requester"] = self._requester(
                data.get("requester") or "", data.get("organization")
            )
        return data

    def _requester(self, text: str, organization: Organization | None) -> User | None:
        """The contact picked by email (the picker fills it in) or username. When an address is
        shared by contacts of several customers, the one of the chosen organization; a contact
        of another organization is refused by the service, in its words."""
        text = text.strip()
        if not text:
            return None
        found = list(
            User.objects.filter(role=Role.CUSTOMER)
            .filter(Q(username=text) | Q(email__iexact=text))
            .select_related("contact")
            .order_by("pk")[:20]
        )
        if not found:
            self.add_error("requester", f"No contact with the name or email “{text}”.")
            return None
        ours = [u for u in found if organization and u.contact.organization_id == organization.pk]
        return (ours or found)[0]

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        data["assignee"] = (
            User.objects.filter(username=data["assignee"]).first() if data.get("assignee") else None
        )
        data["team"] = Team.objects.filter(slug=data["team"]).first() if data.get("team") else None
        data["tags"] = [t for t in (data.get("tags") or "").split(",") if t.strip()]
        return data


MAX_UPLOAD_MB = settings.HELPDESK_ATTACHMENT_MAX_BYTES // (1024 * 1024)
