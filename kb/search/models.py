"""What the knowledge base learns from being used: article views per day, suggested articles
that contacts opened (deflections), and searches that found nothing (documentation gaps)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ArticleDailyViews(models.Model):
    """Page views of an article, one counter row per day (an upsert per view, never a row per
    view: a popular article would otherwise grow a table the size of its traffic)."""

    article = models.ForeignKey("kb.Article", on_delete=models.CASCADE, related_name="daily_views")
    day = models.DateField()
    views = models.PositiveIntegerField(default=0)

    class Meta:
        app_label = "kb"
        constraints = [
            models.UniqueConstraint(fields=["article", "day"], name="kb_article_views_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.article_id} {self.day}: {self.views}"


class SuggestionPlace(models.TextChoices):
    PORTAL = "portal", "Customer's new-ticket form"
    COMPOSER = "composer", "Agent's reply composer"


class SuggestionOpen(models.Model):
    """A suggested article someone opened. From the portal's new-ticket form, the open is a
    deflection when its contact sent no ticket within the session window after it
    (kb.search.usage.DEFLECTION_WINDOW)."""

    article = models.ForeignKey(
        "kb.Article", on_delete=models.CASCADE, related_name="suggestion_opens"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    place = models.CharField(max_length=16, choices=SuggestionPlace.choices)
    opened_at = models.DateTimeField()

    class Meta:
        app_label = "kb"
        indexes = [models.Index(fields=["article", "place", "opened_at"])]

    def __str__(self) -> str:
        return f"{self.article_id} opened from {self.place}"


class SearchGap(models.Model):
    """A search that found nothing, by its normalised text: how often and when last."""

    query = models.CharField(max_length=200, unique=True)
    count = models.PositiveIntegerField(default=0)
    first_searched_at = models.DateTimeField()
    last_searched_at = models.DateTimeField()

    class Meta:
        app_label = "kb"
        indexes = [models.Index(fields=["-count", "-last_searched_at"])]

    def __str__(self) -> str:
        return f"{self.query} ({self.count})"


class SearchWord(models.Model):
    """A word of the titles of tickets, articles and known issues, with how many titles hold
    it: the vocabulary a misspelt word is corrected against (kb.search.spelling), refreshed
    hourly, since a trigram match over a million ticket titles is too slow to run per search."""

    word = models.CharField(max_length=60, primary_key=True)
    documents = models.PositiveIntegerField()

    class Meta:
        app_label = "kb"

    def __str__(self) -> str:
        return self.word
