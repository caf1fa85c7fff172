"""The admin is for configuration (DESIGN.md section 8): organizations, contacts, teams, agents,
reply templates, saved views, SLA calendars and policies. Tickets can be looked up and corrected
here, but their timeline is never edited: events are append-only, and every other write of a
ticket's workflow (status, comments) goes through the ticket page or the API."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import transaction

from helpdesk.errors import DomainError

from . import services
from .models import (
    AgentProfile,
    Comment,
    Contact,
    Organization,
    ReplyTemplate,
    SavedView,
    Team,
    Ticket,
    TicketEvent,
)
from .replies import check_template_body


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0
    raw_id_fields = ["user"]
    fields = ["user", "job_title", "phone"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "tier", "domain", "created_at"]
    list_filter = ["tier"]
    search_fields = ["name", "slug", "domain"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [ContactInline]


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["user", "organization", "job_title", "phone"]
    list_filter = ["organization__tier"]
    search_fields = [
        "user__username",
        "user__email",
        "user__first_name",
        "user__last_name",
        "organization__name",
    ]
    raw_id_fields = ["user", "organization"]
    list_select_related = ["user", "organization"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "is_triage", "is_security", "lead"]
    list_filter = ["is_triage", "is_security"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    raw_id_fields = ["lead"]
    filter_horizontal = ["members"]
    list_select_related = ["lead"]


@admin.register(AgentProfile)
class AgentProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "support_tier"]
    list_filter = ["support_tier"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "user__email"]
    raw_id_fields = ["user"]
    list_select_related = ["user"]


TICKET_EDITABLE = list(services.EDITABLE_FIELD_ORDER)


class TicketAdminForm(forms.ModelForm):
    """Edits go through tickets.services.ticket_update, so they land on the timeline like any
    other change; a change the service refuses is shown as a form error."""

    class Meta:
        model = Ticket
        fields = [*TICKET_EDITABLE, "sla_credit_review"]

    def service_changes(self) -> dict:
        return {f: self.cleaned_data[f] for f in self.changed_data if f in services.EDITABLE_FIELDS}

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None or self.errors:
            return cleaned
        changes = self.service_changes()
        if not changes:
            return cleaned
        # Dry run in a savepoint that is always rolled back (with its on_commit callbacks).
        try:
            with transaction.atomic():
                services.ticket_update(ticket=self.instance, actor=self.actor, changes=changes)
                raise _DryRun
        except _DryRun:
            pass
        except DomainError as exc:
            self.add_error(exc.field if exc.field in self.fields else None, exc.message)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.error_dict.items():
                    self.add_error(field if field in self.fields else None, errors)
            else:
                self.add_error(None, exc)
        return cleaned


class _DryRun(Exception):
    pass


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    form = TicketAdminForm
    list_display = ["key", "title", "status", "severity", "organization", "assignee"]
    list_filter = [
        "status",
        "severity",
        "category",
        "issue_type",
        "channel",
        "is_security",
        "organization__tier",
    ]
    search_fields = ["=number", "title", "organization__name", "error_message", "request_id"]
    raw_id_fields = ["organization", "requester", "assignee", "team", "parent", "duplicate_of"]
    list_select_related = ["organization", "assignee"]
    readonly_fields = [
        "number",
        "organization",
        "requester",
        "status",
        "created_at",
        "updated_at",
        "first_response_at",
        "resolved_at",
        "closed_at",
        "sla_kind",
        "sla_due_at",
        "sla_warn_at",
        "sla_paused",
        "sla_breached_at",
    ]
    fieldsets = [
        (
            None,
            {"fields": ["number", "organization", "requester", "status", *TICKET_EDITABLE[:11]]},
        ),
        ("Customer impact and technical context", {"fields": TICKET_EDITABLE[11:23]}),
        ("Links", {"fields": ["parent", "duplicate_of"]}),
        (
            "Timeline",
            {
                "fields": [
                    "created_at",
                    "updated_at",
                    "first_response_at",
                    "resolved_at",
                    "closed_at",
                ]
            },
        ),
        (
            "SLA",
            {
                "fields": [
                    "sla_kind",
                    "sla_due_at",
                    "sla_warn_at",
                    "sla_paused",
                    "sla_breached_at",
                    "sla_credit_review",
                ]
            },
        ),
    ]
    ordering = ["-created_at"]
    show_full_result_count = False  # an exact count of a million tickets is not worth the wait

    @admin.display(description="Key", ordering="number")
    def key(self, obj: Ticket) -> str:
        return obj.key

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.actor = request.user
        return form

    def has_add_permission(self, request) -> bool:
        # A ticket opened here would skip its SLA clocks and signals: use the "New ticket" page.
        return False

    def save_model(self, request, obj, form, change):
        changes = form.service_changes()
        if changes:
            services.ticket_update(ticket=obj, actor=request.user, changes=changes)
        if "sla_credit_review" in form.changed_data:
            Ticket.objects.filter(pk=obj.pk).update(sla_credit_review=obj.sla_credit_review)


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["ticket", "author", "is_internal", "created_at"]
    list_filter = ["is_internal"]
    search_fields = ["body", "ticket__title"]
    raw_id_fields = ["ticket", "author"]
    readonly_fields = ["ticket", "author", "body", "body_html", "is_internal", "created_at"]
    list_select_related = ["ticket", "author"]
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(TicketEvent)
class TicketEventAdmin(admin.ModelAdmin):
    """Read-only: the timeline is an audit trail (and the database refuses updates anyway)."""

    list_display = ["ticket", "kind", "field", "actor", "is_internal", "created_at"]
    list_filter = ["kind", "is_internal"]
    raw_id_fields = ["ticket", "actor", "comment"]
    list_select_related = ["ticket", "actor"]
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReplyTemplateForm(forms.ModelForm):
    class Meta:
        model = ReplyTemplate
        fields = [
            "name",
            "slug",
            "body",
            "is_internal",
            "is_active",
            "on_security_tickets",
            "position",
        ]
        help_texts = {
            "body": (
                "Markdown. Variables: {{ customer_name }}, {{ ticket_key }}, {{ ticket_title }}, "
                "{{ severity }}, {{ status }}, {{ organization }}, {{ agent_name }}, "
                "{{ next_update }}. Leave blanks for the agent in brackets: [Key finding 1]."
            )
        }

    def clean_body(self) -> str:
        body = self.cleaned_data["body"]
        problem = check_template_body(body)
        if problem:
            raise forms.ValidationError(f"This template would not render: {problem}")
        return body


@admin.register(ReplyTemplate)
class ReplyTemplateAdmin(admin.ModelAdmin):
    form = ReplyTemplateForm
    list_display = ["name", "slug", "is_internal", "is_active", "on_security_tickets", "position"]
    list_editable = ["is_active", "position"]
    list_filter = ["is_active", "is_internal"]
    search_fields = ["name", "slug", "body"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(SavedView)
class SavedViewAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "is_shared", "query", "created_at"]
    list_filter = ["is_shared"]
    search_fields = ["name", "owner__username", "query"]
    raw_id_fields = ["owner"]
    list_select_related = ["owner"]
