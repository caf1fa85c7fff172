"""The schedule calendar in a real Chromium: an engineer covers a colleague's shift in two clicks.

Set HELPDESK_SCREENSHOTS=<dir> to keep pictures of the list and the calendar (with a cover and a
gap warning) at laptop and phone sizes."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from escalation.models import Override, Rotation
from escalation.oncall import oncall_at
from escalation.services import schedule_materialise
from helpdesk import clock
from helpdesk.models import Role
from tests.browser.conftest import PHONE, login, shoot
from tests.escalation.oncall_factories import make_schedule
from tests.factories import make_agent

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _shoot(page, name: str) -> None:
    shoot(page, name, full=True)


def test_an_engineer_covers_a_colleagues_day_in_two_clicks(live_server, page, password, browser):
    now = clock.now()
    today = now.astimezone(ZoneInfo("Europe/Oslo")).date()
    ada = make_agent(username="ada", first_name="Ada", last_name="Lovelace", role=Role.ENGINEER)
    bo = make_agent(username="bo", first_name="Bo", last_name="Berg", role=Role.ENGINEER)
    schedule = make_schedule(
        members=[ada, bo],
        now=now,
        name="Primary on-call",
        length="daily",
        starts_on=today - timedelta(days=14),
    )
    # The rota is agreed for two weeks: the calendar warns of the gap after it.
    Rotation.objects.filter(schedule=schedule).update(ends_on=today + timedelta(days=15))
    schedule_materialise(schedule=schedule, now=now)

    login(page, live_server.url, "bo", password)
    page.goto(f"{live_server.url}/oncall/{schedule.pk}/")
    expect(page.locator(".oncall-gaps")).to_contain_text("Gaps in coverage")

    # Click 1: a day of Ada's in the coming week; click 2: "I'll cover".
    day = page.locator(".cal-piece:not(.is-gap):not(.is-mine)", has_text="Ada Lovelace").nth(2)
    day.click()
    expect(page.locator("#override-panel")).to_contain_text("Cover Ada Lovelace's shift")
    page.get_by_role("button", name="I'll cover").click()

    expect(page.locator(".flash-success, .flash")).to_contain_text("You will be on call")
    expect(page.locator(".cal-piece.is-cover").first).to_contain_text("cover for Ada Lovelace")
    override = Override.objects.get()
    assert (override.user, override.covers_for, override.created_by) == (bo, ada, bo)
    assert oncall_at(schedule, override.starts_at + timedelta(minutes=1)) == [bo]
    assert page.console_errors == []
    _shoot(page, "schedule-laptop")
    page.goto(f"{live_server.url}/oncall/")
    _shoot(page, "list-laptop")

    phone = browser.new_context(viewport=PHONE).new_page()
    login(phone, live_server.url, "bo", password)
    phone.goto(f"{live_server.url}/oncall/{schedule.pk}/")
    expect(phone.locator(".cal-piece.is-cover").first).to_be_visible()
    _shoot(phone, "schedule-phone")
    phone.goto(f"{live_server.url}/oncall/")
    _shoot(phone, "list-phone")
    phone.context.close()
