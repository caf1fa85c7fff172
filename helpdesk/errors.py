"""Errors that services raise and every interface turns into a clear message."""

from __future__ import annotations


class DomainError(Exception):
    """A refused operation. `code` is stable (API clients match on it); `message` is for people."""

    code = "invalid"
    status = 400

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        if code:
            self.code = code


class Conflict(DomainError):
    code = "conflict"
    status = 409


class Forbidden(DomainError):
    """The actor may see the object but not do this to it."""

    code = "permission_denied"
    status = 403
