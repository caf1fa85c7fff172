"""The SLA clocks of tickets: applying policies, pausing, resuming, fulfilling.

Called by tickets.services inside their transactions, with the ticket row already locked, so a
clock never disagrees with the ticket it measures. Rules: DESIGN.md section 5.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import F, Value
from django.db.models.functions import Coalesce

from tickets.choices import OPEN_STATUSES, EventKind, Status
from tickets.models import (
    BusinessCalendar,
    SlaEvent,
    SlaEventKind,
    SlaKind,
    SlaPolicy,
    SlaTarget,
    Ticket,
    TicketEvent,
)

from . import calendars
from .businesstime import CalendarSpec, Interval, business_time_between, due_at

PAUSED_STATUSES = frozenset({Status.WAITING_ON_CUSTOMER, Status.RESOLVED})


def active_policies() -> list[SlaPolicy]:
    return list(SlaPolicy.objects.filter(is_active=True).select_related("calendar"))


def match_policy(
    policies: list[SlaPolicy], *, severity: int, tier: str, channel: str
) -> SlaPolicy | None:
    """The first policy, in order, whose non-empty fields all match."""
    for policy in policies:
        if policy.severity and policy.severity != severity:
            continue
        if policy.tier and policy.tier != tier:
            continue
        if policy.channel and policy.channel != channel:
            continue
        return policy
    return None


def policy_for(ticket: Ticket) -> SlaPolicy | None:
    return match_policy(
        active_policies(),
        severity=ticket.severity,
        tier=ticket.organization.tier,
        channel=ticket.channel,
    )


def calendar_spec(calendar: BusinessCalendar) -> CalendarSpec:
    return calendars.spec_for(calendar.pk)


def _pauses(target: SlaTarget, *, until: datetime | None = None) -> list[Interval]:
    closed = [(datetime.fromisoformat(a), datetime.fromisoformat(b)) for a, b in target.pauses]
    if target.paused_since and until:
        closed.append((target.paused_since, until))
    return closed


def _fmt(duration: timedelta) -> str:
    # Never in days: a "day" of business time is 24 business hours, three working days of an
    # office calendar, and reads as one.
    minutes = int(duration.total_seconds() // 60)
    if minutes % 60 == 0 and minutes >= 60:
        return f"{minutes // 60} h"
    return f"{minutes} min"


def _schedule(target: SlaTarget, spec: CalendarSpec, *, now: datetime) -> None:
    """Recompute due/warn times and the engine's next look at the row."""
    policy = target.policy
    pauses = _pauses(target, until=now)
    target.due_at = due_at(spec, target.started_at, target.target, pauses)
    lead = policy.warning_lead(target.target)
    target.warn_at = due_at(spec, target.started_at, target.target - lead, pauses)
    if target.fulfilled_at or target.paused_since:
        target.next_check_at = None
    elif target.warned_at is None and target.breached_at is None and target.warn_at < target.due_at:
        target.next_check_at = target.warn_at
    elif target.breached_at is None:
        target.next_check_at = target.due_at
    else:
        target.next_check_at = None
    closed = _pauses(target)
    paused = sum(((b - a) for a, b in closed), timedelta(0))
    target.explanation = (
        f"{policy.name}: {_fmt(target.target)} of {target.calendar.name} time "
        f"({target.calendar.timezone}) from {target.started_at:%Y-%m-%d %H:%M} UTC"
        + (f", plus {len(closed)} pause(s) of {_fmt(paused)} in all" if closed else "")
        + (
            f"; paused since {target.paused_since:%Y-%m-%d %H:%M} UTC"
            if target.paused_since
            else ""
        )
    )


def _log(target: SlaTarget, kind: str, *, now: datetime, **data) -> None:
    SlaEvent.objects.create(
        ticket_id=target.ticket_id,
        target_kind=target.kind,
        cycle=target.cycle,
        kind=kind,
        policy=target.policy,
        at=now,
        due_at=target.due_at,
        data=data,
    )


