"""The search's periodic work."""

from __future__ import annotations

from celery import shared_task

from kb.search.spelling import search_words_refresh


@shared_task(name="kb.search_words_refresh_task")
def search_words_refresh_task() -> int:
    return search_words_refresh()
