from django.contrib import admin

from .models import InboundMessage


@admin.register(InboundMessage)
class InboundMessageAdmin(admin.ModelAdmin):
    list_display = ("received_at", "from_address", "subject", "status", "reason", "source")
    list_filter = ("status", "reason", "source")
    search_fields = ("from_address", "subject", "message_id")
    exclude = ("raw",)
    readonly_fields = [f.name for f in InboundMessage._meta.fields if f.name not in ("raw", "id")]

    def has_add_permission(self, request):
        return False