def apply(ticket: Ticket, *, now: datetime) -> None:
    """Apply (or re-apply, after a severity, tier or channel change) the matching policy from
    the ticket's creation. Time already used and pauses already taken are kept."""
    policy = policy_for(ticket)
    existing = {t.kind: t for t in ticket.sla_targets.select_related("policy", "calendar")}
    if policy is None:
        for target in existing.values():
            _log(target, SlaEventKind.CANCELLED, now=now, reason="no matching policy")
            target.delete()
        sync_ticket(ticket, now=now)
        return
    spec = calendar_spec(policy.calendar)
    paused_now = ticket.status in PAUSED_STATUSES
    for kind in SlaKind.values:
        duration = policy.target_for(kind)
        target = existing.get(kind)
        if duration is None or (
            kind == SlaKind.UPDATE and ticket.first_response_at is None and target is None
        ):
            # No such target, or the update clock has not started (first response covers it).
            if target is not None:
                _log(target, SlaEventKind.CANCELLED, now=now, reason="not in policy")
                target.delete()
            continue
        if target is None:
            start = ticket.first_response_at if kind == SlaKind.UPDATE else ticket.created_at
            target = SlaTarget(
                ticket=ticket, kind=kind, started_at=start, cycle=_next_cycle(ticket, kind)
            )
            if kind == SlaKind.FIRST_RESPONSE and ticket.first_response_at:
                target.fulfilled_at = ticket.first_response_at
            if paused_now and kind != SlaKind.FIRST_RESPONSE:
                target.paused_since = now
        target.policy, target.calendar, target.target = policy, policy.calendar, duration
        _schedule(target, spec, now=now)
        target.save()
        _log(target, SlaEventKind.APPLIED, now=now, policy=policy.name)
    sync_ticket(ticket, now=now)


def breach_if_late(target: SlaTarget, *, ticket: Ticket, now: datetime) -> bool:
    """Record the breach of a running target whose due time has passed, at `now`.

    The engine records breaches of targets still running; a target fulfilled, paused or stopped
    after its due time is breached here, in the caller's transaction, so a late answer never
    reads as met when no tick ran in between (engine lag, a backdated import). Recorded once
    per period, like the engine's. Returns whether a breach was recorded; the caller saves the
    target.
    """
    if target.breached_at is not None or now < target.due_at:
        return False
    target.breached_at = now
    target.next_check_at = None
    _log(
        target,
        SlaEventKind.BREACHED,
        now=now,
        late_seconds=round((now - target.due_at).total_seconds(), 3),
    )
    TicketEvent.objects.create(
        ticket=ticket,
        kind=EventKind.SLA,
        field=target.kind,
        after=SlaEventKind.BREACHED,
        is_internal=True,
        created_at=now,
    )
    credit = target.policy.counts_for_credit(kind=target.kind, tier=ticket.organization.tier)
    flags = {"sla_breached_at": Coalesce(F("sla_breached_at"), Value(now))}
    if credit:
        flags["sla_credit_review"] = Value(True)
    Ticket.objects.filter(pk=ticket.pk).update(**flags)
    ticket.sla_breached_at = ticket.sla_breached_at or now
    ticket.sla_credit_review = ticket.sla_credit_review or credit
    return True


def _next_cycle(ticket: Ticket, kind: str) -> int:
    """A target that comes back (after a policy without it) starts a new period: warnings and
    breaches are recorded once per period, so a period number is never reused."""
    last = (
        SlaEvent.objects.filter(ticket=ticket, target_kind=kind)
        .order_by("-cycle")
        .values_list("cycle", flat=True)
        .first()
    )
    return (last or 0) + 1


