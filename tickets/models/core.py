"""The ticket core: customers, agents and teams, tickets, comments, attachments, the timeline."""

from __future__ import annotations

import functools
import uuid
from pathlib import PurePath

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.db.models import Case, F, Func, Q, Value, When
from django.urls import reverse

from ..choices import (
    OPEN_STATUSES,
    BusinessImpact,
    Category,
    Channel,
    Environment,
    EventKind,
    IssueType,
    Severity,
    Status,
    SupportTier,
    Tier,
)

USER = settings.AUTH_USER_MODEL
OPEN = Q(status__in=OPEN_STATUSES)
NO_CLOCK = Q(sla_due_at__isnull=True)  # no SLA clock running (paused, resolved, closed)
# Every ticket but the closed ones: a tenth of them, all that a status filter other than
# "closed" can match (closed ones are nine in ten, so any order finds them at once).
NOT_CLOSED = ~Q(status="closed")
# What the access policy (tickets.selectors.tickets_visible_to) reads of a ticket for an agent.
VISIBILITY_COLUMNS = ["is_security", "assignee"]
# The tags of the tickets every agent may see (none on a security report). Its index keeps
# statistics of its own: the planner learns that a tag carried by security reports is on
# almost no ticket an agent without clearance may see, where the tags and the flag apart
# made it expect thousands and walk all 1M tickets in order looking for them.
TAGS_OUTSIDE_SECURITY = Case(When(is_security=False, then=F("tags")))


