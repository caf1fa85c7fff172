from __future__ import annotations

import pytest
from django.urls import reverse

from helpdesk.models import Role
from tests.factories import OrganizationFactory, TeamFactory, make_agent, make_ticket
from tickets import queue, services
from tickets.choices import Status
from tickets.models import SavedView

pytestmark = pytest.mark.django_db


def _keys(response) -> list[str]:
    return [t.key for t in response.context["page"].rows]


def test_queue_shows_open_tickets_next_sla_due_first(client, agent):
    org = OrganizationFactory()
    low = make_ticket(actor=agent, organization=org, title="Low", severity=4)
    critical = make_ticket(actor=agent, organization=org, title="Critical", severity=1)
    waiting = make_ticket(actor=agent, organization=org, title="Waiting", severity=1)
    services.ticket_transition(
        ticket=waiting, to=Status.WAITING_ON_CUSTOMER, actor=agent, message="Which region?"
    )
    closed = make_ticket(actor=agent, organization=org, title="Closed one")
    services.ticket_transition(ticket=closed, to=Status.CLOSED, actor=agent)
    client.force_login(agent)

    response = client.get(reverse("queue"))

    assert response.status_code == 200
    assert _keys(response) == [critical.key, low.key, waiting.key]  # paused clocks last
    html = response.content.decode()
    assert 'class="sla sla-ok"' in html
    assert "sla sla-paused" in html


def test_queue_sla_filters(client, agent):
    from datetime import timedelta

    import time_machine

    from helpdesk import clock

    org = OrganizationFactory()
    start = clock.now()
    with time_machine.travel(start - timedelta(minutes=20), tick=False):
        late = make_ticket(actor=agent, organization=org, title="Late", severity=1)
    with time_machine.travel(start - timedelta(minutes=5), tick=False):
        soon = make_ticket(actor=agent, organization=org, title="Soon", severity=1)
    make_ticket(actor=agent, organization=org, title="Relaxed", severity=4)
    client.force_login(agent)

    assert _keys(client.get(reverse("queue"), {"sla": "breached"})) == [late.key]
    assert _keys(client.get(reverse("queue"), {"sla": "soon"})) == [soon.key]
    assert "sla-breached" in client.get(reverse("queue"), {"sla": "breached"}).content.decode()


@pytest.mark.parametrize(
    ("params", "expected_titles"),
    [
        ("severity=1", ["Critical login"]),
        ("severity=1&severity=2", ["High latency", "Critical login"]),
        ("assignee=me", ["Critical login"]),
        ("assignee=none", ["Docs question", "High latency"]),
        ("category=documentation", ["Docs question"]),
        ("tag=sso", ["Critical login"]),
        ("q=latency", ["High latency"]),
        ("status=resolved", ["Fixed already"]),
        ("team=tier-2", ["High latency"]),
    ],
)
def test_queue_filters(client, agent, params, expected_titles):
    org = OrganizationFactory()
    team = TeamFactory(slug="tier-2")
    make_ticket(
        actor=agent,
        organization=org,
        title="Critical login",
        severity=1,
        assignee=agent,
        tags=["sso"],
        category="authentication",
    )
    make_ticket(
        actor=agent,
        organization=org,
        title="High latency",
        severity=2,
        description="API latency is 3x normal",
        team=team,
        category="performance",
    )
    make_ticket(
        actor=agent, organization=org, title="Docs question", severity=4, category="documentation"
    )
    fixed = make_ticket(actor=agent, organization=org, title="Fixed already", severity=3)
    services.ticket_transition(ticket=fixed, to=Status.RESOLVED, actor=agent)
    client.force_login(agent)

    response = client.get(reverse("queue") + "?sort=-updated_at&" + params)

    assert [t.title for t in response.context["page"].rows] == expected_titles


def test_queue_filter_by_organization(client, agent):
    acme = OrganizationFactory(slug="acme")
    mine = make_ticket(actor=agent, organization=acme)
    make_ticket(actor=agent)
    client.force_login(agent)
    assert _keys(client.get(reverse("queue") + "?organization=acme")) == [mine.key]


def test_search_by_ticket_key_jumps_to_it(client, agent):
    wanted = make_ticket(actor=agent)
    make_ticket(actor=agent)
    client.force_login(agent)
    assert _keys(client.get(reverse("queue"), {"q": wanted.key})) == [wanted.key]


