"""Agent pages of articles and runbooks: list, read, write, history and diffs, drafts."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from helpdesk import markdown as md
from helpdesk.access import agent_side_required
from helpdesk.errors import DomainError
from kb import diff, selectors, services
from kb.forms import ArticleForm
from kb.models import ArticleCategory, ArticleKind, ArticleStatus
from tickets.selectors import ticket_get_for_user, tickets_visible_to

PAGE = 100


def _add_error(form, exc: DomainError | ValidationError) -> None:
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(
            getattr(exc, "field", None) if getattr(exc, "field", None) in form.fields else None,
            getattr(exc, "message", str(exc)),
        )


@require_GET
@agent_side_required
def article_list(request: HttpRequest) -> HttpResponse:
    qs = selectors.articles_visible_to(request.user).select_related("author")
    kind = request.GET.get("kind", "")
    category = request.GET.get("category", "")
    status = request.GET.get("status", "")
    q = request.GET.get("q", "").strip()[:200]
    if kind in ArticleKind.values:
        qs = qs.filter(kind=kind)
    if category in ArticleCategory.values:
        qs = qs.filter(category=category)
    if status in ArticleStatus.values:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(summary__icontains=q))
    return render(
        request,
        "kb/article_list.html",
        {
            "nav": "kb",
            "articles": list(qs.order_by("category", "title")[:PAGE]),
            "kinds": ArticleKind.choices,
            "categories": ArticleCategory.choices,
            "statuses": ArticleStatus.choices,
            "filters": {"kind": kind, "category": category, "status": status, "q": q},
        },
    )


@require_GET
@agent_side_required
def article_detail(request: HttpRequest, slug: str) -> HttpResponse:
    article = selectors.article_get_for_user(request.user, slug)
    tickets = (
        tickets_visible_to(request.user)
        .filter(kb_article_links__article=article)
        .select_related("organization")
        .order_by("-created_at")[:50]
    )
    return render(
        request,
        "kb/article_detail.html",
        {
            "nav": "kb",
            "article": article,
            "body_html": md.render(article.body),
            "tickets": tickets,
            "known_issues": article.known_issues.all(),
            "revision_count": article.revisions.count(),
        },
    )


def _save(request: HttpRequest, form: ArticleForm, article=None) -> HttpResponse | None:
    if not form.is_valid():
        return None
    data = dict(form.cleaned_data)
    note = data.pop("note", "")
    try:
        if article is None:
            article = services.article_create(author=request.user, **data)
        else:
            article = services.article_update(
                article=article, author=request.user, note=note, **data
            )
    except (DomainError, ValidationError) as exc:
        _add_error(form, exc)
        return None
    messages.success(request, "Article saved.")
    return redirect(article.get_absolute_url())


@require_http_methods(["GET", "POST"])
@agent_side_required
def article_new(request: HttpRequest) -> HttpResponse:
    form = ArticleForm(request.POST or None)
    if request.method == "POST" and (done := _save(request, form)):
        return done
    return render(request, "kb/article_form.html", {"nav": "kb", "form": form})


@require_http_methods(["GET", "POST"])
@agent_side_required
def article_edit(request: HttpRequest, slug: str) -> HttpResponse:
    article = selectors.article_get_for_user(request.user, slug)
    form = ArticleForm(request.POST or None, instance=article)
    if request.method == "POST" and (done := _save(request, form, article)):
        return done
    return render(request, "kb/article_form.html", {"nav": "kb", "form": form, "article": article})


@require_GET
@agent_side_required
def article_history(request: HttpRequest, slug: str) -> HttpResponse:
    """The revisions, and a side-by-side diff between any two (`from` and `to` numbers; by
    default the last two)."""
    article = selectors.article_get_for_user(request.user, slug)
    revisions = list(article.revisions.select_related("author"))
    by_number = {r.number: r for r in revisions}

    def pick(name: str, default):
        try:
            return by_number.get(int(request.GET.get(name, "")), default)
        except ValueError:
            return default

    newer = pick("to", revisions[0] if revisions else None)
    older = pick("from", revisions[1] if len(revisions) > 1 else newer)
    rows = []
    if older and newer:
        rows = diff.side_by_side(
            f"# {older.title}\n\n{older.body}", f"# {newer.title}\n\n{newer.body}"
        )
    return render(
        request,
        "kb/article_history.html",
        {
            "nav": "kb",
            "article": article,
            "revisions": revisions,
            "older": older,
            "newer": newer,
            "rows": rows,
        },
    )


@require_POST
@agent_side_required
def article_from_ticket(request: HttpRequest, key: str) -> HttpResponse:
    """ "Create KB article" on a resolved ticket: a draft in the troubleshooting template,
    prefilled from the ticket and linked to it, opened for editing."""
    ticket = ticket_get_for_user(request.user, key)
    try:
        draft = services.draft_from_ticket(ticket=ticket)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("ticket_detail", ticket.key)
    article = services.article_create(
        author=request.user,
        title=draft.title,
        body=draft.body,
        source_ticket=ticket,
    )
    messages.success(request, f"Draft written from {ticket.key}: review it before publishing.")
    return redirect("kb:article_edit", article.slug)
