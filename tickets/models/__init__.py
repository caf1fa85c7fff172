"""The ticket core's models: see core.py (tickets and what hangs off them) and sla.py."""

from .core import (
    OPEN,
    USER,
    AgentProfile,
    Attachment,
    Comment,
    Contact,
    Organization,
    ReplyTemplate,
    SavedView,
    Team,
    Ticket,
    TicketEvent,
    attachment_path,
)
from .sla import (
    BusinessCalendar,
    CalendarPeriod,
    Holiday,
    SlaEvent,
    SlaEventKind,
    SlaKind,
    SlaPolicy,
    SlaTarget,
    Weekday,
)

__all__ = [
    "OPEN", "USER", "AgentProfile", "Attachment", "BusinessCalendar", "CalendarPeriod", "Comment",
    "Contact", "Holiday", "Organization", "ReplyTemplate", "SavedView", "SlaEvent", "SlaEventKind",
    "SlaKind", "SlaPolicy", "SlaTarget", "Team", "Ticket", "TicketEvent", "Weekday",
    "attachment_path",
]
