"""What the escalation app's ready() loads for engineering escalation and alert intake."""

from __future__ import annotations


def ready() -> None:
    from escalation.alerts import admin as alerts_admin  # noqa: F401 - admin registrations
    from escalation.engineering import admin as engineering_admin  # noqa: F401
    from helpdesk import panels

    panels.register("ticket-side", "engineering_ticket_panel")
