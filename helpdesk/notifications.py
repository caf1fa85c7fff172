"""What people are told about, and what they choose to get by email.

Apps register the kinds of notice they send (`register_kind`) and a filter that keeps a user's
bell within what that user may still see (`register_visibility`). Every notice is written to the
bell; `email_wanted` decides which ones also leave as email, per the user's preference.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet

from helpdesk.errors import DomainError
from helpdesk.models import Notification, NotificationPreference, User


@dataclass(frozen=True)
class Kind:
    key: str
    label: str  # how the preferences page names it
    for_agents: bool
    for_customers: bool
    email_by_default: bool = True


KINDS: dict[str, Kind] = {}
_visibility: list[Callable[[User, QuerySet[Notification]], QuerySet[Notification]]] = []


def register_kind(kind: Kind) -> None:
    KINDS[kind.key] = kind


def register_visibility(
    scope: Callable[[User, QuerySet[Notification]], QuerySet[Notification]],
) -> None:
    if scope not in _visibility:
        _visibility.append(scope)


def kinds_for(user: User) -> list[Kind]:
    """The kinds of notice this user can receive, in registration order."""
    side = "for_agents" if user.is_agent_side else "for_customers"
    return [kind for kind in KINDS.values() if getattr(kind, side)]


def visible_to(user: User) -> QuerySet[Notification]:
    """The user's own notices, minus those about things they may no longer see."""
    qs = Notification.objects.filter(user=user)
    for scope in _visibility:
        qs = scope(user, qs)
    return qs


def email_preferences(user: User) -> dict[str, bool]:
    """kind -> whether this user gets it by email, for every kind they can receive."""
    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "email"))
    return {kind.key: chosen.get(kind.key, kind.email_by_default) for kind in kinds_for(user)}


def email_wanted(pairs: Iterable[tuple[int, str]]) -> set[tuple[int, str]]:
    """Which (user id, kind) pairs also go out by email: one query for a whole batch."""
    pairs = set(pairs)
    if not pairs:
        return set()
    users = {user_id for user_id, _ in pairs}
    kinds = {kind for _, kind in pairs}
    chosen = {
        (user_id, kind): email
        for user_id, kind, email in NotificationPreference.objects.filter(
            user_id__in=users, kind__in=kinds
        ).values_list("user_id", "kind", "email")
    }
    default = {key: KINDS[key].email_by_default if key in KINDS else True for key in kinds}
    return {pair for pair in pairs if chosen.get(pair, default[pair[1]])}


@transaction.atomic
def email_preferences_set(*, user: User, email_kinds: Iterable[str]) -> dict[str, bool]:
    """Store which of the user's kinds they get by email; the others stay in-app only."""
    wanted = set(email_kinds)
    known = {kind.key for kind in kinds_for(user)}
    unknown = wanted - known
    if unknown:
        raise DomainError(f"Unknown kind(s) of notice: {', '.join(sorted(unknown))}.")
    for key in sorted(known):
        NotificationPreference.objects.update_or_create(
            user=user, kind=key, defaults={"email": key in wanted}
        )
    return email_preferences(user)
