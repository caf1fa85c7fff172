"""Forms of the escalation pages: they parse input; the services decide."""

from __future__ import annotations

from django import forms

from escalation.engineering.services import REPORT_FIELDS
from escalation.models import EngineeringEscalation
from helpdesk.models import AGENT_SIDE_ROLES, User

TEXTAREA_ROWS = {
    "affected_customers": 2,
    "workaround_description": 2,
    "reproduction_steps": 4,
    "expected_behavior": 2,
    "actual_behavior": 3,
    "error_messages": 3,
    "log_snippets": 4,
    "affected_endpoints": 2,
    "root_cause_hypothesis": 3,
    "suggested_fix": 2,
    "priority_justification": 2,
}


class BugReportForm(forms.ModelForm):
    """Every field optional here: which ones a ticket needs depends on its severity, and the
    service says so (P1/P2 never wait for the investigation fields)."""

    class Meta:
        model = EngineeringEscalation
        fields = list(REPORT_FIELDS)
        widgets = {
            name: forms.Textarea(attrs={"rows": rows}) for name, rows in TEXTAREA_ROWS.items()
        }
        labels = {
            "expected_behavior": "Expected behaviour",
            "actual_behavior": "Actual behaviour",
            "root_cause_hypothesis": "Root-cause hypothesis",
            "workaround_description": "Workaround",
        }

    def __init__(self, *args, required: tuple[str, ...] = (), **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.required = False
            if name in required:
                field.widget.attrs["aria-required"] = "true"
                field.label = f"{field.label} *"


class AcceptForm(forms.Form):
    committed_date = forms.DateField(
        label="Fix committed for", widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(
        label="Note (internal)", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class RejectForm(forms.Form):
    reason = forms.CharField(
        label="Why it is rejected",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,  # the service refuses an empty reason with its own message
    )


class TierForm(forms.Form):
    to_tier = forms.TypedChoiceField(
        label="Up to", coerce=int, choices=[(2, "Tier 2"), (3, "Tier 3")]
    )
    assignee = forms.ModelChoiceField(
        label="Assign to",
        queryset=User.objects.none(),
        required=False,
        empty_label="Nobody yet (the tier picks it up)",
    )
    reason = forms.CharField(label="Reason", widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = (
            User.objects.filter(
                role__in=AGENT_SIDE_ROLES, is_active=True, agent_profile__support_tier__gte=2
            )
            .select_related("agent_profile")
            .order_by("first_name", "last_name", "username")
        )
        self.fields["assignee"].label_from_instance = lambda u: (
            f"{u.display_name} (tier {u.agent_profile.support_tier})"
        )