def test_keyset_pagination_walks_every_row_once(agent, settings):
    settings.HELPDESK_QUEUE_PAGE_SIZE = 4
    org = OrganizationFactory()
    created = [make_ticket(actor=agent, organization=org, severity=(i % 4) + 1) for i in range(11)]
    for sort in queue.SORTS:
        seen, cursor = [], ""
        for _ in range(10):
            result = queue.page(agent, queue.QueueQuery(sort=sort, cursor=cursor))
            seen += [t.pk for t in result.rows]
            if not result.next_cursor:
                break
            cursor = result.next_cursor
        assert sorted(seen) == sorted(t.pk for t in created), sort
        assert len(seen) == len(set(seen)), sort


def test_garbage_cursor_starts_from_the_first_page(client, agent):
    make_ticket(actor=agent)
    client.force_login(agent)
    response = client.get(reverse("queue"), {"cursor": "not-a-cursor!!"})
    assert response.status_code == 200
    assert len(response.context["page"].rows) == 1


def test_count_is_capped_lower_for_a_word_search(agent, settings):
    settings.HELPDESK_COUNT_CAP = 4
    settings.HELPDESK_SEARCH_COUNT_CAP = 2
    org = OrganizationFactory()
    for _ in range(5):
        make_ticket(actor=agent, organization=org, title="Webhook retries")
    make_ticket(actor=agent, organization=org, title="Billing")

    everything = queue.page(agent, queue.QueueQuery(), size=2)
    assert (everything.count, everything.count_capped) == (4, True)
    search = queue.page(agent, queue.QueueQuery(q="webhook"), size=2)
    assert (search.count, search.count_capped) == (2, True)
    below_cap = queue.page(agent, queue.QueueQuery(q="billing"), size=2)
    assert (below_cap.count, below_cap.count_capped) == (1, False)


def test_a_list_on_one_page_is_counted_without_a_count_query(
    agent, django_assert_num_queries, settings
):
    org = OrganizationFactory()
    for _ in range(3):
        make_ticket(actor=agent, organization=org)
    # security clearance, the rows with a running clock, the rest
    with django_assert_num_queries(3) as one_page:
        result = queue.page(agent, queue.QueueQuery())
    assert (result.count, result.count_capped) == (3, False)
    assert not any("COUNT" in q["sql"] for q in one_page.captured_queries)
    paged = queue.page(agent, queue.QueueQuery(), size=2)
    assert (paged.count, paged.count_capped) == (3, False)


def test_queue_query_count_does_not_grow_with_rows(client, agent, django_assert_max_num_queries):
    org = OrganizationFactory()
    other = make_agent()
    client.force_login(agent)
    for i in range(3):
        make_ticket(actor=agent, organization=org, assignee=other if i % 2 else None)
    client.get(reverse("queue"))  # the agent and team pickers are cached from the first page on
    with django_assert_max_num_queries(10) as small:
        client.get(reverse("queue"))
    for i in range(30):
        make_ticket(
            actor=agent, organization=OrganizationFactory(), assignee=other if i % 2 else None
        )
    with django_assert_max_num_queries(10) as large:
        client.get(reverse("queue"))
    assert len(large.captured_queries) == len(small.captured_queries)


def test_htmx_refresh_returns_only_the_results_and_keeps_the_selection(client, agent):
    first = make_ticket(actor=agent)
    make_ticket(actor=agent)
    client.force_login(agent)

    response = client.get(
        reverse("queue"),
        {"ids": [str(first.pk)]},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="queue-results",
    )

    html = response.content.decode()
    assert html.lstrip().startswith('<div id="queue-results"')
    assert "<html" not in html
    assert f'value="{first.pk}" aria-label="Select {first.key}" checked' in html


def test_bulk_assign_and_status_report_refusals(client, agent):
    org = OrganizationFactory()
    t1 = make_ticket(actor=agent, organization=org)
    t2 = make_ticket(actor=agent, organization=org)
    services.ticket_transition(ticket=t2, to=Status.CLOSED, actor=agent)
    other = make_agent(username="bob")
    client.force_login(agent)

    client.post(
        reverse("queue_bulk"), {"ids": [t1.pk], "bulk_action": "assign", "bulk_assignee": "bob"}
    )
    response = client.post(
        reverse("queue_bulk"),
        {"ids": [t1.pk, t2.pk], "bulk_action": "status", "bulk_status": "investigating"},
        follow=True,
    )

    t1.refresh_from_db()
    t2.refresh_from_db()
    assert t1.assignee == other
    assert t1.status == Status.INVESTIGATING
    assert t2.status == Status.CLOSED
    texts = [str(m) for m in response.context["messages"]]
    assert "Updated 1 ticket(s)." in texts
    assert any(t.startswith(f"{t2.key}: Cannot move") for t in texts)


