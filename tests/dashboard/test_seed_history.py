"""The demo history: tickets with real timelines over the days asked, rollups built, and
nobody notified of the past."""

from __future__ import annotations

import io

from django.core.management import call_command

from helpdesk.models import Notification, OutboundMessage
from tickets.models import SlaEvent, Ticket, TicketEvent, TicketRollup


def test_seed_history_writes_the_past_quietly_and_rolls_it_up(db):
    out = io.StringIO()
    call_command("seed_history", days=3, per_day=3, stdout=out)
    history = Ticket.objects.filter(tags__contains=["history"])
    assert history.count() >= 3
    assert TicketEvent.objects.filter(ticket__in=history, kind="status").exists()
    assert SlaEvent.objects.filter(ticket__in=history, kind="fulfilled").exists()
    created = TicketRollup.objects.filter(grain="day").values_list("created", flat=True)
    assert sum(created) == history.count()
    # The past happened already: no notice, email or page about it.
    assert not Notification.objects.exists()
    assert not OutboundMessage.objects.exists()

    call_command("seed_history", days=3, per_day=3, if_empty=True, stdout=out)
    assert "already there" in out.getvalue()
    assert Ticket.objects.filter(tags__contains=["history"]).count() == history.count()
