"""Misspelt words corrected against the vocabulary of titles (SearchWord).

A ticket search that finds too little retries with each unknown word replaced by the most
similar known one (pg_trgm similarity on a table of a few thousand words, so it costs a
millisecond where a trigram match over a million titles cost seconds)."""

from __future__ import annotations

import re

from django.db import connection, transaction
from django.db.models import BooleanField, FloatField
from django.db.models.expressions import RawSQL

from kb.models import SearchWord

MAX_CORRECTIONS = 4
_WORD = re.compile(r"[a-z]{4,60}")
TITLES = (
    "SELECT to_tsvector('simple', title) FROM tickets_ticket"
    " UNION ALL SELECT to_tsvector('simple', title) FROM kb_article"
    " UNION ALL SELECT to_tsvector('simple', title) FROM kb_knownissue"
)


def corrected(text: str) -> str | None:
    """`text` with its unknown words replaced by their closest known word, or None when
    there is nothing to correct."""
    words = list(dict.fromkeys(_WORD.findall(text.lower())))[:MAX_CORRECTIONS]
    if not words:
        return None
    known = set(SearchWord.objects.filter(word__in=words).values_list("word", flat=True))
    result, changed = text.lower(), False
    for word in words:
        if word in known:
            continue
        best = (
            SearchWord.objects.filter(RawSQL("word %% %s", [word], BooleanField()))
            .annotate(score=RawSQL("similarity(word, %s)", [word], FloatField()))
            .order_by("-score", "-documents", "word")
            .values_list("word", flat=True)
            .first()
        )
        if best:
            result = re.sub(rf"\b{word}\b", best, result)
            changed = True
    return result if changed else None


@transaction.atomic
def search_words_refresh() -> int:
    """Rebuilds the vocabulary from every title; returns how many words it holds."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL statement_timeout = '120s'")
        cursor.execute("DELETE FROM kb_searchword")
        cursor.execute(
            "INSERT INTO kb_searchword (word, documents)"
            " SELECT word, ndoc FROM ts_stat(%s)"
            " WHERE length(word) BETWEEN 4 AND 60 AND word ~ '^[a-z]+$'",
            [TITLES],
        )
        return cursor.rowcount
