"""Counts article page views (the help centre's and the agents'), after the page was served,
without the article pages knowing about usage figures."""

from __future__ import annotations

from helpdesk import clock
from kb.search.usage import article_viewed

ARTICLE_PAGES = frozenset({"help:article", "kb:article"})


class ArticleViewMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        match = request.resolver_match
        if (
            match is not None
            and match.view_name in ARTICLE_PAGES
            and request.method == "GET"
            and response.status_code == 200
            and not getattr(request, "htmx", False)
        ):
            article_viewed(slug=match.kwargs["slug"], now=clock.now())
        return response
