"""Attachments are served only here, after the access policy: as downloads, and the few types a
browser shows safely also in place (tickets/previews.py).

The API hands out this URL as `download_url`, so it accepts the API's credentials too: a request
with a Bearer token is that token's user (a bad token answers 401 in the API's error shape, never
the login page); without one, the browser's session as for every page.
"""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET
from rest_framework.exceptions import AuthenticationFailed

from helpdesk.api_auth import HashedTokenAuthentication
from helpdesk.models import User
from tickets import previews
from tickets.selectors import attachment_get_for_user


def _authenticated_user(request) -> tuple[User | None, HttpResponse | None]:
    """The token's user, else the session's; or the answer to give instead (401, login)."""
    try:
        authenticated = HashedTokenAuthentication().authenticate(request)
    except AuthenticationFailed as exc:
        response = JsonResponse(
            {"error": {"code": "authentication_failed", "message": str(exc.detail), "fields": {}}},
            status=401,
        )
        response["WWW-Authenticate"] = "Bearer"
        return None, response
    user = authenticated[0] if authenticated else request.user
    if not user.is_authenticated:
        return None, redirect_to_login(request.get_full_path())
    return user, None


def _open(attachment):
    try:
        return attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None


@require_GET
def attachment_download(request, pk: int):
    user, refusal = _authenticated_user(request)
    if refusal is not None:
        return refusal
    attachment = attachment_get_for_user(user, pk)
    response = FileResponse(
        _open(attachment),
        as_attachment=True,
        filename=attachment.original_name,
        content_type="application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@require_GET
def attachment_inline(request, pk: int):
    """The file shown in place (thumbnails, "View"), for the allow-list of tickets/previews.py
    only: a sandboxed document that runs no script, with its type never sniffed. Any other
    file answers 404 here and stays a download. Same access check as the download."""
    user, refusal = _authenticated_user(request)
    if refusal is not None:
        return refusal
    attachment = attachment_get_for_user(user, pk)
    content_type = previews.served_type(attachment)
    if content_type is None:
        raise Http404
    response = FileResponse(
        _open(attachment),
        as_attachment=False,
        filename=attachment.original_name,
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    # Private: a shared cache must never hand it to someone else. A short private cache lets
    # the timeline's thumbnails come back from the browser on the next page.
    response["Cache-Control"] = "private, max-age=300"
    response["Content-Security-Policy"] = (
        "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
    )
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response
