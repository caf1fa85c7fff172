"""Celery tasks and the engine module of escalation pages."""

from __future__ import annotations

from celery import shared_task

from escalation.models import PageReason
from escalation.paging import engine as paging_engine
from escalation.paging import receivers, services
from helpdesk import clock, engine, notifications, panels
from tickets.models import Ticket

engine.register("escalation", paging_engine.run, oldest_due=paging_engine.oldest_due)
receivers.connect()
panels.register("ticket-side", "page_ticket_panel")
# In the bell only: the page's email is always sent, with its acknowledge links, by the paging
# service itself, so this kind is not offered on the email preferences page.
notifications.register_kind(
    notifications.Kind(services.KIND, "On-call pages", for_agents=False, for_customers=False,
                       email_by_default=False)
)  # fmt: skip


def urgent_reason(ticket: Ticket) -> str | None:
    """Security tickets page the on-call at once, whatever their severity; then P1."""
    if ticket.is_security:
        return PageReason.SECURITY
    if ticket.severity == 1:
        return PageReason.SEVERITY
    return None


@shared_task(name="escalation.page_start_task", ignore_result=True, acks_late=True)
def page_start_task(ticket_id: int, reason: str = "urgent") -> None:
    ticket = Ticket.objects.filter(pk=ticket_id).first()
    if ticket is None:
        return
    if reason == "urgent":
        reason = urgent_reason(ticket)
        if reason is None:
            return
    services.page_start(ticket=ticket, reason=reason, actor=None, now=clock.now())
