"""The dashboard's pages and panels: who sees them, what they answer, and how many queries."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse

from helpdesk import panels
from helpdesk.dashboard_layout import PROMISED
from helpdesk.models import Role
from tests.dashboard.scenario import DAY
from tests.factories import make_agent
from tickets.metrics import rollup
from tickets.metrics.panels import PANELS

RANGE = {"start": DAY.isoformat(), "end": "2026-03-03"}
PANEL_NAMES = [f"metrics:{name}" for name, _, _ in PANELS] + [
    "escalation_dashboard_acks",
    "escalation_dashboard_rejected",
    "kb:dashboard_known_issues",
]


@pytest.fixture
def rolled(history):
    rollup.roll(first=DAY, last=DAY.replace(day=3))
    return history


def _island(html: str) -> dict:
    found = re.search(r'<script type="application/json" class="chart-data">(.*?)</script>', html)
    assert found, "no chart data island"
    return json.loads(found.group(1))


@pytest.mark.django_db
def test_only_managers_and_admins_see_the_dashboard(client, agent, manager, customer_a):
    url = reverse("dashboard")
    for user, status in ((customer_a, 404), (agent, 404), (manager, 200)):
        client.force_login(user)
        assert client.get(url).status_code == status, user.role
    client.force_login(make_agent(username="boss", role=Role.ADMIN))
    assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_panels_answer_managers_only(client, agent, customer_a, manager):
    for name in PANEL_NAMES:
        url = reverse(name)
        for user in (customer_a, agent):
            client.force_login(user)
            assert client.get(url).status_code == 404, (name, user.role)
        client.logout()
        assert client.get(url).status_code == 302  # to the login page
        client.force_login(manager)
        assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_the_shell_loads_every_registered_panel_with_its_query_and_says_what_is_missing(
    client, manager
):
    client.force_login(manager)
    html = client.get(reverse("dashboard"), {"range": "custom", **RANGE, "severity": "2"}).content
    html = html.decode()
    for name in PANEL_NAMES:
        assert (
            f'hx-get="{reverse(name)}?start=2026-03-02&amp;end=2026-03-03&amp;severity=2"' in html
        )
    registered = set(panels.registered("dashboard"))
    missing = [title for url_name, title in PROMISED if url_name not in registered]
    assert html.count("Not available yet") == len(missing)


@pytest.mark.django_db
def test_the_range_presets_and_bad_input(client, manager, org_a):
    client.force_login(manager)
    page = client.get(reverse("dashboard"), {"range": "7"})
    assert page.context["end"] - page.context["start"] == DAY.resolution * 6
    page = client.get(reverse("dashboard"), {"range": "all", "organization": "Acme Corp"})
    assert page.context["start"] is None
    assert f"?organization={org_a.pk}" in page.content.decode()
    page = client.get(
        reverse("dashboard"),
        {"range": "custom", "start": "2026-03-09", "end": "2026-03-02", "organization": "Nope"},
    )
    errors = page.context["errors"]
    assert (page.context["start"].isoformat(), page.context["end"].isoformat()) == (
        "2026-03-02",
        "2026-03-09",
    )
    assert any("swapped" in e for e in errors)
    assert any("No organization matches “Nope”" in e for e in errors)


@pytest.mark.django_db
def test_a_bad_filter_is_a_clear_400(client, manager):
    client.force_login(manager)
    answer = client.get(reverse("metrics:sla_attainment"), {"start": "yesterday"})
    assert answer.status_code == 400
    assert "start must be a date" in answer.content.decode()


def test_sla_panel_table_chart_and_csv_agree(client, manager, rolled):
    client.force_login(manager)
    url = reverse("metrics:sla_attainment")
    answer = client.get(url, RANGE)
    html = answer.content.decode()
    island = _island(html)
    assert island["type"] == "line"
    assert island["labels"] == ["2026-03-02", "2026-03-03"]
    first = next(s for s in island["series"] if s["name"] == "First response")
    assert first["values"][0] == 75.0  # 3 met, 1 breached
    assert "75.0 %" in html
    assert "sla=breached" in html  # the breaches drill down to the queue
    csv = client.get(url, {**RANGE, "format": "csv"})
    assert csv["Content-Type"].startswith("text/csv")
    lines = csv.content.decode().splitlines()
    assert lines[0] == "Target,Met,Breached,Attainment"
    assert lines[1] == "First response,3,1,75.0 %"


def test_volume_by_category_links_to_the_filtered_queue(client, manager, rolled, org_a):
    client.force_login(manager)
    html = client.get(
        reverse("metrics:volume_by_category"), {**RANGE, "organization": org_a.pk}
    ).content.decode()
    assert _island(html)["series"][0]["values"] == [5]
    assert "organization=acme" in html
    assert "category=authentication" in html


def test_backlog_of_one_organization_is_read_from_its_timeline(client, manager, rolled, org_a):
    client.force_login(manager)
    url = reverse("metrics:backlog")
    everyone = _island(client.get(url, RANGE).content.decode())
    one = _island(client.get(url, {**RANGE, "organization": org_a.pk}).content.decode())
    assert one == everyone
    assert everyone["labels"] == ["2026-03-02", "2026-03-03"]
    totals = [
        sum(values) for values in zip(*(s["values"] for s in everyone["series"]), strict=True)
    ]
    assert totals == [1, 1]
    # A filter narrows the organization's backlog as it narrows everyone's.
    charts = []
    for narrow in ({"severity": "2"}, {"severity": "4"}, {"channel": "email"}):
        everyone = client.get(url, {**RANGE, **narrow}).content.decode()
        one = client.get(url, {**RANGE, **narrow, "organization": org_a.pk}).content.decode()
        charts.append("chart-data" in everyone)
        assert ("chart-data" in one) == charts[-1], narrow
        if charts[-1]:
            assert _island(one) == _island(everyone), narrow
    assert sorted(set(charts)) == [False, True]  # the filters kept some tickets, not others


QUERY_PARAMS = [RANGE, {}, {**RANGE, "severity": "2", "tier": "enterprise", "channel": "email"}]


def test_panels_read_a_bounded_number_of_queries(
    client, manager, rolled, org_a, django_assert_max_num_queries
):
    client.force_login(manager)
    client.get(reverse("dashboard"))  # the session and user are cached as in real use
    for params in [*QUERY_PARAMS, {"organization": org_a.pk}]:
        for name in PANEL_NAMES:
            with django_assert_max_num_queries(6):
                assert client.get(reverse(name), params).status_code == 200, (name, params)


def test_my_work_shows_the_agents_own_tickets_and_times(client, agent, history):
    client.force_login(agent)
    assert client.get(reverse("my_work")).status_code == 200
    html = client.get(reverse("metrics:my_work")).content.decode()
    assert "My open tickets and times" in html
    assert "assignee=me" in html
