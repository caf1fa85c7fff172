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
from .metrics import BacklogRollup, RollupGrain, RollupWatermark, TicketRollup
from .satisfaction import SatisfactionSurvey
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
from .workflow import Macro, TicketCc, TicketFollower

__all__ = [
    "OPEN",
    "USER",
    "AgentProfile",
    "Attachment",
    "BacklogRollup",
    "BusinessCalendar",
    "CalendarPeriod",
    "Comment",
    "Contact",
    "Holiday",
    "Macro",
    "Organization",
    "ReplyTemplate",
    "RollupGrain",
    "RollupWatermark",
    "SatisfactionSurvey",
    "SavedView",
    "SlaEvent",
    "SlaEventKind",
    "SlaKind",
    "SlaPolicy",
    "SlaTarget",
    "Team",
    "Ticket",
    "TicketRollup",
    "TicketCc",
    "TicketEvent",
    "TicketFollower",
    "Weekday",
    "attachment_path",
]
