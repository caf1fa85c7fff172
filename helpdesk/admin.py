"""Admin for people and platform state: users with their role, API tokens (revocable, never
readable), and the engine's last ticks."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from helpdesk import clock
from helpdesk.models import ApiToken, EngineState, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "email", "first_name", "last_name", "role", "is_active", "is_staff"]
    list_filter = ["role", "is_active", "is_staff", "is_superuser"]
    fieldsets = [
        *BaseUserAdmin.fieldsets[:1],
        (
            "Role",
            {
                "fields": ["role"],
                "description": (
                    "Customers use the portal and need a contact (Tickets → Contacts); agents, "
                    "engineers, managers and admins work the queue. Django admin access is the "
                    "separate “staff status” below."
                ),
            },
        ),
        *BaseUserAdmin.fieldsets[1:],
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": [
                    "username",
                    "email",
                    "first_name",
                    "last_name",
                    "role",
                    "password1",
                    "password2",
                ],
            },
        ),
    ]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are issued with `manage.py create_api_token` (the raw value is shown once); here they
    are only listed and revoked."""

    list_display = ["user", "name", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["user__username", "name"]
    raw_id_fields = ["user"]
    readonly_fields = ["user", "name", "key_hash", "created_at", "last_used_at", "revoked_at"]
    list_select_related = ["user"]
    actions = ["revoke"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    # Whoever may delete a token may also revoke it (which keeps the row for the record).
    @admin.action(description="Revoke selected tokens", permissions=["delete"])
    def revoke(self, request, queryset) -> None:
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=clock.now())
        self.message_user(request, f"Revoked {count} token(s).", messages.SUCCESS)


@admin.register(EngineState)
class EngineStateAdmin(admin.ModelAdmin):
    list_display = ["name", "last_tick_at", "last_duration_ms"]
    readonly_fields = ["name", "last_tick_at", "last_duration_ms"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
