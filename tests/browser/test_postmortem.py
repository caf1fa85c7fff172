"""Postmortems and customer satisfaction in a real Chromium: an engineer edits a section and a
timeline entry of a draft, reloads and finds them kept; a customer rates the support from the
link of the email, without logging in.

Set HELPDESK_SCREENSHOTS=<dir> to keep pictures of the postmortem, its print view and the rating
page (laptop and phone)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from helpdesk import clock
from helpdesk.models import OutboundMessage, Role
from postmortems import services
from tests.browser.conftest import login, shoot_laptop_and_phone
from tests.factories import OrganizationFactory, make_agent, make_contact, make_ticket
from tickets import services as ticket_services
from tickets.models import SatisfactionSurvey

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _shoot(page, name: str) -> None:
    shoot_laptop_and_phone(page, name)


def _resolved_p1():
    engineer = make_agent(username="sam", first_name="Sam", last_name="Okafor", role=Role.ENGINEER)
    make_agent(username="morgan", first_name="Morgan", last_name="Ellis", role=Role.MANAGER)
    acme = OrganizationFactory(name="Acme Corp", slug="acme", tier="enterprise")
    customer = make_contact(acme, username="casey", first_name="Casey", last_name="Customer")
    start = clock.now() - timedelta(hours=3)
    ticket = make_ticket(
        actor=engineer, organization=acme, requester=customer, severity=1, assignee=engineer,
        title="Customer unable to login", now=start,
    )  # fmt: skip
    for minutes, summary, actor in (
        (1, "started an on-call page (P1; policy Critical)", None),
        (1, "paged level 1: Sam Okafor", None),
        (4, "acknowledged the on-call page (web) after 3 min, at level 1", engineer),
    ):
        ticket_services.ticket_record_page_step(
            ticket_id=ticket.pk, summary=summary, actor=actor,
            now=start + timedelta(minutes=minutes),
        )  # fmt: skip
    ticket_services.comment_add(
        ticket=ticket, author=engineer, body="We found the cause; a fix is rolling out.",
        now=start + timedelta(minutes=30),
    )  # fmt: skip
    ticket = ticket_services.ticket_transition(ticket=ticket, to="resolved", actor=engineer)
    pm = services.postmortem_open_draft(ticket_id=ticket.pk, now=clock.now())
    return engineer, customer, ticket, pm


def test_postmortem_edits_are_kept_and_the_customer_rates_from_the_email(
    live_server, browser, page, password
):
    engineer, customer, ticket, pm = _resolved_p1()
    base = live_server.url

    login(page, base, "sam", password)
    page.goto(f"{base}/postmortems/{pm.pk}/")
    summary = page.locator("#section-summary")
    summary.locator("textarea").fill("SSO logins failed for two hours after an issuer change.")
    summary.get_by_role("button", name="Save").click()
    expect(page.locator("#section-summary .pm-saved")).to_have_text("Saved")
    root = page.locator("#section-root_cause")
    root.locator("textarea").fill("Human error: the validator cached the issuer.")
    root.get_by_role("button", name="Save").click()
    expect(page.locator("#pm-warnings")).to_contain_text("“Human error”")

    entry = pm.entries.get(kind="page", text__startswith="Paged level 1")
    row = page.locator(f"#entry-{entry.pk}")
    row.locator("input[name=text]").fill("Paged Sam, the on-call engineer")
    row.get_by_role("button", name="Save").click()
    expect(page.locator(f"#entry-{entry.pk} .faint")).to_have_text("edited")
    page.locator(f"#entry-{entry.pk}").get_by_role("button", name="☆").click()
    expect(page.locator(f"#entry-{entry.pk}")).to_have_class(re.compile("is-starred"))

    page.reload()
    expect(page.locator("#section-summary textarea")).to_have_value(
        "SSO logins failed for two hours after an issuer change."
    )
    expect(page.locator(f"#entry-{entry.pk} input[name=text]")).to_have_value(
        "Paged Sam, the on-call engineer"
    )
    expect(page.locator(f"#entry-{entry.pk}")).to_have_class(re.compile("is-starred"))
    assert page.console_errors == []
    _shoot(page, "postmortem")
    page.goto(f"{base}/postmortems/{pm.pk}/print/")
    expect(page.get_by_role("heading", name="Timeline (UTC)")).to_be_visible()
    _shoot(page, "postmortem-print")

    # The customer: the link from the email, in a browser where nobody is logged in.
    survey = SatisfactionSurvey.objects.get(ticket=ticket)
    email = OutboundMessage.objects.get(dedup_key=f"satisfaction:{survey.pk}:email")
    link = re.search(r"https?://\S+/satisfaction/rate/[\w-]+/", email.body).group(0)
    path = link.split("/satisfaction/", 1)[1]
    anonymous = browser.new_context(viewport={"width": 1366, "height": 860})
    rating_page = anonymous.new_page()
    rating_page.goto(f"{base}/satisfaction/{path}")
    expect(rating_page.get_by_role("heading", name="How did we do?")).to_be_visible()
    _shoot(rating_page, "rating")
    rating_page.get_by_text("Satisfied", exact=True).click()
    rating_page.get_by_label("Anything we could do better?").fill("Fast, and clear updates.")
    rating_page.get_by_role("button", name="Send my rating").click()
    expect(rating_page.get_by_role("heading", name="Thank you!")).to_be_visible()
    _shoot(rating_page, "rating-thanks")
    anonymous.close()
    survey.refresh_from_db()
    assert (survey.rating, survey.comment, survey.rated_via) == (
        4,
        "Fast, and clear updates.",
        "email",
    )
