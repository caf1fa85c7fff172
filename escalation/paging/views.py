"""Pages of escalation: My pages, one page, the links in notifications, the ticket's side panel.

Everything answers 404 to customers and to anyone who may not see the page or its ticket.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from escalation.models import Page, PageAction, PageReason, PageToken
from escalation.paging import selectors, services, tokens
from helpdesk import clock
from helpdesk.errors import DomainError
from helpdesk.models import User
from tickets.selectors import ticket_get_for_user


def _agent(request: HttpRequest) -> User:
    if not request.user.is_agent_side:
        raise Http404
    return request.user


def _my_pages_ctx(user: User) -> dict:
    now = clock.now()
    return {
        "pages": list(selectors.my_open_pages(user)),
        "acks": selectors.my_recent_acknowledgements(user, now),
        "now": now,
        "nav": "pages",
    }


@login_required
@require_GET
def my_pages(request: HttpRequest) -> HttpResponse:
    user = _agent(request)
    template = "escalation/my_pages.html"
    if request.htmx:
        template += "#my-pages"
    return render(request, template, _my_pages_ctx(user))


@login_required
@require_GET
def page_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _agent(request)
    page = selectors.page_get_for_user(user, pk)
    recipients = page.recipients.select_related("user")
    ctx = {"page": page, "recipients": recipients, "nav": "pages"}
    return render(request, "escalation/page_detail.html", ctx)


def _after_action(request: HttpRequest, page: Page, message: str) -> HttpResponse:
    """htmx: the fresh partial the form came from; otherwise back where it came from."""
    origin = request.POST.get("from", "")
    if request.htmx and origin == "mine":
        ctx = {**_my_pages_ctx(request.user), "message": message}
        return render(request, "escalation/my_pages.html#my-pages", ctx)
    if request.htmx and origin == "panel":
        return _panel(request, page.ticket, message=message)
    if origin == "panel":
        return redirect(page.ticket.get_absolute_url())
    if origin == "mine":
        return redirect("my_pages")
    return redirect("page_detail", pk=page.pk)


def _act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user = _agent(request)
    page = selectors.page_get_for_user(user, pk)
    now = clock.now()
    try:
        if action == PageAction.ACKNOWLEDGE:
            done = services.page_acknowledge(page=page, actor=user, via="web", now=now)
            message = (
                "Acknowledged: nobody else will be paged." if done else "Already acknowledged."
            )
        else:
            done = services.page_resolve(page=page, actor=user, via="web", now=now)
            message = "Resolved." if done else "Already resolved."
    except DomainError as exc:
        message = exc.message
    return _after_action(request, page, message)


@login_required
@require_POST
def page_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, PageAction.ACKNOWLEDGE)


@login_required
@require_POST
def page_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, PageAction.RESOLVE)


def _link_state(token: PageToken | None, now) -> str:
    if token is None:
        return "invalid"
    if token.used_at is not None:
        return "used"
    if token.expires_at <= now:
        return "expired"
    return "valid"


@require_http_methods(["GET", "POST"])
def page_link(request: HttpRequest, token: str) -> HttpResponse:
    """The link in a page's email. GET only asks (mail scanners and previews open links); POST
    acknowledges or resolves as the person the link was sent to, once. The link is the
    credential: an engineer woken at night need not log in first."""
    if request.user.is_authenticated and not request.user.is_agent_side:
        raise Http404
    now = clock.now()
    found = tokens.find(token)
    state = _link_state(found, now)
    ctx = {"token": found, "state": state, "raw": token, "page": found.page if found else None}
    if state == "invalid":
        return render(request, "escalation/page_link.html", ctx, status=404)
    if request.method == "POST" and state == "valid":
        # Spend the link first: of two POSTs racing, exactly one acts.
        claimed = PageToken.objects.filter(pk=found.pk, used_at__isnull=True).update(used_at=now)
        if claimed:
            act = (
                services.page_acknowledge
                if found.action == PageAction.ACKNOWLEDGE
                else services.page_resolve
            )
            try:
                ctx["done"] = act(page=found.page, actor=found.user, via="email link", now=now)
            except DomainError as exc:
                ctx["error"] = exc.message
            ctx["state"] = "acted"
            ctx["page"] = Page.objects.select_related("ticket", "acknowledged_by").get(
                pk=found.page_id
            )
        else:
            ctx["state"] = "used"
    return render(request, "escalation/page_link.html", ctx)


def _panel(request: HttpRequest, ticket, *, message: str = "") -> HttpResponse:
    ctx = {
        "ticket": ticket,
        "pages": selectors.ticket_pages(request.user, ticket.pk),
        "message": message,
    }
    return render(request, "escalation/_page_panel.html", ctx)


@login_required
@require_GET
def ticket_panel(request: HttpRequest, key: str) -> HttpResponse:
    """The ticket page's side panel of pages, loaded by the ticket page's hx-get placeholder."""
    _agent(request)
    ticket = ticket_get_for_user(request.user, key)
    return _panel(request, ticket)


@login_required
@require_POST
def ticket_page_oncall(request: HttpRequest, key: str) -> HttpResponse:
    """ "Page on-call" on the ticket page: a page started by hand, with its policy."""
    user = _agent(request)
    ticket = ticket_get_for_user(user, key)
    try:
        services.page_start(ticket=ticket, reason=PageReason.MANUAL, actor=user, now=clock.now())
        message = "On-call paged."
    except DomainError as exc:
        message = exc.message
    if request.htmx:
        return _panel(request, ticket, message=message)
    return redirect(reverse("ticket_detail", args=[ticket.key]))
