"""Attachments shown in place: an allow-list, sandboxed, never sniffed, behind the access check."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.factories import make_ticket
from tickets import services
from tickets.models import Attachment

pytestmark = pytest.mark.django_db

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f"
    b"\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99=\x1d"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture
def ticket(agent, customer_a, org_a):
    ticket = make_ticket(actor=agent, organization=org_a, requester=customer_a)
    services.comment_add(
        ticket=ticket,
        author=customer_a,
        body="Screenshot, log, report and a page",
        files=[
            SimpleUploadedFile("screen.png", PNG),
            SimpleUploadedFile("trace.log", b"<script>alert(1)</script> GET /v1 500"),
            SimpleUploadedFile("report.pdf", b"%PDF-1.4\n%%EOF\n"),
            SimpleUploadedFile("page.html", b"<script>alert(1)</script>"),
            SimpleUploadedFile("drawing.svg", b"<svg onload='alert(1)'/>"),
        ],
    )
    return ticket


def _url(name: str) -> str:
    return reverse("attachment_inline", args=[Attachment.objects.get(original_name=name).pk])


@pytest.mark.parametrize(
    ("name", "served"),
    [
        ("screen.png", "image/png"),
        ("trace.log", "text/plain; charset=utf-8"),
        ("report.pdf", "application/pdf"),
    ],
)
def test_allowed_types_are_shown_in_place_sandboxed_and_never_sniffed(
    client, customer_a, ticket, name, served
):
    client.force_login(customer_a)
    response = client.get(_url(name))
    assert response.status_code == 200
    assert response["Content-Type"] == served
    assert response["Content-Disposition"].startswith("inline")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"].startswith("sandbox; default-src 'none'")
    assert "private" in response["Cache-Control"]


@pytest.mark.parametrize("name", ["page.html", "drawing.svg"])
def test_other_types_are_never_shown_in_place(client, customer_a, ticket, name):
    client.force_login(customer_a)
    assert client.get(_url(name)).status_code == 404


def test_customers_of_another_organization_get_404(client, customer_b, ticket):
    client.force_login(customer_b)
    assert client.get(_url("screen.png")).status_code == 404


def test_internal_files_stay_with_agents(client, agent, customer_a, ticket):
    services.attachment_add(
        ticket=ticket, uploaded_by=agent, file=SimpleUploadedFile("x.png", PNG), is_internal=True
    )
    client.force_login(customer_a)
    assert client.get(_url("x.png")).status_code == 404
    client.force_login(agent)
    assert client.get(_url("x.png")).status_code == 200


def test_timeline_shows_a_thumbnail_for_images_and_view_for_text_and_pdf(client, agent, ticket):
    client.force_login(agent)
    html = client.get(reverse("ticket_detail", args=[ticket.key])).content.decode()
    png = _url("screen.png")
    assert f'<a class="att-thumb" href="{png}" target="_blank" rel="noopener"' in html
    assert f'<img src="{png}" alt="screen.png" loading="lazy"' in html
    assert f'<a class="att-view small" href="{_url("trace.log")}"' in html
    assert f'<a class="att-view small" href="{_url("report.pdf")}"' in html
    assert _url("page.html") not in html


def test_portal_conversation_shows_the_same_previews(client, customer_a, ticket):
    client.force_login(customer_a)
    html = client.get(reverse("portal_ticket", args=[ticket.key])).content.decode()
    assert f'<img src="{_url("screen.png")}" alt="screen.png" loading="lazy"' in html
    assert f'<a class="att-view small" href="{_url("trace.log")}"' in html
