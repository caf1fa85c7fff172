"""The queue and portal rows built in Python: every value escaped, every cell present."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import OrganizationFactory, TeamFactory, make_agent, make_contact, make_ticket
from tickets import services
from tickets.choices import Status

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert("x")</script>'
ESCAPED = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"


def _row(html: str, marker: str) -> str:
    start = html.rindex("<tr", 0, html.index(marker))
    return html[start : html.index("</tr>", start)]


def test_queue_row_escapes_what_users_typed(client, agent):
    org = OrganizationFactory(name=f"Org {HOSTILE}", tier="enterprise")
    assignee = make_agent(username="pat", first_name=HOSTILE, last_name="")
    team = TeamFactory(name=f"Team {HOSTILE}")
    ticket = make_ticket(
        actor=agent,
        organization=org,
        title=HOSTILE,
        tags=["sso", "billing", "api", "v2"],
        severity=1,
    )
    services.ticket_update(ticket=ticket, actor=agent, changes={"assignee": assignee, "team": team})
    client.force_login(agent)

    html = client.get(reverse("queue")).content.decode()

    assert "<script>" not in html
    row = _row(html, f'name="ids" value="{ticket.pk}"')
    assert row.count(ESCAPED) == 4  # title, organization, assignee, team
    assert row.count('<span class="tag">') == 3  # the first three tags
    assert 'class="sev1-row"' in row
    assert f'href="{ticket.get_absolute_url()}"' in row
    assert 'class="tier tier-enterprise"' in row
    assert 'class="pill sev sev-1" title="Critical">P1 · Critical' in row
    assert 'class="sla sla-ok"' in row


def test_queue_row_marks_the_selection_kept_over_a_refresh(client, agent):
    kept = make_ticket(actor=agent, title="Kept")
    other = make_ticket(actor=agent, title="Other", severity=4)
    client.force_login(agent)

    html = client.get(
        reverse("queue"),
        {"ids": [str(kept.pk)]},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="queue-results",
    ).content.decode()

    assert "is-selected" in _row(html, f'name="ids" value="{kept.pk}"')
    assert f'value="{kept.pk}" aria-label="Select {kept.key}" checked' in html
    other_row = _row(html, f'name="ids" value="{other.pk}"')
    assert "checked" not in other_row
    assert "is-selected" not in other_row
    assert '<span class="unassigned">Unassigned</span>' in other_row
    assert '<td class="col-hide-lg small nowrap">—</td>' in other_row


def test_portal_row_speaks_to_the_customer(client, org_a, customer_a, agent):
    colleague = make_contact(org_a, username="kim", first_name=HOSTILE, last_name="")
    mine = make_ticket(actor=customer_a, organization=org_a, title=HOSTILE, requester=customer_a)
    theirs = make_ticket(actor=colleague, organization=org_a, title="Theirs", requester=colleague)
    services.ticket_transition(
        ticket=mine, to=Status.WAITING_ON_CUSTOMER, actor=agent, message="Which region?"
    )
    client.force_login(customer_a)

    html = client.get(reverse("portal"), {"status": "all"}).content.decode()

    assert "<script>" not in html
    own = _row(html, f">{mine.key}</a>")
    assert 'class="is-waiting"' in own
    assert "Waiting on you" in own
    assert f"{mine.key} · You" in own
    assert ESCAPED in own
    assert f'href="{reverse("portal_ticket", args=[mine.key])}"' in own
    other = _row(html, f">{theirs.key}</a>")
    assert f"{theirs.key} · {ESCAPED}" in other
    assert "Waiting on you" not in other
