"""The rows of each table, from the plan: tuples of COPY text (ids may stay ints)."""

from __future__ import annotations

import json
from collections.abc import Iterator

from django.conf import settings

from .pgcopy import FALSE, NULL, TRUE, Stamps, array, interval, ts
from .plan import Plan
from .text import ACCOUNT_TYPES, BROWSERS, paragraphs_html

USER_FIELDS = [
    "id",
    "password",
    "username",
    "first_name",
    "last_name",
    "email",
    "role",
    "is_active",
    "is_staff",
    "is_superuser",
    "date_joined",
    "last_login",
]
ORGANIZATION_FIELDS = ["id", "name", "slug", "tier", "domain", "created_at"]
CONTACT_FIELDS = ["id", "user_id", "organization_id", "job_title", "phone"]
AGENT_PROFILE_FIELDS = ["id", "user_id", "support_tier"]
TICKET_FIELDS = [
    "id",
    "number",
    "title",
    "description",
    "issue_type",
    "severity",
    "category",
    "environment",
    "channel",
    "status",
    "affected_users",
    "business_impact",
    "workaround_available",
    "workaround",
    "product_version",
    "browser",
    "platform",
    "account_type",
    "error_message",
    "request_id",
    "affected_endpoint",
    "recent_changes",
    "tags",
    "is_security",
    "created_at",
    "updated_at",
    "first_response_at",
    "resolved_at",
    "closed_at",
    "organization_id",
    "requester_id",
    "assignee_id",
    "team_id",
    "parent_id",
    "duplicate_of_id",
    "sla_kind",
    "sla_calendar_id",
    "sla_due_at",
    "sla_warn_at",
    "sla_paused",
    "sla_breached_at",
    "sla_credit_review",
]
COMMENT_FIELDS = ["id", "body", "body_html", "is_internal", "created_at", "author_id", "ticket_id"]
EVENT_FIELDS = [
    "id",
    "kind",
    "field",
    "before",
    "after",
    "is_internal",
    "created_at",
    "actor_id",
    "comment_id",
    "ticket_id",
]
TARGET_FIELDS = [
    "id",
    "kind",
    "cycle",
    "target",
    "started_at",
    "pauses",
    "paused_since",
    "due_at",
    "warn_at",
    "warned_at",
    "breached_at",
    "fulfilled_at",
    "next_check_at",
    "explanation",
    "calendar_id",
    "policy_id",
    "ticket_id",
]
COMMENT_KINDS = ("reply", "customer", "note")


def _n(value) -> str:
    return NULL if value is None else str(value)


def user_rows(plan: Plan, password: str) -> Iterator[tuple]:
    for p in plan.users():
        yield (
            p.id,
            password,
            p.username,
            p.first_name,
            p.last_name,
            p.email,
            p.role,
            TRUE,
            FALSE,
            FALSE,
            ts(p.joined),
            NULL,
        )


def organization_rows(plan: Plan) -> Iterator[tuple]:
    for org in plan.orgs:
        yield (org.id, org.name, org.slug, org.tier, org.domain, ts(org.created_at))


def contact_rows(plan: Plan, first_id: int) -> Iterator[tuple]:
    for k, p in enumerate(plan.contacts):
        phone = f"+1 555 {p.id % 1000:03d} {p.id % 10000:04d}" if p.id % 3 == 0 else ""
        yield (first_id + k, p.id, plan.orgs[p.org].id, p.job_title, phone)


def agent_profile_rows(plan: Plan, first_id: int) -> Iterator[tuple]:
    for k, p in enumerate(plan.agents):
        yield (first_id + k, p.id, p.tier)


def _topic(plan: Plan, sk, rng):
    return plan.text.topic(
        rng,
        category=sk.category,
        org_name=sk.org.name,
        domain=sk.org.domain,
        hour=sk.created % 86400 // 3600,
    )


