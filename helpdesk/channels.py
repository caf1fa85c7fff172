"""How an outbox row leaves the building. Each sender raises TransientError for failures worth
retrying (timeouts, refused connections, 5xx) and any other exception for terminal ones."""

from __future__ import annotations

import hashlib
import hmac
import json
import smtplib
from collections.abc import Callable

import requests
from django.conf import settings
from django.core.mail import EmailMessage

from helpdesk.models import OutboundChannel, OutboundMessage, WebhookEndpoint


class TransientError(Exception):
    pass


EmailRenderer = Callable[[OutboundMessage], EmailMessage | None]
_email_renderers: dict[str, EmailRenderer] = {}


def register_email_renderer(kind: str, render: EmailRenderer) -> None:
    """An app draws the emails of one kind of notice itself (the customer's mail of a reply,
    multipart and threaded): the platform knows no app's models. `render` returns None when
    what the row was about is gone, and the plain text written in the row goes instead."""
    _email_renderers[kind] = render


def _email(message: OutboundMessage) -> EmailMessage:
    render = _email_renderers.get((message.payload or {}).get("kind", ""))
    email = render(message) if render else None
    if email is None:
        email = EmailMessage(subject=message.subject, body=message.body)
    email.to = [message.recipient]
    # Stable per row, whatever the renderer drew: a retried send is the same message.
    email.extra_headers["Message-ID"] = message.message_id
    email.extra_headers["X-Helpdesk-Outbox-Id"] = str(message.pk)
    return email


def send_email(message: OutboundMessage) -> None:
    email = _email(message)
    try:
        email.send(fail_silently=False)
    except (
        smtplib.SMTPServerDisconnected,
        smtplib.SMTPConnectError,
        ConnectionError,
        TimeoutError,
    ) as exc:
        raise TransientError(str(exc)) from exc
    except smtplib.SMTPResponseException as exc:
        if 400 <= exc.smtp_code < 500:
            raise TransientError(f"{exc.smtp_code} {exc.smtp_error!r}") from exc
        raise


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def send_webhook(message: OutboundMessage) -> None:
    endpoint = WebhookEndpoint.objects.filter(pk=message.payload.get("endpoint")).first()
    if endpoint is None or not endpoint.is_active:
        raise ValueError("The webhook endpoint is gone or disabled.")
    payload = {k: v for k, v in message.payload.items() if k != "endpoint"}
    body = json.dumps({**payload, "id": message.pk}, separators=(",", ":")).encode()
    headers = {
        "Content-Type": "application/json",
        "Idempotency-Key": f"outbox-{message.pk}",
        "X-Helpdesk-Signature": sign(endpoint.secret, body),
    }
    try:
        response = requests.post(
            message.recipient,
            data=body,
            headers=headers,
            timeout=settings.HELPDESK_WEBHOOK_TIMEOUT_SECONDS,
        )
    except (requests.ConnectionError, requests.Timeout) as exc:
        raise TransientError(str(exc)) from exc
    if response.status_code >= 500 or response.status_code == 429:
        raise TransientError(f"HTTP {response.status_code}")
    if response.status_code >= 400:
        raise ValueError(f"HTTP {response.status_code}")


SENDERS = {OutboundChannel.EMAIL: send_email, OutboundChannel.WEBHOOK: send_webhook}
