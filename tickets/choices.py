"""The vocabularies of the playbook (seed 003) and the bug-report format (seed 001)."""

from django.db import models


class Tier(models.TextChoices):
    ENTERPRISE = "enterprise", "Enterprise"
    BUSINESS = "business", "Business"
    FREE = "free", "Free"


class Severity(models.IntegerChoices):
    P1 = 1, "Critical"
    P2 = 2, "High"
    P3 = 3, "Medium"
    P4 = 4, "Low"

    @property
    def code(self) -> str:
        return f"P{self.value}"


class Status(models.TextChoices):
    NEW = "new", "New"
    INVESTIGATING = "investigating", "Investigating"
    IN_PROGRESS = "in_progress", "In progress"
    WAITING_ON_CUSTOMER = "waiting_on_customer", "Waiting on customer"
    RESOLVED = "resolved", "Resolved"
    CLOSED = "closed", "Closed"


OPEN_STATUSES = (Status.NEW, Status.INVESTIGATING, Status.IN_PROGRESS, Status.WAITING_ON_CUSTOMER)


def customer_status_label(status: str) -> str:
    """A status as the customer portal says it: "Waiting on you" rather than on the customer."""
    if status == Status.WAITING_ON_CUSTOMER:
        return "Waiting on you"
    return Status(status).label


class IssueType(models.TextChoices):
    BUG = "bug", "Bug"
    QUESTION = "question", "Question"
    CONFIGURATION = "configuration", "Configuration"
    INCIDENT = "incident", "Incident"


class Category(models.TextChoices):
    AUTHENTICATION = "authentication", "Authentication"
    VALIDATION = "validation", "Validation"
    PERFORMANCE = "performance", "Performance"
    INTEGRATION = "integration", "Integration"
    DOCUMENTATION = "documentation", "Documentation"
    FEATURE_REQUEST = "feature_request", "Feature request"
    OTHER = "other", "Other"


class Environment(models.TextChoices):
    PRODUCTION = "production", "Production"
    STAGING = "staging", "Staging"
    DEVELOPMENT = "development", "Development"
    UNKNOWN = "unknown", "Unknown"


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    CHAT = "chat", "Chat"
    PHONE = "phone", "Phone"
    PORTAL = "portal", "Portal"
    API = "api", "API"
    MONITORING = "monitoring", "Monitoring"


class BusinessImpact(models.TextChoices):
    REVENUE_BLOCKING = "revenue_blocking", "Revenue blocking"
    FEATURE_UNAVAILABLE = "feature_unavailable", "Feature unavailable"
    DEGRADED_PERFORMANCE = "degraded_performance", "Degraded performance"
    COSMETIC = "cosmetic", "Cosmetic"


class SupportTier(models.IntegerChoices):
    TIER_1 = 1, "Tier 1"
    TIER_2 = 2, "Tier 2"
    TIER_3 = 3, "Tier 3"


class EventKind(models.TextChoices):
    CREATED = "created", "Created"
    STATUS = "status", "Status changed"
    ASSIGNED = "assigned", "Assignee changed"
    TEAM = "team", "Team changed"
    SEVERITY = "severity", "Severity changed"
    FIELD = "field", "Field changed"
    TAGS = "tags", "Tags changed"
    REPLY = "reply", "Public reply"
    NOTE = "note", "Internal note"
    ATTACHMENT = "attachment", "Attachment added"
    LINK = "link", "Link changed"
    SLA = "sla", "SLA"
    # Written by the on-call app through tickets.services.ticket_record_page_step.
    PAGE = "page", "On-call page"
    # Written by the escalation app (engineering bug reports, tier escalations) through
    # tickets.services.ticket_record_escalation_step.
    ESCALATION = "escalation", "Escalation"
    # A ticket merged into another, on both tickets (tickets/merge.py).
    MERGE = "merge", "Merged"
    # A follow-up opened from a closed ticket, on both tickets.
    FOLLOW_UP = "follow_up", "Follow-up"