def ticket_rows(plan: Plan) -> Iterator[tuple]:
    people = plan.people_by_id
    stamp = Stamps()
    for sk in plan.tickets():
        rng = plan.text_rng(sk.index)
        topic = _topic(plan, sk, rng)
        requester = people[sk.requester.id].name if sk.requester else ""
        t = plan.text.ticket(rng, topic, is_security=sk.is_security, requester=requester)
        tags = plan.text.tags(rng, sk.category)
        if sk.is_security:
            tags = ["security", *tags]
        portal = sk.channel == "portal"
        product_version = (
            (f"{topic['sdk']} {topic['version']}" if rng.random() < 0.5 else "API v1")
            if rng.random() < 0.6
            else ""
        )
        if sk.sla is not None and sk.is_open:
            sla = sk.sla.columns
            sla_cols = (
                sla["sla_kind"],
                _n(sla["sla_calendar_id"]),
                ts(sla["sla_due_at"]),
                ts(sla["sla_warn_at"]),
                TRUE if sla["sla_paused"] else FALSE,
            )
        else:
            sla_cols = ("", NULL, NULL, NULL, FALSE)
        yield (
            sk.id,
            sk.number,
            t["title"],
            t["description"],
            sk.issue_type,
            sk.severity,
            sk.category,
            sk.environment,
            sk.channel,
            sk.status,
            _n(sk.affected_users),
            sk.business_impact,
            TRUE if t["workaround"] else FALSE,
            t["workaround"],
            product_version,
            BROWSERS(rng) if portal and rng.random() < 0.7 else "",
            topic["platform"] if rng.random() < 0.45 else "",
            _account_type(rng, sk.category),
            t["error_message"],
            t["request_id"],
            t["affected_endpoint"],
            t["recent_changes"],
            array(tags),
            TRUE if sk.is_security else FALSE,
            stamp(sk.created),
            stamp(sk.updated),
            stamp(sk.first_response),
            stamp(sk.resolved),
            stamp(sk.closed),
            sk.org.id,
            _n(sk.requester.id if sk.requester else None),
            _n(sk.assignee),
            _n(sk.team.id),
            _n(sk.parent_id),
            _n(sk.duplicate_of_id),
            *sla_cols,
            NULL,
            FALSE,
        )


def _account_type(rng, category: str) -> str:
    if category == "authentication":
        return ACCOUNT_TYPES(rng)
    return ACCOUNT_TYPES(rng) if rng.random() < 0.3 else ""


def comment_rows(plan: Plan, first_id: int) -> Iterator[tuple]:
    people = plan.people_by_id
    prefix = settings.HELPDESK_TICKET_PREFIX
    stamp = Stamps()
    cid = first_id
    for sk in plan.tickets():
        rng = plan.text_rng(sk.index)
        topic = _topic(plan, sk, rng)
        key = f"{prefix}-{sk.number}"
        customer = sk.requester.first_name if sk.requester else sk.org.contacts[0].first_name
        for a in sk.actions:
            if a.kind not in COMMENT_KINDS:
                continue
            author = people[a.actor]
            body = plan.text.comment(
                rng,
                topic,
                a.purpose,
                key=key,
                agent=author.name,
                customer_first=customer,
                tier=sk.org.tier,
            )
            yield (
                cid,
                body,
                paragraphs_html(body),
                TRUE if a.kind == "note" else FALSE,
                stamp(a.at),
                a.actor,
                sk.id,
            )
            cid += 1


def event_rows(plan: Plan, first_id: int, first_comment_id: int) -> Iterator[tuple]:
    prefix = settings.HELPDESK_TICKET_PREFIX
    stamp = Stamps()
    eid, cid = first_id, first_comment_id
    for sk in plan.tickets():
        yield (
            eid,
            "created",
            "",
            NULL,
            f'"{prefix}-{sk.number}"',
            FALSE,
            stamp(sk.created),
            _n(sk.creator),
            NULL,
            sk.id,
        )
        eid += 1
        for a in sk.actions:
            if a.kind == "status":
                yield (
                    eid,
                    "status",
                    "status",
                    f'"{a.before}"',
                    f'"{a.after}"',
                    FALSE,
                    stamp(a.at),
                    _n(a.actor),
                    NULL,
                    sk.id,
                )
            else:
                note = a.kind == "note"
                yield (
                    eid,
                    "note" if note else "reply",
                    "",
                    NULL,
                    NULL,
                    TRUE if note else FALSE,
                    stamp(a.at),
                    _n(a.actor),
                    cid,
                    sk.id,
                )
                cid += 1
            eid += 1


def target_rows(plan: Plan, first_id: int) -> Iterator[tuple]:
    """After a pass over the tickets: the open tickets' SLA targets."""
    tid = first_id
    for ticket_id, clocked in plan.open_clocks():
        for (
            kind,
            cycle,
            target,
            started,
            pauses,
            paused_since,
            due,
            warn,
            breached,
            fulfilled,
            next_check,
            explanation,
            calendar_id,
            policy_id,
        ) in clocked.targets:
            yield (
                tid,
                kind,
                cycle,
                interval(target),
                ts(started),
                json.dumps(pauses),
                ts(paused_since),
                ts(due),
                ts(warn),
                NULL,
                ts(breached),
                ts(fulfilled),
                ts(next_check),
                explanation,
                calendar_id,
                policy_id,
                ticket_id,
            )
            tid += 1
