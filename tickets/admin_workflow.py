"""Admin for macros: edited here, and their usage counts read here (most used first)."""

from __future__ import annotations

from django import forms
from django.contrib import admin

from helpdesk.errors import DomainError

from .models import Macro
from .replies import check_template_body
from .services import normalize_tags


class MacroForm(forms.ModelForm):
    class Meta:
        model = Macro
        fields = [
            "name",
            "owner",
            "body",
            "is_internal",
            "set_status",
            "set_severity",
            "set_team",
            "set_assignee",
            "add_tags",
            "is_active",
        ]
        help_texts = {"add_tags": "Comma separated; added to the ticket's tags."}

    def clean_body(self) -> str:
        body = self.cleaned_data["body"]
        if problem := check_template_body(body):
            raise forms.ValidationError(f"This reply would not render: {problem}")
        return body

    def clean_add_tags(self) -> list[str]:
        try:
            return normalize_tags(self.cleaned_data["add_tags"] or [])
        except DomainError as exc:
            raise forms.ValidationError(exc.message) from exc

    def clean(self):
        data = super().clean()
        owner = data.get("owner")
        if owner is not None and not owner.is_agent_side:
            self.add_error("owner", "A personal macro belongs to an agent.")
        return data


@admin.register(Macro)
class MacroAdmin(admin.ModelAdmin):
    form = MacroForm
    list_display = ["name", "owner", "use_count", "last_used_at", "is_active"]
    list_filter = ["is_active", ("owner", admin.EmptyFieldListFilter)]
    search_fields = ["name", "body"]
    ordering = ["-use_count", "name"]
    list_select_related = ["owner"]
    raw_id_fields = ["owner", "set_assignee"]
    readonly_fields = ["use_count", "last_used_at"]
