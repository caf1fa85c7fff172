"""The playbook's triage rules as pure functions of a ticket's text and context.

`analyse()` reads no database and is deterministic: the same text gives the same Analysis. What
needs the database (duplicates, incidents, known issues) is matched by triage's pipeline, which
starts from this Analysis. Each outcome carries reasons that name the rule and quote the words that
triggered it, so an agent can see why.

The order of the checks is the playbook's first five minutes: security first (it overrides
everything after it), then whether the ticket can be closed as the customer's configuration or as
expected behaviour, then whether it is a failure report at all (a question, a feature request, a
documentation remark), and only then the severity criteria of a failure.
"""

from __future__ import annotations

from . import category as category_rules
from . import close_as as close_as_rules
from . import escalation, kind, needs_info, security, severity, signature
from .needs_info import info_request
from .text import Text
from .types import Analysis, ErrorSignature

RULES_VERSION = "rules-1"

__all__ = ["RULES_VERSION", "Analysis", "ErrorSignature", "analyse", "info_request"]

_SECURITY_SEVERITY = {
    True: ("P1", "Playbook P1: security breach affecting production (harm under way)"),
    False: (
        "P2",
        "Security report without harm under way yet: P2, paged at once (DESIGN.md 6, 7)",
    ),
}
_SECURITY_ISSUE_TYPE = {
    "suspicious_access": "incident",
    "leaked_credentials": "incident",
    "data_exposure": "bug",
    "vulnerability": "bug",
}


def analyse(*, title: str, description: str, tier: str = "", channel: str = "") -> Analysis:
    """Every rule-based suggestion for one ticket, each dimension with the reasons behind it."""
    text = Text(title=title or "", description=description or "", tier=tier, channel=channel)
    sig = signature.extract(text)
    finding = security.detect(text)
    if finding:
        return _security(text, finding, sig)

    # A customer saying the documentation is wrong reports a documentation bug, even about a
    # status code that would otherwise be expected behaviour.
    what = kind.detect_documentation_bug(text)
    closing = None if what else close_as_rules.detect(text)
    if not what and not closing:
        what = kind.detect(text)
    reasons: dict[str, list[str]] = {"security": []}

    if closing:
        sev, sev_reason = (
            ("P3", "DESIGN.md 7: a customer's own configuration error that blocks them is P3")
            if closing.value == "config_error"
            else ("P4", "DESIGN.md 7: expected-behaviour questions are P4")
        )
        issue_type = "configuration" if closing.value == "config_error" else "question"
        cat, cat_reason = closing.category, closing.category_reason
        outage = None
        reasons["close_as"] = [closing.reason]
    elif what:
        sev, sev_reason = what.severity, what.reason
        issue_type, cat, cat_reason = what.issue_type, what.category, what.reason
        outage = None
    else:
        sev_rule, sev_evidence = severity.detect(text)
        sev, sev_reason = sev_rule.outcome, sev_rule.reason(sev_evidence)
        outage = severity.OUTAGE_RULES.get(sev_rule.name)
        if outage == "other" and text.has_status("401") and not text.server_error:
            outage = "authentication"  # every request refused as unauthenticated
        if outage:
            cat = outage
            cat_reason = f"{sev_rule.name}: the whole service's availability"
            if outage == "authentication":
                cat_reason = f"{sev_rule.name}: authentication itself is down"
            issue_type = "incident"
        else:
            cat_rule, cat_evidence = category_rules.detect(text)
            cat, cat_reason = cat_rule.outcome, cat_rule.reason(cat_evidence)
            issue_type = "bug"
    reasons["severity"] = [sev_reason]
    reasons["category"] = [cat_reason]
    reasons["issue_type"] = [f"Issue type {issue_type}: {sev_reason if outage else cat_reason}"]

    if (
        what
        and what.category in ("feature_request", "documentation", "other")
        and (what.issue_type == "question" or what.category == "documentation")
    ):
        env, env_reason = "unknown", "Environment unknown: a question names no failing system"
    else:
        env, env_reason = category_rules.environment(text)
        if env == "unknown" and outage:
            env, env_reason = "production", "Environment production: a P1 outage is live"
    reasons["environment"] = [env_reason]

    needs: list[tuple[str, str]] = []
    if not closing and not what:
        needs = needs_info.missing(
            needs_info.Case(
                text=text,
                category=cat,
                whole_service=bool(outage) or severity.covers_whole_api(text),
            )
        )
    reasons["needs_info"] = [reason for _, reason in needs]
    items = tuple(item for item, _ in needs)

    esc, esc_reason = escalation.decide(
        escalation.Case(
            text=text,
            security=False,
            severity=sev,
            close_as=closing.value if closing else None,
            kind=what.name if what else None,
            category=cat,
            vague="error_message" in items or {"timestamp", "request_id", "endpoint"} <= set(items),
        ),
    )
    reasons["escalate"] = [esc_reason]
    return Analysis(
        severity=sev,
        category=cat,
        issue_type=issue_type,
        environment=env,
        security=False,
        needs_info=items,
        close_as=closing.value if closing else None,
        escalate=esc,
        signature=sig,
        reasons=reasons,
        info_request=info_request(items),
        reply_template=closing.reply_template if closing else "",
    )


def _security(text: Text, finding: security.SecurityFinding, sig: ErrorSignature) -> Analysis:
    """Security overrides the rest: flagged, always escalated, never closed, nothing asked."""
    sev, sev_reason = _SECURITY_SEVERITY[finding.active]
    env, env_reason = category_rules.environment(text)
    if env == "unknown":
        env = "production"
        env_reason = "Environment production: a security report concerns live data"
    never = "DESIGN.md 7: security reports never get a close-as suggestion"
    return Analysis(
        severity=sev,
        category="authentication",
        issue_type=_SECURITY_ISSUE_TYPE[finding.kind],
        environment=env,
        security=True,
        needs_info=(),
        close_as=None,
        escalate="always",
        signature=sig,
        reasons={
            "security": [finding.reason],
            "severity": [sev_reason],
            "category": ["DESIGN.md 7: security reports are authentication (access to data)"],
            "issue_type": [f"{finding.reason}: {_SECURITY_ISSUE_TYPE[finding.kind]}"],
            "environment": [env_reason],
            "needs_info": ["Playbook: do not request additional details via unencrypted channels"],
            "close_as": [never],
            "escalate": ["Playbook, always escalate: security-related issues"],
        },
    )
