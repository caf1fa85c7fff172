"""The customers' help centre: public, published articles by category, a title search, the
article page and its "was this helpful?" vote. Everything is read through kb.selectors."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from helpdesk import clock
from helpdesk import markdown as md
from kb import selectors, services
from kb.models import ArticleCategory, ArticleVote
from kb.search import engine as search_engine
from kb.search import usage as search_usage

CATEGORY_SLUGS = {value.replace("_", "-"): value for value in ArticleCategory.values}
RESULTS = 50


def _help_articles(user):
    # Agents browsing the help centre see what customers see.
    return selectors.articles_visible_to(user).filter(selectors.PUBLIC_ARTICLE)


@require_GET
@login_required
def help_home(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:200]
    articles = _help_articles(request.user)
    ctx: dict = {"nav": "help", "q": q}
    if q:
        # Full-text, titles first, typo-tolerant (kb.search); a search that finds nothing is a
        # documentation gap on the usage page.
        ctx["results"] = search_engine.help_centre(user=request.user, text=q, limit=RESULTS)
        if not ctx["results"]:
            search_usage.search_found_nothing(text=q, now=clock.now())
    counts = dict(
        articles.values_list("category").annotate(n=Count("id")).values_list("category", "n")
    )
    recent = list(articles.order_by("-published_at", "-id")[:100])
    ctx["categories"] = [
        {
            "slug": value.replace("_", "-"),
            "label": label,
            "count": counts.get(value, 0),
            "articles": [a for a in recent if a.category == value][:5],
        }
        for value, label in ArticleCategory.choices
        if counts.get(value)
    ]
    return render(request, "kb/help_home.html", ctx)


@require_GET
@login_required
def help_category(request: HttpRequest, category: str) -> HttpResponse:
    value = CATEGORY_SLUGS.get(category)
    if value is None:
        raise Http404
    articles = _help_articles(request.user).filter(category=value).order_by("title")
    return render(
        request,
        "kb/help_category.html",
        {"nav": "help", "label": ArticleCategory(value).label, "articles": list(articles)},
    )


def _article(request: HttpRequest, slug: str):
    article = _help_articles(request.user).filter(slug=slug).first()
    if article is None:
        raise Http404
    return article


@require_GET
@login_required
def help_article(request: HttpRequest, slug: str) -> HttpResponse:
    article = _article(request, slug)
    vote = ArticleVote.objects.filter(article=article, user=request.user).first()
    return render(
        request,
        "kb/help_article.html",
        {
            "nav": "help",
            "article": article,
            "body_html": md.render(article.body),
            "vote": vote,
            "category_slug": article.category.replace("_", "-"),
        },
    )


@require_POST
@login_required
def help_vote(request: HttpRequest, slug: str) -> HttpResponse:
    article = _article(request, slug)
    helpful = request.POST.get("helpful")
    if helpful in ("yes", "no"):
        services.article_vote(article=article, user=request.user, helpful=helpful == "yes")
    if request.htmx:
        vote = ArticleVote.objects.filter(article=article, user=request.user).first()
        return render(request, "kb/_vote.html", {"article": article, "vote": vote})
    return redirect("help:article", article.slug)
