"""Forms of the customer portal: they parse and validate; tickets.services does the writing."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from .choices import BusinessImpact, Category, Environment, IssueType, Severity
from .limits import MAX_COMMENT_CHARS, MAX_DESCRIPTION_CHARS

MAX_FILES = 10

# One line per severity, in the customer's words, from the playbook's criteria (seed 003).
SEVERITY_HELP = {
    Severity.P1: "All API requests failing, authentication completely down, data breach",
    Severity.P2: "An endpoint failing consistently, latency far above normal; a workaround exists",
    Severity.P3: "Something is wrong but your core operations still work: an edge case, the docs",
    Severity.P4: "A question, a feature request or a cosmetic issue",
}

ISSUE_TYPE_HELP = {
    IssueType.BUG: "Something does not work as documented",
    IssueType.QUESTION: "How do I…?",
    IssueType.CONFIGURATION: "Help setting up keys, environments or integrations",
    IssueType.INCIDENT: "An outage or a disruption happening now",
}

ENVIRONMENT_LABELS = {Environment.UNKNOWN: "Not sure"}
CATEGORY_LABELS = {Category.OTHER: "Other / not sure"}


def _mb(size: int) -> str:
    value = size / 1_048_576
    return f"{value:.0f} MB" if value >= 10 or value == int(value) else f"{value:.1f} MB"


def attachment_limit_help() -> str:
    return f"Up to {MAX_FILES} files, {_mb(settings.HELPDESK_ATTACHMENT_MAX_BYTES)} each."


class MultipleFileInput(forms.FileInput):
    """Several files at once. The limits ride along (read when rendering, not at import) so the
    browser can name a file it would refuse before anything is sent (static/js/portal_files.js):
    a form sent back with an error cannot give the chosen files back."""

    allow_multiple_selected = True

    def get_context(self, name: str, value: Any, attrs: dict | None) -> dict[str, Any]:
        attrs = {
            **(attrs or {}),
            "data-max-bytes": settings.HELPDESK_ATTACHMENT_MAX_BYTES,
            "data-max-files": MAX_FILES,
        }
        return super().get_context(name, value, attrs)


class MultipleFileField(forms.FileField):
    """Several files under one name. The size limit is read when validating, not at import."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        if not data:
            return []
        uploads = data if isinstance(data, list | tuple) else [data]
        if len(uploads) > MAX_FILES:
            raise forms.ValidationError(f"Attach at most {MAX_FILES} files at once.")
        limit = settings.HELPDESK_ATTACHMENT_MAX_BYTES
        cleaned, errors = [], []
        for upload in uploads:
            try:
                upload = super().clean(upload, initial)
            except forms.ValidationError as exc:
                errors.append(_named_error(upload, exc))
                continue
            if upload.size > limit:
                errors.append(
                    f"“{upload.name}” is {_mb(upload.size)}; each file may be at most {_mb(limit)}."
                )
            cleaned.append(upload)
        if errors:
            raise forms.ValidationError(errors)
        return cleaned


def _named_error(upload: Any, exc: forms.ValidationError) -> str:
    """Django's file errors do not say which file; among several, the customer needs to know."""
    name = getattr(upload, "name", "") or "A file"
    if exc.code == "empty":
        return (
            f"“{name}” is empty (0 bytes): leave it out, or choose it again once it has been "
            "saved with its content."
        )
    return f"“{name}”: {' '.join(exc.messages)}"


