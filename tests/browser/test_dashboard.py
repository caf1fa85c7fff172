"""The manager dashboard in a real Chromium: the manager opens it, changes the range, and each
chart's data (the JSON its panel serves) agrees with the panel's table.

Set HELPDESK_SCREENSHOTS=<dir> to keep pictures of the dashboard at laptop and phone sizes."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import time_machine
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, login, shoot
from tests.dashboard import scenario
from tests.factories import make_contact
from tickets.metrics import rollup

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
TODAY = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)


def _panel(page, title: str):
    return page.locator(".dash-panel", has=page.get_by_role("heading", name=title, exact=True))


def _chart_and_table(panel) -> tuple[dict, list[list[str]]]:
    island = json.loads(panel.locator("script.chart-data").text_content())
    rows = panel.locator(".dash-table tbody tr")
    table = [rows.nth(i).locator("td").all_text_contents() for i in range(rows.count())]
    return island, table


def _shoot(page, name: str) -> None:
    shoot(page, name, full=True)


def test_the_manager_changes_the_range_and_charts_agree_with_tables(
    live_server, page, manager, agent, org_a, password
):
    expect.set_options(timeout=15_000)  # fourteen panels load at once on a busy machine
    try:
        _walk_through(live_server.url, page, agent, org_a, password)
    finally:
        expect.set_options(timeout=5_000)


def _walk_through(base, page, agent, org_a, password) -> None:
    with time_machine.travel(TODAY, tick=True):
        customer = make_contact(org_a, username="cust")
        scenario.build(agent=agent, customer=customer, organization=org_a)
        rollup.roll(first=scenario.DAY, last=TODAY.date())
        login(page, base, "manager", password)
        page.get_by_role("link", name="Dashboard").click()
        expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()

        volume = _panel(page, "Volume by category")
        expect(volume.locator("canvas")).to_be_visible()
        # charts.js marks an island once Chart.js has drawn it.
        expect(volume.locator("script.chart-data[data-drawn]")).to_have_count(1)
        island, table = _chart_and_table(volume)
        assert island["labels"] == [row[0] for row in table] == ["Authentication"]
        assert island["series"][0]["values"] == [int(row[1]) for row in table] == [5]

        sla = _panel(page, "SLA attainment")
        expect(sla.locator("script.chart-data[data-drawn]")).to_have_count(1)
        island, table = _chart_and_table(sla)
        by_target = {row[0]: row[3] for row in table}
        for series in island["series"]:
            if series["name"] in ("First response", "Resolution"):
                known = [v for v in series["values"] if v is not None]
                # Decided on one day of the range: its point is the table's figure.
                assert [f"{v:.1f} %" for v in known] == [by_target[series["name"]]]
        assert by_target["First response"] == "75.0 %"
        _shoot(page, "dashboard-laptop")

        page.get_by_role("link", name="7 days").click()
        expect(page.get_by_role("link", name="7 days")).to_have_attribute("aria-current", "true")
        expect(_panel(page, "Volume by category")).to_contain_text("Nothing in this range.")
        backlog = _panel(page, "Backlog and its age")
        expect(backlog.locator("script.chart-data[data-drawn]")).to_have_count(1)
        island, table = _chart_and_table(backlog)
        assert island["labels"] == [row[0] for row in table]
        assert len(table) == 7
        totals = [
            sum(point) for point in zip(*(s["values"] for s in island["series"]), strict=True)
        ]
        assert totals == [int(row[1]) for row in table] == [1] * 7  # E, still open

        page.get_by_role("link", name="90 days").click()
        volume = _panel(page, "Volume by category")
        expect(volume.locator("script.chart-data[data-drawn]")).to_have_count(1)
        island, table = _chart_and_table(volume)
        assert island["series"][0]["values"] == [int(row[1]) for row in table] == [5]
        assert page.console_errors == []

        page.set_viewport_size(PHONE)
        page.get_by_role("link", name="30 days").click()
        expect(
            _panel(page, "SLA attainment").locator("script.chart-data[data-drawn]")
        ).to_have_count(1)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"the page scrolls sideways ({width} px)"
        _shoot(page, "dashboard-phone")
