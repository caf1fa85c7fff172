"""Chooses the benchmark's users and pages in the dataset and gives them credentials.

Runs as its own Django process with the server's settings and secret key (a session's auth hash
depends on it):

    python -m bench.prepare --out FILE      write the choices, session keys and API tokens to FILE
    python -m bench.prepare --cleanup FILE  delete those sessions and tokens again

Credentials are made without the login form: a session row written by SessionStore, and tokens
from ApiToken.issue. Data is only written when the dataset lacks a ticket with 50 comments: one is
then given its comments through tickets.services.comment_add, once, and found again next time;
and on-call data (schedules, policies, 30,000 pages) is loaded once by bench/oncall.py.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from collections import Counter
from importlib import import_module
from pathlib import Path

COMMENTS_WANTED = 50
TOKEN_NAME = "bench"
# API load comes from several agents: the per-user throttle (6000/min) is production's policy,
# and one user alone could never show the server's capacity through it.
TOKEN_USERS = 8
TITLE_SAMPLE = 5000
# Words too common in any English text to say anything about the dataset's titles.
_STOPWORDS_TEXT = (
    "about after again also and are because been before being between both but can cannot "
    "could does doing down during each from further have having here into just more most "
    "once only other over same should some such than that the their them then there these "
    "they this those through under until very was were what when where which while will with "
    "would your yours "
)
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())


def _setup() -> None:
    import django

    django.setup()


def _dataset() -> dict:
    from django.db import connection

    from helpdesk import clock
    from tickets.choices import OPEN_STATUSES

    now = clock.now()
    with connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = '300s'")
        cursor.execute(
            """SELECT
                (SELECT count(*) FROM tickets_ticket),
                (SELECT count(*) FROM tickets_ticket WHERE status = ANY(%s)),
                (SELECT count(*) FROM tickets_comment),
                (SELECT count(*) FROM tickets_organization),
                (SELECT count(*) FROM helpdesk_user WHERE role <> 'customer'),
                (SELECT count(*) FROM tickets_slatarget WHERE next_check_at IS NOT NULL),
                (SELECT count(*) FROM tickets_slatarget WHERE next_check_at <= %s)""",
            [list(OPEN_STATUSES), now],
        )
        row = cursor.fetchone()
    keys = (
        "tickets",
        "open_tickets",
        "comments",
        "organizations",
        "agent_side_users",
        "open_sla_timers",
        "due_sla_timers",
    )
    return {**dict(zip(keys, row, strict=True)), "at": now.isoformat()}


def _agent():
    from django.db.models import Count

    from helpdesk.models import Role, User
    from tickets.choices import OPEN_STATUSES
    from tickets.models import Ticket

    top = (
        Ticket.objects.filter(
            status__in=OPEN_STATUSES, assignee__role=Role.AGENT, assignee__is_active=True
        )
        .values("assignee")
        .annotate(n=Count("id"))
        .order_by("-n", "assignee")[:1]
    )
    if not top:
        raise SystemExit("bench: no active agent has open tickets assigned; cannot measure 'mine'")
    return User.objects.get(pk=top[0]["assignee"]), top[0]["n"]


def _team():
    from django.db.models import Count

    from tickets.choices import OPEN_STATUSES
    from tickets.models import Team, Ticket

    top = (
        Ticket.objects.filter(status__in=OPEN_STATUSES, team__isnull=False)
        .values("team")
        .annotate(n=Count("id"))
        .order_by("-n", "team")[:1]
    )
    if not top:
        raise SystemExit("bench: no open ticket has a team; cannot measure the team filter")
    return Team.objects.get(pk=top[0]["team"]), top[0]["n"]


def _organization():
    from django.db.models import Count

    from tickets.models import Organization, Ticket

    top = Ticket.objects.values("organization").annotate(n=Count("id")).order_by("-n")[:1]
    if not top:
        raise SystemExit("bench: the dataset has no tickets")
    return Organization.objects.get(pk=top[0]["organization"]), top[0]["n"]


def _customer(organization):
    from helpdesk.models import Role, User

    user = (
        User.objects.filter(contact__organization=organization, role=Role.CUSTOMER, is_active=True)
        .order_by("pk")
        .first()
    )
    if user is None:
        raise SystemExit(f"bench: organization {organization.slug} has no active contact")
    return user


def _ticket_with_comments(agent, organization):
    """A ticket with about 50 comments: the one closest above 50, or one given them now."""
    from django.db.models import Count

    from tickets import services
    from tickets.choices import OPEN_STATUSES
    from tickets.models import Comment
    from tickets.selectors import tickets_visible_to

    visible = tickets_visible_to(agent)
    # Grouping the comments alone reads one index; the few candidates are checked afterwards.
    candidates = (
        Comment.objects.values("ticket")
        .annotate(n=Count("id"))
        .filter(n__gte=COMMENTS_WANTED, n__lte=COMMENTS_WANTED * 2)
        .order_by("n", "ticket")[:50]
    )
    counts = {c["ticket"]: c["n"] for c in candidates}
    shown = set(visible.filter(pk__in=counts).values_list("pk", flat=True)) if counts else set()
    if shown:
        pk = min(shown, key=lambda pk: (counts[pk], pk))
        return visible.get(pk=pk), counts[pk], 0
    ticket = (
        visible.filter(organization=organization, status__in=OPEN_STATUSES)
        .order_by("-created_at", "-id")
        .first()
    )
    if ticket is None:
        raise SystemExit(f"bench: organization {organization.slug} has no open ticket")
    have = ticket.comments.count()
    added = 0
    for i in range(have, COMMENTS_WANTED):
        internal = i % 5 == 4
        body = (
            f"**Update {i + 1}.** We looked at the request logs again.\n\n"
            f"- checked `request_id` values from the last hour\n- no errors on the gateway\n\n"
            f"{'Internal: escalate if it recurs.' if internal else 'We will keep you posted.'}"
        )
        services.comment_add(ticket=ticket, author=agent, body=body, is_internal=internal)
        added += 1
    return ticket, ticket.comments.count(), added


def _common_word() -> tuple[str, int]:
    from tickets.models import Ticket

    titles = Ticket.objects.order_by("-id").values_list("title", flat=True)[:TITLE_SAMPLE]
    words = Counter(
        word
        for title in titles
        for word in set(re.findall(r"[a-z]{4,}", title.lower()))
        if word not in STOPWORDS
    )
    if not words:
        raise SystemExit("bench: no usable word in the ticket titles")
    word, count = words.most_common(1)[0]
    return word, round(100 * count / max(1, len(titles)))


def _kb() -> dict:
    """The knowledge base's figures: counts, the most common word of article titles (and the
    same word misspelt, for the typo-tolerant search), and a public article to read."""
    from kb.models import Article, KnownIssue
    from kb.selectors import PUBLIC_ARTICLE

    titles = Article.objects.order_by("-id").values_list("title", flat=True)[:TITLE_SAMPLE]
    words = Counter(
        word
        for title in titles
        for word in set(re.findall(r"[a-z]{6,}", title.lower()))
        if word not in STOPWORDS
    )
    word = words.most_common(1)[0][0] if words else ""
    article = Article.objects.filter(PUBLIC_ARTICLE).order_by("-published_at", "-id").first()
    return {
        "articles": Article.objects.count(),
        "known_issues": KnownIssue.objects.count(),
        "word": word,
        # One letter dropped from the middle: the title trigram match must still find it.
        "typo": word[: len(word) // 2] + word[len(word) // 2 + 1 :] if word else "",
        "article": article.slug if article else "",
    }


def _oncall():
    """The on-call data (loaded once, see bench/oncall.py) and the engineer with the most open
    pages, whose My pages is measured."""
    from bench import oncall
    from helpdesk import clock
    from helpdesk.models import User

    found = oncall.load(clock.now())
    engineer = User.objects.filter(pk=found.pop("engineer_id")).first()
    found["engineer"] = engineer.username if engineer else ""
    return found, engineer


def _dashboard(organization):
    """A manager to look at the dashboard, its panels' URLs, and the rollups brought up to date:
    rebuilt from the logs when they were never built, else rolled on from their watermark."""
    from datetime import timedelta

    from django.core.management import call_command
    from django.db import transaction
    from django.urls import reverse

    from helpdesk import clock, panels
    from helpdesk.models import Role, User
    from tickets.metrics import engine as rollups
    from tickets.models import RollupWatermark

    manager = User.objects.filter(role=Role.MANAGER, is_active=True).order_by("pk").first()
    if manager is None:
        manager = User.objects.create(username="bench.manager", role=Role.MANAGER)
    started = time.monotonic()
    now = clock.now()
    if not RollupWatermark.objects.filter(name=rollups.NAME, rolled_through__isnull=False).exists():
        call_command("rebuild_rollups")
    else:
        with transaction.atomic():
            rollups.run(now + rollups.EVERY)  # past its interval, so it rolls now
    today = now.date()
    found = {
        "panels": [
            (name.split(":")[-1].replace("_", "-"), reverse(name))
            for name in panels.registered("dashboard")
        ],
        "start": (today - timedelta(days=29)).isoformat(),
        "end": today.isoformat(),
        "organization": organization.pk,
        "rollup_seconds": round(time.monotonic() - started, 1),
    }
    return found, manager


def _session(user) -> str:
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = user._meta.pk.value_to_string(user)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.save()
    return store.session_key


def _tokens(agent) -> list[dict]:
    from helpdesk.models import ApiToken, Role, User

    others = (
        User.objects.filter(role=Role.AGENT, is_active=True)
        .exclude(pk=agent.pk)
        .order_by("pk")[: TOKEN_USERS - 1]
    )
    users = [agent, *others]
    ApiToken.objects.filter(user__in=users, name=TOKEN_NAME).delete()
    issued = []
    for user in users:
        token, raw = ApiToken.issue(user=user, name=TOKEN_NAME)
        issued.append({"id": token.pk, "user": user.username, "raw": raw})
    return issued


def prepare(out: Path) -> None:
    from django.conf import settings

    started = time.monotonic()
    dataset = _dataset()
    agent, mine = _agent()
    team, team_open = _team()
    organization, org_tickets = _organization()
    customer = _customer(organization)
    ticket, comments, added = _ticket_with_comments(agent, organization)
    word, word_percent = _common_word()
    oncall, engineer = _oncall()
    dashboard, manager = _dashboard(organization)
    choices = {
        "dataset": dataset,
        "agent": {"username": agent.username, "open_assigned": mine},
        "team": {"slug": team.slug, "open_tickets": team_open},
        "organization": {"slug": organization.slug, "tickets": org_tickets},
        "customer": {"username": customer.username},
        "ticket": {"key": ticket.key, "comments": comments, "comments_added": added},
        "word": {"text": word, "titles_percent": word_percent},
        "kb": _kb(),
        "oncall": oncall,
        "dashboard": dashboard,
        "session_cookie": settings.SESSION_COOKIE_NAME,
        "sessions": {
            "agent": _session(agent),
            "customer": _session(customer),
            **({"engineer": _session(engineer)} if engineer else {}),
            "manager": _session(manager),
        },
        "tokens": _tokens(agent),
        "seconds": round(time.monotonic() - started, 1),
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    # Session keys and tokens: readable by this user only, and deleted after the run.
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(choices, fh, indent=1)


def cleanup(path: Path) -> None:
    from django.conf import settings

    from helpdesk.models import ApiToken

    choices = json.loads(path.read_text())
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    for key in choices["sessions"].values():
        store_class(session_key=key).delete()
    ApiToken.objects.filter(pk__in=[t["id"] for t in choices["tokens"]]).delete()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.prepare")
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--out", type=Path)
    group.add_argument("--cleanup", type=Path)
    args = parser.parse_args(argv)
    _setup()
    if args.out:
        prepare(args.out)
    else:
        cleanup(args.cleanup)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
