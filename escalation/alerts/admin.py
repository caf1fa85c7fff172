"""Alert sources in the admin. A new source, or one whose secret is rotated, shows its secret
once in the admin's message; only its hash is kept."""

from __future__ import annotations

from django.contrib import admin, messages
from django.urls import reverse

from escalation.alerts import keys
from escalation.models import Alert, AlertSource


@admin.register(AlertSource)
class AlertSourceAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "organization", "default_severity", "is_active"]
    list_filter = ["is_active"]
    prepopulated_fields = {"slug": ["name"]}
    actions = ["rotate_secret"]

    def save_model(self, request, obj, form, change):
        raw = None if change else keys.rotate(obj)
        super().save_model(request, obj, form, change)
        if raw:
            self._show(request, obj, raw)

    def _show(self, request, source, raw) -> None:
        url = request.build_absolute_uri(reverse("api-alert-receive", args=[source.slug]))
        messages.warning(
            request,
            f"{source.name}: POST alerts to {url} with “Authorization: Bearer {raw}”. "
            "The secret is shown only now.",
        )

    @admin.action(description="Rotate the secret (the old one stops working)")
    def rotate_secret(self, request, queryset):
        for source in queryset:
            self._show(request, source, keys.rotate(source))


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ["dedup_key", "source", "state", "ticket", "count", "first_seen_at"]
    list_filter = ["state", "source"]
    readonly_fields = [f.name for f in Alert._meta.fields]
