"""Pages and partials of the search: the agents' search, the composer's and the portal's
suggestions, suggested articles opened from the portal, and the usage figures."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from helpdesk import clock
from helpdesk.access import agent_side_required
from kb import selectors
from kb.search import engine, suggest, usage
from kb.search.forms import SearchForm
from kb.search.models import SuggestionPlace
from tickets.selectors import ticket_get_for_user

# What of the ticket the composer's suggestions match before anything is typed.
TICKET_TEXT = 600
DRAFT_TEXT = 2000


@require_GET
@agent_side_required
def search_page(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    ctx: dict = {"nav": "search", "form": form, "results": None}
    if form.is_valid() and form.cleaned_data["q"]:
        text, filters = form.cleaned_data["q"], form.filters()
        results = engine.search(user=request.user, text=text, filters=filters, limit=form.limit())
        found = any(r.hits for r in results)
        if not found and not filters.narrowed and not filters.kind:
            usage.search_found_nothing(text=text, now=clock.now())
        ctx.update(results=results, found=found, q=text, one_kind=bool(filters.kind))
    return render(request, "kb/search.html", ctx)


def _link_text(title: str) -> str:
    return title.replace("[", "(").replace("]", ")")


@require_GET
@agent_side_required
def suggest_composer(request: HttpRequest, key: str) -> HttpResponse:
    """The reply composer's suggestions: articles and known issues matching the ticket and,
    once typing starts, the draft. The first load draws the panel; typing refreshes its list."""
    ticket = ticket_get_for_user(request.user, key)
    draft = request.GET.get("body", "")[:DRAFT_TEXT]
    text = f"{ticket.title} {ticket.description[:TICKET_TEXT]} {draft}"
    articles, issues = suggest.for_composer(user=request.user, text=text)
    # What one click puts into the draft: a public article's help-centre link (a customer can
    # open it), a known issue's workaround. Internal articles and runbooks are for reading only.
    for article in articles:
        article.insert_text = ""
        if article.is_public:
            url = request.build_absolute_uri(reverse("help:article", args=[article.slug]))
            article.insert_text = f"[{_link_text(article.title)}]({url})"
    for issue in issues:
        issue.insert_text = (
            f"Workaround ({issue.external_id}):\n\n{issue.workaround}" if issue.workaround else ""
        )
    ctx = {"ticket": ticket, "articles": articles, "known_issues": issues}
    template = "kb/_suggest_composer.html"
    if request.htmx and request.htmx.target == "kb-suggest-list":
        template += "#suggest-list"
    return render(request, template, ctx)


@require_GET
@login_required
def suggest_portal(request: HttpRequest) -> HttpResponse:
    """The portal's new-ticket form: public articles matching the title and description."""
    text = f"{request.GET.get('title', '')[:300]} {request.GET.get('description', '')[:DRAFT_TEXT]}"
    ctx = {"articles": suggest.for_portal(user=request.user, text=text)}
    template = "kb/_suggest_portal.html"
    if request.htmx and request.htmx.target == "kb-portal-suggest-list":
        template += "#suggest-list"
    return render(request, template, ctx)


@require_GET
@login_required
def open_suggested(request: HttpRequest, slug: str) -> HttpResponse:
    """A suggested article opened from the new-ticket form: counted, then shown. Whether a
    ticket followed decides later whether it was a deflection (kb.search.usage)."""
    article = (
        selectors.articles_visible_to(request.user)
        .filter(selectors.PUBLIC_ARTICLE, slug=slug)
        .first()
    )
    if article is None:
        raise Http404
    if not request.user.is_agent_side:
        usage.suggestion_opened(
            article=article, user=request.user, place=SuggestionPlace.PORTAL, now=clock.now()
        )
    return redirect("help:article", article.slug)


@require_GET
@agent_side_required
def usage_page(request: HttpRequest) -> HttpResponse:
    now = clock.now()
    articles = usage.article_figures(articles=selectors.articles_visible_to(request.user), now=now)[
        : usage.ARTICLES_SHOWN
    ]
    ctx = {
        "nav": "kb",
        "articles": list(articles),
        "gaps": list(usage.documentation_gaps()[: usage.GAPS_SHOWN]),
        "window_minutes": int(usage.DEFLECTION_WINDOW.total_seconds() // 60),
    }
    return render(request, "kb/search_usage.html", ctx)
