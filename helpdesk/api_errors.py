"""Every API error is JSON: {"error": {"code", "message", "fields"}} with a stable code.

That holds for everything under /api/, not only for the views DRF runs: Django's own 400, 403,
404 and 500 answers (an unknown path, a view that crashed) go through the handlers below, which
answer in the same shape under /api/ and with the HTML pages elsewhere.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from helpdesk.errors import DomainError

_CODES = {
    exceptions.ParseError: "malformed_request",
    exceptions.ValidationError: "validation_error",
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.AuthenticationFailed: "authentication_failed",
    exceptions.PermissionDenied: "permission_denied",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.Throttled: "throttled",
}

API_PREFIX = "/api/"
# Longest URL (path and query) an API request may have: gunicorn's request-line limit, whose
# own refusal answers in this shape too (gunicorn.conf.py). Real URLs stay far below it (a
# cursor is under 200 characters); the bound makes a runaway client's URL a clear error.
MAX_URL_CHARS = 8_190


class UriTooLong(exceptions.APIException):
    status_code = 414
    default_detail = f"The URL is longer than {MAX_URL_CHARS:,} characters."
    default_code = "uri_too_long"


_CODES[UriTooLong] = "uri_too_long"


def _body(code: str, message: str, fields: dict | None = None) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        fields = {exc.field: [exc.message]} if exc.field else {}
        return Response(_body(exc.code, exc.message, fields), status=exc.status)
    if isinstance(exc, DjangoValidationError):
        fields = getattr(exc, "message_dict", None) or {"non_field_errors": exc.messages}
        return Response(_body("validation_error", "Invalid input.", fields), status=400)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    code = next((c for cls, c in _CODES.items() if isinstance(exc, cls)), "error")
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        response.data = _body(code, "Invalid input.", detail)
    else:
        response.data = _body(code, str(exc.detail) if hasattr(exc, "detail") else str(exc))
    if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        response["Retry-After"] = str(int(exc.wait) + 1)
    if response.status_code == status.HTTP_401_UNAUTHORIZED and not response.has_header(
        "WWW-Authenticate"
    ):
        response["WWW-Authenticate"] = "Bearer"
    return response


def check_url_length(request) -> None:
    if len(request.get_full_path()) > MAX_URL_CHARS:
        raise UriTooLong()


# Django's error handlers (helpdesk/urls.py): JSON under /api/, the site's pages elsewhere.


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def _json(code: str, message: str, status_code: int) -> JsonResponse:
    return JsonResponse(_body(code, message), status=status_code)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return _json("malformed_request", "Bad request.", 400)
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return _json("permission_denied", "You do not have permission to do this.", 403)
    return defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return _json("not_found", "Not found.", 404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        # Nothing about the failure itself: it is logged with its traceback, not shown.
        return _json(
            "server_error", "Something went wrong on our side. Try again in a moment.", 500
        )
    return defaults.server_error(request)
