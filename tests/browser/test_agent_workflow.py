"""Macros, the requester picker and the portal's CC in a real Chromium, through their controls.

With HELPDESK_SCREENSHOTS=<dir> the tests also save laptop and phone screenshots of what they show
(a macro being applied, an image preview on the timeline, the portal's expected-answer line);
the console is then not checked, since Playwright's screenshots inject a style the page's CSP
refuses.
"""

from __future__ import annotations

import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect

from tests.browser.conftest import LAPTOP, PHONE, login, shoot
from tests.factories import PASSWORD, TeamFactory, make_contact, make_ticket
from tickets import services
from tickets.models import Macro, Ticket, TicketCc

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SHOTS = os.environ.get("HELPDESK_SCREENSHOTS")


def _shot(page, name: str, *, full: bool = False) -> None:
    shoot(page, name, full=full)


def _png() -> bytes:
    """A 320x200 PNG drawn without an image library: a blue field with a white band."""
    import struct
    import zlib

    width, height = 320, 200
    rows = b"".join(
        b"\x00"
        + b"".join(b"\xff\xff\xff" if 80 <= y < 120 else b"\x3b\x5b\xdb" for _ in range(width))
        for y in range(height)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def test_agent_picks_a_requester_by_email_then_applies_a_macro(
    page, live_server, agent, org_a, org_b, customer_a
):
    dana = make_contact(
        org_a, username="dana", first_name="Dana", last_name="Scully", email="dana@acme.io"
    )
    make_contact(org_b, username="dan", first_name="Dan", last_name="Other", email="dan@globex.io")
    login(page, live_server.url, "agent", PASSWORD)

    # The requester, found by typing part of an email address.
    page.goto(f"{live_server.url}/tickets/new/")
    page.fill("#id_requester", "dana@ac")
    option = page.locator(".requester-option", has_text="Dana Scully")
    expect(option).to_be_visible()
    expect(page.locator(".requester-option")).to_have_count(1)
    option.click()
    expect(page.locator("#id_requester")).to_have_value("dana@acme.io")
    expect(page.locator("#id_organization")).to_have_value("acme")
    page.fill("#id_title", "Export button does nothing")
    page.click("button[type=submit]:has-text('Create ticket')")
    page.wait_for_url("**/tickets/SUP-*/")
    opened = Ticket.objects.get(title="Export button does nothing")
    assert (opened.requester, opened.organization) == (dana, org_a)

    # A macro on another ticket, whose customer sent a screenshot.
    billing = TeamFactory(name="Billing", slug="billing")
    macro = Macro.objects.create(
        name="Billing question",
        body="Hi {{ customer_name }}, our billing team has your question on {{ ticket_key }}.",
        set_status="in_progress",
        set_severity=2,
        set_team=billing,
        add_tags=["billing"],
    )
    ticket = make_ticket(
        actor=agent, organization=org_a, requester=customer_a, title="Invoice shows twice"
    )
    services.comment_add(
        ticket=ticket,
        author=customer_a,
        body="Here is the invoice screen.",
        files=[SimpleUploadedFile("invoice.png", _png())],
    )
    page.goto(f"{live_server.url}/tickets/{ticket.key}/")

    # The image on the timeline is a thumbnail that loaded (a real decoded image).
    thumb = page.locator(".att-thumb img")
    expect(thumb).to_be_visible()
    loaded_width = thumb.evaluate(
        "img => img.complete ? img.naturalWidth"
        " : new Promise(done => img.addEventListener('load', () => done(img.naturalWidth)))"
    )
    assert loaded_width == 320
    thumb.scroll_into_view_if_needed()
    _shot(page, "image-preview-laptop")

    page.select_option("#macro-picker", str(macro.pk))
    expect(page.locator("#macro-summary")).to_have_text(
        "Sets status with the reply: In progress; sets severity: P2 High; sets team: Billing; "
        "adds tag: billing; writes a reply"
    )
    page.locator("#macro-preview").scroll_into_view_if_needed()
    _shot(page, "macro-preview-laptop")
    page.click("#macro-apply-btn")

    expect(page.locator("#reply-body")).to_have_value(
        f"Hi Casey Acme, our billing team has your question on {ticket.key}."
    )
    expect(page.locator("#composer-status")).to_have_value("in_progress")
    expect(page.locator("#props-status")).to_contain_text("Applied “Billing question”")
    expect(page.locator("#macro-preview")).to_be_empty()
    _shot(page, "macro-applied-laptop")

    page.reload()
    expect(page.locator("#f-severity")).to_have_value("2")
    expect(page.locator("#f-team")).to_have_value("billing")
    expect(page.locator("#f-tags")).to_have_value("billing")
    expect(page.locator("#timeline")).to_contain_text("applied the macro “Billing question”")
    assert Macro.objects.get(pk=macro.pk).use_count == 1

    if SHOTS:
        page.set_viewport_size(PHONE)
        page.select_option("#macro-picker", str(macro.pk))
        expect(page.locator("#macro-summary")).to_be_visible()
        page.locator("#macro-preview").scroll_into_view_if_needed()
        _shot(page, "macro-preview-phone")
        page.locator(".att-thumb img").scroll_into_view_if_needed()
        _shot(page, "image-preview-phone")
    assert SHOTS or page.console_errors == []


def test_customer_adds_a_colleague_as_cc_and_sees_when_to_expect_an_answer(
    page, live_server, agent, org_a, customer_a
):
    colleague = make_contact(org_a, username="cole", first_name="Cole", last_name="Acme")
    ticket = make_ticket(
        actor=customer_a,
        organization=org_a,
        requester=customer_a,
        channel="portal",
        severity=2,
        title="Webhooks arrive late",
    )
    page.context.add_cookies([{"name": "tz", "value": "Europe/Paris", "url": live_server.url}])
    login(page, live_server.url, "cust_a", PASSWORD)
    page.goto(f"{live_server.url}/portal/tickets/{ticket.key}/")
    expect(page.locator("#portal-expect")).to_contain_text("We will reply by")
    expect(page.locator("#portal-expect")).to_contain_text("your time")

    page.fill("#cc-q", "cole")
    add = page.locator(".cc-option", has_text="Cole Acme")
    expect(add).to_be_visible()
    add.click()
    expect(page.locator(".portal-cc-list")).to_contain_text("Cole Acme")
    assert TicketCc.objects.filter(ticket=ticket, user=colleague).exists()

    if SHOTS:
        page.set_viewport_size(PHONE)
        page.reload()
        page.evaluate("window.scrollTo(0, 0)")
        _shot(page, "portal-expected-phone")
        page.locator("#portal-cc").scroll_into_view_if_needed()
        _shot(page, "portal-cc-phone")
        page.set_viewport_size(LAPTOP)
        page.reload()
        _shot(page, "portal-expected-laptop", full=True)
    assert SHOTS or page.console_errors == []
