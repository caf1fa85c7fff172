"""Attachments are served only here, after the access policy, always as downloads.

The API hands out this URL as `download_url`, so it accepts the API's credentials too: a request
with a Bearer token is that token's user (a bad token answers 401 in the API's error shape, never
the login page); without one, the browser's session as for every page.
"""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, Http404, JsonResponse
from django.views.decorators.http import require_GET
from rest_framework.exceptions import AuthenticationFailed

from helpdesk.api_auth import HashedTokenAuthentication
from tickets.selectors import attachment_get_for_user


@require_GET
def attachment_download(request, pk: int):
    try:
        authenticated = HashedTokenAuthentication().authenticate(request)
    except AuthenticationFailed as exc:
        response = JsonResponse(
            {"error": {"code": "authentication_failed", "message": str(exc.detail), "fields": {}}},
            status=401,
        )
        response["WWW-Authenticate"] = "Bearer"
        return response
    user = authenticated[0] if authenticated else request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    attachment = attachment_get_for_user(user, pk)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.original_name,
        content_type="application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
