"""The search page's filters: kind, a status of one kind (which implies the kind), and dates."""

from __future__ import annotations

from django import forms

from kb.search.engine import KINDS, Filters, status_choices

PER_PAGE_ALL = 5  # per kind when every kind is shown
PER_PAGE_ONE = 50  # when one kind is shown


def _status_groups() -> list[tuple[str, list[tuple[str, str]]]]:
    return [
        (label, [(f"{kind}:{value}", name) for value, name in status_choices(kind)])
        for kind, label in KINDS.items()
    ]


class SearchForm(forms.Form):
    q = forms.CharField(max_length=200, required=False, strip=True)
    kind = forms.ChoiceField(choices=[("", "Everything"), *KINDS.items()], required=False)
    status = forms.ChoiceField(choices=[("", "Any status"), *_status_groups()], required=False)
    since = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        kind, status = data.get("kind") or "", data.get("status") or ""
        if status:
            status_kind, _, _ = status.partition(":")
            if kind and kind != status_kind:
                self.add_error("status", f"That status is not one of {KINDS[kind].lower()}.")
            else:
                data["kind"] = status_kind
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", "The end date is before the start date.")
        return data

    def filters(self) -> Filters:
        data = self.cleaned_data
        return Filters(
            kind=data.get("kind") or "",
            status=(data.get("status") or "").partition(":")[2],
            since=data.get("since"),
            until=data.get("until"),
        )

    def limit(self) -> int:
        return PER_PAGE_ONE if self.cleaned_data.get("kind") else PER_PAGE_ALL
