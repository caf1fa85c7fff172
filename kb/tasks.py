"""The knowledge base's Celery tasks (found by autodiscovery, which reads `<app>.tasks`)."""

from kb.search.tasks import search_words_refresh_task

__all__ = ["search_words_refresh_task"]