def on_status_change(ticket: Ticket, *, before: str, after: str, now: datetime) -> None:
    """Pause while waiting on the customer or resolved; resume on the way back; stop on close.

    Resolving fulfils the resolution target; reopening makes it run again, with the time it had
    already used. The first response never pauses. A running target already past its due time
    is breached now, before it is paused, fulfilled or stopped, whether or not the engine has
    ticked since.
    """
    targets = list(ticket.sla_targets.select_related("policy", "calendar"))
    for target in targets:
        changed = False
        if target.is_running:
            changed = breach_if_late(target, ticket=ticket, now=now)
        if after == Status.CLOSED:
            if target.fulfilled_at is None:
                _log(target, SlaEventKind.CANCELLED, now=now, reason="closed")
            target.next_check_at = None
            target.save(update_fields=["next_check_at", "breached_at"])
            continue
        if (
            after == Status.RESOLVED
            and target.kind == SlaKind.RESOLUTION
            and not target.fulfilled_at
        ):
            target.fulfilled_at = now
            _log(target, SlaEventKind.FULFILLED, now=now)
            changed = True
        pausable = target.kind == SlaKind.RESOLUTION or (
            target.kind == SlaKind.UPDATE and target.fulfilled_at is None
        )
        if after in PAUSED_STATUSES and before not in PAUSED_STATUSES and pausable:
            target.paused_since = now
            _log(target, SlaEventKind.PAUSED, now=now, status=after)
            changed = True
        elif before in PAUSED_STATUSES and after in OPEN_STATUSES and target.paused_since:
            target.pauses = [*target.pauses, [target.paused_since.isoformat(), now.isoformat()]]
            target.paused_since = None
            if before == Status.RESOLVED and target.kind == SlaKind.RESOLUTION:
                target.fulfilled_at = None  # reopened: unresolved again
            _log(target, SlaEventKind.RESUMED, now=now, status=after)
            changed = True
        if changed:
            _schedule(target, calendar_spec(target.calendar), now=now)
            target.save()
    sync_ticket(ticket, now=now)


def on_public_agent_reply(ticket: Ticket, *, now: datetime) -> None:
    """The first public reply fulfils the first response; every public reply fulfils the current
    customer update and starts the next period."""
    targets = {t.kind: t for t in ticket.sla_targets.select_related("policy", "calendar")}
    first = targets.get(SlaKind.FIRST_RESPONSE)
    if first and first.fulfilled_at is None:
        breach_if_late(first, ticket=ticket, now=now)
        first.fulfilled_at = now
        first.next_check_at = None
        first.save(update_fields=["fulfilled_at", "next_check_at", "breached_at"])
        _log(first, SlaEventKind.FULFILLED, now=now)
    update = targets.get(SlaKind.UPDATE)
    if update is not None:
        if update.fulfilled_at is None:
            if update.paused_since is None:
                breach_if_late(update, ticket=ticket, now=now)
            _log(update, SlaEventKind.FULFILLED, now=now)
        update.cycle += 1
        update.started_at = now
        update.pauses = []
        update.paused_since = now if ticket.status in PAUSED_STATUSES else None
        update.fulfilled_at = update.warned_at = update.breached_at = None
        _schedule(update, calendar_spec(update.calendar), now=now)
        update.save()
        _log(update, SlaEventKind.APPLIED, now=now, policy=update.policy.name)
    elif (policy := policy_for(ticket)) and policy.update_interval:
        update = SlaTarget(
            ticket=ticket,
            kind=SlaKind.UPDATE,
            started_at=now,
            policy=policy,
            cycle=_next_cycle(ticket, SlaKind.UPDATE),
            calendar=policy.calendar,
            target=policy.update_interval,
            paused_since=now if ticket.status in PAUSED_STATUSES else None,
        )
        _schedule(update, calendar_spec(policy.calendar), now=now)
        update.save()
        _log(update, SlaEventKind.APPLIED, now=now, policy=policy.name)
    sync_ticket(ticket, now=now)


def stop(ticket: Ticket, *, now: datetime, reason: str) -> None:
    """Stop every target still owed without fulfilling it: the ticket no longer stands on its own
    (merged into another, whose clocks carry the customer's wait). Stopping is not a breach; a
    running target already past its due time was breached then, and is recorded now if the
    engine has not ticked since (late is late, as for any stop). The caller holds the row lock."""
    for target in ticket.sla_targets.select_related("policy", "calendar"):
        if target.is_running:
            breach_if_late(target, ticket=ticket, now=now)
        if target.fulfilled_at is None:
            _log(target, SlaEventKind.CANCELLED, now=now, reason=reason)
        target.next_check_at = None
        target.save(update_fields=["next_check_at", "breached_at"])
    sync_ticket(ticket, now=now)


COMMITMENT = "commitment"  # SlaEvent.data["by"] of a resolution fulfilled by a commitment


