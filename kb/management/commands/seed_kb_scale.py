"""manage.py seed_kb_scale: the benchmark's 10,000 articles and 1,000 known issues."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import connection

from kb.search import scale, spelling


class Command(BaseCommand):
    help = "Load the benchmark's articles and known issues (only those missing)."

    def add_arguments(self, parser):
        parser.add_argument("--articles", type=int, default=10_000)
        parser.add_argument("--known-issues", type=int, default=1_000)

    def handle(self, *args, articles: int, known_issues: int, **options):
        added = scale.load(articles=articles, known_issues=known_issues)
        if any(added):
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE kb_article")
                cursor.execute("ANALYZE kb_knownissue")
        words = spelling.search_words_refresh()
        self.stdout.write(
            f"added {added[0]} articles and {added[1]} known issues; {words} title words"
        )
