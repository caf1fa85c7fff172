"""Reads. `tickets_visible_to` is the one access policy for tickets (DESIGN.md section 9):
every page, partial, API endpoint, search, export and attachment goes through it."""

from __future__ import annotations

from datetime import datetime

from django.core.cache import cache
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from helpdesk import clock
from helpdesk.access import security_clearance_holders
from helpdesk.models import AGENT_SIDE_ROLES, Role, User, display_name

from .models import Attachment, Comment, Contact, Organization, Team, Ticket, TicketEvent
from .models.core import TAGS_OUTSIDE_SECURITY


def _cleared(now: datetime) -> Q:
    """Who sees every security ticket at `now` besides admins: members of a security team and
    whoever another app clears then (the on-call of the security rota), as one condition on
    users."""
    cleared = Q(pk__in=Team.objects.filter(is_security=True).values("members"))
    for holders in security_clearance_holders(now):
        cleared |= Q(pk__in=holders)
    return cleared


def has_security_clearance(user: User) -> bool:
    """Members of a security team, admins, and whoever another app clears now (the on-call of
    the security rota) see every security ticket. One query, cached per request."""
    cached = getattr(user, "_security_clearance", None)
    if cached is None:
        cached = (
            user.role == Role.ADMIN
            or User.objects.filter(_cleared(clock.now()), pk=user.pk).exists()
        )
        user._security_clearance = cached
    return cached


def customer_organization_id(user: User) -> int | None:
    cached = getattr(user, "_organization_id", False)
    if cached is False:
        contact = getattr(user, "contact", None) if user.role == Role.CUSTOMER else None
        cached = contact.organization_id if contact else None
        user._organization_id = cached
    return cached


def tickets_visible_to(user: User) -> QuerySet[Ticket]:
    qs = Ticket.objects.all()
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.role == Role.CUSTOMER:
        org_id = customer_organization_id(user)
        if org_id is None:
            return qs.none()
        # A security report stays with the contact who filed it.
        return qs.filter(organization_id=org_id).filter(Q(is_security=False) | Q(requester=user))
    if not user.is_agent_side:
        return qs.none()
    if has_security_clearance(user):
        return qs
    return qs.filter(Q(is_security=False) | Q(assignee=user))


def tagged(qs: QuerySet[Ticket], *, user: User, tag: str) -> QuerySet[Ticket]:
    """The tickets of `qs` (read through `tickets_visible_to(user)`) carrying `tag`, spelt so the
    planner can tell how many the user may see. For an agent without clearance: the tag among
    the tickets every agent sees (an index with statistics of its own) or on their own security
    reports. A tag carried by security reports is then a handful of rows off two indexes, where
    the tag and the policy apart made the planner expect thousands of matches and walk every
    ticket in order for them (2 s at 1M). The same rows as `tags @> [tag]` under the policy:
    it changes when the policy does."""
    if user.role == Role.CUSTOMER or not user.is_agent_side or has_security_clearance(user):
        return qs.filter(tags__contains=[tag])
    return qs.alias(tags_outside_security=TAGS_OUTSIDE_SECURITY).filter(
        Q(tags_outside_security__contains=[tag]) | Q(tags__contains=[tag], assignee=user)
    )


def users_who_can_see(ticket: Ticket, users: QuerySet[User]) -> QuerySet[User]:
    """The same policy as `tickets_visible_to`, read the other way: which of `users` may see
    this one ticket. Whoever is told about a ticket must be allowed to open it."""
    agents = Q(role__in=AGENT_SIDE_ROLES)
    customers = Q(role=Role.CUSTOMER, contact__organization_id=ticket.organization_id)
    if ticket.is_security:
        agents &= Q(role=Role.ADMIN) | _cleared(clock.now()) | Q(pk=ticket.assignee_id)
        customers &= Q(pk=ticket.requester_id)
    return users.filter(agents | customers, is_active=True)


def ticket_number_from_key(key: str) -> int | None:
    prefix, _, number = key.rpartition("-")
    if not prefix or not number.isdigit():
        return None
    return int(number)


def ticket_number_of(link: str) -> Subquery:
    """The number of a linked ticket (parent, duplicate_of) as a subquery: joining the ticket
    table to itself costs the planner more than the whole query takes to run."""
    return Subquery(Ticket.objects.filter(pk=OuterRef(link)).values("number")[:1])


