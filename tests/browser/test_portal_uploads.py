"""A customer attaching several files on the portal, one of them empty, in a real Chromium."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login
from tickets.models import Attachment, Ticket

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

FILES = [
    {"name": "trace.har", "mimeType": "application/json", "buffer": b'{"log": {}}'},
    {"name": "empty.log", "mimeType": "text/plain", "buffer": b""},
    {"name": "screen.png", "mimeType": "image/png", "buffer": b"\x89PNG fake"},
]


def test_an_empty_file_is_named_before_sending_and_left_out_without_losing_the_others(
    live_server, page, customer_a, password
):
    login(page, live_server.url, customer_a.username, password)
    page.goto(f"{live_server.url}/portal/new/")
    page.fill("#id_title", "Exports fail")
    page.fill("#id_description", "The CSV export stops at 10,000 rows.")
    files = page.locator("#id_attachments")

    files.set_input_files(FILES)

    problem = page.locator(".file-problems li")
    expect(problem).to_have_count(1)
    expect(problem).to_contain_text("“empty.log” is empty (0 bytes)")

    # Sending is held back by the browser: nothing reaches the server, nothing is cleared.
    page.click(".portal-form button[type=submit]")
    expect(page).to_have_url(re.compile(r"/portal/new/$"))
    assert not Ticket.objects.exists()
    assert files.evaluate("input => input.files.length") == 3
    assert page.input_value("#id_description") == "The CSV export stops at 10,000 rows."

    page.click("text=Leave out “empty.log”")
    expect(problem).to_have_count(0)
    assert files.evaluate("input => [...input.files].map(f => f.name)") == [
        "trace.har",
        "screen.png",
    ]

    page.click(".portal-form button[type=submit]")
    expect(page).to_have_url(re.compile(r"/portal/tickets/"))
    ticket = Ticket.objects.get()
    assert sorted(
        Attachment.objects.filter(ticket=ticket).values_list("original_name", flat=True)
    ) == [
        "screen.png",
        "trace.har",
    ]
    assert page.console_errors == []
