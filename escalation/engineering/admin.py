"""Engineering and tier escalations in the admin, for reading: they change through the app."""

from __future__ import annotations

from django.contrib import admin

from escalation.models import EngineeringEscalation, TierEscalation


@admin.register(EngineeringEscalation)
class EngineeringEscalationAdmin(admin.ModelAdmin):
    list_display = ["title", "ticket", "severity", "state", "sent_at", "committed_date"]
    list_filter = ["state", "severity"]
    search_fields = ["title"]
    raw_id_fields = ["ticket", "sent_by", "decided_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(TierEscalation)
class TierEscalationAdmin(admin.ModelAdmin):
    list_display = ["ticket", "from_tier", "to_tier", "to_assignee", "actor", "created_at"]
    raw_id_fields = ["ticket", "from_assignee", "to_assignee", "actor"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
