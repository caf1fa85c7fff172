from django.contrib import admin

from escalation.models import EscalationLevel, EscalationPolicy, Page, PageRecipient


class EscalationLevelInline(admin.StackedInline):
    model = EscalationLevel
    extra = 1
    fields = ("position", "wait_minutes", "users", "team", "schedule")
    filter_horizontal = ("users",)


@admin.register(EscalationPolicy)
class EscalationPolicyAdmin(admin.ModelAdmin):
    list_display = ("name", "position", "team", "severity", "security_only", "repeat", "is_active")
    list_editable = ("position", "is_active")
    list_filter = ("is_active", "security_only", "severity")
    inlines = [EscalationLevelInline]
    save_on_top = True


class PageRecipientInline(admin.TabularInline):
    model = PageRecipient
    extra = 0
    can_delete = False
    readonly_fields = ("user", "level", "round", "notified_at")


@admin.register(Page)
class PageAdmin(admin.ModelAdmin):
    """Pages are records of what happened: read here, acted on from My pages or the API."""

    list_display = ("id", "ticket", "reason", "state", "level", "started_at", "acknowledged_by")
    list_filter = ("state", "reason")
    list_select_related = ("ticket", "acknowledged_by")
    inlines = [PageRecipientInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
