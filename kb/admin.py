"""Admin of articles (revisions read-only inline) and known issues."""

from __future__ import annotations

from django.contrib import admin

from helpdesk import clock
from kb.models import Article, ArticleRevision, KnownIssue, KnownIssueTicket
from kb.services.articles import record_revision


class RevisionInline(admin.TabularInline):
    model = ArticleRevision
    fields = ["number", "author", "created_at", "title", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["-number"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "category", "visibility", "status", "updated_at"]
    list_filter = ["kind", "category", "visibility", "status"]
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["created_at", "updated_at", "published_at"]
    raw_id_fields = ["author"]
    inlines = [RevisionInline]

    def save_model(self, request, obj, form, change):
        # An edit in the admin is a revision like one made on the article's page.
        now = clock.now()
        if not change:
            obj.created_at = now
            obj.author = obj.author or request.user
        obj.updated_at = now
        if obj.status == "published" and obj.published_at is None:
            obj.published_at = now
        super().save_model(request, obj, form, change)
        if not change or {"title", "body"} & set(form.changed_data):
            record_revision(obj, author=request.user, now=now, note="Edited in the admin")


class KnownIssueTicketInline(admin.TabularInline):
    model = KnownIssueTicket
    fields = ["ticket", "linked_by", "linked_at", "followed_up_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(KnownIssue)
class KnownIssueAdmin(admin.ModelAdmin):
    list_display = ["external_id", "title", "component", "status", "fix_version", "updated_at"]
    list_filter = ["status", "component"]
    search_fields = ["external_id", "title", "component"]
    readonly_fields = ["created_at", "updated_at", "fixed_at"]
    raw_id_fields = ["article"]
    inlines = [KnownIssueTicketInline]

    def save_model(self, request, obj, form, change):
        now = clock.now()
        if not change:
            obj.created_at = now
        if obj.status == "fixed" and obj.fixed_at is None:
            obj.fixed_at = now
        obj.updated_at = now
        super().save_model(request, obj, form, change)
