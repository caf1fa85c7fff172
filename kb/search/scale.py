"""The knowledge base at benchmark scale: 10,000 articles and 1,000 known issues beside the
1M-ticket dataset (DESIGN.md section 10). Deterministic, loaded in batches, and only what is
missing on a second run (the rows are recognised by their `scale-` slug and `KI-S` id)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from django.db import transaction

from kb.models import (
    Article,
    ArticleCategory,
    ArticleKind,
    ArticleStatus,
    ArticleVisibility,
    KnownIssue,
    KnownIssueStatus,
)

BATCH = 2000
START = datetime(2023, 1, 1, tzinfo=UTC)
SPAN_DAYS = 1400
COMPONENTS = (
    "webhooks",
    "exports",
    "billing",
    "single sign-on",
    "API keys",
    "rate limits",
    "dashboard",
    "mobile app",
    "notifications",
    "search",
    "OAuth apps",
    "audit log",
    "imports",
    "reports",
    "user provisioning",
    "two-factor login",
    "Python SDK",
    "Node SDK",
    "Zapier integration",
    "custom domains",
)
SYMPTOMS = (
    "time out",
    "return 500 errors",
    "are slow",
    "fail silently",
    "show stale data",
    "reject valid tokens",
    "send duplicates",
    "lose attachments",
    "return 429",
    "hang at 99%",
    "show the wrong time zone",
    "break after upgrading",
    "cannot be saved",
    "are missing fields",
)
CONTEXTS = (
    "for large accounts",
    "after a password reset",
    "behind a proxy",
    "on the EU region",
    "with SAML",
    "in Safari",
    "after renaming a project",
    "with more than 10,000 rows",
    "during deployments",
    "for new users",
    "with custom roles",
    "over IPv6",
)
SENTENCES = (
    "Customers report that {c} {s} {x}.",
    "Check the request id in the response headers and compare it with the gateway logs.",
    "The cause is usually a configuration change made in the last deployment.",
    "Clear the cached credentials, then retry the request with a fresh token.",
    "If the error persists, collect the browser console output and the affected endpoint.",
    "Engineering tracks the underlying defect; the workaround below avoids it until the fix.",
    "Use pagination with a page size of 500 and follow the next link until it is empty.",
    "Rotate the signing secret and update every consumer within the grace period.",
    "Verify the clock of the calling server: a skew over five minutes invalidates signatures.",
    "Prevention: add monitoring on the {c} error rate and alert above one percent.",
)
CATEGORIES = list(ArticleCategory.values)


def _text(rng: random.Random, component: str, symptom: str, context: str, n: int) -> str:
    lines = [rng.choice(SENTENCES).format(c=component, s=symptom, x=context) for _ in range(n)]
    return (
        "## Symptoms\n\n"
        + " ".join(lines[: n // 3])
        + "\n\n## Cause\n\n"
        + " ".join(lines[n // 3 : 2 * n // 3])
        + "\n\n## Solution\n\n"
        + " ".join(lines[2 * n // 3 :])
    )


def _when(rng: random.Random) -> datetime:
    return START + timedelta(seconds=rng.randrange(SPAN_DAYS * 86400))


def _article(i: int) -> Article:
    rng = random.Random(i)
    c, s, x = rng.choice(COMPONENTS), rng.choice(SYMPTOMS), rng.choice(CONTEXTS)
    created = _when(rng)
    roll = rng.random()
    status = (
        ArticleStatus.PUBLISHED
        if roll < 0.85
        else ArticleStatus.DRAFT
        if roll < 0.95
        else ArticleStatus.ARCHIVED
    )
    return Article(
        kind=ArticleKind.RUNBOOK if rng.random() < 0.05 else ArticleKind.ARTICLE,
        category=rng.choice(CATEGORIES),
        visibility=ArticleVisibility.PUBLIC if rng.random() < 0.7 else ArticleVisibility.INTERNAL,
        status=status,
        title=f"{c.capitalize()} {s} {x}",
        slug=f"scale-{i}",
        summary=f"What to do when {c} {s} {x}.",
        body=_text(rng, c, s, x, rng.randrange(9, 24)),
        created_at=created,
        updated_at=created + timedelta(days=rng.randrange(60)),
        published_at=created if status == ArticleStatus.PUBLISHED else None,
    )


def _known_issue(i: int) -> KnownIssue:
    rng = random.Random(-i)
    c, s, x = rng.choice(COMPONENTS), rng.choice(SYMPTOMS), rng.choice(CONTEXTS)
    created = _when(rng)
    status = rng.choice(KnownIssueStatus.values)
    return KnownIssue(
        external_id=f"KI-S{i:04d}",
        title=f"{c.capitalize()} {s} {x}",
        component=c,
        affected_versions=f"4.{rng.randrange(10)}.x",
        error_signatures=[f"{c.upper().replace(' ', '_')}_ERROR", f"/api/v1/{c.split()[0]}/"],
        symptoms=" ".join(rng.choice(SENTENCES).format(c=c, s=s, x=x) for _ in range(4)),
        workaround=rng.choice(SENTENCES).format(c=c, s=s, x=x),
        status=status,
        fix_version=f"4.{rng.randrange(10)}.{rng.randrange(9)}" if status == "fixed" else "",
        created_at=created,
        updated_at=created + timedelta(days=rng.randrange(30)),
        fixed_at=created + timedelta(days=30) if status == "fixed" else None,
    )


def _fill(model, existing: int, target: int, build) -> int:
    added = 0
    for start in range(existing, target, BATCH):
        rows = [build(i) for i in range(start, min(start + BATCH, target))]
        with transaction.atomic():
            model.objects.bulk_create(rows)
        added += len(rows)
    return added


def load(*, articles: int, known_issues: int) -> tuple[int, int]:
    """Adds the scale articles and known issues that are missing; returns how many of each."""
    have_articles = Article.objects.filter(slug__startswith="scale-").count()
    have_issues = KnownIssue.objects.filter(external_id__startswith="KI-S").count()
    return (
        _fill(Article, have_articles, articles, _article),
        _fill(KnownIssue, have_issues, known_issues, _known_issue),
    )
