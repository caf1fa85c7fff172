"""Files sent from the portal: a refused file is named, and the rest of the form is kept."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.factories import make_ticket
from tickets.forms_portal import MAX_FILES
from tickets.models import Attachment, Comment, Ticket

pytestmark = pytest.mark.django_db

NEW_TICKET = {
    "title": "Exports fail",
    "description": "The CSV export stops at 10,000 rows.",
    "severity": "3",
    "issue_type": "bug",
    "category": "other",
    "environment": "production",
}


def files():
    return [
        SimpleUploadedFile("trace.har", b"{}"),
        SimpleUploadedFile("empty.log", b""),
        SimpleUploadedFile("screen.png", b"\x89PNG"),
    ]


def test_an_empty_file_among_several_is_named_on_a_new_ticket(client, customer_a):
    client.force_login(customer_a)

    response = client.post(reverse("portal_new"), {**NEW_TICKET, "attachments": files()})

    html = response.content.decode()
    assert response.status_code == 200
    assert "“empty.log” is empty (0 bytes): leave it out, or choose it again once it" in html
    assert "The submitted file is empty." not in html
    assert "The CSV export stops at 10,000 rows." in html  # what was typed is kept
    assert "Choose your files again" in html
    assert not Ticket.objects.exists()
    assert not Attachment.objects.exists()


def test_an_empty_file_among_several_is_named_on_a_reply(client, org_a, customer_a):
    ticket = make_ticket(actor=customer_a, organization=org_a, requester=customer_a)
    client.force_login(customer_a)

    response = client.post(
        reverse("portal_reply", args=[ticket.key]),
        {"body": "Here are the logs", "attachments": files()},
    )

    html = response.content.decode()
    assert "“empty.log” is empty (0 bytes)" in html
    assert "Here are the logs" in html
    assert not Comment.objects.exists()
    assert not Attachment.objects.exists()


def test_the_file_input_carries_the_limits_the_browser_checks(client, customer_a, settings):
    settings.HELPDESK_ATTACHMENT_MAX_BYTES = 3 * 1_048_576
    client.force_login(customer_a)

    html = client.get(reverse("portal_new")).content.decode()

    assert f'data-max-bytes="{3 * 1_048_576}"' in html
    assert f'data-max-files="{MAX_FILES}"' in html
    assert "js/portal_files.js" in html