def test_bulk_cannot_touch_tickets_outside_the_policy(client, agent):
    # Flagged by the security team (an agent who flags one keeps it until the team takes it).
    security = make_agent(teams=[TeamFactory(is_security=True)])
    secret = make_ticket(actor=security, is_security=True)
    client.force_login(agent)
    client.post(
        reverse("queue_bulk"), {"ids": [secret.pk], "bulk_action": "add_tag", "bulk_tag": "x"}
    )
    secret.refresh_from_db()
    assert secret.tags == []


def test_saved_views_personal_and_shared(client, agent):
    colleague = make_agent(role=Role.AGENT)
    client.force_login(agent)
    client.post(reverse("saved_view_create"), {"name": "My P1s", "query": "severity=1"})
    client.post(
        reverse("saved_view_create"), {"name": "Team", "query": "assignee=none", "is_shared": "on"}
    )
    client.force_login(colleague)

    response = client.get(reverse("queue"))

    assert [v.name for v in response.context["shared_views"]] == ["Team"]
    assert response.context["personal_views"] == []
    mine = SavedView.objects.get(name="My P1s")
    assert client.post(reverse("saved_view_delete", args=[mine.pk])).status_code == 404
    assert SavedView.objects.filter(pk=mine.pk).exists()


def test_customers_do_not_have_a_queue(client, customer_a):
    client.force_login(customer_a)
    assert client.get(reverse("queue")).status_code == 404


def test_sla_ordering_walks_paused_tickets_forward_and_back(agent, settings):
    """Paused tickets have no due time (NULL); the keyset must still visit each row once."""
    settings.HELPDESK_QUEUE_PAGE_SIZE = 3
    org = OrganizationFactory()
    made = []
    for i in range(8):
        ticket = make_ticket(actor=agent, organization=org, severity=(i % 4) + 1)
        if i % 3 == 0:
            services.ticket_transition(
                ticket=ticket, to=Status.WAITING_ON_CUSTOMER, actor=agent, message="Which region?"
            )
        made.append(ticket.pk)
    pages, cursor = [], ""
    for _ in range(10):
        result = queue.page(agent, queue.QueueQuery(sort="sla", cursor=cursor))
        pages.append([t.pk for t in result.rows])
        if not result.next_cursor:
            break
        cursor = result.next_cursor
    forward = [pk for p in pages for pk in p]
    assert sorted(forward) == sorted(made)
    assert len(forward) == len(set(forward))
    # Walk back from the last page with the previous cursors.
    back = queue.page(agent, queue.QueueQuery(sort="sla", cursor=cursor))
    seen = []
    while back.previous_cursor:
        back = queue.page(agent, queue.QueueQuery(sort="sla", cursor=back.previous_cursor))
        seen.insert(0, [t.pk for t in back.rows])
    assert seen == pages[:-1]


def test_deep_pages_start_the_index_scan_at_the_cursor(agent, settings):
    """The bound is one row comparison (an index condition), not ORs (a filter that reads and
    drops every row before the page). Severity (up) then time (down) is read one severity at a
    time, so it too is one row comparison."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.HELPDESK_QUEUE_PAGE_SIZE = 2
    org = OrganizationFactory()
    for i in range(5):
        make_ticket(actor=agent, organization=org, severity=(i % 4) + 1)

    for sort, row_compare in (("sla", True), ("-updated_at", True), ("severity", True)):
        first = queue.page(agent, queue.QueueQuery(sort=sort))
        with CaptureQueriesContext(connection) as ctx:
            queue.page(agent, queue.QueueQuery(sort=sort, cursor=first.next_cursor))
        rows_sql = next(q["sql"] for q in ctx.captured_queries if "ORDER BY" in q["sql"])
        assert ("ROW(" in rows_sql) is row_compare, sort