def ticket_get_for_user(user: User, key: str, *, for_update: bool = False) -> Ticket:
    """The ticket with this key if the user may see it; 404 otherwise (never 403: no leaks).

    One ticket is read with its customer, people and team joined. Linked tickets (parent,
    duplicate of) are read on demand: most tickets have none, and two subqueries on every ticket
    page cost more to plan than the whole fetch takes to run. The number is unique, so there is
    no ORDER BY (`.first()` would add one, and a sort step to plan)."""
    number = ticket_number_from_key(key)
    if number is None:
        raise Http404
    qs = tickets_visible_to(user).select_related("organization", "requester", "assignee", "team")
    if for_update:
        qs = qs.select_for_update(of=("self",))
    found = list(qs.filter(number=number)[:1])
    if not found:
        raise Http404
    return found[0]


def comments_visible_to(user: User, ticket: Ticket) -> QuerySet[Comment]:
    qs = ticket.comments.select_related("author").prefetch_related("attachments")
    if not user.is_agent_side:
        qs = qs.filter(is_internal=False)
    return qs.order_by("created_at", "id")


def events_visible_to(user: User, ticket: Ticket) -> QuerySet[TicketEvent]:
    qs = ticket.events.select_related("actor")
    if not user.is_agent_side:
        qs = qs.filter(is_internal=False)
    return qs.order_by("created_at", "id")


def attachments_visible_to(user: User, ticket: Ticket) -> QuerySet[Attachment]:
    qs = ticket.attachments.select_related("uploaded_by")
    if not user.is_agent_side:
        qs = qs.filter(is_internal=False)
    return qs.order_by("created_at", "id")


def attachment_get_for_user(user: User, attachment_id: int) -> Attachment:
    attachment = (
        Attachment.objects.select_related("ticket")
        .filter(pk=attachment_id, ticket__in=tickets_visible_to(user))
        .first()
    )
    if attachment is None or (attachment.is_internal and not user.is_agent_side):
        raise Http404
    return attachment


def organizations_visible_to(user: User) -> QuerySet[Organization]:
    if user.is_agent_side:
        return Organization.objects.all()
    org_id = customer_organization_id(user)
    return Organization.objects.filter(pk=org_id) if org_id else Organization.objects.none()


def contacts_visible_to(user: User) -> QuerySet[Contact]:
    """Contacts are visible exactly where their organization is."""
    return Contact.objects.filter(organization__in=organizations_visible_to(user)).select_related(
        "user", "organization"
    )


def agents() -> QuerySet[User]:
    return User.objects.filter(role__in=AGENT_SIDE_ROLES, is_active=True).order_by(
        "first_name", "last_name", "username"
    )


# Pickers of agents and teams appear on every queue and ticket page; they change when an
# agent-side user or a team is saved. Cached in Redis (shared by every process) until then, and
# for at most PICKER_CACHE_SECONDS, since bulk loads (COPY, update()) send no signal.
PICKER_CACHE_SECONDS = 300
_AGENT_CHOICES_KEY = "pickers:agents"
_TEAM_CHOICES_KEY = "pickers:teams"


def agent_choices() -> list[tuple[str, str]]:
    """(username, display name) of every active agent-side user, for pickers: one narrow query
    off a partial index, no model instances (a support organisation has hundreds)."""
    choices = cache.get(_AGENT_CHOICES_KEY)
    if choices is None:
        rows = agents().values_list("username", "first_name", "last_name")
        choices = [(name, display_name(name, first, last)) for name, first, last in rows]
        cache.set(_AGENT_CHOICES_KEY, choices, PICKER_CACHE_SECONDS)
    return choices


def team_choices() -> list[tuple[str, str]]:
    """(slug, name) of every team, by name."""
    choices = cache.get(_TEAM_CHOICES_KEY)
    if choices is None:
        choices = list(Team.objects.order_by("name").values_list("slug", "name"))
        cache.set(_TEAM_CHOICES_KEY, choices, PICKER_CACHE_SECONDS)
    return choices


def _forget_agents(**kwargs) -> None:
    cache.delete(_AGENT_CHOICES_KEY)


def _forget_teams(**kwargs) -> None:
    cache.delete(_TEAM_CHOICES_KEY)


def connect_picker_signals() -> None:
    from django.db.models.signals import post_delete, post_save

    for name, signal in (("save", post_save), ("delete", post_delete)):
        signal.connect(_forget_agents, sender=User, dispatch_uid=f"pickers-agents-{name}")
        signal.connect(_forget_teams, sender=Team, dispatch_uid=f"pickers-teams-{name}")
