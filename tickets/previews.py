"""Which attachments the browser may show in place, and how they are served for that.

Only an allow-list: raster images (PNG, JPEG, GIF, WebP; never SVG, which can carry script),
plain text (logs, CSV, JSON shown as text, never as a page) and PDF. Each is served by the
inline view with `X-Content-Type-Options: nosniff` and `Content-Security-Policy: sandbox`, so
a file that lies about its type is never run. Everything else stays a download.

Thumbnails on the timeline are the image itself, sized by CSS and loaded lazily, up to
THUMBNAIL_MAX_BYTES; a bigger image offers a "View" link instead, so a page of screenshots
never pulls megabytes it does not show. (No image library is needed on the server, and no
derived file has to be kept in step with the original.)
"""

from __future__ import annotations

from .models import Attachment

IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
# Served as text/plain whatever they are, so markup in a log is shown, never interpreted.
TEXT_TYPES = frozenset(
    {"text/plain", "text/csv", "text/x-log", "application/json", "text/markdown", "text/x-python"}
)
TEXT_SUFFIXES = (".log", ".txt", ".csv", ".json", ".md", ".har")
PDF_TYPE = "application/pdf"
THUMBNAIL_MAX_BYTES = 2 * 1024 * 1024


def preview_kind(attachment: Attachment) -> str | None:
    """ "image", "text", "pdf", or None for a file that is only downloaded."""
    content_type = (attachment.content_type or "").lower()
    if content_type in IMAGE_TYPES:
        return "image"
    if content_type == PDF_TYPE:
        return "pdf"
    if content_type in TEXT_TYPES or attachment.original_name.lower().endswith(TEXT_SUFFIXES):
        return "text"
    return None


def served_type(attachment: Attachment) -> str | None:
    """The Content-Type the inline view answers with, or None when it must not show it."""
    kind = preview_kind(attachment)
    if kind == "image":
        return attachment.content_type.lower()
    if kind == "pdf":
        return PDF_TYPE
    if kind == "text":
        return "text/plain; charset=utf-8"
    return None


def has_thumbnail(attachment: Attachment) -> bool:
    return preview_kind(attachment) == "image" and attachment.size <= THUMBNAIL_MAX_BYTES
