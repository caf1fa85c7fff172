from django.contrib import admin

from .models import ActionItem, Postmortem


class ActionItemInline(admin.TabularInline):
    model = ActionItem
    extra = 0
    fields = ("title", "owner", "kind", "due_at", "status", "link")
    raw_id_fields = ("owner",)


@admin.register(Postmortem)
class PostmortemAdmin(admin.ModelAdmin):
    list_display = ("ticket", "state", "requirement", "owner", "draft_due_at", "review_due_at")
    list_filter = ("state", "requirement")
    raw_id_fields = ("ticket", "owner", "reviewer")
    inlines = [ActionItemInline]
