"""The held-messages page: mail that did not become a ticket or a comment and waits for a
person. Managers and admins read it, retry it or discard it; everyone else gets 404."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from helpdesk import keyset
from helpdesk import markdown as md
from helpdesk.errors import DomainError

from . import inbound, selectors
from .models import InboundMessage, Status
from .parsing import parse

PAGE_SIZE = 50
NEWEST_FIRST = keyset.Ordering(name="held", columns=(("received_at", True),), id_descending=True)
# Headers shown first on a held message; the others follow, folded.
MAIN_HEADERS = ("from", "to", "cc", "reply-to", "subject", "date", "message-id", "in-reply-to")


def reviewer_required(view):
    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not selectors.may_review(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


@require_GET
@reviewer_required
def held_list(request: HttpRequest) -> HttpResponse:
    cursor = request.GET.get("cursor") or None
    try:
        page = keyset.page(selectors.held(), ordering=NEWEST_FIRST, cursor=cursor, size=PAGE_SIZE)
    except keyset.InvalidCursor:
        return redirect("mail:held")
    ctx = {"page": page, "nav": "held_mail"}
    return render(request, "mail/held_list.html", ctx)


@require_GET
@reviewer_required
def held_detail(request: HttpRequest, pk: int) -> HttpResponse:
    message = selectors.message_get_for_user(request.user, pk)
    raw = bytes(message.raw)
    try:
        parsed = parse(raw)
        body_html = md.render(parsed.text)
        headers = sorted(parsed.headers.items(), key=_header_order)
        files = parsed.attachments
    except Exception as exc:  # noqa: BLE001 - an unreadable message still shows what it can
        body_html, headers, files = "", [], []
        messages.warning(request, f"This message cannot be read as e-mail: {exc}")
    ctx = {
        "message": message,
        "body_html": body_html,
        "main_headers": [h for h in headers if h[0] in MAIN_HEADERS],
        "other_headers": [h for h in headers if h[0] not in MAIN_HEADERS],
        "files": files,
        "is_held": message.status == Status.HELD,
        "nav": "held_mail",
    }
    return render(request, "mail/held_detail.html", ctx)


def _header_order(item: tuple[str, str]) -> tuple[int, str]:
    name = item[0]
    return (MAIN_HEADERS.index(name) if name in MAIN_HEADERS else len(MAIN_HEADERS), name)


@require_GET
@reviewer_required
def held_raw(request: HttpRequest, pk: int) -> HttpResponse:
    """The message exactly as it came, as a download (never shown inline)."""
    message = selectors.message_get_for_user(request.user, pk)
    response = HttpResponse(bytes(message.raw), content_type="message/rfc822")
    response["Content-Disposition"] = f'attachment; filename="message-{message.pk}.eml"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
@reviewer_required
def held_retry(request: HttpRequest, pk: int) -> HttpResponse:
    message = selectors.message_get_for_user(request.user, pk)
    try:
        message = inbound.retry(message=message, actor=request.user)
    except DomainError as exc:
        messages.error(request, str(exc))
        return redirect("mail:held_detail", pk=pk)
    if message.status == Status.HELD:
        messages.warning(
            request, f"Still held: {message.get_reason_display()}. {message.error[:200]}".strip()
        )
        return redirect("mail:held_detail", pk=pk)
    messages.success(request, f"“{message.subject or '(no subject)'}”: {_outcome(message)}.")
    return redirect("mail:held")


@require_POST
@reviewer_required
def held_discard(request: HttpRequest, pk: int) -> HttpResponse:
    message = selectors.message_get_for_user(request.user, pk)
    try:
        inbound.discard(message=message, actor=request.user)
    except DomainError as exc:
        messages.error(request, str(exc))
        return redirect("mail:held_detail", pk=pk)
    messages.success(request, f"Discarded “{message.subject or '(no subject)'}” (still stored).")
    return redirect("mail:held")


def _outcome(message: InboundMessage) -> str:
    if message.status == Status.IGNORED:
        return f"ignored ({message.get_reason_display().lower()})"
    return message.get_status_display().lower()
