"""Articles and runbooks: Markdown documents with revisions, votes and links to tickets.

An article is either a help article (the categories of the playbook) or a runbook, an internal
procedure. Only a public, published article ever reaches a customer contact (kb.selectors).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse

USER = settings.AUTH_USER_MODEL


class ArticleKind(models.TextChoices):
    ARTICLE = "article", "Article"
    RUNBOOK = "runbook", "Runbook"


class ArticleCategory(models.TextChoices):
    GETTING_STARTED = "getting_started", "Getting Started"
    API_REFERENCE = "api_reference", "API Reference"
    TROUBLESHOOTING = "troubleshooting", "Troubleshooting"
    FAQ = "faq", "FAQ"
    SECURITY = "security", "Security"
    INTEGRATION = "integration", "Integration"


class ArticleVisibility(models.TextChoices):
    INTERNAL = "internal", "Internal"
    PUBLIC = "public", "Public"


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    ARCHIVED = "archived", "Archived"


class Article(models.Model):
    kind = models.CharField(max_length=16, choices=ArticleKind.choices, default=ArticleKind.ARTICLE)
    category = models.CharField(
        max_length=24, choices=ArticleCategory.choices, default=ArticleCategory.TROUBLESHOOTING
    )
    visibility = models.CharField(
        max_length=16, choices=ArticleVisibility.choices, default=ArticleVisibility.INTERNAL
    )
    status = models.CharField(
        max_length=16, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT
    )
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=120, unique=True)
    summary = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True, help_text="Markdown.")
    author = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="kb_articles"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    published_at = models.DateTimeField(null=True, blank=True)
    tickets = models.ManyToManyField(
        "tickets.Ticket", through="kb.ArticleTicket", related_name="kb_articles", blank=True
    )

    class Meta:
        ordering = ["title", "id"]
        indexes = [models.Index(fields=["status", "visibility", "kind", "category"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("kb:article", args=[self.slug])

    @property
    def is_public(self) -> bool:
        return (
            self.kind == ArticleKind.ARTICLE
            and self.visibility == ArticleVisibility.PUBLIC
            and self.status == ArticleStatus.PUBLISHED
        )


class ArticleRevision(models.Model):
    """A saved state of an article: who saved it, when, and the title and body it had."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    author = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["article", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="kb_revision_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.article} r{self.number}"


class ArticleTicket(models.Model):
    """A ticket the article answers or was written from."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="ticket_links")
    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="kb_article_links"
    )
    linked_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    linked_at = models.DateTimeField()
    is_source = models.BooleanField(
        default=False, help_text="The article was written from this ticket."
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "ticket"], name="kb_article_ticket_unique")
        ]

    def __str__(self) -> str:
        return f"{self.article_id} -> {self.ticket_id}"


class ArticleVote(models.Model):
    """'Was this helpful?': one vote per user per article; voting again changes it."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    helpful = models.BooleanField()
    voted_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "user"], name="kb_vote_one_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.article_id}: {'helpful' if self.helpful else 'not helpful'}"