class Organization(models.Model):
    """A customer account."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    tier = models.CharField(max_length=16, choices=Tier.choices, default=Tier.FREE)
    domain = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Contact(models.Model):
    """A customer user: belongs to exactly one organization."""

    user = models.OneToOneField(USER, on_delete=models.CASCADE, related_name="contact")
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="contacts"
    )
    job_title = models.CharField(max_length=100, blank=True)
    phone = models.CharField(max_length=40, blank=True)

    def __str__(self) -> str:
        return f"{self.user} ({self.organization})"


class Team(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    is_security = models.BooleanField(default=False, help_text="Members may see security tickets.")
    is_triage = models.BooleanField(
        default=False,
        verbose_name="triages new tickets",
        help_text="Its members and lead are told of every new ticket nobody owns yet, and of the "
        "SLA warnings and breaches of tickets with neither an assignee nor a team. One team at "
        "most; with none, the managers are told.",
    )
    lead = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="led_teams"
    )
    members = models.ManyToManyField(USER, blank=True, related_name="teams")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_triage"], condition=models.Q(is_triage=True), name="one_triage_team"
            )
        ]

    def __str__(self) -> str:
        return self.name


class AgentProfile(models.Model):
    user = models.OneToOneField(USER, on_delete=models.CASCADE, related_name="agent_profile")
    support_tier = models.PositiveSmallIntegerField(
        choices=SupportTier.choices, default=SupportTier.TIER_1
    )

    def __str__(self) -> str:
        return f"{self.user} ({self.get_support_tier_display()})"


class Ticket(models.Model):
    number = models.BigIntegerField(
        unique=True,
        db_default=Func(Value("tickets_ticket_number_seq"), function="nextval"),
        editable=False,
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    issue_type = models.CharField(
        max_length=16, choices=IssueType.choices, default=IssueType.QUESTION
    )
    severity = models.PositiveSmallIntegerField(choices=Severity.choices, default=Severity.P3)
    category = models.CharField(max_length=20, choices=Category.choices, default=Category.OTHER)
    environment = models.CharField(
        max_length=16, choices=Environment.choices, default=Environment.UNKNOWN
    )
    channel = models.CharField(max_length=16, choices=Channel.choices, default=Channel.PORTAL)
    status = models.CharField(max_length=24, choices=Status.choices, default=Status.NEW)

    # organization, assignee and team are the leading columns of composite indexes (Meta), which
    # serve their lookups; a single-column index each would only slow every ticket write.
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="tickets", db_index=False
    )
    requester = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="requested_tickets"
    )
    assignee = models.ForeignKey(
        USER,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_tickets",
        db_index=False,
    )
    team = models.ForeignKey(
        Team,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
        db_index=False,
    )

    # Customer impact (seed 000 and the bug-report format of seed 001)
    affected_users = models.PositiveIntegerField(null=True, blank=True)
    business_impact = models.CharField(max_length=24, choices=BusinessImpact.choices, blank=True)
    workaround_available = models.BooleanField(default=False)
    workaround = models.TextField(blank=True)

    # Technical context
    product_version = models.CharField(max_length=60, blank=True)
    browser = models.CharField(max_length=100, blank=True)
    platform = models.CharField(max_length=100, blank=True)
    account_type = models.CharField(max_length=60, blank=True)
    error_message = models.TextField(blank=True)
    request_id = models.CharField(max_length=120, blank=True)
    affected_endpoint = models.CharField(max_length=200, blank=True)
    recent_changes = models.TextField(blank=True)

    tags = ArrayField(models.CharField(max_length=50), default=list, blank=True)
    is_security = models.BooleanField(default=False)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
        help_text="The incident this ticket belongs to.",
    )
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="duplicates"
    )
    # Set once, when the ticket is merged into another (tickets/merge.py): it is then closed, and
    # pages, the portal and the API send whoever follows it on to the ticket it was merged into.
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="merged_in",
        editable=False,
    )
    follow_up_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="follow_ups",
        editable=False,
        help_text="The closed ticket this one follows up.",
    )

    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    first_response_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    # The SLA clock the queue sorts by: the next running target (tickets.sla.services keeps these
    # in step with the SlaTarget rows, in the same transaction).
    sla_kind = models.CharField(max_length=16, blank=True)
    sla_calendar = models.ForeignKey(
        "tickets.BusinessCalendar",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sla_due_at = models.DateTimeField(null=True, blank=True)
    sla_warn_at = models.DateTimeField(null=True, blank=True)
    sla_paused = models.BooleanField(default=False)
    sla_breached_at = models.DateTimeField(null=True, blank=True)
    sla_credit_review = models.BooleanField(
        default=False, help_text="An enterprise customer's SLA was breached: review a credit."
    )

    search_vector = models.GeneratedField(
        expression=SearchVector("title", weight="A", config="english")
        + SearchVector("description", weight="B", config="english"),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    class Meta:
        indexes = [
            models.Index(fields=["-updated_at", "-id"], condition=OPEN, name="ticket_open_updated"),
            models.Index(fields=["-created_at", "-id"], name="ticket_created"),
            # The API's default order across every status (integrations syncing what changed);
            # a search for a common word walks it instead of sorting every match.
            models.Index(fields=["-updated_at", "-id"], name="ticket_updated"),
            models.Index(fields=["organization", "-created_at", "-id"], name="ticket_org_created"),
            models.Index(fields=["organization", "-updated_at", "-id"], name="ticket_org_updated"),
            models.Index(fields=["assignee", "status"], name="ticket_assignee_status"),
            models.Index(fields=["team", "status"], name="ticket_team_status"),
            models.Index(
                fields=["severity", "-updated_at"], condition=OPEN, name="ticket_open_sev"
            ),
            # Open security tickets touched lately, for the on-call's sweep that pages any left
            # without a page: through the open tickets' index it read every ticket touched in the
            # last day (56,000 at 1M tickets, 150 ms a tick) to find the few security ones.
            models.Index(
                fields=["updated_at"],
                condition=OPEN & Q(is_security=True),
                name="ticket_open_security_updated",
            ),
            # The queue's default order. The included columns are those of the access policy
            # (tickets_visible_to), so the queue's capped count is read from the index alone.
            models.Index(
                F("sla_due_at").asc(nulls_last=True),
                F("id").asc(),
                condition=OPEN,
                include=VISIBILITY_COLUMNS,
                name="ticket_open_sla_due",
            ),
            # The same within the most used filters (mine, a team, a customer): page after page
            # is read off the index, never sorted.
            *(
                models.Index(
                    F(f"{column}_id"),
                    F("sla_due_at").asc(nulls_last=True),
                    F("id").asc(),
                    condition=OPEN,
                    include=[c for c in VISIBILITY_COLUMNS if c != column],
                    name=f"ticket_open_{column}_sla",
                )
                for column in ("assignee", "team", "organization")
            ),
            # After the running clocks, the queue's default order lists the tickets with no
            # running clock newest first (tickets.queue.SLA_ORDER): across every status, in the
            # open queue, and for one customer.
            models.Index(
                F("created_at").desc(),
                F("id").desc(),
                condition=NO_CLOCK,
                include=VISIBILITY_COLUMNS,
                name="ticket_noclock_created",
            ),
            models.Index(
                F("created_at").desc(),
                F("id").desc(),
                condition=OPEN & NO_CLOCK,
                include=VISIBILITY_COLUMNS,
                name="ticket_open_noclock_created",
            ),
            models.Index(
                F("organization_id"),
                F("created_at").desc(),
                F("id").desc(),
                condition=NO_CLOCK,
                include=VISIBILITY_COLUMNS,
                name="ticket_org_noclock_created",
            ),
            # The running clocks by update time: "SLA breached" or "within 1 h" in an update
            # order. The open tickets updated longest ago wait on the customer (no clock), and
            # walking every open ticket read 28,000 of them before the first breached one.
            models.Index(
                fields=["-updated_at", "-id"],
                condition=OPEN & ~NO_CLOCK,
                name="ticket_open_clock_updated",
            ),
            # Every running clock by due time: "SLA breached" or "within 1 h" over every open
            # status reads it in order (only running clocks have a due time).
            models.Index(
                fields=["sla_due_at", "id"],
                condition=Q(sla_due_at__isnull=False),
                include=VISIBILITY_COLUMNS,
                name="ticket_clock_due",
            ),
            # "Oldest first" in the open queue: the open tickets are the newest, so walking
            # every ticket from the oldest reads the 900,000 closed ones first.
            models.Index(fields=["created_at", "id"], condition=OPEN, name="ticket_open_created"),
            # One status in each order: the status leads, so a filter on one status (or on a few,
            # read one after another) starts its scan at that status and reads in order. Walking
            # an order's index for the 969 new or 3,126 resolved tickets among 1M read most of it.
            models.Index(
                fields=["status", "-updated_at", "-id"],
                condition=NOT_CLOSED,
                name="ticket_live_status_updated",
            ),
            models.Index(
                fields=["status", "-created_at", "-id"],
                condition=NOT_CLOSED,
                name="ticket_live_status_created",
            ),
            models.Index(
                F("status"),
                F("sla_due_at").asc(nulls_last=True),
                F("id").asc(),
                condition=NOT_CLOSED,
                name="ticket_live_status_sla",
            ),
            # The severity order across every status (the open queue has ticket_open_sev).
            models.Index(fields=["severity", "-updated_at", "-id"], name="ticket_sev_updated"),
            # The severity order within mine, a team or a customer, across every status: read
            # one severity at a time (tickets.queue.SEVERITY_ORDER), a severity the list has
            # none of is an empty range here rather than a walk through all of that severity.
            *(
                models.Index(
                    fields=[column, "severity", "-updated_at", "-id"],
                    name=f"ticket_{short}_sev_updated",
                )
                for column, short in (
                    ("assignee", "assignee"),
                    ("team", "team"),
                    ("organization", "org"),
                )
            ),
            GinIndex(fields=["tags"], name="ticket_tags"),
            GinIndex(TAGS_OUTSIDE_SECURITY, name="ticket_tags_outside_security"),
            GinIndex(fields=["search_vector"], name="ticket_search"),
        ]

    def __str__(self) -> str:
        return f"{self.key} {self.title}"

    def get_absolute_url(self) -> str:
        return ticket_url(self.key)

    @property
    def key(self) -> str:
        return ticket_key(self.number)

    @property
    def parent_key(self) -> str | None:
        return self._linked_key("parent")

    @property
    def duplicate_of_key(self) -> str | None:
        return self._linked_key("duplicate_of")

    @property
    def merged_into_key(self) -> str | None:
        return self._linked_key("merged_into")

    @property
    def follow_up_of_key(self) -> str | None:
        return self._linked_key("follow_up_of")

    def _linked_key(self, link: str) -> str | None:
        # Pages and the API annotate `<link>_number` (selectors.ticket_number_of) rather than
        # join the ticket table to itself; otherwise the linked ticket is read.
        if getattr(self, f"{link}_id") is None:
            return None
        number = getattr(self, f"{link}_number", None)
        if number is None:
            number = getattr(self, link).number
        return f"{settings.HELPDESK_TICKET_PREFIX}-{number}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def severity_code(self) -> str:
        return f"P{self.severity}"


class Comment(models.Model):
    """A public reply or an internal note. `body_html` is the sanitised rendering of `body`."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    body = models.TextField()
    body_html = models.TextField()
    is_internal = models.BooleanField(default=False)
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["ticket", "created_at", "id"], name="comment_ticket_time")]

    def __str__(self) -> str:
        return f"{'Note' if self.is_internal else 'Reply'} on {self.ticket_id}"