class PortalTicketForm(forms.Form):
    title = forms.CharField(
        max_length=200,
        label="Subject",
        help_text="One line: what is wrong, and where.",
        widget=forms.TextInput(
            attrs={"placeholder": "e.g. POST /v1/payments returns 500 since 10:00 UTC"}
        ),
        error_messages={"required": "Give your ticket a subject."},
    )
    description = forms.CharField(
        label="What happened?",
        help_text="Markdown works: `code`, **bold**, lists, ``` for logs.",
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=MAX_DESCRIPTION_CHARS,
        error_messages={"required": "Describe the problem so we can start on it."},
    )
    severity = forms.TypedChoiceField(
        coerce=int,
        choices=[(s.value, f"P{s.value} · {s.label}") for s in Severity],
        initial=Severity.P3.value,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose one of the severities listed."},
    )
    issue_type = forms.ChoiceField(
        label="Type of request",
        choices=IssueType.choices,
        initial=IssueType.QUESTION,
        error_messages={"invalid_choice": "Choose one of the request types listed."},
    )
    category = forms.ChoiceField(
        label="Area",
        choices=[(c.value, CATEGORY_LABELS.get(c, c.label)) for c in Category],
        initial=Category.OTHER,
        error_messages={"invalid_choice": "Choose one of the areas listed."},
    )
    environment = forms.ChoiceField(
        choices=[(e.value, ENVIRONMENT_LABELS.get(e, e.label)) for e in Environment],
        initial=Environment.PRODUCTION,
        error_messages={"invalid_choice": "Choose one of the environments listed."},
    )
    affected_users = forms.IntegerField(
        label="Users affected",
        required=False,
        min_value=0,
        max_value=2_000_000_000,
        help_text="An estimate is fine.",
    )
    business_impact = forms.ChoiceField(
        choices=[("", "—"), *BusinessImpact.choices],
        required=False,
        error_messages={"invalid_choice": "Choose one of the impacts listed."},
    )
    workaround = forms.CharField(
        label="Workaround in use",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Leave empty if there is none.",
    )
    product_version = forms.CharField(
        label="API / SDK version",
        max_length=60,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "e.g. v2, python-sdk 3.4.1"}),
    )
    affected_endpoint = forms.CharField(
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "e.g. POST /v1/users"}),
    )
    request_id = forms.CharField(
        label="Request ID",
        max_length=120,
        required=False,
        help_text="From the X-Request-Id response header.",
    )
    error_message = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The complete error response body, if you have it.",
    )
    recent_changes = forms.CharField(
        label="Recent changes on your side",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Deployments, key rotations, new SDK versions…",
    )
    attachments = MultipleFileField()

    TECHNICAL_FIELDS = (
        "product_version",
        "affected_endpoint",
        "request_id",
        "error_message",
        "recent_changes",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields[
            "attachments"
        ].help_text = f"Logs, screenshots, HAR files. {attachment_limit_help()}"

    def severity_options(self) -> list[dict[str, Any]]:
        """The radio buttons with their one-line help, for a template that lays them out."""
        current = str(self["severity"].value() or "")
        return [
            {
                "value": s.value,
                "code": f"P{s.value}",
                "label": s.label,
                "help": SEVERITY_HELP[s],
                "checked": current == str(s.value),
                "id": f"id_severity_{s.value}",
            }
            for s in Severity
        ]

    def issue_type_help(self) -> list[tuple[str, str]]:
        return [(IssueType(v).label, ISSUE_TYPE_HELP[IssueType(v)]) for v, _ in IssueType.choices]

    def technical_has_errors(self) -> bool:
        return any(name in self.errors for name in self.TECHNICAL_FIELDS)

    def technical_has_values(self) -> bool:
        return self.is_bound and any(self.data.get(name) for name in self.TECHNICAL_FIELDS)

    def ticket_fields(self) -> dict[str, Any]:
        """Keyword arguments for services.ticket_create (title and files excluded)."""
        data = self.cleaned_data
        workaround = data["workaround"].strip()
        return {
            "description": data["description"],
            "severity": data["severity"],
            "issue_type": data["issue_type"],
            "category": data["category"],
            "environment": data["environment"],
            "affected_users": data["affected_users"],
            "business_impact": data["business_impact"],
            "workaround": workaround,
            "workaround_available": bool(workaround),
            "product_version": data["product_version"].strip(),
            "affected_endpoint": data["affected_endpoint"].strip(),
            "request_id": data["request_id"].strip(),
            "error_message": data["error_message"],
            "recent_changes": data["recent_changes"],
        }


class PortalReplyForm(forms.Form):
    body = forms.CharField(
        label="Your reply",
        widget=forms.Textarea(attrs={"rows": 5, "placeholder": "Write a reply… Markdown works."}),
        max_length=MAX_COMMENT_CHARS,
        error_messages={"required": "Write a message before sending."},
    )
    attachments = MultipleFileField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attachments"].help_text = attachment_limit_help()


class PortalReopenForm(forms.Form):
    body = forms.CharField(
        label="What still happens?",
        required=False,
        max_length=MAX_COMMENT_CHARS,
        widget=forms.Textarea(
            attrs={"rows": 3, "placeholder": "Optional: tell us what you still see."}
        ),
    )