def fulfil_by_commitment(ticket: Ticket, *, now: datetime, reason: str) -> bool:
    """Fulfil the current resolution target by an engineering commitment (root cause identified
    with a timeline). The caller holds the ticket's row lock."""
    target = (
        ticket.sla_targets.select_related("policy", "calendar")
        .filter(kind=SlaKind.RESOLUTION, fulfilled_at__isnull=True)
        .first()
    )
    if target is None:
        return False
    if target.paused_since is None:
        breach_if_late(target, ticket=ticket, now=now)
    target.fulfilled_at = now
    target.next_check_at = None
    target.save(update_fields=["fulfilled_at", "next_check_at", "breached_at"])
    _log(target, SlaEventKind.FULFILLED, now=now, by=COMMITMENT, reason=reason[:300])
    sync_ticket(ticket, now=now)
    return True


def _commitments(ticket: Ticket) -> dict[int, str]:
    """The resolution periods whose last fulfilment was a commitment: cycle -> reason. (A
    reopened ticket that is resolved later was met by its resolution, not the commitment.)"""
    rows = (
        SlaEvent.objects.filter(
            ticket=ticket, target_kind=SlaKind.RESOLUTION, kind=SlaEventKind.FULFILLED
        )
        .order_by("at", "id")
        .values_list("cycle", "data")
    )
    last = {cycle: data or {} for cycle, data in rows}
    return {c: d.get("reason", "") for c, d in last.items() if d.get("by") == COMMITMENT}


def sync_ticket(ticket: Ticket, *, now: datetime) -> None:
    """Copy the next running target onto the ticket, for the queue's sort and badge."""
    targets = [t for t in ticket.sla_targets.all() if t.fulfilled_at is None]
    running = sorted(
        (t for t in targets if t.paused_since is None and ticket.is_open), key=lambda t: t.due_at
    )
    nxt = running[0] if running else None
    fields = {
        "sla_kind": nxt.kind if nxt else "",
        "sla_calendar_id": nxt.calendar_id if nxt else None,
        "sla_due_at": nxt.due_at if nxt else None,
        "sla_warn_at": nxt.warn_at if nxt else None,
        "sla_paused": bool(targets) and not running and ticket.is_open,
    }
    for name, value in fields.items():
        setattr(ticket, name, value)
    Ticket.objects.filter(pk=ticket.pk).update(**fields)


def used(target: SlaTarget, *, now: datetime) -> timedelta:
    """Business time used so far (paused time never counts)."""
    end = target.fulfilled_at or now
    if target.paused_since and target.paused_since < end:
        end = target.paused_since
    return business_time_between(
        calendar_spec(target.calendar), target.started_at, end, _pauses(target)
    )


def paused_total(target: SlaTarget, *, now: datetime) -> timedelta:
    return sum(((b - a) for a, b in _pauses(target, until=now)), timedelta(0))


def target_rows(ticket: Ticket, *, now: datetime) -> list[dict]:
    """Every target of a ticket, ready for display: due, used, paused, state, explanation."""
    rows = []
    order = {SlaKind.FIRST_RESPONSE: 0, SlaKind.UPDATE: 1, SlaKind.RESOLUTION: 2}
    targets = sorted(
        ticket.sla_targets.select_related("policy", "calendar"), key=lambda t: order[t.kind]
    )
    resolution = next((t for t in targets if t.kind == SlaKind.RESOLUTION), None)
    committed = _commitments(ticket) if resolution and resolution.fulfilled_at else {}
    for target in targets:
        commitment = committed.get(target.cycle) if target.kind == SlaKind.RESOLUTION else None
        if target.fulfilled_at and commitment is not None:
            state = "met by commitment" if target.breached_at is None else "met late"
        elif target.fulfilled_at:
            state = "met" if target.breached_at is None else "met late"
        elif ticket.status == Status.CLOSED:  # closing (or merging) stops every clock
            state = "breached" if target.breached_at else "stopped"
        elif target.paused_since:
            state = "paused"
        elif target.breached_at or now >= target.due_at:
            state = "breached"
        elif now >= target.warn_at:
            state = "warning"
        else:
            state = "ok"
        rows.append(
            {
                "target": target,
                "state": state,
                "used": used(target, now=now),
                "paused": paused_total(target, now=now),
                "left": max(target.target - used(target, now=now), timedelta(0)),
                "commitment": commitment,
            }
        )
    return rows