def attachment_path(instance: Attachment, filename: str) -> str:
    # Random names: an upload can never choose or guess another file's path.
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"attachments/{uuid.uuid4().hex[:2]}/{uuid.uuid4().hex}{suffix}"


class Attachment(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    comment = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(upload_to=attachment_path, max_length=200)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=120, default="application/octet-stream")
    size = models.PositiveBigIntegerField()
    is_internal = models.BooleanField(default=False)
    uploaded_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["ticket", "created_at"], name="attachment_ticket_time")]

    def __str__(self) -> str:
        return self.original_name


def ticket_key(number: int) -> str:
    return f"{settings.HELPDESK_TICKET_PREFIX}-{number}"


def ticket_url(key: str) -> str:
    """The agent's page of the ticket with this key."""
    return _ticket_url_template().replace("KEY", key)


@functools.cache
def _ticket_url_template() -> str:
    # reverse() once per process: queue pages and the engine build hundreds of links at a time.
    return reverse("ticket_detail", args=["KEY"])


class TicketEvent(models.Model):
    """The append-only timeline. Written in the same transaction as the change it records."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=16, choices=EventKind.choices)
    field = models.CharField(max_length=40, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    is_internal = models.BooleanField(
        default=True, help_text="Internal events are never shown to customers."
    )
    comment = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["ticket", "created_at", "id"], name="event_ticket_time"),
            # The dashboard's rollups read the creations, status changes and escalations of a
            # few days at a time (replies and notes, most of the timeline, are read per ticket).
            models.Index(
                fields=["created_at"],
                condition=Q(kind__in=["created", "status", "escalation"]),
                name="event_rollup_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} on {self.ticket_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Timeline events are append-only.")
        super().save(*args, **kwargs)


class ReplyTemplate(models.Model):
    """Canned replies from the playbook, with {{ variables }} filled from the ticket."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    body = models.TextField()
    is_internal = models.BooleanField(default=False, help_text="Meant for internal notes.")
    is_active = models.BooleanField(default=True)
    on_security_tickets = models.BooleanField(
        default=True,
        help_text="Offer it on security tickets. The playbook asks for no details over "
        "unencrypted channels, so a template that asks the customer for details is not.",
    )
    position = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class SavedView(models.Model):
    """A named queue filter: personal, or shared with every agent."""

    owner = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="saved_views")
    name = models.CharField(max_length=80)
    query = models.CharField(max_length=1000, help_text="The queue's query string.")
    is_shared = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="savedview_owner_name_unique")
        ]

    def __str__(self) -> str:
        return self.name
